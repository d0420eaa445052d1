"""The core both run loops share: start check, divergence guard, statuses, rows, progress.

:mod:`~symopt.numeric.run` (deterministic runs) and :mod:`~symopt.numeric.minibatch`
(mini-batch runs) differ only in where a gradient comes from; everything else about a
batch of runs is decided here, once:

- :func:`start`: ``x0`` as a fresh finite float array ``(n,)`` or ``(..., n)``, its size
  checked against memory before anything is allocated (:func:`check_memory`);
- :func:`check_steps`, :func:`check_optimizer`: the other arguments every run takes;
- :class:`Guard`: a run *diverged* when its point or its value is non-finite or grows
  beyond :data:`EXPLODE` times its start (plus one);
- :class:`Checkpoint`: per run, the last point where its value and gradient were seen
  finite; a run found outside the objective's domain (a NaN value or gradient at a finite
  point, e.g. ``log(x)`` at ``x < 0``) goes back there, *diverged*, so no recorded row
  ever holds a non-finite number;
- :class:`Runs`: the status of each run (:data:`symopt._typing.Status`), frozen runs kept
  at their point, diverging runs put back to their last good point;
- :class:`Rows`: the recorded rows, turned into the :class:`~symopt.numeric.results.Trajectory`,
  and the points handed to a tracker (``track=``: ``track(t, x_t)`` every ``track.every``
  steps, e.g. :class:`symopt.landscape.SharpnessTracker`; it observes, the run is unchanged);
- :func:`running`: the progress bar (tqdm) and the silenced floating-point warnings.

>>> import numpy as np
>>> runs = Runs((2,), steps=5)
>>> guard = Guard(np.ones((2, 1)), np.ones(2))
>>> new = np.array([[0.5], [1e13]])  # the second run jumps beyond 1e12 · (1 + 1)
>>> runs.stop(np.ones((2, 1)), new, 3, guard).tolist(), new.tolist()
([False, True], [[0.5], [1.0]])
>>> runs.status.tolist(), runs.stop_step.tolist()
(['max_steps', 'diverged'], [5, 3])
"""

from __future__ import annotations

import functools
import math
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from symopt._typing import Status
from symopt.errors import ArgumentTypeError, HyperparameterError, PointError, ShapeError
from symopt.numeric.results import Trajectory

__all__ = [
    "EXPLODE",
    "MAX_STEPS",
    "VALUE_CHECK_EVERY",
    "Checkpoint",
    "Guard",
    "Rows",
    "Runs",
    "check_memory",
    "check_optimizer",
    "check_steps",
    "running",
    "start",
]

EXPLODE = 1e12
"""A run diverged when ``|x|`` or ``|f|`` grows beyond this factor times its start (plus one)."""
VALUE_CHECK_EVERY = 10
"""Where values are not computed anyway, check them for divergence every this many steps."""
# Up to this many coordinates in a batch, the guard's quick test is one dot product.
_SMALL = 1024
# Show a progress bar by default when this many gradient evaluations (per point and per
# example) are ahead, and stderr is a terminal.
_PROGRESS_WORK = 10**8
MAX_STEPS = 10**12
"""The most steps a run takes (far beyond any run that ends in reasonable time)."""
# Bytes a run of a batch holds besides its coordinates (status, stop step, flags, values).
_PER_RUN = 64
# Float arrays of the batch's size a step holds at once (point, update, gradient,
# optimizer state, temporaries): an estimate, for the memory check.
_WORKING_ARRAYS = 12


def start(x0: Any, n: int | None, rows: int = 2) -> np.ndarray:
    """``x0`` as a fresh float array of shape ``(n,)`` or ``(..., n)``, all finite, with
    at least one start; refused before the copy if the run would not fit in memory with
    ``rows`` recorded rows (:func:`check_memory`).

    >>> start([1, 2], 2)
    array([1., 2.])
    >>> start([1.0, float("nan")], 2)
    Traceback (most recent call last):
        ...
    symopt.errors.ShapeError: x0 contains NaN or infinity: give a finite start
    """
    shape = np.shape(x0) if isinstance(x0, np.ndarray) else None
    if shape:
        check_memory("x0", shape[:-1], shape[-1], rows)
    try:
        x = np.array(x0, dtype=float)  # a copy: the run never aliases the caller's array
    except OverflowError:
        raise ShapeError(
            "x0 has an entry too large for a float (beyond ~1.8e308): give a finite start"
        ) from None
    except (TypeError, ValueError) as err:
        raise ShapeError(
            f"x0 must be an array of numbers of shape (n,) or (..., n): {err}"
        ) from None
    if x.ndim == 0 or (n is not None and x.shape[-1] != n):
        expected = "n" if n is None else str(n)
        raise ShapeError(
            f"x0 has shape {x.shape}, but the objective has {expected} variables: give shape "
            f"({expected},) or (..., {expected})"
        )
    if x.size == 0:
        raise ShapeError(f"x0 has shape {x.shape}, an empty batch of runs: give at least one start")
    if shape is None:
        check_memory("x0", x.shape[:-1], x.shape[-1], rows)
    if not np.all(np.isfinite(x)):
        raise ShapeError("x0 contains NaN or infinity: give a finite start")
    return x


@functools.cache
def memory_limit() -> int:
    """The most bytes a run may plan to hold: half the machine's physical memory."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (AttributeError, ValueError, OSError):  # not POSIX: assume 8 GiB of memory
        return 4 * 2**30


def check_memory(what: str, batch: tuple[int, ...], n: int, rows: int) -> None:
    """Refuse a batch of runs (``batch`` shape, ``n`` coordinates, ``rows`` recorded rows)
    that would need more than :func:`memory_limit` bytes, before anything is allocated.

    >>> check_memory("x0", (10**9,), 2, 2)
    Traceback (most recent call last):
        ...
    symopt.errors.ShapeError: x0 asks for 1000000000 runs of 2 coordinates with 2 recorded
    rows, which would take about 298 GiB of memory (the limit is half the physical memory):
    give fewer starts or grid values, or record fewer rows (record="last" or every k-th)
    """
    runs = math.prod(batch)
    floats = runs * (n * (_WORKING_ARRAYS + rows) + 2 * rows)
    need = 8 * floats + _PER_RUN * runs
    if need > memory_limit():
        raise ShapeError(
            f"{what} asks for {runs} runs of {n} coordinates with {rows} recorded rows, which "
            f"would take about {need / 2**30:.3g} GiB of memory (the limit is half the "
            "physical memory): give fewer starts or grid values, or record fewer rows "
            '(record="last" or every k-th)'
        )


def check_steps(name: str, value: Any, low: int = 0) -> int:
    """A count of steps (or epochs): an int in ``low ... MAX_STEPS``.

    >>> check_steps("steps", 2**64)
    Traceback (most recent call last):
        ...
    symopt.errors.HyperparameterError: steps=18446744073709551616 is invalid: expected an
    int in 0 ... 10**12.
    """
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not low <= value <= MAX_STEPS
    ):
        raise HyperparameterError(name, value, f"an int in {low} ... 10**12")
    return int(value)


def check_optimizer(optimizer: Any) -> None:
    """Refuse what is not an optimizer (``init`` and ``update``), saying what to give.

    >>> check_optimizer("adam")
    Traceback (most recent call last):
        ...
    symopt.errors.ArgumentTypeError: optimizer='adam' is text, not an optimizer: give
    symopt.optim.adam(...)
    """
    if isinstance(optimizer, str):
        raise ArgumentTypeError(
            f"optimizer={optimizer!r} is text, not an optimizer: give "
            f"symopt.optim.{optimizer if optimizer.isidentifier() else 'adam'}(...)"
        )
    if not (
        callable(getattr(optimizer, "init", None)) and callable(getattr(optimizer, "update", None))
    ):
        raise ArgumentTypeError(
            f"optimizer={optimizer!r} is not an optimizer (init and update): give one from "
            "symopt.optim, e.g. symopt.optim.adam(lr=1e-3)"
        )


def sq_norm(g: np.ndarray) -> np.ndarray:
    """Squared Euclidean norm over the last axis.  For few coordinates a sum over columns
    is several times faster than ``(g * g).sum(-1)`` and, unlike ``@``, avoids BLAS."""
    n = g.shape[-1]
    if n > 16:
        return np.einsum("...i,...i->...", g, g)
    total = g[..., 0] * g[..., 0]
    for i in range(1, n):
        total += g[..., i] * g[..., i]
    return total


class Guard:
    """The divergence test, per run: non-finite or exploding points and values."""

    def __init__(self, x0: np.ndarray, f0: np.ndarray):
        self.sq_limit = (EXPLODE * (1.0 + np.sqrt(sq_norm(x0)))) ** 2
        self.f_limit = EXPLODE * (1.0 + np.abs(f0))
        # the whole batch inside this means every run is fine
        self.fast_sq_limit = float(np.min(self.sq_limit))
        self.fast_limit = float(np.sqrt(self.fast_sq_limit / x0.shape[-1]))

    def bad_points(self, x: np.ndarray) -> np.ndarray | None:
        """The runs whose point diverged, or None when surely none did."""
        flat = x.reshape(-1)
        if flat.size <= _SMALL:  # one dot product (NaN propagates) is the cheapest test
            if flat @ flat <= self.fast_sq_limit:
                return None
        # Two plain reductions, no BLAS: on a big batch a threaded BLAS call can wait
        # milliseconds for a busy core, far more than the whole step.
        elif -self.fast_limit <= flat.min() and flat.max() <= self.fast_limit:
            return None
        return ~(sq_norm(x) <= self.sq_limit)

    def bad_values(self, value: np.ndarray) -> np.ndarray:
        """The runs whose value diverged."""
        return ~(np.abs(value) <= self.f_limit)


class Checkpoint:
    """Per run, the last point where its value and gradient were seen finite, and its step.

    Made at ``x0``, where a non-finite value or gradient is refused (a
    :class:`~symopt.errors.PointError`): the start is outside the objective's domain.

    >>> import numpy as np
    >>> ck = Checkpoint(np.array([[1.0], [2.0]]), np.ones(2), np.ones(2))
    >>> lost = ck.lost(np.array([[0.5], [-1.0]]), 10, np.array([0.2, np.nan]), np.ones(2))
    >>> lost.tolist(), ck.x.tolist(), ck.t.tolist()
    ([False, True], [[0.5], [2.0]], [10, 0])
    """

    def __init__(self, x0: np.ndarray, value: np.ndarray, sq_grad_norm: np.ndarray):
        bad = _not_finite(value, sq_grad_norm)
        if bad is not None:
            where = "" if bad.ndim == 0 else f" (run {tuple(int(i) for i in np.argwhere(bad)[0])})"
            raise PointError(
                f"the objective or its gradient is not finite at x0{where}: the start is "
                "outside the objective's domain; give a start where both are finite"
            )
        self.x = x0
        self.t = np.zeros(x0.shape[:-1], dtype=int)

    def lost(
        self, x: np.ndarray, t: int, value: np.ndarray, sq_grad_norm: np.ndarray
    ) -> np.ndarray | None:
        """Keep ``x`` (step ``t``) for the runs whose value and gradient there are finite;
        return the mask of the other runs, or None when there are none.  (``x`` is kept by
        reference: a run's accepted points are never changed in place.)"""
        bad = _not_finite(value, sq_grad_norm)
        if bad is None:
            self.x = x
            self.t.fill(t)
            return None
        self.x = np.where(bad[..., None], self.x, x)
        self.t[~bad] = t
        return bad


def _not_finite(value: np.ndarray, sq_grad_norm: np.ndarray) -> np.ndarray | None:
    ok = np.isfinite(value) & np.isfinite(sq_grad_norm)
    return None if ok.all() else ~ok


class Runs:
    """The state of a batch of runs: which are frozen, how and when each ended."""

    def __init__(self, batch: tuple[int, ...], steps: int):
        self.frozen = np.zeros(batch, dtype=bool)
        self.status = np.full(batch, "max_steps", dtype="<U9")
        self.stop_step = np.full(batch, steps, dtype=int)
        self.any_frozen = self.all_frozen = False

    def freeze(self, runs: np.ndarray, status: Status, t: int) -> None:
        """End ``runs`` (a boolean mask) at step ``t`` with ``status``."""
        self.frozen |= runs
        self.status[runs] = status
        self.stop_step[runs] = t
        self.any_frozen = True
        self.all_frozen = bool(self.frozen.all())

    def back(self, x: np.ndarray, lost: np.ndarray, checkpoint: Checkpoint) -> np.ndarray:
        """The points ``x`` with the runs ``lost`` (a mask) put back to their checkpoint,
        where they are frozen as ``"diverged"`` (a new array: ``x`` is not changed)."""
        self.freeze(lost, "diverged", 0)
        self.stop_step[lost] = checkpoint.t[lost]
        return np.where(lost[..., None], checkpoint.x, x)

    def hold(self, x: np.ndarray, new: np.ndarray) -> np.ndarray:
        """The next points ``new`` with every frozen run kept at its point in ``x``."""
        if new.shape != x.shape:
            raise ShapeError(
                f"the optimizer's updates have shape {new.shape} but x0 has shape {x.shape}: "
                f"an array hyper-parameter implies a bigger batch; broadcast x0 to it, e.g. "
                f"np.broadcast_to(x0, {new.shape})"
            )
        if self.any_frozen:
            np.copyto(new, x, where=self.frozen[..., None])
        return new

    def stop(
        self, x: np.ndarray, new: np.ndarray, t: int, guard: Guard, *values: np.ndarray | None
    ) -> np.ndarray | None:
        """Stop the runs whose new point, or a value at it (those not None), diverged:
        they are put back to their point in ``x`` (in place in ``new``) and marked
        ``"diverged"`` at step ``t``.  Returns the mask of the runs stopped now, or None
        when there are none (then ``new`` is untouched)."""
        bad = guard.bad_points(new)
        for value in values:
            if value is not None:
                bad_value = guard.bad_values(value)
                bad = bad_value if bad is None else bad | bad_value
        if bad is None:
            return None
        bad &= ~self.frozen
        if not bad.any():
            return None
        np.copyto(new, x, where=bad[..., None])
        self.freeze(bad, "diverged", t)
        return bad


class Rows:
    """The recorded rows (only what is recorded is ever stored), and the tracker."""

    def __init__(self, every: int | None, track: Any = None):
        self.every = every
        self.track = _tracker(track)
        self.steps: list[int] = []
        self.x: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.grad_norms: list[np.ndarray] = []

    def wants(self, t: int) -> bool:
        """Is step ``t`` one of the recorded steps (the final step aside)?"""
        return t == 0 or (self.every is not None and t % self.every == 0)

    def observe(self, t: int, x: np.ndarray) -> None:
        """Hand the accepted point ``x_t`` to the tracker at its steps (a read-only view)."""
        if self.track is not None and t % self.track.every == 0:
            view = x.view()
            view.flags.writeable = False
            self.track(t, view)

    def add(self, t: int, x: np.ndarray, value: np.ndarray, sq_grad_norm: np.ndarray) -> None:
        self.steps.append(t)
        self.x.append(x)
        self.values.append(np.asarray(value, dtype=float))
        self.grad_norms.append(np.sqrt(sq_grad_norm))

    def trajectory(self, runs: Runs, extras: dict[str, Any] | None = None) -> Trajectory:
        return Trajectory(
            x=np.stack(self.x),
            values=np.stack(self.values),
            grad_norms=np.stack(self.grad_norms),
            steps=np.array(self.steps),
            status=runs.status,
            stop_step=runs.stop_step,
            extras=extras or {},
        )


def _tracker(track: Any) -> Any:
    every = getattr(track, "every", None)
    if track is not None and not (
        callable(track) and isinstance(every, int) and not isinstance(every, bool) and every > 0
    ):
        raise ArgumentTypeError(
            f"track={track!r} is not a tracker: give an object with an int attribute every >= 1 "
            "that is called as track(step, params), e.g. symopt.landscape.SharpnessTracker"
        )
    return track


@contextmanager
def running(
    progress: bool | None, steps: int, work: int, unit: str = "step"
) -> Iterator[Callable[[int], None] | None]:
    """The context of a run loop: floating-point warnings off (the guard handles
    overflow and NaN), and a tqdm progress bar over ``steps`` when ``progress`` is True,
    or when it is None and ``work`` (gradient evaluations) is large on a terminal.
    Yields ``tick(t)``, to call after step ``t``, or None without a bar."""
    if progress is None:
        progress = work > _PROGRESS_WORK and sys.stderr.isatty()
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=steps, unit=unit, leave=False, file=sys.stderr)
    every = max(1, steps // 200)

    def tick(t: int) -> None:
        if t % every == 0:
            bar.update(every)

    try:
        with np.errstate(all="ignore"):
            yield tick if bar is not None else None
    finally:
        if bar is not None:
            bar.close()
