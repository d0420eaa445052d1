"""Objectives with units: every term checked against ``value_units``.

Rules for objectives with units
-------------------------------
* ``units`` maps names to units.  A unit alone (``"km"``) marks a variable (or a
  symbolic parameter); a unit with a magnitude (``"2 J/km**2"``) is a *named constant*,
  replaced by its magnitude.
* The objective's top-level terms must each have ``value_units`` (dimensionless when not
  given).  A bare number multiplying a term (or standing alone as one) takes the units
  that give the term ``value_units``: in ``x1**2 + x2**2`` with x1 in km, x2 in mm and f
  in J, the coefficients are 1 J/km² and 1 J/mm².  A term that a named constant
  multiplies (``a*x2**2``, ``(a*x2)**2``) is checked as written instead, and raises
  :class:`TermUnitsError` if it cannot have ``value_units``.
* Inside a term, sums need one dimension; their parts are converted as pint would
  (``(x1 + x2)**2`` with km and mm becomes ``(x1 + x2/1000000)**2``, in km), and a bare
  number in such a sum takes its units (``(x1 - 1)**2``: 1 km).
* Functions other than powers, ``Abs``, ``Max``, ``Min`` (exp, log, sin, ...) need
  dimensionless arguments; a bare number cannot make one, a named constant can
  (``exp(x1/L)`` with ``units={"L": "1 km"}``).
* Constants are substituted with their magnitude converted so that every term comes out
  in ``value_units``: the compiled objective takes magnitudes in each variable's units and
  returns the value in ``value_units``, exactly as pint would compute it.

>>> from symopt import Objective
>>> f = Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
>>> [str(u) for u in f.gradient_units]
['J/km', 'J/mm']
>>> g = Objective("a*x1**2 + a*x2**2", units={"a": "1 J/km**2", "x1": "km", "x2": "s"},
...               value_units="J")
Traceback (most recent call last):
    ...
symopt.units.TermUnitsError: the term a*x2**2 has units J·s²/km² ([mass]), not the
objective's units J ([length]²·[mass]/[time]²): a named constant (a) multiplies it, so it is
checked as written; fix the units of the constant or value_units
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import reduce
from typing import Any

import numpy as np
import pint
import sympy as sp

from symopt.errors import UnitsError
from symopt.symbolic.numbers import exact as _number
from symopt.units.errors import (
    ArgumentUnitsError,
    MissingUnitsError,
    SumUnitsError,
    TermUnitsError,
    fmt,
)
from symopt.units.registry import has_magnitude, parse_quantity, parse_units, ureg
from symopt.units.rules import check_all

__all__ = ["TermUnits", "UnitInfo", "attach_units", "units_command"]


# -- what an objective with units knows ------------------------------------------------------


@dataclass(frozen=True)
class TermUnits:
    """One top-level term: its units and, unless it has named constants (then it is
    checked as written, ``coefficient_units is None``), the units its bare coefficient
    takes."""

    term: sp.Expr
    units: pint.Unit
    coefficient_units: pint.Unit | None


@dataclass(frozen=True)
class UnitInfo:
    """The units of an :class:`~symopt.Objective` (``f.unit_info``).

    Attributes
    ----------
    variables : tuple of str
        The variables, in order.
    variable_units : dict of str to pint.Unit
        The units of each variable, in variable order.
    value_units : pint.Unit
        The units of the objective's value.
    constants : dict of str to pint.Quantity
        The named constants (already substituted into the expression).
    parameter_units : dict of str to pint.Unit
        Symbols with units that are neither variables nor constants.
    terms : tuple of TermUnits
        The top-level terms and the units of their bare coefficients.
    """

    variables: tuple[str, ...]
    variable_units: dict[str, pint.Unit]
    value_units: pint.Unit
    constants: dict[str, pint.Quantity]
    parameter_units: dict[str, pint.Unit]
    terms: tuple[TermUnits, ...]

    def gradient_units(self, objective: Any = None) -> list[pint.Unit]:
        """The units of ``∂f/∂x_i``, in the variable order of ``objective`` (or
        :attr:`variables`): ``value_units / units of x_i``."""
        return [self.value_units / self.variable_units[n] for n in self._order(objective)]

    @property
    def hessian_units(self) -> list[list[pint.Unit]]:
        """The units of ``∂²f/∂x_i∂x_j``, ``value_units / (units of x_i · units of x_j)``,
        in variable order."""
        x = [self.variable_units[n] for n in self.variables]
        return [
            [self.value_units / (a * b) if a != b else self.value_units / a**2 for b in x]
            for a in x
        ]

    def _order(self, objective: Any) -> tuple[str, ...]:
        if objective is None:
            return self.variables
        return tuple(v.name for v in objective.variables)

    def __str__(self) -> str:
        variables = ", ".join(f"{n} in {fmt(u)}" for n, u in self.variable_units.items())
        lines = [f"f in {fmt(self.value_units)}; {variables}"]
        for t in self.terms:
            if t.coefficient_units is None:
                lines.append(f"  {t.term}: {fmt(t.units)} (checked)")
            else:
                lines.append(
                    f"  {t.term}: {fmt(t.units)}, its coefficient in {fmt(t.coefficient_units)}"
                )
        lines.append("gradient: " + ", ".join(map(fmt, self.gradient_units())))
        return "\n".join(lines)


# -- the hook of Objective ---------------------------------------------------------------------


def attach_units(
    expr: sp.Expr, variables: Any, units: Mapping[Any, Any] | None, value_units: Any
) -> tuple[sp.Expr, Any, UnitInfo]:
    """Check an objective's units; substitute its named constants.

    Called by ``Objective(expr, variables, units=..., value_units=...)``.

    Parameters
    ----------
    expr : sympy.Expr
        The objective, with real symbols.
    variables : any
        The user's ``variables`` argument (``None``: every symbol with a unit alone).
    units : dict
        Name (or symbol) → unit (``"km"``, a variable) or quantity (``"2 J/km**2"``, a
        named constant); pint Units and Quantities work too.
    value_units : str or pint.Unit, optional
        The units of the objective (dimensionless when ``None``).

    Returns
    -------
    (expr, variables, info)
        The expression with constants replaced by numbers (and unit conversions inside
        sums), the variables to use, and the :class:`UnitInfo`.

    Examples
    --------
    >>> import sympy as sp
    >>> a, x1, x2 = sp.symbols("a x1 x2", real=True)
    >>> expr, variables, info = attach_units(
    ...     a * x1**2 + x2**2, None, {"a": "2 J/m**2", "x1": "km", "x2": "mm"}, "J")
    >>> expr, variables
    (2000000*x1**2 + x2**2, ('x1', 'x2'))
    >>> print(info)
    f in J; x1 in km, x2 in mm
      a*x1**2: J·km²/m² (checked)
      x2**2: mm², its coefficient in J/mm²
    gradient: J/km, J/mm
    """
    units = {} if units is None else units
    if not isinstance(units, Mapping):
        raise UnitsError(f"units must be a dict name -> unit, e.g. {{'x1': 'km'}}, not {units!r}")
    f_units = ureg.dimensionless if value_units is None else parse_units(value_units, "value_units")
    symbols = {s.name: s for s in expr.free_symbols}
    constants, named = _split_units(units)
    names = _chosen_variables(variables, named, constants)
    unknown = sorted((set(constants) | set(named)) - set(symbols) - set(names or ()))
    if unknown:
        raise UnitsError(
            f"units names {', '.join(unknown)}, which "
            f"{'is' if len(unknown) == 1 else 'are'} not a symbol of the objective"
            f"{'' if names is None else ' nor a variable'}: check the spelling"
        )
    missing = sorted((set(symbols) | set(names or ())) - set(constants) - set(named))
    if missing:
        raise MissingUnitsError(missing)
    if names is None:
        from symopt.symbolic.objective import natural_key

        names = tuple(sorted(named, key=lambda n: natural_key(sp.Symbol(n))))
    walker = _Walker(
        {symbols[n]: u for n, u in named.items() if n in symbols},
        {symbols[n]: q for n, q in constants.items() if n in symbols},
    )
    new_expr, terms = walker.objective(expr, f_units)
    info = UnitInfo(
        variables=names,
        variable_units={n: named[n] for n in names},
        value_units=f_units,
        constants=constants,
        parameter_units={n: u for n, u in named.items() if n not in names},
        terms=terms,
    )
    return new_expr, (names if variables is None else variables), info


def _split_units(units: Mapping[Any, Any]) -> tuple[dict[str, pint.Quantity], dict[str, pint.Unit]]:
    """Named constants (with a magnitude) and named units (variables, parameters)."""
    constants, named = {}, {}
    for key, value in units.items():
        name = key.name if isinstance(key, sp.Symbol) else key
        if not isinstance(name, str) or not name.isidentifier():
            raise UnitsError(f"units keys must be names of symbols, not {key!r}")
        where = f"units[{name!r}]"
        is_constant = (
            (isinstance(value, str) and has_magnitude(value))
            or hasattr(value, "magnitude")
            or (isinstance(value, int | float) and not isinstance(value, bool))
        )
        if is_constant:
            constants[name] = parse_quantity(value, where)
            if np.ndim(constants[name].magnitude) != 0:
                raise UnitsError(f"{where} must be a single number with units, not an array")
        else:
            named[name] = parse_units(value, where)
    return constants, named


def _chosen_variables(
    variables: Any, named: dict[str, pint.Unit], constants: dict[str, pint.Quantity]
) -> tuple[str, ...] | None:
    if variables is None:
        return None
    from symopt.symbolic.objective import variable_names

    names = tuple(variable_names(variables))
    for n in names:
        if n in constants:
            raise UnitsError(
                f"units[{n!r}] gives {n} a value ({fmt(constants[n].units)} with a magnitude), "
                f"but {n} is a variable: give only its unit, e.g. '{fmt(constants[n].units)}'"
            )
    return names


# -- the walk over the expression ------------------------------------------------------------

_SAME_UNITS = (sp.Abs, sp.re, sp.im, sp.conjugate)
_ANY_UNITS = (sp.sign, sp.Heaviside)  # dimensionless results of arguments with any units


def _factor(units: pint.Unit, target: pint.Unit) -> sp.Expr:
    """The exact factor that converts magnitudes in ``units`` to ``target``."""
    if units == target:
        return sp.Integer(1)
    return _number(ureg.Quantity(1.0, units).to(target).magnitude)


def _factors(term: sp.Expr) -> set[sp.Expr]:
    """The symbols that multiply a term (also as powers): ``a`` in ``a*x**2`` and in
    ``(a*x)**2``, but not in ``(x - a)**2`` or ``exp(x/a)``."""
    if isinstance(term, sp.Symbol):
        return {term}
    if term.is_Mul:
        return set().union(*(_factors(a) for a in term.args))
    if term.is_Pow and not term.exp.free_symbols:
        return _factors(term.base)
    return set()


class _Walker:
    """Gives every subexpression units (``None``: a pure number, free to take units) and
    rewrites it with constants substituted and unit conversions made explicit."""

    def __init__(self, units: dict[sp.Symbol, pint.Unit], constants: dict[sp.Symbol, Any]):
        self.units, self.constants = units, constants

    def objective(self, expr: sp.Expr, f: pint.Unit) -> tuple[sp.Expr, tuple[TermUnits, ...]]:
        new_terms, report = [], []
        for term in expr.as_ordered_terms() if expr.is_Add else (expr,):
            new, units = self.walk(term)
            constants = sorted(s.name for s in _factors(term) if s in self.constants)
            if constants:
                units = ureg.dimensionless if units is None else units
                if units.dimensionality != f.dimensionality:
                    raise TermUnitsError(term, units, f, constants)
                new, coefficient = new * _factor(units, f), None
            else:
                units = ureg.dimensionless if units is None else units
                coefficient = f / units
            new_terms.append(new)
            report.append(TermUnits(term, units, coefficient))
        return sp.Add(*new_terms), tuple(report)

    def walk(self, e: sp.Expr) -> tuple[sp.Expr, pint.Unit | None]:
        if not e.free_symbols:
            return e, None
        if isinstance(e, sp.Symbol):
            if e in self.constants:
                q = self.constants[e]
                return _number(float(q.magnitude)), q.units
            return e, self.units[e]
        if e.is_Add:
            return self._sum(e, sp.Add)
        if e.is_Mul:
            parts = [self.walk(a) for a in e.args]
            units = [u for _, u in parts if u is not None]
            product = sp.Mul(*(p for p, _ in parts))
            return product, (reduce(operator.mul, units) if units else None)
        if e.is_Pow:
            return self._power(e)
        if isinstance(e, sp.Max | sp.Min):
            return self._sum(e, e.func)
        if isinstance(e, _SAME_UNITS):
            arg, units = self.walk(e.args[0])
            return e.func(arg), units
        if isinstance(e, _ANY_UNITS):
            return e.func(*(self.walk(a)[0] for a in e.args)), ureg.dimensionless
        if isinstance(e, sp.Function):
            return e.func(*(self._pure(a, e) for a in e.args)), ureg.dimensionless
        raise UnitsError(f"cannot tell the units of {e} ({type(e).__name__})")

    def _sum(self, e: sp.Expr, rebuild: Any) -> tuple[sp.Expr, pint.Unit | None]:
        parts = [self.walk(a) for a in e.args]
        fixed = [u for _, u in parts if u is not None]
        if not fixed:
            return rebuild(*(p for p, _ in parts)), None
        ref = fixed[0]
        out = []
        for p, u in parts:
            if u is not None:
                if u.dimensionality != ref.dimensionality:
                    raise SumUnitsError(e, ref, u)
                p = p * _factor(u, ref)
            out.append(p)
        return rebuild(*out), ref

    def _power(self, e: sp.Pow) -> tuple[sp.Expr, pint.Unit | None]:
        base, units = self.walk(e.base)
        exponent = self._pure(e.exp, e)
        if units is None:
            return base**exponent, None
        if exponent.free_symbols:
            return self._pure(e.base, e) ** exponent, ureg.dimensionless
        power = int(exponent) if exponent.is_integer else float(exponent)
        return base**exponent, units**power

    def _pure(self, arg: sp.Expr, context: sp.Expr) -> sp.Expr:
        """``arg`` as a pure number: it must be dimensionless (scales like km/m folded)."""
        new, units = self.walk(arg)
        if units is None:
            return new
        if units.dimensionality:
            raise ArgumentUnitsError(context, arg, units)
        return new * _factor(units, ureg.dimensionless)


# -- the command line ----------------------------------------------------------------------------


def units_command(objective: str, variables: Sequence[str]) -> str:
    """The text of ``symopt units --objective J --var x1=km --var x2=mm``: the table of
    :func:`check_all` and each rule's explanation.

    >>> print(units_command("J", ["x1=km", "x2=mm"]).splitlines()[2])
    gd              no       km²/J, mm²/J      dimensionally yes; scales differ by 10¹²
    """
    pairs = {}
    for item in variables:
        name, sep, unit = str(item).partition("=")
        if not sep or not name.strip() or not unit.strip():
            raise UnitsError(f"cannot read {item!r}: write --var NAME=UNIT, e.g. --var x1=km")
        pairs[name.strip()] = unit.strip()
    return check_all(objective, pairs).explain()


# Public classes show up as symopt.units.X (where users import them from).
for _cls in (TermUnits, UnitInfo):
    _cls.__module__ = "symopt.units"
