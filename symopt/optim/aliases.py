"""Named optimizers: the lecture's own, and PyTorch's with PyTorch's names and defaults.

Each shows its :func:`~symopt.optim.base.chain` of transforms, as optax's aliases do; an
option that is off (``maximize``, a zero ``weight_decay`` or ``momentum``) holds an
:func:`~symopt.optim.transforms.identity` there, so a chain has the same shape whatever
the options.  Descent convention: the returned updates already carry the minus sign,
``x ← x + updates``.  The lecture's slides
write RMSProp and Adam as ``x_{t+1} = x_t + m_t / (√v_t + ε)``; read that ``+`` as a step
along the descent direction, i.e. ``x_{t+1} = x_t - η m_t / (√v_t + ε)``.

The PyTorch-named optimizers (``sgd`` ... ``radam``) reproduce ``torch.optim`` 2.13 to
round-off (the test suite checks 1e-12 along PyTorch's own path).  Their validation is
PyTorch's, made elementwise, and a little stricter where PyTorch's range makes no sense
(``dampening`` and RMSProp's ``alpha`` must lie in ``[0, 1]``).  Each argument is checked
once, under its own name: what an optimizer checks itself (``mu``, ``betas``, ...) reaches
its transform as a validated :class:`~symopt.optim.base.Hyper`.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from symopt._typing import ArrayLike, HyperParam
from symopt.errors import HyperparameterError
from symopt.optim.adaptive import (
    scale_by_adadelta,
    scale_by_adam,
    scale_by_adamax,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
    scale_by_rss,
)
from symopt.optim.base import CLOSED_UNIT, UNIT, Hyper, Optimizer, chain, hyper, named, nonzero
from symopt.optim.curvature import scale_by_newton, scale_by_preconditioner
from symopt.optim.schedules import as_schedule, inverse_time, product
from symopt.optim.transforms import add_decayed_weights, identity, scale, scale_by_lr, trace

__all__ = [
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "amsgrad",
    "gd",
    "momentum",
    "nadam",
    "nesterov",
    "newton",
    "preconditioned",
    "radam",
    "rmsprop",
    "sgd",
]

Betas = tuple[HyperParam, HyperParam]


def _betas(betas: Betas) -> tuple[Hyper, Hyper]:
    """``betas`` checked once, as ``betas[0]`` and ``betas[1]`` (each in ``[0, 1)``)."""
    try:
        b1, b2 = betas
    except (TypeError, ValueError):
        raise HyperparameterError("betas", betas, "a pair (beta1, beta2)") from None
    return hyper("betas[0]", b1, UNIT), hyper("betas[1]", b2, UNIT)


# --- the lecture's own -------------------------------------------------------------------


@named
def gd(lr: HyperParam) -> Optimizer:
    """Gradient descent: ``x ← x - η ∇f(x)``.

    Parameters
    ----------
    lr : float, array or schedule
        The learning rate ``η >= 0`` (per run if an array; ``t -> η_t`` if a schedule).

    Examples
    --------
    >>> import numpy as np
    >>> opt = gd(lr=0.25)
    >>> x = np.array([1.0, -2.0])
    >>> state = opt.init(x)
    >>> updates, state = opt.update(2 * x, state, x)  # f = |x|²
    >>> x + updates
    array([ 0.5, -1. ])
    """
    return chain(scale_by_lr(lr))


@named
def momentum(lr: HyperParam, mu: HyperParam) -> Optimizer:
    """Gradient descent with (heavy-ball) momentum, the lecture's form.

    ``v ← μ v - η ∇f(x)``, ``x ← x + v``, with ``v₀ = 0``.  For a constant ``η`` this is
    ``sgd(lr=η, momentum=μ)`` with its buffer scaled by ``-η``; the two differ only by
    round-off (and when ``η`` follows a schedule).  Polyak (1964), "Some methods of
    speeding up the convergence of iteration methods", USSR Comput. Math. Math. Phys. 4(5).

    Parameters
    ----------
    lr : float, array or schedule
        The learning rate ``η >= 0``.
    mu : float or array
        The momentum (one minus the friction) ``μ`` in ``[0, 1)``; the lecture uses
        0.5, 0.9, 0.95, 0.99.

    Examples
    --------
    >>> import numpy as np
    >>> opt = momentum(lr=0.1, mu=0.5)
    >>> x = np.array([1.0])
    >>> state = opt.init(x)
    >>> for _ in range(2):  # f = x²: v1 = -0.2, x1 = 0.8; v2 = -0.1 - 0.16, x2 = 0.54
    ...     v, state = opt.update(2 * x, state, x)
    ...     x = x + v
    >>> x
    array([0.54])
    """
    return chain(scale_by_lr(lr), trace(hyper("mu", mu, UNIT)))


@named
def nesterov(lr: HyperParam, mu: HyperParam) -> Optimizer:
    """Nesterov's accelerated gradient, in the form of Sutskever et al. (2013).

    The lecture-style update ``v ← μ v - η ∇f(x + μ v)``, ``x ← x + v`` evaluates the
    gradient at the look-ahead point.  Tracking that point ``y = x + μ v`` instead, every
    gradient is taken at the current iterate:
    ``v ← μ v - η ∇f(y)``, ``y ← y + μ v - η ∇f(y)`` (with ``v₀ = 0``), which is what this
    optimizer does (and ``sgd(nesterov=True)`` up to scaling the buffer by ``-η``).
    Nesterov (1983), "A method for solving the convex programming problem with convergence
    rate O(1/k²)"; Sutskever, Martens, Dahl & Hinton (2013), "On the importance of
    initialization and momentum in deep learning", ICML.

    Parameters
    ----------
    lr : float, array or schedule
        The learning rate ``η >= 0``.
    mu : float or array
        The momentum ``μ`` in ``[0, 1)``.

    Examples
    --------
    >>> import numpy as np
    >>> opt = nesterov(lr=0.1, mu=0.5)
    >>> x = np.array([1.0])
    >>> state = opt.init(x)
    >>> u, state = opt.update(2 * x, state, x)  # v = -0.2; step = 0.5·v - 0.2
    >>> x + u
    array([0.7])
    """
    return chain(scale_by_lr(lr), trace(hyper("mu", mu, UNIT), nesterov=True))


@named
def preconditioned(
    M: ArrayLike | Callable[[np.ndarray], ArrayLike], lr: HyperParam = 1.0
) -> Optimizer:
    """Preconditioned gradient descent: ``x ← x - η M ∇f(x)``.

    A good ``M`` approximates the inverse Hessian: it rescales each direction by its
    curvature and, with physical units, gives every coordinate a step in its own units.

    Parameters
    ----------
    M : array or callable
        The preconditioner, a per-coordinate exception to per-run broadcasting: a diagonal
        ``(n,)``, a matrix ``(n, n)``, a batch ``(..., n, n)``, or a callable ``x -> M(x)``
        returning a diagonal (``x.shape``) or matrices (``x.shape + (n,)``).
    lr : float, array or schedule
        The learning rate ``η >= 0``.

    Examples
    --------
    >>> import numpy as np
    >>> H = np.array([[2.0, 0.0], [0.0, 8.0]])  # f = ½ xᵀHx: M = H⁻¹ lands on 0 at once
    >>> opt = preconditioned(np.linalg.inv(H))
    >>> x = np.array([1.0, 1.0])
    >>> x + opt.update(H @ x, opt.init(x), x)[0]
    array([0., 0.])
    """
    return chain(scale_by_preconditioner(M), scale_by_lr(lr))


@named
def newton(lr: HyperParam = 1.0, damping: HyperParam = 0.0) -> Optimizer:
    """Newton's method with Levenberg-Marquardt damping: ``x ← x - η (H + λI)⁻¹ ∇f(x)``.

    ``needs == ("hessian",)``: the runner passes ``hessian=H`` (shape ``(..., n, n)``) to
    ``update``.  A singular ``H + λI`` raises :class:`~symopt.errors.HyperparameterError`
    naming ``damping`` and a value to try.  Levenberg (1944), Marquardt (1963).

    Parameters
    ----------
    lr : float, array or schedule
        The step size ``η >= 0`` (1 is the pure Newton step).
    damping : float or array
        ``λ >= 0`` added to the Hessian's diagonal; large ``λ`` turns the step into
        gradient descent with learning rate ``η / λ``.

    Examples
    --------
    >>> import numpy as np
    >>> opt = newton()
    >>> H, b = np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([1.0, -1.0])
    >>> x = np.zeros(2)  # f = ½ xᵀHx + bᵀx, minimum at -H⁻¹b = (-0.6, 0.8)
    >>> x + opt.update(H @ x + b, opt.init(x), x, hessian=H)[0]
    array([-0.6,  0.8])
    """
    return chain(scale_by_newton(damping), scale_by_lr(lr))


# --- PyTorch's, with PyTorch's names, defaults and arithmetic -------------------------------


@named
def sgd(
    lr: HyperParam = 1e-3,
    momentum: HyperParam = 0.0,
    dampening: HyperParam = 0.0,
    weight_decay: HyperParam = 0.0,
    nesterov: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    """Stochastic gradient descent with optional momentum, as ``torch.optim.SGD``.

    ``g ← ∇f + λ x``; with momentum ``b ← g`` at the first step, then
    ``b ← μ b + (1 - d) g``; the direction is ``g + μ b`` (``nesterov``) or ``b``;
    ``x ← x - η · direction``.  Polyak (1964); Sutskever et al. (2013) for ``nesterov``.

    Parameters
    ----------
    lr : float, array or schedule
        ``η >= 0``.
    momentum : float or array
        ``μ >= 0`` (0 turns momentum off).
    dampening : float or array
        ``d`` in ``[0, 1]``.
    weight_decay : float or array
        ``λ >= 0`` (L2 penalty added to the gradient).
    nesterov : bool
        Nesterov momentum; PyTorch's rule: needs ``momentum > 0`` and ``dampening == 0``.
    maximize : bool
        Ascend instead (the gradient's sign flips first).

    Examples
    --------
    >>> import numpy as np
    >>> opt = sgd(lr=0.1, momentum=0.9)
    >>> x = np.array([1.0])
    >>> state = opt.init(x)
    >>> for _ in range(2):  # f = x²: buffer 2, then 0.9·2 + 1.6
    ...     u, state = opt.update(2 * x, state, x)
    ...     x = x + u
    >>> x
    array([0.46])
    """
    mu, d = hyper("momentum", momentum), hyper("dampening", dampening, CLOSED_UNIT)
    if nesterov and nonzero(d):
        raise HyperparameterError("dampening", dampening, "0 when nesterov=True (PyTorch's rule)")
    if nesterov and not np.all(np.asarray(mu.value) > 0):
        raise HyperparameterError("momentum", momentum, "> 0 when nesterov=True (PyTorch's rule)")
    wd = hyper("weight_decay", weight_decay)
    return chain(
        scale(-1.0) if maximize else identity(),
        add_decayed_weights(wd) if nonzero(wd) else identity(),
        trace(mu, nesterov=nesterov, dampening=d) if nonzero(mu) else identity(),
        scale_by_lr(lr),
    )


@named
def adagrad(
    lr: HyperParam = 1e-2,
    lr_decay: HyperParam = 0.0,
    weight_decay: HyperParam = 0.0,
    initial_accumulator_value: HyperParam = 0.0,
    eps: HyperParam = 1e-10,
    *,
    maximize: bool = False,
) -> Optimizer:
    """Adagrad, as ``torch.optim.Adagrad``: per-coordinate steps shrink with past gradients.

    ``g ← ∇f + λ x``, ``s ← s + g²`` (``s₀ = initial_accumulator_value``),
    ``x ← x - η_t g / (√s + ε)`` (eps outside the root) with
    ``η_t = η / (1 + t · lr_decay)`` at update ``t = 0, 1, ...``.
    Duchi, Hazan & Singer (2011), "Adaptive subgradient methods for online learning and
    stochastic optimization", JMLR 12.

    Parameters
    ----------
    lr : float, array or schedule
        ``η >= 0``.
    lr_decay : float or array
        ``>= 0``.
    weight_decay : float or array
        ``λ >= 0``.
    initial_accumulator_value : float or array
        ``s₀ >= 0``.
    eps : float or array
        ``ε >= 0``.
    maximize : bool
        Ascend instead.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adagrad(lr=0.5)
    >>> x = np.array([1.0, -3.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]  # first step: η · sign(g)
    array([ 0.5, -2.5])
    """
    decay = hyper("lr_decay", lr_decay)
    lr = product(as_schedule(lr, "lr"), inverse_time(1.0, decay)) if nonzero(decay) else lr
    wd = hyper("weight_decay", weight_decay)
    return chain(
        scale(-1.0) if maximize else identity(),
        add_decayed_weights(wd) if nonzero(wd) else identity(),
        scale_by_rss(initial_accumulator_value, eps),
        scale_by_lr(lr),
    )


@named
def adadelta(
    lr: HyperParam = 1.0,
    rho: HyperParam = 0.9,
    eps: HyperParam = 1e-6,
    weight_decay: HyperParam = 0.0,
    *,
    maximize: bool = False,
) -> Optimizer:
    """Adadelta, as ``torch.optim.Adadelta``: steps in the units of ``x``.

    ``g ← ∇f + λ x``, ``v ← ρ v + (1-ρ) g²``, ``Δ = √(a + ε) / √(v + ε) · g`` (eps
    inside both roots), ``a ← ρ a + (1-ρ) Δ²``, ``x ← x - η Δ``.
    Zeiler (2012), "ADADELTA: an adaptive learning rate method", arXiv:1212.5701.

    Parameters
    ----------
    lr : float, array or schedule
        ``η >= 0`` (the paper has none: ``η = 1``).
    rho : float or array
        ``ρ`` in ``[0, 1]``.
    eps : float or array
        ``ε >= 0``.
    weight_decay : float or array
        ``λ >= 0``.
    maximize : bool
        Ascend instead.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adadelta(rho=0.0, eps=1.0)
    >>> x = np.array([1.5])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]  # Δ = 1/√(1 + 9) · 3
    array([0.551])
    """
    wd = hyper("weight_decay", weight_decay)
    return chain(
        scale(-1.0) if maximize else identity(),
        add_decayed_weights(wd) if nonzero(wd) else identity(),
        scale_by_adadelta(rho, eps),
        scale_by_lr(lr),
    )


@named
def rmsprop(
    lr: HyperParam = 1e-2,
    alpha: HyperParam = 0.99,
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 0.0,
    momentum: HyperParam = 0.0,
    centered: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    """RMSProp, as ``torch.optim.RMSprop`` (the lecture's "component-wise preconditioning").

    ``g ← ∇f + λ x``, ``v ← α v + (1-α) g²``, ``d = g / (√v + ε)`` (eps outside the root;
    ``centered``: ``√(v - m²)`` with ``m ← α m + (1-α) g``); with momentum
    ``b ← μ b + d`` and ``x ← x - η b``, else ``x ← x - η d``.
    Tieleman & Hinton (2012), "Lecture 6.5 - RMSProp", COURSERA: Neural Networks for
    Machine Learning.

    Parameters
    ----------
    lr : float, array or schedule
        ``η >= 0``.
    alpha : float or array
        The decay ``α`` in ``[0, 1]`` (the lecture's ``β``).
    eps : float or array
        ``ε >= 0``.
    weight_decay : float or array
        ``λ >= 0``.
    momentum : float or array
        ``μ >= 0``.
    centered : bool
        Normalise by the estimated variance instead of the second moment.
    maximize : bool
        Ascend instead.

    Examples
    --------
    >>> import numpy as np
    >>> opt = rmsprop(lr=0.01, alpha=0.75)
    >>> x = np.array([1.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]  # 2 / √(0.25 · 4) = 2
    array([0.98])
    """
    mu = hyper("momentum", momentum)
    wd = hyper("weight_decay", weight_decay)
    return chain(
        scale(-1.0) if maximize else identity(),
        add_decayed_weights(wd) if nonzero(wd) else identity(),
        scale_by_rms(hyper("alpha", alpha, CLOSED_UNIT), eps, centered),
        trace(mu) if nonzero(mu) else identity(),
        scale_by_lr(lr),
    )


@named
def adam(
    lr: HyperParam = 1e-3,
    betas: Betas = (0.9, 0.999),
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 0.0,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
    bias_correction: bool = True,
) -> Optimizer:
    """Adam, as ``torch.optim.Adam``: RMSProp with momentum and bias correction.

    ``g ← ∇f + λ x``, ``m ← β₁ m + (1-β₁) g``, ``v ← β₂ v + (1-β₂) g²`` and at step
    ``t = 1, 2, ...``: ``x ← x - η (m / (1-β₁ᵗ)) / (√v / √(1-β₂ᵗ) + ε)`` (eps outside the
    root, after the correction).  ``bias_correction=False`` is the lecture's simplified
    version ``x ← x - η m / (√v + ε)`` (not in PyTorch).  ``amsgrad``: see :func:`amsgrad`.
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR.

    Parameters
    ----------
    lr : float, array or schedule
        ``η >= 0``.
    betas : pair of float or array
        ``(β₁, β₂)``, each in ``[0, 1)``.
    eps : float or array
        ``ε >= 0``.
    weight_decay : float or array
        ``λ >= 0``.
    amsgrad : bool
        Normalise by the running maximum of ``v``.
    maximize : bool
        Ascend instead.
    decoupled_weight_decay : bool
        Decay the weights directly, ``x ← x - η λ x`` (this is :func:`adamw`).
    bias_correction : bool
        Divide by ``1 - βᵗ`` (PyTorch always does).

    Examples
    --------
    >>> import numpy as np
    >>> opt = adam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]  # first step: η · sign(g)
    array([ 0.9, -1.9])
    """
    b1, b2 = _betas(betas)
    wd = hyper("weight_decay", weight_decay)
    decay = add_decayed_weights(wd) if nonzero(wd) else identity()
    return chain(
        scale(-1.0) if maximize else identity(),
        identity() if decoupled_weight_decay else decay,
        scale_by_adam(b1, b2, eps, bias_correction=bias_correction, amsgrad=amsgrad),
        decay if decoupled_weight_decay else identity(),
        scale_by_lr(lr),
    )


@named
def amsgrad(
    lr: HyperParam = 1e-3,
    betas: Betas = (0.9, 0.999),
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 0.0,
    *,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
    bias_correction: bool = True,
) -> Optimizer:
    """AMSGrad, as ``torch.optim.Adam(amsgrad=True)``: Adam that never raises a step size.

    As :func:`adam`, but with ``v_max ← max(v_max, v)`` and
    ``x ← x - η (m / (1-β₁ᵗ)) / (√v_max / √(1-β₂ᵗ) + ε)``.  This is PyTorch's variant:
    the maximum is taken of the raw second moment ``v`` and the bias correction applied
    after (Reddi et al. take the maximum of the corrected ``v̂``).
    Reddi, Kale & Kumar (2018), "On the convergence of Adam and beyond", ICLR.

    Parameters
    ----------
    lr, betas, eps, weight_decay, maximize, decoupled_weight_decay, bias_correction
        As for :func:`adam`.

    Examples
    --------
    >>> import numpy as np
    >>> opt = amsgrad(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]
    array([ 0.9, -1.9])
    """
    b1, b2 = _betas(betas)
    wd = hyper("weight_decay", weight_decay)
    decay = add_decayed_weights(wd) if nonzero(wd) else identity()
    return chain(
        scale(-1.0) if maximize else identity(),
        identity() if decoupled_weight_decay else decay,
        scale_by_adam(b1, b2, eps, bias_correction=bias_correction, amsgrad=True),
        decay if decoupled_weight_decay else identity(),
        scale_by_lr(lr),
    )


@named
def adamw(
    lr: HyperParam = 1e-3,
    betas: Betas = (0.9, 0.999),
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 1e-2,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    """AdamW, as ``torch.optim.AdamW``: Adam with decoupled weight decay.

    As :func:`adam` without the ``λ x`` in the gradient; instead ``x ← x - η λ x`` next to
    the Adam step: ``x ← x - η (λ x + m̂ / (√v̂ + ε))``.
    Loshchilov & Hutter (2019), "Decoupled weight decay regularization", ICLR.

    Parameters
    ----------
    lr, betas, eps, amsgrad, maximize
        As for :func:`adam`.
    weight_decay : float or array
        ``λ >= 0`` (default 1e-2, as in PyTorch).

    Examples
    --------
    >>> import numpy as np
    >>> opt = adamw(lr=0.1, weight_decay=0.5)
    >>> x = np.array([1.0, -2.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]  # x - 0.1 (0.5 x + sign(g))
    array([ 0.85, -1.8 ])
    """
    b1, b2 = _betas(betas)
    wd = hyper("weight_decay", weight_decay)
    return chain(
        scale(-1.0) if maximize else identity(),
        identity(),  # the weight decay is decoupled: none added to the gradient
        scale_by_adam(b1, b2, eps, amsgrad=amsgrad),
        add_decayed_weights(wd) if nonzero(wd) else identity(),
        scale_by_lr(lr),
    )


@named
def adamax(
    lr: HyperParam = 2e-3,
    betas: Betas = (0.9, 0.999),
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 0.0,
    *,
    maximize: bool = False,
) -> Optimizer:
    """AdaMax, as ``torch.optim.Adamax``: Adam with the infinity norm.

    ``g ← ∇f + λ x``, ``m ← β₁ m + (1-β₁) g``, ``u ← max(β₂ u, |g| + ε)``,
    ``x ← x - η m / ((1-β₁ᵗ) u)`` (PyTorch adds eps inside the max).
    Kingma & Ba (2015), "Adam: a method for stochastic optimization", ICLR, section 7.1.

    Parameters
    ----------
    lr, betas, eps, weight_decay, maximize
        As for :func:`adam`; ``lr`` defaults to 2e-3.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adamax(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]
    array([ 0.9, -1.9])
    """
    b1, b2 = _betas(betas)
    wd = hyper("weight_decay", weight_decay)
    return chain(
        scale(-1.0) if maximize else identity(),
        add_decayed_weights(wd) if nonzero(wd) else identity(),
        scale_by_adamax(b1, b2, eps),
        scale_by_lr(lr),
    )


@named
def nadam(
    lr: HyperParam = 2e-3,
    betas: Betas = (0.9, 0.999),
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 0.0,
    momentum_decay: HyperParam = 4e-3,
    decoupled_weight_decay: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    """NAdam, as ``torch.optim.NAdam``: Adam with Nesterov momentum.

    With ``μ_t = β₁ (1 - ½·0.96^(t ψ))`` (``ψ = momentum_decay``) and ``Π_t = ∏ μ_i``:
    ``x ← x - η [(1-μ_t)/(1-Π_t) g + μ_{t+1}/(1-Π_t μ_{t+1}) m] / (√(v/(1-β₂ᵗ)) + ε)``,
    ``m, v`` as in Adam, ``g ← ∇f + λ x`` (or decoupled decay ``x ← x - η λ x``).
    Dozat (2016), "Incorporating Nesterov momentum into Adam", ICLR workshop.

    Parameters
    ----------
    lr, betas, eps, weight_decay, maximize
        As for :func:`adam`; ``lr`` defaults to 2e-3.
    momentum_decay : float or array
        ``ψ >= 0``.
    decoupled_weight_decay : bool
        AdamW-style weight decay.

    Examples
    --------
    >>> import numpy as np
    >>> opt = nadam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> (x + opt.update(2 * x, opt.init(x), x)[0]).round(4)
    array([ 0.9, -1.9])
    """
    b1, b2 = _betas(betas)
    wd = hyper("weight_decay", weight_decay)
    decay = add_decayed_weights(wd) if nonzero(wd) else identity()
    return chain(
        scale(-1.0) if maximize else identity(),
        identity() if decoupled_weight_decay else decay,
        scale_by_nadam(b1, b2, eps, momentum_decay),
        decay if decoupled_weight_decay else identity(),
        scale_by_lr(lr),
    )


@named
def radam(
    lr: HyperParam = 1e-3,
    betas: Betas = (0.9, 0.999),
    eps: HyperParam = 1e-8,
    weight_decay: HyperParam = 0.0,
    decoupled_weight_decay: bool = False,
    *,
    maximize: bool = False,
) -> Optimizer:
    """RAdam, as ``torch.optim.RAdam``: Adam with a rectified adaptive learning rate.

    ``m̂ = m / (1-β₁ᵗ)``; while ``ρ_t <= 5`` (the first steps) ``x ← x - η m̂``, then
    ``x ← x - η m̂ r_t √(1-β₂ᵗ) / (√v + ε)`` (see :func:`scale_by_radam` for ``ρ_t, r_t``).
    Liu et al. (2020), "On the variance of the adaptive learning rate and beyond", ICLR.

    Parameters
    ----------
    lr, betas, eps, weight_decay, maximize
        As for :func:`adam`.
    decoupled_weight_decay : bool
        AdamW-style weight decay.

    Examples
    --------
    >>> import numpy as np
    >>> opt = radam(lr=0.1)
    >>> x = np.array([1.0, -2.0])
    >>> x + opt.update(2 * x, opt.init(x), x)[0]  # first step: x - η g
    array([ 0.8, -1.6])
    """
    b1, b2 = _betas(betas)
    wd = hyper("weight_decay", weight_decay)
    decay = add_decayed_weights(wd) if nonzero(wd) else identity()
    return chain(
        scale(-1.0) if maximize else identity(),
        identity() if decoupled_weight_decay else decay,
        scale_by_radam(b1, b2, eps),
        decay if decoupled_weight_decay else identity(),
        scale_by_lr(lr),
    )
