"""Critical points of an objective, classified, within a hard time budget: the result types.

Fermat's theorem: an extremum of a differentiable ``f`` is a critical point, ``∇f = 0``.
:func:`critical_points` finds them and says what each one is (how: see
:mod:`symopt.critical.pipeline`).  Curves and surfaces of critical points come back as
*families*: ``point`` maps each variable to an expression in real parameters ``t, s, …``
(the circle ``x² + y² = 1`` as ``(cos t, sin t)``), ``conditions`` restricts the parameters
and ``equations`` gives the same set implicitly.  Points found only numerically, and not
identified in closed form, have ``exact=False``.  Points where ``f`` is not differentiable
(kinks of ``|u|``, ``Max``, ``Min``; zeros of the gradient's denominators) are listed apart
in ``.nondifferentiable``: Fermat's theorem does not apply there, so they are candidates to
check, not critical points.

The whole call returns within ``timeout`` seconds plus a small margin, whatever SymPy
does; what was not finished in time is said in ``.notes``.

>>> points = critical_points(Objective("x**3 + y**3 - 3*x*y"), timeout=10)
>>> [(p.point, p.kind) for p in points]
[({x: 0, y: 0}, 'saddle'), ({x: 1, y: 1}, 'minimum')]
>>> points[1].strict, points[1].method, points[1].hessian_eigenvalues, points[1].is_global
(True, 'second-order', (3, 9), False)
"""

from __future__ import annotations

import numbers
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from symopt._typing import Kind, Method
from symopt.critical.classify import DEFAULT_ORDER
from symopt.critical.messages import Family, Kink
from symopt.critical.pipeline import Candidate, search
from symopt.critical.table import (
    format_latex,
    format_number,
    format_point,
    format_table,
    latex_number,
    latex_point,
)
from symopt.errors import HyperparameterError
from symopt.symbolic.numbers import to_sympy
from symopt.symbolic.objective import Objective

__all__ = ["CriticalPoint", "CriticalPoints", "NondifferentiablePoint", "critical_points"]


@dataclass
class CriticalPoint:
    """One critical point (or family of critical points) and its classification.

    Attributes
    ----------
    point : dict
        ``{variable: value}``; for a family the values contain the ``parameters``.
    kind : Kind
        ``"minimum"``, ``"maximum"``, ``"saddle"`` or ``"inconclusive"``.
    strict : bool or None
        For extrema: strict (isolated) or not; ``None`` for saddles and undecided points.
    method : Method
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
    cells : tuple of str
        The point, ``f`` and eigenvalues as the table writes them, made within the time
        budget (empty: made when the table is printed).
    """

    point: dict[sp.Symbol, Any]
    kind: Kind
    strict: bool | None
    method: Method
    exact: bool
    value: Any
    hessian_eigenvalues: tuple = ()
    reason: str = ""
    is_global: bool | None = None
    parameters: tuple[sp.Symbol, ...] = ()
    conditions: Any = sp.true
    equations: tuple[sp.Expr, ...] = ()
    cells: tuple[str, ...] = field(default=(), repr=False, compare=False)

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
    user_box = _normalise_box(box, objective.variables)
    _check_options(numeric, starts, order)
    found, candidates = search(
        objective,
        user_box,
        started + seconds,
        numeric=numeric,
        seed=seed,
        starts=starts,
        order=order,
    )
    return CriticalPoints(
        points=tuple(_critical_point(c) for c in candidates),
        objective=objective,
        complete=found.complete and not len(found.numeric),
        periodic=bool(found.periods),
        box=found.box if (found.periods or found.searched) else None,
        periods=dict(found.periods),
        nondifferentiable=tuple(_nondifferentiable(objective, found.kinks)),
        notes=tuple(found.notes),
        elapsed=time.monotonic() - started,
    )


MAX_TIMEOUT = 24 * 3600.0  # seconds: a day; beyond it a deadline overflows the clock
MAX_STARTS = 10**6  # numeric search: each start holds an (n,) point and an (n, n) system


def _check_options(numeric: Any, starts: Any, order: Any) -> None:
    if numeric not in (None, True, False):
        raise HyperparameterError("numeric", numeric, "None (automatic), True or False")
    for name, value, low, high in (("starts", starts, 1, MAX_STARTS), ("order", order, 2, None)):
        if value is None and name == "starts":
            continue
        if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
            raise HyperparameterError(name, value, f"an integer >= {low}")
        if high is not None and value > high:
            raise HyperparameterError(name, value, f"an integer from {low} to {high}")


def _check_timeout(timeout: Any) -> float:
    valid = f"a number of seconds > 0 and <= {MAX_TIMEOUT:g} (e.g. timeout=10)"
    if isinstance(timeout, bool) or not isinstance(timeout, numbers.Real):
        raise HyperparameterError("timeout", timeout, valid)
    seconds = float(timeout)
    if not 0 < seconds <= MAX_TIMEOUT:  # also refuses nan and inf
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


def _critical_point(candidate: Candidate) -> CriticalPoint:
    verdict, family = candidate.verdict, candidate.family
    return CriticalPoint(
        point=dict(candidate.point),
        kind=verdict.kind,
        strict=verdict.strict,
        method=verdict.method,
        exact=candidate.exact,
        value=verdict.value,
        hessian_eigenvalues=tuple(verdict.eigenvalues),
        reason=verdict.reason,
        is_global=verdict.is_global,
        parameters=family.parameters if family else (),
        conditions=family.conditions if family else sp.true,
        equations=family.equations if family else (),
        cells=verdict.cells,
    )


def _nondifferentiable(
    objective: Objective, kinks: Sequence[Kink]
) -> Iterator[NondifferentiablePoint]:
    seen = []
    for kink in kinks:
        if isinstance(kink.where, Family):
            family = kink.where
            point, parameters, conditions = family.point, family.parameters, family.conditions
        else:
            point, parameters, conditions = kink.where.point, (), sp.true
        key = tuple(sp.srepr(point[v]) for v in objective.variables)
        if key in seen:
            continue
        seen.append(key)
        yield NondifferentiablePoint(point, kink.value, kink.reason, parameters, conditions)
