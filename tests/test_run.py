"""Tests of symopt.numeric.run (minimize, sweep), the loop core (symopt.numeric.loop), the
dispatch of symopt.api, symopt.numeric.results and how symopt.plot takes runs.

The mechanics are tested with a tiny local optimizer that follows the contract, so a
failure here points at the runner, not at symopt.optim; the references are closed forms
and hand-written loops.  The table-driven test of every optimizer on every reference
problem lives in tests/test_problems.py.
"""

from __future__ import annotations

import subprocess
import sys
import warnings
from typing import Any, NamedTuple

import numpy as np
import pytest

import symopt
from symopt import problems
from symopt.errors import (
    ArgumentTypeError,
    HyperparameterError,
    PointError,
    ShapeError,
    SymoptError,
)
from symopt.numeric.results import Trajectory
from symopt.numeric.run import minimize, sweep
from symopt.optim import sgd
from symopt.stochastic import EmpiricalRisk


class Opt(NamedTuple):
    init: Any
    update: Any
    needs: tuple[str, ...] = ()


def local_gd(lr: Any) -> Opt:
    """x <- x - lr * g with a per-run lr (batch shape, aligned right)."""
    lr = np.asarray(lr, dtype=float)[..., None]
    return Opt(lambda p: None, lambda g, s, p, **kw: (-lr * g, s))


def local_heavy_ball(lr: Any, mu: Any) -> Opt:
    """The lecture's momentum: v <- mu v - lr g; x <- x + v."""
    lr, mu = (np.asarray(a, dtype=float)[..., None] for a in (lr, mu))

    def update(g, v, p, **kw):
        v = mu * v - lr * g
        return v, v

    return Opt(lambda p: np.zeros_like(p), update)


class Quadratic:
    """A duck-typed objective 0.5 * sum(h_i x_i^2) (no hessian, no variables)."""

    def __init__(self, h):
        self.h = np.asarray(h, dtype=float)
        self.n = len(self.h)

    def value(self, x):
        return 0.5 * (self.h * x * x).sum(axis=-1)

    def gradient(self, x):
        return self.h * x


ROSENBROCK = symopt.Objective("(1 - x)**2 + 100*(y - x**2)**2")


def hand_gd(grad, x0, lr, steps):
    """Plain Python reference loop: every iterate of x <- x - lr * grad(x)."""
    xs = [np.array(x0, dtype=float)]
    for _ in range(steps):
        xs.append(xs[-1] - lr * grad(xs[-1]))
    return np.array(xs)


# -- the loop -------------------------------------------------------------------------


def test_gd_on_a_lecture_quadratic_follows_the_closed_form():
    # f = ½ xᵀHx, GD: x_t = (I - ηH)^t x0 exactly.
    p = problems.lecture_quadratic("[[2, -1], [-1, 1]]")
    H, eta, x0 = np.array([[2.0, -1.0], [-1.0, 1.0]]), 0.1, np.array([-1.5, 1.0])
    traj = minimize(p.objective, local_gd(eta), x0, steps=30)
    expected = np.array([np.linalg.matrix_power(np.eye(2) - eta * H, t) @ x0 for t in range(31)])
    np.testing.assert_allclose(traj.x, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(traj.values, 0.5 * np.einsum("ti,ij,tj->t", expected, H, expected))
    np.testing.assert_allclose(traj.grad_norms, np.linalg.norm(expected @ H, axis=1))
    np.testing.assert_array_equal(traj.steps, np.arange(31))
    assert traj.status == "max_steps" and traj.stop_step == 30


def test_batched_runs_equal_separate_runs():
    starts = np.array([[-1.2, 1.0], [0.5, -0.3], [2.0, 2.0]])
    batch = minimize(ROSENBROCK, local_gd(1e-3), starts, steps=200)
    for k, x0 in enumerate(starts):
        single = minimize(ROSENBROCK, local_gd(1e-3), x0, steps=200)
        np.testing.assert_allclose(batch.x[:, k], single.x, rtol=1e-13)
        np.testing.assert_allclose(batch.values[:, k], single.values, rtol=1e-13)
    grad = ROSENBROCK.compile().gradient
    np.testing.assert_allclose(batch.x[:, 0], hand_gd(grad, starts[0], 1e-3, 200), rtol=1e-13)


def test_per_run_hyperparameters_equal_separate_scalar_runs():
    f = Quadratic([1.0, 10.0])
    starts = np.array([[[1.0, 1.0], [2.0, -1.0], [0.5, 0.5]], [[-1.0, 1.0], [1.0, 3.0], [0, 1]]])
    lr_b = np.array([0.01, 0.05, 0.1])  # (B,): one per column
    lr_a = np.array([[0.02], [0.15]])  # (A, 1): one per row
    mu = np.array([0.0, 0.5, 0.9])
    by_col = minimize(f, local_heavy_ball(lr_b, 0.5), starts, steps=25)
    by_row = minimize(f, local_heavy_ball(lr_a, mu), starts, steps=25)
    for a in range(2):
        for b in range(3):
            one = minimize(f, local_heavy_ball(lr_b[b], 0.5), starts[a, b], steps=25)
            np.testing.assert_allclose(by_col.x[:, a, b], one.x, rtol=1e-13)
            one = minimize(f, local_heavy_ball(lr_a[a, 0], mu[b]), starts[a, b], steps=25)
            np.testing.assert_allclose(by_row.x[:, a, b], one.x, rtol=1e-13)


@pytest.mark.parametrize(
    ("record", "rows"),
    [("all", list(range(23))), (5, [0, 5, 10, 15, 20, 22]), (11, [0, 11, 22]), ("last", [0, 22])],
)
def test_record_modes_keep_the_right_rows(record, rows):
    starts = np.array([[-1.2, 1.0], [0.3, 0.2]])
    full = minimize(ROSENBROCK, local_gd(1e-3), starts, steps=22, record="all")
    part = minimize(ROSENBROCK, local_gd(1e-3), starts, steps=22, record=record)
    np.testing.assert_array_equal(part.steps, rows)
    np.testing.assert_array_equal(part.x, full.x[rows])
    np.testing.assert_array_equal(part.values, full.values[rows])
    np.testing.assert_array_equal(part.grad_norms, full.grad_norms[rows])
    np.testing.assert_array_equal(part.final_x, full.x[-1])


def test_tol_freezes_each_run_at_its_first_small_gradient():
    f = Quadratic([1.0, 4.0])
    starts = np.array([[1.0, 1.0], [1e-3, 1e-3], [-3.0, 2.0], [0.0, 0.0]])
    lr = np.array([0.1, 0.1, 0.02, 0.1])
    tol = 1e-4
    traj = minimize(f, local_gd(lr), starts, steps=300, tol=tol)
    for k in range(len(starts)):
        xs = hand_gd(f.gradient, starts[k], lr[k], 300)
        norms = np.linalg.norm(f.gradient(xs), axis=1)
        first = int(np.argmax(norms <= tol)) if (norms <= tol).any() else None
        if first is None:
            assert traj.status[k] == "max_steps" and traj.stop_step[k] == 300
            continue
        assert traj.status[k] == "converged" and traj.stop_step[k] == first
        np.testing.assert_allclose(traj.final_x[k], xs[first], rtol=1e-13)
        # frozen: every recorded row after the stop is the same point
        after = traj.steps >= first
        assert np.all(traj.x[after, k] == traj.x[after, k][0])
    # 0.9^t <= 1e-4 near t = 88; 0.98^t · 3 > 1e-4 for t <= 300; the last starts at 0
    assert traj.status.tolist() == ["converged", "converged", "max_steps", "converged"]
    assert traj.stop_step[3] == 0


def test_loop_ends_once_every_run_converged():
    traj = minimize(Quadratic([1.0]), local_gd([0.5, 0.9]), [[1.0], [1.0]], steps=10_000, tol=1e-6)
    # |1 - 0.5|^t <= 1e-6 first at t = 20; |1 - 0.9|^t first at t = 6
    assert traj.stop_step.tolist() == [20, 6]
    assert traj.steps[-1] == 20 and len(traj.steps) == 21


def test_tol_none_never_stops_early():
    traj = minimize(Quadratic([1.0]), local_gd(1.0), [1.0], steps=7)  # lands on 0 at step 1
    assert traj.status == "max_steps" and len(traj.steps) == 8 and traj.stop_step == 7


def test_divergence_is_stopped_cleanly_without_warnings():
    # f = x², GD with lr = 1.5: x_{t+1} = (1 - 2·1.5) x_t = -2 x_t, |x| doubles each step.
    f = symopt.Objective("x**2")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = minimize(f, local_gd([1.5, 0.25]), [[1.0], [1.0]], steps=2000)
    assert traj.status.tolist() == ["diverged", "max_steps"]
    for array in (traj.x, traj.values, traj.grad_norms):
        assert np.all(np.isfinite(array))
    t = int(traj.stop_step[0])
    assert 0 < t < 2000
    assert traj.final_x[0, 0] == (-2.0) ** t  # frozen at the last good iterate, exactly
    assert traj.final_value[0] == 4.0**t
    assert np.all(traj.x[t:, 0] == traj.x[t, 0])


class Undefined(Quadratic):
    """½x² whose gradient is NaN beyond |x| > 5 (like sqrt or log outside their domain)."""

    def gradient(self, x):
        return np.where(np.abs(x) > 5, np.nan, x)


def test_a_nan_gradient_is_caught_as_divergence():
    # lr = -1 doubles x each step: 1, 2, 4, 8; the gradient at 8 is NaN, so 8 is outside
    # the domain and the run stops at 4 (step 2), the last point with a finite gradient.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        traj = minimize(Undefined([1.0]), local_gd(-1.0), [1.0], steps=10)
    assert traj.status == "diverged" and traj.stop_step == 2
    assert traj.final_x.tolist() == [4.0] and traj.final_value == 8.0
    assert traj.grad_norms.tolist() == [1.0, 2.0, 4.0, 4.0]
    assert np.all(np.isfinite(traj.x)) and np.all(np.isfinite(traj.values))


def test_objective_without_hessian_and_newton_is_a_clear_error():
    newton_like = Opt(lambda p: None, lambda g, s, p, hessian: (-g, s), ("hessian",))
    with pytest.raises(SymoptError, match="Hessian"):
        minimize(Quadratic([1.0, 2.0]), newton_like, [1.0, 1.0])


def test_extras_reach_the_optimizer():
    seen = {}

    def update(g, s, p, value, hessian, step):
        seen.setdefault("steps", []).append(step)
        np.testing.assert_allclose(value, ROSENBROCK.compile().value(p))
        np.testing.assert_allclose(hessian, ROSENBROCK.compile().hessian(p))
        return -np.linalg.solve(hessian, g[..., None])[..., 0], s  # Newton

    traj = minimize(
        ROSENBROCK, Opt(lambda p: None, update, ("value", "hessian", "step")), [-1.2, 1.0], steps=6
    )
    assert seen["steps"] == [0, 1, 2, 3, 4, 5]
    np.testing.assert_allclose(traj.final_x, [1.0, 1.0], atol=1e-8)  # Newton: 6 steps


def test_wrong_x0_length_names_the_expected_n():
    with pytest.raises(ShapeError, match="2 variables"):
        minimize(ROSENBROCK, local_gd(0.1), [1.0, 2.0, 3.0])
    with pytest.raises(ShapeError):
        minimize(ROSENBROCK, local_gd(0.1), 1.0)
    with pytest.raises(ShapeError, match="NaN"):
        minimize(ROSENBROCK, local_gd(0.1), [np.nan, 1.0])


def test_hyperparameters_that_imply_a_bigger_batch_are_a_shape_error():
    with pytest.raises(ShapeError, match="broadcast x0"):
        minimize(ROSENBROCK, local_gd([0.1, 0.2, 0.3]), [1.0, 2.0])


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"steps": -1}, "steps"),
        ({"steps": 2.5}, "steps"),
        ({"tol": -1.0}, "tol"),
        ({"tol": np.nan}, "tol"),
        ({"record": 0}, "record"),
        ({"record": "every"}, "record"),
    ],
)
def test_bad_run_settings_are_named(kwargs, name):
    with pytest.raises(HyperparameterError) as info:
        minimize(ROSENBROCK, local_gd(0.1), [1.0, 2.0], **kwargs)
    assert info.value.name == name


def test_not_an_objective_is_a_clear_error():
    with pytest.raises(SymoptError, match="gradient"):
        minimize(object(), local_gd(0.1), [1.0])
    with pytest.raises(TypeError, match="bogus"):
        symopt.minimize(ROSENBROCK, local_gd(0.1), [1.0, 2.0], bogus=1)


def test_progress_bar_can_be_forced(capsys):
    traj = minimize(Quadratic([1.0]), local_gd(0.1), [1.0], steps=50, progress=True)
    assert traj.stop_step == 50  # the bar changes nothing


# -- the loop core, shared with mini-batch runs ------------------------------------------


BAD_STARTS = [
    [1.0, 2.0],  # two coordinates for one variable
    1.0,  # a scalar
    [np.nan],
    [np.inf],
    ["one"],
]


@pytest.mark.parametrize("x0", BAD_STARTS, ids=["length", "scalar", "nan", "inf", "text"])
def test_both_loops_refuse_the_same_bad_starts_alike(x0):
    # the same function ½θ² for both: an Objective, and a risk of one example z = 0
    plain = symopt.Objective("theta**2 / 2")
    risk = EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": np.zeros(4)})
    with pytest.raises(ShapeError) as deterministic:
        symopt.minimize(plain, sgd(lr=0.1), x0, steps=3)
    with pytest.raises(ShapeError) as minibatch:
        symopt.minimize(risk, sgd(lr=0.1), x0, epochs=1, batch_size=2)
    assert str(deterministic.value) == str(minibatch.value)


# -- dispatch (symopt.api) ----------------------------------------------------------------


def test_quantities_in_x0_make_a_unit_aware_run():
    from symopt.units import UnitTrajectory, preconditioned, ureg

    f = symopt.Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
    M = [0.25 * ureg("km**2/J"), 0.25 * ureg("mm**2/J")]
    # x <- x - M·2x = x/2: (1 km, 2 mm), (0.5, 1), (0.25, 0.5)
    traj = symopt.minimize(f, preconditioned(M), [1 * ureg.km, 2 * ureg.mm], steps=2, record=2)
    assert type(traj) is UnitTrajectory and repr(UnitTrajectory).endswith("units.UnitTrajectory'>")
    assert traj.steps.tolist() == [0, 2]
    x1, x2 = traj.x
    assert (x1.units, x2.units) == (ureg.km, ureg.mm) and x1.shape == x2.shape == (2,)
    np.testing.assert_allclose(x1.magnitude, [1.0, 0.25])
    np.testing.assert_allclose(x2.magnitude, [2.0, 0.5])
    assert traj.values.units == ureg.J
    np.testing.assert_allclose(traj.values.magnitude, [5.0, 0.3125])
    plain = traj.magnitudes()
    assert type(plain) is Trajectory and plain.x.shape == (2, 2)
    np.testing.assert_allclose(traj.magnitudes(["m", "mm"]).x[:, 0], [1000.0, 250.0])
    assert "best value 0.3125 J" in repr(traj)
    batch = symopt.minimize(
        f, preconditioned(M), [ureg.Quantity(np.array([1.0, 2.0]), "km"), 2 * ureg.mm], steps=1
    )
    assert batch.x[0].shape == (2, 2) and batch[1].x[0].shape == (2,)
    np.testing.assert_allclose(batch[1].x[0].magnitude, [2.0, 1.0])
    assert batch[1].x[0].units == ureg.km


def test_epochs_or_an_empirical_risk_make_a_minibatch_run():
    # ½(θ - z)² over z = 0..7: the full gradient is θ - 3.5; 8 examples in batches of 4
    risk = EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": np.arange(8.0)})
    traj = symopt.minimize(risk, sgd(lr=0.5), [0.0], batch_size=4, seed=1)  # one epoch
    assert traj.extras["batch_size"] == 4 and traj.extras["minibatch_losses"].shape == (2,)
    # two steps of θ ← θ - ½(θ - z̄_B) whose two batches make up all of z: z̄_B1 + z̄_B2 = 7
    z = np.arange(8.0)
    perm = np.random.default_rng(1).permutation(8)
    theta = 0.0
    for rows in (perm[:4], perm[4:]):
        theta -= 0.5 * (theta - z[rows].mean())
    np.testing.assert_allclose(traj.final_x, [theta], rtol=1e-14)
    again = symopt.minimize(risk, sgd(lr=0.5), [0.0], epochs=3, batch_size=4, seed=1, steps=5)
    assert again.steps.tolist() == list(range(6))  # steps caps the 3 epochs of 2 steps
    with pytest.raises(SymoptError, match="EmpiricalRisk"):
        symopt.minimize(ROSENBROCK, sgd(lr=0.1), [0.0, 0.0], epochs=3)
    with pytest.raises(HyperparameterError, match="epochs") as info:
        symopt.minimize(ROSENBROCK, local_gd(0.1), [0.0, 0.0], batch_size=4)
    assert info.value.name == "batch_size"
    with pytest.raises(HyperparameterError, match="mini-batch") as info:
        symopt.minimize(risk, sgd(lr=0.1), [0.0], epochs=1, tol=1e-6)
    assert info.value.name == "tol"


def test_a_plain_run_is_the_plain_runner():
    via_api = symopt.minimize(ROSENBROCK, local_gd(1e-3), [-1.2, 1.0], steps=30, record=7)
    direct = minimize(ROSENBROCK, local_gd(1e-3), [-1.2, 1.0], steps=30, record=7)
    np.testing.assert_array_equal(via_api.x, direct.x)
    assert type(via_api) is Trajectory and symopt.minimize is symopt.api.minimize


def test_plain_and_minibatch_runs_import_neither_units_nor_stochastic():
    code = (
        "import sys, numpy as np\n"
        "from symopt.numeric.minibatch import minimize_minibatch\n"
        "from symopt.numeric.run import minimize, sweep\n"
        "from symopt.optim import gd\n"
        "class Risk:\n"
        "    n_examples, n_params = 4, 1\n"
        "    def value_and_gradient(self, x): return (x * x).sum(-1) / 2, x\n"
        "    def batch_value_and_gradient(self, x, rows): return self.value_and_gradient(x)\n"
        "    def batch_gradient(self, x, rows): return x\n"
        "    value = lambda self, x: self.value_and_gradient(x)[0]\n"
        "    gradient = lambda self, x: x\n"
        "minimize(Risk(), gd(lr=0.1), [1.0], steps=5, tol=1e-3)\n"
        "sweep(Risk(), gd, {'lr': [0.1, 0.2]}, [1.0], steps=5)\n"
        "minimize_minibatch(Risk(), gd(lr=0.1), [1.0], epochs=2, batch_size=2)\n"
        "print(sorted(m for m in sys.modules if m.startswith(('symopt.units', "
        "'symopt.stochastic', 'pint', 'matplotlib'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- sweeps ---------------------------------------------------------------------------


def test_sweep_shapes_and_grid_points_equal_single_runs():
    f = Quadratic([1.0, 10.0])
    lrs, mus = np.geomspace(1e-3, 0.3, 5), np.array([0.0, 0.5, 0.9])
    starts = np.array([[1.0, 1.0], [-2.0, 0.5]])
    s = sweep(f, local_heavy_ball, {"lr": lrs, "mu": mus}, starts, steps=40, tol=1e-6)
    assert s.final_values.shape == (5, 3, 2) and s.final_x.shape == (5, 3, 2, 2)
    assert s.status.shape == s.steps_to_tol.shape == (5, 3, 2)
    assert s.trajectory.x.shape == (2, 5, 3, 2, 2)  # record="last": x0 and the end
    for i, j, b in [(0, 0, 0), (3, 1, 1), (4, 2, 0), (2, 2, 1)]:
        one = minimize(f, local_heavy_ball(lrs[i], mus[j]), starts[b], steps=40, tol=1e-6)
        np.testing.assert_allclose(s.final_x[i, j, b], one.final_x, rtol=1e-13)
        assert s.status[i, j, b] == one.status
        expected = one.stop_step if one.status == "converged" else -1
        assert s.steps_to_tol[i, j, b] == expected


def test_sweep_best_is_the_least_mean_final_value():
    f = Quadratic([1.0, 10.0])
    s = sweep(f, local_gd, {"lr": [0.01, 0.05, 0.15, 0.25]}, [[1.0, 1.0], [2.0, 0.0]], steps=60)
    # GD contracts coordinate i by |1 - lr h_i| per step: lr = 0.15 gives max(0.85, 0.5),
    # lr = 0.25 gives |1 - 2.5| = 1.5 > 1 and diverges in y.
    assert s.best() == {"lr": 0.15}
    assert s.scores()[3] == np.inf
    with pytest.raises(ShapeError):
        sweep(f, local_gd, {"lr": [[0.1]]}, [1.0, 1.0])


def test_sweep_passes_fixed_arguments_to_the_factory():
    s = sweep(Quadratic([1.0]), local_heavy_ball, {"lr": [0.1, 0.2]}, [1.0], steps=3, mu=0.5)
    for k, lr in enumerate([0.1, 0.2]):
        one = minimize(Quadratic([1.0]), local_heavy_ball(lr, 0.5), [1.0], steps=3)
        np.testing.assert_allclose(s.final_x[k], one.final_x)


# -- Trajectory -----------------------------------------------------------------------


def test_trajectory_summary():
    traj = minimize(
        symopt.Objective("x**2"), local_gd([0.25, 1.5, 0.01]), [[1.0]] * 3, steps=60, tol=1e-3
    )
    assert traj.status_counts() == {"converged": 1, "diverged": 1, "max_steps": 1}
    text = repr(traj)
    assert "batch (3,)" in text and "diverged: 1" in text and "n=1" in text
    assert isinstance(traj, Trajectory) and traj.batch_shape == (3,)


# -- pictures -------------------------------------------------------------------------


@pytest.fixture
def runs():
    p = problems.rosenbrock()
    return p, {
        "gd": minimize(p.objective, local_gd(1e-3), [-1.2, 1.0], steps=300),
        "heavy ball": minimize(p.objective, local_heavy_ball(1e-3, 0.9), [-1.2, 1.0], steps=300),
        "too fast": minimize(p.objective, local_gd(0.01), [-1.2, 1.0], steps=300),
    }


def test_path_plot_is_not_squashed_by_a_diverging_run(runs):
    import matplotlib.pyplot as plt

    from symopt.plot import plot_trajectories

    p, r = runs
    assert r["too fast"].status == "diverged"
    fig = plot_trajectories(p, r, title="Rosenbrock")
    ax = fig.axes[0]
    lo, hi = np.array([ax.get_xlim(), ax.get_ylim()]).T
    assert np.all(hi - lo < 10)  # the diverged points are ~1e5 away
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels[:3] == ["gd", "heavy ball", "too fast"] and "leaves the view" in labels
    assert ax.get_title() == "Rosenbrock"
    plt.close(fig)


def test_value_plot_and_trajectory_plot(runs):
    import matplotlib.pyplot as plt

    p, r = runs
    fig = symopt.plot.plot_values(r, what="grad_norm")
    assert fig.axes[0].get_yscale() == "log" and len(fig.axes[0].lines) == 3
    plt.close(fig)
    fig = r["gd"].plot(objective=p)
    assert len(fig.axes) == 1
    plt.close(fig)
    fig = r["gd"].plot()  # no objective: the value curve
    assert fig.axes[0].get_xlabel() == "step $t$"
    plt.close(fig)


def test_sweep_heat_map_marks_diverged_cells():
    import matplotlib.pyplot as plt

    s = sweep(
        Quadratic([1.0, 10.0]),
        local_heavy_ball,
        {"lr": np.geomspace(1e-3, 1, 6), "mu": [0.0, 0.5, 0.9]},
        [1.0, 1.0],
        steps=50,
    )
    fig = s.plot()
    ax = fig.axes[0]
    diverged = next(line for line in ax.lines if line.get_label() == "diverged")
    assert len(diverged.get_xdata()) == int((s.status == "diverged").sum()) > 0
    assert ax.get_yscale() == "log" and ax.get_xlabel() == "mu"
    plt.close(fig)


def test_animation_writes_a_gif_with_the_frames(tmp_path, runs):
    from PIL import Image

    p, r = runs
    out = symopt.plot.animate_trajectories(p, r, tmp_path / "paths.gif", frames=5)
    with Image.open(out) as gif:
        assert gif.n_frames == 5


def test_trajectory_indexing_and_sweep_at():
    f = Quadratic([1.0, 10.0])
    lrs = [0.01, 0.05, 0.1]
    starts = np.array([[1.0, 1.0], [-2.0, 0.5]])
    s = sweep(f, local_gd, {"lr": lrs}, starts, steps=20, record="all")
    run = s.at(lr=0.05)
    assert run.x.shape == (21, 2, 2) and run.status.shape == (2,)
    one = minimize(f, local_gd(0.05), starts[1], steps=20)
    np.testing.assert_allclose(run[1].x, one.x, rtol=1e-13)
    np.testing.assert_allclose(run[1].values, one.values, rtol=1e-13)
    assert run[1].stop_step == one.stop_step
    with pytest.raises(SymoptError, match="not on the grid"):
        s.at(lr=0.07)


def _hand_run(scale: float) -> Trajectory:
    """A 2-D run drawn by hand, with what mini-batch runs add (losses, test risk)."""
    x = scale * np.array([[1.0, 1.0], [0.5, 0.8], [0.3, 0.5], [0.2, 0.3], [0.1, 0.2]])
    return Trajectory(
        x=x,
        values=(x**2).sum(axis=1),
        grad_norms=2 * np.linalg.norm(x, axis=1),
        steps=np.arange(5),
        status=np.array("max_steps"),
        stop_step=np.array(4),
        extras={
            "minibatch_losses": scale * np.array([2.5, 1.0, 0.4, 0.2]),
            "test_values": scale * np.array([2.0, 1.0, 0.5, 0.6, 0.8]),
        },
    )


def _plots():
    from symopt import plot

    f = symopt.Objective("x**2 + y**2")
    return {
        "plot_trajectories": lambda runs: plot.plot_trajectories(f, runs),
        "plot_values": plot.plot_values,
        "plot_noise_ball": lambda runs: plot.plot_noise_ball(runs, [0.0, 0.0]),
        "plot_minibatch_losses": plot.plot_minibatch_losses,
        "plot_generalization": plot.plot_generalization,
        "plot_trajectory_grid": lambda runs: plot.plot_trajectory_grid([("panel", f, runs)]),
    }


def _labels(fig) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes] + list(fig.legends)
    return [t.get_text() for legend in legends if legend is not None for t in legend.texts]


@pytest.mark.parametrize("name", list(_plots()))
def test_every_plot_of_runs_takes_one_run_a_sequence_or_a_dict(name):
    import matplotlib.pyplot as plt

    draw = _plots()[name]
    one, two = _hand_run(1.0), _hand_run(2.0)
    drawn = {}
    for form, runs, labels in [
        ("one", one, []),
        ("sequence", [one, two], ["run 0", "run 1"]),
        ("tuple", (one, two), ["run 0", "run 1"]),
        ("dict", {"slow": one, "fast": two}, ["slow", "fast"]),
    ]:
        fig = draw(runs)
        texts = _labels(fig)
        drawn[form] = sum(len(ax.lines) + len(ax.collections) for ax in fig.axes)
        for label in labels:  # each run named in the legend (the grid's panel aside)
            if name != "plot_trajectory_grid":
                assert any(t == label or t.startswith(f"{label}:") for t in texts), (label, texts)
        assert not any(t.startswith("run 1") for t in texts) or labels
        plt.close(fig)
    assert drawn["sequence"] == drawn["tuple"] == drawn["dict"] > drawn["one"] > 0
    for bad in ([], [one, "two"], 3.0):
        with pytest.raises(SymoptError, match="Trajectory"):
            draw(bad)
    plt.close("all")


def test_animation_takes_one_run_or_a_sequence(tmp_path):
    from PIL import Image

    f = symopt.Objective("x**2 + y**2")
    for runs in (_hand_run(1.0), [_hand_run(1.0), _hand_run(2.0)]):
        out = symopt.plot.animate_trajectories(f, runs, tmp_path / "a.gif", frames=3)
        with Image.open(out) as gif:
            assert gif.n_frames == 3


def test_unit_aware_trajectory_plots_magnitudes_with_units_and_no_warning():
    import matplotlib.pyplot as plt

    from symopt.units import preconditioned, ureg

    f = symopt.Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
    M = [0.25 * ureg("km**2/J"), 0.25 * ureg("mm**2/J")]
    # x <- x - M·2x = x/2 in both coordinates: (1 km, 2 mm), (0.5, 1), (0.25, 0.5)
    traj = symopt.minimize(f, preconditioned(M), [1 * ureg.km, 2 * ureg.mm], steps=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # pint's UnitStrippedWarning included
        path = traj.plot(objective=f)
        values = traj.plot()
    ax = path.axes[0]
    drawn = next(line for line in ax.lines if len(line.get_xdata()) == 3)
    np.testing.assert_allclose(drawn.get_xdata(), [1.0, 0.5, 0.25])
    np.testing.assert_allclose(drawn.get_ydata(), [2.0, 1.0, 0.5])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("x1 [km]", "x2 [mm]")
    assert ax.get_aspect() == "auto"  # km and mm: an equal aspect would mean nothing
    # f = x1² + x2² in J at the magnitudes: 1 + 4, 0.25 + 1, 0.0625 + 0.25
    curve = values.axes[0].lines[0]
    np.testing.assert_allclose(curve.get_ydata(), [5.0, 1.25, 0.3125])
    assert values.axes[0].get_ylabel().endswith("[J]")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # plots take a unit-aware run too, in its magnitudes
        curves = symopt.plot.plot_values([traj, traj.magnitudes(["m", "mm"])])
    for line in curves.axes[0].lines:
        np.testing.assert_allclose(line.get_ydata(), [5.0, 1.25, 0.3125])
    plt.close(path)
    plt.close(values)
    plt.close(curves)


def test_path_plot_marks_the_stationary_point_of_a_quadratic_above_the_ends():
    import matplotlib.pyplot as plt

    from symopt.plot import plot_trajectories
    from symopt.symbolic.quadratic import quadratic

    # ½xᵀHx + bᵀx with H = diag(2, 1), b = (-2, 1): ∇f = Hx + b = 0 at (1, -1), a minimum
    f = quadratic([[2, 0], [0, 1]], b=[-2, 1])
    run = minimize(f, local_gd(0.4), [-1.0, 1.0], steps=200, tol=1e-10)
    saddle = quadratic([[1, 0], [0, -1]])  # indefinite: a saddle at the origin
    s_run = minimize(saddle, local_gd(0.1), [1.0, 0.01], steps=5)
    for objective, traj, kind, where in (
        (f, run, "minimum", (1, -1)),
        (saddle, s_run, "saddle", (0, 0)),
    ):
        fig = plot_trajectories(objective, {"gd": traj})
        ax = fig.axes[0]
        marks = [line for line in ax.lines if line.get_gid() == "critical point"]
        assert len(marks) == 1
        np.testing.assert_allclose(np.ravel(marks[0].get_xydata()), where)
        ends = [line for line in ax.lines if line.get_marker() == "*"]
        assert marks[0].get_zorder() > max(line.get_zorder() for line in ends)
        assert kind in [t.get_text() for t in ax.get_legend().get_texts()]
        plt.close(fig)


def test_view_ignores_one_far_excursion_and_marks_where_it_leaves():
    import matplotlib.pyplot as plt

    from symopt.plot import plot_trajectories

    f = symopt.Objective("x**2 + y**2")
    # a hand-made path: one jump far out at row 1, then back near the start for 200 rows
    x = np.vstack(
        [[1.0, 1.0], [50.0, -40.0], 0.5 * np.ones((200, 2)) * np.linspace(1, 0, 200)[:, None]]
    )
    traj = Trajectory(
        x=x,
        values=(x**2).sum(axis=1),
        grad_norms=2 * np.linalg.norm(x, axis=1),
        steps=np.arange(len(x)),
        status=np.array("max_steps"),
        stop_step=np.array(len(x) - 1),
    )
    fig = plot_trajectories(f, traj)
    ax = fig.axes[0]
    assert ax.get_xlim()[1] < 2 and ax.get_ylim()[0] > -1  # the jump to (50, -40) is out
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "leaves the view" in labels
    plt.close(fig)


def test_value_plot_stops_at_the_round_off_floor():
    import matplotlib.pyplot as plt

    from symopt.plot import plot_values

    # f(x) = x², x <- x/1000 per step: f = 4·1e-6^t drops to 4e-300 after 50 steps
    f = symopt.Objective("x**2")
    traj = minimize(f, local_gd(0.4995), [2.0], steps=50)
    fig = plot_values(traj)
    bottom, top = fig.axes[0].get_ylim()
    assert bottom == pytest.approx(4e-16)  # 1e-16 × f(x0) = 1e-16 × 4
    assert top > 4
    assert any("round-off" in t.get_text() for t in fig.axes[0].get_legend().get_texts())
    plt.close(fig)


# -- hardening (issue 18): no silent non-finite numbers, every argument checked ---------


def all_finite(traj: Trajectory) -> bool:
    return all(np.all(np.isfinite(a)) for a in (traj.x, traj.values, traj.grad_norms))


@pytest.mark.parametrize("record", ["all", "last", 3])
def test_a_start_outside_the_domain_is_a_point_error(record, no_hang):
    # log(-1) is not a real number: this used to end as max_steps with a NaN value
    with no_hang(20), pytest.raises(PointError, match="domain"):
        symopt.minimize(symopt.Objective("log(x)"), sgd(lr=0.1), [-1.0], steps=5, record=record)


@pytest.mark.parametrize(("record", "stop"), [("all", 0), ("last", 0), (3, 2)])
def test_a_run_that_leaves_the_domain_is_diverged_and_stays_finite(record, stop, no_hang):
    # log(x), gradient 1/x, lr = 2: x = 1, -1, 1, -1, ...; log(-1) is NaN but its gradient
    # -1 is finite, so only a value tells.  Values are seen at every step ("all"), at x0
    # and the end ("last": x_5 = -1), or at x0 and x_3 = -1 (record=3), and the run goes
    # back to the last point seen inside: x_0, x_0 and x_2 (the point before x_3).
    with no_hang(20):
        traj = symopt.minimize(
            symopt.Objective("log(x)"), sgd(lr=2.0), [1.0], steps=5, record=record
        )
    assert traj.status == "diverged" and traj.stop_step == stop
    assert traj.final_x.tolist() == [1.0] and traj.final_value == 0.0
    assert traj.grad_norms[-1] == 1.0 and all_finite(traj)


@pytest.mark.parametrize("record", ["all", "last"])
def test_a_nan_value_and_gradient_never_reach_a_diverged_run(record, no_hang):
    # sqrt(x) with lr = 0.5: x <- x - 1/(4 sqrt x) crosses 0 within a few steps, where
    # value and gradient are NaN; the run must end at a point x > 0 it saw, f = sqrt(x).
    with no_hang(20):
        traj = symopt.minimize(
            symopt.Objective("sqrt(x)"), sgd(lr=0.5), [1.0], steps=20, record=record
        )
    assert traj.status == "diverged" and all_finite(traj)
    x = traj.final_x[0]
    assert x > 0
    assert traj.final_value == pytest.approx(np.sqrt(x), rel=1e-15)
    assert traj.grad_norms[-1] == pytest.approx(1 / (2 * np.sqrt(x)), rel=1e-15)


def test_a_run_whose_gradient_stays_finite_at_a_nan_value_is_caught_at_the_end(no_hang):
    # value NaN beyond |x| > 5, gradient finite: with record="last" and fewer steps than
    # the divergence check's period, only the final value shows it
    class NanValue(Quadratic):
        def value(self, x):
            return np.where(np.abs(x[..., 0]) > 5, np.nan, super().value(x))

    with no_hang(20):
        traj = minimize(NanValue([1.0]), local_gd(-1.0), [1.0], steps=4, record="last")
    # x = 1, 2, 4, 8, 16: 8 is outside; the last point whose value was seen is x0
    assert traj.status == "diverged" and traj.stop_step == 0
    assert traj.final_x.tolist() == [1.0] and all_finite(traj)


@pytest.mark.parametrize("record", ["all", "last", 4])
def test_one_run_leaving_the_domain_leaves_the_others_unchanged(record, no_hang):
    # x - log(x), minimum at x = 1; gradient 1 - 1/x.  From 5 with lr = 10 the first
    # step goes to 5 - 8 = -3, outside; the others converge as they would alone.
    f = symopt.Objective("x - log(x)")
    x0 = [[0.5], [5.0], [2.0]]
    lrs = [0.1, 10.0, 0.3]
    with no_hang(20):
        batch = symopt.minimize(f, sgd(lr=np.array(lrs)), x0, steps=100, record=record)
        alone = [
            symopt.minimize(f, sgd(lr=lr), x, steps=100, record=record)
            for x, lr in zip(x0, lrs, strict=True)
        ]
    assert batch.status.tolist() == ["max_steps", "diverged", "max_steps"]
    assert all_finite(batch)
    for i, single in enumerate(alone):
        assert batch.status[i] == single.status and batch.stop_step[i] == single.stop_step
        np.testing.assert_array_equal(batch.final_x[i], single.final_x)
        assert batch.final_value[i] == single.final_value
        if single.status == "max_steps":
            np.testing.assert_array_equal(batch.x[:, i], single.x)
            np.testing.assert_array_equal(batch.grad_norms[:, i], single.grad_norms)
    assert batch.final_x[1].tolist() == [5.0]  # back at its start, the last point inside
    np.testing.assert_allclose(batch.final_x[[0, 2]], 1.0, atol=1e-3)


def test_a_minibatch_run_that_leaves_the_domain_records_no_nan(no_hang):
    # risk theta - z log(theta) (minimum at theta = mean z = 2); from 3 with lr = 20 the
    # first step goes to 3 - 20·(1 - 2/3) < 0
    z = np.full(8, 2.0)
    risk = EmpiricalRisk("theta - z*log(theta)", "theta", {"z": z})
    with no_hang(20):
        traj = symopt.minimize(
            risk,
            sgd(lr=np.array([0.1, 20.0])),
            [[1.5], [3.0]],
            epochs=6,
            batch_size=4,
            seed=0,
            record=2,
        )
    assert traj.status.tolist() == ["max_steps", "diverged"]
    assert all_finite(traj)
    assert np.all(np.isfinite(traj.extras["minibatch_losses"]))
    theta = traj.final_x[1, 0]
    assert theta > 0 and traj.final_value[1] == pytest.approx(theta - 2 * np.log(theta))


def test_a_minibatch_start_outside_the_domain_is_a_point_error(no_hang):
    risk = EmpiricalRisk("theta - z*log(theta)", "theta", {"z": np.full(4, 2.0)})
    with no_hang(20), pytest.raises(PointError, match="x0"):
        symopt.minimize(risk, sgd(lr=0.1), [-1.0], epochs=1, batch_size=2)


QUADRATIC = symopt.Objective("x**2")
RISK = EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": np.zeros(4)})


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"steps": 2**64}, "steps"),
        ({"steps": -(2**64)}, "steps"),
        ({"tol": 10**400}, "tol"),
        ({"tol": -(10**400)}, "tol"),
        ({"tol": True}, "tol"),
    ],
)
def test_huge_run_settings_are_named(kwargs, name, no_hang):
    with no_hang(20), pytest.raises(HyperparameterError) as info:
        symopt.minimize(QUADRATIC, sgd(lr=0.1), [1.0], **kwargs)
    assert info.value.name == name


@pytest.mark.parametrize("name", ["epochs", "steps"])
def test_huge_minibatch_settings_are_named(name, no_hang):
    with no_hang(20), pytest.raises(HyperparameterError) as info:
        symopt.minimize(RISK, sgd(lr=0.1), [1.0], batch_size=2, **{"epochs": 1, name: 2**64})
    assert info.value.name == name


@pytest.mark.parametrize("seed", ["a", -1, 1.5, True])
def test_bad_minibatch_seeds_are_named(seed, no_hang):
    with no_hang(20), pytest.raises(HyperparameterError) as info:
        symopt.minimize(RISK, sgd(lr=0.1), [1.0], batch_size=2, epochs=1, seed=seed)
    assert info.value.name == "seed"


def test_epochs_of_too_many_steps_in_all_are_refused(no_hang):
    with no_hang(20), pytest.raises(HyperparameterError, match="10\\*\\*12 steps in all"):
        symopt.minimize(RISK, sgd(lr=0.1), [1.0], batch_size=1, epochs=10**12)


@pytest.mark.parametrize("objective", [QUADRATIC, RISK], ids=["deterministic", "minibatch"])
@pytest.mark.parametrize(
    ("x0", "message"),
    [
        ([10**400], "too large for a float"),
        ([-(10**400)], "too large for a float"),
        (np.zeros((0, 1)), "empty batch"),
        (np.zeros((3, 0, 1)), "empty batch"),
    ],
    ids=["huge", "-huge", "empty", "empty-inner"],
)
def test_bad_starts_are_shape_errors(objective, x0, message, no_hang):
    epochs = 1 if objective is RISK else None
    with no_hang(20), pytest.raises(ShapeError, match=message):
        symopt.minimize(objective, sgd(lr=0.1), x0, steps=3, epochs=epochs)


@pytest.mark.parametrize("objective", [QUADRATIC, RISK], ids=["deterministic", "minibatch"])
@pytest.mark.parametrize(
    ("optimizer", "message"),
    [(None, r"symopt\.optim"), ("adam", r"symopt\.optim\.adam"), (sgd, "init and update")],
    ids=["None", "text", "builder"],
)
def test_what_is_not_an_optimizer_is_named(objective, optimizer, message, no_hang):
    epochs = 1 if objective is RISK else None
    with no_hang(20), pytest.raises(ArgumentTypeError, match=message) as info:
        symopt.minimize(objective, optimizer, [1.0], steps=3, epochs=epochs)
    assert "optimizer=" in str(info.value)


def test_text_for_an_optimizer_with_units_is_named_too(no_hang):
    from symopt.units import ureg

    with no_hang(20), pytest.raises(ArgumentTypeError, match=r"symopt\.optim\.adam"):
        symopt.minimize(QUADRATIC, "adam", [1.0 * ureg.m])


@pytest.mark.parametrize(
    ("grid", "error", "message"),
    [
        ({"lr": ["fast"]}, HyperparameterError, "not text"),
        ({"lr": "fast"}, HyperparameterError, "not text"),
        ({"lr": [0.1, [0.2]]}, HyperparameterError, "ragged"),
        ({"lr": [0.1, np.nan]}, HyperparameterError, "finite"),
        ({"lr": [np.inf]}, HyperparameterError, "finite"),
        ({"lr": [10**400]}, HyperparameterError, "finite"),
        ({"lr": []}, ShapeError, "non-empty 1-D"),
        ({"lr": [[0.1, 0.2]]}, ShapeError, "non-empty 1-D"),
        ({"lr": 0.1}, ShapeError, "non-empty 1-D"),
        ({3: [0.1]}, ArgumentTypeError, "names"),
        ({}, HyperparameterError, "non-empty"),
    ],
    ids=[
        "text",
        "string",
        "ragged",
        "nan",
        "inf",
        "huge",
        "empty",
        "nested",
        "scalar",
        "key",
        "none",
    ],
)
def test_bad_sweep_grids_are_named(grid, error, message, no_hang):
    with no_hang(20), pytest.raises(error, match=message) as info:
        symopt.sweep(QUADRATIC, sgd, grid, [1.0], steps=3)
    if isinstance(info.value, HyperparameterError) and grid:
        assert info.value.name.startswith("grid")


def test_a_huge_sweep_grid_is_refused_before_allocating(no_hang):
    # 10^5 × 10^5 grid points: ~1e10 runs, terabytes; refused before the mesh is built
    grid = {"lr": np.linspace(0.0, 1.0, 10**5), "mu": np.linspace(0.0, 0.9, 10**5)}
    with no_hang(20), pytest.raises(ShapeError, match="GiB of memory") as info:
        symopt.sweep(QUADRATIC, symopt.optim.momentum, grid, [1.0], steps=3)
    assert "grid 100000 × 100000" in str(info.value)


@pytest.mark.parametrize("objective", [QUADRATIC, RISK], ids=["deterministic", "minibatch"])
def test_a_billion_starts_are_refused_before_allocating(objective, no_hang):
    x0 = np.broadcast_to(1.0, (10**9, 1))  # a view: nothing allocated yet
    epochs = 1 if objective is RISK else None
    with no_hang(20), pytest.raises(ShapeError, match="GiB of memory") as info:
        symopt.minimize(objective, sgd(lr=0.1), x0, steps=3, epochs=epochs, record="last")
    assert "1000000000 runs" in str(info.value) and "x0" in str(info.value)


def test_many_recorded_rows_count_against_memory(no_hang):
    # 10^5 runs × 10^7 recorded rows: terabytes; record="last" keeps two rows and runs
    x0 = np.broadcast_to(1.0, (10**5, 1))
    with no_hang(20), pytest.raises(ShapeError, match='record="last"'):
        symopt.minimize(QUADRATIC, sgd(lr=0.1), x0, steps=10**7)
    with no_hang(20):
        traj = symopt.minimize(QUADRATIC, sgd(lr=0.1), x0, steps=3, record="last")
    assert traj.x.shape == (2, 10**5, 1)


def test_grid_names_the_factory_does_not_take_are_named(no_hang):
    with no_hang(20), pytest.raises(ArgumentTypeError, match="'b1'") as info:
        symopt.sweep(QUADRATIC, symopt.optim.adam, {"b1": [0.9]}, [1.0], steps=3)
    assert "'betas'" in str(info.value)  # the names it does take
    with no_hang(20), pytest.raises(ArgumentTypeError, match=r"not adam\(\.\.\.\)"):
        symopt.sweep(QUADRATIC, symopt.optim.adam(lr=0.1), {"lr": [0.1]}, [1.0], steps=3)
