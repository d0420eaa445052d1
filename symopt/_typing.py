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
    "ArrayLike",
    "Definiteness",
    "HyperParam",
    "Kind",
    "Method",
    "Point",
    "Record",
    "Status",
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
