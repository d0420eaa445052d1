"""How ∇f = 0 is solved and each point classified within one time budget: start reading here.

:func:`search` runs three stages against one deadline (the call's end less
:data:`MARGIN`); the two symbolic ones run in killable forked workers
(:mod:`symopt.critical.worker`) that send typed messages (:mod:`symopt.critical.messages`),
so a SymPy call that never returns costs its share of the budget and no more.

1. **Solve** (until :data:`SOLVE_SHARE` of the budget): first the sets where ``f`` is not
   differentiable (:mod:`~symopt.critical.nondifferentiable`), then ∇f = 0 -- by Gröbner
   bases when the gradient is polynomial over the rationals
   (:mod:`~symopt.critical.algebraic`, provably complete), else by ``solveset``/``solve``
   (:mod:`~symopt.critical.closed_form`).  Every solution is checked by substitution
   (:mod:`~symopt.critical.verify`) before it is sent.
2. **Search numerically** (until :data:`SEARCH_SHARE`) unless the symbolic list is
   provably complete: Levenberg–Marquardt from many starts in a box
   (:mod:`~symopt.critical.numeric`); zeros not found symbolically become numeric points.
3. **Classify** (the rest): exact points, families, and numeric points identified in
   closed form (:mod:`~symopt.critical.classify`), then which extrema are global
   (:mod:`~symopt.critical.globality`).  Whatever is not classified in time gets the
   second-order test on the float Hessian.

>>> import time
>>> from symopt.symbolic.objective import Objective
>>> found, candidates = search(Objective("x**2 - 2*x"), None, time.monotonic() + 10)
>>> [(c.point, c.verdict.kind, c.verdict.is_global) for c in candidates], found.complete
([({x: 1}, 'minimum', True)], True)
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical.algebraic import polynomial_over_rationals, polynomial_solutions
from symopt.critical.classify import (
    DEFAULT_ORDER,
    classify_family,
    classify_numeric,
    classify_point,
    value_at,
)
from symopt.critical.closed_form import closed_form_solutions, full_box, solution_items
from symopt.critical.globality import disprove_globals, global_flags
from symopt.critical.messages import (
    Classified,
    Complete,
    Family,
    Finding,
    GlobalFlags,
    Identified,
    Kink,
    Note,
    Periodic,
    Solution,
    SolvedBy,
    Source,
    Unverified,
    Verdict,
)
from symopt.critical.nondifferentiable import nondifferentiable_sets
from symopt.critical.numeric import identify, numeric_solutions, unseen
from symopt.critical.verify import family_verified, verified
from symopt.critical.worker import Failed, Finished, TimedOut, run_killable
from symopt.symbolic.derivatives import kinks
from symopt.symbolic.numbers import to_sympy
from symopt.symbolic.objective import Objective
from symopt.symbolic.quadratic import sign

__all__ = ["MARGIN", "SEARCH_SHARE", "SOLVE_SHARE", "Candidate", "Found", "search"]

MARGIN = 0.05  # seconds kept back for assembling the result
SOLVE_SHARE = 0.6  # the symbolic worker stops at this fraction of the budget
SEARCH_SHARE = 0.8  # the numeric search stops here; classification has the rest
MAX_NUMERIC_POINTS = 30  # more distinct numeric zeros than this: not isolated points


@dataclass
class Found:
    """What the first two stages found: exact points, families, numeric points (rows of a
    float array), non-differentiable sets, and what is known about completeness."""

    points: list[dict] = field(default_factory=list)
    families: list[Family] = field(default_factory=list)
    numeric: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    kinks: list[Kink] = field(default_factory=list)
    complete: bool = False
    periods: dict = field(default_factory=dict)
    box: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    unverified: list[dict] = field(default_factory=list)
    values: dict[int, sp.Expr] = field(default_factory=dict)  # index in points -> f
    searched: bool = False  # the numeric search ran over the box


@dataclass(frozen=True)
class Candidate:
    """One classified critical point (or family): what becomes a ``CriticalPoint``."""

    point: dict[sp.Symbol, Any]
    verdict: Verdict
    exact: bool
    family: Family | None = None


def search(
    objective: Objective,
    box: dict | None,
    end: float,
    *,
    numeric: bool | None = None,
    seed: int | None = 0,
    starts: int | None = None,
    order: int = DEFAULT_ORDER,
) -> tuple[Found, list[Candidate]]:
    """Solve, search numerically, classify; done by ``end`` (a :func:`time.monotonic`
    time) less :data:`MARGIN`.  Isolated points come sorted, families last."""
    start = time.monotonic()
    deadline = end - MARGIN
    budget = deadline - start
    found = _solve(objective, box, deadline=start + SOLVE_SHARE * budget)
    if numeric is True or (numeric is None and not found.complete):
        _search_numerically(objective, found, start + SEARCH_SHARE * budget, seed, starts)
    return found, _classify(objective, found, deadline, order)


# -- stage 1: solve ----------------------------------------------------------------------------


def _solve(objective: Objective, box: dict | None, deadline: float) -> Found:
    """Run the solving worker until ``deadline`` and gather its findings."""
    start = time.monotonic()
    expr, variables = objective.expr, objective.variables
    outcome = run_killable(
        _solving, expr, variables, list(objective.gradient), box, deadline=deadline
    )
    found = Found(numeric=np.zeros((0, len(variables))))
    method = "closed forms"
    for message in outcome.items:
        match message:
            case Solution(point, value):
                if value is not None:
                    found.values[len(found.points)] = value
                found.points.append(point)
            case Unverified(point):
                found.unverified.append(point)
            case Family():
                found.families.append(message)
            case Kink():
                found.kinks.append(message)
            case Periodic(periods):
                found.periods = periods
            case Complete():
                found.complete = True
            case Note(text):
                found.notes.append(text)
            case SolvedBy(name):
                method = name
    found.box = full_box(variables, found.periods, box)
    match outcome:
        case TimedOut():
            found.notes.append(
                f"symbolic solving stopped after {deadline - start:.1f} s (time budget)"
            )
            found.complete = False
        case Failed(error=error):
            found.notes.append(f"symbolic solving failed ({error.splitlines()[0][:120]})")
            found.complete = False
        case Finished():
            found.notes.append(f"∇f = 0 solved symbolically ({method})")
    if found.unverified:
        found.notes.append(
            f"{len(found.unverified)} closed-form solution(s) satisfy ∇f = 0 to 50 digits "
            "but not provably: kept with exact=False"
        )
    return found


def _solving(expr, variables, gradient, box) -> Iterator[Finding]:
    """The solving worker: non-differentiable sets, then verified solutions of ∇f = 0."""
    yield from nondifferentiable_sets(expr, variables, gradient)
    for item in _solutions(expr, variables, gradient, box):
        if isinstance(item, Solution):
            bad = kinks(expr, item.point)
            if bad:
                yield Kink(item, f"{', '.join(map(str, bad))} has a kink here")
                continue
            proved = verified(item.point, gradient)
            if proved is False:
                continue
            if proved is None:
                item = Unverified(item.point)
        elif isinstance(item, Family) and not family_verified(item, gradient):
            yield Note(
                f"dropped a family that solve returned but that does not solve ∇f = 0: {item.point}"
            )
            continue
        yield item


def _solutions(expr, variables, gradient, box) -> Iterator[Finding]:
    """What is tried, in order: a constant ``f`` (every point is critical); float
    coefficients read as the decimals they show if that makes the system polynomial;
    Gröbner bases for a polynomial system; ``solveset``/``solve`` otherwise."""
    variables = list(variables)
    nonzero = [g for g in gradient if g != 0]
    if not nonzero:
        yield from solution_items({}, variables)
        yield Complete()
        return
    if any(g.has(sp.Float) for g in nonzero):
        exact = [sp.nsimplify(g, rational=True) for g in nonzero]
        if polynomial_over_rationals(exact, variables) is not None:
            yield Note("float coefficients were read as the decimals they show")
            nonzero, expr = exact, sp.nsimplify(expr, rational=True)
    if polynomial_over_rationals(nonzero, variables) is not None:
        yield SolvedBy("Gröbner bases")
        yield from polynomial_solutions(nonzero, variables, expr)
        return
    yield from closed_form_solutions(expr, variables, nonzero, box)


# -- stage 2: search numerically ---------------------------------------------------------------


def _search_numerically(objective, found: Found, deadline: float, seed, starts) -> None:
    variables = objective.variables
    try:
        compiled = objective.compile()
    except (ValueError, TypeError, NameError, KeyError) as error:
        found.notes.append(f"no numeric search: the objective does not compile ({error})")
        return
    box = np.array([[float(lo), float(hi)] for lo, hi in found.box.values()])
    found.searched = True
    points = numeric_solutions(compiled, box, deadline, seed=seed, starts=starts)
    known = [np.array([float(p[v]) for v in variables]) for p in found.points + found.unverified]
    zero_sets = [f.equations for f in found.families] + [k.equations for k in found.kinks]
    new = unseen(points, variables, known, zero_sets)
    if len(new) > MAX_NUMERIC_POINTS:
        found.notes.append(
            f"the numeric search found {len(new)} distinct zeros of ∇f: the critical points "
            f"probably form curves or regions (f constant there?); {MAX_NUMERIC_POINTS} shown"
        )
        new = new[:: -(-len(new) // MAX_NUMERIC_POINTS)]
    found.numeric = np.array(new).reshape(-1, len(variables))
    box_text = " × ".join(f"[{sp.sstr(lo)}, {sp.sstr(hi)}]" for lo, hi in found.box.values())
    found.notes.append(
        f"numeric search (Levenberg–Marquardt from many starts) in the box {box_text}: "
        f"{len(points)} point(s), {len(new)} not found symbolically"
    )


# -- stage 3: classify -------------------------------------------------------------------------


def _classify(objective, found: Found, deadline: float, order: int) -> list[Candidate]:
    """Run the classifying worker until shortly before ``deadline``; numeric verdicts for
    what it did not reach; then the global flags, and the sampling test against them."""
    floats = [
        np.array([float(sp.N(p[v], 17)) for v in objective.variables])
        for p in found.points + found.unverified
    ]
    _warm_up(objective)
    reserve = min(0.5, 0.1 * (deadline - time.monotonic()))
    outcome = run_killable(
        _classifying,
        objective.expr,
        objective.variables,
        objective.hessian,
        list(objective.gradient),
        found,
        order,
        deadline=deadline - reserve,
    )
    verdicts: dict[tuple[Source, int], Verdict] = {}
    identified: dict[int, dict] = {}
    flags: dict[tuple[Source, int], bool | None] = {}
    for message in outcome.items:
        match message:
            case Classified(source, index, verdict):
                verdicts[source, index] = verdict
            case Identified(index, point, verdict):
                identified[index] = point
                verdicts["numeric", index] = verdict
            case GlobalFlags():
                flags = message.flags
    if not isinstance(outcome, Finished):
        partly = "some points were classified numerically" if verdicts else "numeric only"
        error = f" ({outcome.error.splitlines()[0][:120]})" if isinstance(outcome, Failed) else ""
        found.notes.append(f"exact classification stopped at the time budget: {partly}{error}")
    if identified:
        found.notes.append(
            f"{len(identified)} numeric point(s) identified in closed form and verified exactly"
        )
    candidates = _candidates(objective, found, floats, verdicts, identified, flags)
    settled = disprove_globals(objective, [c.verdict for c in candidates], deadline)
    return [replace(c, verdict=v) for c, v in zip(candidates, settled, strict=True)]


def _candidates(objective, found: Found, floats, verdicts, identified, flags) -> list[Candidate]:
    """Every point with its verdict (numeric where the worker gave none) and global flag:
    isolated points sorted by their coordinates, then the families."""
    candidates = []
    for i, point in enumerate(found.points + found.unverified):
        verdict = verdicts.get(("point", i)) or _numeric_verdict(objective, floats[i])
        exact = i < len(found.points)
        candidates.append(Candidate(point, _settled(verdict, flags.get(("point", i))), exact))
    for i, row in enumerate(found.numeric):
        flag = flags.get(("numeric", i))
        if i in identified:
            verdict = _settled(verdicts["numeric", i], flag)
            candidates.append(Candidate(identified[i], verdict, True))
        else:
            point = dict(zip(objective.variables, map(sp.Float, row), strict=True))
            verdict = _settled(_numeric_verdict(objective, row), flag)
            candidates.append(Candidate(point, verdict, False))
    candidates.sort(key=lambda c: [_float(c.point[v]) for v in objective.variables])
    for i, family in enumerate(found.families):
        verdict = verdicts.get(("family", i)) or Verdict(
            "inconclusive", None, "higher-order", "not classified within the time budget"
        )
        flag = flags.get(("family", i))
        candidates.append(Candidate(family.point, _settled(verdict, flag), True, family))
    return candidates


def _classifying(
    expr, variables, hessian, gradient, found: Found, order: int
) -> Iterator[Classified | Identified | GlobalFlags]:
    """The classifying worker: exact points (simplest first), families, numeric points
    identified in closed form, then the global flags of them all."""
    entries: dict[tuple[Source, int], tuple] = {}
    exact = found.points + found.unverified
    for i in sorted(range(len(exact)), key=lambda i: _complexity(exact[i])):
        verdict = classify_point(expr, variables, hessian, exact[i], order=order)
        value = found.values.get(i)
        verdict = replace(verdict, value=value_at(expr, exact[i]) if value is None else value)
        entries["point", i] = (verdict.kind, exact[i], verdict.value)
        yield Classified("point", i, verdict)
    for i, family in enumerate(found.families):
        verdict = classify_family(expr, variables, hessian, family)
        entries["family", i] = (verdict.kind, {}, verdict.value)
        yield Classified("family", i, verdict)
    for i, row in enumerate(found.numeric):
        point = identify(row, variables, gradient)
        if point is None:
            at = dict(zip(variables, map(sp.Float, row), strict=True))
            entries["numeric", i] = ("numeric", None, sp.Float(float(expr.xreplace(at).evalf())))
            continue
        verdict = classify_point(expr, variables, hessian, point, order=order)
        verdict = replace(verdict, value=value_at(expr, point))
        entries["numeric", i] = (verdict.kind, point, verdict.value)
        yield Identified(i, point, verdict)
    complete = found.complete and not found.kinks and not len(found.numeric)
    periodic = set(found.periods) == set(variables) and all(
        sign(hi - lo - found.periods[v]) in (0, 1) for v, (lo, hi) in found.box.items()
    )
    keys = list(entries)
    flags = global_flags(expr, variables, [entries[k] for k in keys], complete, periodic=periodic)
    yield GlobalFlags(dict(zip(keys, flags, strict=True)))


def _settled(verdict: Verdict, flag: bool | None) -> Verdict:
    """The verdict's own ``is_global`` if it has one, else ``flag`` (False for a saddle)."""
    if verdict.is_global is not None:
        return verdict
    return replace(verdict, is_global=False if verdict.kind == "saddle" else flag)


def _numeric_verdict(objective, x: np.ndarray) -> Verdict:
    try:
        compiled = objective.compile()
        with np.errstate(all="ignore"):
            verdict = classify_numeric(compiled.hessian(x))
            return replace(verdict, value=sp.Float(float(compiled.value(x)), 15))
    except (ValueError, TypeError, NameError, np.linalg.LinAlgError) as error:
        return Verdict("inconclusive", None, "numeric", f"not classified in time ({error})")


def _warm_up(objective) -> None:
    """Compile value and Hessian now, so that numeric fallbacks after the deadline are
    fast."""
    try:
        with np.errstate(all="ignore"):
            objective.compile().hessian(np.full(objective.n, 0.5))
    except Exception:  # any failure just leaves the numeric fallback to fail later
        pass


def _complexity(point: dict) -> tuple:
    return (any(v.has(sp.CRootOf) for v in point.values()), sum(map(sp.count_ops, point.values())))


def _float(value: Any) -> float:
    value = to_sympy(value)
    return float(value) if value.is_Float or value.is_Rational else float(sp.N(value, 10))
