"""Quadratic forms and definiteness, checked against hand-derived answers and NumPy."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import sympy as sp

import symopt
from symopt.errors import HyperparameterError, ShapeError, SymoptError
from symopt.symbolic.forms import definiteness, inertia
from symopt.symbolic.numbers import sign
from symopt.symbolic.quadratic import Quadratic, quadratic

# The lecture's six matrices.  For a diagonal H the eigenvalues are the diagonal; for
# [[2, -1], [-1, 1]] the characteristic polynomial is λ² − 3λ + 1, so λ = (3 ∓ √5)/2, both
# > 0, and κ = (3 + √5)/(3 − √5) = (3 + √5)²/4 = (7 + 3√5)/2.
LECTURE = [
    ([[1, 0], [0, 1]], "positive definite", [1, 1], 1),
    ([[4, 0], [0, 1]], "positive definite", [1, 4], 4),
    (
        [[2, -1], [-1, 1]],
        "positive definite",
        [(3 - sp.sqrt(5)) / 2, (3 + sp.sqrt(5)) / 2],
        (7 + 3 * sp.sqrt(5)) / 2,
    ),
    ([[1, 0], [0, -1]], "indefinite", [-1, 1], 1),
    ([[-1, 0], [0, 1]], "indefinite", [-1, 1], 1),
    ([[-4, 0], [0, 1]], "indefinite", [-4, 1], 4),
]


@pytest.mark.parametrize(("H", "label", "eigenvalues", "kappa"), LECTURE)
def test_lecture_matrices(H, label, eigenvalues, kappa):
    q = quadratic(H)
    assert definiteness(H) == label == q.definiteness
    assert all(sp.simplify(a - b) == 0 for a, b in zip(q.eigenvalues, eigenvalues, strict=True))
    assert sp.simplify(q.condition_number - kappa) == 0
    assert q.kind == ("minimum" if label == "positive definite" else "saddle")
    assert q.stationary_point == dict.fromkeys(q.variables, 0)


@pytest.mark.parametrize(("H", "label"), [(H, label) for H, label, _, _ in LECTURE])
def test_lecture_matrices_as_numpy_floats(H, label):
    assert definiteness(np.array(H, dtype=float)) == label


# Semidefinite cases where the leading-principal-minor test goes wrong:
# [[0, 0], [0, -1]] has leading minors 0, 0 yet is negative semidefinite (eigenvalues 0, -1);
# diag(1, 0, -1) has leading minors 1, 0, 0 yet is indefinite.
@pytest.mark.parametrize(
    ("M", "label"),
    [
        ([[1, 1], [1, 1]], "positive semidefinite"),  # eigenvalues 0, 2
        ([[0, 0], [0, -1]], "negative semidefinite"),
        ([[1, 0, 0], [0, 0, 0], [0, 0, -1]], "indefinite"),
        ([[0, 0], [0, 0]], "positive semidefinite"),  # documented convention for 0
        ([[1, 2], [2, 4]], "positive semidefinite"),  # det 0, trace 5
        ([[-2, 1], [1, -2]], "negative definite"),  # eigenvalues -1, -3
        ([[0, 1], [1, 0]], "indefinite"),  # eigenvalues ±1
        ([[2, sp.sqrt(2)], [sp.sqrt(2), 1]], "positive semidefinite"),  # det 2 - 2 = 0
        ([[sp.pi, 0], [0, sp.E]], "positive definite"),
        ([[1, 0], [0, sp.sqrt(2) - sp.Rational(141, 100)]], "positive definite"),  # 0.0042
        ([[1, 0], [0, sp.sqrt(2) - sp.Rational(142, 100)]], "indefinite"),  # -0.0058
    ],
)
def test_exact_definiteness(M, label):
    assert definiteness(M) == label


def test_inertia_counts_zero_eigenvalues():
    # diag(3, 0, 0, -2): one positive, two zero, one negative
    assert inertia(sp.diag(3, 0, 0, -2)) == (1, 2, 1)


def test_symbolic_entries_decided_by_assumptions_or_unknown():
    a = sp.Symbol("a", positive=True)
    t = sp.Symbol("t", real=True)
    assert definiteness([[a, 0], [0, a**2 + 1]]) == "positive definite"
    assert definiteness([[t**2 + 1, 0], [0, -1]]) == "indefinite"
    assert definiteness([[t, 0], [0, 1]]) == "unknown"  # sign of t undecidable
    assert inertia([[t, 0], [0, 1]]) is None


def test_float_tolerance():
    # eigenvalues 0 and 2 up to rounding: semidefinite within the relative tolerance
    assert definiteness([[1.0, 1.0], [1.0, 1.0 + 1e-15]]) == "positive semidefinite"
    # a small but clearly positive eigenvalue (1e-8 relative) stays positive definite
    assert definiteness([[1e-8, 0.0], [0.0, 1.0]]) == "positive definite"
    assert definiteness([[1e-8, 0.0], [0.0, 1.0]], rtol=1e-6) == "positive semidefinite"


def test_random_integer_matrices_agree_with_numpy():
    # Independent reference: NumPy's eigenvalues, on matrices whose eigenvalues are
    # either exactly 0 (built singular) or well away from 0.
    rng = np.random.default_rng(7)
    for _ in range(40):
        n = int(rng.integers(1, 5))
        B = rng.integers(-3, 4, (n, n))
        rank = int(rng.integers(0, n + 1))
        signs = rng.choice([-1, 1], n)
        signs[rank:] = 0
        M = B @ np.diag(signs) @ B.T  # inertia <= the signs (Sylvester)
        values = np.linalg.eigvalsh(M.astype(float))
        tol = 1e-9 * max(1.0, np.abs(values).max())
        pos, neg = int((values > tol).sum()), int((values < -tol).sum())
        assert inertia(M.tolist()) == (pos, n - pos - neg, neg)


def test_sign():
    x = sp.Symbol("x", real=True)
    assert sign(sp.sqrt(2) * sp.sqrt(3) - sp.sqrt(6)) == 0
    assert sign(sp.pi - sp.Rational(355, 113)) == -1  # 355/113 exceeds π by 2.7e-7
    assert sign(x**2 + 1) == 1
    assert sign(x) is None


def test_bad_matrices():
    with pytest.raises(ShapeError, match="square"):
        definiteness([[1, 2, 3], [4, 5, 6]])
    with pytest.raises(ShapeError, match="square"):
        definiteness([])
    with pytest.raises(ShapeError, match="2-D"):
        definiteness([1, 2])
    with pytest.raises(SymoptError, match="finite"):
        definiteness([[1, float("nan")], [0, 1]])
    with pytest.raises(SymoptError, match="finite"):
        definiteness(np.array([[np.inf, 0], [0, 1]]))
    with pytest.raises(SymoptError, match="complex"):
        definiteness([[1j, 0], [0, 1]])


def test_non_symmetric_uses_symmetric_part_with_a_warning():
    # [[1, 2], [0, 1]] has symmetric part [[1, 1], [1, 1]]: eigenvalues 0, 2
    with pytest.warns(UserWarning, match=r"symmetric part"):
        assert definiteness([[1, 2], [0, 1]]) == "positive semidefinite"
    with pytest.warns(UserWarning, match=r"symmetric part"):
        q = quadratic([[1, 2], [0, 1]])
    assert q.H == sp.Matrix([[1, 1], [1, 1]])


def test_quadratic_scale_convention():
    x1, x2 = sp.symbols("x1 x2", real=True)
    H = [[2, -1], [-1, 1]]
    half = quadratic(H)  # ½xᵀHx: gradient Hx
    assert sp.expand(half.expr - (x1**2 - x1 * x2 + x2**2 / 2)) == 0
    assert half.gradient == sp.Matrix([2 * x1 - x2, -x1 + x2])
    assert half.hessian == sp.Matrix(H)
    one = quadratic(H, scale=1)  # xᵀHx: gradient 2Hx
    assert one.gradient == sp.Matrix([4 * x1 - 2 * x2, -2 * x1 + 2 * x2])
    assert isinstance(one, Quadratic) and isinstance(one, symopt.Objective)
    assert symopt.definiteness is definiteness
    # `symopt.quadratic` is the function's name and, once imported, the module's: both call
    assert isinstance(symopt.quadratic(H), Quadratic)
    assert symopt.quadratic(H).expr == half.expr


def test_stationary_point_matches_numpy_solve():
    H = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, -1.0], [0.0, -1.0, 4.0]])
    b = np.array([1.0, -2.0, 3.0])
    q = quadratic([[3, 1, 0], [1, 2, -1], [0, -1, 4]], b=[1, -2, 3], c=5, variables="u v w")
    expected = np.linalg.solve(H, -b)  # ∇f = Hx + b = 0
    got = np.array([float(q.stationary_point[v]) for v in q.variables])
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert [v.name for v in q.variables] == ["u", "v", "w"]
    assert q.kind == "minimum" and q.definiteness == "positive definite"


def test_singular_quadratics():
    # H = [[1, 1], [1, 1]] (scale ½): ∇f = (x1 + x2 + b1, x1 + x2 + b2).
    q = quadratic([[1, 1], [1, 1]], b=[1, 1])  # b in the range: the line x1 + x2 = -1
    point = q.stationary_point
    assert len(set().union(*(v.free_symbols for v in point.values()))) == 1  # one parameter
    assert sp.simplify(sum(point.values()) + 1) == 0
    assert q.gradient.xreplace(point).applyfunc(sp.simplify) == sp.zeros(2, 1)
    assert q.kind == "minimum" and q.condition_number == sp.oo
    assert quadratic([[1, 1], [1, 1]], b=[1, 0]).stationary_point is None  # inconsistent
    assert quadratic([[1, 1], [1, 1]], b=[1, 0]).kind is None


def test_eigenvectors_are_orthonormal_axes():
    for H, *_ in LECTURE:
        q = quadratic(H)
        V = sp.Matrix.hstack(*q.eigenvectors)
        assert (V.T * V).applyfunc(sp.simplify) == sp.eye(2)
        for value, vector in zip(q.eigenvalues, q.eigenvectors, strict=True):
            assert (q.H * vector - value * vector).applyfunc(sp.simplify) == sp.zeros(2, 1)


def test_float_matrix_is_read_exactly():
    # the lecture's diag(9.9, 1): 9.9 is read as 99/10, so κ = 99/10 exactly
    q = quadratic([[9.9, 0], [0, 1]], b=[0.5, 0], c=0.25)
    assert q.H == sp.diag(sp.Rational(99, 10), 1)
    assert q.eigenvalues == [1, sp.Rational(99, 10)]
    assert q.condition_number == sp.Rational(99, 10)
    assert (q.b[0], q.c) == (sp.Rational(1, 2), sp.Rational(1, 4))
    assert not q.expr.atoms(sp.Float)


def test_bad_quadratic_arguments():
    with pytest.raises(HyperparameterError, match="scale"):
        quadratic([[1, 0], [0, 1]], scale=0)
    with pytest.raises(HyperparameterError, match="scale"):
        quadratic([[1, 0], [0, 1]], scale=-0.5)
    with pytest.raises(ShapeError, match="b has 3 entries"):
        quadratic([[1, 0], [0, 1]], b=[1, 2, 3])
    with pytest.raises(ShapeError, match="variables"):
        quadratic([[1, 0], [0, 1]], variables="x y z")


def test_quadratic_critical_points_agree_with_the_eigen_structure():
    for H, label, *_ in LECTURE:
        points = quadratic(H).critical_points(timeout=20)
        assert len(points) == 1
        assert points[0].kind == ("minimum" if label == "positive definite" else "saddle")
        assert points[0].method == "second-order"


def test_all_labels_listed():
    from symopt.symbolic.forms import DEFINITENESS

    assert len(DEFINITENESS) == 6 and "unknown" in DEFINITENESS
    labels = {definiteness(np.diag(d)) for d in itertools.product([-1, 0, 1], repeat=2)}
    assert labels == set(DEFINITENESS) - {"unknown"}
