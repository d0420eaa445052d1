"""Where ``f`` is finite but not differentiable: candidates Fermat's theorem misses.

Kinks of ``|u|``, ``sign(u)``, ``Heaviside(u)`` (where ``u = 0``) and ``Max``/``Min``
(where two arguments tie), and the zeros of the gradient's denominators (infinite
slopes, as for ``|x|^(1/2)``), each solved by ``solve`` into points or families.

>>> x = sp.Symbol("x", real=True)
>>> (kink,) = nondifferentiable_sets(sp.Abs(x - 1), [x], [sp.sign(x - 1)])
>>> kink.where.point, kink.reason
({x: 1}, 'Abs(x - 1) has a kink where x - 1 = 0')
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence

import sympy as sp

from symopt.critical.closed_form import solution_items
from symopt.critical.messages import Kink

__all__ = ["nondifferentiable_sets"]


def nondifferentiable_sets(
    expr: sp.Expr, variables: Sequence[sp.Symbol], gradient: Sequence[sp.Expr]
) -> Iterator[Kink]:
    """Points (or families) where ``f`` is finite but not differentiable: kinks of
    ``|u|``, ``sign``, ``Max``/``Min`` and zeros of the gradient's denominators."""
    sources = _kink_arguments(expr)
    for g in gradient:
        denominator = sp.denom(sp.together(g))
        if denominator.free_symbols & set(variables):
            sources.append((denominator, f"the gradient has the denominator {denominator}"))
    seen = set()
    for equation, reason in sources:
        if equation in seen:
            continue
        seen.add(equation)
        try:
            solutions = sp.solve(equation, list(variables), dict=True)
        except (NotImplementedError, ValueError, TypeError):
            continue
        for solution in solutions:
            for item in solution_items(solution, variables, (equation,)):
                value = expr.xreplace(item.point)
                if not value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                    yield Kink(item, reason, value)


def _kink_arguments(expr: sp.Expr) -> list[tuple[sp.Expr, str]]:
    """(expression whose zeros are kinks, which atom has them there)."""
    out = []
    for atom in expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
        out.append((atom.args[0], f"{atom} has a kink where {atom.args[0]} = 0"))
    for atom in expr.atoms(sp.Max, sp.Min):
        for a, b in itertools.combinations(atom.args, 2):
            out.append((a - b, f"{atom} has a kink where {a} = {b}"))
    return sorted(out, key=lambda pair: sp.default_sort_key(pair[0]))
