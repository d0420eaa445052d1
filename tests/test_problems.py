"""Tests of symopt.problems, and the table-driven test: every optimizer in symopt.optim
on every reference problem reaches the known minimum.

The problem data (minima, saddles, values) is checked with SymPy's own ``diff`` on the
expression at 30-digit precision, independently of symopt's derivatives and compiler.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import symopt
from symopt import optim, problems
from symopt.errors import ChoiceError, DegenerateError, HyperparameterError, ShapeError
from symopt.optim import schedules

PROBLEMS = problems.all_problems()
BY_NAME = {p.name: p for p in PROBLEMS}


def exact_gradient_and_hessian(p: problems.Problem, point) -> tuple[np.ndarray, np.ndarray]:
    """SymPy's diff of the expression, evaluated at ``point`` with 30 digits."""
    expr, xs = p.objective.expr, p.objective.variables
    at = {v: sp.Float(c, 30) for v, c in zip(xs, point, strict=True)}
    grad = [sp.diff(expr, v).evalf(30, subs=at) for v in xs]
    hess = [[sp.diff(expr, v, w).evalf(30, subs=at) for w in xs] for v in xs]
    return np.array(grad, dtype=float), np.array(hess, dtype=float)


# -- the data -------------------------------------------------------------------------


@pytest.mark.parametrize("p", PROBLEMS, ids=lambda p: p.name)
def test_stated_minima_are_strict_minima_with_the_stated_value(p):
    for point in (*p.minima, *p.local_minima):
        grad, hess = exact_gradient_and_hessian(p, point)
        assert np.abs(grad).max() < 1e-12, (point, grad)
        assert np.linalg.eigvalsh(hess).min() > 0, (point, hess)
    for point in p.minima:
        at = dict(zip(p.objective.variables, point, strict=True))
        assert abs(float(p.objective.expr.evalf(30, subs=at)) - p.minimum_value) < 1e-12


@pytest.mark.parametrize("p", PROBLEMS, ids=lambda p: p.name)
def test_stated_saddles_are_saddles(p):
    for point in p.saddles:
        grad, hess = exact_gradient_and_hessian(p, point)
        eig = np.linalg.eigvalsh(hess)
        assert np.abs(grad).max() == 0 and eig.min() < 0 < eig.max()


@pytest.mark.parametrize("p", PROBLEMS, ids=lambda p: p.name)
def test_start_and_box_fit_the_problem(p):
    assert len(p.x0) == len(p.bounds) == p.n
    for x, (low, high) in zip(p.x0, p.bounds, strict=True):
        assert low < x < high
    for point in p.minima:
        assert all(low < x < high for x, (low, high) in zip(point, p.bounds, strict=True))


def test_unbounded_problems_have_no_minimum():
    p = problems.saddle()
    assert p.minima == () and p.minimum_value == -math.inf
    with pytest.raises(DegenerateError, match="unbounded"):
        p.distance_to_minimum([0.0, 0.0])


def test_global_minimum_values_are_below_the_values_nearby():
    # A random cloud around each global minimum never goes lower (Rastrigin: global).
    rng = np.random.default_rng(0)
    for p in PROBLEMS:
        for point in p.minima:
            cloud = np.asarray(point) + rng.normal(scale=0.3, size=(2000, p.n))
            assert p.objective.compile().value(cloud).min() >= p.minimum_value


@pytest.mark.parametrize("key", list(problems.LECTURE_HESSIANS))
def test_lecture_quadratics_have_the_slides_hessian(key):
    p = problems.lecture_quadratic(key)
    H = sp.Matrix(problems.LECTURE_HESSIANS[key]).applyfunc(lambda v: sp.Rational(str(v)))
    assert p.objective.hessian == H  # exact: 9.9 is 99/10
    assert p.name == f"quadratic {key}"


def test_lecture_quadratic_scale_and_indefinite_hessians():
    p = problems.lecture_quadratic([[4, 0], [0, 1]], scale=1)
    assert p.objective.expr == 4 * sp.Symbol("x", real=True) ** 2 + sp.Symbol("y", real=True) ** 2
    saddle = problems.lecture_quadratic([[1, 0], [0, -1]])  # the lecture's saddle slide
    assert saddle.minima == () and saddle.saddles == ((0.0, 0.0),)
    assert saddle.minimum_value == -math.inf
    three = problems.lecture_quadratic(np.diag([1.0, 2.0, 3.0]))
    assert three.n == 3 and three.minima == ((0.0, 0.0, 0.0),)
    with pytest.raises(ShapeError):
        problems.lecture_quadratic([[1, 2], [0, 1]])
    with pytest.raises(DegenerateError, match="singular"):
        problems.lecture_quadratic([[1, 0], [0, 0]])
    with pytest.raises(ChoiceError) as err:
        problems.lecture_quadratic("diag(3, 1)")
    assert err.value.choices == tuple(problems.LECTURE_HESSIANS)


def test_rosenbrock_parameters_and_chain():
    p = problems.rosenbrock(a=2, b=10)
    assert p.minima == ((2.0, 4.0),)
    grad, _ = exact_gradient_and_hessian(p, (2.0, 4.0))
    assert np.abs(grad).max() < 1e-12
    chain = problems.rosenbrock_chain(6)
    assert chain.n == 6 and chain.minima == ((1.0,) * 6,) and chain.local_minima == ()
    with pytest.raises(HyperparameterError) as err:
        problems.rosenbrock_chain(1)
    assert (err.value.name, err.value.value) == ("n", 1)


def test_rastrigin_has_local_minima_near_the_integers():
    p = problems.rastrigin(3)
    f = p.objective.compile()
    assert p.n == 3 and f.value(np.zeros(3)) == 0
    # near (1, 0, 0) the gradient vanishes at x = 1 - 2/(20π²)·... : a local minimum above 0
    assert f.value(np.array([1.0, 0.0, 0.0])) == pytest.approx(1.0)


def test_distance_to_the_nearest_minimum():
    p = problems.himmelblau()
    d = p.distance_to_minimum(np.array([[3.0, 2.0], [3.0, 2.5], [-2.8051180869527449, 3.0]]))
    np.testing.assert_allclose(d, [0.0, 0.5, 0.1313125182505730])


# -- the table: every optimizer on every reference problem ------------------------------

# Starts per problem (a batch, run in one vectorised call).  Rastrigin starts inside the
# basin of its global minimum (|x_i| < 0.5); the chained Rosenbrock starts inside the basin
# of (1, 1, 1, 1) (it also has a local minimum, see problems.rosenbrock_chain).
STARTS = {
    "quadratic": [[-1.5, 1.0], [1.0, 1.0]],
    "rosenbrock": [[-1.2, 1.0], [0.0, 0.0]],
    "rosenbrock chain n=4": [[0.5, 0.5, 0.5, 0.5], [1.5, 1.5, 1.5, 1.5]],
    "beale": [[1.0, 1.5], [2.0, 0.0]],
    "himmelblau": [[0.0, 0.0], [-1.0, 1.0]],
    "rastrigin n=2": [[0.3, -0.2], [-0.4, 0.1]],
    "double well": [[0.5, 1.0], [-1.5, -0.5]],
}
TOL = 1e-4  # distance of every start's final point to the nearest global minimum

# optimizer -> {problem (or "default"): (keyword arguments, steps[, tol])}.
# "cosine" as lr means schedules.cosine(lr0, steps): the adaptive methods oscillate at a
# scale set by a constant lr, so they anneal it to 0 over the run.  The settings were
# tuned by sweeps over log grids of lr; each row states what it needs.
ROSENBROCKS = ("rosenbrock", "rosenbrock chain n=4")
TABLE: dict[str, dict[str, tuple]] = {
    "gd": {
        "default": ({"lr": 0.1}, 300),
        "himmelblau": ({"lr": 0.01}, 300),
        "rastrigin n=2": ({"lr": 0.002}, 100),
        "beale": ({"lr": 0.02}, 2000),
        "rosenbrock": ({"lr": 0.0018}, 14000),
        "rosenbrock chain n=4": ({"lr": 0.00114}, 18000),
    },
    "sgd": {  # PyTorch's SGD with momentum 0.9 (plain SGD is gd, above)
        "default": ({"lr": 0.01, "momentum": 0.9}, 400),
        "himmelblau": ({"lr": 0.007, "momentum": 0.9}, 400),
        "rastrigin n=2": ({"lr": 0.001, "momentum": 0.9}, 400),
        "beale": ({"lr": 0.007, "momentum": 0.9}, 600),
        "rosenbrock": ({"lr": 0.003, "momentum": 0.9}, 1200),
        "rosenbrock chain n=4": ({"lr": 0.0018, "momentum": 0.9}, 1600),
    },
    "momentum": {
        "default": ({"lr": 0.01, "mu": 0.9}, 400),
        "himmelblau": ({"lr": 0.007, "mu": 0.9}, 400),
        "rastrigin n=2": ({"lr": 0.001, "mu": 0.9}, 400),
        "beale": ({"lr": 0.007, "mu": 0.9}, 600),
        "rosenbrock": ({"lr": 0.003, "mu": 0.9}, 1200),
        "rosenbrock chain n=4": ({"lr": 0.0018, "mu": 0.9}, 1600),
    },
    "nesterov": {
        "default": ({"lr": 0.08, "mu": 0.9}, 300),
        "himmelblau": ({"lr": 0.013, "mu": 0.9}, 200),
        "rastrigin n=2": ({"lr": 0.002, "mu": 0.9}, 100),
        "beale": ({"lr": 0.0038, "mu": 0.9}, 1000),
        "rosenbrock": ({"lr": 0.00114, "mu": 0.9}, 2500),
        "rosenbrock chain n=4": ({"lr": 0.0007, "mu": 0.9}, 3000),
    },
    "adagrad": {
        "default": ({"lr": 1.0}, 300),
        "rastrigin n=2": ({"lr": 0.18}, 300),
        "beale": ({"lr": 1.0}, 2000),
        # Adagrad's own decay (1/√Σg²) makes it crawl along the curved valleys
        "rosenbrock": ({"lr": 1.0}, 5000, 3e-2),
        "rosenbrock chain n=4": ({"lr": 0.7}, 5000, 3e-2),
    },
    "adadelta": {
        "default": ({"lr": "cosine", "lr0": 30.0}, 300),
        "beale": ({"lr": "cosine", "lr0": 14.0}, 600),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 10.0}, 300),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.2}, 10000, 1e-3),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 1.15}, 5000, 5e-2),  # crawls
    },
    "rmsprop": {
        "default": ({"lr": "cosine", "lr0": 0.1}, 300),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.013}, 300),
        "beale": ({"lr": "cosine", "lr0": 0.06}, 1200),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.004}, 10000, 1e-3),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 0.003}, 10000, 1e-3),
    },
    "adam": {
        "default": ({"lr": "cosine", "lr0": 0.3}, 300),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.05}, 300),
        "beale": ({"lr": "cosine", "lr0": 0.6}, 600),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.4}, 2500),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 0.5}, 2500),
    },
    "amsgrad": {
        "default": ({"lr": "cosine", "lr0": 0.3}, 300),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.05}, 300),
        "beale": ({"lr": "cosine", "lr0": 0.6}, 600),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.5}, 2500),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 0.28}, 2500),
    },
    "adamw": {  # weight decay 0: decoupled decay moves the fixed point off the minimum
        "default": ({"lr": "cosine", "lr0": 0.3, "weight_decay": 0.0}, 300),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.05, "weight_decay": 0.0}, 300),
        "beale": ({"lr": "cosine", "lr0": 0.6, "weight_decay": 0.0}, 600),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.4, "weight_decay": 0.0}, 2500),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 0.5, "weight_decay": 0.0}, 2500),
    },
    "adamax": {
        "default": ({"lr": "cosine", "lr0": 0.4}, 300),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.05}, 300),
        "beale": ({"lr": "cosine", "lr0": 1.0}, 1200),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.4}, 5000),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 0.6}, 5000),
    },
    "nadam": {
        "default": ({"lr": "cosine", "lr0": 0.3}, 300),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.05}, 300),
        "beale": ({"lr": "cosine", "lr0": 0.4}, 600),
        "rosenbrock": ({"lr": "cosine", "lr0": 0.04}, 5000, 1e-3),
        "rosenbrock chain n=4": ({"lr": "cosine", "lr0": 0.04}, 5000, 1e-3),
    },
    "radam": {
        "default": ({"lr": "cosine", "lr0": 0.2}, 600),
        "himmelblau": ({"lr": "cosine", "lr0": 0.05}, 600),
        "rastrigin n=2": ({"lr": "cosine", "lr0": 0.0063}, 600),
        "beale": ({"lr": "warmup-cosine", "lr0": 0.3}, 2500),
        # RAdam's first steps are un-normalised SGD: a 100-step warm-up keeps the
        # Rosenbrock gradients (~1000) from throwing it out of the valley
        "rosenbrock": ({"lr": "warmup-cosine", "lr0": 0.3}, 5000),
        "rosenbrock chain n=4": ({"lr": "warmup-cosine", "lr0": 0.3}, 5000),
    },
    # curvature: M is the inverse Hessian at the minimum (a fixed preconditioner, exact
    # for the quadratics); both start near the minimum on the non-quadratic problems
    # (LOCAL_STARTS), where a fixed or local model of the curvature is good
    "preconditioned": {
        "default": ({"lr": 0.5}, 100),
        "rosenbrock": ({"lr": 0.1}, 300),
        "rosenbrock chain n=4": ({"lr": 0.1}, 300),
        "beale": ({"lr": 0.1}, 300),
    },
    "newton": {"default": ({}, 30)},
}
# Newton steps to the nearest critical point: it starts where the Hessian is positive
# definite on the way to a minimum.
LOCAL_STARTS = {
    "himmelblau": [[3.5, 2.5], [-3.0, 3.5]],
    "double well": [[1.5, 1.0], [-0.7, -0.5]],
    "beale": [[2.5, 0.3], [3.2, 0.6]],
    "rastrigin n=2": [[0.15, -0.1], [-0.12, 0.05]],
    "rosenbrock": [[0.8, 0.6], [1.2, 1.5]],
    "rosenbrock chain n=4": [[0.95, 0.9, 0.8, 0.65], [1.05, 1.1, 1.2, 1.45]],
}


def _row(name: str, problem: problems.Problem) -> tuple[optim.Optimizer, int, float, np.ndarray]:
    table = TABLE[name]
    kwargs, steps, *tol = table.get(problem.name, table["default"])
    kwargs = dict(kwargs)
    if kwargs.get("lr") == "cosine":
        kwargs["lr"] = schedules.cosine(kwargs.pop("lr0"), steps)
    elif kwargs.get("lr") == "warmup-cosine":
        kwargs["lr"] = schedules.warmup(schedules.cosine(kwargs.pop("lr0"), steps), 100)
    if name == "preconditioned":
        kwargs["M"] = np.linalg.inv(problem.objective.compile().hessian(problem.minima[0]))
    key = "quadratic" if problem.name.startswith("quadratic") else problem.name
    local = name in ("newton", "preconditioned")
    starts = LOCAL_STARTS.get(problem.name, STARTS[key]) if local else STARTS[key]
    return getattr(optim, name)(**kwargs), steps, (tol or [TOL])[0], np.array(starts)


BOUNDED = [p for p in PROBLEMS if p.minima]


def test_the_table_covers_every_optimizer():
    named = set(optim.__all__) - {"Optimizer", "Schedule", "chain", "schedules", "as_schedule"}
    optimizers = {n for n in named if not n.startswith(("scale", "add_", "trace", "identity"))}
    assert optimizers == set(TABLE)


@pytest.mark.parametrize("name", list(TABLE))
@pytest.mark.parametrize("problem", BOUNDED, ids=lambda p: p.name)
def test_every_optimizer_reaches_the_minimum_of_every_problem(name, problem):
    optimizer, steps, tol, starts = _row(name, problem)
    traj = symopt.minimize(problem.objective, optimizer, starts, steps=steps, record="last")
    distance = problem.distance_to_minimum(traj.final_x)
    assert np.all(distance <= tol), f"{name} on {problem.name}: distances {distance}"
    gap = traj.final_value - problem.minimum_value
    assert np.all(gap <= 1e3 * tol**2 + 1e-12), gap


def test_every_optimizer_escapes_the_saddle():
    # x² - y² is unbounded below.  From just off the x axis every first-order optimizer
    # leaves the saddle along y: GD-like ones exponentially (stopped as "diverged"), the
    # normalised adaptive ones about lr per step.  No NaN either way.
    p = problems.saddle()
    for name in TABLE:
        if name in ("newton", "preconditioned"):
            continue  # curvature methods: below
        kwargs, _, *_ = TABLE[name]["default"]
        kwargs = {k: v for k, v in kwargs.items() if k != "lr0"}
        if kwargs.get("lr") == "cosine":
            kwargs["lr"] = 1.0 if name == "adadelta" else 0.1  # Adadelta's lr is a factor
        opt = getattr(optim, name)(**kwargs)
        traj = symopt.minimize(p.objective, opt, [[1.0, 1e-3]], steps=2000, record="last")
        assert np.all(np.isfinite(traj.x)) and np.all(np.isfinite(traj.values)), name
        assert abs(traj.final_x[0, 1]) > 10 and traj.final_value[0] < -100, name
        assert abs(traj.final_x[0, 0]) < 0.1, name
    # Newton solves grad = 0 exactly: one step lands on the saddle point, a strict
    # reminder that it looks for critical points, not minima.
    newton = symopt.minimize(p.objective, optim.newton(), [1.0, 1e-3], steps=3)
    assert np.all(newton.final_x == 0)
