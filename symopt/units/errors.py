"""The errors of :mod:`symopt.units`, each with structured fields and a message built
from them (they pickle through :class:`symopt.errors.SymoptError`'s general mechanism).

Private: import the public names from :mod:`symopt.units`.

The bottom of the room: it imports pint's errors, not the registry, so that the
registry's readers can raise these errors.  :func:`fmt` and :func:`fmt_dimension`, the
two formatters the messages are made of, live here for that reason (the reports of
:mod:`symopt.units.rules` use them too).

>>> from symopt.units import ureg
>>> print(UnitMismatchError("lr", "x1", None, ureg.Unit("km**2/J"), 0.1))
lr for x1 is a bare number, but it needs units of km²/J ([time]²/[mass]): give a \
Quantity, e.g. 0.1 * ureg('km**2/J')
"""

from __future__ import annotations

from typing import Any

import pint
import sympy as sp
from pint.errors import DimensionalityError

from symopt.errors import UnitsError

__all__ = [
    "ArgumentUnitsError",
    "MissingUnitsError",
    "OffsetUnitError",
    "SumUnitsError",
    "TermUnitsError",
    "UnitMismatchError",
    "UnitSyntaxError",
    "UnknownUnitError",
    "fmt",
    "fmt_dimension",
]


# -- the formatters of the messages ------------------------------------------------------


def fmt(units: pint.Unit) -> str:
    """Short, pretty units: ``km²/J``; ``1`` for dimensionless."""
    return f"{units:~P}" or "1"


_SUPERSCRIPT = str.maketrans("-.0123456789", "⁻⋅⁰¹²³⁴⁵⁶⁷⁸⁹")

_BASE_DIMENSIONS = ("[length]", "[mass]", "[time]", "[current]", "[temperature]", "[substance]")


def superscript(number: Any) -> str:
    """``-12`` → ``⁻¹²``."""
    return str(number).translate(_SUPERSCRIPT)


def fmt_dimension(units: pint.Unit) -> str:
    """The dimension in pint's notation, in a fixed order: ``[length]²·[mass]/[time]²``;
    ``dimensionless`` for none.  (pint's own order depends on what it cached before.)

    >>> from symopt.units import ureg
    >>> fmt_dimension(ureg.Unit("J/km"))
    '[length]·[mass]/[time]²'
    """
    dims = dict(units.dimensionality)
    if not dims:
        return "dimensionless"
    known = len(_BASE_DIMENSIONS)
    order = sorted(
        dims, key=lambda d: (_BASE_DIMENSIONS.index(d) if d in _BASE_DIMENSIONS else known, d)
    )

    def power(d: str, e: float) -> str:
        e = int(e) if float(e).is_integer() else e
        return d if e == 1 else d + superscript(e)

    top = "·".join(power(d, dims[d]) for d in order if dims[d] > 0) or "1"
    bottom = [power(d, -dims[d]) for d in order if dims[d] < 0]
    return top + "".join("/" + b for b in bottom)


# -- reading units ---------------------------------------------------------------------------


class UnknownUnitError(UnitsError):
    """Unit text that names a unit pint does not know."""

    def __init__(self, where: str, text: str, unknown: str):
        self.where, self.text, self.unknown = where, text, unknown
        super().__init__(
            f"{where}={text!r} names the unknown unit {unknown!r}: check its spelling "
            "(pint knows e.g. 'km', 'mm', 'J', 's', 'kg', 'ft')"
        )


class UnitSyntaxError(UnitsError):
    """Unit text that pint cannot read."""

    def __init__(self, where: str, text: str):
        self.where, self.text = where, text
        super().__init__(
            f"cannot read {where}={text!r} as units: write a unit like 'km' or 'J/km**2', "
            "or a quantity like '2 J/km**2'"
        )


class OffsetUnitError(UnitsError):
    """An offset unit (degC, degF): it cannot be multiplied, so it has no gradient."""

    def __init__(self, where: str, units: pint.Unit):
        self.where, self.units = where, units
        super().__init__(
            f"{where} is in {units:D}, an offset unit: offset units cannot be multiplied or "
            "divided, so an objective, its gradient or a step cannot use them; use an "
            "absolute unit (kelvin) or a difference unit (delta_degC)"
        )


# -- values for a coordinate -----------------------------------------------------------------


class UnitMismatchError(DimensionalityError, UnitsError):
    """A value whose units do not fit the coordinate it is for.

    It is pint's :class:`~pint.errors.DimensionalityError` (``units1`` given, ``units2``
    needed, with their dimensions) and a :class:`~symopt.errors.UnitsError`.  ``given`` is
    ``None`` for a bare number.
    """

    def __init__(
        self,
        name: str,
        coordinate: str,
        given: pint.Unit | None,
        needed: pint.Unit,
        value: Any = None,
    ):
        self.name, self.coordinate, self.given, self.needed = name, coordinate, given, needed
        self.value = value
        given_units = needed / needed if given is None else given  # dimensionless
        super().__init__(given_units, needed, fmt_dimension(given_units), fmt_dimension(needed))

    def __str__(self) -> str:
        where = f"{self.name} for {self.coordinate}"
        if self.given is None:
            example = self.value if isinstance(self.value, int | float) else 1.0
            return (
                f"{where} is a bare number, but it needs units of {fmt(self.needed)} "
                f"({self.dim2}): give a Quantity, e.g. {example!r} * ureg('{self.needed:~C}')"
            )
        given = f"{fmt(self.given)} ({self.dim1})"
        if not self.needed.dimensionality:
            return (
                f"{where} has units {given}, but it must be a pure number: give a plain number "
                "(or a dimensionless Quantity)"
            )
        return (
            f"{where} has units {given}, but it needs units of {fmt(self.needed)} "
            f"({self.dim2}): give {self.name} in {fmt(self.needed)} or units convertible to them"
        )


# -- objectives with units -------------------------------------------------------------------


class TermUnitsError(UnitsError):
    """A top-level term whose units cannot be converted to ``value_units``."""

    def __init__(self, term: sp.Expr, units: pint.Unit, expected: pint.Unit, constants: list[str]):
        self.term, self.units, self.expected, self.constants = term, units, expected, constants
        super().__init__(
            f"the term {term} has units {fmt(units)} ({fmt_dimension(units)}), not the "
            f"objective's units {fmt(expected)} ({fmt_dimension(expected)}): a named constant "
            f"({', '.join(constants)}) multiplies it, so it is checked as written; fix the "
            "units of the constant or value_units"
        )


class SumUnitsError(UnitsError):
    """A sum inside a term whose parts have different dimensions."""

    def __init__(self, expr: sp.Expr, units1: pint.Unit, units2: pint.Unit):
        self.expr, self.units1, self.units2 = expr, units1, units2
        super().__init__(
            f"{expr} adds {fmt(units1)} ({fmt_dimension(units1)}) and {fmt(units2)} "
            f"({fmt_dimension(units2)}): inside a term a sum needs one dimension (only the "
            "objective's top-level terms get units from a bare coefficient)"
        )


class ArgumentUnitsError(UnitsError):
    """A function (exp, log, sin, a non-numeric power) of a quantity with units."""

    def __init__(self, expr: sp.Expr, argument: sp.Expr, units: pint.Unit):
        self.expr, self.argument, self.units = expr, argument, units
        super().__init__(
            f"{expr} needs a dimensionless argument, but {argument} has units {fmt(units)} "
            f"({fmt_dimension(units)}): divide it by a named constant with the same units, "
            "e.g. exp(x/L) with units={'L': '1 km'} (a bare number cannot carry units there)"
        )


class MissingUnitsError(UnitsError):
    """Symbols of an objective with units that have no units."""

    def __init__(self, names: list[str]):
        self.names = names
        have = "has" if len(names) == 1 else "have"
        super().__init__(
            f"{', '.join(names)} {have} no units: add {'it' if len(names) == 1 else 'them'} to "
            f"units, e.g. units={{{names[0]!r}: 'm'}} ('dimensionless' for a pure number, "
            "'2 J/m' for a named constant)"
        )


# Public classes show up as symopt.units.X (where users import them from).
for _cls in (
    ArgumentUnitsError,
    MissingUnitsError,
    OffsetUnitError,
    SumUnitsError,
    TermUnitsError,
    UnitMismatchError,
    UnitSyntaxError,
    UnknownUnitError,
):
    _cls.__module__ = "symopt.units"
