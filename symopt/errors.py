"""One hierarchy of errors.

Every error symopt raises on bad input is a :class:`SymoptError`, which is a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not
know symopt.  Subclasses carry structured fields (what was wrong, where, what is
valid) and build their message from them, so tests can pin both.

>>> err = HyperparameterError("lr", -0.1, "a finite number >= 0")
>>> isinstance(err, ValueError), err.name
(True, 'lr')
>>> print(err)
lr=-0.1 is invalid: expected a finite number >= 0.
"""

from __future__ import annotations

from typing import Any

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
]


class SymoptError(ValueError):
    """Base class of every error symopt raises on bad input."""


class ParseError(SymoptError):
    """Text that :func:`symopt.parse` refuses.

    ``offset`` is the 0-based character offset of the offending token in ``text``
    (``None`` when the whole text is at fault).
    """

    def __init__(self, reason: str, text: str = "", offset: int | None = None):
        self.reason, self.text, self.offset = reason, text, offset
        super().__init__(self._message())

    def _message(self) -> str:
        if self.offset is None or not self.text or len(self.text) > 200:
            where = "" if self.offset is None else f" (at character {self.offset})"
            return f"cannot parse expression{where}: {self.reason}"
        caret = " " * self.offset + "^"
        return (
            f"cannot parse expression at character {self.offset}: {self.reason}\n"
            f"    {self.text}\n    {caret}"
        )


class VariableError(SymoptError):
    """A variable list that is malformed (repeated names, non-symbols, ...)."""


class PointError(SymoptError):
    """A point that misses variables, has the wrong length or non-numeric entries."""


class ShapeError(SymoptError):
    """An array whose shape does not fit (e.g. ``x0`` with the wrong last axis)."""


class NotDifferentiableError(SymoptError):
    """An objective that is not differentiable where it is asked to be."""


class DataError(SymoptError):
    """Training data that is malformed (wrong columns, NaN rows, bad batch size)."""


class HyperparameterError(SymoptError):
    """A hyper-parameter outside its valid range, named with that range."""

    def __init__(self, name: str, value: Any, valid: str):
        self.name, self.value, self.valid = name, value, valid
        super().__init__(f"{name}={value!r} is invalid: expected {valid}.")


class UnitsError(SymoptError):
    """A physical-units problem detected by symopt itself (pint's own
    ``DimensionalityError`` is raised where pint detects it)."""
