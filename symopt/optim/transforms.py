"""Generic gradient transformations: scaling, learning rates, weight decay, noise, momentum.

Each function returns an :class:`~symopt.optim.base.Optimizer` whose ``update`` maps the
incoming updates ``u`` (the gradient, for the first transform of a :func:`chain`) to new
updates.  Hyper-parameters may be per-run arrays (see :mod:`symopt.optim.base`), and may
come validated as a :class:`~symopt.optim.base.Hyper` under the name the user gave them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from symopt._typing import HyperParam
from symopt.errors import HyperparameterError
from symopt.optim.base import (
    CLOSED_UNIT,
    FINITE,
    NONNEGATIVE,
    Hyper,
    Optimizer,
    as_params,
    check_batch,
    hyper,
    per_run,
)
from symopt.optim.schedules import constant

__all__ = [
    "AddNoiseState",
    "CountState",
    "EmptyState",
    "TraceState",
    "add_decayed_weights",
    "add_noise",
    "identity",
    "scale",
    "scale_by_lr",
    "trace",
]


class EmptyState(NamedTuple):
    """State of a stateless transform."""


class CountState(NamedTuple):
    """The number of updates done so far (0 before the first)."""

    count: int


class TraceState(NamedTuple):
    """The momentum buffer (zeros before the first update) and the update count."""

    trace: np.ndarray
    count: int


class AddNoiseState(NamedTuple):
    """The update count and the seed from which the noise of step ``count`` is drawn."""

    count: int
    seed: int


def identity() -> Optimizer:
    """Pass the updates through unchanged: the place of an option that is off.

    A named optimizer keeps the shape of its :func:`~symopt.optim.base.chain` whatever its
    options, e.g. ``identity()`` where ``weight_decay == 0`` or ``maximize`` is off.  Alone
    it returns the incoming updates themselves (in a chain, a later transform copies).

    Examples
    --------
    >>> import numpy as np
    >>> identity().update(np.array([1.0, 2.0]), EmptyState())[0]
    array([1., 2.])
    """

    def init(params):
        return EmptyState()

    def update(updates, state, params=None, **extra):
        return updates, state

    return Optimizer(init, update)


def scale(factor: HyperParam) -> Optimizer:
    """Multiply updates by a constant ``factor`` (``scale(-1.0)`` turns descent into ascent).

    Examples
    --------
    >>> import numpy as np
    >>> scale(-1.0).update(np.array([1.0, 2.0]), EmptyState())[0]
    array([-1., -2.])
    """
    factor = hyper("factor", factor, FINITE)
    f = per_run(factor)

    def init(params):
        check_batch(factor, as_params(params))
        return EmptyState()

    def update(updates, state, params=None, **extra):
        return f * updates, state

    return Optimizer(init, update)


def _schedule(value: HyperParam, name: str):
    """A validated schedule and its ``init`` check: the batch shape of a constant; for a
    callable, the batch shapes of the hyper-parameters it carries (a schedule of
    :mod:`~symopt.optim.schedules` knows them, under their own names), then the range and
    batch shape of its value at ``t = 0``, as ``name(0)`` (a callable is checked there)."""
    if callable(value):

        def check(params):
            for h in getattr(value, "hypers", ()):
                check_batch(h, params)
            check_batch(hyper(f"{name}(0)", value(0), NONNEGATIVE), params)

        return value, check
    h = hyper(name, value, NONNEGATIVE)
    return constant(h), lambda params: check_batch(h, params)


def scale_by_lr(lr: HyperParam) -> Optimizer:
    """Multiply updates by ``-lr(t)``: the descent step ``u ← -η_t u``.

    Parameters
    ----------
    lr : float, array or schedule
        The learning rate ``η >= 0``; a schedule ``t -> η_t`` is called with ``t = 0`` for
        the first update.  An array is per run.

    Examples
    --------
    >>> import numpy as np
    >>> from symopt.optim import schedules
    >>> opt = scale_by_lr(schedules.exponential(1.0, 0.5))
    >>> x = np.array([1.0])
    >>> s = opt.init(x)
    >>> [float(opt.update(x, s, x)[0][0]) for s in (s, CountState(1), CountState(2))]
    [-1.0, -0.5, -0.25]
    """
    schedule, check = _schedule(lr, "lr")

    def init(params):
        check(as_params(params))
        return CountState(0)

    last: list = [None, None]  # the last per-run lr and its negation at full shape

    def descent_factor(lr: float | np.ndarray, shape: tuple[int, ...]) -> float | np.ndarray:
        # A (B, 1) factor times (B, n) updates is ~2.5x slower than equal shapes, so a
        # per-run lr is expanded once (and again only when the schedule changes it).
        if not isinstance(lr, np.ndarray):
            return -lr
        if last[0] is not lr or last[1].shape != shape:
            last[:] = lr, np.broadcast_to(-lr[..., None], shape).copy()
        return last[1]

    def update(updates, state, params=None, **extra):
        factor = descent_factor(schedule(state.count), np.shape(updates))
        return np.multiply(factor, updates), CountState(state.count + 1)

    return Optimizer(init, update)


def add_decayed_weights(weight_decay: HyperParam) -> Optimizer:
    """Add ``weight_decay · params`` to the updates (L2 regularisation, ``u ← u + λ x``).

    Placed before an adaptive scaling it is PyTorch's coupled ``weight_decay``; placed
    after it (just before :func:`scale_by_lr`) it is decoupled weight decay (AdamW).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0])
    >>> add_decayed_weights(0.1).update(np.zeros(2), EmptyState(), x)[0]
    array([0.1, 0.2])
    """
    weight_decay = hyper("weight_decay", weight_decay, NONNEGATIVE)
    wd = per_run(weight_decay)

    def init(params):
        check_batch(weight_decay, as_params(params))
        return EmptyState()

    def update(updates, state, params=None, **extra):
        if params is None:
            raise TypeError("add_decayed_weights needs params: call update(grads, state, params)")
        return updates + wd * params, state

    return Optimizer(init, update)


def _seed(seed: int | np.random.Generator | None) -> int | np.random.Generator | None:
    if seed is None or isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise HyperparameterError("seed", seed, "None, an integer >= 0 or a numpy Generator")
    return int(seed)


def add_noise(sigma2: HyperParam, seed: int | np.random.Generator | None = None) -> Optimizer:
    """Add Gaussian noise of variance ``sigma2`` to the updates: ``u ← u + √σ²_t · ξ``.

    ``ξ ~ N(0, I)`` is drawn fresh at every step, independently per coordinate and per run.
    Used first in a :func:`chain` it makes a noisy gradient (stochastic optimisation,
    escaping saddle points; Neelakantan et al. 2015 anneal ``σ²_t = η / (1 + t)^γ``).

    Parameters
    ----------
    sigma2 : float, array or schedule
        The variance ``σ² >= 0`` (per run if an array; a schedule of ``t`` anneals it).
    seed : int, numpy Generator or None
        The noise of step ``t`` comes from ``numpy.random.default_rng([seed, t])``, so
        ``update`` is a pure function of its state and runs are reproducible.  ``None``
        draws a fresh seed at every ``init``; a Generator provides the seed once.

    Examples
    --------
    >>> import numpy as np
    >>> noisy = add_noise(0.25, seed=0)
    >>> g = np.zeros((100_000, 1))
    >>> u, _ = noisy.update(g, noisy.init(g), g)
    >>> round(float(u.var()), 2)
    0.25
    """
    schedule, check = _schedule(sigma2, "sigma2")
    seed = _seed(seed)
    silent = not callable(sigma2) and not np.any(schedule(0))

    def init(params):
        check(as_params(params))
        if isinstance(seed, np.random.Generator):
            return AddNoiseState(0, int(seed.integers(2**63)))
        fresh = np.random.SeedSequence().entropy if seed is None else seed
        return AddNoiseState(0, int(fresh))

    def update(updates, state, params=None, **extra):
        new_state = AddNoiseState(state.count + 1, state.seed)
        if silent:
            return np.array(updates, dtype=np.float64), new_state
        rng = np.random.default_rng([state.seed, state.count])
        xi = rng.standard_normal(np.shape(updates))
        xi *= per_run(np.sqrt(schedule(state.count)))
        xi += updates
        return xi, new_state

    return Optimizer(init, update)


def trace(
    decay: HyperParam, nesterov: bool = False, dampening: HyperParam | None = None
) -> Optimizer:
    """Momentum: accumulate updates in a buffer ``b``, PyTorch's SGD momentum rule.

    First update ``b ← u`` (the buffer starts as the update, undamped); afterwards
    ``b ← μ b + (1 - d) u`` with ``μ = decay`` and ``d = dampening``.  The output is ``b``,
    or ``u + μ b`` when ``nesterov``.  With ``d = 0`` the first rule equals ``b ← μ·0 + u``,
    so ``chain(scale_by_lr(η), trace(μ))`` is the lecture's heavy ball
    ``v ← μ v - η g`` with ``v₀ = 0`` (Polyak 1964).  Where ``μ = 0`` the output is ``u``,
    as PyTorch skips momentum then.

    Parameters
    ----------
    decay : float or array
        The momentum ``μ >= 0``.
    nesterov : bool
        Output ``u + μ b`` (Nesterov 1983, in the form of Sutskever et al. 2013).
    dampening : float, array or None
        ``d`` in ``[0, 1]``; ``None`` is ``d = 0`` (``sgd`` enforces PyTorch's rule that
        ``nesterov`` needs ``μ > 0`` and ``d = 0``; the transform itself does not).

    Examples
    --------
    >>> import numpy as np
    >>> t = trace(0.5)
    >>> s = t.init(np.zeros(1))
    >>> b1, s = t.update(np.array([1.0]), s)
    >>> b2, s = t.update(np.array([1.0]), s)
    >>> b1, b2
    (array([1.]), array([1.5]))
    """
    decay = hyper("decay", decay, NONNEGATIVE)
    if dampening is None:  # none: nothing to check
        dampening = Hyper("dampening", 0.0)
    else:
        dampening = hyper("dampening", dampening, CLOSED_UNIT)
    # where μ = 0 PyTorch skips momentum, so no dampening applies there
    keep = np.where(np.asarray(decay.value) != 0, 1.0 - np.asarray(dampening.value), 1.0)
    keep = float(keep) if keep.ndim == 0 else keep[..., None]
    undamped = isinstance(keep, float) and keep == 1.0
    mu = per_run(decay)

    def init(params):
        params = as_params(params)
        check_batch(decay, params)
        check_batch(dampening, params)
        return TraceState(np.zeros_like(params), 0)

    def update(updates, state, params=None, **extra):
        buf = state.trace
        if state.count == 0:
            np.copyto(buf, updates)
        else:
            buf *= mu
            buf += updates if undamped else keep * updates
        out = updates + mu * buf if nesterov else buf.copy()
        return out, TraceState(buf, state.count + 1)

    return Optimizer(init, update)
