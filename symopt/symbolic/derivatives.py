"""Sparse symbolic derivatives: term by term, only where a term has the symbol.

``sympy.hessian`` differentiates the whole expression n² times, so its cost grows with
n² times the size of the expression even when most entries are zero (a chained
Rosenbrock function in 200 variables takes minutes).  Here an expression is split into
its additive terms; each term is differentiated only with respect to the variables it
contains, and the contributions are summed per entry.  The cost grows with the size of
the expression, and the result is sparse: a dict of the non-zero entries.

>>> import sympy as sp
>>> x, y, z = sp.symbols("x y z", real=True)
>>> d = Derivatives(x**2 * y + sp.sin(z), (x, y, z))
>>> d.gradient
[2*x*y, x**2, cos(z)]
>>> d.hessian  # upper triangle, (i, j) with i <= j
{(0, 0): 2*y, (0, 1): 2*x, (2, 2): -sin(z)}
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from functools import cached_property

import sympy as sp

__all__ = ["Derivatives", "kinks"]


class Derivatives:
    """Gradient and Hessian of ``expr`` in ``variables``, derived sparsely and cached.

    Parameters
    ----------
    expr : sympy.Expr
        A scalar expression.
    variables : sequence of sympy.Symbol
        The variables, in order; entry ``i`` of the gradient is ``d expr / d variables[i]``.
    """

    def __init__(self, expr: sp.Expr, variables: Sequence[sp.Symbol]):
        self.expr = expr
        self.variables = tuple(variables)
        self.index = {v: i for i, v in enumerate(self.variables)}

    @cached_property
    def terms(self) -> tuple[sp.Expr, ...]:
        """The additive terms of the expression."""
        return sp.Add.make_args(self.expr)

    def _indices(self, expr: sp.Expr) -> list[int]:
        return sorted(self.index[s] for s in expr.free_symbols if s in self.index)

    def _relative(self, d: int, like: sp.Symbol) -> sp.Dummy:
        key = (d, tuple(sorted(like.assumptions0.items())))
        if key not in self._dummies:
            self._dummies[key] = sp.Dummy(f"s{d}", **like.assumptions0)
        return self._dummies[key]

    def _shape(self, expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Dummy, sp.Symbol], int]:
        """``expr`` with its variables renamed relative to its first one, the map back,
        and that first index: shifted copies of a term share one shape."""
        indices = self._indices(expr)
        anchor = indices[0] if indices else 0
        rename = {self.variables[i]: self._relative(i - anchor, self.variables[i]) for i in indices}
        return expr.xreplace(rename), {d: v for v, d in rename.items()}, anchor

    @cached_property
    def _first(self) -> list[dict[int, sp.Expr]]:
        """Per term, its non-zero first derivatives keyed by variable index.

        Each distinct term shape is differentiated once; shifted copies reuse the result
        (differentiation dominates the cost, renaming is cheap).
        """
        self._dummies: dict = {}
        self._second_cache: dict = {}
        cache: dict[sp.Expr, dict[sp.Dummy, sp.Expr]] = {}
        out = []
        for term in self.terms:
            shape, back, _ = self._shape(term)
            if shape not in cache:
                derivatives = {s: shape.diff(s) for s in back}
                cache[shape] = {s: d for s, d in derivatives.items() if d != 0}
            out.append({self.index[back[s]]: d.xreplace(back) for s, d in cache[shape].items()})
        return out

    @cached_property
    def gradient(self) -> list[sp.Expr]:
        """The gradient as a list of n expressions."""
        parts: dict[int, list[sp.Expr]] = defaultdict(list)
        for first in self._first:
            for i, d in first.items():
                parts[i].append(d)
        return [sp.Add(*parts[i]) for i in range(len(self.variables))]

    @cached_property
    def hessian(self) -> dict[tuple[int, int], sp.Expr]:
        """Non-zero entries of the upper triangle of the Hessian, keyed by ``(i, j)``,
        ``i <= j``; the Hessian is symmetric."""
        parts: dict[tuple[int, int], list[sp.Expr]] = defaultdict(list)
        for first in self._first:
            for i, d in first.items():
                for j, second in self._second(d, i).items():
                    parts[i, j].append(second)
        entries = {key: sp.Add(*terms) for key, terms in sorted(parts.items())}
        return {key: e for key, e in entries.items() if e != 0}

    def _second(self, first: sp.Expr, i: int) -> dict[int, sp.Expr]:
        """Derivatives of ``first`` (= d term / d x_i) by the x_j with j >= i."""
        shape, back, anchor = self._shape(first)
        key = (shape, i - anchor)
        if key not in self._second_cache:
            self._second_cache[key] = {
                s: shape.diff(s) for s, v in back.items() if self.index[v] >= i
            }
        return {
            self.index[back[s]]: d.xreplace(back)
            for s, d in self._second_cache[key].items()
            if d != 0
        }

    def hessian_matrix(self) -> sp.Matrix:
        """The full symmetric Hessian as a ``sympy.Matrix``."""
        n = len(self.variables)
        matrix = sp.zeros(n, n)
        for (i, j), e in self.hessian.items():
            matrix[i, j] = matrix[j, i] = e
        return matrix


_ONE_ARGUMENT_KINKS = (sp.Abs, sp.sign, sp.Heaviside)


def kinks(expr: sp.Expr, point: dict[sp.Symbol, sp.Expr]) -> list[sp.Expr]:
    """The non-smooth pieces of ``expr`` that have a kink at ``point``.

    ``|u|``, ``sign(u)`` and ``Heaviside(u)`` are not differentiable where ``u = 0``, and
    ``Max``/``Min`` where two arguments tie for the extreme value.  SymPy differentiates
    them anyway (``d|x|/dx = sign(x)``, which is 0 at 0), so callers check first.

    >>> import sympy as sp
    >>> x, y = sp.symbols("x y", real=True)
    >>> kinks(sp.Abs(x) + sp.Max(x, y), {x: 0, y: 0})
    [Abs(x), Max(x, y)]
    >>> kinks(sp.Abs(x), {x: 1})
    []
    """
    found = []
    for atom in expr.atoms(*_ONE_ARGUMENT_KINKS, sp.Max, sp.Min):
        values = [a.xreplace(point) for a in atom.args]
        if isinstance(atom, _ONE_ARGUMENT_KINKS):
            tie = values[0] == 0
        else:
            best = (sp.Max if isinstance(atom, sp.Max) else sp.Min)(*values)
            tie = sum(1 for v in values if sp.simplify(v - best) == 0) > 1
        if tie:
            found.append(atom)
    return sorted(found, key=sp.default_sort_key)
