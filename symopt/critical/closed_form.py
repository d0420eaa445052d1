"""∇f = 0 by SymPy's general solvers: real points, families and periodic sets in a box.

For systems that are not polynomial over the rationals: ``solveset`` over the reals in
one variable (complete when it answers with finite sets, periodic ``ImageSet``\\ s and
intervals), ``solve`` otherwise.  A periodic objective is reduced to a box (one period
centred at 0 per periodic variable, unless the user gives one) and every translate of a
solution inside it is listed.  :func:`solution_items` turns a ``solve``-style dict into
findings: a real point, or a :class:`~symopt.critical.messages.Family` whose parameters
are the variables ``solve`` left free.

>>> x, y = sp.symbols("x y", real=True)
>>> list(solution_items({x: y**2}, [x, y]))  # doctest: +NORMALIZE_WHITESPACE
[Family(point={x: t**2, y: t}, parameters=(t,), conditions=True,
        equations=(x - y**2,))]
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical.messages import Complete, Family, Finding, Periodic, Solution, SolvedBy
from symopt.symbolic.numbers import to_sympy

__all__ = ["closed_form_solutions", "full_box", "parameter_symbols", "solution_items"]

DEFAULT_HALF_WIDTH = 10  # the search box [-10, 10] per non-periodic variable


def closed_form_solutions(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    gradient: Sequence[sp.Expr],
    box: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] | None,
) -> Iterator[Finding]:
    """The real solutions of ``gradient = 0`` (its non-zero entries) that ``solveset`` or
    ``solve`` reach: :class:`SolvedBy` first, :class:`Periodic` for a periodic ``expr``,
    then points and families, then :class:`Complete` when the list is provably complete."""
    variables = list(variables)
    yield SolvedBy("solveset" if len(variables) == 1 else "solve")
    periods = _periods(expr, variables)
    if periods:
        yield Periodic(periods)
    box = full_box(variables, periods, box)
    if len(variables) == 1:
        yield from _univariate_items(gradient[0], variables[0], box)
        return
    for solution in sp.solve(list(gradient), variables, dict=True):
        for item in solution_items(solution, variables):
            if isinstance(item, Solution) and periods:
                for point in _translates(item.point, periods, box):
                    yield Solution(point)
            else:
                yield item


def full_box(variables, periods, box) -> dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]:
    """The user's box, or a period centred at 0 (periodic variables), or [-10, 10]."""
    full = {}
    for v in variables:
        if box is not None and v in box:
            full[v] = box[v]
        elif v in periods:
            full[v] = (-periods[v] / 2, periods[v] / 2)
        else:
            full[v] = (sp.Integer(-DEFAULT_HALF_WIDTH), sp.Integer(DEFAULT_HALF_WIDTH))
    return full


# -- real points and families from solve-style dicts -------------------------------------------


def parameter_symbols(variables: Sequence[sp.Symbol], count: int) -> list[sp.Symbol]:
    """``count`` real symbols for family parameters, named apart from ``variables``."""
    taken = {v.name for v in variables}
    names = [n for n in ("t", "s", "r", "u", "v", "w") if n not in taken]
    names += [f"t{i}" for i in range(1, count + 1) if f"t{i}" not in taken]
    return [sp.Symbol(name, real=True) for name in names[:count]]


def _real_conditions(values: Sequence[sp.Expr]) -> Any:
    """Where the expressions are real: arguments of even roots >= 0, imaginary parts 0."""
    conditions = []
    for value in values:
        for power in value.atoms(sp.Pow):
            exponent = power.exp
            if exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 0:
                conditions.append(sp.Ge(power.base, 0))
        if value.has(sp.I):
            conditions.append(sp.Eq(sp.simplify(sp.im(value)), 0))
    return sp.And(*conditions) if conditions else sp.true


def _parameter_set(condition: Any, parameters: Sequence[sp.Symbol]) -> Any:
    """The real parameter values satisfying ``condition`` (one parameter), or None."""
    if condition is sp.true or len(parameters) != 1:
        return None
    try:
        return condition.as_set() if condition.free_symbols else None
    except (NotImplementedError, TypeError, ValueError):
        return None


def solution_items(
    solution: dict[sp.Symbol, sp.Expr],
    variables: Sequence[sp.Symbol],
    equations: Sequence[sp.Expr] = (),
) -> Iterator[Solution | Family]:
    """A solve-style dict (some variables may be missing: they are free) as real points
    or a family; complex-only solutions are dropped."""
    free = [v for v in variables if v not in solution]
    if free and not equations:
        equations = tuple(v - e for v, e in solution.items())
    parameters = parameter_symbols(variables, len(free))
    rename = dict(zip(free, parameters, strict=True))
    point = {v: to_sympy(solution.get(v, v)).xreplace(rename) for v in variables}
    point = {v: sp.simplify(value) if value.has(sp.I) else value for v, value in point.items()}
    if not parameters:
        if all(_is_real_number(value) for value in point.values()):
            yield Solution({v: _real_part(value) for v, value in point.items()})
        return
    condition = _real_conditions(list(point.values()))
    where = _parameter_set(condition, parameters)
    if where is not None and where.is_empty:
        return
    if where is not None and isinstance(where, sp.FiniteSet):
        for value in where:
            yield from solution_items(
                {v: e.xreplace({parameters[0]: value}) for v, e in point.items()}, variables
            )
        return
    if any(e.has(sp.I) for e in point.values()):
        point = {v: sp.simplify(sp.re(e)) for v, e in point.items()}
    yield Family(point, tuple(parameters), condition, tuple(equations))


def _is_real_number(value: sp.Expr) -> bool:
    if value.is_real:
        return True
    if value.free_symbols:
        return False
    imaginary = sp.im(value).evalf(50)
    return imaginary.is_Number and abs(imaginary) < 1e-40


def _real_part(value: sp.Expr) -> sp.Expr:
    if value.is_real or not value.has(sp.I):
        return value
    real = sp.simplify(sp.re(value))
    return real if not real.has(sp.I) else value


# -- periodic objectives and one variable ------------------------------------------------------


def _periods(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> dict[sp.Symbol, sp.Expr]:
    periods = {}
    for v in variables:
        if not expr.has(v):
            continue
        try:
            period = sp.periodicity(expr, v)
        except (NotImplementedError, ValueError, TypeError):
            period = None
        if period is not None and period != 0:
            periods[v] = period
    return periods


def _translates(point: dict, periods: dict, box: dict) -> Iterator[dict]:
    """The copies ``point + k·period`` (per periodic variable) inside the box."""
    choices = []
    for v, value in point.items():
        if v not in periods or value.free_symbols:
            choices.append([value])
            continue
        period, (lo, hi) = periods[v], box[v]
        k_lo = int(np.floor(float((lo - value) / period))) - 1
        k_hi = int(np.ceil(float((hi - value) / period))) + 1
        shifted = [sp.simplify(value + k * period) for k in range(k_lo, k_hi + 1)]
        choices.append([s for s in shifted if (s - lo) >= 0 and (hi - s) >= 0])
    for values in itertools.product(*choices):
        yield dict(zip(point, values, strict=True))


def _univariate_items(gradient: sp.Expr, x: sp.Symbol, box: dict) -> Iterator[Finding]:
    """``solveset`` over the reals, which is complete when it answers with finite sets,
    periodic ``ImageSet``s (listed in the box) and intervals (families)."""
    solutions = sp.solveset(gradient, x, sp.S.Reals)
    parts = solutions.args if isinstance(solutions, sp.Union) else (solutions,)
    complete, periodic = True, False
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            for value in part:
                if _is_real_number(value):
                    yield Solution({x: _real_part(value)})
        elif isinstance(part, sp.ImageSet):
            periodic = True
            found = part.intersect(sp.Interval(*box[x]))
            if not isinstance(found, sp.FiniteSet):
                raise NotImplementedError(f"cannot list {part} in the box")
            for value in sorted(found, key=float):
                yield Solution({x: value})
        elif isinstance(part, sp.Interval):
            (t,) = parameter_symbols([x], 1)
            yield Family({x: t}, (t,), part.as_relational(t), ())
        else:
            complete = False
    if complete:
        yield Complete(in_box=periodic)
