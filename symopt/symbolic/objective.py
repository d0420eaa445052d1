"""``Objective``: a scalar expression with ordered variables, and its derivatives.

The objective is the room where SymPy lives.  It derives the gradient, the Hessian and
multivariate Taylor polynomials, and hands a NumPy version of itself to the numeric
side through :meth:`Objective.compile`.

>>> f = Objective("x**3 + y**3 - 3*x*y")
>>> f.variables
(x, y)
>>> f.gradient.T
Matrix([[3*x**2 - 3*y, -3*x + 3*y**2]])
>>> f.hessian
Matrix([
[6*x,  -3],
[ -3, 6*y]])
>>> f({"x": 1, "y": 1})
-1
>>> f.taylor({"x": 1, "y": 1}, 2)
3*(x - 1)**2 - 3*(x - 1)*(y - 1) + 3*(y - 1)**2 - 1
"""

from __future__ import annotations

import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from itertools import islice
from typing import TYPE_CHECKING, Any

import sympy as sp

from symopt.errors import (
    ArgumentTypeError,
    HyperparameterError,
    NotDifferentiableError,
    PointError,
    ShapeError,
    SymoptError,
    UnitsError,
    VariableError,
)
from symopt.symbolic.derivatives import Derivatives, kinks
from symopt.symbolic.numbers import exact, to_sympy
from symopt.symbolic.parsing import parse

if TYPE_CHECKING:
    from symopt.numeric.compile import CompiledObjective

__all__ = ["MAX_TAYLOR_ORDER", "Objective"]

MAX_TAYLOR_ORDER = 12  # the lecture uses orders 1 and 2; see Objective.taylor
_MAX_TAYLOR_TERMS = 10_000  # monomials of the polynomial
_MAX_TAYLOR_NODES = 10_000  # of a derivative's tree

Point = Mapping[Any, Any] | Sequence[Any]


def _tree_size(expr: sp.Expr) -> int:
    """Nodes of ``expr``'s tree, counted up to ``_MAX_TAYLOR_NODES + 1``."""
    return sum(1 for _ in islice(sp.preorder_traversal(expr), _MAX_TAYLOR_NODES + 1))


def natural_key(symbol: sp.Symbol) -> tuple:
    """Sort key that puts ``x2`` before ``x10``."""
    parts = re.split(r"(\d+)", symbol.name)
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts if p)


def _as_expression(expr: Any) -> sp.Expr:
    if isinstance(expr, str):
        return parse(expr)
    if isinstance(expr, sp.MatrixBase):
        if expr.shape != (1, 1):
            raise ShapeError(
                f"the objective must be a scalar, but got a {expr.shape[0]}x{expr.shape[1]} "
                "matrix; give one expression (e.g. a sum or a norm of its entries)"
            )
        expr = expr[0, 0]
    if isinstance(expr, numbers.Number) and not isinstance(expr, bool):
        return exact(expr, "the objective")
    if not isinstance(expr, sp.Expr):
        raise ArgumentTypeError(
            f"the objective must be text or a scalar SymPy expression, not "
            f"{type(expr).__name__} ({expr!r})"
        )
    return exact(expr, "the objective")  # floats as the decimals they print as


def _realify(expr: sp.Expr) -> sp.Expr:
    """Replace every free symbol by a real symbol of the same name.

    Derivatives of ``Abs``, ``sign`` or ``re`` only simplify for real variables, and the
    optimizers work on real numbers.
    """
    symbols = sorted(expr.free_symbols, key=str)
    names = [s.name for s in symbols]
    repeated = {n for n in names if names.count(n) > 1}
    if repeated:
        raise VariableError(
            f"the expression has several different symbols named {sorted(repeated)} "
            "(with different assumptions); give each a distinct name"
        )
    return expr.xreplace({s: sp.Symbol(s.name, real=True) for s in symbols if not s.is_real})


def variable_names(variables: Any) -> list[str]:
    if isinstance(variables, str):
        names = [v for v in re.split(r"[\s,]+", variables) if v]
    elif isinstance(variables, sp.Symbol):
        names = [variables.name]
    elif isinstance(variables, Iterable):
        names = []
        for v in variables:
            if isinstance(v, sp.Symbol):
                names.append(v.name)
            elif isinstance(v, str) and v.isidentifier():
                names.append(v)
            else:
                raise VariableError(
                    f"variables must be symbols or names, but got {v!r} "
                    f"({type(v).__name__}); e.g. variables='x y' or (x, y)"
                )
    else:
        raise VariableError(
            f"variables must be a sequence of symbols or names, or a string like 'x y', "
            f"not {variables!r}"
        )
    for name in names:
        if not name.isidentifier():
            raise VariableError(f"{name!r} is not a valid variable name")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise VariableError(f"variables repeat {', '.join(repeated)}: list each variable once")
    return names


def _resolve_variables(expr: sp.Expr, variables: Any) -> tuple[sp.Symbol, ...]:
    by_name = {s.name: s for s in expr.free_symbols}
    if variables is None:
        if not by_name:
            raise VariableError(
                f"the expression {expr} has no variables; pass variables=... to say which "
                "variables a constant objective has"
            )
        return tuple(sorted(by_name.values(), key=natural_key))
    names = variable_names(variables)
    if not names:
        raise VariableError("variables is empty: give at least one variable")
    return tuple(by_name.get(n, sp.Symbol(n, real=True)) for n in names)


class Objective:
    """A scalar objective ``f(x)`` of ordered real variables.

    Parameters
    ----------
    expr : str or sympy.Expr
        The objective; text is parsed by :func:`symopt.parse` (never evaluated).  Floats
        in an expression become the decimals they print as (``0.1 → 1/10``), as in text:
        see :mod:`symopt.symbolic.numbers`.
    variables : sequence of symbols or names, or str, optional
        The variables in order, e.g. ``"x1 x2"`` or ``(x, y)``.  By default the free
        symbols in natural order (``x2`` before ``x10``).  Other free symbols stay
        symbolic parameters.
    units, value_units : optional
        Physical units of the variables (and named constants) and of the value; see
        :mod:`symopt.units`.

    Notes
    -----
    Variables are real symbols: a free symbol without that assumption is replaced by a
    real symbol of the same name, so points may be keyed by names or symbols.
    Derivatives are derived once, term by term, and cached.

    Examples
    --------
    >>> f = Objective("(x - 1)^2 + 10*(y - x^2)^2")
    >>> f.gradient
    Matrix([
    [-40*x*(-x**2 + y) + 2*x - 2],
    [            -20*x**2 + 20*y]])
    >>> f.compile().gradient([[1.0, 1.0], [0.0, 0.0]])
    array([[ 0.,  0.],
           [-2.,  0.]])
    """

    def __init__(
        self,
        expr: str | sp.Expr,
        variables: Any = None,
        *,
        units: Mapping[str, str] | None = None,
        value_units: str | None = None,
    ):
        expr = _realify(_as_expression(expr))
        self.unit_info = None
        if units is not None or value_units is not None:
            from symopt.units.objective import attach_units

            expr, variables, self.unit_info = attach_units(expr, variables, units, value_units)
        self._variables = _resolve_variables(expr, variables)
        self._expr = expr
        self._derivatives = Derivatives(expr, self._variables)

    # -- the expression -------------------------------------------------------------

    @property
    def expr(self) -> sp.Expr:
        """The SymPy expression."""
        return self._expr

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        """The variables, in order."""
        return self._variables

    @property
    def n(self) -> int:
        """The number of variables."""
        return len(self._variables)

    def __repr__(self) -> str:
        names = ", ".join(map(str, self._variables))
        return f"Objective({self._expr}, variables=({names}))"

    def __str__(self) -> str:
        return str(self._expr)

    def _repr_latex_(self) -> str:
        args = ", ".join(sp.latex(v) for v in self._variables)
        return f"$f({args}) = {sp.latex(self._expr)}$"

    # -- derivatives ----------------------------------------------------------------

    @cached_property
    def gradient(self) -> sp.Matrix:
        """The gradient, a column ``sympy.Matrix`` in variable order."""
        return sp.Matrix(self._derivatives.gradient)

    @cached_property
    def hessian(self) -> sp.Matrix:
        """The Hessian, a symmetric ``sympy.Matrix``."""
        return self._derivatives.hessian_matrix()

    @property
    def gradient_units(self) -> list:
        """The physical units of each gradient component (objectives with units only)."""
        if self.unit_info is None:
            raise UnitsError(
                "this objective has no units: create it with "
                "Objective(expr, units={...}, value_units=...)"
            )
        return self.unit_info.gradient_units(self)

    # -- points and evaluation ------------------------------------------------------

    def point(self, point: Point) -> dict[sp.Symbol, sp.Expr]:
        """Normalise a point (dict keyed by symbols or names, or a sequence in
        variable order) to a dict ``{variable: value}``.

        >>> Objective("x + y").point({"y": 2, "x": 0.5})
        {x: 0.500000000000000, y: 2}
        """
        if isinstance(point, Mapping):
            by_name = {}
            for key, value in point.items():
                name = key.name if isinstance(key, sp.Symbol) else key
                if not isinstance(name, str) or name not in {v.name for v in self.variables}:
                    raise PointError(
                        f"the point names {key!r}, which is not a variable; the variables "
                        f"are {', '.join(map(str, self.variables))}"
                    )
                by_name[name] = value
            missing = [v.name for v in self.variables if v.name not in by_name]
            if missing:
                raise PointError(
                    f"the point misses {', '.join(missing)}: give a value for every variable "
                    f"({', '.join(map(str, self.variables))})"
                )
            values = [by_name[v.name] for v in self.variables]
        elif isinstance(point, str) or not isinstance(point, Iterable):
            raise PointError(
                f"a point is a dict keyed by variables or a sequence of {self.n} values, "
                f"not {point!r}"
            )
        else:
            values = list(point)
            if len(values) != self.n:
                raise PointError(
                    f"the point has {len(values)} values but the objective has {self.n} "
                    f"variables ({', '.join(map(str, self.variables))})"
                )
        point = {
            v: to_sympy(value, f"the value of {v}")
            for v, value in zip(self.variables, values, strict=True)
        }
        for v, value in point.items():
            if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise PointError(f"the value of {v} is {value}: give a finite number")
        return point

    def __call__(self, point: Point) -> sp.Expr:
        """The exact value at a point (a SymPy number, or an expression if the point or
        the objective has symbols)."""
        return self._expr.xreplace(self.point(point))

    def subs(self, *args: Any, **kwargs: Any) -> sp.Expr:
        """``expr.subs`` with variables also accepted by name, e.g. ``f.subs(x=1)``."""
        by_name = {v.name: v for v in self._expr.free_symbols}
        pairs: dict[Any, Any] = {}
        if len(args) == 1 and isinstance(args[0], Mapping):
            pairs.update(args[0])
        elif len(args) == 2:
            pairs[args[0]] = args[1]
        elif args:
            raise ArgumentTypeError("subs takes a dict, a pair (old, new), or keywords name=value")
        pairs.update(kwargs)
        resolved = {}
        for key, value in pairs.items():
            symbol = by_name.get(key, sp.Symbol(key, real=True)) if isinstance(key, str) else key
            resolved[symbol] = to_sympy(value)
        return self._expr.subs(resolved)

    # -- Taylor polynomials ---------------------------------------------------------

    def taylor(self, point: Point, order: int) -> sp.Expr:
        """Taylor polynomial at ``point``, truncated by total degree ``order``.

        The polynomial is written in powers of ``x - a``: the sum over multi-indices
        ``|α| <= order`` of ``∂^α f(a) (x - a)^α / α!``, found from the derivatives of
        ``f(a + t h)`` in ``t`` and expanded in ``h`` only (never simplified).

        The work is bounded: ``order`` is at most ``MAX_TAYLOR_ORDER`` (12: the lecture uses
        1 and 2, and an order-12 polynomial already shows how a series converges), the
        polynomial has at most 10 000 monomials (``comb(n + order, n)`` in ``n`` variables),
        and a derivative in ``t`` may not grow past 10 000 tree nodes (derivatives of nested
        functions grow exponentially with the order: ``sigmoid(x*y)`` passes it at order
        8).  Beyond these, :class:`~symopt.errors.HyperparameterError` names a lower order.

        >>> Objective("exp(x)*cos(y)").taylor({"x": 0, "y": 0}, 3)
        x**3/6 + x**2/2 - x*y**2/2 + x - y**2/2 + 1
        """
        order = self._taylor_order(order)
        a = self.point(point)
        try:
            return self._taylor(a, order)
        except SymoptError:
            raise
        except (ValueError, OverflowError) as exc:  # SymPy, e.g. comparing non-real numbers
            raise PointError(
                f"SymPy cannot evaluate the objective's derivatives at this point ({exc}): "
                "it may be outside the objective's real domain (a log or root of a negative "
                "number) or need numbers beyond a float; choose another point"
            ) from None

    def _taylor(self, a: dict[sp.Symbol, sp.Expr], order: int) -> sp.Expr:
        bad = kinks(self._expr, a)
        if bad:
            raise NotDifferentiableError(
                f"the objective is not differentiable at this point: "
                f"{', '.join(map(str, bad))} has a kink there; choose another point"
            )
        t = sp.Dummy("t", real=True)
        h = {v: sp.Dummy(f"h_{v}", real=True) for v in self.variables}
        along = self._expr.xreplace({v: a[v] + t * h[v] for v in self.variables})
        coefficients = self._taylor_coefficients(along, t, int(order))
        shifted = {h[v]: (v - a[v]) for v in self.variables}
        terms = [sp.expand(c).xreplace(shifted) for c in coefficients]
        return sp.Add(*terms)

    def _taylor_order(self, order: Any) -> int:
        integer = isinstance(order, numbers.Integral) and not isinstance(order, bool)
        if not integer or not 0 <= order <= MAX_TAYLOR_ORDER:
            raise HyperparameterError("order", order, f"an integer from 0 to {MAX_TAYLOR_ORDER}")
        terms = math.comb(self.n + int(order), self.n)
        if terms > _MAX_TAYLOR_TERMS:
            lower = max(
                k for k in range(order) if math.comb(self.n + k, self.n) <= _MAX_TAYLOR_TERMS
            )
            raise HyperparameterError(
                "order",
                order,
                f"an order whose polynomial in {self.n} variables has at most "
                f"{_MAX_TAYLOR_TERMS} monomials (this one has {terms}), e.g. {lower}",
            )
        return int(order)

    def _taylor_coefficients(self, along: sp.Expr, t: sp.Dummy, order: int) -> list[sp.Expr]:
        """Coefficients of ``t**k``, ``k <= order``, of ``f(a + t h)``."""
        coefficients, derivative = [], along
        for k in range(order + 1):
            if k and _tree_size(derivative) > _MAX_TAYLOR_NODES:
                raise HyperparameterError(
                    "order",
                    order,
                    f"at most {k - 1} for this objective: its derivative of order {k} along a "
                    f"line has over {_MAX_TAYLOR_NODES} nodes, and they grow with the order",
                )
            c = derivative.xreplace({t: 0}) / sp.factorial(k)
            if c.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise NotDifferentiableError(
                    f"the objective is not {k} times differentiable at this point "
                    f"(the order-{k} term is {c}); choose another point or a lower order"
                )
            coefficients.append(c)
            if k < order:
                derivative = derivative.diff(t)
        return coefficients

    def linear_approximation(self, point: Point) -> sp.Expr:
        """``f(a) + ∇f(a)·(x − a)``: the tangent plane (the lecture's linear
        approximation)."""
        return self.taylor(point, 1)

    def quadratic_approximation(self, point: Point) -> sp.Expr:
        """``f(a) + ∇f(a)·(x − a) + ½ (x − a)ᵀ H(a) (x − a)``."""
        return self.taylor(point, 2)

    # -- numeric and analysis -------------------------------------------------------

    def compile(self) -> CompiledObjective:
        """Value, gradient and Hessian as batched NumPy functions (cached)."""
        if "_compiled" not in self.__dict__:
            from symopt.numeric.compile import CompiledObjective

            self.__dict__["_compiled"] = CompiledObjective(
                self._expr, self._variables, self._derivatives
            )
        return self.__dict__["_compiled"]

    def critical_points(self, timeout: float = 10.0, **kwargs: Any):
        """Critical points (∇f = 0) with their classification; see
        :func:`symopt.critical.critical_points`."""
        from symopt.critical.points import critical_points

        return critical_points(self, timeout=timeout, **kwargs)
