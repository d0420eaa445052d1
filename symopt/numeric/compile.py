"""SymPy → NumPy: value, gradient and Hessian as batched array functions.

The one idea here is the *stencil*.  Objectives in optimization are usually sums of
the same term over shifted indices (a chained Rosenbrock function, a sum of squares,
a finite-difference energy).  Each gradient entry ``i``, each Hessian entry ``(i, j)``
and each additive term of the value is rewritten with its variables named relative to
an anchor index (``x[i-1] → s(-1)``, ``x[i] → s(0)``, ...).  Entries that become the same
expression form a *group*, and a group is evaluated once, on array slices, for all of
its anchors together.  A chained Rosenbrock gradient in 1000 variables is then three
vectorised expressions instead of a thousand scalar ones, and an expression with no
repeated structure simply gets one group per entry.  SymPy's common-subexpression
elimination runs within each group.  Every group goes through the one SymPy → NumPy
door, :func:`symopt.numeric.lambdify.lambdify`, and the objective is first rewritten by
:func:`~symopt.numeric.lambdify.stable` (before deriving), so ``log(1 + exp(-w))`` is finite
at ``w = -1000`` as it is in :class:`~symopt.stochastic.EmpiricalRisk`.

Derivatives of kinks follow the almost-everywhere convention: ``DiracDelta`` (the
second derivative of ``Max(0, u)`` or ``|u|``) is 0, and ``Heaviside(0) = 1/2``.

All functions take ``x`` of shape ``(n,)`` or ``(..., n)``: leading axes are a batch
and come back unchanged (with one variable, a number is a point of shape ``(1,)``).
SymPy never runs at evaluation time.

>>> import numpy as np, sympy as sp
>>> x, y = sp.symbols("x y", real=True)
>>> f = CompiledObjective(x**2 + 3*x*y, (x, y))
>>> f.value(np.array([[1.0, 2.0], [0.0, 1.0]]))
array([7., 0.])
>>> f.gradient(np.array([1.0, 2.0]))
array([8., 3.])
>>> f.hessian(np.array([1.0, 2.0]))
array([[2., 3.],
       [3., 0.]])
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import PointError, ShapeError, VariableError
from symopt.numeric.lambdify import lambdify, stable
from symopt.symbolic.derivatives import Derivatives

__all__ = ["CompiledObjective"]


@dataclass
class _Group:
    """Entries that share one expression up to a shift of the variable indices."""

    expr: sp.Expr  # in the relative symbols s(d)
    offsets: tuple[int, ...]  # the d of the relative symbols it uses
    anchors: list[int] = field(default_factory=list)

    def where(self, shift: int = 0, scale: int = 1) -> slice | np.ndarray:
        """The indices ``scale * anchor + shift`` of all anchors (a slice when regular)."""
        return _as_slice(scale * np.asarray(self.anchors) + shift)


def _as_slice(indices: np.ndarray) -> slice | np.ndarray:
    """A slice selecting ``indices`` if they are evenly spaced and increasing."""
    if len(indices) == 1:
        return slice(int(indices[0]), int(indices[0]) + 1)
    step = int(indices[1] - indices[0])
    if step > 0 and np.all(np.diff(indices) == step):
        return slice(int(indices[0]), int(indices[-1]) + 1, step)
    return indices


class _Stencil:
    """Groups entries by their shape and evaluates every group on array slices."""

    def __init__(self, variables: Sequence[sp.Symbol]):
        self.index = {v: i for i, v in enumerate(variables)}
        self._relative: dict[int, sp.Dummy] = {}
        self.groups: dict[Hashable, _Group] = {}

    def relative(self, d: int) -> sp.Dummy:
        if d not in self._relative:
            self._relative[d] = sp.Dummy(f"s{d}", real=True)
        return self._relative[d]

    def add(self, expr: sp.Expr, anchor: int, tag: Hashable = None) -> None:
        """Add ``expr`` at ``anchor``; ``tag`` keeps apart entries that must not share
        a group even when their expressions agree (e.g. Hessian diagonals)."""
        expr = expr.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
        shifts = {s: self.index[s] - anchor for s in expr.free_symbols if s in self.index}
        shape = expr.xreplace({s: self.relative(d) for s, d in shifts.items()})
        key = (shape, tag)
        if key not in self.groups:
            self.groups[key] = _Group(shape, tuple(sorted(set(shifts.values()))))
        self.groups[key].anchors.append(anchor)

    def compile(self) -> Callable[[np.ndarray], list[Any]]:
        """One NumPy function ``x -> [group values]``, each of shape ``(..., anchors)``."""
        groups = list(self.groups.values())
        args, exprs, slices = [], [], []
        for k, g in enumerate(groups):
            local = {self.relative(d): sp.Dummy(f"g{k}_{d}", real=True) for d in g.offsets}
            args.extend(local.values())
            slices.extend(g.where(d) for d in g.offsets)
            exprs.append(g.expr.xreplace(local))
        fn = lambdify(args, exprs)

        def evaluate(x: np.ndarray) -> list[Any]:
            return fn(*[x[..., s] for s in slices])

        return evaluate


def _free_parameters(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> list[sp.Symbol]:
    return sorted(expr.free_symbols - set(variables), key=str)


class CompiledObjective:
    """Value, gradient and Hessian of a SymPy objective as batched NumPy functions.

    Usually made by :meth:`symopt.Objective.compile`.  ``x`` has shape ``(n,)`` or
    ``(..., n)``; ``value`` returns shape ``(...)``, ``gradient`` ``(..., n)`` and
    ``hessian`` ``(..., n, n)``.  The Hessian is compiled on first use.

    Parameters
    ----------
    expr : sympy.Expr
        The objective; every free symbol must be one of ``variables``.
    variables : sequence of sympy.Symbol
        The variables, in the order of the last axis of ``x``.
    derivatives : Derivatives, optional
        Already derived (and cached) derivatives to reuse.
    """

    def __init__(
        self,
        expr: sp.Expr,
        variables: Sequence[sp.Symbol],
        derivatives: Derivatives | None = None,
    ):
        self.expr = expr
        self.variables = tuple(variables)
        self.n = len(self.variables)
        missing = _free_parameters(expr, self.variables)
        if missing:
            names = ", ".join(map(str, missing))
            raise VariableError(
                f"cannot compile: the symbols {names} are not variables and have no value; "
                "substitute numbers for them first (f.subs(...)) or list them as variables"
            )
        safe = stable(expr)  # overflow-safe forms, before deriving (see numeric.lambdify)
        if safe != expr or derivatives is None:
            derivatives = Derivatives(safe, self.variables)
        self.derivatives = derivatives
        self._value = self._compile_value()
        self._gradient = self._compile_gradient()
        self._hessian: Callable[[np.ndarray], list[Any]] | None = None

    def __repr__(self) -> str:
        names = ", ".join(map(str, self.variables))
        return f"CompiledObjective({self.expr}, variables=({names}))"

    # -- building -----------------------------------------------------------------

    def _compile_value(self) -> Callable[[np.ndarray], list[Any]]:
        stencil = _Stencil(self.variables)
        for term in self.derivatives.terms:
            shifts = [stencil.index[s] for s in term.free_symbols if s in stencil.index]
            stencil.add(term, min(shifts, default=0))
        self._value_counts = [len(g.anchors) for g in stencil.groups.values()]
        return stencil.compile()

    def _compile_gradient(self) -> Callable[[np.ndarray], list[Any]]:
        stencil = _Stencil(self.variables)
        for i, entry in enumerate(self.derivatives.gradient):
            if entry != 0:
                stencil.add(entry, i)
        self._gradient_where = [g.where() for g in stencil.groups.values()]
        return stencil.compile()

    def _compile_hessian(self) -> Callable[[np.ndarray], list[Any]]:
        stencil = _Stencil(self.variables)
        for (i, j), entry in self.derivatives.hessian.items():
            stencil.add(entry, i, tag=j - i)
        n = self.n  # the Hessian is filled flat, so that entries (i, i + d) form a slice
        self._hessian_where = []
        for (_, d), g in stencil.groups.items():
            lower = [g.where(d * n, scale=n + 1)] if d else []  # (i + d, i)
            self._hessian_where.append([g.where(d, scale=n + 1), *lower])  # (i, i + d)
        return stencil.compile()

    # -- evaluation ---------------------------------------------------------------

    def _prepare(self, x: Any) -> np.ndarray:
        if not (isinstance(x, np.ndarray) and x.dtype == np.float64):  # runs pass these
            x = _real_array(x)
        if not x.ndim and self.n == 1:  # one variable: a number is a point
            x = x[None]
        if not x.ndim or x.shape[-1] != self.n:
            raise ShapeError(
                f"x has shape {x.shape}, but the objective has {self.n} variables "
                f"({', '.join(map(str, self.variables))}): give shape ({self.n},) or "
                f"(..., {self.n})"
            )
        return x

    def value(self, x: Any) -> np.ndarray:
        """The objective at ``x`` (shape ``(..., n)``), shape ``(...)``."""
        x = self._prepare(x)
        total = np.zeros(x.shape[:-1])
        for count, v in zip(self._value_counts, self._value(x), strict=True):
            # a group's value has one column per anchor; a constant term is a scalar
            v = _real(v)
            total += v.sum(axis=-1) if np.ndim(v) else v * count
        return total

    def gradient(self, x: Any) -> np.ndarray:
        """The gradient at ``x`` (shape ``(..., n)``), shape ``(..., n)``."""
        x = self._prepare(x)
        out = np.zeros(x.shape)
        for where, v in zip(self._gradient_where, self._gradient(x), strict=True):
            out[..., where] = _real(v)
        return out

    def hessian(self, x: Any) -> np.ndarray:
        """The Hessian at ``x`` (shape ``(..., n)``), shape ``(..., n, n)``."""
        x = self._prepare(x)
        if self._hessian is None:
            self._hessian = self._compile_hessian()
        out = np.zeros((*x.shape[:-1], self.n * self.n))
        for places, v in zip(self._hessian_where, self._hessian(x), strict=True):
            v = _real(v)
            for where in places:
                out[..., where] = v
        return out.reshape(*x.shape, self.n)

    def value_and_gradient(self, x: Any) -> tuple[np.ndarray, np.ndarray]:
        """Both at once (convenience for runners)."""
        return self.value(x), self.gradient(x)


def _real(v: Any) -> Any:
    """A group's values, NaN where they are not real (``(-1)**x`` has the derivative
    ``iπ(-1)**x``): NumPy would drop the imaginary part and return a wrong real number."""
    if np.iscomplexobj(v):
        return np.where(np.asarray(v).imag == 0, np.real(v), np.nan)
    return v


def _real_array(x: Any) -> np.ndarray:
    """``x`` as a float array, or a :class:`PointError` saying why it is not one (text,
    complex numbers, ragged lists and integers beyond a float's range are refused, not
    passed on to NumPy, which would raise or silently drop an imaginary part)."""
    try:
        array = np.asarray(x)
        if array.dtype.kind == "c":
            raise PointError("x has complex entries: the objective takes real points")
        return array.astype(float)
    except OverflowError:
        raise PointError("x has an entry beyond the largest float (about 1.8e308)") from None
    except (TypeError, ValueError) as err:
        if isinstance(err, PointError):
            raise
        raise PointError(
            f"x must be real numbers, as an array of shape (n,) or (..., n): {err}"
        ) from None
