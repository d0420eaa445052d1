"""The core type of :mod:`symopt.optim` and the helpers every transform shares.

An :class:`Optimizer` is a pair of pure functions plus what they need::

    init(params) -> state
    update(grads, state, params=None, **extra) -> (updates, state)
    needs: tuple of extra keyword inputs for update, from ("value", "hessian", "step")

``params + updates`` is the step.  ``update`` never modifies ``grads`` or ``params``; it
updates the buffers of the state it is given in place (as ``torch.optim`` does, to keep
the hot loop free of needless allocations), so continue from the returned state and
``copy.deepcopy`` a state you want to keep.  The ``updates`` it returns are fresh arrays
that share no memory with the state, so a caller may edit them in place.

A gradient *transformation* (``scale_by_adam``, ``trace``, ...) has the same type:
:func:`chain` feeds the output of one into the next.

Hyper-parameters are validated once, when an optimizer is built, elementwise for arrays,
and raise :class:`~symopt.errors.HyperparameterError` naming the argument and its valid
range.  :func:`hyper` returns a :class:`Hyper`, the value with the name the user gave it; a
transform handed a ``Hyper`` takes it as it is, so a named optimizer that checks ``mu``
itself and hands it to :func:`~symopt.optim.transforms.trace` (whose own name for it is
``decay``) neither checks it twice nor reports it as ``decay``.  An array hyper-parameter
is *per run*: its shape broadcasts against the batch shape ``params.shape[:-1]`` aligned at
the right (checked at ``init``, again under the user's name), so internally it gets a
trailing axis.
"""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

from symopt.errors import HyperparameterError, ShapeError

__all__ = ["Hyper", "Interval", "Optimizer", "chain", "hyper", "named"]


class Optimizer(NamedTuple):
    """An optimizer (or gradient transformation): ``init``, ``update`` and ``needs``.

    Attributes
    ----------
    init : callable
        ``init(params) -> state`` with ``params`` of shape ``(n,)`` or ``(..., n)``.
    update : callable
        ``update(grads, state, params=None, **extra) -> (updates, state)``; the new
        point is ``params + updates``.
    needs : tuple of str
        Extra keyword inputs ``update`` requires, from ``("value", "hessian", "step")``.
    name : str
        The builder's name for a named optimizer (``"adam"``), else ``""``.
    hyperparams : mapping
        A named optimizer's arguments as the user gave them (Quantities and schedules
        included), with the builder's defaults for the others; empty for a transform.

    Examples
    --------
    >>> import numpy as np
    >>> from symopt import optim
    >>> opt = optim.gd(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state, x)  # f(x) = |x|², grad 2x
    >>> x + updates
    array([ 0.8, -1.6])
    >>> opt.name, dict(opt.hyperparams)
    ('gd', {'lr': 0.1})
    """

    init: Callable[[np.ndarray], Any]
    update: Callable[..., tuple[np.ndarray, Any]]
    needs: tuple[str, ...] = ()
    name: str = ""
    hyperparams: Mapping[str, Any] = {}  # shared by transforms: never mutated


def named(builder: Callable[..., Optimizer]) -> Callable[..., Optimizer]:
    """Decorate an optimizer's builder so what it builds carries ``.name`` (the builder's
    name) and ``.hyperparams`` (a dict of its arguments, defaults filled in).

    Examples
    --------
    >>> @named
    ... def descent(lr=0.5):
    ...     step = lambda grads, state, params=None: (-lr * grads, state)
    ...     return Optimizer(lambda params: (), step)
    >>> opt = descent()
    >>> opt.name, dict(opt.hyperparams)
    ('descent', {'lr': 0.5})
    """
    signature = inspect.signature(builder)

    @functools.wraps(builder)
    def build(*args: Any, **kwargs: Any) -> Optimizer:
        optimizer = builder(*args, **kwargs)
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return optimizer._replace(name=builder.__name__, hyperparams=dict(bound.arguments))

    return build


def chain(*transforms: Optimizer) -> Optimizer:
    """Compose gradient transformations into one :class:`Optimizer`.

    The gradient goes through ``transforms`` left to right; the state is the tuple of
    their states; ``needs`` is the union of theirs (in order of first appearance).

    Examples
    --------
    >>> import numpy as np
    >>> from symopt import optim
    >>> heavy_ball = optim.chain(optim.scale_by_lr(0.1), optim.trace(0.5))
    >>> heavy_ball.needs
    ()
    >>> x = np.array([1.0])
    >>> state = heavy_ball.init(x)
    >>> v, state = heavy_ball.update(np.array([2.0]), state, x)  # v = 0.5·0 - 0.1·2
    >>> v
    array([-0.2])
    """
    for i, t in enumerate(transforms):
        if not isinstance(t, Optimizer):
            raise HyperparameterError(
                f"transforms[{i}]", t, "an Optimizer (init, update, needs), e.g. optim.trace(0.9)"
            )
    if len(transforms) == 1:
        return transforms[0]
    inits = tuple(t.init for t in transforms)
    updates = tuple(t.update for t in transforms)
    needs = tuple(dict.fromkeys(name for t in transforms for name in t.needs))

    def init(params):
        return tuple(f(params) for f in inits)

    def update(grads, state, params=None, **extra):
        new_state = []
        for f, s in zip(updates, state, strict=True):
            grads, s = f(grads, s, params, **extra)
            new_state.append(s)
        return grads, tuple(new_state)

    return Optimizer(init, update, needs)


class Interval(NamedTuple):
    """The valid range of a hyper-parameter; its ``text`` goes into error messages."""

    low: float = -math.inf
    high: float = math.inf
    low_closed: bool = True
    high_closed: bool = False

    @property
    def text(self) -> str:
        if self.high == math.inf:
            if self.low == -math.inf:
                return "a finite number"
            return f"a finite number {'>=' if self.low_closed else '>'} {self.low:g}"
        left, right = "[("[not self.low_closed], "])"[not self.high_closed]
        return f"a number in {left}{self.low:g}, {self.high:g}{right}"

    def contains(self, a: np.ndarray) -> np.ndarray:
        above = a >= self.low if self.low_closed else a > self.low
        below = a <= self.high if self.high_closed else a < self.high
        return np.isfinite(a) & above & below


FINITE = Interval()
NONNEGATIVE = Interval(0.0)
POSITIVE = Interval(0.0, low_closed=False)
UNIT = Interval(0.0, 1.0)  # [0, 1): betas, the lecture's momentum
CLOSED_UNIT = Interval(0.0, 1.0, high_closed=True)


class Hyper(NamedTuple):
    """A validated hyper-parameter: the name the user gave it and its value.

    ``value`` is a float or a float64 array (a copy: later edits of the caller's array have
    no effect).  Every error about it, at build time or at ``init``, carries ``name``.
    """

    name: str
    value: float | np.ndarray


def hyper(name: str, value: Any, valid: Interval = NONNEGATIVE) -> Hyper:
    """Validate a hyper-parameter elementwise against ``valid``, once.

    A :class:`Hyper` passes through unchecked: it was validated under its own name already.

    Examples
    --------
    >>> hyper("mu", [0.5, 0.9], UNIT)
    Hyper(name='mu', value=array([0.5, 0.9]))
    >>> hyper("decay", hyper("mu", 0.5, UNIT))  # validated once, under the user's name
    Hyper(name='mu', value=0.5)
    """
    if isinstance(value, Hyper):
        return value
    if isinstance(value, str):
        raise HyperparameterError(name, value, f"{valid.text} or an array of them, not text")
    try:
        a = np.asarray(value, dtype=np.float64)
    except OverflowError:  # an int beyond the floats, e.g. 10**400
        raise HyperparameterError(name, value, f"{valid.text} (this is beyond ~1.8e308)") from None
    except (TypeError, ValueError):
        raise HyperparameterError(name, value, f"{valid.text} or an array of them") from None
    ok = valid.contains(a)
    if not ok.all():
        if a.ndim == 0:
            raise HyperparameterError(name, value, valid.text)
        where = tuple(int(i) for i in np.argwhere(~ok)[0])
        raise HyperparameterError(
            name, float(a[where]), f"{valid.text} in every entry (entry {where} is not)"
        )
    return Hyper(name, float(a) if a.ndim == 0 else a.copy())


def per_run(value: Hyper | float | np.ndarray) -> float | np.ndarray:
    """A hyper-parameter's value with the trailing coordinate axis (floats pass through)."""
    if isinstance(value, Hyper):
        value = value.value
    return value[..., None] if isinstance(value, np.ndarray) else value


def nonzero(h: Hyper) -> bool:
    """Whether a validated hyper-parameter has any nonzero entry."""
    return bool(np.any(h.value != 0))


class ShapeOf:
    """Shows an array by its shape in error messages."""

    def __init__(self, shape: tuple[int, ...]):
        self.shape = shape

    def __repr__(self) -> str:
        return f"<array of shape {self.shape}>"


def check_batch(h: Hyper, params: np.ndarray) -> None:
    """Check that a per-run hyper-parameter fits the batch shape of ``params``."""
    if not isinstance(h.value, np.ndarray) or h.value.ndim == 0:
        return
    batch, shape = params.shape[:-1], h.value.shape
    try:
        fits = np.broadcast_shapes(shape, batch) == batch
    except ValueError:
        fits = False
    if not fits:
        raise HyperparameterError(
            h.name,
            ShapeOf(shape),
            f"an array that broadcasts against the batch shape {batch} of the parameters "
            "(aligned at the right, e.g. shape (B,) for x0 of shape (B, n), (A, 1) for "
            "(A, B, n)); broadcast x0 to the full batch first",
        )


def as_params(params: Any) -> np.ndarray:
    """Parameters as a float64 array of shape ``(n,)`` or ``(..., n)``."""
    x = np.asarray(params, dtype=np.float64)
    if x.ndim == 0:
        raise ShapeError(
            f"params must have shape (n,) or (..., n), got a scalar {x!r}; wrap it: [x]"
        )
    return x
