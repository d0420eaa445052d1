"""Types shared by the public API: what an argument accepts, and the labels results carry.

>>> from typing import get_args
>>> get_args(Status)
('converged', 'diverged', 'max_steps')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal, TypeAlias

import numpy as np
import numpy.typing as npt

__all__ = [
    "Activation",
    "ArrayLike",
    "Definiteness",
    "HyperParam",
    "Ignore",
    "Kind",
    "MLPLoss",
    "Method",
    "Normalization",
    "Point",
    "Record",
    "Status",
    "UpdateRule",
]

ArrayLike: TypeAlias = npt.ArrayLike
"""Anything :func:`numpy.asarray` turns into a float array: numbers, nested lists, arrays."""

HyperParam: TypeAlias = float | np.ndarray | Sequence[float] | Callable[[Any], Any]
"""A hyper-parameter: a number, an array that broadcasts against the batch shape, or
(where it is a learning rate, momentum or beta) a schedule ``t -> value``."""

Point: TypeAlias = Any
"""A point: a dict keyed by variables (symbols or names), or a sequence in variable order."""

Status = Literal["converged", "diverged", "max_steps"]
"""How one run of a batch ended."""

Kind = Literal["minimum", "maximum", "saddle", "inconclusive"]
"""The kind of a critical point."""

Method = Literal["second-order", "higher-order", "numeric"]
"""How a critical point was classified."""

Definiteness = Literal[
    "positive definite",
    "positive semidefinite",
    "negative definite",
    "negative semidefinite",
    "indefinite",
    "unknown",
]
"""The definiteness of a symmetric matrix, as :func:`symopt.definiteness` reports it."""

Record = Literal["all", "last"] | int
"""Which steps a run keeps: every step, only the last, or every k-th (plus the last)."""

UpdateRule = Literal[
    "gd", "momentum", "preconditioned", "newton", "adagrad", "rmsprop", "adam", "adadelta"
]
"""An update rule of :func:`symopt.units.check_update` (the rows of ``units/rules.txt``)."""

Activation = Literal["relu", "tanh"]
"""The activation of :class:`symopt.landscape.MLP`."""

MLPLoss = Literal["cross_entropy", "mse"]
"""The loss of :class:`symopt.landscape.MLP`."""

Normalization = Literal["filter", "layer"]
"""How :func:`symopt.landscape.random_direction` scales a direction (or ``None``: raw)."""

Ignore = Literal["biasbn", "copy"]
"""What :func:`symopt.landscape.random_direction` does with 1-D tensors (or ``None``:
keep them)."""
