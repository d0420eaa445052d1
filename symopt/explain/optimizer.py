"""The optimizer an explanation is about: read from a name or a named ``symopt.optim`` one.

:func:`resolve` turns ``None``, a builder's name with its hyper-parameters, or an optimizer
that carries ``.name`` and ``.hyperparams`` into a :class:`Choice`; :func:`local_theory`
gives the linear theory of :mod:`symopt.theory` for it on a local Hessian, where there is
one (gradient descent, heavy-ball momentum, and ``sgd`` when it is one of them).

>>> c = resolve("momentum", {"lr": 0.05, "mu": 0.5})
>>> c.name, c.hyperparams, c.label
('momentum', {'lr': 0.05, 'mu': 0.5}, 'momentum(lr=0.05, mu=0.5)')
>>> resolve("adma")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symopt.errors.ChoiceError: optimizer='adma' is invalid: expected one of 'adamax', 'adam', ...
"""

from __future__ import annotations

import difflib
import inspect
import numbers
from dataclasses import dataclass, field
from typing import Any

from symopt import optim, theory
from symopt.errors import ChoiceError, HyperparameterError

__all__ = ["NAMES", "Choice", "local_theory", "resolve"]

#: the named optimizers of :mod:`symopt.optim` that ``explain`` can build from a name
NAMES = tuple(optim.aliases.__all__)


@dataclass(frozen=True)
class Choice:
    """The optimizer of an explanation: its builder's name, its hyper-parameters and the
    built optimizer (``name == ""`` when none was given)."""

    name: str = ""
    hyperparams: dict[str, Any] = field(default_factory=dict)
    optimizer: Any = None

    @property
    def label(self) -> str:
        """``"momentum(lr=0.05, mu=0.5)"``: what the report calls it."""
        if not self.name:
            return "none"
        args = ", ".join(f"{k}={_short(v)}" for k, v in self.given().items())
        return f"{self.name}({args})"

    def given(self) -> dict[str, Any]:
        """The hyper-parameters that differ from the builder's defaults."""
        builder = getattr(optim, self.name, None)
        if builder is None:
            return dict(self.hyperparams)
        defaults = {
            k: p.default
            for k, p in inspect.signature(builder).parameters.items()
            if p.default is not inspect.Parameter.empty
        }
        return {
            k: v
            for k, v in self.hyperparams.items()
            if k not in defaults or _differs(v, defaults[k])
        }


def _differs(a: Any, b: Any) -> bool:
    try:
        return bool(a != b)
    except (TypeError, ValueError):
        return True


def _short(value: Any) -> str:
    return f"{value:g}" if isinstance(value, float) else repr(value)


def resolve(optimizer: Any = None, hyperparams: dict[str, Any] | None = None) -> Choice:
    """The :class:`Choice` for ``optimizer``: ``None``, a name of a :mod:`symopt.optim`
    builder (built with ``hyperparams``), or an optimizer with ``.name``/``.hyperparams``.

    Raises
    ------
    ChoiceError
        An unknown name (the message lists the close matches, else every name), or a
        hyper-parameter the builder does not take.
    HyperparameterError
        A learning rate that is not a positive number, or a value the builder refuses.
    """
    hyperparams = dict(hyperparams or {})
    if optimizer is None and not hyperparams:
        return Choice()
    if optimizer is None:
        optimizer = "gd"
    if isinstance(optimizer, str):
        return _build(optimizer.strip().lower(), hyperparams)
    name = getattr(optimizer, "name", "")
    if not name or not hasattr(optimizer, "init"):
        raise HyperparameterError(
            "optimizer",
            optimizer,
            "a name such as 'gd' or 'momentum', or a named symopt.optim optimizer "
            "(e.g. symopt.optim.momentum(lr=0.05, mu=0.5)), whose name and "
            "hyper-parameters explain reads",
        )
    return Choice(name, dict(optimizer.hyperparams), optimizer)


def _build(name: str, hyperparams: dict[str, Any]) -> Choice:
    if name not in NAMES:
        close = difflib.get_close_matches(name, NAMES, n=5, cutoff=0.5)
        raise ChoiceError("optimizer", name, close or NAMES)
    builder = getattr(optim, name)
    parameters = inspect.signature(builder).parameters
    for key in hyperparams:
        if key not in parameters:
            raise ChoiceError(f"hyper-parameter of {name}", key, tuple(parameters))
    missing = [
        k
        for k, p in parameters.items()
        if p.default is inspect.Parameter.empty and k not in hyperparams
    ]
    if missing:
        raise HyperparameterError(
            missing[0],
            None,
            f"a value: {name} needs {', '.join(missing)} (e.g. --{missing[0]} 0.1)",
        )
    lr = hyperparams.get("lr")
    if lr is not None and not callable(lr):
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not lr > 0:
            raise HyperparameterError("lr", lr, "a positive number")
    optimizer = builder(**hyperparams)
    return Choice(name, dict(optimizer.hyperparams), optimizer)


def local_theory(choice: Choice, hessian: Any) -> tuple[Any, str]:
    """The :mod:`symopt.theory` analysis of ``choice`` on ``½hᵀHh`` (the local quadratic
    model with the Hessian ``H``), or ``None`` and why there is none.

    ``sgd`` without dampening, weight decay, Nesterov or ``maximize`` is gradient descent
    (``momentum=0``) or the heavy ball with the same ``lr`` and ``mu`` (its buffer is the
    heavy ball's velocity divided by ``-lr``).
    """
    h = choice.hyperparams
    name = choice.name
    if name == "sgd" and _plain_sgd(h):
        name = "momentum" if h.get("momentum", 0) else "gd"
        h = {"lr": h["lr"], "mu": h.get("momentum", 0)}
    if name not in ("gd", "momentum"):
        return None, f"symopt.theory has no linear theory of {choice.name}"
    numbers_ = [h["lr"]] + ([h["mu"]] if name == "momentum" else [])
    if not all(isinstance(v, numbers.Real) and not isinstance(v, bool) for v in numbers_):
        return None, "the linear theory needs constant numbers for lr and mu"
    if name == "gd":
        return theory.gd(hessian, lr=h["lr"], scale=1 / 2), ""
    return theory.momentum(hessian, lr=h["lr"], mu=h["mu"], scale=1 / 2), ""


def _plain_sgd(h: dict[str, Any]) -> bool:
    return not (
        h.get("dampening", 0) or h.get("weight_decay", 0) or h.get("nesterov") or h.get("maximize")
    )
