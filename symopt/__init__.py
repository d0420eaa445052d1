"""symopt: symbolic-plus-numeric optimization for deep learning, from the lecture.

SymPy derives (``Objective``), NumPy runs (``compile``, ``optim``, ``minimize``),
pint checks units (``symopt.units``), matplotlib draws (``symopt.plot``).

Public names are imported lazily on first access, so ``import symopt`` stays fast and
pint or matplotlib load only when used.

>>> import symopt
>>> f = symopt.Objective("x**2 + 3*y")
>>> f.gradient.T
Matrix([[2*x, 3]])
"""

from __future__ import annotations

import importlib
from typing import Any

from .errors import (
    DataError,
    HyperparameterError,
    NotDifferentiableError,
    ParseError,
    PointError,
    ShapeError,
    SymoptError,
    UnitsError,
    VariableError,
)

__version__ = "0.1.0"

_NAMES = {
    "parse": "parsing",
    "Objective": "objective",
    "CompiledObjective": "compile",
    "CriticalPoint": "critical",
    "CriticalPoints": "critical",
    "definiteness": "quadratic",
    "quadratic": "quadratic",
    "minimize": "run",
    "sweep": "run",
    "Trajectory": "run",
    "Sweep": "run",
}
_SUBMODULES = (
    "cli compile critical data derivatives landscape minibatch mlp objective optim parsing "
    "plot problems quadratic run stochastic theory tour trajectory units"
).split()

__all__ = [
    "DataError",
    "HyperparameterError",
    "NotDifferentiableError",
    "ParseError",
    "PointError",
    "ShapeError",
    "SymoptError",
    "UnitsError",
    "VariableError",
    *_NAMES,
]


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'symopt' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES, *_SUBMODULES})
