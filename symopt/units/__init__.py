"""Physical units: why plain gradient descent mixes them, and how preconditioning fixes it.

pint stops here: the rest of symopt never sees a Quantity.  The contract:

* ``ureg`` is symopt's pint registry (Quantities of other registries are converted).
* :func:`check_update` ``(rule, objective_units, variable_units, lr_units=None)`` is the
  dimensional analysis of one update rule, :func:`check_all` the table over all rules,
  :func:`units_command` the text of ``symopt units``.
* :func:`attach_units` is the hook of ``Objective(expr, units=..., value_units=...)``:
  it checks every term against ``value_units``, substitutes named constants and returns
  a :class:`UnitInfo` (``f.unit_info``, ``f.gradient_units``).
* :func:`minimize_with_units` runs an optimizer from a start made of Quantities: the
  unit-aware optimizers here (:func:`gd`, :func:`preconditioned`, :func:`adadelta`, ...)
  take Quantity hyper-parameters, are checked once per run and become plain
  :mod:`symopt.optim` optimizers on magnitudes; the result, a :class:`UnitTrajectory`,
  is the plain trajectory with its units back (:func:`magnitudes` strips them again).
"""

from symopt.errors import UnitsError
from symopt.units.errors import (
    ArgumentUnitsError,
    MissingUnitsError,
    OffsetUnitError,
    SumUnitsError,
    TermUnitsError,
    UnitMismatchError,
    UnitSyntaxError,
    UnknownUnitError,
)
from symopt.units.objective import TermUnits, UnitInfo, attach_units, units_command
from symopt.units.optimizers import (
    UnitOptimizer,
    adadelta,
    adagrad,
    adam,
    gd,
    momentum,
    newton,
    optimizer,
    preconditioned,
    rmsprop,
)
from symopt.units.registry import parse_quantity, parse_units, ureg
from symopt.units.rules import RULES, RuleTable, UpdateReport, check_all, check_update
from symopt.units.runs import UnitTrajectory, magnitudes, minimize_with_units

__all__ = [
    "RULES",
    "ArgumentUnitsError",
    "MissingUnitsError",
    "OffsetUnitError",
    "RuleTable",
    "SumUnitsError",
    "TermUnits",
    "TermUnitsError",
    "UnitInfo",
    "UnitMismatchError",
    "UnitOptimizer",
    "UnitSyntaxError",
    "UnitTrajectory",
    "UnitsError",
    "UnknownUnitError",
    "UpdateReport",
    "adadelta",
    "adagrad",
    "adam",
    "attach_units",
    "check_all",
    "check_update",
    "gd",
    "magnitudes",
    "minimize_with_units",
    "momentum",
    "newton",
    "optimizer",
    "parse_quantity",
    "parse_units",
    "preconditioned",
    "rmsprop",
    "units_command",
    "ureg",
]
