"""The quadratic objective ``scale·xᵀHx + bᵀx + c`` and its eigen-structure.

:func:`quadratic` builds it as a :class:`Quadratic`, which also knows its eigen-axes,
stationary point, definiteness (see :mod:`symopt.symbolic.forms`) and condition number.
Its numbers are read exactly (:func:`symopt.symbolic.numbers.exact`: ``0.1 → 1/10``), and
``H`` as the symmetric matrix of its form (a non-symmetric ``H`` by its symmetric part,
with an :class:`~symopt.symbolic.numbers.AsymmetricMatrixWarning`).

>>> q = quadratic([[2, -1], [-1, 1]], b=[1, 0])
>>> q.expr
x1**2 - x1*x2 + x1 + x2**2/2
>>> q.stationary_point, q.kind
({x1: -1, x2: -1}, 'minimum')
>>> quadratic([[0.2, 0], [0, 1]]).expr
x1**2/10 + x2**2/2
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from symopt._typing import Definiteness
from symopt.errors import HyperparameterError, ShapeError
from symopt.symbolic.forms import definiteness
from symopt.symbolic.numbers import entry, exact, form_matrix, sign
from symopt.symbolic.objective import Objective

__all__ = ["Quadratic", "quadratic"]


# -- the quadratic objective ------------------------------------------------------------


def _column(values: Any, n: int, name: str) -> sp.Matrix:
    if values is None:
        return sp.zeros(n, 1)
    flat = np.asarray(values, dtype=object).reshape(-1).tolist()
    if len(flat) != n:
        raise ShapeError(f"{name} has {len(flat)} entries, but H is {n}×{n}: give {n} entries")
    return sp.Matrix([entry(v, name, exact_floats=True) for v in flat])


def _default_variables(n: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(f"x{i}", real=True) for i in range(1, n + 1))


class Quadratic(Objective):
    """The objective ``scale·xᵀHx + bᵀx + c``, with its eigen-structure.

    Made by :func:`quadratic`.  Its gradient is ``2·scale·H x + b`` and its Hessian
    ``2·scale·H`` (``H`` itself for the default ``scale = 1/2``).

    Attributes
    ----------
    H : sympy.Matrix
        The symmetric matrix of the form (the symmetric part of the one given).
    b : sympy.Matrix
        The linear coefficients, a column.
    c : sympy.Expr
        The constant.
    scale : sympy.Expr
        The factor in front of ``xᵀHx``.
    """

    def __init__(self, H: Any, b: Any = None, c: Any = 0, scale: Any = 0.5, variables: Any = None):
        scale = exact(scale, "scale")
        if scale.free_symbols or sign(scale) != 1:
            raise HyperparameterError(
                "scale", scale, "a number > 0 (for a negative scale, negate H instead)"
            )
        self.H = form_matrix(H, "H", exact=True)
        n = self.H.rows
        self.b = _column(b, n, "b")
        self.c = entry(c, "c", exact_floats=True)
        self.scale = scale
        x = sp.Matrix(_default_variables(n) if variables is None else variables_of(variables))
        if len(x) != n:
            raise ShapeError(f"{len(x)} variables were given, but H is {n}×{n}: give {n}")
        expr = sp.expand(scale * (x.T * self.H * x)[0, 0] + (self.b.T * x)[0, 0] + self.c)
        super().__init__(expr, list(x))

    def __repr__(self) -> str:
        return (
            f"Quadratic(H={self.H.tolist()}, b={list(self.b)}, c={self.c}, "
            f"scale={self.scale}): {self.expr}"
        )

    @cached_property
    def definiteness(self) -> Definiteness:
        """The definiteness of ``H`` (that of the form, since ``scale > 0``)."""
        return definiteness(self.H)

    @cached_property
    def _eigen(self) -> tuple[list[sp.Expr], list[sp.Matrix]]:
        if self.H.free_symbols or self.H.rows > 4:
            values, vectors = np.linalg.eigh(np.array(self.H.evalf().tolist(), dtype=float))
            return (
                [sp.Float(v) for v in values],
                [sp.Matrix(vectors[:, i]) for i in range(len(values))],
            )
        pairs = []
        for value, _, basis in self.H.eigenvects():
            for v in sp.GramSchmidt(basis, True):
                pairs.append((value, v.applyfunc(sp.radsimp)))
        pairs.sort(key=lambda p: float(p[0]))
        return [p[0] for p in pairs], [p[1] for p in pairs]

    @property
    def eigenvalues(self) -> list[sp.Expr]:
        """Eigenvalues of ``H`` in increasing order, with multiplicity (exact for exact
        ``H`` up to 4×4, floats otherwise)."""
        return self._eigen[0]

    @property
    def eigenvectors(self) -> list[sp.Matrix]:
        """Orthonormal eigenvectors of ``H`` (columns), in the order of
        :attr:`eigenvalues`: the principal axes of the level sets."""
        return self._eigen[1]

    @cached_property
    def condition_number(self) -> sp.Expr:
        """``max |λ| / min |λ|`` over the eigenvalues of ``H``; ``oo`` if ``H`` is
        singular."""
        magnitudes = [sp.Abs(v) for v in self.eigenvalues]
        smallest = min(magnitudes, key=float)
        if sign(smallest) == 0 or (smallest.is_Float and smallest < 1e-12 * max(magnitudes)):
            return sp.oo
        ratio = max(magnitudes, key=float) / smallest
        return ratio if ratio.has(sp.Float) else sp.simplify(sp.radsimp(ratio))

    @cached_property
    def _stationary(self) -> dict[sp.Symbol, sp.Expr] | None:
        A = 2 * self.scale * self.H
        try:
            solution, free = A.gauss_jordan_solve(-self.b)
        except ValueError:  # b is not in the range of H: no stationary point
            return None
        names = iter("tsuvw")
        params = {p: sp.Symbol(next(names, f"t{i}"), real=True) for i, p in enumerate(free)}
        solution = solution.xreplace(params)
        return dict(zip(self.variables, solution, strict=True))

    @property
    def stationary_point(self) -> dict[sp.Symbol, sp.Expr] | None:
        """The solution of ``∇f = 2·scale·Hx + b = 0``: a point, an affine family with free
        parameters ``t, s, …`` (singular ``H``, ``b`` in its range), or ``None`` (no
        solution: ``b`` is not in the range of ``H``)."""
        return self._stationary

    @cached_property
    def kind(self) -> str | None:
        """``"minimum"``, ``"maximum"``, ``"saddle"`` for the stationary point (global
        extrema, strict exactly when ``H`` is definite), or ``None`` if there is none."""
        if self._stationary is None:
            return None
        return {
            "positive definite": "minimum",
            "positive semidefinite": "minimum",
            "negative definite": "maximum",
            "negative semidefinite": "maximum",
            "indefinite": "saddle",
        }.get(self.definiteness, "inconclusive")


def variables_of(variables: Any) -> list[sp.Symbol]:
    """Variable names or symbols (``"x y"``, ``["x", "y"]``, ``(x, y)``) as real symbols."""
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    if not isinstance(variables, Sequence):
        raise ShapeError(f"variables must be a sequence of names or symbols, not {variables!r}")
    return [v if isinstance(v, sp.Symbol) else sp.Symbol(str(v), real=True) for v in variables]


def quadratic(
    H: Any, b: Any = None, c: Any = 0, scale: Any = 1 / 2, variables: Any = None
) -> Quadratic:
    """The quadratic objective ``scale·xᵀHx + bᵀx + c``.

    With the default ``scale = 1/2`` (the lecture's ``q(h) = ½ hᵀHh``) the Hessian is
    ``H`` and the gradient ``Hx + b``; with ``scale = 1`` the gradient is ``2Hx + b``.

    Parameters
    ----------
    H : array-like or sympy.Matrix
        A square matrix; a non-symmetric one is replaced by its symmetric part (with an
        ``AsymmetricMatrixWarning``), since ``xᵀHx`` only depends on that part.  Floats
        here and in ``b``, ``c``, ``scale`` are read exactly (``0.1 → 1/10``).
    b : array-like, optional
        The linear coefficients (default zero).
    c : number, optional
        The constant.
    scale : number > 0
        The factor of the quadratic term.
    variables : sequence of names or symbols, optional
        Default ``x1, …, xn``.

    Returns
    -------
    Quadratic
        An :class:`~symopt.Objective` with ``.H``, ``.b``, ``.c``, ``.scale``,
        ``.eigenvalues``, ``.eigenvectors``, ``.definiteness``, ``.stationary_point``,
        ``.kind`` and ``.condition_number``.

    Examples
    --------
    >>> q = quadratic([[4, 0], [0, 1]])
    >>> q.expr, q.definiteness, q.condition_number
    (2*x1**2 + x2**2/2, 'positive definite', 4)
    >>> q.gradient.T
    Matrix([[4*x1, x2]])
    >>> quadratic([[1, 0], [0, 1]], scale=1).gradient.T
    Matrix([[2*x1, 2*x2]])
    >>> s = quadratic(sp.diag(1, -1), variables="x y")
    >>> s.expr, s.kind, s.eigenvalues
    (x**2/2 - y**2/2, 'saddle', [-1, 1])
    """
    return Quadratic(H, b=b, c=c, scale=scale, variables=variables)
