"""symopt.landscape against closed forms, and the worked example end to end."""

from __future__ import annotations

import math

import numpy as np
import pytest

import symopt
from symopt.errors import (
    ArgumentTypeError,
    ChoiceError,
    DegenerateError,
    HyperparameterError,
    ShapeError,
)
from symopt.landscape import (
    path_plane,
    pca_directions,
    project,
    random_direction,
    roughness,
    slice_1d,
    slice_2d,
)

SHAPES = [(4, 3, 2, 2), (4,), (5, 4), (5,), (2, 5), (2,), (3,)]  # conv, bias, linear, ..., bn
P = sum(math.prod(s) for s in SHAPES)


def _tensors(flat: np.ndarray) -> list[np.ndarray]:
    ends = np.cumsum([math.prod(s) for s in SHAPES])
    return [flat[e - math.prod(s) : e].reshape(s) for s, e in zip(SHAPES, ends, strict=True)]


@pytest.fixture
def weights() -> np.ndarray:
    return np.random.default_rng(42).normal(0.0, 3.0, P)


# -- directions -----------------------------------------------------------------------


def test_filter_normalised_slices_have_the_norm_of_the_weight_slices(weights):
    d = random_direction(weights, SHAPES, seed=7)
    for dt, wt in zip(_tensors(d), _tensors(weights), strict=True):
        if dt.ndim > 1:  # each filter (slice along the first axis) has its weights' norm
            rows_d, rows_w = dt.reshape(len(dt), -1), wt.reshape(len(wt), -1)
            np.testing.assert_allclose(
                np.linalg.norm(rows_d, axis=1), np.linalg.norm(rows_w, axis=1), rtol=1e-12
            )
        else:  # ignore="biasbn": biases and normalisation parameters are zero
            assert np.all(dt == 0.0)


def test_direction_keeps_the_gaussian_direction_of_each_filter(weights):
    # the normalisation only rescales: each filter is parallel to the raw Gaussian draw
    raw = np.random.default_rng(7).standard_normal(P)
    d = random_direction(weights, SHAPES, seed=7)
    for dt, rt in zip(_tensors(d), _tensors(raw), strict=True):
        if dt.ndim > 1:
            for row_d, row_r in zip(dt.reshape(len(dt), -1), rt.reshape(len(rt), -1), strict=True):
                cosine = row_d @ row_r / np.linalg.norm(row_d) / np.linalg.norm(row_r)
                assert cosine == pytest.approx(1.0, abs=1e-12)


def test_ignore_none_keeps_1d_tensors_normalised_as_one_filter(weights):
    d = random_direction(weights, SHAPES, ignore=None, seed=3)
    for dt, wt in zip(_tensors(d), _tensors(weights), strict=True):
        if dt.ndim == 1:
            assert np.linalg.norm(dt) == pytest.approx(np.linalg.norm(wt), rel=1e-12)
            assert not np.allclose(dt, wt)  # still random, not a copy


def test_ignore_copy_sets_1d_tensors_to_the_weights(weights):
    d = random_direction(weights, SHAPES, ignore="copy", seed=3)
    for dt, wt in zip(_tensors(d), _tensors(weights), strict=True):
        if dt.ndim == 1:
            np.testing.assert_array_equal(dt, wt)


def test_layer_normalisation_and_raw_directions(weights):
    d = random_direction(weights, SHAPES, normalization="layer", seed=5)
    raw = random_direction(weights, SHAPES, normalization=None, ignore=None, seed=5)
    np.testing.assert_array_equal(raw, np.random.default_rng(5).standard_normal(P))
    for dt, wt in zip(_tensors(d), _tensors(weights), strict=True):
        if dt.ndim > 1:  # the whole tensor, not each filter
            assert np.linalg.norm(dt) == pytest.approx(np.linalg.norm(wt), rel=1e-12)
    conv = _tensors(d)[0].reshape(4, -1)
    assert not np.allclose(  # so the filters differ from the weights' filters
        np.linalg.norm(conv, axis=1), np.linalg.norm(_tensors(weights)[0].reshape(4, -1), axis=1)
    )


def test_zero_filters_get_zero_directions_and_seeds_repeat():
    w = np.array([0.0, 0.0, 3.0, 4.0])  # W = [[0, 0], [3, 4]]
    d = random_direction(w, [(2, 2)], seed=0)
    assert np.all(d[:2] == 0.0) and np.linalg.norm(d[2:]) == pytest.approx(5.0)
    np.testing.assert_array_equal(d, random_direction(w, [(2, 2)], seed=0))
    assert not np.array_equal(d, random_direction(w, [(2, 2)], seed=1))


@pytest.mark.parametrize(
    ("shapes", "kwargs", "error"),
    [
        ([(3, 3)], {}, ShapeError),  # 9 parameters, weights has P
        ([(2, 0)], {}, ShapeError),
        ("abc", {}, ShapeError),
        (SHAPES, {"normalization": "batch"}, ChoiceError),
        (SHAPES, {"ignore": "bias"}, ChoiceError),
    ],
)
def test_random_direction_rejects_bad_input(weights, shapes, kwargs, error):
    with pytest.raises(error):
        random_direction(weights, shapes, **kwargs)


def test_random_direction_rejects_non_finite_weights():
    with pytest.raises(ShapeError, match="NaN"):
        random_direction([1.0, np.nan], [(2,)])


# -- slices ---------------------------------------------------------------------------


def _quadratic(n: int, seed: int = 0) -> np.ndarray:
    m = np.random.default_rng(seed).normal(size=(n, n))
    return m @ m.T + np.eye(n)


def test_slice_2d_of_a_quadratic_is_the_closed_form():
    rng = np.random.default_rng(1)
    A = _quadratic(6)
    theta, d1, d2 = rng.normal(size=(3, 6))
    alphas, betas = np.linspace(-1, 1, 7), np.linspace(-0.5, 2.0, 5)

    def loss(t):  # ½ tᵀ A t on (..., 6)
        return 0.5 * np.einsum("...i,ij,...j->...", t, A, t)

    values = slice_2d(loss, theta, d1, d2, alphas, betas)
    # ½(θ+αu+βv)ᵀA(θ+αu+βv) = ½θᵀAθ + α uᵀAθ + β vᵀAθ + ½α² uᵀAu + αβ uᵀAv + ½β² vᵀAv
    a, b = alphas[:, None], betas[None, :]
    expected = (
        0.5 * theta @ A @ theta
        + a * (d1 @ A @ theta)
        + b * (d2 @ A @ theta)
        + 0.5 * a**2 * (d1 @ A @ d1)
        + a * b * (d1 @ A @ d2)
        + 0.5 * b**2 * (d2 @ A @ d2)
    )
    assert values.shape == (7, 5)
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-12)


def test_the_default_grid_is_51_by_51_on_the_unit_square():
    def loss(t):
        return np.sum(t**2, axis=-1)

    values = slice_2d(loss, [0.5, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0])
    g = np.linspace(-1.0, 1.0, 51)
    # (0.5 + α)² + β² + 1 on the grid
    np.testing.assert_allclose(values, (0.5 + g[:, None]) ** 2 + g[None, :] ** 2 + 1, rtol=1e-14)
    line = slice_1d(loss, [0.5, 0.0, 1.0], [1.0, 0.0, 0.0])
    np.testing.assert_allclose(line, (0.5 + g) ** 2 + 1, rtol=1e-14)


def test_slice_2d_evaluates_in_chunks_and_one_by_one_alike():
    A = _quadratic(4, seed=2)
    theta, d1, d2 = np.random.default_rng(3).normal(size=(3, 4))
    grid = np.linspace(-1, 1, 9)
    calls = []

    def batched(t):
        calls.append(t.shape)
        return 0.5 * np.einsum("...i,ij,...j->...", t, A, t)

    whole = slice_2d(batched, theta, d1, d2, grid, grid, batched=True)
    calls.clear()
    chunked = slice_2d(batched, theta, d1, d2, grid, grid, batched=True, chunk=10)
    assert calls[0] == (10, 4) and len(calls) == 9  # 81 points in stacks of 10
    single = slice_2d(lambda t: float(0.5 * t @ A @ t), theta, d1, d2, grid, grid, batched=False)
    np.testing.assert_allclose(chunked, whole, rtol=1e-13)
    np.testing.assert_allclose(single, whole, rtol=1e-13)


def test_a_loss_that_cannot_take_a_stack_falls_back_with_a_note():
    def scalar_only(t):
        return float(np.sum(np.asarray(t) ** 2))  # TypeError on a stack of two

    with pytest.warns(UserWarning, match="one by one"):
        values = slice_1d(scalar_only, [1.0, 0.0], [0.0, 1.0], [0.0, 2.0])
    np.testing.assert_allclose(values, [1.0, 5.0])


def test_auto_detection_does_not_trust_a_loss_that_mixes_up_axes():
    # sum over the first axis: a (2, 2) stack returns shape (2,), but the wrong numbers
    def wrong_axis(t):
        return np.sum(np.asarray(t) ** 2, axis=0)

    with pytest.warns(UserWarning, match="one by one"):
        values = slice_1d(wrong_axis, [1.0, 0.0], [0.0, 1.0], [0.0, 2.0])
    np.testing.assert_allclose(values, [1.0, 5.0])


def test_slice_1d_interpolation_ends_are_the_two_solutions():
    A = _quadratic(5, seed=4)
    theta_a, theta_b = np.random.default_rng(5).normal(size=(2, 5))

    def loss(t):
        return 0.5 * np.einsum("...i,ij,...j->...", t, A, t)

    alphas = np.linspace(-0.5, 1.5, 9)  # 0 and 1 are on the grid
    values = slice_1d(loss, theta_a, theta_b - theta_a, alphas)
    assert values[2] == pytest.approx(0.5 * theta_a @ A @ theta_a, rel=1e-12)
    assert values[6] == pytest.approx(0.5 * theta_b @ A @ theta_b, rel=1e-12)


def test_slices_accept_an_objective_and_its_compiled_form():
    f = symopt.Objective("x**2 + 3*y**2 + x*y")
    alphas = np.array([-1.0, 0.5])
    for loss in (f, f.compile()):
        # at (x, y) = (α, 2): α² + 12 + 2α, i.e. 11 at α = -1 and 13.25 at α = 0.5
        values = slice_2d(loss, [0.0, 2.0], [1.0, 0.0], [0.0, 1.0], alphas, [0.0])
        np.testing.assert_allclose(values[:, 0], [11.0, 13.25], rtol=1e-12)
        np.testing.assert_allclose(slice_1d(loss, [0.0, 2.0], [1.0, 0.0], alphas), [11.0, 13.25])


def test_slices_accept_an_empirical_risk():
    from symopt.stochastic import EmpiricalRisk

    z = np.random.default_rng(6).normal(2.0, 1.5, 300)
    risk = EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": z})
    thetas = np.linspace(-1.0, 3.0, 5)
    values = slice_1d(risk, [0.0], [1.0], thetas)
    # mean of (θ - z)²/2 = (θ² - 2θ·mean(z) + mean(z²)) / 2
    expected = (thetas**2 - 2 * thetas * z.mean() + np.mean(z**2)) / 2
    np.testing.assert_allclose(values, expected, rtol=1e-12)


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (([0.0, 0.0], [1.0], [0.0]), ShapeError),  # direction of the wrong length
        (([0.0, 0.0], [1.0, 0.0], [[0.0]]), ShapeError),  # alphas not 1-D
        (([0.0, np.inf], [1.0, 0.0], [0.0]), ShapeError),
    ],
)
def test_slice_1d_rejects_bad_shapes(args, error):
    with pytest.raises(error):
        slice_1d(lambda t: np.sum(t**2, axis=-1), *args)


def test_slice_rejects_a_loss_without_value_and_a_bad_chunk():
    with pytest.raises(ArgumentTypeError, match=r"callable.*got int"):
        slice_1d(42, [0.0], [1.0], [0.0])
    with pytest.raises(HyperparameterError):
        slice_1d(lambda t: t[..., 0], [0.0], [1.0], [0.0], chunk=0)
    with pytest.raises(ShapeError, match="single number"):
        slice_1d(lambda t: np.array([1.0, 2.0]), [0.0], [1.0], [0.0], batched=False)


# -- PCA of a path --------------------------------------------------------------------


def test_pca_of_a_path_in_a_plane_recovers_the_plane():
    rng = np.random.default_rng(8)
    basis, _ = np.linalg.qr(rng.normal(size=(30, 2)))  # an orthonormal plane in R^30
    origin = rng.normal(size=30)
    t = np.linspace(0.0, 1.0, 25)
    coords = np.stack([3 * (1 - t) ** 2, np.sin(5 * t) * (1 - t)], axis=1)
    path = origin + coords @ basis.T  # ends at the origin
    d1, d2, explained = pca_directions(path)
    assert explained.sum() == pytest.approx(1.0, abs=1e-12)
    assert explained[0] >= explained[1] > 0
    assert d1 @ d2 == pytest.approx(0.0, abs=1e-12)
    assert np.linalg.norm(d1) == pytest.approx(1.0) and np.linalg.norm(d2) == pytest.approx(1.0)
    # both directions lie in the plane, and the plane's vectors are spanned by them
    for d in (d1, d2):
        assert np.linalg.norm(d - basis @ (basis.T @ d)) < 1e-12
    both = np.stack([d1, d2], axis=1)
    assert np.linalg.norm(basis - both @ (both.T @ basis)) < 1e-12
    # the projected path reproduces the path exactly (it lies in the plane)
    xy = project(path, d1, d2, path[-1])
    np.testing.assert_allclose(path[-1] + xy @ both.T, path, atol=1e-12)
    assert np.all(xy[0] >= 0)  # the sign convention: the start has positive coordinates


def test_pca_explained_variance_matches_scikit_learn():
    sklearn = pytest.importorskip("sklearn.decomposition", reason="scikit-learn not installed")
    path = np.cumsum(np.random.default_rng(9).normal(size=(40, 12)), axis=0)
    _, _, explained = pca_directions(path)
    reference = sklearn.PCA(n_components=2).fit(path - path[-1])  # Li et al.'s recipe
    np.testing.assert_allclose(explained, reference.explained_variance_ratio_, rtol=1e-10)
    d1, d2, _ = pca_directions(path)
    for mine, theirs in zip((d1, d2), reference.components_, strict=True):
        assert abs(mine @ theirs) == pytest.approx(1.0, abs=1e-10)


def test_pca_rejects_short_or_still_paths():
    with pytest.raises(ShapeError):
        pca_directions(np.zeros((2, 5)))
    with pytest.raises(DegenerateError, match="does not move"):
        pca_directions(np.ones((5, 3)))


def test_path_plane_grid_covers_the_path_and_evaluates_the_loss():
    t = np.linspace(1.0, 0.0, 15)[:, None]
    path = np.hstack([2 * t, t**2, 0 * t, 0.5 + 0 * t])

    def loss(x):
        return np.sum((x - 0.5 * (np.arange(4) == 3)) ** 2, axis=-1)

    plane = path_plane(loss, path, n=9, margin=0.1)
    assert plane.values.shape == (9, 9)
    lo, hi = plane.coords.min(axis=0), plane.coords.max(axis=0)
    assert plane.alphas[0] < lo[0] and plane.alphas[-1] > hi[0]
    np.testing.assert_allclose(plane.path_values, loss(path), rtol=1e-12)
    # every grid value is the loss at origin + α d1 + β d2
    i, j = 3, 7
    point = plane.origin + plane.alphas[i] * plane.d1 + plane.betas[j] * plane.d2
    assert plane.values[i, j] == pytest.approx(float(loss(point)), rel=1e-12)


# -- roughness ------------------------------------------------------------------------


def test_roughness_counts_the_minima_of_an_egg_crate():
    g = np.linspace(0.0, 4.0, 41)  # cos(2π x) has interior minima at x = 0.5, 1.5, 2.5, 3.5
    z = 3.0 + np.cos(2 * np.pi * g)[:, None] + np.cos(2 * np.pi * g)[None, :]
    rough = roughness(z)
    assert rough.local_minima == 16  # 4 x 4
    assert 0.2 < rough.negative_curvature < 1.0
    assert rough.ratio == pytest.approx(5.0 / 1.0)


def test_roughness_of_a_saddle_is_all_negative_curvature():
    g = np.linspace(-1.0, 1.0, 11)
    assert roughness(5 + g[:, None] ** 2 - g[None, :] ** 2).negative_curvature == 1.0
    assert roughness(5 + g[:, None] * g[None, :]).negative_curvature == 1.0  # det < 0


# -- plots ----------------------------------------------------------------------------


def test_plots_label_their_axes(tmp_path):
    import matplotlib.pyplot as plt

    from symopt.plot import plot_path_pca, plot_slice_1d, plot_slice_2d

    plt.close("all")  # figures earlier tests left open would trip matplotlib's 20-figure warning
    g = np.linspace(-1, 1, 11)
    values = 0.01 + (g[:, None] ** 2 + 3 * g[None, :] ** 2) * 100  # spans decades: log
    fig = plot_slice_2d(g, g, values, kind="filled")
    assert fig.axes[1].get_yscale() == "log" and fig.axes[1].get_ylabel() == "loss"
    fig = plot_slice_2d(g, g, values, kind="surface")
    assert fig.axes[0].get_zlabel() == "log₁₀ loss"
    fig = plot_slice_1d(g, {"a": g**2 + 1, "b": g**2 + 2}, marks=[0.0])
    assert [t.get_text() for t in fig.axes[0].get_legend().get_texts()] == ["a", "b"]
    t = np.linspace(1.0, 0.0, 12)[:, None]
    plane = path_plane(lambda x: np.sum(x**2, axis=-1), np.hstack([t, t**3, 0 * t]), n=7)
    fig = plot_path_pca(plane)
    assert fig.axes[0].get_xlabel() == f"PC1 ({100 * plane.explained[0]:.1f} %)"
    fig.savefig(tmp_path / "path.png")
    plt.close("all")
    with pytest.raises(HyperparameterError):
        plot_slice_2d(g, g, values, kind="heatmap")
    with pytest.raises(ShapeError):
        plot_slice_2d(g, g[:-1], values)
