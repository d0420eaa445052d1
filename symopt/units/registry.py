"""symopt's pint registry and the readers and writers of units.

Private: import the public names from :mod:`symopt.units`.

``ureg`` is also pint's application registry, so Quantities and Units that symopt
pickles (errors, trajectories, through a process pool) unpickle into ``ureg`` and can
be combined with it again.

pint evaluates unit text as an expression (``9**9**9**9 m`` never returns), so text is
read by symopt's safe parser first and must be a number (a quantity's magnitude) times a
product of unit names to rational powers of at most ``MAX_UNIT_POWER``; only then does pint
see it.  A bare number inside units (``km/1000``) is refused rather than dropped.
"""

from __future__ import annotations

import math
import re
from typing import Any

import pint
import sympy as sp
from pint.errors import OffsetUnitCalculusError, UndefinedUnitError

from symopt.errors import ParseError
from symopt.symbolic.parsing import parse
from symopt.units.errors import OffsetUnitError, UnitSyntaxError, UnknownUnitError, superscript

__all__ = [
    "MAX_UNIT_POWER",
    "base_magnitude",
    "fmt_ratio",
    "has_magnitude",
    "parse_quantity",
    "parse_units",
    "ureg",
]

ureg = pint.UnitRegistry()
ureg.formatter.default_format = "~P"  # 1 km, J/km, km²/J
pint.set_application_registry(ureg)  # pint unpickles into the application registry

# Longer unit text is refused before pint reads it.
_MAX_TEXT = 200
MAX_UNIT_POWER = 12  # |p| in km**p: km**103 overflows a float in SI base units
# "kg m/s^2": pint reads a space between names as '*'; symopt's parser needs the '*'
_IMPLICIT_PRODUCT = re.compile(r"(?<=[\w.)])\s+(?=[^\W\d]|\()")
# "km²/J", "m·s": the pretty forms that symopt prints, and pint reads
_SUPERSCRIPTS = re.compile("[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+")
_PLAIN = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹·⋅", "-0123456789**")

# A leading number followed by the end, a unit name or a single "*" is a magnitude
# ("2 J/km**2", "3", "9.81 m/s**2"); "1/s" and "1 / s" are units.
_MAGNITUDE = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(?:$|\*(?!\*)|[^\W\d])")


# -- reading ---------------------------------------------------------------------------------


def has_magnitude(text: str) -> bool:
    """Does unit text start with a magnitude (``"2 J/km**2"``: a named constant)?"""
    return _MAGNITUDE.match(text) is not None


def _magnitude(text: str, where: str) -> sp.Rational:
    """The number in front of the units in ``text``, after checking that the rest is unit
    names to small rational powers: nothing that pint would have to compute."""
    names = {name: sp.Symbol(name) for name in re.findall(r"[^\W\d]\w*", text)}
    plain = _SUPERSCRIPTS.sub(lambda m: "**" + m.group(), text).translate(_PLAIN)
    try:  # every name a symbol, also E, pi and min (a minute)
        expr = parse(_IMPLICIT_PRODUCT.sub("*", plain.strip()), symbols=names)
    except ParseError:
        raise UnitSyntaxError(where, text) from None
    magnitude, units = expr.as_coeff_Mul()
    for factor in sp.Mul.make_args(units):
        base, power = factor.as_base_exp()
        if not (base.is_Symbol or base == 1) or not power.is_Rational:
            raise UnitSyntaxError(where, text)
        if abs(power) > MAX_UNIT_POWER or power.q > MAX_UNIT_POWER:
            raise UnitSyntaxError(where, text)
    if not magnitude.is_Rational:
        raise UnitSyntaxError(where, text)
    return magnitude


def _read(text: str, where: str) -> tuple[pint.Quantity, sp.Rational]:
    """The Quantity that ``text`` spells, and its magnitude as symopt's parser read it."""
    if len(text) > _MAX_TEXT:
        raise UnitSyntaxError(where, text[:40] + "...")
    magnitude = _magnitude(text, where)
    try:
        q = ureg.Quantity(text)
        if not isinstance(q, pint.Quantity):  # e.g. "3" parses to a plain number
            q = ureg.Quantity(q)
        scale = ureg.Quantity(1.0, q.units).to_base_units().magnitude
    except UndefinedUnitError as err:
        raise UnknownUnitError(where, text, str(err.unit_names[0])) from None
    except Exception:  # pint's parser raises assorted errors on malformed text
        raise UnitSyntaxError(where, text) from None
    if not 0 < abs(scale) < math.inf:  # "Ym**12*Em**12*Pm**12": beyond a float in SI units
        raise UnitSyntaxError(where, text)
    return q, magnitude


def _check_multiplicative(units: pint.Unit, where: str) -> pint.Unit:
    one = ureg.Quantity(1.0, units)
    try:
        one * one
    except OffsetUnitCalculusError:
        raise OffsetUnitError(where, units) from None
    return units


def parse_quantity(value: Any, where: str = "value") -> pint.Quantity:
    """A Quantity in :data:`ureg` from text (``"2 J/km**2"``), a Quantity or Unit of any
    registry, or a number (dimensionless).

    >>> parse_quantity("2 J/km**2")
    <Quantity(2.0, 'joule / kilometer ** 2')>
    """
    if isinstance(value, str):
        q = _read(value, where)[0]
    elif isinstance(value, ureg.Quantity):
        q = value
    elif hasattr(value, "magnitude") and hasattr(value, "units"):  # another registry
        q = ureg.Quantity(value.magnitude, parse_units(value.units, where))
    elif hasattr(value, "dimensionality"):  # a Unit
        q = ureg.Quantity(1, parse_units(value, where))
    elif isinstance(value, int | float) and not isinstance(value, bool):
        q = ureg.Quantity(value)
    else:
        raise UnitSyntaxError(where, repr(value))
    _check_multiplicative(q.units, where)
    return q


def parse_units(value: Any, where: str = "units") -> pint.Unit:
    """A Unit in :data:`ureg` from text (``"km"``) or a Unit of any registry.

    >>> parse_units("J/km")
    <Unit('joule / kilometer')>
    >>> parse_units("degC", "units['T']")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    symopt.units.OffsetUnitError: units['T'] is in degree_Celsius, an offset unit: ...
    """
    if isinstance(value, ureg.Unit):
        units = value
    elif isinstance(value, str):
        q, magnitude = _read(value, where)
        if has_magnitude(value) or magnitude != 1:  # "2 J", "km/1000": not units
            raise UnitSyntaxError(where, value)
        units = q.units
    elif hasattr(value, "dimensionality") and not hasattr(value, "magnitude"):
        units = _read(f"{value:D}", where)[0].units  # a Unit of another registry
    else:
        raise UnitSyntaxError(where, repr(value))
    return _check_multiplicative(units, where)


# -- writing ---------------------------------------------------------------------------------


def fmt_ratio(ratio: float) -> str:
    """``10¹²`` for powers of ten, else three significant digits."""
    exponent = round(math.log10(ratio))
    if abs(ratio / 10.0**exponent - 1) < 1e-9:
        return "1" if exponent == 0 else "10" + superscript(exponent)
    return f"{ratio:.3g}"


def base_magnitude(units: pint.Unit) -> float:
    """The magnitude of one ``units`` in SI base units (1000 for km)."""
    return float(ureg.Quantity(1.0, units).to_base_units().magnitude)
