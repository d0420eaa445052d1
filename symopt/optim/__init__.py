"""Optimizers as composable gradient transformations (optax and jax style).

The contract, shared by every optimizer and every transform here::

    opt = symopt.optim.adam(lr=1e-2)          # an Optimizer(init, update, needs)
    state = opt.init(x0)                      # x0 of shape (n,) or (..., n): batch leads
    updates, state = opt.update(grads, state, params, **extra)
    params = params + updates                 # the step; updates carry the minus sign

* ``update`` never modifies ``grads`` or ``params``.  It updates the state's buffers in
  place (like ``torch.optim``; fast), so continue from the returned state and
  ``copy.deepcopy`` one you want to keep.  ``updates`` is a fresh array, never a view of
  the state.
* ``needs`` lists the extra keyword inputs ``update`` requires, from
  ``("value", "hessian", "step")``; only :func:`newton` needs one (``"hessian"``).
* Every hyper-parameter may be an array, broadcast against the batch shape
  ``x0.shape[:-1]`` aligned at the right: with ``x0`` of shape ``(B, n)`` a per-run
  learning rate has shape ``(B,)``, with ``(A, B, n)`` a per-row one has ``(A, 1)``.
  Preconditioners (``(n,)``, ``(n, n)``, ``(..., n, n)``) are per coordinate instead.
* A learning rate is a number, an array or a schedule ``t -> lr`` (``t = 0`` at the first
  update); see :mod:`symopt.optim.schedules`.
* Bad hyper-parameters raise :class:`~symopt.errors.HyperparameterError` when the
  optimizer is built (shapes: at ``init``), naming the argument as the user gave it
  (``betas[1]``, not Adam's internal ``b2``) and its valid range; each is checked once.

Named optimizers: the lecture's ``gd``, ``momentum``, ``nesterov``, ``preconditioned``,
``newton``; PyTorch's ``sgd``, ``adagrad``, ``adadelta``, ``rmsprop``, ``adam``,
``amsgrad``, ``adamw``, ``adamax``, ``nadam``, ``radam`` (same names, defaults and update
rules as ``torch.optim``).  Each is a :func:`chain` of the transforms also exported here,
written out in its body; an option that is off holds an :func:`identity` in its place.

>>> import numpy as np
>>> from symopt import optim
>>> opt = optim.adam(lr=[0.1, 0.01])  # two runs, one learning rate each
>>> x = np.ones((2, 3))
>>> state = opt.init(x)
>>> for _ in range(100):
...     updates, state = opt.update(2 * x, state, x)  # f(x) = |x|²
...     x = x + updates
>>> x.max(axis=1).round(2)
array([0.  , 0.22])
"""

from symopt.optim import schedules
from symopt.optim.adaptive import (
    scale_by_adadelta,
    scale_by_adam,
    scale_by_adamax,
    scale_by_nadam,
    scale_by_radam,
    scale_by_rms,
    scale_by_rss,
)
from symopt.optim.aliases import (
    adadelta,
    adagrad,
    adam,
    adamax,
    adamw,
    amsgrad,
    gd,
    momentum,
    nadam,
    nesterov,
    newton,
    preconditioned,
    radam,
    rmsprop,
    sgd,
)
from symopt.optim.base import Optimizer, chain
from symopt.optim.curvature import scale_by_newton, scale_by_preconditioner
from symopt.optim.schedules import Schedule, as_schedule
from symopt.optim.transforms import (
    add_decayed_weights,
    add_noise,
    identity,
    scale,
    scale_by_lr,
    trace,
)

__all__ = [
    "Optimizer",
    "Schedule",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "adamw",
    "add_decayed_weights",
    "add_noise",
    "amsgrad",
    "as_schedule",
    "chain",
    "gd",
    "identity",
    "momentum",
    "nadam",
    "nesterov",
    "newton",
    "preconditioned",
    "radam",
    "rmsprop",
    "scale",
    "scale_by_adadelta",
    "scale_by_adam",
    "scale_by_adamax",
    "scale_by_lr",
    "scale_by_nadam",
    "scale_by_newton",
    "scale_by_preconditioner",
    "scale_by_radam",
    "scale_by_rms",
    "scale_by_rss",
    "schedules",
    "sgd",
    "trace",
]
