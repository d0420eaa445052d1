"""Whether a candidate solves ``∇f = 0``: proved, to 50 digits only, or not at all.

Solvers return candidates that may be wrong (``solve`` loses conditions, radicals hide
complex branches), so each one is checked by substitution before it becomes a finding.

>>> import sympy as sp
>>> x = sp.Symbol("x", real=True)
>>> verified({x: sp.sqrt(2)}, [x**2 - 2]), verified({x: sp.Integer(1)}, [x**2 - 2])
(True, False)
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from symopt.critical.messages import Family, inside
from symopt.symbolic.numbers import to_sympy

__all__ = ["family_verified", "is_zero", "numerically_zero", "verified"]


def is_zero(expr: sp.Expr) -> bool:
    """``expr`` is provably zero (simplification, then SymPy's ``equals`` for numbers)."""
    expr = to_sympy(expr)
    if expr.is_zero:
        return True
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return False
    simplified = sp.simplify(expr)
    if simplified.is_zero:
        return True
    if not simplified.free_symbols and simplified.is_number:
        return bool(simplified.equals(0))
    return False


def numerically_zero(value: sp.Expr) -> bool:
    """Zero to 50 digits: decides equality of the algebraic numbers the polynomial path
    produces (rational equations at algebraic points), without slow simplification."""
    approx = to_sympy(value).evalf(50)
    return approx.is_Number and abs(approx) < 1e-40


def verified(point: dict, gradient: Sequence[sp.Expr]) -> bool | None:
    """True: ∇f = 0 proved; None: zero to 50 digits only; False: not a zero."""
    if any(p.has(sp.CRootOf) for p in point.values()):
        return True  # only the Gröbner/shape-lemma path makes these: exact by construction
    values = [g.xreplace(point) for g in gradient]
    if not all(numerically_zero(v) for v in values):
        return False
    return True if all(is_zero(v) for v in values) else None


def family_verified(family: Family, gradient: Sequence[sp.Expr]) -> bool:
    """∇f vanishes identically on the family."""
    point = inside(family)
    return all(is_zero(g.xreplace(point)) for g in gradient)
