"""Adaptive per-coordinate scalings: the Adagrad, Adadelta, RMSProp and Adam family.

Each transform rescales the incoming updates ``g`` coordinate by coordinate and returns a
direction ``d``; the named optimizers follow it with ``scale_by_lr`` (``x ← x - η d``).
The arithmetic follows ``torch.optim`` (PyTorch 2.13), including where ``eps`` sits.
Every update is a handful of whole-array NumPy operations that update the state's buffers
in place (see the contract in :mod:`symopt.optim`) with one scratch array per call, which
becomes the output; step counts are Python ints, so bias corrections are scalars unless a
``beta`` is a per-run array.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from symopt._typing import HyperParam
from symopt.optim.base import (
    CLOSED_UNIT,
    NONNEGATIVE,
    UNIT,
    Interval,
    Optimizer,
    as_params,
    check_batch,
    hyper,
    per_run,
)

__all__ = [
    "ScaleByAdadeltaState",
    "ScaleByAdamState",
    "ScaleByAdamaxState",
    "ScaleByNadamState",
    "ScaleByRmsState",
    "ScaleByRssState",
    "scale_by_adadelta",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_nadam",
    "scale_by_radam",
    "scale_by_rms",
    "scale_by_rss",
]


def _hypers(**named: tuple[HyperParam, Interval]) -> tuple[list[Any], Any]:
    """Validate ``name=(value, interval)`` pairs (a :class:`~symopt.optim.base.Hyper` as is).

    Returns their per-run values in order, and the ``init`` check of their batch shapes
    (which returns the parameters as an array).
    """
    hypers = [hyper(name, value, valid) for name, (value, valid) in named.items()]

    def check(params):
        params = as_params(params)
        for h in hypers:
            check_batch(h, params)
        return params

    return [per_run(h) for h in hypers], check


def _ema(decay: Any, buf: np.ndarray, new: np.ndarray, work: np.ndarray) -> np.ndarray:
    """``buf ← decay · buf + (1 - decay) · new`` in place (``work``: scratch space)."""
    buf *= decay
    buf += np.multiply(new, 1.0 - decay, out=work)
    return buf


def _ema_sq(decay: Any, buf: np.ndarray, g: np.ndarray, work: np.ndarray) -> np.ndarray:
    """``buf ← decay · buf + (1 - decay) · g²`` in place (``work``: scratch space)."""
    buf *= decay
    np.multiply(g, 1.0 - decay, out=work)
    work *= g
    buf += work
    return buf


def _zeros(params: np.ndarray, k: int) -> list[np.ndarray]:
    """``k`` separate zero buffers (updated in place, so never shared)."""
    return [np.zeros_like(params) for _ in range(k)]


class ScaleByRssState(NamedTuple):
    """Adagrad's running sum of squared gradients."""

    sum_of_squares: np.ndarray


def scale_by_rss(initial_accumulator_value: HyperParam = 0.0, eps: HyperParam = 1e-10) -> Optimizer:
    """Adagrad's scaling: ``s ← s + g²``, ``d = g / (√s + ε)`` (eps outside the root).

    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 12.

    Parameters
    ----------
    initial_accumulator_value : float or array
        ``s₀ >= 0``.
    eps : float or array
        ``ε >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_rss(eps=0.0)
    >>> t.update(np.array([3.0, -0.5]), t.init(np.zeros(2)))[0]
    array([ 1., -1.])
    """
    (s0, eps), check = _hypers(
        initial_accumulator_value=(initial_accumulator_value, NONNEGATIVE),
        eps=(eps, NONNEGATIVE),
    )

    def init(params):
        params = check(params)
        return ScaleByRssState(np.broadcast_to(s0, params.shape).copy())

    def update(g, state, params=None, **extra):
        s, work = state.sum_of_squares, np.multiply(g, g, dtype=np.float64)
        s += work
        np.sqrt(s, out=work)
        work += eps
        return np.divide(g, work, out=work), state

    return Optimizer(init, update)


class ScaleByRmsState(NamedTuple):
    """RMSProp's averages of ``g²`` and (centered only, else ``None``) of ``g``."""

    nu: np.ndarray
    mu: np.ndarray | None


def scale_by_rms(
    decay: HyperParam = 0.99, eps: HyperParam = 1e-8, centered: bool = False
) -> Optimizer:
    """RMSProp's scaling: ``v ← α v + (1-α) g²``, ``d = g / (√v + ε)`` (eps outside).

    ``centered`` also averages ``m ← α m + (1-α) g`` and uses ``√(v - m²) + ε`` (the
    variance instead of the second moment; clipped at 0 against round-off).
    Tieleman & Hinton (2012), "Lecture 6.5 - RMSProp", COURSERA: Neural Networks for
    Machine Learning; Graves (2013) for the centered form.

    Parameters
    ----------
    decay : float or array
        ``α`` in ``[0, 1]`` (PyTorch's ``alpha``).
    eps : float or array
        ``ε >= 0``.
    centered : bool
        Normalise by the estimated standard deviation instead of the RMS.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_rms(decay=0.75, eps=0.0)
    >>> t.update(np.array([2.0]), t.init(np.zeros(1)))[0]  # 2 / sqrt(0.25 * 4)
    array([2.])
    """
    (alpha, eps), check = _hypers(decay=(decay, CLOSED_UNIT), eps=(eps, NONNEGATIVE))

    def init(params):
        params = check(params)
        return ScaleByRmsState(*_zeros(params, 1), *(_zeros(params, 1) if centered else [None]))

    def update(g, state, params=None, **extra):
        work = np.empty(np.shape(g))
        nu = _ema_sq(alpha, state.nu, g, work)
        if centered:
            mu = state.mu  # PyTorch's lerp: mu ← mu + (1-α)(g - mu)
            np.subtract(g, mu, out=work)
            work *= 1.0 - alpha
            mu += work
            np.multiply(mu, mu, out=work)
            np.subtract(nu, work, out=work)
            np.maximum(work, 0.0, out=work)
            np.sqrt(work, out=work)
        else:
            np.sqrt(nu, out=work)
        work += eps
        return np.divide(g, work, out=work), state

    return Optimizer(init, update)


class ScaleByAdadeltaState(NamedTuple):
    """Adadelta's averages of squared gradients and of squared steps."""

    square_avg: np.ndarray
    acc_delta: np.ndarray


def scale_by_adadelta(rho: HyperParam = 0.9, eps: HyperParam = 1e-6) -> Optimizer:
    """Adadelta's scaling (eps inside both roots, as in PyTorch and the paper).

    ``v ← ρ v + (1-ρ) g²``, ``d = √(a + ε) / √(v + ε) · g``, ``a ← ρ a + (1-ρ) d²``.
    Zeiler (2012), "ADADELTA: an adaptive learning rate method", arXiv:1212.5701.

    Parameters
    ----------
    rho : float or array
        ``ρ`` in ``[0, 1]``.
    eps : float or array
        ``ε >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_adadelta(rho=0.0, eps=1.0)
    >>> t.update(np.array([0.0, 3.0]), t.init(np.zeros(2)))[0]  # 1/sqrt(1 + g²) · g
    array([0.   , 0.949])
    """
    (rho, eps), check = _hypers(rho=(rho, CLOSED_UNIT), eps=(eps, NONNEGATIVE))

    def init(params):
        params = check(params)
        return ScaleByAdadeltaState(*_zeros(params, 2))

    def update(g, state, params=None, **extra):
        work = np.empty(np.shape(g))
        v = _ema_sq(rho, state.square_avg, g, work)
        std = np.add(v, eps, out=work)
        np.sqrt(std, out=std)
        d = state.acc_delta + eps
        np.sqrt(d, out=d)
        d /= std
        d *= g
        _ema_sq(rho, state.acc_delta, d, work)
        return d, state

    return Optimizer(init, update)


class ScaleByAdamState(NamedTuple):
    """Adam's step count, first and second moments, and (amsgrad) the running max of ``v``."""

    count: int
    mu: np.ndarray
    nu: np.ndarray
    nu_max: np.ndarray | None


def scale_by_adam(
    b1: HyperParam = 0.9,
    b2: HyperParam = 0.999,
    eps: HyperParam = 1e-8,
    *,
    bias_correction: bool = True,
    amsgrad: bool = False,
) -> Optimizer:
    """Adam's scaling: ``d = m̂ / (√v̂ + ε)`` from moving averages of ``g`` and ``g²``.

    ``m ← β₁ m + (1-β₁) g``, ``v ← β₂ v + (1-β₂) g²`` and, at step ``t = 1, 2, ...``,
    ``d = (m / (1-β₁ᵗ)) / (√v / √(1-β₂ᵗ) + ε)`` (eps outside the root, after the
    correction, as in PyTorch).  ``bias_correction=False`` gives ``d = m / (√v + ε)``.
    ``amsgrad`` keeps ``v_max ← max(v_max, v)`` of the raw (uncorrected) ``v`` and uses it
    in place of ``v`` (PyTorch's variant; Reddi et al. 2018 take the max of ``v̂``).
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR.

    Parameters
    ----------
    b1, b2 : float or array
        ``β₁, β₂`` in ``[0, 1)``.
    eps : float or array
        ``ε >= 0``.
    bias_correction : bool
        Divide the moments by ``1 - βᵗ``.
    amsgrad : bool
        Use the running maximum of ``v``.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_adam()
    >>> d, state = t.update(np.array([0.1, -4.0]), t.init(np.zeros(2)))
    >>> d.round(6)  # the first step is sign(g), up to eps
    array([ 1., -1.])
    """
    (b1, b2, eps), check = _hypers(b1=(b1, UNIT), b2=(b2, UNIT), eps=(eps, NONNEGATIVE))

    def init(params):
        params = check(params)
        return ScaleByAdamState(0, *_zeros(params, 2), *(_zeros(params, 1) if amsgrad else [None]))

    def update(g, state, params=None, **extra):
        t, work = state.count + 1, np.empty(np.shape(g))
        m = _ema(b1, state.mu, g, work)
        v = _ema_sq(b2, state.nu, g, work)
        if amsgrad:
            v = np.maximum(state.nu_max, v, out=state.nu_max)
        denom = np.sqrt(v, out=work)
        if bias_correction:
            # m̂ / (√v / c₂ + ε) = (c₂ / (1-β₁ᵗ)) · m / (√v + ε c₂), with c₂ = √(1-β₂ᵗ)
            c2 = np.sqrt(1.0 - b2**t)
            denom += eps * c2
            d = np.divide(m, denom, out=work)
            d *= c2 / (1.0 - b1**t)
        else:
            denom += eps
            d = np.divide(m, denom, out=work)
        return d, state._replace(count=t)

    return Optimizer(init, update)


class ScaleByAdamaxState(NamedTuple):
    """AdaMax's step count, first moment and exponentially weighted infinity norm."""

    count: int
    mu: np.ndarray
    u: np.ndarray


def scale_by_adamax(
    b1: HyperParam = 0.9, b2: HyperParam = 0.999, eps: HyperParam = 1e-8
) -> Optimizer:
    """AdaMax's scaling: Adam with the infinity norm, ``d = m / ((1-β₁ᵗ) u)``.

    ``m ← β₁ m + (1-β₁) g``, ``u ← max(β₂ u, |g| + ε)`` (PyTorch adds eps inside the max).
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR, section 7.1.

    Parameters
    ----------
    b1, b2 : float or array
        ``β₁, β₂`` in ``[0, 1)``.
    eps : float or array
        ``ε >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_adamax(eps=0.0)
    >>> t.update(np.array([0.5, -2.0]), t.init(np.zeros(2)))[0]
    array([ 1., -1.])
    """
    (b1, b2, eps), check = _hypers(b1=(b1, UNIT), b2=(b2, UNIT), eps=(eps, NONNEGATIVE))

    def init(params):
        params = check(params)
        return ScaleByAdamaxState(0, *_zeros(params, 2))

    def update(g, state, params=None, **extra):
        t, work = state.count + 1, np.empty(np.shape(g))
        m = _ema(b1, state.mu, g, work)
        u = state.u
        u *= b2
        np.abs(g, out=work)
        work += eps
        np.maximum(u, work, out=u)
        d = np.divide(m, u, out=work)
        d *= 1.0 / (1.0 - b1**t)
        return d, state._replace(count=t)

    return Optimizer(init, update)


class ScaleByNadamState(NamedTuple):
    """NAdam's step count, moments and product of momentum coefficients ``Π μ_i``."""

    count: int
    mu: np.ndarray
    nu: np.ndarray
    mu_product: Any


def scale_by_nadam(
    b1: HyperParam = 0.9,
    b2: HyperParam = 0.999,
    eps: HyperParam = 1e-8,
    momentum_decay: HyperParam = 4e-3,
) -> Optimizer:
    """NAdam's scaling: Adam with Nesterov momentum and a momentum schedule (PyTorch's form).

    At step ``t``: ``μ_t = β₁ (1 - ½·0.96^(t ψ))`` with ``ψ = momentum_decay``,
    ``Π_t = Π_{t-1} μ_t``, the moments ``m, v`` as in Adam, and
    ``d = [(1-μ_t)/(1-Π_t) · g + μ_{t+1}/(1-Π_t μ_{t+1}) · m] / (√(v / (1-β₂ᵗ)) + ε)``.
    Dozat (2016), "Incorporating Nesterov momentum into Adam", ICLR workshop.

    Parameters
    ----------
    b1, b2 : float or array
        ``β₁, β₂`` in ``[0, 1)``.
    eps : float or array
        ``ε >= 0``.
    momentum_decay : float or array
        ``ψ >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_nadam()
    >>> t.update(np.array([0.1, -4.0]), t.init(np.zeros(2)))[0].round(6)
    array([ 1., -1.])
    """
    (b1, b2, eps, psi), check = _hypers(
        b1=(b1, UNIT),
        b2=(b2, UNIT),
        eps=(eps, NONNEGATIVE),
        momentum_decay=(momentum_decay, NONNEGATIVE),
    )

    def init(params):
        params = check(params)
        return ScaleByNadamState(0, *_zeros(params, 2), 1.0)

    def update(g, state, params=None, **extra):
        t, work = state.count + 1, np.empty(np.shape(g))
        mu_t = b1 * (1.0 - 0.5 * 0.96 ** (t * psi))
        mu_next = b1 * (1.0 - 0.5 * 0.96 ** ((t + 1) * psi))
        product = state.mu_product * mu_t
        m = _ema(b1, state.mu, g, work)
        v = _ema_sq(b2, state.nu, g, work)
        d = np.multiply(m, mu_next / (1.0 - product * mu_next))
        d += np.multiply(g, (1.0 - mu_t) / (1.0 - product), out=work)
        denom = np.divide(v, 1.0 - b2**t, out=work)
        np.sqrt(denom, out=denom)
        denom += eps
        d /= denom
        return d, ScaleByNadamState(t, m, v, product)

    return Optimizer(init, update)


def scale_by_radam(
    b1: HyperParam = 0.9, b2: HyperParam = 0.999, eps: HyperParam = 1e-8
) -> Optimizer:
    """RAdam's scaling: Adam with the variance of its adaptive rate rectified.

    With ``ρ∞ = 2/(1-β₂) - 1`` and ``ρ_t = ρ∞ - 2t β₂ᵗ/(1-β₂ᵗ)``: if ``ρ_t > 5``,
    ``d = m̂ · r_t · √(1-β₂ᵗ) / (√v + ε)`` with
    ``r_t = √((ρ_t-4)(ρ_t-2)ρ∞ / ((ρ∞-4)(ρ∞-2)ρ_t))``; otherwise ``d = m̂`` (momentum SGD).
    ``m̂ = m / (1-β₁ᵗ)``; eps is added to ``√v`` before the correction (PyTorch).
    Liu et al. (2020), "On the variance of the adaptive learning rate and beyond", ICLR.

    Parameters
    ----------
    b1, b2 : float or array
        ``β₁, β₂`` in ``[0, 1)``.
    eps : float or array
        ``ε >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_radam()
    >>> t.update(np.array([0.1, -4.0]), t.init(np.zeros(2)))[0]  # ρ_1 = 1: d = m̂ = g
    array([ 0.1, -4. ])
    """
    (b1, b2, eps), check = _hypers(b1=(b1, UNIT), b2=(b2, UNIT), eps=(eps, NONNEGATIVE))
    rho_inf = 2.0 / (1.0 - b2) - 1.0

    def init(params):
        params = check(params)
        return ScaleByAdamState(0, *_zeros(params, 2), None)

    def update(g, state, params=None, **extra):
        t, work = state.count + 1, np.empty(np.shape(g))
        m = _ema(b1, state.mu, g, work)
        v = _ema_sq(b2, state.nu, g, work)
        c1, c2 = 1.0 - b1**t, 1.0 - b2**t
        rho_t = rho_inf - 2.0 * t * b2**t / c2
        rectified = rho_t > 5.0
        state = state._replace(count=t)
        if not np.any(rectified):
            return np.divide(m, c1, out=work), state
        # off the rectified runs ρ may be ≤ 4: evaluate r there on a harmless stand-in
        rho, inf = np.where(rectified, rho_t, 6.0), np.where(rectified, rho_inf, 6.0)
        r = np.sqrt((rho - 4.0) * (rho - 2.0) * inf / ((inf - 4.0) * (inf - 2.0) * rho))
        denom = np.sqrt(v, out=work)
        denom += eps
        scale = np.where(rectified, r * np.sqrt(c2) / denom, 1.0)
        scale *= 1.0 / c1
        return np.multiply(m, scale, out=work), state

    return Optimizer(init, update)
