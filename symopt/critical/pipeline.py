"""How ∇f = 0 is solved and each point classified within one time budget: start reading here.

:func:`search` runs three stages against one deadline (the call's end less
:data:`MARGIN`), each in a killable forked worker (:mod:`symopt.critical.worker`) that
sends typed messages (:mod:`symopt.critical.messages`).  Every SymPy call -- deriving,
solving, compiling, classifying, printing the table's cells -- happens in a worker, so
a call that never returns costs its stage's share of the budget and no more; the parent
only assembles what arrived.

1. **Solve** (until :data:`SOLVE_SHARE` of the budget): the gradient, the sets where
   ``f`` is not differentiable (:mod:`~symopt.critical.nondifferentiable`), then ∇f = 0
   -- by Gröbner bases when the gradient is polynomial over the rationals
   (:mod:`~symopt.critical.algebraic`, provably complete), else by ``solveset``/``solve``
   (:mod:`~symopt.critical.closed_form`).  Every solution is checked by substitution
   (:mod:`~symopt.critical.verify`) before it is sent.
2. **Compile and search numerically** (until :data:`SEARCH_SHARE`): the floats of the
   exact points; then, unless the symbolic list is provably complete,
   Levenberg–Marquardt from many starts in a box (:mod:`~symopt.critical.numeric`),
   whose new zeros become numeric points; then the second-order test on the float
   Hessian of every point (the fallback) and the extremes of ``f`` over random samples.
3. **Classify** (the rest): exact points, families, and numeric points identified in
   closed form (:mod:`~symopt.critical.classify`), which extrema are global
   (:mod:`~symopt.critical.globality`), and those a sample disproves.  A point this
   stage does not reach keeps the float verdict of stage 2, or is "inconclusive".

What a stage did not finish is said in the notes.

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
from symopt.critical.globality import disprove_globals, global_flags, sample_extremes
from symopt.critical.messages import (
    Classified,
    Complete,
    Estimated,
    Extremes,
    Family,
    Finding,
    GlobalFlags,
    Identified,
    Kink,
    Located,
    Note,
    Periodic,
    Solution,
    SolvedBy,
    Source,
    Unverified,
    Verdict,
    Zeros,
)
from symopt.critical.nondifferentiable import nondifferentiable_sets
from symopt.critical.numeric import identify, numeric_solutions, unseen
from symopt.critical.table import cells
from symopt.critical.verify import family_verified, verified
from symopt.critical.worker import Failed, Finished, TimedOut, run_killable
from symopt.symbolic.derivatives import kinks
from symopt.symbolic.objective import Objective
from symopt.symbolic.quadratic import sign

__all__ = ["MARGIN", "SEARCH_SHARE", "SOLVE_SHARE", "Candidate", "Found", "search"]

MARGIN = 0.05  # seconds kept back for assembling the result
SOLVE_SHARE = 0.6  # the symbolic worker stops at this fraction of the budget
SEARCH_SHARE = 0.8  # the numeric search stops here; classification has the rest
MAX_NUMERIC_POINTS = 30  # more distinct numeric zeros than this: not isolated points
FAILURES = (ArithmeticError, ValueError, TypeError, NotImplementedError)  # SymoptError too
"""What SymPy and compiling raise on what they cannot handle (an overflow, an unsupported
function): that point stays inconclusive, or that stage notes it, and the rest goes on."""


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
    searching = numeric is True or (numeric is None and not found.complete)
    estimates = _estimate(objective, found, start + SEARCH_SHARE * budget, searching, seed, starts)
    return found, _classify(objective, found, estimates, deadline, order)


# -- stage 1: solve ----------------------------------------------------------------------------


def _solve(objective: Objective, box: dict | None, deadline: float) -> Found:
    """Run the solving worker until ``deadline`` and gather its findings."""
    start = time.monotonic()
    variables = objective.variables
    outcome = run_killable(_solving, objective, box, deadline=deadline)
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


def _solving(objective: Objective, box: dict | None) -> Iterator[Finding]:
    """The solving worker: the gradient, non-differentiable sets, then verified solutions
    of ∇f = 0."""
    expr, variables, gradient = objective.expr, objective.variables, list(objective.gradient)
    yield from nondifferentiable_sets(expr, variables, gradient)
    for item in _solutions(expr, variables, gradient, box):
        if isinstance(item, Solution):
            bad = kinks(expr, item.point)
            if bad:
                reason = f"{', '.join(map(str, bad))} has a kink here"
                yield Kink(item, reason, expr.xreplace(item.point))
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


# -- stage 2: compile, search numerically, estimate ----------------------------------------


@dataclass
class Estimates:
    """What the numeric worker found: float coordinates and float-Hessian verdicts per
    entry, and the sampled extremes of ``f``."""

    at: dict[tuple[Source, int], np.ndarray] = field(default_factory=dict)
    verdicts: dict[tuple[Source, int], Verdict] = field(default_factory=dict)
    extremes: Extremes | None = None


def _estimate(objective, found: Found, deadline: float, searching: bool, seed, starts):
    """Run the numeric worker until ``deadline``: it compiles the objective, searches
    numerically (if ``searching``) and gives the float fallbacks of every point."""
    started = time.monotonic()
    outcome = run_killable(
        _estimating, objective, found, searching, seed, starts, deadline, deadline=deadline
    )
    estimates = Estimates()
    for message in outcome.items:
        match message:
            case Located(index, at):
                estimates.at["point", index] = np.array(at)
            case Zeros(rows):
                found.numeric = np.array(rows, dtype=float).reshape(-1, objective.n)
                found.searched = True
                for i, row in enumerate(found.numeric):
                    estimates.at["numeric", i] = row
            case Estimated(source, index, verdict):
                estimates.verdicts[source, index] = verdict
            case Extremes():
                estimates.extremes = message
            case Note(text):
                found.notes.append(text)
    what = "numeric search" if searching else "numeric fallback (float Hessians)"
    match outcome:
        case TimedOut():
            if estimates.verdicts or found.searched:
                stage = "evaluating float Hessians"
            else:
                stage = "compiling the objective" + (" or searching" if searching else "")
            found.notes.append(
                f"{what} stopped after {deadline - started:.1f} s (time budget) while {stage}"
            )
        case Failed(error=error):
            found.notes.append(f"{what} failed ({error.splitlines()[0][:120]})")
    return estimates


def _estimating(objective, found: Found, searching: bool, seed, starts, deadline):
    """The numeric worker: floats of the exact points, then (compiled) the numeric
    search, the float-Hessian verdicts and the sampled extremes."""
    variables = objective.variables
    known = []
    for i, p in enumerate(found.points + found.unverified):
        known.append(_floats(p, variables))
        yield Located(i, tuple(known[-1]))
    try:
        compiled = objective.compile()
    except (*FAILURES, NameError, KeyError) as error:
        yield Note(f"no numeric search or float Hessians: the objective does not compile ({error})")
        return
    rows = np.zeros((0, len(variables)))
    if searching:
        left = deadline - time.monotonic()
        try:
            rows = yield from _search_numerically(
                compiled, objective, found, known, deadline - min(0.2, 0.25 * left), seed, starts
            )
            yield Zeros(tuple(map(tuple, rows.tolist())))
        except FAILURES as error:  # e.g. the gradient, compiled on first use, does not
            yield Note(f"no numeric search: {type(error).__name__}: {str(error)[:120]}")
    exact = found.points + found.unverified
    for i, x in enumerate(known):
        yield Estimated("point", i, _shown(_numeric_verdict(compiled, x), exact[i]))
    for i, x in enumerate(rows):
        at = dict(zip(variables, map(sp.Float, x), strict=True))
        yield Estimated("numeric", i, _shown(_numeric_verdict(compiled, x), at))
    try:
        extremes = sample_extremes(compiled, objective.n)
    except FAILURES:  # f overflows at the samples: no sampling test
        return
    if extremes is not None:
        yield extremes


def _floats(point: dict, variables) -> np.ndarray:
    """The point in floats; a coordinate beyond the float range becomes ±inf."""
    out = []
    for v in variables:
        value = sp.N(point[v], 17)
        try:
            out.append(float(value))
        except (TypeError, ValueError, OverflowError):
            out.append(np.inf if value.is_extended_positive is not False else -np.inf)
    return np.array(out)


def _search_numerically(compiled, objective, found: Found, known, deadline, seed, starts):
    """Levenberg–Marquardt in the box until ``deadline``; returns the new zeros (rows) and
    yields a note saying what was searched."""
    variables = objective.variables
    box = np.array([[float(lo), float(hi)] for lo, hi in found.box.values()])
    points = numeric_solutions(compiled, box, deadline, seed=seed, starts=starts)
    zero_sets = [f.equations for f in found.families] + [k.equations for k in found.kinks]
    new = unseen(points, variables, known, zero_sets)
    if len(new) > MAX_NUMERIC_POINTS:
        yield Note(
            f"the numeric search found {len(new)} distinct zeros of ∇f: the critical points "
            f"probably form curves or regions (f constant there?); {MAX_NUMERIC_POINTS} shown"
        )
        new = new[:: -(-len(new) // MAX_NUMERIC_POINTS)]
    box_text = " × ".join(f"[{sp.sstr(lo)}, {sp.sstr(hi)}]" for lo, hi in found.box.values())
    yield Note(
        f"numeric search (Levenberg–Marquardt from many starts) in the box {box_text}: "
        f"{len(points)} point(s), {len(new)} not found symbolically"
    )
    return np.array(new).reshape(-1, len(variables))


def _numeric_verdict(compiled, x: np.ndarray) -> Verdict:
    try:
        with np.errstate(all="ignore"):
            verdict = classify_numeric(compiled.hessian(x))
            return replace(verdict, value=sp.Float(float(compiled.value(x)), 15))
    except (*FAILURES, NameError, np.linalg.LinAlgError) as error:
        return Verdict("inconclusive", None, "numeric", f"no float Hessian here ({error})")


# -- stage 3: classify -------------------------------------------------------------------------

UNCLASSIFIED = "not classified within the time budget"


def _classify(
    objective, found: Found, estimates: Estimates, deadline: float, order: int
) -> list[Candidate]:
    """Run the classifying worker until ``deadline``; the float-Hessian verdicts stand in
    for what it did not reach."""
    outcome = run_killable(_classifying, objective, found, estimates, order, deadline=deadline)
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
        total = len(found.points) + len(found.unverified) + len(found.families)
        total += len(found.numeric)
        done = len({key for key in verdicts if key[0] != "numeric"}) + len(identified)
        why = (
            f"failed ({outcome.error.splitlines()[0][:120]})"
            if isinstance(outcome, Failed)
            else "stopped at the time budget"
        )
        if done == total:
            found.notes.append(f"exact classification {why} before the global flags")
        else:
            found.notes.append(
                f"exact classification {why}: {done} of {total} points classified exactly, "
                "the others keep the float Hessian's verdict where there is one"
            )
    if identified:
        found.notes.append(
            f"{len(identified)} numeric point(s) identified in closed form and verified exactly"
        )
    return _candidates(objective, found, estimates, verdicts, identified, flags)


def _candidates(objective, found: Found, estimates, verdicts, identified, flags):
    """Every point with its verdict (the float one where the worker gave none, else
    "inconclusive") and global flag: isolated points sorted by their coordinates (where
    known), then the families."""

    def verdict(key, method="numeric") -> Verdict:
        chosen = verdicts.get(key) or estimates.verdicts.get(key)
        return _settled(
            chosen or Verdict("inconclusive", None, method, UNCLASSIFIED), flags.get(key)
        )

    unknown = np.full(objective.n, np.inf)
    located = []
    for i, point in enumerate(found.points + found.unverified):
        candidate = Candidate(point, verdict(("point", i)), i < len(found.points))
        located.append((estimates.at.get(("point", i), unknown), candidate))
    for i, row in enumerate(found.numeric):
        if i in identified:
            candidate = Candidate(identified[i], verdict(("numeric", i)), True)
        else:
            point = dict(zip(objective.variables, map(sp.Float, row), strict=True))
            candidate = Candidate(point, verdict(("numeric", i)), False)
        located.append((row, candidate))
    located.sort(key=lambda pair: tuple(pair[0]))
    candidates = [candidate for _, candidate in located]
    for i, family in enumerate(found.families):
        candidates.append(
            Candidate(family.point, verdict(("family", i), "higher-order"), True, family)
        )
    return candidates


def _classifying(
    objective, found: Found, estimates: Estimates, order: int
) -> Iterator[Classified | Identified | GlobalFlags]:
    """The classifying worker: exact points (simplest first), families, numeric points
    identified in closed form, the global flags of them all, then the verdicts that a
    sample of ``f`` proves not global."""
    expr, variables = objective.expr, objective.variables
    hessian, gradient = objective.hessian, list(objective.gradient)
    verdicts: dict[tuple[Source, int], Verdict] = {}
    entries: dict[tuple[Source, int], tuple] = {}
    exact = found.points + found.unverified
    for i in sorted(range(len(exact)), key=lambda i: _complexity(exact[i])):
        fallback = estimates.verdicts.get(("point", i))
        verdict = _exact_verdict(objective, hessian, exact[i], found.values.get(i), order, fallback)
        entries["point", i] = _entry(verdict, exact[i])
        verdicts["point", i] = verdict
        yield Classified("point", i, verdict)
    for i, family in enumerate(found.families):
        try:
            verdict = classify_family(expr, variables, hessian, family)
        except FAILURES as error:
            verdict = _unclassified(error)
        verdict = _shown(verdict, family.point)
        entries["family", i] = (verdict.kind, {}, verdict.value)
        verdicts["family", i] = verdict
        yield Classified("family", i, verdict)
    for i, row in enumerate(found.numeric):
        point = identify(row, variables, gradient)
        if point is None:
            at = dict(zip(variables, map(sp.Float, row), strict=True))
            entries["numeric", i] = ("numeric", None, sp.Float(float(expr.xreplace(at).evalf())))
            continue
        fallback = estimates.verdicts.get(("numeric", i))
        verdict = _exact_verdict(objective, hessian, point, None, order, fallback)
        entries["numeric", i] = _entry(verdict, point)
        verdicts["numeric", i] = verdict
        yield Identified(i, point, verdict)
    complete = found.complete and not found.kinks and not len(found.numeric)
    periodic = set(found.periods) == set(variables) and all(
        sign(hi - lo - found.periods[v]) in (0, 1) for v, (lo, hi) in found.box.items()
    )
    keys = list(entries)
    try:
        flags = global_flags(
            expr, variables, [entries[k] for k in keys], complete, periodic=periodic
        )
    except FAILURES:  # undecided, not wrong
        flags = [None] * len(keys)
    flags = dict(zip(keys, flags, strict=True))
    yield GlobalFlags(flags)
    settled = {
        key: _settled(v, flags.get(key))
        for key in keys
        if (v := verdicts.get(key) or estimates.verdicts.get(key)) is not None
    }
    checked = disprove_globals(expr, variables, list(settled.values()), estimates.extremes)
    for (source, index), before, after in zip(settled, settled.values(), checked, strict=True):
        if after is not before:
            yield Classified(source, index, after)


def _exact_verdict(objective, hessian, point: dict, value, order: int, fallback) -> Verdict:
    """:func:`classify_point` with ``f`` there (``value`` if known) and the table cells;
    if SymPy fails, the ``fallback`` (the float verdict) saying so."""
    expr, variables = objective.expr, objective.variables
    try:
        verdict = classify_point(expr, variables, hessian, point, order=order)
        verdict = replace(verdict, value=value_at(expr, point) if value is None else value)
    except FAILURES as error:
        verdict = _unclassified(error, fallback)
    return _shown(verdict, point)


def _unclassified(error: Exception, fallback: Verdict | None = None) -> Verdict:
    text = type(error).__name__ + (f": {str(error).splitlines()[0][:120]}" if str(error) else "")
    failed = f"the exact classification failed ({text})"
    if fallback is None:
        return Verdict("inconclusive", None, "higher-order", failed)
    return replace(fallback, reason=f"{fallback.reason}; {failed}")


def _entry(verdict: Verdict, point: dict) -> tuple:
    """What :func:`global_flags` is told: a float verdict's kind is not proved."""
    if verdict.method == "numeric":
        return ("numeric", None, verdict.value)
    return (verdict.kind, point, verdict.value)


def _shown(verdict: Verdict, point: dict) -> Verdict:
    """The verdict with its table cells, printed here in a worker (SymPy can take long to
    print or evaluate a large value)."""
    try:
        return replace(verdict, cells=cells(point, verdict.value, verdict.eigenvalues))
    except FAILURES:  # the table will say what it can when printed
        return verdict


def _settled(verdict: Verdict, flag: bool | None) -> Verdict:
    """The verdict's own ``is_global`` if it has one, else ``flag`` (False for a saddle)."""
    if verdict.is_global is not None:
        return verdict
    return replace(verdict, is_global=False if verdict.kind == "saddle" else flag)


def _complexity(point: dict) -> tuple:
    return (any(v.has(sp.CRootOf) for v in point.values()), sum(map(sp.count_ops, point.values())))
