"""Critical points of an objective, classified, within a hard time budget.

Fermat's theorem: an extremum of a differentiable ``f`` is a critical point, ``∇f = 0``.
:func:`critical_points` finds them and says what each one is:

1. **Solve** ``∇f = 0`` symbolically in a forked worker that is killed at its deadline
   (:mod:`symopt.critical._solve`): Gröbner bases for polynomial systems (complete: no solution is
   silently lost), ``solveset``/``solve`` otherwise; periodic objectives are listed in a
   box.  Curves and surfaces of critical points come back as *families*: ``point`` maps
   each variable to an expression in real parameters ``t, s, …`` (the circle
   ``x² + y² = 1`` as ``(cos t, sin t)``), ``conditions`` restricts the parameters and
   ``equations`` gives the same set implicitly.
2. **Cross-check** numerically unless the symbolic list is provably complete:
   Levenberg–Marquardt from many starts in a box, on the compiled gradient and Hessian;
   points it finds are identified in closed form where possible, else kept with
   ``exact=False``.
3. **Classify** (:mod:`symopt.critical.classify`) each point: second-order test, then
   higher-order tests for degenerate Hessians, then the global question.
4. Points where ``f`` is not differentiable (kinks of ``|u|``, ``Max``, ``Min``; zeros of
   the gradient's denominators) are listed apart in ``.nondifferentiable``: Fermat's
   theorem does not apply there, so they are candidates to check, not critical points.

The whole call returns within ``timeout`` seconds plus a small margin, whatever SymPy
does; what was not finished in time is said in ``.notes``.

>>> points = critical_points(Objective("x**3 + y**3 - 3*x*y"), timeout=10)
>>> [(p.point, p.kind) for p in points]
[({x: 0, y: 0}, 'saddle'), ({x: 1, y: 1}, 'minimum')]
>>> points[1].strict, points[1].method, points[1].hessian_eigenvalues, points[1].is_global
(True, 'second-order', (3, 9), False)
"""

from __future__ import annotations

import math
import numbers
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical import _solve
from symopt.critical._solve import Family, run_killable
from symopt.critical.classify import (
    DEFAULT_ORDER,
    Verdict,
    classify_family,
    classify_numeric,
    classify_point,
    global_flags,
    value_at,
)
from symopt.errors import HyperparameterError
from symopt.symbolic.numbers import sign, to_sympy
from symopt.symbolic.objective import Objective

__all__ = ["CriticalPoint", "CriticalPoints", "NondifferentiablePoint", "critical_points"]

# -- results -----------------------------------------------------------------------------------


@dataclass
class CriticalPoint:
    """One critical point (or family of critical points) and its classification.

    Attributes
    ----------
    point : dict
        ``{variable: value}``; for a family the values contain the ``parameters``.
    kind : str
        ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"inconclusive"``.
    strict : bool or None
        For extrema: strict (isolated) or not; ``None`` for saddles and undecided points.
    method : str
        ``"second-order"`` (definite or indefinite Hessian), ``"higher-order"``
        (degenerate Hessian, families) or ``"numeric"`` (float Hessian).
    exact : bool
        The point is known in closed form and ``∇f = 0`` was verified there exactly.
    value : sympy.Expr or float
        ``f`` at the point.
    hessian_eigenvalues : tuple
        The Hessian's eigenvalues, increasing (exact when short, else floats).
    reason : str
        Why the point got its kind (degenerate and inconclusive cases say what was found).
    is_global : bool or None
        A global extremum (True), provably not (False), or undecided (None).
    parameters : tuple of sympy.Symbol
        The free parameters of a family (empty for an isolated point).
    conditions : sympy boolean
        Which parameter values belong to the family.
    equations : tuple of sympy.Expr
        The family implicitly: its points are the common zeros.
    """

    point: dict[sp.Symbol, Any]
    kind: str
    strict: bool | None
    method: str
    exact: bool
    value: Any
    hessian_eigenvalues: tuple = ()
    reason: str = ""
    is_global: bool | None = None
    parameters: tuple[sp.Symbol, ...] = ()
    conditions: Any = sp.true
    equations: tuple[sp.Expr, ...] = ()

    @property
    def is_family(self) -> bool:
        """True for a curve or surface of critical points."""
        return bool(self.parameters)

    def __str__(self) -> str:
        strict = {True: "strict ", False: "non-strict "}.get(self.strict, "")
        kind = f"{strict}{self.kind}" if self.kind in ("minimum", "maximum") else self.kind
        return f"{kind} at {format_point(self.point)} (f = {format_number(self.value)})"

    def _repr_latex_(self) -> str:
        return f"${latex_point(self.point)}$: {self.kind}, $f = {latex_number(self.value)}$"


@dataclass
class NondifferentiablePoint:
    """A point (or family) where ``f`` is finite but not differentiable."""

    point: dict[sp.Symbol, Any]
    value: Any
    reason: str
    parameters: tuple[sp.Symbol, ...] = ()
    conditions: Any = sp.true

    def __str__(self) -> str:
        return f"{format_point(self.point)}: f = {format_number(self.value)}; {self.reason}"


@dataclass
class CriticalPoints(Sequence):
    """The critical points of an objective: a sequence of :class:`CriticalPoint`.

    Attributes
    ----------
    points : tuple of CriticalPoint
        Isolated points in increasing order, then families.
    objective : Objective
    complete : bool
        Every real critical point is in the list (proved: Gröbner bases for polynomial
        systems, ``solveset`` over the reals in one variable).  With ``periodic``, every
        critical point in ``box``.
    periodic : bool
        ``f`` is periodic; the list holds the points in ``box`` and repeats with
        ``periods``.
    box : dict or None
        ``{variable: (low, high)}``: the region that periodic listings and the numeric
        search covered (None when neither happened).
    periods : dict
        ``{variable: period}`` for the variables ``f`` is periodic in.
    nondifferentiable : tuple of NondifferentiablePoint
        Where ``f`` has kinks or infinite slopes: candidates Fermat's theorem misses.
    notes : tuple of str
        What was done and what was not finished in time.
    """

    points: tuple[CriticalPoint, ...]
    objective: Objective
    complete: bool = False
    periodic: bool = False
    box: dict | None = None
    periods: dict = field(default_factory=dict)
    nondifferentiable: tuple[NondifferentiablePoint, ...] = ()
    notes: tuple[str, ...] = ()
    elapsed: float = 0.0

    def __getitem__(self, index):
        return self.points[index]

    def __len__(self) -> int:
        return len(self.points)

    @property
    def minima(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == "minimum"]

    @property
    def maxima(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == "maximum"]

    @property
    def saddles(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == "saddle"]

    def __str__(self) -> str:
        return format_table(self)

    __repr__ = __str__

    def _repr_latex_(self) -> str:
        return format_latex(self)


# -- the search --------------------------------------------------------------------------------


MARGIN = 0.05  # seconds kept back for assembling the result


def critical_points(
    objective: Any,
    timeout: float = 10.0,
    *,
    box: Any = None,
    numeric: bool | None = None,
    seed: int | None = 0,
    starts: int | None = None,
    order: int = DEFAULT_ORDER,
) -> CriticalPoints:
    """The critical points of ``objective``, classified, within ``timeout`` seconds.

    Parameters
    ----------
    objective : Objective, sympy.Expr or str
        The function (text is parsed safely).
    timeout : float
        Seconds for the whole call (symbolic solving, numeric search, classification);
        it returns within this plus a small margin whatever SymPy does.
    box : dict, sequence of pairs, or one pair, optional
        ``{x: (low, high), …}`` (or pairs in variable order, or one pair for every
        variable): the region of the numeric search and of periodic listings.  Default:
        one period centred at 0 for a periodic variable, ``[-10, 10]`` otherwise.
    numeric : bool or None
        ``None`` (default): search numerically unless the symbolic list is provably
        complete; ``True``: always; ``False``: never.
    seed : int or None
        Seed of the numeric search's random starts.
    starts : int, optional
        Number of numeric starts (default ``60 + 60·n``).
    order : int
        Taylor degree of the higher-order test for non-polynomial objectives.

    Returns
    -------
    CriticalPoints
        A sequence of :class:`CriticalPoint`; ``str()`` is a table.

    Raises
    ------
    HyperparameterError
        If ``timeout`` is not a positive number, or ``box`` is malformed.

    Examples
    --------
    >>> pts = critical_points(Objective("(y - x**2)*(y - 2*x**2)"), timeout=10)
    >>> pts[0].kind, pts[0].method
    ('saddle', 'higher-order')
    >>> print(pts[0].reason)  # doctest: +ELLIPSIS
    the Hessian is positive semidefinite ... (x, y) = (t, 3*t**2/2) f − f(a) = -t**4/4 ...
    >>> family = critical_points(Objective("(x - y)**2"), timeout=10)[0]
    >>> family.point, family.parameters, family.kind, family.strict, family.is_global
    ({x: t, y: t}, (t,), 'minimum', False, True)
    """
    started = time.monotonic()
    seconds = _check_timeout(timeout)
    if not isinstance(objective, Objective):
        objective = Objective(objective)
    deadline = started + seconds - MARGIN
    user_box = _normalise_box(box, objective.variables)
    _check_options(numeric, starts, order)
    found = _solve.find(objective, user_box, deadline, numeric=numeric, seed=seed, starts=starts)
    points = _classified(objective, found, deadline, order)
    return CriticalPoints(
        points=tuple(points),
        objective=objective,
        complete=found.complete and not len(found.numeric),
        periodic=bool(found.periods),
        box=found.box if (found.periods or found.searched) else None,
        periods=dict(found.periods),
        nondifferentiable=tuple(_nondifferentiable(objective, found)),
        notes=tuple(found.notes),
        elapsed=time.monotonic() - started,
    )


def _check_options(numeric: Any, starts: Any, order: Any) -> None:
    if numeric not in (None, True, False):
        raise HyperparameterError("numeric", numeric, "None (automatic), True or False")
    for name, value, low in (("starts", starts, 1), ("order", order, 2)):
        if value is None and name == "starts":
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise HyperparameterError(name, value, f"an integer >= {low}")


def _check_timeout(timeout: Any) -> float:
    valid = "a number of seconds > 0 (e.g. timeout=10)"
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise HyperparameterError("timeout", timeout, valid)
    seconds = float(timeout)
    if not math.isfinite(seconds) or seconds <= 0:
        raise HyperparameterError("timeout", timeout, valid)
    return seconds


def _normalise_box(box: Any, variables: Sequence[sp.Symbol]) -> dict | None:
    if box is None:
        return None
    valid = "{x: (low, high), ...}, a (low, high) pair per variable, or one pair for all"
    by_name = {v.name: v for v in variables}
    if isinstance(box, Mapping):
        items = []
        for key, pair in box.items():
            name = key.name if isinstance(key, sp.Symbol) else key
            if name not in by_name:
                raise HyperparameterError("box", box, f"{valid}; {key!r} is not a variable")
            items.append((by_name[name], pair))
    else:
        pairs = list(box)
        if len(pairs) == 2 and all(
            not isinstance(p, (Sequence, np.ndarray)) or isinstance(p, str) for p in pairs
        ):
            pairs = [pairs] * len(variables)
        if len(pairs) != len(variables):
            raise HyperparameterError("box", box, valid)
        items = list(zip(variables, pairs, strict=True))
    out = {}
    for v, pair in items:
        try:
            lo, hi = (to_sympy(b, f"the box bound of {v}") for b in pair)
        except (TypeError, ValueError) as error:
            raise HyperparameterError("box", box, valid) from error
        if (
            lo.free_symbols
            or hi.free_symbols
            or not bool(sp.Lt(lo, hi))
            or not (lo.is_finite and hi.is_finite)
        ):
            raise HyperparameterError("box", box, f"{valid}, with finite low < high")
        out[v] = (lo, hi)
    return out


# -- classification in the worker --------------------------------------------------------------


def _classify_stage(expr, variables, hessian, gradient, found, order) -> Iterator[tuple]:
    """The worker: exact points, families, identified numeric points, then global."""
    entries: dict[tuple, tuple] = {}
    exact = found.points + found.unverified
    simple_first = sorted(range(len(exact)), key=lambda i: _complexity(exact[i]))
    for i in simple_first:
        verdict = classify_point(expr, variables, hessian, exact[i], order=order)
        verdict.value = found.values.get(i, None)
        if verdict.value is None:
            verdict.value = value_at(expr, exact[i])
        entries["point", i] = (verdict.kind, exact[i], verdict.value)
        yield ("point", i, verdict)
    for i, family in enumerate(found.families):
        verdict = classify_family(expr, variables, hessian, family)
        entries["family", i] = (verdict.kind, {}, verdict.value)
        yield ("family", i, verdict)
    for i, row in enumerate(found.numeric):
        point = _solve.identify(row, variables, gradient)
        if point is None:
            entries["numeric", i] = (
                "numeric",
                None,
                sp.Float(
                    float(
                        expr.xreplace(dict(zip(variables, map(sp.Float, row), strict=True))).evalf()
                    )
                ),
            )
            continue
        verdict = classify_point(expr, variables, hessian, point, order=order)
        verdict.value = value_at(expr, point)
        entries["numeric", i] = (verdict.kind, point, verdict.value)
        yield ("identified", i, point, verdict)
    complete = found.complete and not found.kinks and not len(found.numeric)
    periodic = set(found.periods) == set(variables) and all(
        sign(hi - lo - found.periods[v]) in (0, 1) for v, (lo, hi) in found.box.items()
    )
    keys = list(entries)
    flags = global_flags(expr, variables, [entries[k] for k in keys], complete, periodic=periodic)
    yield ("global", dict(zip(keys, flags, strict=True)))


def _complexity(point: dict) -> tuple:
    return (any(v.has(sp.CRootOf) for v in point.values()), sum(map(sp.count_ops, point.values())))


def _classified(objective, found, deadline: float, order: int) -> list[CriticalPoint]:
    expr, variables = objective.expr, objective.variables
    floats = [
        np.array([float(sp.N(p[v], 17)) for v in variables])
        for p in found.points + found.unverified
    ]
    _warm_up(objective)
    reserve = min(0.5, 0.1 * (deadline - time.monotonic()))
    outcome = run_killable(
        _classify_stage,
        expr,
        variables,
        objective.hessian,
        list(objective.gradient),
        found,
        order,
        deadline=deadline - reserve,
    )
    verdicts, identified, flags = {}, {}, {}
    for item in outcome.items:
        if item[0] == "identified":
            identified[item[1]] = item[2]
            verdicts["numeric", item[1]] = item[3]
        elif item[0] == "global":
            flags = item[1]
        else:
            verdicts[item[0], item[1]] = item[2]
    if not outcome.finished:
        found.notes.append(
            "exact classification stopped at the time budget: "
            f"{'some points were classified numerically' if len(verdicts) else 'numeric only'}"
            + ("" if outcome.error is None else f" ({outcome.error.splitlines()[0][:120]})")
        )
    if identified:
        found.notes.append(
            f"{len(identified)} numeric point(s) identified in closed form and verified exactly"
        )
    points = []
    for i, point in enumerate(found.points + found.unverified):
        exact = i < len(found.points)
        verdict = verdicts.get(("point", i)) or _numeric_verdict(objective, floats[i])
        points.append(_make(point, verdict, exact, flags.get(("point", i))))
    for i, row in enumerate(found.numeric):
        point = identified.get(i)
        if point is not None:
            points.append(_make(point, verdicts["numeric", i], True, flags.get(("numeric", i))))
        else:
            point = dict(zip(variables, map(sp.Float, row), strict=True))
            verdict = _numeric_verdict(objective, row)
            points.append(_make(point, verdict, False, flags.get(("numeric", i))))
    points.sort(key=lambda p: [_float(p.point[v]) for v in variables])
    for i, family in enumerate(found.families):
        verdict = verdicts.get(("family", i)) or Verdict(
            "inconclusive", None, "higher-order", "not classified within the time budget"
        )
        points.append(_make(family.point, verdict, True, flags.get(("family", i)), family))
    _disprove_globals(objective, points, deadline)
    return points


def _disprove_globals(objective, points: list[CriticalPoint], deadline: float) -> None:
    """A minimum (maximum) is not global if ``f`` is lower (higher) somewhere: sample ``f``
    at random points on several scales and confirm a better value exactly, at a
    rational sample point, before saying ``is_global=False``."""
    open_question = [p for p in points if p.is_global is None and p.kind in ("minimum", "maximum")]
    if not open_question or time.monotonic() > deadline:
        return
    try:
        compiled = objective.compile()
    except (ValueError, TypeError, NameError):
        return
    rng = np.random.default_rng(0)
    n = objective.n
    samples = np.concatenate(
        [s * rng.standard_normal((400, n)) for s in (0.01, 0.3, 1, 10, 100)]
    ).round(6)
    with np.errstate(all="ignore"):
        values = compiled.value(samples)
    finite = np.isfinite(values)
    samples, values = samples[finite], values[finite]
    if not len(values):
        return
    for p in open_question:
        s = 1 if p.kind == "minimum" else -1
        k = int(np.argmin(s * values))
        if s * (values[k] - float(sp.N(p.value))) >= -1e-9 * (1 + abs(values[k])):
            continue
        at = {v: sp.Rational(str(c)) for v, c in zip(objective.variables, samples[k], strict=True)}
        if sign(s * (objective.expr.xreplace(at) - p.value)) == -1:
            p.is_global = False
            where = ", ".join(sp.sstr(c) for c in at.values())
            p.reason = (p.reason + "; " if p.reason else "") + (
                f"not global: f({where}) is {'lower' if s > 0 else 'higher'}"
            )


def _float(value: Any) -> float:
    value = to_sympy(value)
    return float(value) if value.is_Float or value.is_Rational else float(sp.N(value, 10))


def _warm_up(objective) -> None:
    """Compile value and Hessian now, so that numeric fallbacks after the deadline are
    fast."""
    try:
        with np.errstate(all="ignore"):
            objective.compile().hessian(np.full(objective.n, 0.5))
    except Exception:  # any failure just leaves the numeric fallback to fail later
        pass


def _numeric_verdict(objective, x: np.ndarray) -> Verdict:
    try:
        compiled = objective.compile()
        with np.errstate(all="ignore"):
            verdict = classify_numeric(compiled.hessian(x))
            verdict.value = sp.Float(float(compiled.value(x)), 15)
    except (ValueError, TypeError, NameError, np.linalg.LinAlgError) as error:
        verdict = Verdict("inconclusive", None, "numeric", f"not classified in time ({error})")
    return verdict


def _make(point, verdict: Verdict, exact: bool, is_global, family: Family | None = None):
    if verdict.kind == "saddle":
        is_global = False
    return CriticalPoint(
        point=dict(point),
        kind=verdict.kind,
        strict=verdict.strict,
        method=verdict.method,
        exact=exact,
        value=verdict.value,
        hessian_eigenvalues=tuple(verdict.eigenvalues),
        reason=verdict.reason,
        is_global=verdict.is_global if verdict.is_global is not None else is_global,
        parameters=family.parameters if family else (),
        conditions=family.conditions if family else sp.true,
        equations=family.equations if family else (),
    )


def _nondifferentiable(objective, found) -> Iterator[NondifferentiablePoint]:
    seen = []
    for item, reason in found.kinks:
        if item.kind == "point":
            point, parameters, conditions = item.payload, (), sp.true
        else:
            family = item.payload
            point, parameters, conditions = family.point, family.parameters, family.conditions
        key = tuple(sp.srepr(point[v]) for v in objective.variables)
        if key in seen:
            continue
        seen.append(key)
        value = objective.expr.xreplace(point)
        yield NondifferentiablePoint(point, value, reason, parameters, conditions)


# -- output ------------------------------------------------------------------------------------


def format_number(value: Any, width: int = 18) -> str:
    """An exact value if short, else ``≈`` and 6 significant digits."""
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:.6g}"
    value = to_sympy(value)
    if value.is_Float:
        return f"{float(value):.6g}"
    text = sp.sstr(value)
    if value.free_symbols or (len(text) <= width and not value.has(sp.CRootOf)):
        return text
    try:
        return f"≈{float(value):.6g}"
    except TypeError:
        return text


def format_point(point: dict) -> str:
    return "(" + ", ".join(format_number(v) for v in point.values()) + ")"


def latex_number(value: Any) -> str:
    if value is None:
        return "?"
    value = to_sympy(value)
    if value.is_Float or (value.has(sp.CRootOf) and not value.free_symbols):
        return f"{float(value):.6g}"
    return sp.latex(value)


def latex_point(point: dict) -> str:
    return r"\left(" + ", ".join(latex_number(v) for v in point.values()) + r"\right)"


def _yes_no(flag: bool | None, kind: str) -> str:
    if kind not in ("minimum", "maximum"):
        return "-"
    return {True: "yes", False: "no"}.get(flag, "?")


def _summary(points: CriticalPoints) -> str:
    count = len(points.points)
    n = f"{count} critical point{'s' if count != 1 else ''}"
    if points.periodic:
        where = ", ".join(
            f"{v} in [{sp.sstr(lo)}, {sp.sstr(hi)}]"
            for v, (lo, hi) in points.box.items()
            if v in points.periods
        )
        periods = ", ".join(f"{v}: {sp.sstr(p)}" for v, p in points.periods.items())
        complete = "all of them" if points.complete else "found"
        return f"{n} with {where} ({complete}; f is periodic, periods {periods})"
    if points.complete:
        return f"{n} (complete: every real solution of ∇f = 0)"
    return f"{n} found (the list is not proved complete; see the notes)"


def _rows(points: CriticalPoints) -> tuple[list[list[str]], list[str]]:
    rows, footnotes = [], []
    for i, p in enumerate(points.points, 1):
        mark = ""
        if p.method != "second-order" or p.is_family or not p.exact:
            lines = []
            if p.is_family:
                names = ", ".join(map(str, p.parameters))
                where = "" if p.conditions is sp.true else f" with {sp.sstr(p.conditions)}"
                implicit = " and ".join(f"{sp.sstr(e)} = 0" for e in p.equations)
                lines.append(
                    f"a family with parameter(s) {names}{where}"
                    + (f" (implicitly {implicit})" if implicit else "")
                )
            if not p.exact:
                lines.append("approximate (numeric): not verified in closed form")
            if p.reason and p.method != "second-order":
                lines.append(p.reason)
            if lines:
                mark = f" [{i}]"
                footnotes.append(f"[{i}] " + "; ".join(lines))
        strict = "-" if p.kind not in ("minimum", "maximum") else ("yes" if p.strict else "no")
        rows.append(
            [
                str(i),
                format_point(p.point),
                format_number(p.value),
                ", ".join(format_number(e, 12) for e in p.hessian_eigenvalues),
                p.kind + mark,
                strict,
                _yes_no(p.is_global, p.kind),
                p.method,
            ]
        )
    return rows, footnotes


def format_table(points: CriticalPoints) -> str:
    """The text table that ``str(points)`` and ``symopt analyze`` print."""
    header = ["#", "point", "f", "Hessian eigenvalues", "kind", "strict", "global", "method"]
    rows, footnotes = _rows(points)
    lines = [_summary(points)]
    if rows:
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        for r in [header, ["-" * w for w in widths], *rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines += footnotes
    if points.nondifferentiable:
        lines.append("not differentiable here (Fermat's theorem does not apply: check by hand):")
        lines += [f"  {p}" for p in points.nondifferentiable]
    if points.notes:
        lines.append("notes: " + "; ".join(points.notes))
    return "\n".join(lines)


def format_latex(points: CriticalPoints) -> str:
    """A LaTeX array of the table, for notebooks."""
    head = (
        r"\text{point} & f & \text{eigenvalues of } H & \text{kind} & \text{method} \\ "
        r"\hline "
    )
    body = " ".join(
        rf"{latex_point(p.point)} & {latex_number(p.value)} & "
        + ", ".join(latex_number(e) for e in p.hessian_eigenvalues)
        + rf" & \text{{{('strict ' if p.strict else '') + p.kind}}} & \text{{{p.method}}} \\"
        for p in points.points
    )
    return rf"$$\begin{{array}}{{lllll}} {head}{body} \end{{array}}$$"
