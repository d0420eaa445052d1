"""The one SymPy → NumPy door: overflow-safe, deterministic ``lambdify``.

Every SymPy expression that symopt evaluates with NumPy passes through :func:`lambdify`
(the compiled objective, the empirical risk, the plots), so they all evaluate the same
formula the same way:

* **overflow-safe**: :func:`stable` rewrites ``log(1 + exp(a))`` as :class:`softplus`
  (NumPy's ``logaddexp(0, a)``) and ``1/(1 + exp(a))`` as :class:`sigmoid` (through
  ``tanh``), so ``log(1 + exp(-w))`` at ``w = -1000`` is ``1000``, not ``inf``.  Callers
  that differentiate apply :func:`stable` *before* deriving (the derivative of softplus is
  sigmoid, of sigmoid ``σ(1 − σ)``), so gradients and Hessians stay finite too;
* **deterministic**: SymPy names its ``Dummy`` placeholders by a process-wide counter.
  The arguments and any other ``Dummy`` are renamed by position before printing, so the
  generated source is the same in every process;
* **fast**: common subexpressions are eliminated (``cse=True``), no docstring is built,
  placeholders keep the variables' ``real=True`` (nested ``tanh`` rebuilds in linear time),
  and ``Heaviside`` is NumPy's ``heaviside(a, 1/2)`` rather than SymPy's Piecewise rewrite.

>>> import numpy as np
>>> w = sp.Symbol("w", real=True)
>>> loss = stable(sp.log(1 + sp.exp(-w)))
>>> loss
softplus(-w)
>>> value, slope = lambdify([w], [loss, loss.diff(w)])(np.array([-1000.0, 0.0, 1000.0]))
>>> value.round(6).tolist(), slope.tolist()
([1000.0, 0.693147, 0.0], [-1.0, -0.5, -0.0])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

__all__ = ["lambdify", "sigmoid", "softplus", "stable"]


class sigmoid(sp.Function):
    """The logistic function ``1 / (1 + exp(-a))``, evaluated without overflow."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, a: sp.Expr, **kwargs: Any) -> sp.Expr:
        return 1 / (1 + sp.exp(-a))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real


class softplus(sp.Function):
    """``log(1 + exp(a))``, evaluated without overflow."""

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, a: sp.Expr, **kwargs: Any) -> sp.Expr:
        return sp.log(1 + sp.exp(a))

    def _eval_is_real(self) -> bool | None:
        return self.args[0].is_real


def _np_sigmoid(a: Any) -> Any:
    return 0.5 + 0.5 * np.tanh(0.5 * a)


def _np_heaviside(a: Any, at_zero: Any = 0.5) -> Any:
    return np.heaviside(a, at_zero)


# Heaviside is passed by name: SymPy's printer would rewrite it as a Piecewise, and then
# simplify the logic of its conditions (seconds per entry for the gradient of a Max).
_MODULES = [
    {
        "sigmoid": _np_sigmoid,
        "softplus": lambda a: np.logaddexp(0.0, a),
        "Heaviside": _np_heaviside,
    },
    "numpy",
]


def _one_plus_exp(e: sp.Expr) -> sp.Expr | None:
    """``a`` if ``e`` is ``1 + exp(a)``, else None."""
    if isinstance(e, sp.Add) and len(e.args) == 2 and sp.S.One in e.args:
        other = e.args[0] if e.args[1] == 1 else e.args[1]
        if isinstance(other, sp.exp):
            return other.args[0]
    return None


def stable(expr: sp.Expr) -> sp.Expr:
    """Rewrite ``log(1 + exp(a))`` as ``softplus(a)`` and ``(1 + exp(a))**-k`` as
    ``sigmoid(-a)**k`` (bottom up), so that large ``|a|`` gives no overflow and no NaN.

    >>> a = sp.Symbol("a")
    >>> stable(sp.log(1 + sp.exp(-a)) + 1 / (1 + sp.exp(-a)))
    sigmoid(a) + softplus(-a)
    >>> stable(sp.log(1 / (1 + sp.exp(-a)))), stable((1 + sp.exp(a)) ** -2)
    (-softplus(-a), sigmoid(-a)**2)
    """
    if not expr.args:
        return expr
    args = [stable(a) for a in expr.args]
    if isinstance(expr, sp.log) and isinstance(args[0], sigmoid):
        return -softplus(-args[0].args[0])
    if isinstance(expr, sp.log) and (a := _one_plus_exp(args[0])) is not None:
        return softplus(a)
    if isinstance(expr, sp.Pow) and args[1].is_Integer and args[1] < 0:
        if (a := _one_plus_exp(args[0])) is not None:
            return sigmoid(-a) ** -args[1]
    return expr.func(*args) if args != list(expr.args) else expr


def _placeholder(name: str, symbol: sp.Symbol) -> sp.Symbol:
    """A symbol named ``name``, real if ``symbol`` is.  Renaming rebuilds every node, and a
    node in a symbol not known to be real makes SymPy ask about complex parts at every level
    (``tanh`` nested 7 deep took seconds)."""
    return sp.Symbol(name, real=True) if symbol.is_real else sp.Symbol(name)


def _beyond_int64(number: sp.Basic) -> bool:
    return number.is_Rational and max(abs(number.p), number.q) >= 2**63


def lambdify(args: Sequence[sp.Symbol], exprs: Any) -> Callable[..., Any]:
    """A NumPy function of ``args`` that returns ``exprs`` (one expression or a list).

    The expressions are evaluated as given: apply :func:`stable` first (before deriving)
    for the overflow-safe forms; :class:`sigmoid` and :class:`softplus` are evaluated
    without overflow wherever they appear.

    >>> x, y = sp.symbols("x y")
    >>> f = lambdify([x, y], [x * y + sp.exp(x * y), sigmoid(x)])
    >>> [float(v) for v in f(0.0, 2.0)]
    [1.0, 0.5]
    """
    renamed = {a: _placeholder(f"_a{i}", a) for i, a in enumerate(args)}
    many = isinstance(exprs, list | tuple)
    # strict: numbers and SymPy objects only, never text (no parser runs here)
    exprs = [sp.sympify(e, strict=True) for e in (exprs if many else [exprs])]
    atoms = set().union(*(e.atoms(sp.Dummy, sp.Rational) for e in exprs))
    others = sorted({a for a in atoms if isinstance(a, sp.Dummy)} - set(renamed), key=str)
    renamed.update({d: _placeholder(f"_d{i}", d) for i, d in enumerate(others)})
    # NumPy cannot take a Python int beyond 64 bits (99**99*x raised TypeError): print a float
    renamed.update({r: sp.Float(r, 17) for r in atoms - set(others) if _beyond_int64(r)})
    exprs = [e.xreplace(renamed) for e in exprs]
    fn = sp.lambdify(
        [renamed[a] for a in args],
        exprs if many else exprs[0],
        modules=_MODULES,
        cse=True,
        docstring_limit=0,
    )
    return fn
