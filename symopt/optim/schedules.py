"""Schedules: functions of the step count ``t`` (0 for the first update).

A schedule is any callable ``t -> value``.  Those made here are vectorised and accept
per-run parameters: with parameters of batch shape ``S`` (broadcast together), an integer
``t`` gives an array of shape ``S`` (a float when ``S == ()``), and an integer array ``t``
gives shape ``t.shape + S``.  Every learning rate in :mod:`symopt.optim` is a number, an
array or a schedule; :func:`as_schedule` turns the first two into :func:`constant`.

>>> from symopt.optim import schedules
>>> lr = schedules.warmup(schedules.cosine(0.1, steps=100), warmup_steps=10)
>>> [round(float(lr(t)), 4) for t in (0, 5, 10, 60, 110, 500)]
[0.0, 0.05, 0.1, 0.05, 0.0, 0.0]
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from symopt._typing import HyperParam
from symopt.errors import HyperparameterError
from symopt.optim.base import FINITE, NONNEGATIVE, Hyper, Interval, hyper

__all__ = [
    "Schedule",
    "as_schedule",
    "constant",
    "cosine",
    "exponential",
    "inverse_time",
    "join",
    "product",
    "step",
    "warmup",
]

Schedule = Callable[[Any], Any]


def _ndim(*values: Any) -> int:
    return max(np.ndim(v) for v in values)


def _steps(t: Any, ndim: int) -> Any:
    """``t`` with ``ndim`` trailing axes, so ``t.shape + S`` comes out of broadcasting."""
    if isinstance(t, int | np.integer) or ndim == 0:
        return t
    t = np.asarray(t)
    return t.reshape(t.shape + (1,) * ndim)


def _aligned(results: list[Any], t: np.ndarray) -> list[np.ndarray]:
    """Results of shapes ``t.shape + S_i``, padded so that the ``S_i`` align at the right."""
    arrays = [np.asarray(r, dtype=np.float64) for r in results]
    k = max(a.ndim for a in arrays) - t.ndim
    return [a.reshape(t.shape + (1,) * (k - a.ndim + t.ndim) + a.shape[t.ndim :]) for a in arrays]


def _broadcast(value: Any, shape: tuple[int, ...]) -> Any:
    """A per-run value broadcast to the schedule's full batch shape (floats stay floats)."""
    return value if shape == () or np.shape(value) == shape else np.broadcast_to(value, shape)


def _carrying(schedule: Schedule, *sources: Hyper | Schedule) -> Schedule:
    """``schedule`` with ``.hypers``, the validated hyper-parameters it is made of (its
    parts' included), so that an optimizer's ``init`` names a batch mismatch after them."""
    schedule.hypers = tuple(
        h
        for source in sources
        for h in ((source,) if isinstance(source, Hyper) else getattr(source, "hypers", ()))
    )
    return schedule


def _count(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise HyperparameterError(name, value, f"an integer >= {low}")
    return int(value)


def as_schedule(value: HyperParam, name: str = "lr", valid: Interval = NONNEGATIVE) -> Schedule:
    """A schedule as is, or a number/array validated against ``valid`` as a constant.

    Examples
    --------
    >>> as_schedule(0.1)(7)
    0.1
    """
    return value if callable(value) else constant(hyper(name, value, valid))


def constant(value: HyperParam) -> Schedule:
    """``t -> value`` (``value`` any finite number or array, or a validated ``Hyper``).

    Examples
    --------
    >>> constant([0.1, 0.2])(np.arange(3)).shape
    (3, 2)
    """
    h = hyper("value", value, FINITE)
    v = h.value

    def schedule(t):
        if isinstance(t, int | np.integer):
            return v
        return np.broadcast_to(v, np.shape(t) + np.shape(v)).copy()

    return _carrying(schedule, h)


def step(v0: HyperParam, step_size: int, gamma: HyperParam = 0.1) -> Schedule:
    """``v0 · gamma^floor(t / step_size)``, like ``torch.optim.lr_scheduler.StepLR``.

    Examples
    --------
    >>> [step(1.0, 2, 0.5)(t) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """
    hypers = hyper("v0", v0, FINITE), hyper("gamma", gamma, NONNEGATIVE)
    (v0, gamma), size = (h.value for h in hypers), _count("step_size", step_size, 1)
    ndim = _ndim(v0, gamma)

    def schedule(t):
        return v0 * gamma ** (_steps(t, ndim) // size)

    return _carrying(schedule, *hypers)


def exponential(v0: HyperParam, gamma: HyperParam) -> Schedule:
    """``v0 · gamma^t``, like ``torch.optim.lr_scheduler.ExponentialLR``.

    Examples
    --------
    >>> exponential(1.0, 0.5)(3)
    0.125
    """
    hypers = hyper("v0", v0, FINITE), hyper("gamma", gamma, NONNEGATIVE)
    v0, gamma = (h.value for h in hypers)
    ndim = _ndim(v0, gamma)

    def schedule(t):
        return v0 * gamma ** _steps(t, ndim)

    return _carrying(schedule, *hypers)


def inverse_time(v0: HyperParam, decay: HyperParam, power: HyperParam = 1.0) -> Schedule:
    """``v0 / (1 + decay · t)^power`` (Adagrad's ``lr_decay`` is ``power=1``).

    Examples
    --------
    >>> inverse_time(1.0, 0.5)(2)
    0.5
    """
    hypers = hyper("v0", v0, FINITE), hyper("decay", decay), hyper("power", power)
    v0, decay, power = (h.value for h in hypers)
    ndim = _ndim(v0, decay, power)

    def schedule(t):
        return v0 / (1.0 + decay * _steps(t, ndim)) ** power

    return _carrying(schedule, *hypers)


def cosine(v0: HyperParam, steps: int, v_min: HyperParam = 0.0) -> Schedule:
    """Half a cosine from ``v0`` at ``t = 0`` to ``v_min`` at ``t = steps``, then ``v_min``.

    ``v_min + (v0 - v_min) (1 + cos(π min(t, steps) / steps)) / 2``: the closed form of
    ``torch.optim.lr_scheduler.CosineAnnealingLR(T_max=steps, eta_min=v_min)`` for
    ``t <= steps`` (torch's schedule then rises again; this one stays at ``v_min``).

    Examples
    --------
    >>> cosine(1.0, 4)(2), cosine(1.0, 4)(9)
    (0.5, 0.0)
    """
    hypers = hyper("v0", v0, FINITE), hyper("v_min", v_min, FINITE)
    v0, v_min = (h.value for h in hypers)
    n, ndim = _count("steps", steps, 1), _ndim(v0, v_min)

    def schedule(t):
        t = np.minimum(_steps(t, ndim), n)
        c = 0.5 * (1.0 + np.cos(np.pi * t / n))
        out = v_min + (v0 - v_min) * c
        return float(out) if np.ndim(out) == 0 else out

    return _carrying(schedule, *hypers)


def warmup(schedule_or_value: HyperParam, warmup_steps: int, start: HyperParam = 0.0) -> Schedule:
    """Linear warm-up from ``start`` to ``s(0)`` over ``warmup_steps``, then ``s(t - W)``.

    ``s`` is ``schedule_or_value`` (a schedule, or a constant); after the warm-up it runs
    shifted, as with :func:`join`.

    Examples
    --------
    >>> [float(warmup(1.0, 4)(t)) for t in range(6)]
    [0.0, 0.25, 0.5, 0.75, 1.0, 1.0]
    """
    target = as_schedule(schedule_or_value, "schedule_or_value", FINITE)
    w, first = _count("warmup_steps", warmup_steps, 0), hyper("start", start, FINITE)
    start = first.value
    if w == 0:
        return target
    end = target(0)
    ndim, shape = _ndim(end, start), np.broadcast_shapes(np.shape(end), np.shape(start))

    def schedule(t):
        if isinstance(t, int | np.integer):
            return start + (end - start) * (t / w) if t < w else _broadcast(target(t - w), shape)
        t = np.asarray(t)
        t_ = _steps(t, ndim)
        ramp, after = _aligned([start + (end - start) * (t_ / w), target(np.maximum(t - w, 0))], t)
        return np.where(_steps(t, ramp.ndim - t.ndim) < w, ramp, after)

    return _carrying(schedule, first, target)


def join(schedules: Sequence[HyperParam], boundaries: Sequence[int]) -> Schedule:
    """Run ``schedules[i]`` from ``boundaries[i-1]`` on, restarted at 0 there.

    Examples
    --------
    >>> s = join([1.0, exponential(0.5, 0.5)], boundaries=[2])
    >>> [float(s(t)) for t in range(5)]
    [1.0, 1.0, 0.5, 0.25, 0.125]
    """
    parts = [as_schedule(s, f"schedules[{i}]", FINITE) for i, s in enumerate(schedules)]
    bounds = [_count(f"boundaries[{i}]", b, 1) for i, b in enumerate(boundaries)]
    if len(bounds) != len(parts) - 1 or bounds != sorted(set(bounds)):
        raise HyperparameterError(
            "boundaries",
            list(boundaries),
            f"{len(parts) - 1} strictly increasing integers (one fewer than schedules)",
        )

    shape = np.broadcast_shapes(*(np.shape(p(0)) for p in parts))

    def schedule(t):
        if isinstance(t, int | np.integer):
            i = bisect.bisect_right(bounds, t)
            return _broadcast(parts[i](t - (bounds[i - 1] if i else 0)), shape)
        t = np.asarray(t)
        shifted = [t] + [np.maximum(t - b, 0) for b in bounds]
        values = _aligned([part(s) for part, s in zip(parts, shifted, strict=True)], t)
        out = values[0]
        for b, value in zip(bounds, values[1:], strict=True):
            out = np.where(_steps(t, value.ndim - t.ndim) >= b, value, out)
        return out

    return _carrying(schedule, *parts)


def product(*factors: HyperParam) -> Schedule:
    """The pointwise product of schedules, numbers and arrays.

    Examples
    --------
    >>> product(0.1, inverse_time(1.0, 1.0))(3)
    0.025
    """
    parts = [as_schedule(f, f"factors[{i}]", FINITE) for i, f in enumerate(factors)]

    def schedule(t):
        if isinstance(t, int | np.integer):
            return math.prod((p(t) for p in parts), start=1.0)
        t = np.asarray(t)
        return math.prod(_aligned([p(t) for p in parts], t), start=np.float64(1.0))

    return _carrying(schedule, *parts)
