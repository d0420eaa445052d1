"""Classifying one critical point (or family): second order, then higher order.

At a critical point ``a``, ``f(a + h) − f(a) = ½ hᵀHh + (higher-order terms)``:

* **second order**: ``H`` positive definite → strict minimum, negative definite →
  strict maximum, indefinite → saddle, also when some eigenvalues are zero (decided
  exactly by :func:`symopt.quadratic.inertia`).
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
  ``f − f(a)`` is provably of one sign, else they are judged by the normal curvature
  (Morse–Bott: one non-zero eigenvalue per transverse direction).
* **numeric** points: the second-order test on a float Hessian.

Whether an extremum is global is :mod:`symopt.critical.globality`'s question; the signs of
forms come from :mod:`symopt.critical.forms`.

Whatever cannot be decided is ``"inconclusive"`` with the reason, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical.forms import (
    even_power_sum,
    form_sign,
    homogeneous_parts,
    provably_nonnegative,
)
from symopt.critical.messages import Family, Verdict, inside
from symopt.symbolic.forms import inertia
from symopt.symbolic.numbers import sign

__all__ = [
    "DEFAULT_ORDER",
    "classify_family",
    "classify_numeric",
    "classify_point",
    "eigenvalues",
    "value_at",
]

DEFAULT_ORDER = 8  # Taylor degree of the higher-order test for non-polynomials

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


def _truncate(expr: sp.Expr, symbols: Sequence[sp.Symbol], degree: int) -> sp.Expr:
    poly = sp.Poly(sp.expand(expr), *symbols)
    return sp.Add(
        *(
            c * sp.Mul(*(g**e for g, e in zip(symbols, m, strict=True)))
            for m, c in poly.terms()
            if sum(m) <= degree
        )
    )


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
    parts = homogeneous_parts(sp.Poly(expr, *symbols))
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
    """The second-order test on the inertia ``(positive, zero, negative)``: indefinite
    means saddle whatever else the spectrum holds (``f`` grows along an eigenvector of a
    positive eigenvalue and falls along one of a negative eigenvalue); otherwise a zero
    eigenvalue leaves the question to higher orders (None)."""
    pos, zero, neg = counts
    if pos and neg:
        also = f", whatever its {zero} zero eigenvalue(s)" if zero else ""
        return Verdict("saddle", None, "second-order", f"the Hessian is indefinite{also}", eig)
    if zero:
        return None
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
    return replace(_higher_order(expr, variables, point, H, counts, order), eigenvalues=eig)


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
    for degree in range(min(3, order), order + 1):  # deepen: the cost grows steeply
        phi, u, curve, _ = _reduced_function(orientation * g, h, orientation * H, degree)
        lowest = _lowest_form(phi, u)
        if lowest is not None:
            break
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
            if even_power_sum(s * poly, require_pure=True):
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
    signs = [sign(e) for e in nonzero]
    if len(nonzero) == normal:  # a non-degenerate critical manifold (Morse–Bott)
        verdict = _by_transverse_curvature(nonzero, family)
    elif 1 in signs and -1 in signs:
        verdict = _second_order((1, len(eig) - len(nonzero), 1), eig)
        verdict = replace(verdict, reason=verdict.reason + " along the family: saddles")
    else:
        verdict = Verdict(
            "inconclusive",
            None,
            "higher-order",
            f"the Hessian has {len(nonzero)} non-zero eigenvalue(s) across a family of "
            f"codimension {normal}: degenerate across the family, undecided",
        )
    return replace(verdict, eigenvalues=eig, value=value)


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
    """Second-order test on a float Hessian: eigenvalues within ``rtol`` (relative) of 0
    count as zero; indefinite → saddle, else nearly singular → inconclusive."""
    values = np.linalg.eigvalsh(hessian)
    eig = tuple(sp.Float(v, 15) for v in values)
    if not np.all(np.isfinite(values)):
        return Verdict("inconclusive", None, "numeric", "the Hessian is not finite here", eig)
    tol = rtol * max(1.0, float(np.max(np.abs(values))))
    signs = np.where(np.abs(values) <= tol, 0, np.sign(values))
    verdict = _second_order(tuple(int(np.sum(signs == s)) for s in (1, 0, -1)), eig)
    if verdict is None:
        return Verdict(
            "inconclusive",
            None,
            "numeric",
            f"the numeric Hessian is (nearly) singular (|eigenvalue| <= {tol:.1e}): the "
            "second-order test cannot decide, and no exact form was found",
            eig,
        )
    return replace(verdict, method="numeric", reason=verdict.reason + " (numerically)")
