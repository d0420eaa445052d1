"""symopt.theory: closed forms vs numerically computed eigenvalues, exact regimes of the
lecture's settings, optima vs brute force, measured vs predicted rates, examples.

References are independent of the code under test: iteration matrices built here with
NumPy from the update rules, ``numpy.linalg.eigvals``, hand-derived factors (in
comments), brute-force grids, and direct counts.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symopt
from symopt import theory
from symopt.errors import HyperparameterError, ShapeError, SymoptError
from symopt.symbolic.quadratic import quadratic

GD_SETTINGS = [  # the lecture's gradient-descent slides: (H, lr)
    (((1, 0), (0, 1)), 0.1),
    (((4, 0), (0, 1)), 0.1),
    (((9.9, 0), (0, 1)), 0.1),
    (((10, 0), (0, 1)), 0.1),
    (((10, 0), (0, 1)), 0.01),
]
MOMENTUM_SETTINGS = [  # the lecture's momentum slides: (H, lr, mu)
    (((2, 0), (0, 1)), 0.01, 0.95),
    (((2, 0), (0, 1)), 0.1, 0.5),
    (((9.9, 0), (0, 1)), 0.1, 0.5),
]
SCALES = (1 / 2, 1)


def gd_matrix(H, lr, scale):
    """One GD step on scale·xᵀHx: x ← x − lr·2·scale·Hx."""
    H = np.asarray(H, dtype=float)
    return np.eye(len(H)) - lr * 2 * scale * H


def momentum_matrix(H, lr, mu, scale):
    """One heavy-ball step on the state (x, v), built by applying the rule
    v ← μv − lr·g, x ← x + v to the unit vectors (g = 2·scale·Hx)."""
    H = np.asarray(H, dtype=float)
    n = len(H)
    columns = []
    for state in np.eye(2 * n):
        x, v = state[:n], state[n:]
        v = mu * v - lr * 2 * scale * H @ x
        x = x + v
        columns.append(np.concatenate([x, v]))
    return np.array(columns).T


def radius(M):
    return float(np.max(np.abs(np.linalg.eigvals(M))))


def random_spd(seed, n):
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n))
    return A @ A.T / n + 0.3 * np.eye(n)


# -- closed forms vs numeric eigenvalues ------------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("H, lr", [*GD_SETTINGS, (random_spd(0, 3), 0.2), (random_spd(1, 4), 0.05)])
def test_gd_closed_forms_match_the_iteration_matrix(H, lr, scale):
    a = theory.gd(H, lr=lr, scale=scale)
    M = gd_matrix(H, lr, scale)
    np.testing.assert_allclose(a.iteration_matrix, M, atol=1e-14)
    assert a.spectral_radius == pytest.approx(radius(M), abs=1e-12)
    assert sorted(a.factors) == pytest.approx(sorted(np.linalg.eigvals(M).real), abs=1e-12)
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    assert a.stable_lr_limit == pytest.approx(2 / (2 * scale * lam.max()), rel=1e-12)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize(
    "H, lr, mu",
    [*MOMENTUM_SETTINGS, (random_spd(2, 3), 0.1, 0.7), (random_spd(3, 4), 0.3, 0.2)],
)
def test_momentum_closed_forms_match_the_iteration_matrix(H, lr, mu, scale):
    a = theory.momentum(H, lr=lr, mu=mu, scale=scale)
    M = momentum_matrix(H, lr, mu, scale)
    np.testing.assert_allclose(a.iteration_matrix, M, atol=1e-14)
    assert a.spectral_radius == pytest.approx(radius(M), abs=1e-9)
    # the per-direction roots are all the eigenvalues of the 2n×2n matrix
    roots = np.array([z for pair in a.roots for z in pair], dtype=complex)
    eig = np.linalg.eigvals(M)
    assert np.sort_complex(np.round(roots, 9)) == pytest.approx(
        np.sort_complex(np.round(eig, 9)), abs=1e-8
    )
    for lam, (z1, z2), T in zip(a.eigenvalues, a.roots, a.direction_matrices, strict=True):
        c = 2 * scale * lam
        # z² − (1 + μ − lr·c·λ)z + μ = 0
        ref = np.roots([1, -(1 + mu - lr * c), mu])
        assert sorted([z1, z2], key=lambda z: (z.real, z.imag)) == pytest.approx(
            sorted(ref, key=lambda z: (z.real, z.imag)), abs=1e-12
        )
        np.testing.assert_allclose(T, [[1 - lr * c, mu], [-lr * c, mu]], atol=1e-14)


def test_momentum_matrix_is_what_the_optimizer_does():
    # one step of symopt.optim.momentum from (x0, v0 = 0) equals the first block row of
    # the iteration matrix applied to (x0, 0); two steps equal M² (x0, 0)
    H, lr, mu, scale = ((9.9, 0), (0, 1)), 0.1, 0.5, 1
    a = theory.momentum(H, lr=lr, mu=mu, scale=scale)
    x0 = np.array([0.7, -1.3])
    traj = theory.simulate([a], x0, steps=2)
    state = np.concatenate([x0, [0, 0]])
    M = a.iteration_matrix
    np.testing.assert_allclose(traj.x[1, 0], (M @ state)[:2], rtol=1e-14)
    np.testing.assert_allclose(traj.x[2, 0], (M @ M @ state)[:2], rtol=1e-13, atol=1e-15)


# -- exact regimes of the lecture's settings --------------------------------------------

# scale 1 (f = xᵀHx, the slides): factor 1 − 2ηλ;  scale ½: factor 1 − ηλ
GD_EXPECTED = {
    # (H index, scale): (factors, ρ, regime)
    (0, 1): ([0.8, 0.8], 0.8, "convergent"),  # 1 − 0.2
    (1, 1): ([0.2, 0.8], 0.8, "convergent"),  # 1 − 0.8, 1 − 0.2
    (2, 1): ([-0.98, 0.8], 0.98, "convergent"),  # 1 − 1.98: the slow zig-zag
    (3, 1): ([-1.0, 0.8], 1.0, "boundary"),  # 1 − 2: endless zig-zag
    (4, 1): ([0.8, 0.98], 0.98, "convergent"),  # 1 − 0.2, 1 − 0.02
    (0, 1 / 2): ([0.9, 0.9], 0.9, "convergent"),
    (1, 1 / 2): ([0.6, 0.9], 0.9, "convergent"),
    (2, 1 / 2): ([0.01, 0.9], 0.9, "convergent"),
    (3, 1 / 2): ([0.0, 0.9], 0.9, "convergent"),  # x1 gone after one step
    (4, 1 / 2): ([0.9, 0.99], 0.99, "convergent"),
}


@pytest.mark.parametrize("index, scale", list(GD_EXPECTED))
def test_gd_regimes_of_the_lecture(index, scale):
    H, lr = GD_SETTINGS[index]
    factors, rho, regime = GD_EXPECTED[index, scale]
    a = theory.gd(H, lr=lr, scale=scale)
    assert a.factors == pytest.approx(factors, abs=1e-15)
    assert a.spectral_radius == pytest.approx(rho, abs=1e-15)
    assert a.regime == regime


def test_the_lecture_boundary_is_exact_and_conventions_differ():
    a = theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1, exact=True)
    assert a.factors == [-1, sp.Rational(4, 5)]  # exact, not -0.9999999999999998
    assert a.spectral_radius == 1 and a.regime == "boundary"
    assert a.regimes == ["zig-zag", "monotone"]
    half = theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1 / 2)
    assert half.regimes == ["one step", "monotone"] and half.regime == "convergent"
    # just past the boundary: 1 − 2·0.11·10 = −1.2
    assert theory.gd([[10, 0], [0, 1]], lr=0.11, scale=1).regime == "divergent"
    assert theory.gd([[10, 0], [0, 1]], lr=0.01, scale=1).regime == "convergent"
    # a float that misses 0.1 by 1e-12 is divergent exactly, boundary within atol
    assert theory.gd([[10, 0], [0, 1]], lr=0.1 + 1e-12, scale=1).regime == "divergent"
    assert theory.gd([[10, 0], [0, 1]], lr=0.1 + 1e-12, scale=1, atol=1e-9).regime == "boundary"
    # limits: η < 2/λ_max (scale ½), η < 1/λ_max (scale 1)
    assert half.stable_lr_limit == pytest.approx(0.2)
    assert a.stable_lr_limit == 1 / sp.Integer(10)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("H, lr, mu", MOMENTUM_SETTINGS)
def test_momentum_regimes_of_the_lecture(H, lr, mu, scale):
    # every lecture setting is under-damped in both directions under both conventions,
    # e.g. diag(9.9, 1), η = 0.1, μ = 0.5, scale 1: b = 1.5 − 1.98 = −0.48, Δ = 0.2304 − 2 < 0
    # and b = 1.5 − 0.2 = 1.3, Δ = 1.69 − 2 < 0; so ρ = √μ
    a = theory.momentum(H, lr=lr, mu=mu, scale=scale)
    assert a.regimes == ["under-damped", "under-damped"]
    assert a.spectral_radius == pytest.approx(math.sqrt(mu), abs=1e-15)
    assert a.regime == "convergent"
    for d, lam in zip(a.discriminants, a.eigenvalues, strict=True):
        assert d == pytest.approx((1 + mu - lr * 2 * scale * lam) ** 2 - 4 * mu, abs=1e-14)


def test_momentum_damping_regimes_and_critical_values():
    # 1-D, λ' = 1, η = 0.05: Δ = (1.05 + μ − 0.1·... ) — μ = 0 over-damped, μ = 0.9
    # under-damped, and μ = (1 − √0.05)² exactly critical
    H = [[1]]
    assert theory.momentum(H, lr=0.05, mu=0).regimes == ["over-damped"]
    assert theory.momentum(H, lr=0.05, mu=0.9).regimes == ["under-damped"]
    crit = theory.momentum(H, lr=0.05, mu=0.5, exact=True).critical_mu[0]
    assert sp.simplify(crit - (1 - sp.sqrt(sp.Rational(1, 20))) ** 2) == 0
    a = theory.momentum(H, lr=0.05, mu=crit)
    assert a.regimes == ["critically damped"]
    assert a.spectral_radius == pytest.approx(1 - math.sqrt(0.05), abs=1e-14)  # double root
    # critical lr at μ = 0.25: (1 − 0.5)²/λ' = 0.25 → Δ = (1.25 − 0.25)² − 1 = 0
    assert theory.momentum(H, mu=0.25).critical_lr == [pytest.approx(0.25)]
    assert theory.momentum(H, lr=0.25, mu=0.25).regimes == ["critically damped"]
    # ηλ' > (1 + √μ)²: real negative roots, "over-damped" by the discriminant
    assert theory.momentum(H, lr=2.5, mu=0.25).regimes == ["over-damped"]


def test_momentum_convergence_region_edges():
    # ηλ'_max = 2(1 + μ) is the boundary: diag(9.9, 1), scale 1, μ = 0.5 → η = 3/19.8
    H = [[9.9, 0], [0, 1]]
    limit = theory.momentum(H, mu=0.5, scale=1, exact=True).stable_lr_limit
    assert limit == sp.Rational(3) / sp.Rational(198, 10)
    assert theory.momentum(H, lr=limit, mu=0.5, scale=1).regime == "boundary"
    assert theory.momentum(H, lr=0.15, mu=0.5, scale=1).regime == "convergent"
    assert theory.momentum(H, lr=0.152, mu=0.5, scale=1).regime == "divergent"


# -- optima vs brute force --------------------------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("H", [GD_SETTINGS[2][0], GD_SETTINGS[1][0], random_spd(4, 3)])
def test_gd_optimum_beats_a_grid(H, scale):
    a = theory.gd(H, scale=scale)
    lrs = np.linspace(1e-4, a.stable_lr_limit, 4001)
    rho = np.array([radius(gd_matrix(H, lr, scale)) for lr in lrs])
    assert rho.min() >= a.optimal_rate - 1e-12  # nothing on the grid beats it
    assert rho.min() == pytest.approx(a.optimal_rate, abs=2e-3)
    assert lrs[np.argmin(rho)] == pytest.approx(a.optimal_lr, rel=2e-3)
    assert radius(gd_matrix(H, a.optimal_lr, scale)) == pytest.approx(a.optimal_rate, abs=1e-12)
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    kappa = lam.max() / lam.min()
    assert a.optimal_rate == pytest.approx((kappa - 1) / (kappa + 1), rel=1e-12)


def _momentum_radius_grid(H, lrs, mus, scale):
    """ρ over a grid from the eigenvalues of the 2×2 blocks, computed by NumPy."""
    lam = 2 * scale * np.linalg.eigvalsh(np.asarray(H, dtype=float))
    L, U = np.meshgrid(lrs, mus, indexing="ij")
    blocks = np.empty((*L.shape, len(lam), 2, 2))
    blocks[..., 0, 0] = 1 - L[..., None] * lam
    blocks[..., 0, 1] = U[..., None]
    blocks[..., 1, 0] = -L[..., None] * lam
    blocks[..., 1, 1] = U[..., None]
    return np.abs(np.linalg.eigvals(blocks)).max(axis=(-1, -2))


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("H", [GD_SETTINGS[2][0], MOMENTUM_SETTINGS[0][0]])
def test_momentum_optimum_beats_a_grid(H, scale):
    a = theory.momentum(H, scale=scale)
    lrs = np.linspace(1e-3, 1.2 * a.optimal_lr * 1.5, 301)
    mus = np.linspace(0, 0.99, 300)
    rho = _momentum_radius_grid(H, lrs, mus, scale)
    assert rho.min() >= a.optimal_rate - 1e-6
    assert rho.min() == pytest.approx(a.optimal_rate, abs=2e-2)
    i, j = np.unravel_index(np.argmin(rho), rho.shape)
    assert lrs[i] == pytest.approx(a.optimal_lr, rel=0.05)
    assert mus[j] == pytest.approx(a.optimal_mu, abs=0.03)
    exact = _momentum_radius_grid(H, [a.optimal_lr], [a.optimal_mu], scale)[0, 0]
    assert exact == pytest.approx(a.optimal_rate, abs=1e-6)  # a Jordan block: eig ~ √ε
    lam = np.linalg.eigvalsh(np.asarray(H, dtype=float))
    s = math.sqrt(lam.max() / lam.min())
    assert a.optimal_rate == pytest.approx((s - 1) / (s + 1), rel=1e-12)
    assert a.optimal_mu == pytest.approx(((s - 1) / (s + 1)) ** 2, rel=1e-12)
    # at the optimum both extreme directions are critically damped
    b = theory.momentum(H, lr=a.optimal_lr, mu=a.optimal_mu, scale=scale, atol=1e-12)
    assert b.regimes[0] == b.regimes[1] == "critically damped"


# -- symbols ----------------------------------------------------------------------------


def test_symbolic_gd_fields():
    a, b, d = sp.symbols("a b d", positive=True)
    g = theory.gd(sp.diag(a, b))
    assert g.stable_lr_limit == 2 / sp.Max(a, b)
    assert sp.simplify(g.stable_lr_limit.subs(a, b + d) - 2 / (b + d)) == 0  # a > b: 2/a
    assert theory.gd(sp.diag(b + d, b), scale=1).stable_lr_limit == 1 / (b + d)
    assert g.optimal_lr.subs({a: 10, b: 1}) == sp.Rational(2, 11)
    assert g.optimal_rate.subs({a: 10, b: 1}) == sp.Rational(9, 11)
    assert g.regime == "unknown"
    rho = g.spectral_radius.subs({a: 10, b: 1, theory.ETA: sp.Rational(1, 10)})
    assert rho == sp.Rational(9, 10)
    cond = g.convergence_condition.subs({a: 10, b: 1})
    assert bool(cond.subs(theory.ETA, sp.Rational(19, 100)))
    assert not bool(cond.subs(theory.ETA, sp.Rational(21, 100)))
    assert isinstance(g.iteration_matrix, sp.MatrixBase)
    assert "Max" in str(g)


def test_symbolic_lr_and_momentum_agree_with_numbers():
    H = [[9.9, 0], [0, 1]]
    g = theory.gd(H, scale=1)
    assert float(g.spectral_radius.subs(theory.ETA, sp.Rational(1, 10))) == pytest.approx(0.98)
    assert g.steps_to(1e-6).subs(theory.ETA, sp.Rational(1, 10)) == 684
    a, b = sp.symbols("a b", positive=True)
    m = theory.momentum(sp.diag(a, b))
    numeric = theory.momentum([[9, 0], [0, 1]])
    at = {a: 9, b: 1}
    assert float(m.optimal_lr.subs(at)) == pytest.approx(numeric.optimal_lr)  # (2/4)² = 1/4
    assert numeric.optimal_lr == pytest.approx(0.25)
    assert m.optimal_mu.subs(at) == sp.Rational(1, 4)  # ((3 − 1)/(3 + 1))²
    assert m.optimal_rate.subs(at) == sp.Rational(1, 2)
    assert m.regimes == ["unknown", "unknown"]
    rho = m.spectral_radius.subs(
        {**at, theory.ETA: sp.Rational(1, 10), theory.MU: sp.Rational(1, 2)}
    )
    assert float(rho) == pytest.approx(
        theory.momentum([[9, 0], [0, 1]], lr=0.1, mu=0.5).spectral_radius
    )


def test_objective_input_uses_its_hessian():
    f = quadratic([[10, 0], [0, 1]], scale=1)  # Hessian diag(20, 2)
    a = theory.gd(f, lr=0.1)
    assert a.eigenvalues == [20.0, 2.0]
    assert a.regime == "boundary"
    with pytest.raises(SymoptError, match="not quadratic"):
        theory.gd(symopt.Objective("x**4 + y**2"), lr=0.1)


# -- steps to a tolerance ---------------------------------------------------------------


def _count(rho: Fraction, tol: Fraction) -> int:
    t, power = 0, Fraction(1)
    while power > tol:
        t, power = t + 1, power * rho
    return t


@pytest.mark.parametrize(
    "H, lr, scale",
    [
        ([[4, 0], [0, 1]], 0.1, 1 / 2),  # ρ = 9/10
        ([[9.9, 0], [0, 1]], 0.1, 1),  # ρ = 49/50
        ([[1, 0], [0, 1]], 0.45, 1),  # ρ = 1/10: ρ⁶ = 1e-6 exactly
        ([[1, 0], [0, 1]], 0.5, 1 / 2),  # ρ = 1/2
    ],
)
@pytest.mark.parametrize("tol", [1e-6, 1e-3, 0.5])
def test_steps_to_counts_like_a_loop(H, lr, scale, tol):
    a = theory.gd(H, lr=lr, scale=scale, exact=True)
    rho = Fraction(str(a.spectral_radius))
    assert a.steps_to(tol) == _count(rho, Fraction(repr(tol)))


def test_steps_to_edge_cases():
    boundary = theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1)
    assert boundary.steps_to(1e-6) == math.inf
    assert theory.gd([[10, 0], [0, 1]], lr=0.2, scale=1).steps_to(1e-6) == math.inf
    one_step = theory.gd([[1, 0], [0, 1]], lr=1)  # factor 0: ρ = 0
    assert one_step.steps_to(1e-6) == 1
    assert one_step.steps_to(0) == 1
    assert theory.gd([[4, 0], [0, 1]], lr=0.1).steps_to(0) == math.inf
    assert theory.gd([[4, 0], [0, 1]], lr=0.1).steps_to(1.0) == 0
    # momentum with ρ = √(1/2): (1/2)^(t/2) <= 1e-6 ⇔ t >= 12·log2(10) = 39.86
    assert theory.momentum([[2, 0], [0, 1]], lr=0.1, mu=0.5).steps_to(1e-6) == 40
    with pytest.raises(HyperparameterError):
        boundary.steps_to(-1)


# -- measured vs predicted --------------------------------------------------------------


def test_measured_rates_match_the_prediction_for_every_lecture_setting():
    analyses = [theory.gd(H, lr=lr, scale=s) for s in SCALES for H, lr in GD_SETTINGS]
    analyses += [
        theory.momentum(H, lr=lr, mu=mu, scale=s) for s in SCALES for H, lr, mu in MOMENTUM_SETTINGS
    ]
    # diag(9.9, 1) at η = 0.1 without momentum is already among the GD settings
    measured = theory.measure(analyses)
    for m in measured:
        assert abs(m.measured - m.predicted) <= 1e-6, str(m)
        assert m.steps > 1000
    by_name = {
        (
            m.analysis.method,
            str(m.analysis.H.diagonal()),
            float(m.analysis.lr),
            float(m.analysis.scale),
        ): m
        for m in measured
    }
    boundary = by_name["gradient descent", "Matrix([[10, 1]])", 0.1, 1.0]
    assert boundary.predicted == 1.0 and boundary.measured == pytest.approx(1.0, abs=1e-6)


def test_measured_rates_of_divergent_and_random_settings():
    H = random_spd(5, 3)
    analyses = [
        theory.gd([[10, 0], [0, 1]], lr=0.11, scale=1),  # ρ = 1.2
        theory.momentum([[10, 0], [0, 1]], lr=0.25, mu=0.3, scale=1),
        theory.gd(H, lr=0.3),
        theory.momentum(H, lr=0.2, mu=0.6),
    ]
    for m in theory.measure(analyses, steps=3000):
        M = (momentum_matrix if hasattr(m.analysis, "mu") else gd_matrix)(
            np.array(m.analysis.H.evalf(), dtype=float),
            float(m.analysis.lr),
            *([float(m.analysis.mu)] if hasattr(m.analysis, "mu") else []),
            float(m.analysis.scale),
        )
        assert m.predicted == pytest.approx(radius(M), abs=1e-9)
        assert m.measured == pytest.approx(radius(M), abs=1e-6)


def test_measure_and_simulate_inputs():
    a = theory.gd([[4, 0], [0, 1]], lr=0.1)
    single = theory.measure(a, x0=[0.0, 1.0], steps=500)  # only the slow direction: ρ = 0.9
    assert isinstance(single, theory.Measurement)
    assert single.measured == pytest.approx(0.9, abs=1e-12)
    with pytest.raises(HyperparameterError, match="lr=eta is invalid: expected a number"):
        theory.measure(theory.gd([[4, 0], [0, 1]]))
    with pytest.raises(ShapeError):
        theory.measure(a, x0=[1.0, 2.0, 3.0])
    with pytest.raises(ShapeError):
        theory.measure(a, x0=[0.0, 0.0])
    with pytest.raises(HyperparameterError, match="expected analyses of one method and one size n"):
        theory.simulate([a, theory.momentum([[4, 0], [0, 1]], lr=0.1, mu=0.5)], [1.0, 1.0])
    with pytest.raises(HyperparameterError):
        theory.measure(a, steps=1)
    # the boundary zig-zag, step by step: x1 flips sign exactly, x2 shrinks by 0.8
    traj = theory.simulate([theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1)], [1.0, 1.0], steps=4)
    np.testing.assert_allclose(traj.x[:, 0, 0], [1, -1, 1, -1, 1], atol=1e-15)
    np.testing.assert_allclose(traj.x[:, 0, 1], 0.8 ** np.arange(5), rtol=1e-14)


def test_rate_map_predicted_and_measured():
    H = [[9.9, 0], [0, 1]]
    lrs, mus = np.linspace(0.005, 0.2, 14), np.linspace(0.0, 0.9, 11)
    rmap = theory.rate_map(H, lrs, mus, steps=300, scale=1)
    assert rmap.predicted.shape == rmap.measured.shape == (14, 11)
    reference = _momentum_radius_grid(H, lrs, mus, 1)
    np.testing.assert_allclose(rmap.predicted, reference, atol=1e-7)  # Jordan blocks: √ε
    gap = np.abs(rmap.measured - rmap.predicted)
    assert np.median(gap) < 1e-5
    assert np.all(gap < 0.05)
    with pytest.raises(HyperparameterError):
        theory.rate_map(H, [0.1], [1.0])
    with pytest.raises(HyperparameterError):
        theory.rate_map(H, [-0.1], [0.5])


# -- output -----------------------------------------------------------------------------


def test_text_tables():
    text = str(theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1))
    assert "f = xᵀHx (gradient 2Hx)" in text
    assert "boundary" in text and "zig-zag" in text and "inf" in text
    text = str(theory.momentum([[9.9, 0], [0, 1]], lr=0.1, mu=0.5, scale=1))
    assert "-0.24 ± 0.665132i" in text  # b = 1.5 − 1.98 = −0.48, √(2 − 0.2304)/2 = 0.665132
    assert "under-damped" in text and "0.707107" in text
    m = theory.measure(theory.gd([[4, 0], [0, 1]], lr=0.1))
    assert "diag(4, 1)" in theory.table([m])


def test_plots(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from symopt.plot import plot_rate_map, plot_spectral_radius

    fig = plot_spectral_radius(theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1))
    labels = fig.axes[0].get_legend_handles_labels()[1]
    assert any("0.1 (boundary)" not in s and "boundary" in s for s in labels)
    fig.savefig(tmp_path / "rho.png")
    _, ax = plt.subplots()
    assert plot_spectral_radius(theory.momentum([[2, 0], [0, 1]], mu=0.5), ax=ax) is ax.figure
    rmap = theory.rate_map(
        [[2, 0], [0, 1]], np.linspace(0.05, 2, 6), np.linspace(0, 0.9, 5), steps=50
    )
    fig = plot_rate_map(rmap)
    assert [a.get_xlabel() for a in fig.axes[:2]] == ["learning rate η"] * 2
    fig = rmap.plot(what="measured")
    assert fig.axes[0].get_title() == "measured rate (one sweep)"
    with pytest.raises(SymoptError):
        plot_rate_map(rmap, what="nothing")
    plt.close("all")


# -- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: theory.gd([[1, 0, 0], [0, 1, 0]], lr=0.1), ShapeError, "square"),
        (lambda: theory.gd([1, 2], lr=0.1), ShapeError, "square"),
        (lambda: theory.gd([[1, 0], [0, 1]], lr=-0.1), HyperparameterError, "lr"),
        (lambda: theory.gd([[1, 0], [0, 1]], lr=0), HyperparameterError, "lr"),
        (lambda: theory.gd([[1, 0], [0, 1]], lr=float("nan")), SymoptError, "finite"),
        (lambda: theory.gd([[1, 0], [0, 1]], lr="0.1"), SymoptError, "real number"),
        (lambda: theory.gd([[1, 0], [0, 1]], lr=0.1, scale=0), HyperparameterError, "scale"),
        (lambda: theory.gd([[{}, 0], [0, 1]], lr=0.1), SymoptError, "number"),
        (lambda: theory.momentum([[1, 0], [0, 1]], lr=0.1, mu=1.0), HyperparameterError, "mu"),
        (lambda: theory.momentum([[1, 0], [0, 1]], lr=0.1, mu=-0.1), HyperparameterError, "mu"),
        (lambda: theory.gd([[1, 0], [0, 1]], lr=0.1, atol=-1), HyperparameterError, "atol"),
    ],
)
def test_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_not_positive_definite():
    saddle = theory.gd([[-1, 0], [0, 1]], lr=0.1)  # factor 1.1 along the negative curvature
    assert saddle.regime == "divergent"
    assert saddle.optimal_lr is None and saddle.optimal_rate is None
    flat = theory.momentum([[0, 0], [0, 1]], lr=0.1, mu=0.5)  # a root z = 1 along λ = 0
    assert flat.regime == "boundary"
    assert flat.optimal_mu is None
    assert "not positive definite" in str(flat)
