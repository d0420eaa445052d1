"""symopt.landscape spectra: HVPs, Lanczos, quadrature and Hutchinson against independent
references (Richardson finite differences of the gradient, torch double-backward and torch's
dense Hessian in float64, hand-formed matrices such as 2XᵀX/N)."""

from __future__ import annotations

import numpy as np
import pytest

import symopt
from symopt import optim
from symopt.errors import (
    ChoiceError,
    DegenerateError,
    HyperparameterError,
    NotDifferentiableError,
    ShapeError,
)
from symopt.landscape import (
    SharpnessTracker,
    hessian_spectrum,
    hessian_trace,
    hvp,
    operator,
    spectral_density,
)
from symopt.landscape.mlp import MLP
from symopt.stochastic import EmpiricalRisk

CONFIGS = [
    (activation, skip, loss)
    for activation in ("relu", "tanh")
    for skip in (False, True)
    for loss in ("cross_entropy", "mse")
]


def _net_and_data(activation="tanh", skip=False, loss="mse", sizes=(5, 6, 6, 6, 3), n=13):
    net = MLP(list(sizes), activation=activation, skip=skip, loss=loss)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(n, sizes[0]))
    y = rng.integers(0, sizes[-1], n) if loss == "cross_entropy" else rng.normal(size=(n, 3))
    theta = net.init(1) + 0.3 * rng.normal(size=net.size)  # random biases too
    return net, X, y, theta


def _torch_loss(net, X, y):
    """The same network as a torch function of the flat parameters (float64)."""
    torch = pytest.importorskip("torch", reason="torch is the autograd reference")
    act = torch.relu if net.activation == "relu" else torch.tanh
    Xt = torch.tensor(X)
    yt = torch.tensor(y)

    def loss(t):
        tensors, offset = [], 0
        for shape in net.shapes:
            size = int(np.prod(shape))
            tensors.append(t[offset : offset + size].reshape(shape))
            offset += size
        h = Xt
        for i, (W, b) in enumerate(zip(tensors[0:-2:2], tensors[1:-2:2], strict=True)):
            s = act(torch.nn.functional.linear(h, W, b))
            h = h + s if net.residual[i] else s
        z = torch.nn.functional.linear(h, tensors[-2], tensors[-1])
        if net.loss_name == "cross_entropy":
            return torch.nn.functional.cross_entropy(z, yt)
        return torch.nn.functional.mse_loss(z, yt)

    return torch, loss


def _torch_hvp(net, X, y, theta, V):
    torch, loss = _torch_loss(net, X, y)
    t = torch.tensor(theta, requires_grad=True)
    (g,) = torch.autograd.grad(loss(t), t, create_graph=True)
    rows = [torch.autograd.grad(g @ torch.tensor(v), t, retain_graph=True)[0] for v in V]
    return np.stack([r.numpy() for r in rows])


def _torch_hessian(net, X, y, theta):
    torch, loss = _torch_loss(net, X, y)
    return torch.autograd.functional.hessian(loss, torch.tensor(theta)).numpy()


def _richardson(gradient, theta, v, h=1e-3):
    """(4 D(h/2) − D(h)) / 3 of central differences D of the gradient: error O(h⁴)."""

    def central(step):
        return (gradient(theta + step * v) - gradient(theta - step * v)) / (2 * step)

    return (4 * central(h / 2) - central(h)) / 3


def _rel(a, b):
    return np.linalg.norm(a - b) / np.linalg.norm(b)


# -- Hessian-vector products ----------------------------------------------------------------


@pytest.mark.parametrize(("activation", "skip", "loss"), CONFIGS)
def test_mlp_hvp_matches_finite_differences_and_torch(activation, skip, loss):
    net, X, y, theta = _net_and_data(activation, skip, loss)
    f = net.objective(X, y)
    V = np.random.default_rng(2).normal(size=(3, net.size))
    Hv = hvp(f, theta, V)
    h = 1e-5 if activation == "relu" else 1e-3  # relu: steps too short to cross a kink
    for v, row in zip(V, Hv, strict=True):
        assert _rel(row, _richardson(f.gradient, theta, v, h)) <= 1e-8
    assert _rel(Hv, _torch_hvp(net, X, y, theta, V)) <= 1e-8


def test_relu_at_a_kink_takes_the_derivative_zero_as_torch_does():
    net, X, y, _ = _net_and_data("relu", loss="cross_entropy")
    X[0] = 0.0
    theta = net.init(1)  # zero biases: sample 0 sits exactly on every first-layer kink
    assert np.any(net._forward(theta, X[:1])[1][1] == 0)
    V = np.random.default_rng(3).normal(size=(2, net.size))
    np.testing.assert_allclose(
        hvp(net.objective(X, y), theta, V), _torch_hvp(net, X, y, theta, V), rtol=1e-10, atol=1e-13
    )


def test_hvp_is_batched_over_runs_and_directions():
    net, X, y, theta = _net_and_data(skip=True)
    f = net.objective(X, y)
    rng = np.random.default_rng(4)
    thetas = theta + 0.1 * rng.normal(size=(2, 3, net.size))
    V = rng.normal(size=(2, 3, net.size))
    out = hvp(f, thetas, V)
    assert out.shape == (2, 3, net.size)
    for idx in np.ndindex(2, 3):
        np.testing.assert_allclose(out[idx], hvp(f, thetas[idx], V[idx]), rtol=1e-12, atol=1e-15)
    # one point, one direction broadcast against a stack of points
    single = hvp(f, thetas[1, 2], V[0, 0])
    np.testing.assert_allclose(hvp(f, thetas, V[0, 0])[1, 2], single, rtol=1e-12, atol=1e-15)


def test_empirical_risk_hessian_is_2_xtx_over_n_for_least_squares():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(400, 4)) + np.array([0.0, 1.0, 0.0, -2.0])
    y = X @ [1.0, -2.0, 0.5, 3.0] + rng.normal(size=400)
    risk = EmpiricalRisk("(y - w1*x1 - w2*x2 - w3*x3 - w4*x4)^2", "w1 w2 w3 w4", {"x": X, "y": y})
    H = 2 * X.T @ X / len(X)
    theta = rng.normal(size=4)
    np.testing.assert_allclose(risk.hessian(theta), H, rtol=1e-12)
    v = rng.normal(size=(3, 4))
    np.testing.assert_allclose(hvp(risk, theta, v), v @ H, rtol=1e-12)


def test_empirical_risk_hvp_of_a_non_quadratic_loss_matches_finite_differences():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(300, 3))
    labels = np.sign(X @ [1.0, -1.0, 0.5] + 0.3 * rng.normal(size=300))
    data = {"x": X, "y": labels}
    loss = "log(1 + exp(-y*(w1*x1 + w2*x2 + w3*x3))) + 0.1*w1^4"
    for structure in ("linear", "general"):
        risk = EmpiricalRisk(loss, "w1 w2 w3", data, structure=structure)
        theta, v = np.array([0.3, -0.2, 0.5]), rng.normal(size=3)
        assert _rel(hvp(risk, theta, v), _richardson(risk.gradient, theta, v)) <= 1e-8


def test_a_symbolic_objective_is_compiled_and_its_hessian_used():
    f = symopt.Objective("x**2 * y + exp(y)")
    # H = [[2y, 2x], [2x, e^y]] at (1, 0): [[0, 2], [2, 1]]
    np.testing.assert_allclose(hvp(f, [1.0, 0.0], [1.0, 1.0]), [2.0, 3.0])
    np.testing.assert_allclose(hvp(f.compile(), [[1.0, 0.0]], [[0.0, 1.0]]), [[2.0, 1.0]])


# -- extreme eigenvalues --------------------------------------------------------------------


def test_lanczos_top_and_bottom_k_on_a_linear_model_match_eigh_of_2_xtx_over_n():
    rng = np.random.default_rng(7)
    n, P = 500, 12
    X = rng.normal(size=(n, P)) * np.linspace(0.2, 3.0, P)
    y = rng.normal(size=n)
    names = " ".join(f"w{j + 1}" for j in range(P))
    model = " - ".join(f"w{j + 1}*x{j + 1}" for j in range(P))
    risk = EmpiricalRisk(f"(y - {model})^2", names, {"x": X, "y": y})
    lam, U = np.linalg.eigh(2 * X.T @ X / n)
    top = hessian_spectrum(risk, np.zeros(P), k=4)
    np.testing.assert_allclose(top.eigenvalues, lam[::-1][:4], rtol=1e-8)
    bottom = hessian_spectrum(risk, np.zeros(P), k=3, which="bottom")
    np.testing.assert_allclose(bottom.eigenvalues, lam[:3], rtol=1e-8)
    # eigenvectors up to sign
    overlap = np.abs(np.sum(top.eigenvectors * U[:, ::-1][:, :4], axis=0))
    np.testing.assert_allclose(overlap, 1.0, atol=1e-8)
    assert top.converged and top.eigenvectors.shape == (P, 4)


@pytest.mark.parametrize("loss", ["mse", "cross_entropy"])
def test_lanczos_on_a_small_mlp_matches_torchs_dense_hessian(loss):
    net, X, y, theta = _net_and_data(loss=loss, skip=True)
    lam = np.linalg.eigvalsh(_torch_hessian(net, X, y, theta))
    f = net.objective(X, y)
    for which, ref in (("top", lam[::-1][:5]), ("bottom", lam[:5])):
        spec = hessian_spectrum(f, theta, k=5, which=which)
        np.testing.assert_allclose(spec.eigenvalues, ref, rtol=1e-8)
        assert spec.products < net.size  # fewer products than forming H
        dense = hessian_spectrum(f, theta, k=5, which=which, method="dense")
        np.testing.assert_allclose(dense.eigenvalues, ref, rtol=1e-8)
    # Hy = λy for the returned pairs
    spec = hessian_spectrum(f, theta, k=3)
    Hy = hvp(f, theta, spec.eigenvectors.T)
    np.testing.assert_allclose(Hy, spec.eigenvalues[:, None] * spec.eigenvectors.T, atol=1e-8)


def test_a_repeated_eigenvalue_is_found_twice():
    # Single-vector Lanczos sees one copy of a repeated eigenvalue; the restart at the
    # invariant subspace finds the other.
    f = symopt.quadratic(np.diag([5.0, 5.0, 3.0, 1.0]))
    spec = hessian_spectrum(f, np.zeros(4), k=3)
    np.testing.assert_allclose(spec.eigenvalues, [5.0, 5.0, 3.0], rtol=1e-10)


def test_per_layer_blocks_are_the_diagonal_blocks_of_the_hessian():
    net, X, y, theta = _net_and_data(sizes=(4, 5, 3), loss="cross_entropy")
    H = _torch_hessian(net, X, y, theta)
    blocks = net.blocks()
    assert list(blocks) == ["layer 1", "layer 2"]
    for block in blocks.values():
        ref = np.linalg.eigvalsh(H[block, block])[::-1][:2]
        spec = hessian_spectrum(net.objective(X, y), theta, k=2, block=block)
        np.testing.assert_allclose(spec.eigenvalues, ref, rtol=1e-8)


def test_the_mse_output_block_repeats_each_eigenvalue_once_per_output():
    # Under MSE the output layer's block is (2/(N·out)) Σ [h; 1][h; 1]ᵀ ⊗ I_out: every
    # eigenvalue `out` times.  The dense method sees the copies; Lanczos from one vector
    # sees each distinct value once (its Krylov space cannot tell copies apart).
    net, X, y, theta = _net_and_data(sizes=(4, 5, 3))
    block = net.blocks()["layer 2"]
    lam = np.linalg.eigvalsh(_torch_hessian(net, X, y, theta)[block, block])[::-1]
    f = net.objective(X, y)
    dense = hessian_spectrum(f, theta, k=3, method="dense", block=block)
    np.testing.assert_allclose(dense.eigenvalues, [lam[0]] * 3, rtol=1e-10)
    top = hessian_spectrum(f, theta, k=2, block=block)
    np.testing.assert_allclose(top.eigenvalues, lam[[0, 3]], rtol=1e-8)


def test_warm_start_from_the_top_vector_takes_fewer_products():
    net, X, y, theta = _net_and_data()
    f = net.objective(X, y)
    cold = hessian_spectrum(f, theta, k=1)
    warm = hessian_spectrum(f, theta, k=1, start=cold.eigenvectors[:, 0])
    assert warm.eigenvalues[0] == pytest.approx(cold.eigenvalues[0], rel=1e-10)
    assert warm.products < cold.products


# -- density and trace ----------------------------------------------------------------------


def test_density_of_a_diagonal_hessian_has_the_exact_mean_and_nodes():
    lam = np.array([4.0, 2.0, 1.0, 0.5, -1.0])
    f = symopt.quadratic(np.diag(lam))
    d = spectral_density(f, np.zeros(5), n_vectors=4, steps=5)
    assert d.weights.sum() == pytest.approx(1.0, abs=1e-14)
    # Rademacher v: vᵀHv / n = trace / n exactly when H is diagonal
    assert d.mean == pytest.approx(lam.mean(), rel=1e-12)
    # a full Krylov space: the nodes are the eigenvalues, each with mass 1/5
    for nodes, weights in d.per_vector:
        np.testing.assert_allclose(np.sort(nodes), np.sort(lam), atol=1e-10)
        np.testing.assert_allclose(weights, 0.2, atol=1e-10)


def test_density_integrates_to_one_and_its_mean_matches_the_trace():
    net, X, y, theta = _net_and_data(loss="cross_entropy")
    H = _torch_hessian(net, X, y, theta)
    lam = np.linalg.eigvalsh(H)
    d = spectral_density(net.objective(X, y), theta, n_vectors=30, steps=40, seed=1)
    assert d.weights.sum() == pytest.approx(1.0, abs=1e-12)
    assert d.nodes.min() >= lam[0] - 1e-8 and d.nodes.max() <= lam[-1] + 1e-8
    width = 0.01 * (lam[-1] - lam[0])
    grid = np.linspace(lam[0] - 10 * width, lam[-1] + 10 * width, 4001)
    assert np.trapezoid(d.evaluate(grid, width), grid) == pytest.approx(1.0, abs=1e-6)
    # the mean is the mean of vᵀHv / n over the vectors: within its error of trace / n
    means = np.array([w @ t for t, w in d.per_vector])
    stderr = means.std(ddof=1) / np.sqrt(len(means))
    assert abs(d.mean - np.trace(H) / net.size) <= 4 * stderr
    assert np.all(np.isfinite(d.stderr(grid, width)))


def test_hutchinson_trace_within_its_error_and_the_error_as_predicted():
    net, X, y, theta = _net_and_data()
    H = _torch_hessian(net, X, y, theta)
    est = hessian_trace(net.objective(X, y), theta, samples=400, seed=3)
    assert abs(est.value - np.trace(H)) <= 4 * est.stderr
    # Rademacher z: Var(zᵀHz) = 2 Σ_{i≠j} H_ij²
    off = H - np.diag(np.diag(H))
    assert est.stderr == pytest.approx(np.sqrt(2 * np.sum(off**2) / 400), rel=0.2)


# -- bad input ------------------------------------------------------------------------------


class _Matrix:
    """A loss given only by its (possibly broken) Hessian."""

    def __init__(self, H):
        self.H, self.n = np.asarray(H, dtype=float), len(H)

    def value(self, x):
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.H, x)

    def gradient(self, x):
        return x @ self.H.T

    def hessian(self, x):
        return np.broadcast_to(self.H, (*np.shape(x), self.n))


def test_k_larger_than_the_number_of_parameters_is_refused():
    f = symopt.quadratic(np.eye(3))
    with pytest.raises(HyperparameterError, match="number of parameters") as err:
        hessian_spectrum(f, np.zeros(3), k=4)
    assert err.value.name == "k"
    with pytest.raises(HyperparameterError):
        hessian_spectrum(f, np.zeros(3), k=0)
    with pytest.raises(ChoiceError):
        hessian_spectrum(f, np.zeros(3), k=1, which="middle")
    with pytest.raises(HyperparameterError):
        hessian_trace(f, np.zeros(3), samples=1)


def test_a_non_symmetric_operator_is_refused():
    with pytest.raises(DegenerateError, match="not symmetric"):
        hessian_spectrum(_Matrix([[1.0, 2.0], [0.0, 1.0]]), np.zeros(2), k=1)


def test_non_finite_products_and_missing_second_derivatives_are_refused():
    with pytest.raises(NotDifferentiableError, match="not finite"):
        hessian_spectrum(_Matrix([[np.inf, 0.0], [0.0, 1.0]]), np.zeros(2), k=1)

    class GradientOnly:
        n = 2

        def value(self, x):
            return np.sum(np.asarray(x) ** 2, axis=-1)

        def gradient(self, x):
            return 2 * np.asarray(x)

    with pytest.raises(NotDifferentiableError, match="no second derivatives"):
        hvp(GradientOnly(), np.zeros(2), np.ones(2))


def test_shapes_are_checked():
    f = symopt.quadratic(np.eye(3))
    with pytest.raises(ShapeError, match="one point"):
        operator(f, np.zeros((2, 3)))
    with pytest.raises(ShapeError, match="parameters"):
        hvp(f, np.zeros(4), np.zeros(4))
    with pytest.raises(ShapeError, match="v has shape"):
        hvp(f, np.zeros(3), np.zeros(2))
    with pytest.raises(ShapeError, match="selects no parameters"):
        hessian_spectrum(f, np.zeros(3), k=1, block=slice(5, 6))


# -- sharpness along a run ------------------------------------------------------------------


def test_tracker_on_a_quadratic_records_the_fixed_lambda_max():
    f = symopt.quadratic([[10, 0], [0, 1]])  # H = diag(10, 1) everywhere
    tracker = SharpnessTracker(f, every=4, k=2)
    symopt.minimize(f, optim.gd(lr=0.1), [1.0, 1.0], steps=10, track=tracker)
    assert tracker.steps.tolist() == [0, 4, 8]
    np.testing.assert_allclose(tracker.values, 10.0, rtol=1e-12)
    np.testing.assert_allclose(tracker.eigenvalues[:, 1], 1.0, rtol=1e-12)


def test_tracker_leaves_the_run_unchanged_and_records_lambda_max_where_it_was():
    net, X, y, _ = _net_and_data(sizes=(5, 6, 6, 3))
    f, theta0 = net.objective(X, y), net.init(0)
    lrs = np.array([0.05, 0.2])
    plain = symopt.minimize(f, optim.gd(lr=lrs), np.stack([theta0, theta0]), steps=30)
    tracker = SharpnessTracker(f, every=10)
    traj = symopt.minimize(f, optim.gd(lr=lrs), np.stack([theta0, theta0]), steps=30, track=tracker)
    np.testing.assert_array_equal(traj.x, plain.x)
    assert tracker.steps.tolist() == [0, 10, 20, 30]
    assert tracker.values.shape == (4, 2) and tracker.params.shape == (4, 2, net.size)
    np.testing.assert_array_equal(tracker.params, traj.x[tracker.steps])
    for i, run in ((0, 0), (3, 1)):
        H = _torch_hessian(net, X, y, tracker.params[i, run])
        assert tracker.values[i, run] == pytest.approx(np.linalg.eigvalsh(H)[-1], rel=1e-8)


def test_tracker_in_a_mini_batch_run():
    net, X, y, _ = _net_and_data(sizes=(5, 6, 3), n=40)
    f, theta0 = net.objective(X, y), net.init(0)
    kwargs = {"epochs": 3, "batch_size": 10, "seed": 0}
    plain = symopt.minimize(f, optim.sgd(lr=0.1), theta0, **kwargs)
    tracker = SharpnessTracker(f, every=5)
    traj = symopt.minimize(f, optim.sgd(lr=0.1), theta0, track=tracker, **kwargs)
    np.testing.assert_array_equal(traj.x, plain.x)
    assert tracker.steps.tolist() == [0, 5, 10]  # 3 epochs of 4 batches: steps 0 ... 12
    np.testing.assert_array_equal(tracker.params, traj.x[[0, 5, 10]])
    lam = np.linalg.eigvalsh(_torch_hessian(net, X, y, tracker.params[2]))[-1]
    assert tracker.values[2] == pytest.approx(lam, rel=1e-8)


def test_a_tracker_must_have_every_and_be_callable():
    from symopt.errors import ArgumentTypeError

    f = symopt.quadratic(np.eye(2))
    with pytest.raises(ArgumentTypeError, match="not a tracker"):
        symopt.minimize(f, optim.gd(lr=0.1), [1.0, 1.0], steps=3, track=lambda t, x: None)
    with pytest.raises(HyperparameterError):
        SharpnessTracker(f, every=0)
