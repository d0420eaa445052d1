"""The dimensional analysis of update rules (the table in ``rules.txt`` beside this module).

Private: import the public names from :mod:`symopt.units`.

Every rule steps by ``η·d``: a learning rate times a direction whose units the table
gives in ``x`` (one coordinate's units) and ``f`` (the objective's).  The update is
consistent when ``η·d`` has the units of ``x``, so ``η`` needs ``x/d``: for gradient
descent ``d = ∂f`` has units ``f/x`` and ``η`` needs ``x²/f``, different for every
coordinate whose units differ.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pint

from symopt._typing import UpdateRule
from symopt.errors import ChoiceError, UnitsError
from symopt.units.errors import fmt, fmt_dimension
from symopt.units.registry import base_magnitude, fmt_ratio, parse_units, ureg

__all__ = ["RULES", "RuleTable", "UpdateReport", "check_all", "check_update"]


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
                raise ValueError(f"rules.txt: cannot read {text!r}")
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
    if not isinstance(name, str) or name not in _rules():  # a list is unhashable
        raise ChoiceError("rule", name, RULES)
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

    rule: UpdateRule
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
        if all(not u.dimensionality and base_magnitude(u) == 1 for u in required):
            return "η is a pure number, the same for every coordinate."
        needs = f"η needs {self._per_coordinate(required)}"
        distinct = list(dict.fromkeys(required))
        if self.lr_scale_ratio == 1 or len(distinct) == 1:
            return f"{needs}; one η in {fmt(required[0])} serves every coordinate."
        low = min(required, key=base_magnitude)
        high = max(required, key=base_magnitude)
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
    rule: UpdateRule, objective_units: Any, variable_units: Any, lr_units: Any = None
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
        magnitudes = [base_magnitude(u) for u in required]
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
for _cls in (RuleTable, UpdateReport):
    _cls.__module__ = "symopt.units"
