"""Is a local extremum global?  Proved, disproved, or left open (None), never guessed.

* **proved** when ``f − f(a) ≥ 0`` has a certificate (:func:`~symopt.critical.forms.
  provably_nonnegative`, also in the shifted variables ``h = x − a``); when the list of
  critical points is complete and ``f`` is a coercive polynomial whose least critical value
  is ``f(a)``, or periodic in every variable with ``f(a)`` the least critical value over a
  period, or has one variable and a lone strict extremum;
* **disproved** when the leading form of a polynomial takes the other sign (``f → ∓∞``
  along a ray), another critical point is lower, or (:func:`disprove_globals`) the lowest
  of many samples (:func:`sample_extremes`), confirmed exactly, is lower.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical.forms import (
    form_sign,
    homogeneous_parts,
    is_rational_poly,
    provably_nonnegative,
)
from symopt.critical.messages import Extremes, Verdict
from symopt.symbolic.numbers import exact, sign

__all__ = ["disprove_globals", "global_flags", "sample_extremes"]


def _leading_form(expr, variables) -> tuple[int, sp.Expr] | None:
    try:
        poly = sp.Poly(expr, *variables)
    except sp.PolynomialError:
        return None
    if poly.free_symbols - set(variables) or not is_rational_poly(poly):
        return None
    parts = homogeneous_parts(poly)
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


def sample_extremes(compiled: Any, n: int) -> Extremes | None:
    """The lowest and highest finite values of ``f`` at seeded random points on several
    scales (rounded to 6 decimals, so exact rationals), or None if none is finite."""
    rng = np.random.default_rng(0)
    samples = np.concatenate(
        [s * rng.standard_normal((400, n)) for s in (0.01, 0.3, 1, 10, 100)]
    ).round(6)
    with np.errstate(all="ignore"):
        values = compiled.value(samples)
    finite = np.isfinite(values)
    samples, values = samples[finite], values[finite]
    if not len(values):
        return None
    low, high = int(np.argmin(values)), int(np.argmax(values))
    return Extremes(
        (tuple(map(float, samples[low])), float(values[low])),
        (tuple(map(float, samples[high])), float(values[high])),
    )


def disprove_globals(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    verdicts: Sequence[Verdict],
    extremes: Extremes | None,
) -> list[Verdict]:
    """A minimum (maximum) is not global if ``f`` is lower (higher) somewhere: at the
    lowest (highest) sample of :func:`sample_extremes`, confirmed exactly at that rational
    point, before saying ``is_global=False``.  Unchanged verdicts are returned as they
    are."""
    verdicts = list(verdicts)
    if extremes is None:
        return verdicts
    for i, p in enumerate(verdicts):
        if p.is_global is not None or p.kind not in ("minimum", "maximum") or p.value is None:
            continue
        if sp.sympify(p.value, strict=True).free_symbols:  # a family's value in its parameters
            continue
        s = 1 if p.kind == "minimum" else -1
        sample, value = extremes.lowest if s > 0 else extremes.highest
        if s * (value - float(sp.N(p.value))) >= -1e-9 * (1 + abs(value)):
            continue
        at = {v: exact(c) for v, c in zip(variables, sample, strict=True)}
        if sign(s * (expr.xreplace(at) - p.value)) == -1:
            where = ", ".join(sp.sstr(c) for c in at.values())
            reason = (p.reason + "; " if p.reason else "") + (
                f"not global: f({where}) is {'lower' if s > 0 else 'higher'}"
            )
            verdicts[i] = replace(p, is_global=False, reason=reason)
    return verdicts
