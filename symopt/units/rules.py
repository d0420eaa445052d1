"""Ground floor of :mod:`symopt.units`: the registry, reading units, their errors, and the
dimensional analysis of update rules (the table in ``rules.txt`` beside this module).

Private: import the public names from :mod:`symopt.units`.

Every rule steps by ``η·d``: a learning rate times a direction whose units the table
gives in ``x`` (one coordinate's units) and ``f`` (the objective's).  The update is
consistent when ``η·d`` has the units of ``x``, so ``η`` needs ``x/d``: for gradient
descent ``d = ∂f`` has units ``f/x`` and ``η`` needs ``x²/f``, different for every
coordinate whose units differ.
"""

from __future__ import annotations

import math
import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pint
from pint.errors import DimensionalityError, OffsetUnitCalculusError, UndefinedUnitError

from symopt.errors import HyperparameterError, UnitsError

__all__ = [
    "RULES",
    "OffsetUnitError",
    "RuleTable",
    "UnitMismatchError",
    "UnitSyntaxError",
    "UnknownUnitError",
    "UpdateReport",
    "check_all",
    "check_update",
    "fmt",
    "parse_quantity",
    "parse_units",
    "ureg",
]

ureg = pint.UnitRegistry()
ureg.formatter.default_format = "~P"  # 1 km, J/km, km²/J

# Longer unit text is refused before pint reads it.
_MAX_TEXT = 200

# A leading number followed by the end, a unit name or a single "*" is a magnitude
# ("2 J/km**2", "3", "9.81 m/s**2"); "1/s" and "1 / s" are units.
_MAGNITUDE = re.compile(r"\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*(?:$|\*(?!\*)|[^\W\d])")


# -- errors ------------------------------------------------------------------------------


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


class UnitMismatchError(DimensionalityError, UnitsError):
    """A value whose units do not fit the coordinate it is for.

    It is pint's :class:`~pint.errors.DimensionalityError` (``units1`` given, ``units2``
    needed, with their dimensions) and a :class:`~symopt.errors.UnitsError`.  ``given`` is
    ``None`` for a bare number.
    """

    def __init__(
        self, name: str, coordinate: str, given: pint.Unit | None, needed: pint.Unit, value=None
    ):
        self.name, self.coordinate, self.given, self.needed = name, coordinate, given, needed
        self.value = value
        given_units = ureg.dimensionless if given is None else given
        super().__init__(
            given_units,
            needed,
            fmt_dimension(given_units),
            fmt_dimension(needed),
        )

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

    def __reduce__(self):
        return self.__class__, (self.name, self.coordinate, self.given, self.needed, self.value)


# -- reading and writing units ---------------------------------------------------------------


def has_magnitude(text: str) -> bool:
    """Does unit text start with a magnitude (``"2 J/km**2"``: a named constant)?"""
    return _MAGNITUDE.match(text) is not None


def _read(text: str, where: str) -> pint.Quantity:
    if len(text) > _MAX_TEXT:
        raise UnitSyntaxError(where, text[:40] + "...")
    try:
        q = ureg.Quantity(text)
    except UndefinedUnitError as err:
        raise UnknownUnitError(where, text, str(err.unit_names[0])) from None
    except Exception:  # pint's parser raises assorted errors on malformed text
        raise UnitSyntaxError(where, text) from None
    if not isinstance(q, pint.Quantity):  # e.g. "3" parses to a plain number
        q = ureg.Quantity(q)
    return q


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
        q = _read(value, where)
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
        q = _read(value, where)
        if has_magnitude(value):
            raise UnitSyntaxError(where, value)
        units = q.units
    elif hasattr(value, "dimensionality") and not hasattr(value, "magnitude"):
        units = _read(f"{value:D}", where).units  # a Unit of another registry
    else:
        raise UnitSyntaxError(where, repr(value))
    return _check_multiplicative(units, where)


def fmt(units: pint.Unit) -> str:
    """Short, pretty units: ``km²/J``; ``1`` for dimensionless."""
    return f"{units:~P}" or "1"


_SUPERSCRIPT = str.maketrans("-.0123456789", "⁻⋅⁰¹²³⁴⁵⁶⁷⁸⁹")


_BASE_DIMENSIONS = ("[length]", "[mass]", "[time]", "[current]", "[temperature]", "[substance]")


def fmt_dimension(units: pint.Unit) -> str:
    """The dimension in pint's notation, in a fixed order: ``[length]²·[mass]/[time]²``;
    ``dimensionless`` for none.  (pint's own order depends on what it cached before.)

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
        return d if e == 1 else d + str(e).translate(_SUPERSCRIPT)

    top = "·".join(power(d, dims[d]) for d in order if dims[d] > 0) or "1"
    bottom = [power(d, -dims[d]) for d in order if dims[d] < 0]
    return top + "".join("/" + b for b in bottom)


def fmt_ratio(ratio: float) -> str:
    """``10¹²`` for powers of ten, else three significant digits."""
    exponent = round(math.log10(ratio))
    if abs(ratio / 10.0**exponent - 1) < 1e-9:
        return "1" if exponent == 0 else "10" + str(exponent).translate(_SUPERSCRIPT)
    return f"{ratio:.3g}"


def _base_magnitude(units: pint.Unit) -> float:
    return float(ureg.Quantity(1.0, units).to_base_units().magnitude)


# -- the table of rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Rule:
    name: str
    update: str
    direction: tuple[int, int]  # exponents of x and f
    hyper: dict[str, tuple[int, int]]
    note: str

    def units(self, exponents: tuple[int, int], x: pint.Unit, f: pint.Unit) -> pint.Unit:
        units = ureg.dimensionless
        for base, power in zip((x, f), exponents, strict=True):
            units = units * base**power if power else units
        return units


_FACTOR = re.compile(r"\s*(x|f|1)(?:\*\*(\d+))?\s*$")


def _exponents(text: str) -> tuple[int, int]:
    """``"x**2/f"`` → (2, -1): the exponents of x and f in a monomial of the table."""
    powers = {"x": 0, "f": 0, "1": 0}
    numerator, _, denominator = text.partition("/")
    for side, sign in ((numerator, 1), (denominator, -1)):
        for factor in re.split(r"(?<!\*)\*(?!\*)", side) if side else ():
            match = _FACTOR.match(factor)
            if match is None:
                raise ValueError(f"units.txt: cannot read {text!r}")
            powers[match[1]] += sign * int(match[2] or 1)
    return powers["x"], powers["f"]


@cache
def _rules() -> dict[str, _Rule]:
    text = (Path(__file__).with_name("rules.txt")).read_text(encoding="utf-8")
    rules = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, update, direction, hyper, note = (c.strip() for c in line.split("|"))
        pairs = [h.split("=") for h in hyper.split()] if hyper != "-" else []
        rules[name] = _Rule(
            name,
            update,
            _exponents(direction),
            {h: _exponents(u) for h, u in pairs},
            "" if note == "-" else note,
        )
    return rules


RULES: tuple[str, ...] = tuple(_rules())


def _rule(name: Any) -> _Rule:
    if name not in _rules():
        raise HyperparameterError("rule", name, f"one of {', '.join(map(repr, RULES))}")
    return _rules()[name]


def coordinates(variable_units: Any) -> tuple[tuple[str, ...], tuple[pint.Unit, ...]]:
    """Names and units from a dict ``name -> unit`` or a list of units (``x1, x2, ...``)."""
    if isinstance(variable_units, Mapping):
        items = [(str(k), v) for k, v in variable_units.items()]
    elif isinstance(variable_units, Sequence) and not isinstance(variable_units, str):
        items = [(f"x{i + 1}", v) for i, v in enumerate(variable_units)]
    else:
        raise UnitsError(
            f"variable_units must be a dict name -> unit or a list of units, not "
            f"{variable_units!r}; e.g. {{'x1': 'km', 'x2': 'mm'}}"
        )
    if not items:
        raise UnitsError("variable_units is empty: give the units of at least one variable")
    names = tuple(name for name, _ in items)
    units = tuple(parse_units(u, f"variable_units[{name!r}]") for name, u in items)
    return names, units


# -- the report of one rule ------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateReport:
    """The dimensional analysis of one update rule, per coordinate.

    ``consistent`` says whether the step has the units of ``x`` for every coordinate
    (pint converts between units of one dimension, so km and mm agree).
    ``scalar_lr_possible`` says whether one η, in one unit, is consistent for every
    coordinate; ``lr_scale_ratio`` is then how far apart the units it needs are (1 when
    they are the same unit, ``None`` when no single η exists).
    """

    rule: str
    update: str
    variables: tuple[str, ...]
    objective_units: pint.Unit
    variable_units: tuple[pint.Unit, ...]
    gradient_units: tuple[pint.Unit, ...]
    lr_units: tuple[pint.Unit, ...] | None
    step_units: tuple[pint.Unit, ...]
    required_lr_units: list[pint.Unit]
    hyperparameter_units: dict[str, list[pint.Unit]]
    consistent: bool
    scalar_lr_possible: bool
    lr_scale_ratio: float | None
    note: str

    def __str__(self) -> str:
        return " ".join(filter(None, (self._step(), self._lr(), self._note())))

    def _per_coordinate(self, units: Sequence[pint.Unit]) -> str:
        if len(set(units)) == 1:
            return fmt(units[0])
        return ", ".join(f"{fmt(u)} for {v}" for u, v in zip(units, self.variables, strict=True))

    def _step(self) -> str:
        lr = "a bare η" if self.lr_units is None else f"η in {_fmt_lr(self.lr_units)}"
        x = ", ".join(map(fmt, dict.fromkeys(self.variable_units)))
        x = f"({x})"
        if self.consistent:
            return f"{self.rule}: {self.update}. With {lr} the step has the units of x {x}."
        step = self._per_coordinate(self.step_units)
        step = "no units" if step == "1" else f"units {step}"
        return (
            f"{self.rule}: {self.update}. With {lr} the step has {step}, not the units of "
            f"x {x}, so pint refuses the update."
        )

    def _lr(self) -> str:
        required = self.required_lr_units
        if all(not u.dimensionality and _base_magnitude(u) == 1 for u in required):
            return "η is a pure number, the same for every coordinate."
        needs = f"η needs {self._per_coordinate(required)}"
        distinct = list(dict.fromkeys(required))
        if self.lr_scale_ratio == 1 or len(distinct) == 1:
            return f"{needs}; one η in {fmt(required[0])} serves every coordinate."
        low = min(required, key=_base_magnitude)
        high = max(required, key=_base_magnitude)
        if self.scalar_lr_possible:
            ratio = fmt_ratio(self.lr_scale_ratio)
            return (
                f"{needs}: one η passes pint's check for every coordinate, since these units "
                f"share a dimension, but 1 {fmt(high)} = {ratio} {fmt(low)}, so when every "
                f"coordinate is well scaled in its own units, the η that suits one is "
                f"{ratio} times off for another."
            )
        a = distinct[0]
        b = next(u for u in distinct if u.dimensionality != a.dimensionality)
        return (
            f"{needs}: no single η exists, since {fmt(a)} and {fmt(b)} have different "
            f"dimensions ({fmt_dimension(a)} vs {fmt_dimension(b)})."
        )

    def _note(self) -> str:
        units = {k: ", ".join(map(fmt, v)) for k, v in self.hyperparameter_units.items()}
        return self.note.format(**units)


def _fmt_lr(units: tuple[pint.Unit, ...]) -> str:
    """One unit if all are the same, else the tuple."""
    distinct = list(dict.fromkeys(units))
    return fmt(distinct[0]) if len(distinct) == 1 else "(" + ", ".join(map(fmt, units)) + ")"


def _lr_per_coordinate(lr_units: Any, n: int) -> tuple[pint.Unit, ...] | None:
    if lr_units is None:
        return None
    if isinstance(lr_units, Sequence) and not isinstance(lr_units, str):
        if len(lr_units) != n:
            raise UnitsError(
                f"lr_units lists {len(lr_units)} units but there are {n} variables: give one "
                "unit for all, or one per variable"
            )
        return tuple(parse_units(u, f"lr_units[{i}]") for i, u in enumerate(lr_units))
    return (parse_units(lr_units, "lr_units"),) * n


def check_update(
    rule: str, objective_units: Any, variable_units: Any, lr_units: Any = None
) -> UpdateReport:
    """The dimensional analysis of one update rule.

    Parameters
    ----------
    rule : str
        One of ``"gd"``, ``"momentum"``, ``"preconditioned"``, ``"newton"``,
        ``"adagrad"``, ``"rmsprop"``, ``"adam"``, ``"adadelta"``.
    objective_units : str or pint.Unit
        The units of the objective ``f``, e.g. ``"J"``.
    variable_units : dict or list
        ``{"x1": "km", "x2": "mm"}``, or a list of units (named ``x1, x2, ...``).
    lr_units : str, pint.Unit or list, optional
        The units of the learning rate (one for all coordinates, or one per coordinate);
        ``None`` is a bare number.

    Returns
    -------
    UpdateReport
        Per coordinate the units of x, of the gradient, of the step and what η needs;
        ``.consistent``, ``.required_lr_units``, ``.scalar_lr_possible``; ``str()``
        explains it.

    Examples
    --------
    >>> r = check_update("gd", "J", {"x1": "km", "x2": "mm"})
    >>> r.consistent, r.scalar_lr_possible, [fmt(u) for u in r.required_lr_units]
    (False, True, ['km²/J', 'mm²/J'])
    >>> print(r)
    gd: x ← x − η·∂f. With a bare η the step has units J/km for x1, J/mm for x2, not the
    units of x (km, mm), so pint refuses the update. η needs km²/J for x1, mm²/J for x2:
    one η passes pint's check for every coordinate, since these units share a dimension,
    but 1 km²/J = 10¹² mm²/J, so when every coordinate is well scaled in its own units,
    the η that suits one is 10¹² times off for another.
    >>> check_update("gd", "J", {"x1": "km", "x2": "s"}).scalar_lr_possible
    False
    >>> check_update("preconditioned", "J", ["km", "mm"]).consistent
    True
    """
    spec = _rule(rule)
    names, x = coordinates(variable_units)
    f = parse_units(objective_units, "objective_units")
    grad = tuple(f / xi for xi in x)
    direction = tuple(spec.units(spec.direction, xi, f) for xi in x)
    lr = _lr_per_coordinate(lr_units, len(x))
    step = direction if lr is None else tuple(a * d for a, d in zip(lr, direction, strict=True))
    required = [xi / d for xi, d in zip(x, direction, strict=True)]
    same_dimension = all(u.dimensionality == required[0].dimensionality for u in required)
    ratio = None
    if same_dimension:
        magnitudes = [_base_magnitude(u) for u in required]
        ratio = max(magnitudes) / min(magnitudes)
    return UpdateReport(
        rule=spec.name,
        update=spec.update,
        variables=names,
        objective_units=f,
        variable_units=x,
        gradient_units=grad,
        lr_units=lr,
        step_units=step,
        required_lr_units=required,
        hyperparameter_units={h: [spec.units(e, xi, f) for xi in x] for h, e in spec.hyper.items()},
        consistent=all(
            s.dimensionality == xi.dimensionality for s, xi in zip(step, x, strict=True)
        ),
        scalar_lr_possible=same_dimension,
        lr_scale_ratio=ratio,
        note=spec.note,
    )


class RuleTable(tuple):
    """The reports of :func:`check_all`, one per rule; ``str()`` is a table and
    :meth:`explain` adds each rule's explanation."""

    def __str__(self) -> str:
        first = self[0]
        variables = zip(first.variables, first.variable_units, strict=True)
        header = (
            f"f in {fmt(first.objective_units)}; "
            + ", ".join(f"{v} in {fmt(u)}" for v, u in variables)
            + "; gradient: "
            + ", ".join(map(fmt, first.gradient_units))
        )
        rows = [("rule", "bare η?", f"η needs ({', '.join(first.variables)})", "one η for all?")]
        for r in self:
            rows.append(
                (
                    r.rule,
                    "yes" if r.consistent else "no",
                    ", ".join(map(fmt, r.required_lr_units)),
                    _one_lr(r),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [
            "  ".join(row[i].ljust(widths[i]) for i in range(3)) + "  " + row[3] for row in rows
        ]
        return "\n".join([header, *lines])

    def explain(self, width: int = 88) -> str:
        """The table followed by each rule's explanation, wrapped to ``width``."""
        paragraphs = [textwrap.fill(str(r), width) for r in self]
        return "\n\n".join([str(self), *paragraphs])


def _one_lr(report: UpdateReport) -> str:
    if not report.scalar_lr_possible:
        return "no: different dimensions"
    if report.lr_scale_ratio == 1:
        return "yes"
    return f"dimensionally yes; scales differ by {fmt_ratio(report.lr_scale_ratio)}"


def check_all(objective_units: Any, variable_units: Any) -> RuleTable:
    """:func:`check_update` with a bare η for every rule, as a printable table.

    >>> print(check_all("J", {"x1": "km", "x2": "s"}))
    f in J; x1 in km, x2 in s; gradient: J/km, J/s
    rule            bare η?  η needs (x1, x2)  one η for all?
    gd              no       km²/J, s²/J       no: different dimensions
    momentum        no       km²/J, s²/J       no: different dimensions
    preconditioned  yes      1, 1              yes
    newton          yes      1, 1              yes
    adagrad         no       km, s             no: different dimensions
    rmsprop         no       km, s             no: different dimensions
    adam            no       km, s             no: different dimensions
    adadelta        yes      1, 1              yes
    """
    return RuleTable(check_update(rule, objective_units, variable_units) for rule in RULES)


# Public classes show up as symopt.units.X (where users import them from).
for _cls in (
    OffsetUnitError,
    RuleTable,
    UnitMismatchError,
    UnitSyntaxError,
    UnknownUnitError,
    UpdateReport,
):
    _cls.__module__ = "symopt.units"
