"""One hierarchy of errors.

Every error symopt raises on bad input is a :class:`SymoptError`, which is a
:class:`ValueError`, so ``except ValueError`` keeps working for callers that do not
know symopt.  Subclasses carry structured fields (what was wrong, where, what is
valid) and build their message from them, so tests can pin both.

Every error pickles: :class:`SymoptError` records the arguments it was constructed with
and unpickling calls the class with them again, so a subclass anywhere in symopt gets
its fields and its message back (through a process pool too) without a ``__reduce__`` of
its own.

>>> err = HyperparameterError("lr", -0.1, "a finite number >= 0")
>>> isinstance(err, ValueError), err.name
(True, 'lr')
>>> print(err)
lr=-0.1 is invalid: expected a finite number >= 0.
>>> import pickle
>>> print(pickle.loads(pickle.dumps(ChoiceError("rule", "sgd", ("gd", "adam")))))
rule='sgd' is invalid: expected one of 'gd', 'adam'.

The classes:

* :class:`ParseError`: text that the parser refuses;
* :class:`VariableError`, :class:`PointError`, :class:`ShapeError`: malformed variables,
  points and arrays;
* :class:`NotDifferentiableError`: an objective without the derivative asked for;
* :class:`DataError`: malformed training data;
* :class:`HyperparameterError`: an argument outside its valid range, and its subclass
  :class:`ChoiceError` for a label that is not one of the choices;
* :class:`ArgumentTypeError`: an argument of the wrong kind (also a :class:`TypeError`);
* :class:`DegenerateError`: an input for which the question has no answer (a singular
  matrix, a path that does not move, a problem with no minimum);
* :class:`DependencyError`: an optional package a feature needs is not installed;
* :class:`UnitsError`: physical units (the structured ones are in :mod:`symopt.units`);
* :class:`ExampleError`: a worked example of the tour that failed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

__all__ = [
    "ArgumentTypeError",
    "ChoiceError",
    "DataError",
    "DegenerateError",
    "DependencyError",
    "ExampleError",
    "HyperparameterError",
    "NotDifferentiableError",
    "ParseError",
    "PointError",
    "ShapeError",
    "SymoptError",
    "UnitsError",
    "VariableError",
]


def _rebuild(cls: type, args: tuple, kwargs: dict) -> SymoptError:
    """Unpickle: call the class again with its constructor's arguments."""
    return cls(*args, **kwargs)


class SymoptError(ValueError):
    """Base class of every error symopt raises on bad input.

    It keeps the constructor's arguments; pickling replays them, then restores the
    instance's attributes (also any set after construction, such as ``__notes__``).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> SymoptError:
        self = super().__new__(cls, *args)
        self._constructed_with = (args, kwargs)
        return self

    def __reduce__(self) -> tuple:
        args, kwargs = self._constructed_with
        return _rebuild, (type(self), args, kwargs), self.__dict__

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # A subclass that also derives from a foreign exception (pint's
        # DimensionalityError) would find that class's __new__ / __reduce__ first.
        super().__init_subclass__(**kwargs)
        for name in ("__new__", "__reduce__"):
            owner = next(c for c in cls.__mro__ if name in vars(c))
            if not issubclass(owner, SymoptError):
                setattr(cls, name, vars(SymoptError)[name])


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
    """An argument outside its valid range, named with that range.

    >>> print(HyperparameterError("n", 1, "an int >= 2"))
    n=1 is invalid: expected an int >= 2.
    """

    def __init__(self, name: str, value: Any, valid: str):
        self.name, self.value, self.valid = name, value, valid
        super().__init__(f"{name}={value!r} is invalid: expected {valid}.")


class ChoiceError(HyperparameterError):
    """A label that is not one of the choices (``choices`` lists them, in order).

    >>> err = ChoiceError("legend", "left", ("right", "below"))
    >>> print(err)
    legend='left' is invalid: expected one of 'right', 'below'.
    >>> err.choices
    ('right', 'below')
    """

    def __init__(self, name: str, value: Any, choices: Iterable[Any]):
        self.choices = tuple(choices)
        super().__init__(name, value, "one of " + ", ".join(map(repr, self.choices)))


class ArgumentTypeError(SymoptError, TypeError):
    """An argument of the wrong kind (a number where a callable is needed, ...).  It is
    also a :class:`TypeError`."""


class DegenerateError(SymoptError):
    """An input for which the question has no answer: a singular matrix where an
    invertible one is needed, a path that does not move, a problem with no minimum."""


class DependencyError(SymoptError):
    """An optional package that a feature needs is not installed; the message says
    what to install."""


class ExampleError(SymoptError):
    """Worked examples of the tour that raised; the message lists them and what the
    tour wrote, and each example's own error is in the tour's page."""


class UnitsError(SymoptError):
    """A physical-units problem detected by symopt itself (pint's own
    ``DimensionalityError`` is raised where pint detects it)."""
