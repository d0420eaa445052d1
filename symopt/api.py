"""``symopt.minimize`` and ``symopt.sweep``: the one place that decides which run it is.

- ``x0`` holds pint Quantities: a unit-aware run (:func:`symopt.units.minimize_with_units`),
  which returns a :class:`symopt.units.UnitTrajectory`;
- ``epochs`` is given, or the objective is an :class:`~symopt.stochastic.EmpiricalRisk`:
  a mini-batch run (:func:`symopt.stochastic.minimize_minibatch`);
- otherwise a deterministic run (:func:`symopt.numeric.run.minimize`).

All three share one loop core (:mod:`symopt.numeric.loop`): the same start checks, the
same divergence guard, the same statuses.  pint is imported only for a unit-aware run.

>>> import numpy as np, symopt
>>> from symopt.optim import gd
>>> f = symopt.Objective("x**2 + 10*y**2")
>>> traj = symopt.minimize(f, gd(lr=0.05), x0=[1.0, 1.0], steps=200, tol=1e-8)
>>> str(traj.status), int(traj.stop_step)  # |grad| = 2 * 0.9^t <= 1e-8 first at t = 182
('converged', 182)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from symopt._typing import Record
from symopt.errors import HyperparameterError
from symopt.numeric import run
from symopt.numeric.loop import check_optimizer, check_steps
from symopt.numeric.results import Sweep, Trajectory
from symopt.stochastic import EmpiricalRisk, minimize_minibatch

if TYPE_CHECKING:
    from symopt.units import UnitTrajectory

__all__ = ["minimize", "sweep"]


def minimize(
    objective: Any,
    optimizer: Any,
    x0: Any,
    steps: int | None = None,
    tol: float | None = None,
    record: Record | str = "all",
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    track: Any = None,
    **kwargs: Any,
) -> Trajectory | UnitTrajectory:
    """Minimize ``objective`` with ``optimizer`` from ``x0``; return the :class:`Trajectory`.

    Parameters
    ----------
    objective : Objective, EmpiricalRisk or object with ``value(x)`` and ``gradient(x)``
        An :class:`symopt.Objective` is compiled once; anything else must evaluate on
        arrays of shape ``(..., n)`` (and have ``hessian(x)`` for optimizers that need it).
    optimizer : Optimizer
        ``(init, update, needs)`` from :mod:`symopt.optim` (a
        :class:`symopt.units.UnitOptimizer` for a run with units).
    x0 : array_like, shape (n,) or (..., n)
        Start; leading axes are a batch of independent runs.  Entries that are pint
        Quantities make this a unit-aware run (:func:`symopt.units.minimize_with_units`).
    steps : int, optional
        The most updates per run (default 100; for a mini-batch run, the most steps in
        all, on top of ``epochs``).
    tol : float, optional
        Stop (and freeze) a run once its gradient norm is ``<= tol``; ``None`` never stops
        early.  Not for mini-batch runs (a batch gradient does not vanish at the minimum).
    record : "all", "last" or int
        Which rows to keep: every step, only ``x0`` and the final point, or every k-th step
        plus the final point (a mini-batch run also takes ``"epoch"``).
    epochs, batch_size, seed : optional
        Give ``epochs`` (or an :class:`symopt.stochastic.EmpiricalRisk` objective) for a
        mini-batch run; :func:`symopt.stochastic.minimize_minibatch` then takes over.
    progress : bool, optional
        Show a tqdm progress bar; by default only for long runs on a terminal.
    track : tracker, optional
        An observer such as :class:`symopt.landscape.SharpnessTracker`, called as
        ``track(t, x_t)`` at the steps ``t = 0, every, 2·every, ...`` (``every`` is its
        attribute); it does not change the run.  Not for runs with units.
    **kwargs
        Further options of the mini-batch runner (``test``, ``replacement``, ...).

    Returns
    -------
    Trajectory
        (a :class:`symopt.units.UnitTrajectory` for a unit-aware run)

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2")
    >>> traj = symopt.minimize(f, gd(lr=np.array([0.25, 1.5])), [[1.0], [1.0]], steps=50)
    >>> traj.status.tolist()
    ['max_steps', 'diverged']
    """
    if optimizer is None or isinstance(optimizer, str):
        check_optimizer(optimizer)  # the runners check the rest of what they are given
    if _has_quantity(x0):
        from symopt import units  # pint is imported only here

        _refuse(kwargs, "a run with units", epochs=epochs, batch_size=batch_size, seed=seed)
        if track is not None:
            raise HyperparameterError("track", track, "None in a run with units")
        return units.minimize_with_units(
            objective, optimizer, x0, steps, tol, record, progress=progress
        )
    if epochs is not None or isinstance(objective, EmpiricalRisk):
        if tol is not None:
            raise HyperparameterError(
                "tol",
                tol,
                "None in a mini-batch run (its batch gradients do not vanish at "
                "the minimum): stop it with steps=... or epochs=...",
            )
        if steps is not None:
            check_steps("steps", steps, 1)  # under the user's name (max_steps to the runner)
        return minimize_minibatch(
            objective,
            optimizer,
            x0,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            record=record,
            progress=progress,
            track=track,
            **{"max_steps": steps, **kwargs},
        )
    _refuse(kwargs, "a deterministic run", batch_size=batch_size, seed=seed)
    steps = 100 if steps is None else steps
    return run.minimize(
        objective, optimizer, x0, steps, tol, record, progress=progress, track=track
    )


def sweep(
    objective: Any,
    optimizer_factory: Callable[..., Any],
    grid: Mapping[str, Any],
    x0: Any,
    steps: int = 100,
    tol: float | None = None,
    record: Record = "last",
    *,
    progress: bool | None = None,
    **fixed: Any,
) -> Sweep:
    """Run ``optimizer_factory`` over the Cartesian product of ``grid`` in one batch.

    Each hyper-parameter reaches the factory as an array of shape ``G + (1,) * b``
    (``G`` the grid shape, ``b`` the number of batch axes of ``x0``), so it broadcasts
    against ``x0`` broadcast to ``G + x0.shape``; one :func:`minimize` runs them all
    (a mini-batch run of at most ``steps`` steps for an
    :class:`~symopt.stochastic.EmpiricalRisk`).

    Parameters
    ----------
    objective, x0, steps, tol, record, progress
        As for :func:`minimize`.
    optimizer_factory : callable
        E.g. ``symopt.optim.adam``; called once as
        ``optimizer_factory(**{name: array}, **fixed)``.
    grid : dict of str to 1-D array
        The values of each hyper-parameter.
    **fixed
        Further fixed arguments of the factory (e.g. ``mu=0.9``).

    Returns
    -------
    Sweep

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.optim import momentum
    >>> f = symopt.Objective("x**2 + 10*y**2")
    >>> s = symopt.sweep(f, momentum, {"lr": [0.01, 0.05], "mu": [0.0, 0.5, 0.9]},
    ...                  x0=[1.0, 1.0], steps=30)
    >>> s.final_values.shape
    (2, 3)
    >>> s.best()
    {'lr': 0.05, 'mu': 0.5}
    """
    axes, names, optimizer, starts = run.sweep_grid(optimizer_factory, grid, x0, **fixed)
    traj = minimize(objective, optimizer, starts, steps, tol, record, progress=progress)
    return Sweep(grid=axes, names=names, trajectory=traj, tol=tol)


def _has_quantity(x0: Any) -> bool:
    """Does ``x0`` hold a pint Quantity?  (Duck-typed, so pint is not imported to ask.)"""

    def is_quantity(v: Any) -> bool:
        return hasattr(v, "magnitude") and hasattr(v, "units")

    if is_quantity(x0):
        return True
    return isinstance(x0, list | tuple) and any(is_quantity(v) for v in x0)


def _refuse(kwargs: dict[str, Any], kind: str, **given: Any) -> None:
    """Refuse options that only a mini-batch run takes, given to another kind of run."""
    for name, value in given.items():
        if value is not None:
            raise HyperparameterError(
                name,
                value,
                f"None in {kind}: it is an option of mini-batch runs (give "
                "epochs=... and an EmpiricalRisk)",
            )
    if kwargs:
        raise TypeError(f"minimize() got unexpected keyword arguments: {sorted(kwargs)}")
