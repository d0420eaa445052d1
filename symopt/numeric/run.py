"""Deterministic runs: :func:`minimize` drives an optimizer on an objective; :func:`sweep`
runs a whole grid of hyper-parameters as one vectorised batch.

These are the plain NumPy runners; :func:`symopt.minimize` / :func:`symopt.sweep`
(:mod:`symopt.api`) also reach the mini-batch and unit-aware runs.  The contract of a
run, step ``t = 0, 1, ...``::

    g = gradient(x_t)                       # one gradient evaluation per step
    updates, state = update(g, state, x_t, **extra)   # extra: what optimizer.needs
    x_{t+1} = x_t + updates

``x0`` of shape ``(..., n)`` is a batch of independent runs; every run is checked on
its own.  A run whose gradient norm is ``<= tol`` is *converged* and frozen; a run whose
point or value becomes non-finite or explodes is *diverged* and frozen at its last good
point; a run that leaves the objective's domain (its value or gradient non-finite at a
finite point) is *diverged* too, frozen at the last point where both were seen finite.
No NaN or infinity reaches the results (a start outside the domain is refused with a
:class:`~symopt.errors.PointError`), and no NumPy warning is printed; the loop ends when
all runs are frozen or after ``steps`` updates (:mod:`symopt.numeric.loop` holds these
rules).  Values are computed only where recorded, where the optimizer needs them, and
every few steps for the divergence check, so a run that records only its last point
costs about one gradient and one update per step.

>>> import numpy as np, symopt
>>> from symopt.optim import gd
>>> f = symopt.Objective("x**2 + 10*y**2")
>>> traj = minimize(f, gd(lr=0.05), x0=[1.0, 1.0], steps=200, tol=1e-8)
>>> str(traj.status), int(traj.stop_step)  # |grad| = 2 * 0.9^t <= 1e-8 first at t = 182
('converged', 182)
>>> bool(np.all(np.abs(traj.final_x) < 1e-8))
True
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from symopt._typing import Record
from symopt.errors import (
    ArgumentTypeError,
    HyperparameterError,
    NotDifferentiableError,
    ShapeError,
)
from symopt.numeric.loop import (
    VALUE_CHECK_EVERY,
    Checkpoint,
    Guard,
    Rows,
    Runs,
    check_memory,
    check_optimizer,
    check_steps,
    running,
    sq_norm,
    start,
)
from symopt.numeric.results import Sweep, Trajectory

__all__ = ["minimize", "sweep", "sweep_grid"]


def minimize(
    objective: Any,
    optimizer: Any,
    x0: Any,
    steps: int = 100,
    tol: float | None = None,
    record: Record = "all",
    *,
    progress: bool | None = None,
    track: Any = None,
) -> Trajectory:
    """Minimize ``objective`` with ``optimizer`` from ``x0``; return the :class:`Trajectory`.

    Parameters
    ----------
    objective : Objective or object with ``value(x)`` and ``gradient(x)``
        An :class:`symopt.Objective` is compiled once; anything else must evaluate on
        arrays of shape ``(..., n)`` (and have ``hessian(x)`` for optimizers that need it).
    optimizer : Optimizer
        ``(init, update, needs)`` from :mod:`symopt.optim`.
    x0 : array_like, shape (n,) or (..., n)
        Start; leading axes are a batch of independent runs.
    steps : int
        The most updates per run.
    tol : float, optional
        Stop (and freeze) a run once its gradient norm is ``<= tol``; ``None`` never stops
        early.
    record : "all", "last" or int
        Which rows to keep: every step, only ``x0`` and the final point, or every k-th step
        plus the final point.
    progress : bool, optional
        Show a tqdm progress bar; by default only for long runs on a terminal.
    track : tracker, optional
        Called as ``track(t, x_t)`` at the steps ``t`` divisible by ``track.every``.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2")
    >>> traj = minimize(f, gd(lr=np.array([0.25, 1.5])), [[1.0], [1.0]], steps=50)
    >>> traj.status.tolist()
    ['max_steps', 'diverged']
    """
    check_optimizer(optimizer)
    needs = tuple(getattr(optimizer, "needs", ()))
    f = _numeric(objective, needs)
    steps, tol, every = _check_settings(steps, tol, record)
    x = start(x0, _n_variables(objective, f), 2 + (steps if every is None else steps // every))
    runs = Runs(x.shape[:-1], steps)
    with running(progress, steps, steps * max(1, x.size // x.shape[-1])) as tick:
        rows = _loop(f, optimizer, needs, x, steps, tol, Rows(every, track), runs, tick)
    return rows.trajectory(runs)


# -- input checks ---------------------------------------------------------------------


def _numeric(objective: Any, needs: tuple[str, ...]) -> Any:
    """The object that evaluates value/gradient(/hessian) on arrays."""
    if callable(getattr(objective, "compile", None)):
        f = objective.compile()
    else:
        f = objective
    missing = [m for m in ("value", "gradient") if not callable(getattr(f, m, None))]
    if missing:
        raise ArgumentTypeError(
            f"objective {type(objective).__name__} has no {' or '.join(missing)}(x): give a "
            "symopt.Objective or an object with value(x) and gradient(x) on (..., n) arrays"
        )
    if "hessian" in needs and not callable(getattr(f, "hessian", None)):
        raise NotDifferentiableError(
            f"this optimizer needs the Hessian, but objective {type(objective).__name__} has "
            "no hessian(x): give a symopt.Objective or add hessian(x) returning (..., n, n)"
        )
    unknown = set(needs) - {"value", "hessian", "step"}
    if unknown:
        raise HyperparameterError(
            "optimizer.needs",
            needs,
            f"inputs a run gives ('value', 'hessian', 'step'), not {sorted(unknown)}",
        )
    return f


def _n_variables(objective: Any, f: Any) -> int | None:
    variables = getattr(objective, "variables", None)
    if variables is not None:
        return len(variables)
    n = getattr(f, "n", None)
    return n if isinstance(n, int) else None


def _check_settings(steps: Any, tol: Any, record: Any) -> tuple[int, float | None, int | None]:
    """Validate the run settings; ``every`` is None for ``record="last"``."""
    steps = check_steps("steps", steps)
    if tol is not None:
        valid = "None or a finite number >= 0"
        if isinstance(tol, bool) or not isinstance(tol, int | float | np.number):
            raise HyperparameterError("tol", tol, valid)
        try:
            tol = float(tol)
        except OverflowError:  # an int beyond the floats
            raise HyperparameterError("tol", tol, valid) from None
        if not np.isfinite(tol) or tol < 0:
            raise HyperparameterError("tol", tol, valid)
    if record == "all":
        every = 1
    elif record == "last":
        every = None
    elif isinstance(record, int | np.integer) and not isinstance(record, bool) and record > 0:
        every = int(record)
    else:
        raise HyperparameterError("record", record, '"all", "last" or an int k > 0')
    return steps, tol, every


# -- the loop -------------------------------------------------------------------------


def _loop(f, optimizer, needs, x, steps, tol, rows: Rows, runs: Runs, tick) -> Rows:
    update, gradient, value_of = optimizer.update, f.gradient, f.value
    need_value, need_hessian = "value" in needs, "hessian" in needs
    need_step = "step" in needs
    tol2 = None if tol is None else tol * tol
    value, g = value_of(x), gradient(x)
    checkpoint, guard = Checkpoint(x, value, sq_norm(g)), Guard(x, value)
    state = optimizer.init(x)
    t = 0
    while True:
        rows.observe(t, x)
        g = gradient(x) if t else g
        sq = None
        if tol2 is not None:
            sq = sq_norm(g)
            done = (sq <= tol2) & ~runs.frozen
            if done.any():
                runs.freeze(done, "converged", t)
        last = t == steps or runs.all_frozen
        if value is not None or last or rows.wants(t):
            # where the value is known, check the run is still inside the domain
            value = value_of(x) if value is None else value
            sq = sq_norm(g) if sq is None else sq
            lost = checkpoint.lost(x, t, value, sq)
            if lost is not None:
                x = runs.back(x, lost, checkpoint)
                value, g = value_of(x), gradient(x)
                sq = sq_norm(g)
                last = last or runs.all_frozen
        if last or rows.wants(t):
            rows.add(t, x, value, sq)
        if last:
            return rows
        extra: dict[str, Any] = {}
        if need_value:
            value = value_of(x) if value is None else value
            extra["value"] = value
        if need_hessian:
            extra["hessian"] = f.hessian(x)
        if need_step:
            extra["step"] = t
        updates, state = update(g, state, x, **extra)
        new = runs.hold(x, x + updates)
        new_value = None
        if need_value or rows.wants(t + 1) or (t + 1) % VALUE_CHECK_EVERY == 0:
            new_value = value_of(new)
        bad = runs.stop(x, new, t, guard, new_value)
        if bad is not None and new_value is not None:
            new_value = value_of(new) if value is None else np.where(bad, value, new_value)
        x, value = new, new_value
        t += 1
        if tick is not None:
            tick(t)


# -- sweeps ---------------------------------------------------------------------------


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
    """The deterministic :func:`symopt.sweep`: one batched :func:`minimize` over the
    Cartesian product of ``grid`` (see :func:`symopt.sweep` for the arguments).

    >>> import symopt
    >>> from symopt.optim import momentum
    >>> f = symopt.Objective("x**2 + 10*y**2")
    >>> sweep(f, momentum, {"lr": [0.01, 0.05], "mu": [0.0, 0.9]}, x0=[1.0, 1.0]).best()
    {'lr': 0.05, 'mu': 0.0}
    """
    grid_, names, optimizer, starts = sweep_grid(optimizer_factory, grid, x0, **fixed)
    traj = minimize(objective, optimizer, starts, steps, tol, record, progress=progress)
    return Sweep(grid=grid_, names=names, trajectory=traj, tol=tol)


def sweep_grid(
    optimizer_factory: Callable[..., Any], grid: Mapping[str, Any], x0: Any, **fixed: Any
) -> tuple[dict[str, np.ndarray], tuple[str, ...], Any, np.ndarray]:
    """The one batch of a sweep: ``(grid, names, optimizer, starts)`` with the grid as
    1-D float arrays, the optimizer built once from the meshed hyper-parameters and
    ``x0`` broadcast to ``G + x0.shape``.

    >>> from symopt.optim import gd
    >>> grid, names, opt, starts = sweep_grid(gd, {"lr": [0.1, 0.2, 0.3]}, [1.0, 2.0])
    >>> names, starts.shape
    (('lr',), (3, 2))
    """
    axes = _as_grid(grid)
    names = tuple(axes)
    try:
        x0 = np.asarray(x0, dtype=float)
    except (TypeError, ValueError, OverflowError) as err:
        raise ShapeError(f"x0 must be a finite array of shape (n,) or (..., n): {err}") from None
    if x0.ndim == 0:
        raise ShapeError(f"x0 has shape {x0.shape}: give shape (n,) or (..., n)")
    shape = tuple(len(v) for v in axes.values())
    # before the mesh and the factory allocate arrays of the grid's size
    check_memory("the grid " + " × ".join(map(str, shape)), shape + x0.shape[:-1], x0.shape[-1], 2)
    trailing = (1,) * (x0.ndim - 1)
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    params = {name: m.reshape(shape + trailing) for name, m in zip(names, mesh, strict=True)}
    _check_arguments(optimizer_factory, {**params, **fixed})
    optimizer = optimizer_factory(**params, **fixed)
    return axes, names, optimizer, np.broadcast_to(x0, shape + x0.shape)


def _check_arguments(factory: Callable[..., Any], arguments: dict[str, Any]) -> None:
    """Refuse grid or fixed names that ``factory`` does not take, naming its arguments."""
    if not callable(factory):
        raise ArgumentTypeError(
            f"optimizer_factory={factory!r} is not callable: give a builder such as "
            "symopt.optim.adam (not adam(...))"
        )
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # no signature to check against: the call will tell
        return
    try:
        signature.bind(**arguments)
    except TypeError as err:
        name = getattr(factory, "__name__", "the factory")
        raise ArgumentTypeError(
            f"the grid and fixed arguments {sorted(arguments)} do not fit {name}(): {err}; "
            f"give names among its arguments {list(signature.parameters)}"
        ) from None


def _as_grid(grid: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not isinstance(grid, Mapping):
        raise ArgumentTypeError(
            f"grid must be a dict: name -> 1-D array of values, not {type(grid).__name__}"
        )
    if not grid:
        raise HyperparameterError("grid", grid, "a non-empty dict: name -> 1-D array of values")
    out = {}
    for name, values in grid.items():
        if not isinstance(name, str) or not name.isidentifier():
            raise ArgumentTypeError(
                f"grid has the key {name!r}: give the names of the factory's arguments, e.g. 'lr'"
            )
        if isinstance(values, str):
            raise HyperparameterError(f"grid[{name!r}]", values, "a 1-D array of numbers, not text")
        try:
            arr = np.asarray(values, dtype=float)
        except (TypeError, ValueError, OverflowError):
            raise HyperparameterError(
                f"grid[{name!r}]", values, "a 1-D array of finite numbers (not text, not ragged)"
            ) from None
        if arr.ndim != 1 or arr.size == 0:
            raise ShapeError(
                f"grid[{name!r}] has shape {arr.shape}: give a non-empty 1-D array of values"
            )
        if not np.all(np.isfinite(arr)):
            bad = float(arr[~np.isfinite(arr)][0])
            raise HyperparameterError(f"grid[{name!r}]", bad, "finite numbers in every entry")
        out[name] = arr
    return out
