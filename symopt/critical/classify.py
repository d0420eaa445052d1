"""Classifying critical points: second order, higher order, families, global checks.

At a critical point ``a``, ``f(a + h) − f(a) = ½ hᵀHh + (higher-order terms)``:

* **second order**: ``H`` positive definite → strict minimum, negative definite →
  strict maximum, indefinite → saddle (decided exactly by :func:`symopt.quadratic.inertia`).
* **higher order** (``H`` semidefinite): the splitting lemma.  Write ``h = N·u + R·w``
  with ``N`` spanning the null space of ``H`` and ``R`` its range.  For each ``u`` the
  function is smallest (``H ⪰ 0``) where ``∂f/∂w = 0``, on a curve ``w = w(u)`` found as a
  power series; ``a`` is a strict minimum if the *reduced function* ``φ(u) = f(a + Nu +
  Rw(u)) − f(a)`` has a positive definite lowest-order form, and a saddle if ``φ``
  takes a negative value (``f`` then decreases along the curve ``Nu + Rw(u)`` and
  increases along ``R``).  For the Peano surface ``(y − x²)(y − 2x²)`` this finds the curve
  ``y = 3x²/2`` along which ``f = −x⁴/4``.  With ``H = 0`` the lowest-order form of
  ``f(a + h) − f(a)`` decides directly: odd degree → saddle; even degree → its sign on the
  sphere (exact for one or two variables by real-root isolation).
* **families** of critical points (curves, surfaces) are non-strict extrema when
  ``f − f(a)`` is provably of one sign, else they are judged by the normal curvature.
* **global**: ``f − f(a) ≥ 0`` proved (even powers with positive coefficients, or a
  factorisation into such factors and squares), or a coercive polynomial whose least
  critical value is ``f(a)``; disproved when the leading form of a polynomial takes the
  other sign or another critical point is lower.

Whatever cannot be decided is ``"inconclusive"`` with the reason, never a guess.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical._solve import Family, inside
from symopt.symbolic.forms import definiteness, inertia
from symopt.symbolic.numbers import sign, to_sympy

__all__ = [
    "Verdict",
    "classify_family",
    "classify_numeric",
    "classify_point",
    "eigenvalues",
    "form_sign",
    "global_flags",
    "provably_nonnegative",
    "value_at",
]

DEFAULT_ORDER = 8  # Taylor degree of the higher-order test for non-polynomials


@dataclass
class Verdict:
    """The classification of one critical point (or family)."""

    kind: str
    strict: bool | None
    method: str
    reason: str = ""
    eigenvalues: tuple = ()
    value: Any = None
    is_global: bool | None = None


# -- small helpers -----------------------------------------------------------------------------


def _short(value: sp.Expr, limit: int = 40) -> sp.Expr:
    """An exact value if it is short and real-looking, else a 15-digit float."""
    if not value.free_symbols and (value.has(sp.I, sp.CRootOf) or len(str(value)) > limit):
        approx = complex(value.evalf(30))
        return sp.Float(approx.real, 15)
    return value


def _numeric_eigenvalues(matrix: sp.Matrix) -> tuple[sp.Expr, ...]:
    values = np.linalg.eigvalsh(np.array(matrix.evalf(30).tolist(), dtype=float))
    return tuple(sp.Float(v, 15) for v in values)


def eigenvalues(matrix: sp.Matrix) -> tuple[sp.Expr, ...]:
    """Eigenvalues with multiplicity, increasing: exact when short, else floats."""
    simple = all(e.is_Rational or len(str(e)) < 30 for e in matrix)
    if not matrix.free_symbols and (
        matrix.rows > 3 or not simple or any(e.has(sp.Float, sp.CRootOf) for e in matrix)
    ):
        return _numeric_eigenvalues(matrix)
    try:
        found = matrix.eigenvals(simplify=True)
    except (NotImplementedError, sp.MatrixError):
        found = None
    if not found or sum(found.values()) != matrix.rows:
        return _numeric_eigenvalues(matrix)
    out = [_short(sp.simplify(v)) for v, m in found.items() for _ in range(m)]
    if any(v.free_symbols for v in out):
        return tuple(sorted(out, key=sp.default_sort_key))
    return tuple(sorted(out, key=lambda v: float(v)))


def _shifted_label(h: Sequence[sp.Symbol], variables, point) -> dict:
    """h_i → x_i − a_i, for showing forms in the user's variables."""
    return {hi: (v - point[v] if point[v] != 0 else v) for hi, v in zip(h, variables, strict=True)}


def _homogeneous_parts(poly: sp.Poly) -> dict[int, sp.Expr]:
    parts: dict[int, list] = {}
    for monomial, coefficient in poly.terms():
        degree = sum(monomial)
        term = coefficient * sp.Mul(*(g**e for g, e in zip(poly.gens, monomial, strict=True)))
        parts.setdefault(degree, []).append(term)
    return {d: sp.Add(*terms) for d, terms in parts.items()}


def _truncate(expr: sp.Expr, symbols: Sequence[sp.Symbol], degree: int) -> sp.Expr:
    poly = sp.Poly(sp.expand(expr), *symbols)
    return sp.Add(
        *(
            c * sp.Mul(*(g**e for g, e in zip(symbols, m, strict=True)))
            for m, c in poly.terms()
            if sum(m) <= degree
        )
    )


# -- signs of forms ----------------------------------------------------------------------------


def _is_rational_poly(poly: sp.Poly) -> bool:
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
    if len(symbols) == 2 and _is_rational_poly(poly):
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
    if _even_power_sum(poly, require_pure=True):
        return "positive definite", None
    if _even_power_sum(-poly, require_pure=True):
        return "negative definite", (1,) + (0,) * (len(symbols) - 1)
    values = {}
    for d in _directions(len(symbols)):
        v = form.xreplace(dict(zip(symbols, d, strict=True)))
        values.setdefault(sign(v), d)
    if 1 in values and -1 in values:
        return "indefinite", values[-1]
    return "unknown", values.get(-1)


def _even_power_sum(poly: sp.Poly, require_pure: bool) -> bool:
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


# -- global nonnegativity ----------------------------------------------------------------------


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
    if _even_power_sum(poly, require_pure=False) or _psd_quadratic(poly):
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


# -- Taylor polynomials and the splitting lemma ------------------------------------------------


def _increment(expr, variables, point, h, order) -> tuple[sp.Expr, bool]:
    """``f(a + h) − f(a)`` as a polynomial in ``h``: exact for polynomial ``f`` (second
    value True), else its Taylor polynomial of degree ``order``."""
    shifted = {v: point[v] + hi for v, hi in zip(variables, h, strict=True)}
    value = expr.xreplace(point)
    try:
        sp.Poly(expr, *variables)
        return sp.expand(expr.xreplace(shifted) - value), True
    except sp.PolynomialError:
        pass
    t = sp.Dummy("t")
    along = expr.xreplace({v: point[v] + t * hi for v, hi in zip(variables, h, strict=True)})
    terms, derivative = [], along
    for k in range(order + 1):
        c = derivative.xreplace({t: 0})
        if c.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise ValueError(f"the order-{k} derivative is not finite at the point")
        if k:
            terms.append(sp.expand(c) / sp.factorial(k))
        derivative = derivative.diff(t)
    return sp.expand(sp.Add(*terms)), False


def _reduced_function(g, h, H, order) -> tuple[sp.Expr, list, list, sp.Matrix]:
    """The splitting lemma for ``g(h)`` with PSD quadratic part ``½hᵀHh``.

    Returns ``φ(u)`` (truncated at ``order``), the null coordinates ``u``, the curve
    ``h(u) = N u + R w(u)`` (a list of expressions) and the null basis ``N``.
    """
    null, rng = H.nullspace(), H.columnspace()
    k, r = len(null), len(rng)
    u = list(sp.symbols(f"u1:{k + 1}", real=True, cls=sp.Dummy))
    w = list(sp.symbols(f"w1:{r + 1}", real=True, cls=sp.Dummy))
    N, R = sp.Matrix.hstack(*null), sp.Matrix.hstack(*rng)
    hu = N * sp.Matrix(u) + R * sp.Matrix(w)
    G = _truncate(g.xreplace(dict(zip(h, hu, strict=True))), [*u, *w], order)
    Q_inv = (R.T * H * R).inv()
    grad_w = sp.Matrix([G.diff(wi) for wi in w])
    Q = R.T * H * R
    series = sp.zeros(r, 1)
    for _ in range(order):
        at = dict(zip(w, series, strict=True))
        residual = grad_w.xreplace(at) - Q * series
        new = (-Q_inv * residual).applyfunc(lambda e: _truncate(e, u, order - 1))
        if new == series:
            break
        series = new
    phi = _truncate(G.xreplace(dict(zip(w, series, strict=True))), u, order)
    curve = list(N * sp.Matrix(u) + R * series)
    return phi, u, curve, N


def _lowest_form(expr: sp.Expr, symbols: Sequence) -> tuple[int, sp.Expr] | None:
    if sp.expand(expr) == 0:
        return None
    parts = _homogeneous_parts(sp.Poly(expr, *symbols))
    m = min(d for d, p in parts.items() if p != 0)
    return m, parts[m]


def value_at(expr: sp.Expr, point: dict) -> sp.Expr:
    """``f(point)``, simplified unless the point has ``CRootOf`` coordinates (whose
    polynomials simplification would factor for minutes)."""
    value = expr.xreplace(point)
    if any(v.has(sp.CRootOf) for v in point.values()):
        return value
    return sp.simplify(value)


# -- classifying one point ---------------------------------------------------------------------


def _second_order(counts, eig) -> Verdict | None:
    pos, zero, neg = counts
    if zero:
        return None
    if pos and neg:
        return Verdict("saddle", None, "second-order", "the Hessian is indefinite", eig)
    if pos:
        return Verdict("minimum", True, "second-order", "the Hessian is positive definite", eig)
    return Verdict("maximum", True, "second-order", "the Hessian is negative definite", eig)


def classify_point(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    hessian: sp.Matrix,
    point: dict[sp.Symbol, sp.Expr],
    *,
    order: int = DEFAULT_ORDER,
) -> Verdict:
    """Classify the isolated critical point ``point`` of ``expr`` exactly."""
    H = hessian.xreplace(point)
    if not any(v.has(sp.CRootOf) for v in point.values()):
        H = H.applyfunc(sp.radsimp)
    if any(e.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for e in H):
        return Verdict("inconclusive", None, "second-order", "f is not twice differentiable here")
    eig = eigenvalues(H)
    counts = inertia(H)
    if counts is None:
        return Verdict(
            "inconclusive",
            None,
            "second-order",
            "the signs of the Hessian's eigenvalues cannot be decided "
            "(they depend on symbols of unknown sign)",
            eig,
        )
    decided = _second_order(counts, eig)
    if decided is not None:
        return decided
    verdict = _higher_order(expr, variables, point, H, counts, order)
    verdict.eigenvalues = eig
    return verdict


def _higher_order(expr, variables, point, H, counts, order) -> Verdict:
    _pos, zero, neg = counts
    orientation = -1 if neg else 1  # work with a PSD quadratic part
    h = list(sp.symbols(f"h1:{len(variables) + 1}", real=True, cls=sp.Dummy))
    try:
        g, exact = _increment(expr, variables, point, h, order)
    except ValueError as error:
        return Verdict("inconclusive", None, "higher-order", str(error))
    if exact:
        order = max(order, sp.Poly(g, *h).total_degree()) if g != 0 else order
    labels = _shifted_label(h, variables, point)
    if zero == len(variables):
        return _zero_hessian(g, h, labels, exact, order)
    phi, u, curve, _ = _reduced_function(orientation * g, h, orientation * H, order)
    lowest = _lowest_form(phi, u)
    described = _describe_curve(curve, u, variables, point, order)
    if lowest is None:
        return Verdict(
            "inconclusive",
            None,
            "higher-order",
            f"the Hessian is semidefinite and f − f(a) vanishes up to order {order} along "
            f"the curve {described}; the point may lie on a curve of critical points",
        )
    m, form = lowest
    label, witness = form_sign(form, u)
    best = "minimum" if orientation > 0 else "maximum"
    semidefinite = f"the Hessian is {'positive' if orientation > 0 else 'negative'} semidefinite"
    leading = sp.sstr(orientation * _on_line(form, u, witness or (1,) * len(u)))
    along = f"along the curve {described} f − f(a) = {leading} + O(t^{m + 1})"
    if label == "positive definite":
        return Verdict(
            best,
            True,
            "higher-order",
            f"{semidefinite}; {along} {'>' if orientation > 0 else '<'} 0, where f is "
            f"{'least' if orientation > 0 else 'largest'} across the Hessian's range: "
            f"strict {best}",
        )
    if label in ("indefinite", "negative definite", "negative semidefinite") and witness:
        changes = "changes sign with t" if m % 2 else ("< 0" if orientation > 0 else "> 0")
        return Verdict(
            "saddle",
            None,
            "higher-order",
            f"{semidefinite} (f {'grows' if orientation > 0 else 'falls'} along its range), "
            f"but {along} {changes}: saddle",
        )
    return Verdict(
        "inconclusive",
        None,
        "higher-order",
        f"{semidefinite}; {along}, a form that is {label} on the null directions: "
        "undecided at this order",
    )


def _on_line(form: sp.Expr, u: list, direction: Sequence) -> sp.Expr:
    t = sp.Symbol("t", real=True)
    return sp.factor(form.xreplace({ui: di * t for ui, di in zip(u, direction, strict=True)}))


def _describe_curve(curve, u, variables, point, order) -> str:
    t = sp.Symbol("t", real=True)
    along = {ui: t if i == 0 else 0 for i, ui in enumerate(u)}
    coordinates = [
        sp.expand(point[v] + _truncate(c, u, min(order, 3)).xreplace(along))
        for v, c in zip(variables, curve, strict=True)
    ]
    names = ", ".join(map(str, variables))
    return f"({names}) = ({', '.join(map(sp.sstr, coordinates))})"


def _zero_hessian(g, h, labels, exact, order) -> Verdict:
    lowest = _lowest_form(g, h)
    if lowest is None:
        return Verdict(
            "inconclusive",
            None,
            "higher-order",
            f"f − f(a) vanishes up to order {order}: f may be constant near the point",
        )
    m, form = lowest
    shown = sp.sstr(sp.factor(form.xreplace(labels)))
    label, _ = form_sign(form, h)
    start = f"the Hessian is zero; f(a+h) − f(a) starts with the degree-{m} form {shown}"
    if m % 2 == 1:
        return Verdict(
            "saddle",
            None,
            "higher-order",
            f"{start}, of odd degree: it changes "
            "sign along every line where it is not zero: saddle",
        )
    if label == "positive definite":
        return Verdict(
            "minimum", True, "higher-order", f"{start}, positive definite: strict minimum"
        )
    if label == "negative definite":
        return Verdict(
            "maximum", True, "higher-order", f"{start}, negative definite: strict maximum"
        )
    if label == "indefinite":
        return Verdict("saddle", None, "higher-order", f"{start}, which takes both signs: saddle")
    if exact:
        poly = sp.Poly(g, *h)
        for s, kind in ((1, "minimum"), (-1, "maximum")):
            if _even_power_sum(s * poly, require_pure=True):
                shown_all = sp.sstr(g.xreplace(labels))
                return Verdict(
                    kind,
                    True,
                    "higher-order",
                    f"the Hessian is zero; f(a+h) − f(a) = {shown_all} is a sum "
                    f"of even powers with {'positive' if s > 0 else 'negative'} "
                    f"coefficients: strict {kind}",
                )
    return Verdict(
        "inconclusive", None, "higher-order", f"{start}, which is {label}: undecided at this order"
    )


# -- families ----------------------------------------------------------------------------------


def classify_family(
    expr: sp.Expr, variables: Sequence[sp.Symbol], hessian: sp.Matrix, family: Family
) -> Verdict:
    """Classify a curve or surface of critical points (always non-strict)."""
    value = sp.simplify(expr.xreplace(inside(family)))
    H = hessian.xreplace(family.point).applyfunc(sp.simplify)
    restricted = hessian.xreplace(inside(family)).applyfunc(sp.simplify)
    if restricted.free_symbols <= set(family.parameters):  # the restriction simplified it
        H = restricted
    eig = eigenvalues(H)
    for s, kind in ((1, "minimum"), (-1, "maximum")):
        if provably_nonnegative(s * (expr - value), variables):
            return Verdict(
                kind,
                False,
                "higher-order",
                f"f − ({value}) {'≥' if s > 0 else '≤'} 0 everywhere and = 0 on the family: "
                f"non-strict global {kind}",
                eig,
                value,
                True,
            )
    normal = len(variables) - len(family.parameters)
    nonzero = [e for e in eig if not (e.is_zero or (e.is_Float and abs(e) < 1e-12))]
    if len(nonzero) == normal:  # a non-degenerate critical manifold (Morse–Bott)
        verdict = _by_transverse_curvature(nonzero, family)
    else:
        verdict = Verdict(
            "inconclusive",
            None,
            "higher-order",
            f"the Hessian has {len(nonzero)} non-zero eigenvalue(s) across a family of "
            f"codimension {normal}: degenerate across the family, undecided",
        )
    verdict.eigenvalues, verdict.value = eig, value
    return verdict


def _by_transverse_curvature(curvatures: list, family: Family) -> Verdict:
    """Morse–Bott: on a family of critical points whose Hessian has exactly one non-zero
    eigenvalue per transverse direction, all positive → non-strict local minimum, all
    negative → maximum, mixed signs → saddle; decided where the signs are."""
    shown = ", ".join(map(sp.sstr, curvatures))
    signs = [sign(c) for c in curvatures]
    if None not in signs:
        return _curvature_verdict(set(signs), shown, "")
    if len(family.parameters) != 1:
        return Verdict(
            "inconclusive",
            None,
            "higher-order",
            f"the transverse curvatures {shown} have signs that could not be decided",
        )
    (t,) = family.parameters
    domain = sp.S.Reals
    if family.conditions is not sp.true:
        domain = family.conditions.as_set()
    positive = [sp.solveset(c > 0, t, domain) for c in curvatures]
    negative = [sp.solveset(c < 0, t, domain) for c in curvatures]
    regions = {
        "minimum": sp.Intersection(*positive),
        "maximum": sp.Intersection(*negative),
        "saddle": sp.Union(
            *(p & n for i, p in enumerate(positive) for j, n in enumerate(negative) if i != j)
        ),
    }
    degenerate = sp.Complement(domain, sp.Union(*regions.values()))
    if not isinstance(degenerate, sp.FiniteSet) and degenerate != sp.S.EmptySet:
        degenerate = None
    for kind, region in regions.items():
        if degenerate is not None and sp.Complement(domain, region) == degenerate:
            where = "" if degenerate == sp.S.EmptySet else f" except where {_where(degenerate, t)}"
            return _curvature_verdict(
                {1} if kind == "minimum" else {-1} if kind == "maximum" else {1, -1}, shown, where
            )
    described = "; ".join(
        f"{kind} where {_where(region, t)}"
        for kind, region in regions.items()
        if region != sp.S.EmptySet
    )
    return Verdict(
        "inconclusive",
        None,
        "higher-order",
        f"the transverse curvatures {shown} change sign along the family: {described}",
    )


def _where(region: Any, t: sp.Symbol) -> str:
    if isinstance(region, sp.FiniteSet):
        return " or ".join(f"{t} = {sp.sstr(v)}" for v in region)
    try:
        return sp.sstr(region.as_relational(t))
    except (NotImplementedError, AttributeError, TypeError):
        return f"{t} in {sp.sstr(region)}"


def _curvature_verdict(signs: set, shown: str, where: str) -> Verdict:
    if signs == {1}:
        kind = "minimum"
    elif signs == {-1}:
        kind = "maximum"
    else:
        return Verdict(
            "saddle",
            None,
            "higher-order",
            f"the transverse curvatures {shown} have both signs{where}: a family of saddles",
        )
    return Verdict(
        kind,
        False,
        "higher-order",
        f"the transverse curvatures {shown} are {'> 0' if kind == 'minimum' else '< 0'}"
        f"{where}: non-strict local {'minima' if kind == 'minimum' else 'maxima'} along "
        "the family",
    )


# -- numeric -----------------------------------------------------------------------------------


def classify_numeric(hessian: np.ndarray, rtol: float = 1e-6) -> Verdict:
    """Second-order test on a float Hessian; nearly singular → inconclusive."""
    values = np.linalg.eigvalsh(hessian)
    eig = tuple(sp.Float(v, 15) for v in values)
    if not np.all(np.isfinite(values)):
        return Verdict("inconclusive", None, "numeric", "the Hessian is not finite here", eig)
    tol = rtol * max(1.0, float(np.max(np.abs(values))))
    if np.any(np.abs(values) <= tol):
        return Verdict(
            "inconclusive",
            None,
            "numeric",
            f"the numeric Hessian is (nearly) singular (|eigenvalue| <= {tol:.1e}): the "
            "second-order test cannot decide, and no exact form was found",
            eig,
        )
    verdict = _second_order((int(np.sum(values > 0)), 0, int(np.sum(values < 0))), eig)
    verdict.method = "numeric"
    verdict.reason += " (numerically)"
    return verdict


# -- global ------------------------------------------------------------------------------------


def _leading_form(expr, variables) -> tuple[int, sp.Expr] | None:
    try:
        poly = sp.Poly(expr, *variables)
    except sp.PolynomialError:
        return None
    if poly.free_symbols - set(variables) or not _is_rational_poly(poly):
        return None
    parts = _homogeneous_parts(poly)
    top = max(parts)
    return top, parts[top]


def global_flags(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    entries: Sequence[tuple[str, dict, Any]],
    complete: bool,
    *,
    periodic: bool = False,
) -> list[bool | None]:
    """``is_global`` for each ``(kind, point, value)``: True/False where proved, else None.

    ``complete`` says the entries are all the real critical points and the objective is
    differentiable everywhere.  That allows three arguments: a coercive polynomial attains
    its minimum at its least critical value; with ``periodic`` (periodic in every variable,
    entries covering a full period) the extreme critical values are the extreme values;
    in one variable a lone strict extremum is global (a second one would need a critical
    point between them).
    """
    leading = _leading_form(expr, variables)
    label = form_sign(leading[1], variables)[0] if leading and leading[0] > 0 else None
    values = [value for _, _, value in entries if value is not None]
    complete = complete and _defined_everywhere(expr, variables)
    lone = complete and len(variables) == 1 and len(entries) == 1
    flags = []
    for kind, point, value in entries:
        if kind == "saddle":
            flags.append(False)
        elif kind not in ("minimum", "maximum") or value is None:
            flags.append(None)
        else:
            s = 1 if kind == "minimum" else -1
            if (periodic and complete) or (lone and bool(point)):
                flags.append(all(sign(s * (other - value)) in (0, 1) for other in values))
                continue
            flags.append(_is_global(expr, variables, s, point, value, entries, label, complete))
    return flags


_ENTIRE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.atan)


def _defined_everywhere(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> bool:
    """``f`` is finite on all of ``R^n`` (no poles, logs or roots of arguments that can
    vanish or turn negative), so the arguments "a lone extremum" and "the least critical
    value" may use the whole space: ``1/x + x²`` has one critical point, a minimum, yet
    falls to −∞ at its pole."""
    names = set(variables)
    for atom in expr.atoms(sp.Pow):
        if atom.base.free_symbols & names:
            e = atom.exp
            if not (e.is_Integer and e >= 0) and not atom.base.is_positive:
                return False
    for atom in expr.atoms(sp.Function):
        if atom.free_symbols & names and not isinstance(atom, _ENTIRE):
            if isinstance(atom, sp.log) and atom.args[0].is_positive:
                continue
            return False
    return True


def _is_global(expr, variables, s, point, value, entries, label, complete) -> bool | None:
    if provably_nonnegative(s * (expr - value), variables):
        return True
    if point and not any(v.free_symbols for v in point.values()):
        h = list(sp.symbols(f"h1:{len(variables) + 1}", real=True, cls=sp.Dummy))
        shifted = expr.xreplace({v: point[v] + hi for v, hi in zip(variables, h, strict=True)})
        if not shifted.has(sp.CRootOf) and provably_nonnegative(
            sp.expand(s * (shifted - value)), h
        ):
            return True
    towards = ("positive" if s > 0 else "negative") + " definite"
    escapes = (
        "indefinite",
        "negative definite" if s > 0 else "positive definite",
        "negative semidefinite" if s > 0 else "positive semidefinite",
    )
    if label in escapes:
        return False  # the leading form sends f to ∓∞ along some ray
    others = [other for _, _, other in entries if other is not None]
    if any(sign(s * (other - value)) == -1 for other in others):
        return False
    if label == towards and complete and all(sign(s * (o - value)) in (0, 1) for o in others):
        return True
    return None
