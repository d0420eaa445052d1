"""What the killable workers tell the parent: one frozen dataclass per kind of message.

The solving worker (the first stage of :func:`symopt.critical.pipeline.search`) yields
*findings*:

* :class:`Solution` -- an isolated real solution of ``∇f = 0``, proved (with ``f`` there,
  when the solver knows it exactly);
* :class:`Unverified` -- a closed form at which ``∇f`` vanishes to 50 digits, not provably;
* :class:`Family` -- a curve or surface of critical points;
* :class:`Kink` -- a point or family where ``f`` is not differentiable, and why;
* :class:`Periodic` -- ``f`` is periodic (its solutions are listed in a box);
* :class:`Complete` -- the list is provably complete (in the box, for periodic ``f``);
* :class:`SolvedBy` -- which solver answered;  :class:`Note` -- text for ``.notes``.

The numeric worker (compiling, searching, the float Hessian) yields :class:`Located` (the
floats of an exact point), :class:`Zeros` (what the numeric search found), then
:class:`Estimated` (the second-order test on the float Hessian, the fallback for every
point the exact classification does not reach) and :class:`Extremes` (the lowest and
highest sampled values, to disprove globality).

The classifying worker yields :class:`Classified` (a :class:`Verdict` for an exact point
or a family), :class:`Identified` (a numeric point found in closed form, and its verdict),
:class:`GlobalFlags`, then :class:`Classified` again for a verdict the samples changed.
Every message crosses a pipe, so each pickles.

>>> import pickle, sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> pickle.loads(pickle.dumps(Solution({x: sp.pi / 2})))
Solution(point={x: pi/2}, value=None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

import sympy as sp

from symopt._typing import Kind, Method

__all__ = [
    "Classified",
    "Complete",
    "Estimated",
    "Extremes",
    "Family",
    "Finding",
    "GlobalFlags",
    "Identified",
    "Kink",
    "Located",
    "Note",
    "Periodic",
    "Solution",
    "SolvedBy",
    "Source",
    "Unverified",
    "Verdict",
    "Zeros",
    "inside",
]

# -- findings of the solving worker ------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """An isolated real solution of ``∇f = 0``; ``value`` is ``f`` there if known exactly."""

    point: dict[sp.Symbol, sp.Expr]
    value: sp.Expr | None = None


@dataclass(frozen=True)
class Unverified:
    """A closed form at which ``∇f`` vanishes to 50 digits but not provably."""

    point: dict[sp.Symbol, sp.Expr]


@dataclass(frozen=True)
class Family:
    """A curve or surface of critical points.

    ``point`` maps every variable to an expression in the real ``parameters``; the family
    is the set of these points for parameter values satisfying ``conditions``.
    ``equations`` define the same set implicitly (their common zeros), when known.
    """

    point: dict[sp.Symbol, sp.Expr]
    parameters: tuple[sp.Symbol, ...]
    conditions: Any = sp.true
    equations: tuple[sp.Expr, ...] = ()


@dataclass(frozen=True)
class Kink:
    """A point or family (``where``) at which ``f`` is finite (``value``, in the family's
    parameters for a family) but not differentiable."""

    where: Solution | Family
    reason: str
    value: Any = None

    @property
    def equations(self) -> tuple[sp.Expr, ...]:
        """The set implicitly: its points are the common zeros."""
        if isinstance(self.where, Family):
            return self.where.equations
        return tuple(v - value for v, value in self.where.point.items())


@dataclass(frozen=True)
class Periodic:
    """``f`` is periodic: ``{variable: period}``."""

    periods: dict[sp.Symbol, sp.Expr]


@dataclass(frozen=True)
class Complete:
    """Every real solution has been sent (with ``in_box``: every one in the box)."""

    in_box: bool = False


@dataclass(frozen=True)
class SolvedBy:
    """The solver that answered (``"Gröbner bases"``, ``"solveset"``, ``"solve"``)."""

    method: str


@dataclass(frozen=True)
class Note:
    """A remark for the result's ``.notes``."""

    text: str


Finding: TypeAlias = Solution | Unverified | Family | Kink | Periodic | Complete | SolvedBy | Note


def inside(family: Family) -> dict[sp.Symbol, sp.Expr]:
    """The family's point with a single parameter restricted to an interval written
    through a positive symbol ``p`` (``t < 0`` as ``t = -p``), so that SymPy can use the
    restriction when it simplifies."""
    point = family.point
    if len(family.parameters) == 1 and family.conditions is not sp.true:
        (t,) = family.parameters
        try:
            where = family.conditions.as_set()
        except (NotImplementedError, TypeError, ValueError, AttributeError):
            where = None
        if isinstance(where, sp.Interval):
            p = sp.Symbol("p", positive=True)
            lo, hi = where.inf, where.sup
            inside = (
                hi - p
                if lo == -sp.oo and hi != sp.oo
                else lo + p
                if hi == sp.oo and lo != -sp.oo
                else lo + (hi - lo) * p / (1 + p)
                if lo != -sp.oo
                else t
            )
            point = {v: e.xreplace({t: inside}) for v, e in point.items()}
    return point


# -- messages of the classifying worker --------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """The classification of one critical point (or family); ``cells`` are its point,
    ``f`` and eigenvalues as the table writes them (made by the worker, within the time
    budget; empty until then)."""

    kind: Kind
    strict: bool | None
    method: Method
    reason: str = ""
    eigenvalues: tuple = ()
    value: Any = None
    is_global: bool | None = None
    cells: tuple[str, ...] = ()


Source = Literal["point", "family", "numeric"]
"""Which list a classified entry is in: exact points, families, or numeric points."""


@dataclass(frozen=True)
class Classified:
    """The :class:`Verdict` on entry ``index`` of the list ``source``."""

    source: Source
    index: int
    verdict: Verdict


@dataclass(frozen=True)
class Identified:
    """Numeric point ``index`` is the exact ``point`` (``∇f = 0`` verified there), with
    its :class:`Verdict`."""

    index: int
    point: dict[sp.Symbol, sp.Expr]
    verdict: Verdict


@dataclass(frozen=True)
class GlobalFlags:
    """``is_global`` per ``(source, index)``: True/False where proved, else None."""

    flags: dict[tuple[Source, int], bool | None]


# -- messages of the numeric worker ------------------------------------------------------------


@dataclass(frozen=True)
class Located:
    """Exact point ``index`` (of the solutions, then the unverified ones) is ``at`` in
    floats."""

    index: int
    at: tuple[float, ...]


@dataclass(frozen=True)
class Zeros:
    """The zeros of ∇f that the numeric search found and the solvers did not (rows)."""

    rows: tuple[tuple[float, ...], ...]


@dataclass(frozen=True)
class Estimated:
    """The second-order test on the float Hessian at entry ``index`` of ``source``."""

    source: Source
    index: int
    verdict: Verdict


@dataclass(frozen=True)
class Extremes:
    """The lowest and highest sampled values of ``f``: ``(point, value)`` in floats."""

    lowest: tuple[tuple[float, ...], float]
    highest: tuple[tuple[float, ...], float]
