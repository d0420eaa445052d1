"""Empirical risk, mini-batch runs, the noise ball, saddle escape (symopt.stochastic)."""

import math

import numpy as np
import pytest
import sympy as sp

import symopt
from symopt.errors import DataError, ShapeError, SymoptError
from symopt.optim import adam, add_noise, chain, gd, scale_by_lr, schedules, sgd
from symopt.stochastic import (
    EmpiricalRisk,
    batch_noise_variance,
    escape_times,
    minimize_minibatch,
    stationary_variance,
)
from symopt.stochastic.data import linear_regression, logistic_regression

W = sp.symbols("w1:4", real=True)
X = sp.symbols("x1:4", real=True)
B, Y = sp.symbols("b y", real=True)
LOGISTIC = sp.log(1 + sp.exp(-Y * (sum(w * x for w, x in zip(W, X, strict=True)) + B)))


def logistic_risk(n=500, seed=0, **kw):
    return EmpiricalRisk(LOGISTIC, [*W, B], logistic_regression(n, 3, seed=seed), **kw)


def numpy_logistic(theta, data, rows=slice(None)):
    """Hand-written reference: value and gradient of the mean logistic loss."""
    Xm = np.column_stack([data["x1"], data["x2"], data["x3"], np.ones(len(data["y"]))])[rows]
    y = data["y"][rows]
    m = y * (Xm @ theta)
    value = np.mean(np.logaddexp(0, -m))
    grad = Xm.T @ (-y / (1 + np.exp(m))) / len(y)
    return value, grad


def finite_difference(f, theta, eps=1e-6):
    return np.array(
        [(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in np.eye(len(theta))]
    )


# -- the risk -----------------------------------------------------------------------------


def test_logistic_risk_matches_a_hand_written_numpy_reference():
    data = logistic_regression(500, 3, seed=0)
    risk = EmpiricalRisk(LOGISTIC, [*W, B], data)
    assert risk.structure == "linear"
    theta = np.array([0.3, -0.2, 0.5, 0.1])
    value, grad = numpy_logistic(theta, data)
    assert risk.value(theta) == pytest.approx(value, rel=1e-12)
    assert np.allclose(risk.gradient(theta), grad, rtol=1e-12, atol=1e-15)
    rows = np.array([3, 17, 17, 400])
    value, grad = numpy_logistic(theta, data, rows)
    assert risk.batch_value(theta, rows) == pytest.approx(value, rel=1e-12)
    assert np.allclose(risk.batch_gradient(theta, rows), grad, rtol=1e-12)


LOSSES = {
    # one linear form with data coefficients
    "logistic": (LOGISTIC, [*W, B], lambda rng: logistic_regression(300, 3, seed=1)),
    # forms with constant coefficients (a, b) and one with data (b*x)
    "exponential model": (
        (Y - sp.Symbol("a") * sp.exp(sp.Symbol("c") * sp.Symbol("x"))) ** 2,
        ["a", "c"],
        lambda rng: {"x": rng.uniform(-1, 1, 200), "y": rng.normal(size=200)},
    ),
    # least squares in two data forms: the full risk comes from moments, O(P²)
    "two-form least squares": (
        (Y - W[0] * X[0] - W[1]) ** 2 + X[1] ** 2 * (W[0] * X[1] - W[1] + 1) ** 2 / 2 + Y,
        [W[0], W[1]],
        lambda rng: {
            "x1": rng.normal(size=120),
            "x2": rng.normal(size=120),
            "y": rng.normal(size=120),
        },
    ),
    # two data forms, an offset, and a data-free penalty
    "two forms + penalty": (
        sp.log(1 + (Y - W[0] * X[0] - W[1]) ** 2)
        + sp.sin(W[0] * X[1] + 2)
        + sp.Rational(1, 10) * (W[0] ** 2 + W[1] ** 2),
        [W[0], W[1]],
        lambda rng: {
            "x1": rng.normal(size=150),
            "x2": rng.normal(size=150),
            "y": rng.normal(size=150),
        },
    ),
}


@pytest.mark.parametrize("name", LOSSES)
@pytest.mark.parametrize("structure", ["auto", "general"])
def test_gradient_matches_finite_differences(name, structure):
    loss, params, make = LOSSES[name]
    rng = np.random.default_rng(2)
    risk = EmpiricalRisk(loss, params, make(rng), structure=structure)
    assert risk.structure == ("general" if structure == "general" else "linear")
    for theta in rng.normal(size=(3, len(params))) * 0.7:
        fd = finite_difference(risk.value, theta)
        assert np.allclose(risk.gradient(theta), fd, rtol=1e-6, atol=1e-8)
        rows = rng.integers(0, risk.n_examples, 7)
        fd = finite_difference(lambda t, rows=rows: risk.batch_value(t, rows), theta)
        assert np.allclose(risk.batch_gradient(theta, rows), fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("name", LOSSES)
def test_linear_forms_and_per_example_paths_agree_on_batches_of_theta(name):
    loss, params, make = LOSSES[name]
    rng = np.random.default_rng(3)
    data = make(rng)
    fast = EmpiricalRisk(loss, params, data)
    slow = EmpiricalRisk(loss, params, data, structure="general")
    theta = rng.normal(size=(4, 2, len(params))) * 0.5
    assert fast.value(theta).shape == (4, 2)
    assert np.allclose(fast.value(theta), slow.value(theta), rtol=1e-12)
    assert np.allclose(fast.gradient(theta), slow.gradient(theta), rtol=1e-10, atol=1e-12)
    # one batch per run: rows of shape (4, 2, K)
    rows = rng.integers(0, fast.n_examples, (4, 2, 5))
    g = fast.batch_gradient(theta, rows)
    assert g.shape == (4, 2, len(params))
    assert np.allclose(g, slow.batch_gradient(theta, rows), rtol=1e-10, atol=1e-12)
    # ... equals each run evaluated on its own
    assert np.allclose(g[1, 0], fast.batch_gradient(theta[1, 0], rows[1, 0]), rtol=1e-12)
    v, g2 = fast.batch_value_and_gradient(theta, rows)
    assert np.allclose(v[3, 1], slow.batch_value(theta[3, 1], rows[3, 1]), rtol=1e-12)
    assert np.allclose(g2, g)


def test_minibatch_gradients_are_unbiased_over_an_epoch():
    risk = logistic_risk(n=480)
    theta = np.array([0.4, -1.0, 0.2, 0.3])
    perm = np.random.default_rng(5).permutation(480)
    for k in (1, 16, 120):  # K divides N: every example is in exactly one batch
        batches = perm.reshape(-1, k)
        mean = np.mean([risk.batch_gradient(theta, rows) for rows in batches], axis=0)
        assert np.allclose(mean, risk.gradient(theta), rtol=1e-12, atol=1e-15)


def test_text_loss_data_arrays_and_blocks():
    ds = linear_regression(200, 2, seed=1)
    by_text = EmpiricalRisk("(y - w1*x1 - w2*x2 - b)^2 / 2", "w1 w2 b", ds)
    block = EmpiricalRisk("(y - w1*x1 - w2*x2 - b)^2 / 2", "w1 w2 b", {"x": ds.X, "y": ds.y})
    array = EmpiricalRisk(
        "(y - w1*x1 - w2*x2 - b)^2 / 2", "w1 w2 b", np.column_stack([ds.X, ds.y]), "x1 x2 y"
    )
    theta = np.array([0.5, -0.5, 1.0])
    resid = ds.y - ds.X @ theta[:2] - theta[2]
    for risk in (by_text, block, array):
        assert risk.value(theta) == pytest.approx(np.mean(resid**2) / 2, rel=1e-12)
    # the least-squares solution is a critical point of the risk
    fit, *_ = np.linalg.lstsq(np.column_stack([ds.X, np.ones(200)]), ds.y, rcond=None)
    assert np.allclose(by_text.gradient(fit), 0, atol=1e-12)


def test_softplus_and_sigmoid_do_not_overflow():
    data = {"x": np.array([-1000.0, 1000.0, 0.0]), "y": np.array([1.0, 1.0, -1.0])}
    risk = EmpiricalRisk("log(1 + exp(-y*w*x))", "w", data)
    # margins ±1000: the losses are 1000 (linear tail), 0 and log 2
    assert risk.value([1.0]) == pytest.approx((1000 + math.log(2)) / 3, rel=1e-12)
    assert risk.gradient([1.0]) == pytest.approx([1000 / 3], rel=1e-12)  # d/dw of -x·w
    sig = EmpiricalRisk("(y - sigmoid(w*x))^2", "w", data)  # the parser's 1/(1 + exp(-u))
    assert np.all(np.isfinite(sig.gradient([[2.0], [-3.0]])))


class QuadraticModel:
    """A non-symbolic model: l(θ; z) = |θ - z|² / 2 in two dimensions."""

    def value(self, theta, batch):
        z = np.stack([batch["z1"], batch["z2"]], axis=-1)
        return 0.5 * ((theta[..., None, :] - z) ** 2).sum(-1).mean(-1)

    def gradient(self, theta, batch):
        z = np.stack([batch["z1"], batch["z2"]], axis=-1)
        return theta - z.mean(-2)


def test_a_non_symbolic_model_plugs_in_the_same_way():
    rng = np.random.default_rng(0)
    data = {"z1": rng.normal(1, 1, 300), "z2": rng.normal(-2, 1, 300)}
    model = EmpiricalRisk(QuadraticModel(), 2, data)
    symbolic = EmpiricalRisk("((t1 - z1)^2 + (t2 - z2)^2) / 2", "t1 t2", data)
    theta = np.array([[0.0, 0.0], [1.0, -1.0]])
    assert model.structure == "model"
    assert np.allclose(model.value(theta), symbolic.value(theta), rtol=1e-12)
    assert np.allclose(model.gradient(theta), symbolic.gradient(theta), rtol=1e-12)
    rows = np.arange(10)
    assert np.allclose(model.batch_gradient(theta, rows), symbolic.batch_gradient(theta, rows))
    traj = symopt.minimize(model, sgd(lr=1.0), [0.0, 0.0], epochs=2, batch_size=300, seed=0)
    assert np.allclose(traj.final_x, [data["z1"].mean(), data["z2"].mean()], rtol=1e-12)


# -- bad input ----------------------------------------------------------------------------


def test_nan_rows_are_named():
    ds = dict(linear_regression(50, 2, seed=0))
    ds["x2"] = ds["x2"].copy()
    ds["x2"][[4, 31]] = np.nan
    with pytest.raises(DataError, match=r"x2 has NaN or inf in 2 row\(s\): 4, 31"):
        EmpiricalRisk("(y - w1*x1 - w2*x2)^2", "w1 w2", ds)


@pytest.mark.parametrize(
    ("loss", "params", "data", "data_symbols", "match"),
    [
        ("(y - w1*x1 - w2*x2 - w3*x3)^2", "w1 w2 w3", "block", None, "wrong number of data col"),
        ("(y - w1*x1)^2", "w1", np.zeros((5, 3)), "x1 y", "data has shape"),
        ("(y - 3*x1)^2", "w1", "block", None, "does not depend on the parameters"),
        ("(y - w1*x1)^2", "w1 y", "block", None, "both as a parameter and as data"),
        ("(y - c*w1*x1)^2", "w1", "block", None, "neither a parameter nor a data column"),
        ("(y - w1*x1)^2", "w1", "block", "x1", "which data_symbols does not name"),
    ],
)
def test_bad_risks_raise_data_errors_with_the_fix(loss, params, data, data_symbols, match):
    if isinstance(data, str):
        data = {"x": np.ones((5, 2)), "y": np.ones(5)}
    with pytest.raises(DataError, match=match):
        EmpiricalRisk(loss, params, data, data_symbols)


def test_bad_batches_and_shapes():
    risk = logistic_risk(n=100)
    for k in (0, 101, 2.5):
        with pytest.raises(DataError, match="batch_size"):
            symopt.minimize(risk, sgd(lr=0.1), np.zeros(4), epochs=1, batch_size=k)
    with pytest.raises(ShapeError):
        risk.value(np.zeros(3))
    with pytest.raises(DataError):
        risk.batch_value(np.zeros(4), np.array([0, 100]))
    with pytest.raises(SymoptError):
        minimize_minibatch(symopt.Objective("x**2"), sgd(lr=0.1), [1.0], epochs=1)


# -- mini-batch runs ----------------------------------------------------------------------


def test_a_run_follows_the_hand_written_sgd_loop():
    """Same seed -> same permutations as numpy.random.default_rng(seed).permutation."""
    data = logistic_regression(250, 3, seed=2)
    risk = EmpiricalRisk(LOGISTIC, [*W, B], data)
    traj = symopt.minimize(risk, sgd(lr=0.3), np.zeros(4), epochs=2, batch_size=64, seed=11)
    rng, theta, losses = np.random.default_rng(11), np.zeros(4), []
    for _ in range(2):
        perm = rng.permutation(250)
        for s in range(0, 250, 64):  # the last batch of an epoch has 250 - 192 = 58
            value, grad = numpy_logistic(theta, data, perm[s : s + 64])
            losses.append(value)
            theta = theta - 0.3 * grad
    assert traj.x.shape == (9, 4) and traj.steps.tolist() == list(range(9))
    assert np.allclose(traj.final_x, theta, rtol=1e-12)
    assert np.allclose(traj.extras["minibatch_losses"], losses, rtol=1e-12)
    assert traj.values[-1] == pytest.approx(numpy_logistic(theta, data)[0], rel=1e-12)
    assert traj.extras["steps_per_epoch"] == 4 and traj.extras["batch_size"] == 64


def test_minibatch_adam_matches_torch_on_the_same_batches():
    torch = pytest.importorskip("torch", reason="torch is the reference for Adam")
    data = logistic_regression(200, 3, seed=4)
    risk = EmpiricalRisk(LOGISTIC, [*W, B], data)
    traj = symopt.minimize(risk, adam(lr=0.05), np.zeros(4), epochs=3, batch_size=50, seed=3)
    Xm = torch.tensor(np.column_stack([data.X, np.ones(200)]))
    y = torch.tensor(data["y"])
    theta = torch.zeros(4, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([theta], lr=0.05)
    rng = np.random.default_rng(3)
    for _ in range(3):
        for rows in rng.permutation(200).reshape(4, 50):
            opt.zero_grad()
            idx = torch.tensor(rows)
            torch.nn.functional.softplus(-y[idx] * (Xm[idx] @ theta)).mean().backward()
            opt.step()
    assert np.allclose(traj.final_x, theta.detach().numpy(), rtol=1e-10, atol=1e-12)


def test_record_modes_test_risk_and_options():
    train, test = logistic_regression(300, 3, seed=5), logistic_regression(100, 3, seed=5)
    risk = EmpiricalRisk(LOGISTIC, [*W, B], train)
    x0 = np.zeros(4)
    t = symopt.minimize(
        risk, sgd(lr=0.1), x0, epochs=3, batch_size=32, record="epoch", test=dict(test), seed=0
    )
    assert t.steps.tolist() == [0, 10, 20, 30]
    assert t.extras["test_values"].shape == (4,)
    assert t.extras["test_values"][-1] == pytest.approx(risk.with_data(test).value(t.final_x))
    t = symopt.minimize(risk, sgd(lr=0.1), x0, epochs=3, batch_size=32, record="last", seed=0)
    assert t.steps.tolist() == [0, 30] and "minibatch_losses" not in t.extras
    t = symopt.minimize(
        risk, sgd(lr=0.1), x0, epochs=2, batch_size=32, record=7, drop_last=True, seed=0
    )
    assert t.steps.tolist() == [0, 7, 14, 18] and t.extras["minibatch_losses"].shape == (18,)
    t = symopt.minimize(risk, sgd(lr=0.1), x0, epochs=1, batch_size=32, replacement=True, seed=0)
    assert t.x.shape == (11, 4)
    t = symopt.minimize(
        risk, sgd(lr=0.1), x0, epochs=2, batch_size=32, max_steps=13, progress=True, seed=0
    )
    assert t.steps.tolist() == list(range(14))


def test_batched_runs_share_batches_unless_independent():
    risk = logistic_risk(n=200)
    x0 = np.zeros((3, 4))
    lr = np.array([0.1, 0.1, 0.2])
    shared = symopt.minimize(risk, sgd(lr=lr), x0, epochs=2, batch_size=20, seed=1)
    assert np.array_equal(shared.final_x[0], shared.final_x[1])
    assert not np.allclose(shared.final_x[0], shared.final_x[2])
    single = symopt.minimize(risk, sgd(lr=0.2), x0[2], epochs=2, batch_size=20, seed=1)
    assert np.allclose(shared.final_x[2], single.final_x, rtol=1e-12)
    own = symopt.minimize(risk, sgd(lr=0.1), x0, epochs=2, batch_size=20, seed=1, independent=True)
    assert not np.allclose(own.final_x[0], own.final_x[1])
    assert own.extras["minibatch_losses"].shape == (20, 3)


def test_a_diverging_run_is_frozen_and_the_others_go_on():
    risk = EmpiricalRisk("(t - z)^2 * 50", "t", {"z": np.linspace(-1, 1, 64)})
    traj = symopt.minimize(
        risk, gd(lr=np.array([0.001, 1.0])), np.ones((2, 1)), epochs=20, batch_size=8, seed=0
    )
    assert traj.status.tolist() == ["max_steps", "diverged"]
    assert np.all(np.isfinite(traj.x)) and np.all(np.isfinite(traj.values))


@pytest.mark.parametrize(("record", "stop"), [("all", 20), ("last", 29)])
def test_a_minibatch_run_whose_loss_explodes_stops_as_a_plain_run_does(record, stop):
    # Every example's loss is θ², so every batch gradient is the full one, 2θ, and
    # lr = 1.5 maps θ to -2θ: the loss 4^(t+1) after step t passes 10¹² · (1 + f(x0)) = 2·10¹²
    # at t = 20, long before |θ| = 2^(t+1) would pass the point limit 2·10¹² (t = 40).
    # Recording only the end, values are checked every 10 steps: first at t + 1 = 30.
    risk = EmpiricalRisk("theta^2 * z", "theta", {"z": np.ones(8)})
    lr, x0 = np.array([1.5, 0.25]), np.ones((2, 1))
    batches = symopt.minimize(risk, gd(lr=lr), x0, epochs=25, batch_size=4, seed=0, record=record)
    plain = symopt.minimize(symopt.Objective("theta**2"), gd(lr=lr), x0, steps=50, record=record)
    for traj in (batches, plain):
        assert traj.status.tolist() == ["diverged", "max_steps"]
        assert traj.stop_step.tolist() == [stop, 50]
        assert traj.final_x[0, 0] == (-2.0) ** stop  # frozen at its last good point
        assert abs(traj.final_x[0, 0]) < 1e9  # the value stopped it, not the point
        assert np.all(np.isfinite(traj.values)) and np.all(np.isfinite(traj.x))
    np.testing.assert_array_equal(batches.x, plain.x)
    np.testing.assert_array_equal(batches.values, plain.values)
    losses = batches.extras.get("minibatch_losses", np.zeros(1))
    assert np.all(np.isfinite(losses))


# -- the convergence problem: the noise ball -------------------------------------------------


def quadratic_risk(n=2000, seed=0):
    """l(θ; z) = (θ - z)²/2: the risk is (θ - z̄)²/2 + const, so θ* = z̄ and h = 1; a batch
    gradient is θ - z̄_B, i.e. the exact gradient plus the noise z̄ - z̄_B."""
    z = np.random.default_rng(seed).normal(0.0, 2.0, n)
    return EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": z}), z


def test_batch_noise_has_the_finite_population_variance():
    risk, z = quadratic_risk(n=100)
    runs, k = 20_000, 25
    rows = np.random.default_rng(0).permuted(np.tile(np.arange(100), (runs, 1)), axis=1)[:, :k]
    noise = risk.batch_gradient(np.zeros((runs, 1)), rows)[:, 0] - risk.gradient([0.0])[0]
    expected = batch_noise_variance(z.var(), k, 100)  # σ²/K · (N-K)/(N-1) = 0.76 σ²/K
    # the sample variance of 20 000 draws is within ~1 % (sd ≈ sqrt(2/runs)); allow 5 %
    assert noise.var() == pytest.approx(expected, rel=0.05)
    assert noise.mean() == pytest.approx(0.0, abs=4 * math.sqrt(expected / runs))


def noise_ball(lr, k, runs=1500, epochs=3, seed=0):
    """Mean squared distance to θ* after many steps, over independent runs."""
    risk, z = quadratic_risk()
    traj = symopt.minimize(
        risk,
        sgd(lr=lr),
        np.full((runs, 1), z.mean()),
        epochs=epochs,
        batch_size=k,
        seed=seed,
        record="last",
        replacement=True,
        independent=True,
    )
    spread = np.mean((traj.final_x[:, 0] - z.mean()) ** 2)
    return spread, stationary_variance(lr, 1.0, batch_noise_variance(z.var(), k, 2000, True))


def test_the_noise_ball_matches_theory_and_shrinks_with_the_step_and_the_batch():
    # 3 epochs of N/K steps: (1 - ηh)^steps ≈ 0, so the start is forgotten
    spreads = {}
    for lr, k in [(0.2, 20), (0.05, 20), (0.2, 80)]:
        measured, predicted = noise_ball(lr, k)
        # the mean of 1500 squared Gaussians is within ~3.7 % (sd sqrt(2/1500)); allow 4 sd
        assert measured == pytest.approx(predicted, rel=0.15)
        spreads[lr, k] = measured
    # η: 0.2 → 0.05 shrinks η/(2 - η) by 0.05/1.95 · 1.8/0.2 = 0.231
    assert spreads[0.05, 20] / spreads[0.2, 20] == pytest.approx(0.2308, rel=0.2)
    # K: 20 → 80 shrinks the noise σ²/K fourfold
    assert spreads[0.2, 80] / spreads[0.2, 20] == pytest.approx(0.25, rel=0.2)


def test_a_decaying_step_leaves_the_noise_ball():
    risk, z = quadratic_risk()
    x0 = np.full((500, 1), z.mean() + 3.0)
    kw = dict(epochs=10, batch_size=20, seed=2, record="last", replacement=True, independent=True)
    constant = symopt.minimize(risk, sgd(lr=0.2), x0, **kw)
    decaying = symopt.minimize(risk, sgd(lr=schedules.inverse_time(0.2, 0.05)), x0, **kw)
    spread_c = np.mean((constant.final_x - z.mean()) ** 2)
    spread_d = np.mean((decaying.final_x - z.mean()) ** 2)
    # with η_t = 0.2/(1 + 0.05 t) after 1000 steps the variance is ≈ η_t s²/2: about 15x less
    assert spread_d < spread_c / 8


# -- saddle escape ---------------------------------------------------------------------------


def test_noise_lets_gradient_descent_escape_a_strict_saddle():
    # (x² - 1)² + y²: minima (±1, 0), a strict saddle at the origin (Hessian diag(-4, 2))
    f = symopt.Objective("(x^2 - 1)^2 + y^2")
    sigma2 = np.array([[0.0], [0.1], [1.0]])  # per row of runs
    x0 = np.zeros((3, 200, 2))
    opt = chain(add_noise(sigma2, seed=0), scale_by_lr(0.05))
    traj = symopt.minimize(f, opt, x0, steps=150)
    times = escape_times(traj, [0.0, 0.0], 0.5)
    assert np.all(traj.x[:, 0] == 0.0)  # σ² = 0: the gradient is exactly zero, GD stays
    assert np.all(times[0] == -1)
    assert np.all(times[1:] > 0)  # σ² > 0: every run leaves
    assert np.median(times[2]) < np.median(times[1])
    # and ends near a minimum, on either side
    final_x = traj.final_x[1:, :, 0]
    assert np.allclose(np.abs(final_x), 1.0, atol=0.3)
    assert 0.3 < np.mean(final_x > 0) < 0.7


def test_a_loss_that_is_not_finite_on_the_data_names_the_rows():
    data = {"x": np.array([1.0, 0.0, 2.0, -1.0]), "y": np.ones(4)}
    with pytest.raises(DataError, match=r"not finite on the data.*2 row\(s\): 1, 3"):
        EmpiricalRisk("(y - w*log(x))^2", "w", data)


def test_minimize_forwards_steps_to_a_minibatch_run():
    # 10 examples in batches of 2 make 5 steps an epoch; steps=3 stops within the first
    z = np.arange(10.0)
    risk = EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": z})
    traj = symopt.minimize(
        risk, symopt.optim.sgd(lr=0.1), [0.0], steps=3, epochs=2, batch_size=2, seed=0
    )
    assert traj.extras["minibatch_losses"].shape[0] == 3
