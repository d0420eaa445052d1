"""symopt.optim: the lecture's update rules by hand, broadcasting, schedules, validation, noise.

References are independent of the code under test: numbers worked out by hand from the
lecture's equations (stated in comments), NumPy's linear algebra, or the same optimizer run
one configuration at a time.  PyTorch conformance lives in test_optim_torch.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from symopt import HyperparameterError, ShapeError, optim
from symopt.optim import base, schedules
from symopt.optim.transforms import EmptyState


def run(opt, grad, x0, steps, **extra):
    """A minimal local loop: x ← x + update."""
    x = np.asarray(x0, dtype=float)
    state = opt.init(x)
    for _ in range(steps):
        u, state = opt.update(grad(x), state, x, **{k: f(x) for k, f in extra.items()})
        x = x + u
    return x


H2 = np.diag([2.0, 1.0])  # the lecture's momentum example


def quad_grad(x):
    return x @ H2


# --- the lecture's forms, by hand ---------------------------------------------------------


def test_gd_step():
    # x1 = x0 - η g = (1, 1) - 0.1 (2, 1)
    np.testing.assert_allclose(run(optim.gd(0.1), quad_grad, [1.0, 1.0], 1), [0.8, 0.9])


def test_heavy_ball_two_steps_by_hand():
    # f = ½ xᵀ diag(2, 1) x, η = 0.1, μ = 0.5, x0 = (1, 1):
    # g0 = (2, 1), v1 = -0.1 g0 = (-0.2, -0.1), x1 = (0.8, 0.9)
    # g1 = (1.6, 0.9), v2 = 0.5 v1 - 0.1 g1 = (-0.26, -0.14), x2 = (0.54, 0.76)
    opt = optim.momentum(lr=0.1, mu=0.5)
    np.testing.assert_allclose(run(opt, quad_grad, [1.0, 1.0], 1), [0.8, 0.9], rtol=1e-15)
    np.testing.assert_allclose(run(opt, quad_grad, [1.0, 1.0], 2), [0.54, 0.76], rtol=1e-15)


def test_nesterov_two_steps_by_hand():
    # y-form with gradients at the iterate: v ← μv - ηg(y), y ← y + μv - ηg(y)
    # g0 = (2, 1): v1 = (-0.2, -0.1), y1 = (1, 1) + 0.5 v1 - (0.2, 0.1) = (0.7, 0.85)
    # g1 = (1.4, 0.85): v2 = 0.5 v1 - 0.1 g1 = (-0.24, -0.135),
    # y2 = y1 + 0.5 v2 - 0.1 g1 = (0.44, 0.6975)
    opt = optim.nesterov(lr=0.1, mu=0.5)
    np.testing.assert_allclose(run(opt, quad_grad, [1.0, 1.0], 2), [0.44, 0.6975], rtol=1e-14)


def test_nesterov_tracks_the_lookahead_point_of_sutskevers_form():
    # Sutskever et al.: v ← μv - η∇f(x + μv), x ← x + v.  Our iterate is y = x + μv.
    rng = np.random.default_rng(1)
    Q = np.linalg.qr(rng.standard_normal((3, 3)))[0]
    H = Q @ np.diag([0.3, 1.0, 3.0]) @ Q.T
    lr, mu = 0.1, 0.8
    x, v = np.ones(3), np.zeros(3)
    for _ in range(20):
        v = mu * v - lr * (H @ (x + mu * v))
        x = x + v
    y = run(optim.nesterov(lr, mu), lambda y: y @ H, np.ones(3), 20)
    np.testing.assert_allclose(y, x + mu * v, rtol=1e-12)


def test_adam_without_bias_correction_two_steps_by_hand():
    # lecture: m_t = β1 m + (1-β1) g, v_t = β2 v + (1-β2) g², x ← x - η m/(√v + ε)
    b1, b2, eps, lr = 0.9, 0.99, 1e-8, 0.1
    g = [np.array([1.0, -2.0]), np.array([0.5, 3.0])]
    m1, v1 = 0.1 * g[0], 0.01 * g[0] ** 2  # (0.1, -0.2), (0.01, 0.04)
    m2, v2 = 0.9 * m1 + 0.1 * g[1], 0.99 * v1 + 0.01 * g[1] ** 2  # (0.14, 0.12), ...
    step1 = -lr * m1 / (np.sqrt(v1) + eps)  # ≈ (-0.1, 0.1)
    step2 = -lr * m2 / (np.sqrt(v2) + eps)
    np.testing.assert_allclose(step1, [-0.1, 0.1], rtol=1e-6)
    opt = optim.adam(lr=lr, betas=(b1, b2), eps=eps, bias_correction=False)
    x = np.zeros(2)
    state = opt.init(x)
    u1, state = opt.update(g[0], state, x)
    u2, state = opt.update(g[1], state, x)
    np.testing.assert_allclose(u1, step1, rtol=1e-14)
    np.testing.assert_allclose(u2, step2, rtol=1e-14)


def test_adam_first_step_is_lr_times_sign():
    # m̂1 = g, v̂1 = g²: the first step is -η g / (|g| + ε)
    g = np.array([1e-3, -5.0, 20.0])
    opt = optim.adam(lr=0.05)
    u, _ = opt.update(g, opt.init(np.zeros(3)), np.zeros(3))
    np.testing.assert_allclose(u, -0.05 * g / (np.abs(g) + 1e-8), rtol=1e-14)


def _random_quadratic(n=3, seed=0):
    rng = np.random.default_rng(seed)
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    H = Q @ np.diag(rng.uniform(0.5, 5.0, n)) @ Q.T
    return H, rng.standard_normal(n)


def test_newton_converges_in_one_step_on_a_quadratic():
    # f = ½ xᵀHx + bᵀx: one Newton step from anywhere lands on -H⁻¹b
    H, b = _random_quadratic()
    x0 = np.random.default_rng(1).standard_normal((5, 3))
    x1 = run(optim.newton(), lambda x: x @ H + b, x0, 1, hessian=lambda x: H)
    np.testing.assert_allclose(x1, np.broadcast_to(-np.linalg.solve(H, b), (5, 3)), atol=1e-12)
    assert optim.newton().needs == ("hessian",)


def test_preconditioned_with_inverse_hessian_is_newton():
    H, b = _random_quadratic(seed=2)
    x0 = np.random.default_rng(3).standard_normal((4, 3))
    x1 = run(optim.preconditioned(np.linalg.inv(H)), lambda x: x @ H + b, x0, 1)
    np.testing.assert_allclose(x1, np.broadcast_to(-np.linalg.solve(H, b), (4, 3)), atol=1e-12)


def test_preconditioned_diagonal_batched_and_callable():
    g = np.array([[1.0, 2.0], [3.0, 4.0]])
    x = np.zeros((2, 2))
    step = {
        "diagonal": optim.preconditioned([2.0, 0.5], lr=0.1),
        "matrix batch": optim.preconditioned(np.stack([np.diag([2.0, 0.5])] * 2), lr=0.1),
        "callable": optim.preconditioned(lambda x: np.full(x.shape, [2.0, 0.5]), lr=0.1),
    }
    for name, opt in step.items():
        u, _ = opt.update(g, opt.init(x), x)
        np.testing.assert_allclose(u, -0.1 * g * [2.0, 0.5], rtol=1e-15, err_msg=name)


def test_square_matrix_with_as_many_runs_as_coordinates_is_a_matrix():
    # x of shape (2, 2): a constant M of shape (2, 2) is one matrix for both runs
    M = np.array([[1.0, 0.5], [0.5, 2.0]])
    g = np.array([[1.0, 0.0], [0.0, 1.0]])
    opt = optim.preconditioned(M)
    u, _ = opt.update(g, opt.init(np.zeros((2, 2))), np.zeros((2, 2)))
    np.testing.assert_allclose(u, -(g @ M.T))


def test_newton_damping_is_levenberg_marquardt():
    H = np.array([[2.0, 1.0], [1.0, 3.0]])
    g, lam = np.array([1.0, -1.0]), 0.5
    opt = optim.newton(lr=0.5, damping=lam)
    u, _ = opt.update(g, opt.init(np.zeros(2)), np.zeros(2), hessian=H)
    np.testing.assert_allclose(u, -0.5 * np.linalg.solve(H + lam * np.eye(2), g), rtol=1e-14)


def test_newton_singular_hessian_names_damping():
    H = np.array([[1.0, 0.0], [0.0, 0.0]])  # f = x²/2: singular along y
    opt = optim.newton()
    with pytest.raises(HyperparameterError, match=r"damping=0\.0 is invalid.*try damping=") as e:
        opt.update(np.array([1.0, 0.0]), opt.init(np.zeros(2)), np.zeros(2), hessian=H)
    assert e.value.name == "damping"
    opt = optim.newton(damping=1e-3)  # the suggested fix works
    u, _ = opt.update(np.array([1.0, 0.0]), opt.init(np.zeros(2)), np.zeros(2), hessian=H)
    np.testing.assert_allclose(u, [-1 / 1.001, 0.0])


def test_newton_singular_in_one_run_of_a_batch():
    H = np.stack([np.eye(2), np.diag([-1.0, 2.0])])  # run 1: H + 1·I is singular
    opt = optim.newton(damping=1.0)
    with pytest.raises(HyperparameterError, match=r"run \(1,\).*damping > 1") as e:
        opt.update(np.ones((2, 2)), opt.init(np.zeros((2, 2))), np.zeros((2, 2)), hessian=H)
    assert e.value.value == 1.0


def test_momentum_equals_torch_style_sgd_in_exact_arithmetic():
    # v = -η b: the lecture's heavy ball and sgd(momentum) agree up to round-off
    H, b = _random_quadratic(seed=4)
    x0 = np.ones(3)
    a = run(optim.momentum(0.05, 0.9), lambda x: x @ H + b, x0, 50)
    c = run(optim.sgd(0.05, momentum=0.9), lambda x: x @ H + b, x0, 50)
    np.testing.assert_allclose(a, c, rtol=1e-12)


def test_trace_dampening_starts_undamped():
    # PyTorch: b1 = g1 (no dampening), b2 = μ b1 + (1 - d) g2
    t = optim.trace(0.5, dampening=0.25)
    s = t.init(np.zeros(1))
    b1, s = t.update(np.array([4.0]), s)
    b2, s = t.update(np.array([2.0]), s)
    assert (b1[0], b2[0]) == (4.0, 0.5 * 4.0 + 0.75 * 2.0)


# --- every optimizer reaches the minimum ---------------------------------------------------

REACHES_MINIMUM = {
    "gd": optim.gd(0.2),
    "momentum": optim.momentum(0.05, 0.9),
    "nesterov": optim.nesterov(0.05, 0.9),
    "preconditioned": optim.preconditioned([0.5, 1.0], lr=0.5),
    "sgd": optim.sgd(0.05, momentum=0.9, nesterov=True),
    "adagrad": optim.adagrad(0.5),
    "adadelta": optim.adadelta(lr=1.0, eps=1e-3),
    "rmsprop": optim.rmsprop(1e-2),
    "rmsprop-centered": optim.rmsprop(1e-2, momentum=0.5, centered=True),
    "adam": optim.adam(5e-2),
    "amsgrad": optim.amsgrad(5e-2),
    "adamw": optim.adamw(5e-2, weight_decay=0.0),
    "adamax": optim.adamax(5e-2),
    "nadam": optim.nadam(5e-2),
    "radam": optim.radam(5e-2),
}


@pytest.mark.parametrize("name", REACHES_MINIMUM)
def test_reaches_the_minimum_of_a_quadratic(name):
    # f = ½ xᵀ diag(2, 1) x + bᵀx has its minimum at -H⁻¹b = (-0.5, 1)
    b = np.array([1.0, -1.0])
    x = run(REACHES_MINIMUM[name], lambda x: x @ H2 + b, np.full((3, 2), [2.0, -3.0]), 2000)
    np.testing.assert_allclose(x, np.broadcast_to([-0.5, 1.0], (3, 2)), atol=1e-3)


def test_newton_reaches_the_rosenbrock_minimum():
    def grad(p):
        x, y = p[..., 0], p[..., 1]
        return np.stack([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)], -1)

    def hess(p):
        x, y = p[..., 0], p[..., 1]
        h = np.empty((*p.shape, 2))
        h[..., 0, 0] = 2 - 400 * (y - 3 * x * x)
        h[..., 0, 1] = h[..., 1, 0] = -400 * x
        h[..., 1, 1] = 200
        return h

    x = run(optim.newton(), grad, [[-1.2, 1.0], [0.5, 0.5]], 20, hessian=hess)
    np.testing.assert_allclose(x, np.ones((2, 2)), atol=1e-10)


# --- broadcasting of hyper-parameters --------------------------------------------------------

PER_RUN = {
    "gd": lambda lr: optim.gd(lr),
    "momentum": lambda lr: optim.momentum(lr, mu=np.asarray(lr) * 5),
    "nesterov": lambda lr: optim.nesterov(lr, mu=0.7),
    "sgd": lambda lr: optim.sgd(lr, momentum=0.9, dampening=0.1, weight_decay=lr),
    "rmsprop": lambda lr: optim.rmsprop(lr, alpha=np.asarray(lr) * 0.5 + 0.9, centered=True),
    "adam": lambda lr: optim.adam(lr, betas=(np.asarray(lr) * 5, 0.99), amsgrad=True),
    "adagrad": lambda lr: optim.adagrad(lr, lr_decay=lr, initial_accumulator_value=lr),
    "adadelta": lambda lr: optim.adadelta(lr * 10, rho=np.asarray(lr) + 0.85),
    "adamax": lambda lr: optim.adamax(lr, betas=(0.8, np.asarray(lr) * 0.5 + 0.9)),
    "nadam": lambda lr: optim.nadam(lr, momentum_decay=lr, decoupled_weight_decay=True),
    # β₂ = 0.18 never rectifies, 0.9 does (ρ∞ = 19)
    "radam": lambda lr: optim.radam(lr, betas=(0.9, np.asarray(lr) * 8 + 0.1)),
    "newton": lambda lr: optim.newton(lr * 10, damping=lr),
}


@pytest.mark.parametrize("name", PER_RUN)
def test_per_run_hyperparameters_equal_separate_runs(name):
    H, b = _random_quadratic(seed=5)
    lrs = np.array([0.01, 0.03, 0.1])
    x0 = np.random.default_rng(6).standard_normal((3, 3))

    def grad(x):
        return x @ H + b

    hess = {"hessian": lambda x: np.broadcast_to(H, (*x.shape, 3))}
    extra = hess if name == "newton" else {}
    together = run(PER_RUN[name](lrs), grad, x0, 30, **extra)
    assert np.isfinite(together).all()
    for i, lr in enumerate(lrs):
        alone = run(PER_RUN[name](float(lr)), grad, x0[i], 30, **extra)
        np.testing.assert_allclose(together[i], alone, rtol=1e-13, atol=1e-15)


def test_per_row_hyperparameter_of_shape_a_1():
    # x0 of shape (A, B, n) = (2, 3, 2): a per-row lr has shape (2, 1)
    x0 = np.ones((2, 3, 2))
    x = run(optim.gd(np.array([[0.1], [0.2]])), quad_grad, x0, 1)
    np.testing.assert_allclose(x[0], np.broadcast_to([0.8, 0.9], (3, 2)))
    np.testing.assert_allclose(x[1], np.broadcast_to([0.6, 0.8], (3, 2)))


def test_hyperparameter_that_does_not_fit_the_batch():
    with pytest.raises(
        HyperparameterError, match=r"lr=<array of shape \(3,\)>.*batch shape \(4,\)"
    ):
        optim.gd(np.ones(3) * 0.1).init(np.zeros((4, 2)))
    with pytest.raises(HyperparameterError, match=r"betas\[0\]=<array of shape \(3,\)>"):
        optim.adam(betas=(np.full(3, 0.9), 0.99)).init(np.zeros(2))  # would enlarge the batch
    with pytest.raises(HyperparameterError, match=r"mu=<array of shape \(2, 1\)>"):
        optim.momentum(0.1, mu=np.full((2, 1), 0.5)).init(np.zeros((3, 2)))


def test_params_must_have_a_coordinate_axis():
    with pytest.raises(ShapeError, match=r"shape \(n,\) or \(\.\.\., n\)"):
        optim.adam().init(3.0)


# --- schedules as learning rates ---------------------------------------------------------------


def test_schedule_as_learning_rate_starts_at_t0():
    lr = schedules.exponential(0.1, 0.5)
    opt = optim.gd(lr)
    x = np.array([1.0])
    state = opt.init(x)
    steps = []
    for _ in range(3):
        u, state = opt.update(np.array([1.0]), state, x)
        steps.append(float(u[0]))
    assert steps == [-0.1, -0.05, -0.025]


def test_per_run_schedule_and_adagrad_lr_decay():
    # adagrad's η_t = η / (1 + t·lr_decay) equals gd-free check: first steps ±η_t·g/|g|
    opt = optim.adagrad(lr=schedules.constant([0.1, 0.2]), lr_decay=1.0, eps=0.0)
    x = np.zeros((2, 1))
    state = opt.init(x)
    u0, state = opt.update(np.ones((2, 1)), state, x)  # s = 1: step -η
    u1, state = opt.update(np.ones((2, 1)), state, x)  # s = 2: step -η/2 / √2
    np.testing.assert_allclose(u0[:, 0], [-0.1, -0.2])
    np.testing.assert_allclose(u1[:, 0], np.array([-0.1, -0.2]) / 2 / np.sqrt(2))


def test_warmup_cosine_learning_rate():
    lr = schedules.warmup(schedules.cosine(1.0, steps=4), warmup_steps=2)
    opt = optim.gd(lr)
    x = np.zeros(1)
    state = opt.init(x)
    got = []
    for _ in range(7):
        u, state = opt.update(np.ones(1), state, x)
        got.append(-float(u[0]))
    # ramp 0, 0.5, then cos from 1: 1, (1+cos(π/4))/2, 0.5, (1-cos(π/4))/2, 0
    c = np.cos(np.pi / 4)
    np.testing.assert_allclose(got, [0, 0.5, 1, (1 + c) / 2, 0.5, (1 - c) / 2, 0], atol=1e-15)


# --- validation ------------------------------------------------------------------------------

INVALID = [
    (lambda: optim.gd(-0.1), "lr=-0.1 is invalid: expected a finite number >= 0."),
    (lambda: optim.gd(float("nan")), "lr=nan is invalid: expected a finite number >= 0."),
    (lambda: optim.gd("0.1"), "lr='0.1' is invalid"),
    (
        lambda: optim.gd([0.1, -0.2]),
        "lr=-0.2 is invalid: expected a finite number >= 0 in every entry (entry (1,) is not).",
    ),
    (lambda: optim.adam(betas=(1.0, 0.9)), "betas[0]=1.0 is invalid: expected a number in [0, 1)."),
    (lambda: optim.adam(betas=(0.9, -0.1)), "betas[1]=-0.1 is invalid"),
    (lambda: optim.adam(betas=0.9), "betas=0.9 is invalid: expected a pair (beta1, beta2)."),
    (lambda: optim.adam(eps=-1e-8), "eps=-1e-08 is invalid: expected a finite number >= 0."),
    (lambda: optim.adamw(weight_decay=-1), "weight_decay=-1 is invalid"),
    (lambda: optim.momentum(0.1, mu=1.0), "mu=1.0 is invalid: expected a number in [0, 1)."),
    (lambda: optim.nesterov(0.1, mu=-0.5), "mu=-0.5 is invalid: expected a number in [0, 1)."),
    (lambda: optim.sgd(momentum=-0.9), "momentum=-0.9 is invalid"),
    (
        lambda: optim.sgd(momentum=0.9, dampening=0.1, nesterov=True),
        "dampening=0.1 is invalid: expected 0 when nesterov=True (PyTorch's rule).",
    ),
    (
        lambda: optim.sgd(momentum=0.0, nesterov=True),
        "momentum=0.0 is invalid: expected > 0 when nesterov=True (PyTorch's rule).",
    ),
    (lambda: optim.sgd(dampening=1.5), "dampening=1.5 is invalid: expected a number in [0, 1]."),
    (lambda: optim.rmsprop(alpha=1.2), "alpha=1.2 is invalid: expected a number in [0, 1]."),
    (lambda: optim.adadelta(rho=-0.1), "rho=-0.1 is invalid"),
    (lambda: optim.adagrad(lr_decay=-1.0), "lr_decay=-1.0 is invalid"),
    (lambda: optim.adagrad(initial_accumulator_value=-1), "initial_accumulator_value=-1 is"),
    (lambda: optim.nadam(momentum_decay=-1.0), "momentum_decay=-1.0 is invalid"),
    (lambda: optim.newton(damping=-1.0), "damping=-1.0 is invalid"),
    (lambda: optim.preconditioned(np.ones((2, 3))), "M=<array of shape (2, 3)> is invalid"),
    (lambda: optim.preconditioned(2.0), "M=<array of shape ()> is invalid"),
    (
        lambda: optim.preconditioned([1.0, np.inf]),
        "M=array([ 1., inf]) is invalid: expected finite entries.",
    ),
    (
        lambda: optim.preconditioned(np.eye(3)).init(np.zeros(2)),
        "M=<array of shape (3, 3)> is invalid: expected a diagonal of shape (2,)",
    ),
    (lambda: optim.gd(lambda t: -1.0).init(np.zeros(2)), "lr(0)=-1.0 is invalid"),
    (lambda: optim.add_noise(-1.0), "sigma2=-1.0 is invalid"),
    (lambda: optim.add_noise(1.0, seed=-3), "seed=-3 is invalid"),
    (lambda: optim.chain(optim.gd(0.1), "adam"), "transforms[1]='adam' is invalid"),
]


@pytest.mark.parametrize(("build", "message"), INVALID, ids=[m for _, m in INVALID])
def test_invalid_hyperparameters(build, message):
    with pytest.raises(HyperparameterError) as e:
        build()
    assert str(e.value).startswith(message), str(e.value)


# --- each hyper-parameter checked once, under the name the user gave it -----------------------

NONNEG = "is invalid: expected a finite number >= 0."
UNIT_OPEN = "is invalid: expected a number in [0, 1)."
UNIT_CLOSED = "is invalid: expected a number in [0, 1]."
BAD_VALUES = [
    # (optimizer, arguments, the name in the error, its message)
    (optim.gd, {"lr": -1.0}, "lr", f"lr=-1.0 {NONNEG}"),
    (optim.momentum, {"lr": 0.1, "mu": -0.1}, "mu", f"mu=-0.1 {UNIT_OPEN}"),
    (optim.nesterov, {"lr": 0.1, "mu": 1.0}, "mu", f"mu=1.0 {UNIT_OPEN}"),
    (optim.preconditioned, {"M": [1.0], "lr": -1.0}, "lr", f"lr=-1.0 {NONNEG}"),
    (optim.newton, {"damping": -1.0}, "damping", f"damping=-1.0 {NONNEG}"),
    (optim.newton, {"lr": -2.0}, "lr", f"lr=-2.0 {NONNEG}"),
    (optim.sgd, {"momentum": -0.9}, "momentum", f"momentum=-0.9 {NONNEG}"),
    (optim.sgd, {"dampening": 2.0}, "dampening", f"dampening=2.0 {UNIT_CLOSED}"),
    (optim.sgd, {"weight_decay": -0.1}, "weight_decay", f"weight_decay=-0.1 {NONNEG}"),
    (optim.adagrad, {"lr_decay": -0.1}, "lr_decay", f"lr_decay=-0.1 {NONNEG}"),
    (optim.adagrad, {"eps": -1.0}, "eps", f"eps=-1.0 {NONNEG}"),
    (
        optim.adagrad,
        {"initial_accumulator_value": -1.0},
        "initial_accumulator_value",
        f"initial_accumulator_value=-1.0 {NONNEG}",
    ),
    (optim.adadelta, {"rho": 1.5}, "rho", f"rho=1.5 {UNIT_CLOSED}"),
    (optim.adadelta, {"weight_decay": -1.0}, "weight_decay", f"weight_decay=-1.0 {NONNEG}"),
    (optim.rmsprop, {"alpha": -0.5}, "alpha", f"alpha=-0.5 {UNIT_CLOSED}"),
    (optim.rmsprop, {"momentum": -0.5}, "momentum", f"momentum=-0.5 {NONNEG}"),
    (optim.rmsprop, {"eps": float("inf")}, "eps", f"eps=inf {NONNEG}"),
    (optim.adam, {"betas": (0.9, 1.5)}, "betas[1]", f"betas[1]=1.5 {UNIT_OPEN}"),
    (optim.adam, {"betas": (-0.1, 0.9)}, "betas[0]", f"betas[0]=-0.1 {UNIT_OPEN}"),
    (
        optim.adam,
        {"betas": (0.9,)},
        "betas",
        "betas=(0.9,) is invalid: expected a pair (beta1, beta2).",
    ),
    (optim.adamw, {"betas": (0.9, 1.0)}, "betas[1]", f"betas[1]=1.0 {UNIT_OPEN}"),
    (optim.amsgrad, {"betas": (1.0, 0.9)}, "betas[0]", f"betas[0]=1.0 {UNIT_OPEN}"),
    (optim.adamax, {"betas": (0.9, 2.0)}, "betas[1]", f"betas[1]=2.0 {UNIT_OPEN}"),
    (optim.nadam, {"betas": (0.9, -1.0)}, "betas[1]", f"betas[1]=-1.0 {UNIT_OPEN}"),
    (optim.nadam, {"momentum_decay": -1.0}, "momentum_decay", f"momentum_decay=-1.0 {NONNEG}"),
    (optim.radam, {"betas": (1.5, 0.9)}, "betas[0]", f"betas[0]=1.5 {UNIT_OPEN}"),
    (optim.radam, {"eps": -1e-8}, "eps", f"eps=-1e-08 {NONNEG}"),
    (optim.adamw, {"weight_decay": -0.1}, "weight_decay", f"weight_decay=-0.1 {NONNEG}"),
]


@pytest.mark.parametrize(
    ("build", "args", "name", "message"), BAD_VALUES, ids=[m for *_, m in BAD_VALUES]
)
def test_a_bad_value_is_named_as_the_user_gave_it(build, args, name, message):
    with pytest.raises(HyperparameterError) as e:
        build(**args)
    assert (e.value.name, str(e.value)) == (name, message)


BAD_SHAPES = [
    # (optimizer, arguments with one per-run array of shape (3,), the name in the error)
    (optim.momentum, {"lr": 0.1, "mu": np.full(3, 0.5)}, "mu"),
    (optim.newton, {"damping": np.ones(3)}, "damping"),
    (optim.sgd, {"momentum": np.full(3, 0.5)}, "momentum"),
    (optim.sgd, {"momentum": 0.5, "dampening": np.full(3, 0.5)}, "dampening"),
    (optim.sgd, {"weight_decay": np.full(3, 0.1)}, "weight_decay"),
    (optim.adagrad, {"lr_decay": np.full(3, 0.1)}, "lr_decay"),
    (optim.adagrad, {"lr": np.full(3, 0.1), "lr_decay": 0.1}, "lr"),
    (optim.adagrad, {"initial_accumulator_value": np.ones(3)}, "initial_accumulator_value"),
    (optim.adadelta, {"rho": np.full(3, 0.5)}, "rho"),
    (optim.rmsprop, {"alpha": np.full(3, 0.5)}, "alpha"),
    (optim.rmsprop, {"momentum": np.full(3, 0.5)}, "momentum"),
    (optim.adam, {"betas": (np.full(3, 0.5), 0.9)}, "betas[0]"),
    (optim.adam, {"betas": (0.5, np.full(3, 0.9))}, "betas[1]"),
    (optim.adam, {"eps": np.full(3, 1e-8)}, "eps"),
    (optim.adamw, {"weight_decay": np.full(3, 0.1)}, "weight_decay"),
    (optim.nadam, {"momentum_decay": np.full(3, 0.1)}, "momentum_decay"),
    (optim.radam, {"lr": np.full(3, 0.1)}, "lr"),
    (optim.gd, {"lr": schedules.exponential(np.full(3, 0.1), 0.5)}, "v0"),
    (optim.gd, {"lr": lambda t: np.full(3, 0.1)}, "lr(0)"),
]


@pytest.mark.parametrize(("build", "args", "name"), BAD_SHAPES, ids=[n for *_, n in BAD_SHAPES])
def test_a_per_run_array_that_misses_the_batch_is_named_as_the_user_gave_it(build, args, name):
    opt = build(**args)
    with pytest.raises(HyperparameterError) as e:
        opt.init(np.zeros((4, 2)))
    assert e.value.name == name
    assert str(e.value).startswith(
        f"{name}=<array of shape (3,)> is invalid: expected an array that broadcasts against "
        "the batch shape (4,) of the parameters"
    )


ADAMS = ["lr", "betas[0]", "betas[1]", "eps", "weight_decay"]
CHECKED_ONCE = {
    # the optimizer built, and every hyper-parameter it has: each must be checked once
    "gd": (lambda: optim.gd(0.1), ["lr"]),
    "momentum": (lambda: optim.momentum(0.1, 0.5), ["lr", "mu"]),
    "nesterov": (lambda: optim.nesterov(0.1, 0.5), ["lr", "mu"]),
    "preconditioned": (lambda: optim.preconditioned([1.0, 2.0]), ["lr"]),
    "newton": (optim.newton, ["lr", "damping"]),
    "sgd": (
        lambda: optim.sgd(momentum=0.9, weight_decay=0.1),
        ["lr", "momentum", "dampening", "weight_decay"],
    ),
    "adagrad": (
        optim.adagrad,
        ["lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps"],
    ),
    "adadelta": (optim.adadelta, ["lr", "rho", "eps", "weight_decay"]),
    "rmsprop": (
        lambda: optim.rmsprop(momentum=0.5),
        ["lr", "alpha", "eps", "weight_decay", "momentum"],
    ),
    "adam": (lambda: optim.adam(weight_decay=0.1), ADAMS),
    "amsgrad": (optim.amsgrad, ADAMS),
    "adamw": (optim.adamw, ADAMS),
    "adamax": (optim.adamax, ADAMS),
    "nadam": (lambda: optim.nadam(decoupled_weight_decay=True), [*ADAMS, "momentum_decay"]),
    "radam": (optim.radam, ADAMS),
}


@pytest.mark.parametrize("name", CHECKED_ONCE)
def test_each_hyperparameter_is_checked_once_under_its_own_name(name, monkeypatch):
    # every range check makes one Hyper(name, value) in symopt.optim.base.hyper: record them
    made = []

    class Recorded(base.Hyper):
        def __new__(cls, name, value):
            made.append(name)
            return super().__new__(cls, name, value)

    monkeypatch.setattr(base, "Hyper", Recorded)
    build, names = CHECKED_ONCE[name]
    build().init(np.zeros((3, 2)))  # init checks batch shapes, not a constant's range again
    assert sorted(made) == sorted(names)


TORCH_STYLE = {
    "sgd": {"momentum": 0.9, "weight_decay": 0.1, "maximize": True},
    "adagrad": {"weight_decay": 0.1, "maximize": True},
    "adadelta": {"weight_decay": 0.1, "maximize": True},
    "rmsprop": {"momentum": 0.5, "weight_decay": 0.1, "maximize": True},
    "adam": {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
    "amsgrad": {"weight_decay": 0.1, "maximize": True},
    "adamw": {"weight_decay": 0.0, "maximize": True},
    "adamax": {"weight_decay": 0.1, "maximize": True},
    "nadam": {"weight_decay": 0.1, "maximize": True},
    "radam": {"weight_decay": 0.1, "decoupled_weight_decay": True, "maximize": True},
}


@pytest.mark.parametrize("name", TORCH_STYLE)
def test_the_chain_has_one_shape_whatever_the_options(name):
    # an option that is off is an identity() in the chain (a stateless EmptyState), so the
    # states of the defaults and of every option turned on line up, transform by transform
    x = np.zeros(2)
    plain = getattr(optim, name)().init(x)
    full = getattr(optim, name)(**TORCH_STYLE[name]).init(x)
    assert isinstance(plain, tuple) and len(plain) == len(full) >= 4
    for off, on in zip(plain, full, strict=True):
        assert type(off) is type(on) or isinstance(off, EmptyState), (off, on)


# --- noise -------------------------------------------------------------------------------------


def test_add_noise_has_variance_sigma2():
    # 200 000 samples: the sample variance has relative std √(2/N) ≈ 0.3%; allow 5σ
    opt = optim.add_noise(np.array([0.5, 2.0]), seed=7)
    g = np.ones((2, 100_000))
    u, _ = opt.update(g, opt.init(g), g)
    noise = u - g
    np.testing.assert_allclose(noise.var(axis=1), [0.5, 2.0], rtol=5 * np.sqrt(2 / 1e5))
    np.testing.assert_allclose(noise.mean(axis=1), 0.0, atol=5 * np.sqrt(2.0 / 1e5))


def test_add_noise_is_fresh_each_step_and_reproducible():
    opt = optim.add_noise(1.0, seed=3)
    g = np.zeros(50_000)
    s0 = opt.init(g)
    a, s1 = opt.update(g, s0, g)
    b, _ = opt.update(g, s1, g)
    assert abs(np.corrcoef(a, b)[0, 1]) < 5 / np.sqrt(50_000)  # independent steps
    np.testing.assert_array_equal(opt.update(g, s0, g)[0], a)  # pure: same state, same noise
    np.testing.assert_array_equal(optim.add_noise(1.0, seed=3).update(g, s0, g)[0], a)
    fresh = optim.add_noise(1.0)
    assert not np.array_equal(fresh.update(g, fresh.init(g), g)[0], a)


def test_add_noise_zero_variance_is_exact():
    g = np.array([[1.0, -2.0], [3.0, 4.0]])
    for opt in (optim.add_noise(0.0, seed=1), optim.add_noise(np.zeros(2), seed=1)):
        u, _ = opt.update(g, opt.init(g), g)
        np.testing.assert_array_equal(u, g)


def test_noisy_gd_chain():
    opt = optim.chain(optim.add_noise(1e-2, seed=0), optim.scale_by_lr(0.1))
    x = run(opt, quad_grad, np.ones((2000, 2)), 200)
    # stationary variance of x ← (1 - ηh) x - η ξ: η² σ² / (1 - (1 - ηh)²)
    expected = [0.01 * 0.01 / (1 - (1 - 0.1 * h) ** 2) for h in (2.0, 1.0)]
    np.testing.assert_allclose(x.var(axis=0), expected, rtol=0.15)


# --- the contract -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(REACHES_MINIMUM))
def test_update_keeps_its_inputs_and_returns_fresh_updates(name):
    # the contract: grads and params are never modified; the state passed in is consumed
    # (its buffers are updated in place) and updates never share memory with it, so a
    # runner may edit updates in place
    opt = REACHES_MINIMUM[name]
    x, g = np.ones((2, 2)), np.full((2, 2), 0.5)
    x_, g_ = x.copy(), g.copy()
    state = opt.init(x)
    for _ in range(3):
        u, state = opt.update(g, state, x)
        np.testing.assert_array_equal(x, x_)
        np.testing.assert_array_equal(g, g_)
        arrays = [a for a in _leaves(state) if isinstance(a, np.ndarray)]
        assert not any(np.shares_memory(u, a) for a in arrays)
        assert not any(np.shares_memory(u, a) for a in (x, g))


def _leaves(tree):
    if isinstance(tree, tuple):
        for item in tree:
            yield from _leaves(item)
    else:
        yield tree


def test_chain_needs_is_the_union():
    opt = optim.chain(optim.scale_by_newton(), optim.add_noise(0.0), optim.scale_by_lr(1.0))
    assert opt.needs == ("hessian",)
    assert optim.adam().needs == ()


@pytest.mark.parametrize(
    "value", [10**400, -(10**400), [0.1, 10**400], np.array([10**400], dtype=object)]
)
@pytest.mark.parametrize("build", [optim.gd, optim.adam, optim.sgd])
def test_a_hyperparameter_beyond_the_floats_is_named(build, value):
    # 10**400 is an int Python holds exactly, but no float: refused as such (not OverflowError)
    with pytest.raises(HyperparameterError, match=r"1\.8e308") as info:
        build(lr=value)
    assert info.value.name == "lr"
