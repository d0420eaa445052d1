"""The sign of a polynomial: definiteness of homogeneous forms, certificates of ``f ≥ 0``.

:func:`form_sign` labels a homogeneous polynomial on ``R^k \\ {0}`` as
:func:`symopt.quadratic.definiteness` labels matrices, with a direction where it is
negative; :func:`provably_nonnegative` proves ``f ≥ 0`` everywhere by a certificate SymPy
can check.  Classification (the lowest form of ``f(a + h) − f(a)``) and the global
question (the leading form, ``f − f(a) ≥ 0``) both ask these.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import sympy as sp

from symopt.symbolic.forms import definiteness
from symopt.symbolic.numbers import sign, to_sympy

__all__ = [
    "even_power_sum",
    "form_sign",
    "homogeneous_parts",
    "is_rational_poly",
    "provably_nonnegative",
]


def homogeneous_parts(poly: sp.Poly) -> dict[int, sp.Expr]:
    """``{degree: the homogeneous part of that degree}``."""
    parts: dict[int, list] = {}
    for monomial, coefficient in poly.terms():
        degree = sum(monomial)
        term = coefficient * sp.Mul(*(g**e for g, e in zip(poly.gens, monomial, strict=True)))
        parts.setdefault(degree, []).append(term)
    return {d: sp.Add(*terms) for d, terms in parts.items()}


def is_rational_poly(poly: sp.Poly) -> bool:
    """Every coefficient is rational."""
    return all(c.is_Rational for c in poly.coeffs())


def form_sign(form: sp.Expr, symbols: Sequence[sp.Symbol]) -> tuple[str, tuple | None]:
    """The definiteness of a homogeneous polynomial on ``R^k \\ {0}`` and a direction
    where it is negative (or ``None``).

    Labels as :func:`symopt.quadratic.definiteness`.  Exact for one or two variables with
    rational coefficients (real-root isolation of the dehomogenised polynomial), and for
    quadratic forms; otherwise proved definite only by the even-power test, proved
    indefinite by sign witnesses, else ``"unknown"``.

    >>> x, y = sp.symbols("x y")
    >>> form_sign(x**4 + y**4, (x, y))[0], form_sign(x**4 - y**4, (x, y))[0]
    ('positive definite', 'indefinite')
    >>> form_sign(x**2 * y**2, (x, y))[0]
    'positive semidefinite'
    """
    symbols = list(symbols)
    poly = sp.Poly(form, *symbols)
    if poly.is_zero:
        return "positive semidefinite", None
    degree = poly.total_degree()
    if degree % 2 == 1:
        d = _nonzero_direction(form, symbols)
        value = form.xreplace(dict(zip(symbols, d, strict=True)))
        return "indefinite", d if value < 0 else tuple(-c for c in d)
    if degree == 2:
        M = sp.hessian(form, symbols) / 2
        label = definiteness(M)
        return label, _negative_direction(form, symbols)
    if len(symbols) == 1:
        c = poly.LC()
        s = sign(c)
        if s is None:
            return "unknown", None
        return ("positive definite", None) if s > 0 else ("negative definite", (1,))
    if len(symbols) == 2 and is_rational_poly(poly):
        return _binary_form_sign(form, symbols)
    return _form_sign_by_tests(form, symbols, poly)


def _nonzero_direction(form: sp.Expr, symbols: list) -> tuple:
    for d in _directions(len(symbols)):
        if form.xreplace(dict(zip(symbols, d, strict=True))) != 0:
            return d
    raise ValueError("the form vanishes on every test direction")  # pragma: no cover


def _directions(k: int) -> list[tuple[int, ...]]:
    """Small integer directions, unit vectors first."""
    units = [tuple(int(i == j) for j in range(k)) for i in range(k)]
    span = range(-2, 3) if k <= 4 else range(-1, 2)
    others = [d for d in itertools.product(span, repeat=k) if any(d) and d not in units]
    others.sort(key=lambda d: sum(abs(c) for c in d))
    return units + others[:2000]


def _negative_direction(form: sp.Expr, symbols: list) -> tuple | None:
    for d in _directions(len(symbols)):
        if form.xreplace(dict(zip(symbols, d, strict=True))) < 0:
            return d
    return None


def _binary_form_sign(form: sp.Expr, symbols: list) -> tuple[str, tuple | None]:
    """Two variables: ``F(s, 1)`` between its real roots, and ``F(1, 0)``."""
    u1, u2 = symbols
    s = sp.Dummy("s")
    p = sp.Poly(sp.expand(form.xreplace({u1: s, u2: 1})), s)
    at_infinity = form.xreplace({u1: 1, u2: 0})
    roots = sorted({float(r) for r in p.real_roots()}) if p.degree() > 0 else []
    tests = [sp.Rational(0)] if not roots else [sp.Rational(roots[0]) - 1]
    tests += [sp.Rational((a + b) / 2) for a, b in itertools.pairwise(roots)]
    if roots:
        tests.append(sp.Rational(roots[-1]) + 1)
    samples = [((t, 1), p.eval(t)) for t in tests] + [((1, 0), at_infinity)]
    signs = {sign(v) for _, v in samples}
    negative = next((d for d, v in samples if v < 0), None)
    touches = bool(roots) or at_infinity == 0
    if 1 in signs and -1 in signs:
        return "indefinite", negative
    if -1 in signs:
        return ("negative semidefinite" if touches else "negative definite"), negative
    return ("positive semidefinite" if touches else "positive definite"), None


def _form_sign_by_tests(form, symbols, poly) -> tuple[str, tuple | None]:
    if even_power_sum(poly, require_pure=True):
        return "positive definite", None
    if even_power_sum(-poly, require_pure=True):
        return "negative definite", (1,) + (0,) * (len(symbols) - 1)
    values = {}
    for d in _directions(len(symbols)):
        v = form.xreplace(dict(zip(symbols, d, strict=True)))
        values.setdefault(sign(v), d)
    if 1 in values and -1 in values:
        return "indefinite", values[-1]
    return "unknown", values.get(-1)


def even_power_sum(poly: sp.Poly, require_pure: bool) -> bool:
    """Every monomial has even exponents and a positive coefficient (constant >= 0);
    with ``require_pure`` each variable also has a pure power, so the polynomial is
    positive away from 0."""
    terms = poly.terms()
    if not terms:
        return False
    pure = set()
    for monomial, c in terms:
        if any(e % 2 for e in monomial):
            return False
        s = sign(c)
        if s is None or s < 0 or (s == 0 and any(monomial)):
            return False
        nonzero = [i for i, e in enumerate(monomial) if e]
        if len(nonzero) == 1:
            pure.add(nonzero[0])
    return not require_pure or pure == set(range(len(poly.gens)))


# -- nonnegativity everywhere ------------------------------------------------------------------


def provably_nonnegative(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> bool:
    """``expr ≥ 0`` for all real ``variables``, by a certificate SymPy can check: a sum
    of even powers with positive coefficients, a PSD quadratic, or a product of such
    factors and even powers.

    >>> x, y = sp.symbols("x y", real=True)
    >>> provably_nonnegative((x**2 + y**2 - 1)**2, (x, y)), provably_nonnegative(x*y, (x, y))
    (True, False)
    """
    expr = to_sympy(expr)
    if expr.is_zero or expr.is_nonnegative:  # SymPy's own structural reasoning first
        return True
    try:
        poly = sp.Poly(expr, *variables)
    except sp.PolynomialError:
        return False
    if poly.free_symbols - set(variables):
        return False
    if even_power_sum(poly, require_pure=False) or _psd_quadratic(poly):
        return True
    coefficient, factors = sp.factor_list(expr, *variables)
    if sign(coefficient) != 1 or (len(factors) == 1 and factors[0][1] == 1):
        return False
    return all(m % 2 == 0 or provably_nonnegative(factor, variables) for factor, m in factors)


def _psd_quadratic(poly: sp.Poly) -> bool:
    """A polynomial of degree <= 2 whose homogenised matrix is PSD is >= 0."""
    if poly.total_degree() > 2:
        return False
    gens = list(poly.gens)
    one = sp.Dummy("one")
    expr = poly.as_expr()
    homogeneous = sp.expand(one**2 * expr.xreplace({g: g / one for g in gens}))
    M = sp.hessian(homogeneous, [*gens, one]) / 2
    return definiteness(M) in ("positive definite", "positive semidefinite")
