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

from symopt.errors import (
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

# public name -> the module that defines it
_NAMES = {
    "parse": "symbolic.parsing",
    "Objective": "symbolic.objective",
    "definiteness": "symbolic.forms",
    "quadratic": "symbolic.quadratic",
    "CompiledObjective": "numeric.compile",
    "CriticalPoint": "critical.points",
    "CriticalPoints": "critical.points",
    "minimize": "api",
    "sweep": "api",
    "Trajectory": "numeric.results",
    "Sweep": "numeric.results",
    "explain": "explain.core",
}
# rooms, and the modules users reach as ``symopt.<name>``
_ROOMS = (
    "cli critical explain landscape numeric optim plot problems stochastic symbolic theory "
    "tour units"
)
_SUBMODULES = {
    **{room: room for room in _ROOMS.split()},
    "api": "api",
    "data": "stochastic.data",
    "mlp": "landscape.mlp",
}

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
        value = importlib.import_module(f".{_SUBMODULES[name]}", __name__)
    else:
        raise AttributeError(f"module 'symopt' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_NAMES, *_SUBMODULES})
