"""Mini-batch SGD runs, and the two facts about gradient noise the lecture shows.

A mini-batch run (:func:`minimize_minibatch`, reached through :func:`symopt.minimize`
with ``epochs=...``) takes, at step ``t``, the gradient of the risk over one batch of
``K`` examples and lets any :mod:`symopt.optim` optimizer turn it into a step::

    for each epoch:  order = a fresh permutation of the N examples (or draws with replacement)
        for each batch B of K examples in that order:
            g = risk.batch_gradient(x_t, B)             # unbiased estimate of ∇L̂(x_t)
            updates, state = update(g, state, x_t)      # x_{t+1} = x_t + updates

The noise ``g - ∇L̂`` keeps SGD with a constant step from converging: the iterates settle
into a *noise ball* around the minimum whose size
:func:`symopt.stochastic.stationary_variance` predicts, and a decaying step shrinks it.
The same noise lets a run started exactly at a saddle point leave it
(:func:`symopt.stochastic.escape_times`), where plain gradient descent stays forever.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from symopt.errors import ArgumentTypeError, DataError, HyperparameterError
from symopt.numeric.loop import (
    MAX_STEPS,
    VALUE_CHECK_EVERY,
    Checkpoint,
    Guard,
    Rows,
    Runs,
    check_optimizer,
    check_steps,
    running,
    sq_norm,
    start,
)
from symopt.numeric.results import Trajectory

__all__ = ["minimize_minibatch"]

# Most example indices drawn at once for independent runs without replacement.
_MAX_INDICES = 5 * 10**7
# Indices drawn at once for batches with replacement.
_DRAW_BLOCK = 2**18


def minimize_minibatch(
    risk: Any,
    optimizer: Any,
    x0: Any,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    record: str | int = "all",
    progress: bool | None = None,
    *,
    test: Any = None,
    replacement: bool = False,
    drop_last: bool = False,
    independent: bool = False,
    max_steps: int | None = None,
    track: Any = None,
) -> Trajectory:
    """Mini-batch SGD with any optimizer on an :class:`~symopt.stochastic.EmpiricalRisk`.

    Parameters
    ----------
    risk : EmpiricalRisk
        Or any object with ``n_examples``, ``n_params``, ``value_and_gradient(theta)``
        and ``batch_value_and_gradient(theta, idx)`` / ``batch_gradient(theta, idx)``.
    optimizer : Optimizer
        From :mod:`symopt.optim`, with any learning-rate schedule (its ``t`` counts steps,
        i.e. batches, not epochs).
    x0 : array_like, shape (P,) or (..., P)
        Start; leading axes are a batch of independent runs.
    epochs : int, default 1
        Passes over the data.  An epoch is ``ceil(N / K)`` steps; the last batch of an
        epoch is partial when ``K`` does not divide ``N`` (``drop_last=True`` skips it).
    batch_size : int, default min(32, N)
        ``K``, with ``1 <= K <= N``.
    seed : int, optional
        Seeds the one generator that draws every batch, so a seed gives the same run.
    record : "all", "last", "epoch" or int
        Rows of the trajectory: every step, only ``x0`` and the end, the end of every
        epoch, or every k-th step (plus the end).  At each row the *full* training risk
        and its gradient norm are computed (one vectorised pass over the data), and the
        test risk if ``test`` is given.  Except for ``"last"``, the batch loss of every
        step is kept as well (it costs almost nothing).
    progress : bool, optional
        A tqdm progress bar; by default only for long runs on a terminal.
    test : EmpiricalRisk or data, optional
        A held-out risk (or data for the same loss, see ``EmpiricalRisk.with_data``),
        evaluated at the recorded rows.
    replacement : bool
        Draw each batch's ``K`` indices uniformly with replacement (i.i.d. batches)
        instead of walking through a fresh permutation each epoch.
    drop_last : bool
        Skip the partial last batch of each epoch.
    independent : bool
        Each run of a batch of runs draws its own batches (independent noise, e.g. for
        the spread of the iterates over seeds).  By default all runs see the same
        batches, so they differ only by their start and hyper-parameters.  Without
        replacement this holds ``runs × N`` indices per epoch (refused above
        ``5·10⁷``: use ``replacement=True`` then).
    max_steps : int, optional
        Stop after this many steps in all, even within an epoch.
    track : tracker, optional
        Called as ``track(t, x_t)`` at the steps ``t`` divisible by ``track.every``.

    Returns
    -------
    Trajectory
        ``values`` and ``grad_norms`` are the full training risk and its gradient norm
        at the recorded rows; ``extras`` holds ``"minibatch_losses"`` (steps, ...),
        ``"test_values"`` (rows, ...) if ``test`` was given, ``"batch_size"``,
        ``"steps_per_epoch"`` and ``"n_examples"``.  ``status`` is ``"diverged"`` for a
        run whose point, batch loss or training risk became non-finite or exploded
        (frozen at its last good point, as in a deterministic run; a run whose training
        risk or its gradient is non-finite at a recorded row goes back to the last
        recorded row where both were finite), else ``"max_steps"``.  No recorded number
        is NaN or infinite: after a diverged run's ``stop_step`` its entries of
        ``"minibatch_losses"`` are its final training risk (it no longer moves).

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.stochastic import EmpiricalRisk
    >>> from symopt.optim import sgd
    >>> z = np.random.default_rng(0).normal(3.0, 1.0, 1000)
    >>> risk = EmpiricalRisk("(theta - z)^2 / 2", "theta", {"z": z})
    >>> traj = symopt.minimize(risk, sgd(lr=0.1), [0.0], epochs=5, batch_size=100, seed=0)
    >>> traj.x.shape, traj.extras["minibatch_losses"].shape
    ((51, 1), (50,))
    >>> bool(abs(traj.final_x[0] - z.mean()) < 0.1)
    True
    """
    check_optimizer(optimizer)
    n, p = _size(risk)
    epochs = 1 if epochs is None else check_steps("epochs", epochs, 1)
    k = _batch_size(batch_size, n)
    per_epoch = n // k if drop_last else math.ceil(n / k)
    if per_epoch == 0:
        raise DataError(
            f"drop_last=True with batch_size={k} > N = {n} leaves no batch: give a smaller "
            "batch_size or drop_last=False"
        )
    every = _every(record, per_epoch)
    total = epochs * per_epoch
    if max_steps is not None:
        total = min(total, check_steps("max_steps", max_steps, 1))
    if total > MAX_STEPS:
        raise HyperparameterError(
            "epochs", epochs, f"at most 10**12 steps in all ({per_epoch} per epoch)"
        )
    rows = 2 + (total if every is None else total // every)
    x = start(x0, p, rows + (total if every is not None else 0))
    needs = tuple(getattr(optimizer, "needs", ()))
    if "hessian" in needs:
        raise ArgumentTypeError(
            "this optimizer needs the Hessian, which a mini-batch run does not provide: "
            "use a first-order optimizer (sgd, momentum, adam, ...)"
        )
    test_risk = _test_risk(risk, test)
    if seed is not None and (
        isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0
    ):
        raise HyperparameterError("seed", seed, "None or an int >= 0")
    draws = _Draws(n, k, per_epoch, x.shape[:-1], seed, replacement, independent)
    run = _Loop(risk, optimizer, needs, x, total, every, test_risk, every is not None, track)
    with running(progress, total, total * k * max(1, x.size // p), unit="batch") as tick:
        traj = run.loop(draws.steps(total), tick)
    traj.extras.update(batch_size=k, steps_per_epoch=per_epoch, n_examples=n)
    return traj


# -- input checks -----------------------------------------------------------------------


def _size(risk: Any) -> tuple[int, int]:
    n, p = getattr(risk, "n_examples", None), getattr(risk, "n_params", None)
    if not isinstance(n, int) or not isinstance(p, int):
        raise ArgumentTypeError(
            f"a mini-batch run needs an EmpiricalRisk (symopt.stochastic), not "
            f"{type(risk).__name__}; for a deterministic objective call minimize without epochs"
        )
    return n, p


def _batch_size(value: Any, n: int) -> int:
    if value is None:
        return min(32, n)
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 1 <= value <= n:
        raise DataError(
            f"batch_size={value!r} is invalid: a batch holds between 1 and N = {n} examples; "
            f"give an int in 1 ... {n} (e.g. batch_size={min(32, n)})"
        )
    return int(value)


def _every(record: Any, per_epoch: int) -> int | None:
    if record == "all":
        return 1
    if record == "last":
        return None
    if record == "epoch":
        return per_epoch
    if isinstance(record, int | np.integer) and not isinstance(record, bool) and record > 0:
        return int(record)
    raise HyperparameterError("record", record, '"all", "last", "epoch" or an int k > 0')


def _test_risk(risk: Any, test: Any) -> Any:
    if test is None or callable(getattr(test, "value", None)):
        return test
    if isinstance(test, Mapping | np.ndarray) and callable(getattr(risk, "with_data", None)):
        return risk.with_data(test)
    raise DataError(
        "test must be an EmpiricalRisk or data (a mapping of columns) for the same loss"
    )


# -- batches ----------------------------------------------------------------------------


class _Draws:
    """The example indices of every step, epoch by epoch, from one generator."""

    def __init__(self, n, k, per_epoch, batch_shape, seed, replacement, independent):
        self.n, self.k, self.per_epoch = n, k, per_epoch
        self.shape = batch_shape if independent else ()
        self.replacement = replacement
        self.rng = np.random.default_rng(seed)
        runs = math.prod(self.shape)
        if not replacement and runs > 1 and runs * n > _MAX_INDICES:
            raise DataError(
                f"independent runs without replacement draw runs × N = {runs} × {n} indices "
                f"per epoch, too many: use replacement=True (i.i.d. batches) or fewer runs"
            )

    def steps(self, total: int) -> Iterator[np.ndarray]:
        """The indices of ``total`` steps, epoch by epoch (the last one maybe cut short)."""
        for done in range(0, total, self.per_epoch):
            yield from self.batches(min(self.per_epoch, total - done))

    def batches(self, steps: int) -> Iterator[np.ndarray]:
        """The indices of the first ``steps`` steps of a new epoch, one array
        ``(..., K)`` per step (the batch axes when independent)."""
        k = self.k
        if self.replacement:  # i.i.d. draws, a block of steps at a time
            block = max(1, _DRAW_BLOCK // (k * max(1, math.prod(self.shape))))
            for start in range(0, steps, block):
                b = min(block, steps - start)
                drawn = self.rng.integers(0, self.n, size=(*self.shape, b * k))
                for s in range(b):
                    yield drawn[..., s * k : (s + 1) * k]
            return
        if self.shape:
            order = np.broadcast_to(np.arange(self.n), (*self.shape, self.n))
            order = self.rng.permuted(order, axis=-1)
        else:
            order = self.rng.permutation(self.n)
        for s in range(steps):
            yield order[..., s * k : (s + 1) * k]


# -- the loop ---------------------------------------------------------------------------


class _Loop:
    """One batched mini-batch run over the core of :mod:`symopt.numeric.loop`.

    Pipelined, so that every point is checked before it is accepted, exactly as in a
    deterministic run: the batch loss and gradient of step ``t + 1`` are evaluated at
    the new point right after step ``t``, and the guard sees them (and the full risk, at
    recorded rows) before the point is taken; a diverging run goes back to its last good
    point, where its next batch is evaluated again."""

    def __init__(self, risk, optimizer, needs, x, total, every, test, keep_losses, track):
        self.risk, self.optimizer, self.x0 = risk, optimizer, x
        self.total, self.test = total, test
        self.need_value, self.need_step = "value" in needs, "step" in needs
        self.keep_losses = keep_losses
        self.runs = Runs(x.shape[:-1], total)
        self.rows = Rows(every, track)
        self.test_values: list[np.ndarray] = []

    def _record(self, t: int, x: np.ndarray, full: tuple[Any, np.ndarray]) -> None:
        value, g = full
        self.rows.add(t, x, value, sq_norm(g))
        if self.test is not None:
            self.test_values.append(np.asarray(self.test.value(x), dtype=float))

    def _step_function(self, want_value: bool):
        """``(theta, rows) -> (batch value or None, batch gradient)``."""
        fast = getattr(self.risk, "_fast", None)
        if callable(fast):
            return fast(want_value)
        if want_value:
            return self.risk.batch_value_and_gradient
        return lambda theta, rows: (None, self.risk.batch_gradient(theta, rows))

    def loop(self, batches: Iterator[np.ndarray], tick: Any) -> Trajectory:
        runs, rows, total, update = self.runs, self.rows, self.total, self.optimizer.update
        hold, stop, full_at, every = runs.hold, runs.stop, self.risk.value_and_gradient, rows.every
        need_value, need_step = self.need_value, self.need_step
        with_value = self._step_function(True)
        usual = with_value if self.keep_losses or need_value else self._step_function(False)
        losses = [] if self.keep_losses else None
        x = self.x0
        full = full_at(x)
        checkpoint = Checkpoint(x, full[0], sq_norm(full[1]))
        self._record(0, x, full)
        rows.observe(0, x)
        guard = Guard(x, np.asarray(full[0], dtype=float))
        state = self.optimizer.init(x)
        value, g = usual(x, next(batches))
        for t in range(1, total + 1):  # step t - 1 takes x_{t-1} to x_t
            if losses is not None:
                losses.append(value)
            extra: dict[str, Any] = {}
            if need_value:
                extra["value"] = value
            if need_step:
                extra["step"] = t - 1
            updates, state = update(g, state, x, **extra)
            new = hold(x, x + updates)
            last = t == total
            record = last or (every is not None and t % every == 0)
            if not last:
                batch = next(batches)
                step = usual if t % VALUE_CHECK_EVERY else with_value
                value, g = step(new, batch)
            full = full_at(new) if record else None
            bad = stop(x, new, t - 1, guard, value, None if full is None else full[0])
            if bad is not None:  # evaluated again where the diverged runs went back
                if not last:
                    value, g = step(new, batch)
                if record:
                    full = full_at(new)
            if record:
                lost = checkpoint.lost(new, t, full[0], sq_norm(full[1]))
                if lost is not None:  # outside the domain: back to the last good row
                    new = runs.back(new, lost, checkpoint)
                    full = full_at(new)
                    if not last:
                        value, g = step(new, batch)
                self._record(t, new, full)
            x = new
            rows.observe(t, x)
            if tick is not None:
                tick(t)
        return rows.trajectory(runs, self._extras(losses))

    def _extras(self, losses: list | None) -> dict[str, Any]:
        extras: dict[str, Any] = {}
        if losses is not None:
            extras["minibatch_losses"] = self._mask(
                np.stack([np.asarray(v, dtype=float) for v in losses])
                if losses
                else np.zeros((0, *self.runs.frozen.shape))
            )
        if self.test is not None:
            extras["test_values"] = np.stack(self.test_values)
        return extras

    def _mask(self, losses: np.ndarray) -> np.ndarray:
        """The batch losses with those of every diverged run after its stop step
        replaced by its final training risk."""
        diverged = self.runs.status == "diverged"
        if not diverged.any():
            return losses
        after = np.arange(len(losses)).reshape((-1,) + (1,) * diverged.ndim) > self.runs.stop_step
        final = self.rows.values[-1]
        return np.where(after & diverged, final, losses)
