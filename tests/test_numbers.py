"""symopt.symbolic.numbers: the one float → exact rule and the one reader of a form's matrix.

The exact values in the table are worked by hand from each float's shortest round-trip
decimal (what ``repr`` prints, checked against ``float.hex`` where the decimal is not the
obvious one); the agreement tests check every public path against that table.
"""

from __future__ import annotations

import warnings
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp

import symopt
from symopt import theory
from symopt.errors import ParseError, PointError, ShapeError
from symopt.symbolic.forms import definiteness, inertia
from symopt.symbolic.numbers import AsymmetricMatrixWarning, exact, form_matrix, to_sympy
from symopt.symbolic.quadratic import quadratic

R = sp.Rational

# float -> the rational its shortest round-trip decimal spells, worked by hand
TABLE = [
    (0.1, R(1, 10)),
    (0.5, R(1, 2)),
    (9.9, R(99, 10)),
    (2.5e-3, R(1, 400)),
    (-7.0, R(-7)),
    (1 / 3, R(3333333333333333, 10**16)),  # repr: 0.3333333333333333 (16 threes)
    (2 / 3, R(6666666666666666, 10**16)),  # repr: 0.6666666666666666 (round-to-even below)
    (0.1 + 0.2, R(30000000000000004, 10**17)),  # the famous 0.30000000000000004
    (1e22, R(10**22)),
    (1.5e300, R(15 * 10**299)),
    (5e-324, R(5, 10**324)),  # the smallest subnormal, 2**-1074, prints as 5e-324
]


@pytest.mark.parametrize("value, expected", TABLE)
def test_the_float_rule(value, expected):
    assert exact(value) == expected
    assert exact(np.float64(value)) == expected
    assert exact(sp.Float(value)) == expected
    assert float(expected) == value  # the rule round-trips


def test_other_numbers_are_kept():
    assert exact(3) == 3 and exact(np.int64(-2)) == -2
    assert exact(Fraction(1, 3)) == R(1, 3)
    assert exact(sp.sqrt(2)) == sp.sqrt(2)
    assert exact("0.1*x + 1/3") == sp.Symbol("x", real=True) / 10 + R(1, 3)
    # a SymPy Float of higher precision: its own decimal digits
    assert exact(sp.Float("0.1", 30)) == R(1, 10)
    x = sp.Symbol("x")
    assert exact(sp.Float(0.25) * x + sp.Float(1.5)) == x / 4 + R(3, 2)


def test_round_trip_on_many_floats():
    rng = np.random.default_rng(0)
    floats = np.concatenate([rng.standard_normal(200), 10.0 ** rng.uniform(-300, 300, 200)])
    assert all(float(exact(v)) == v for v in floats.tolist())


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -np.inf])
def test_non_finite_floats_are_refused(bad):
    with pytest.raises(PointError, match="finite"):
        exact(bad)


def test_to_sympy_keeps_floats():
    assert to_sympy(0.1) == sp.Float(0.1) and isinstance(to_sympy(0.1), sp.Float)
    with pytest.raises(PointError, match="number or an expression"):
        to_sympy([1])


@pytest.mark.parametrize("value, expected", TABLE[:9])
def test_every_public_path_reads_a_float_the_same_way(value, expected):
    x = sp.Symbol("x", real=True)
    paths = {
        "Objective(text)": symopt.Objective(f"{value!r}*x").expr.coeff(x),
        "Objective(expr)": symopt.Objective(value * x).expr.coeff(x),
        "quadratic H": quadratic([[value]]).H[0, 0],
        "quadratic b": quadratic([[1]], b=[value]).b[0],
        "quadratic c": quadratic([[1]], c=value).c,
        "theory.gd H": theory.gd([[value]], lr=0.5).H[0, 0],
        "theory.gd lr": theory.gd([[1]], lr=abs(value)).lr * (1 if value > 0 else -1),
        "units constant": symopt.Objective(
            "a*x", units={"a": f"{value!r} J/m", "x": "m"}, value_units="J"
        ).expr.coeff(sp.Symbol("x", real=True)),
    }
    assert paths == dict.fromkeys(paths, expected)


def test_units_conversion_factors_follow_the_rule():
    # pint's 1 cm = 0.01 m: the float 0.01, i.e. exactly 1/100
    f = symopt.Objective("a*x", units={"a": "1 J/m", "x": "cm"}, value_units="J")
    assert f.expr == sp.Symbol("x", real=True) / 100


def test_definiteness_of_floats_agrees_with_their_exact_reading():
    # [[0.1, 0.2], [0.2, 0.4]]: read exactly, det = 4/100 − 4/100 = 0 → semidefinite; the
    # float path sees an eigenvalue of round-off size and counts it as zero
    H = [[0.1, 0.2], [0.2, 0.4]]
    q = quadratic(H)
    assert q.H.det() == 0
    assert definiteness(H) == definiteness(q.H) == q.definiteness == "positive semidefinite"
    assert inertia(H) == inertia(q.H) == (1, 1, 0)


# -- the matrix rule: every reader uses the symmetric part, with one warning ---------------

ASYMMETRIC = [[2, 2], [0, 1]]  # symmetric part [[2, 1], [1, 1]]: det 1, trace 3 → PD
SYMMETRIC = sp.Matrix([[2, 1], [1, 1]])


def _read_with_warning(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()
    assert [w.category for w in caught] == [AsymmetricMatrixWarning]
    assert caught[0].filename == __file__  # it points at the caller, outside symopt
    return result, str(caught[0].message)


def test_every_reader_uses_the_symmetric_part_with_one_warning():
    q, q_text = _read_with_warning(lambda: quadratic(ASYMMETRIC))
    gd, gd_text = _read_with_warning(lambda: theory.gd(ASYMMETRIC, lr=0.1))
    hb, hb_text = _read_with_warning(lambda: theory.momentum(ASYMMETRIC, lr=0.1, mu=0.5))
    label, d_text = _read_with_warning(lambda: definiteness(ASYMMETRIC))
    counts, i_text = _read_with_warning(lambda: inertia(ASYMMETRIC))
    assert q.H == gd.H == hb.H == SYMMETRIC
    # λ of [[2, 1], [1, 1]]: λ² − 3λ + 1 = 0, λ = (3 ∓ √5)/2
    lam = sorted(gd.eigenvalues, key=float)
    assert [float(v) for v in lam] == pytest.approx([(3 - 5**0.5) / 2, (3 + 5**0.5) / 2])
    assert (label, counts) == ("positive definite", (2, 0, 0))
    expected = (
        "H is not symmetric: using its symmetric part (H + Hᵀ)/2 = [[2, 1], [1, 1]], which "
        "defines the same quadratic form xᵀHx"
    )
    assert q_text == gd_text == hb_text == expected
    assert d_text == i_text == expected.replace("H", "matrix")
    assert issubclass(AsymmetricMatrixWarning, UserWarning)


def test_a_symmetric_matrix_gives_no_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert form_matrix([[1, 0.5], [0.5, 2]], exact=True) == sp.Matrix(
            [[1, R(1, 2)], [R(1, 2), 2]]
        )
        t = sp.Symbol("t", real=True)
        form_matrix([[1, (t + 1) ** 2], [t**2 + 2 * t + 1, 2]])  # equal once simplified


@pytest.mark.parametrize(
    "bad, error, match",
    [
        ([[1, 0, 0], [0, 1, 0]], ShapeError, "square"),
        ([1, 2], ShapeError, "2-D"),
        ([], ShapeError, "2-D|square"),
        ([[1, 2], [3]], ShapeError, "square"),
        ([[np.nan, 0], [0, 1]], PointError, "finite"),
        ([[1j, 0], [0, 1]], PointError, "complex"),
        ([["1/0", 0], [0, 1]], ParseError, "finite"),
    ],
)
def test_bad_matrices(bad, error, match):
    with pytest.raises(error, match=match):
        form_matrix(bad)
