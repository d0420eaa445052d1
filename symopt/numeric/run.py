"""Runs: :func:`minimize` drives an optimizer on an objective; :func:`sweep` runs a whole
grid of hyper-parameters as one vectorised batch.

The contract of a run, step ``t = 0, 1, ...``::

    g = gradient(x_t)                       # one gradient evaluation per step
    updates, state = update(g, state, x_t, **extra)   # extra: what optimizer.needs
    x_{t+1} = x_t + updates

``x0`` of shape ``(..., n)`` is a batch of independent runs; every run is checked on
its own.  A run whose gradient norm is ``<= tol`` is *converged* and frozen; a run whose
point or value becomes non-finite or explodes is *diverged* and frozen at its last good
point (no NaN reaches the results, no NumPy warning is printed); the loop ends when all
runs are frozen or after ``steps`` updates.  Values are computed only where recorded,
where the optimizer needs them, and every few steps for the divergence check, so a run
that records only its last point costs about one gradient and one update per step.

>>> import numpy as np, symopt
>>> from symopt.optim import gd
>>> f = symopt.Objective("x**2 + 10*y**2")
>>> traj = symopt.minimize(f, gd(lr=0.05), x0=[1.0, 1.0], steps=200, tol=1e-8)
>>> str(traj.status), int(traj.stop_step)  # |grad| = 2 * 0.9^t <= 1e-8 first at t = 182
('converged', 182)
>>> bool(np.all(np.abs(traj.final_x) < 1e-8))
True
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from symopt.errors import HyperparameterError, ShapeError, SymoptError
from symopt.numeric.results import Sweep, Trajectory

__all__ = ["Sweep", "Trajectory", "minimize", "sweep"]

# A run diverged when |x| or |f| grows beyond this factor times its start (plus one).
_EXPLODE = 1e12
# Without recorded values, check values for divergence every this many steps.
_VALUE_CHECK_EVERY = 10
# Show a progress bar by default when steps * runs exceeds this (and stderr is a tty).
_PROGRESS_WORK = 10_000_000


def minimize(
    objective: Any,
    optimizer: Any,
    x0: Any,
    steps: int | None = None,
    tol: float | None = None,
    record: str | int = "all",
    *,
    epochs: int | None = None,
    batch_size: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
    **kwargs: Any,
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
        Start; leading axes are a batch of independent runs.  Entries that are pint
        Quantities make this a unit-aware run (:func:`symopt.units.minimize_with_units`).
    steps : int, optional
        The most updates per run (default 100; for a mini-batch run, the most steps in
        all, on top of ``epochs``).
    tol : float, optional
        Stop (and freeze) a run once its gradient norm is ``<= tol``; ``None`` never stops
        early.
    record : "all", "last" or int
        Which rows to keep: every step, only ``x0`` and the final point, or every k-th step
        plus the final point.
    epochs, batch_size, seed : optional
        Give ``epochs`` (or an :class:`symopt.stochastic.EmpiricalRisk` objective) for a
        mini-batch run; :func:`symopt.stochastic.minimize_minibatch` then takes over.
    progress : bool, optional
        Show a tqdm progress bar; by default only for long runs on a terminal.
    **kwargs
        Passed on to the unit-aware or mini-batch runner.

    Returns
    -------
    Trajectory

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2")
    >>> traj = symopt.minimize(f, gd(lr=np.array([0.25, 1.5])), [[1.0], [1.0]], steps=50)
    >>> traj.status.tolist()
    ['max_steps', 'diverged']
    """
    if _has_quantity(x0):
        from symopt import units

        if progress is not None:
            kwargs["progress"] = progress
        return units.minimize_with_units(
            objective, optimizer, x0, steps=steps, tol=tol, record=record, **kwargs
        )
    if epochs is not None or _is_empirical_risk(objective):
        from symopt import stochastic

        if steps is not None:
            kwargs.setdefault("max_steps", steps)
        return stochastic.minimize_minibatch(
            objective,
            optimizer,
            x0,
            epochs=epochs,
            batch_size=batch_size,
            seed=seed,
            record=record,
            progress=progress,
            **kwargs,
        )
    if batch_size is not None or seed is not None:
        raise SymoptError(
            "batch_size and seed only apply to mini-batch runs: give epochs=... as well"
        )
    if kwargs:
        raise TypeError(f"minimize() got unexpected keyword arguments: {sorted(kwargs)}")
    needs = tuple(getattr(optimizer, "needs", ()))
    f = _numeric(objective, needs)
    x = _start(x0, _n_variables(objective, f))
    steps, tol, every = _check_settings(100 if steps is None else steps, tol, record)
    if progress is None:
        progress = steps * max(1, x.size // x.shape[-1]) > _PROGRESS_WORK and sys.stderr.isatty()
    return _Run(f, optimizer, needs, x, steps, tol, every).loop(progress)


# -- input checks ---------------------------------------------------------------------


def _has_quantity(x0: Any) -> bool:
    """Does ``x0`` hold a pint Quantity?  (Duck-typed, so pint is never imported here.)"""

    def is_quantity(v: Any) -> bool:
        return hasattr(v, "magnitude") and hasattr(v, "units")

    if is_quantity(x0):
        return True
    return isinstance(x0, list | tuple) and any(is_quantity(v) for v in x0)


def _is_empirical_risk(objective: Any) -> bool:
    # An EmpiricalRisk exists only once symopt.stochastic is imported: no import needed.
    stochastic = sys.modules.get("symopt.stochastic")
    risk_type = getattr(stochastic, "EmpiricalRisk", None)
    return isinstance(risk_type, type) and isinstance(objective, risk_type)


def _numeric(objective: Any, needs: tuple[str, ...]) -> Any:
    """The object that evaluates value/gradient(/hessian) on arrays."""
    if callable(getattr(objective, "compile", None)):
        f = objective.compile()
    else:
        f = objective
    missing = [m for m in ("value", "gradient") if not callable(getattr(f, m, None))]
    if missing:
        raise SymoptError(
            f"objective {type(objective).__name__} has no {' or '.join(missing)}(x): give a "
            "symopt.Objective or an object with value(x) and gradient(x) on (..., n) arrays"
        )
    if "hessian" in needs and not callable(getattr(f, "hessian", None)):
        raise SymoptError(
            f"this optimizer needs the Hessian, but objective {type(objective).__name__} has "
            "no hessian(x): give a symopt.Objective or add hessian(x) returning (..., n, n)"
        )
    unknown = set(needs) - {"value", "hessian", "step"}
    if unknown:
        raise SymoptError(f"optimizer needs unknown inputs {sorted(unknown)}")
    return f


def _n_variables(objective: Any, f: Any) -> int | None:
    variables = getattr(objective, "variables", None)
    if variables is not None:
        return len(variables)
    n = getattr(f, "n", None)
    return n if isinstance(n, int) else None


def _start(x0: Any, n: int | None, of: str = "the objective has {} variables") -> np.ndarray:
    """``x0`` as a fresh float array of shape ``(n,)`` or ``(..., n)``, all finite; ``of``
    names what has ``n`` coordinates in the error message."""
    try:
        x = np.array(x0, dtype=float)  # a copy: the run never aliases the caller's array
    except (TypeError, ValueError) as err:
        raise ShapeError(
            f"x0 must be an array of numbers of shape (n,) or (..., n): {err}"
        ) from None
    if x.ndim == 0 or (n is not None and x.shape[-1] != n):
        expected = "n" if n is None else str(n)
        raise ShapeError(
            f"x0 has shape {x.shape}, but {of.format(expected)}: give shape "
            f"({expected},) or (..., {expected})"
        )
    if not np.all(np.isfinite(x)):
        raise ShapeError("x0 contains NaN or infinity: give a finite start")
    return x


def _check_settings(steps: Any, tol: Any, record: Any) -> tuple[int, float | None, int | None]:
    """Validate the run settings; ``every`` is None for ``record="last"``."""
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 0:
        raise HyperparameterError("steps", steps, "an int >= 0")
    if tol is not None:
        if not isinstance(tol, int | float | np.number) or not np.isfinite(tol) or tol < 0:
            raise HyperparameterError("tol", tol, "None or a finite number >= 0")
        tol = float(tol)
    if record == "all":
        every = 1
    elif record == "last":
        every = None
    elif isinstance(record, int | np.integer) and not isinstance(record, bool) and record > 0:
        every = int(record)
    else:
        raise HyperparameterError("record", record, '"all", "last" or an int k > 0')
    return int(steps), tol, every


# -- the loop -------------------------------------------------------------------------


class _Rows:
    """The recorded rows (only what is recorded is ever stored)."""

    def __init__(self, every: int | None):
        self.every = every
        self.steps: list[int] = []
        self.x: list[np.ndarray] = []
        self.values: list[np.ndarray] = []
        self.grad_norms: list[np.ndarray] = []

    def wants(self, t: int) -> bool:
        return t == 0 or (self.every is not None and t % self.every == 0)

    def add(self, t: int, x: np.ndarray, value: np.ndarray, sq_grad_norm: np.ndarray) -> None:
        self.steps.append(t)
        self.x.append(x)
        self.values.append(value)
        self.grad_norms.append(np.sqrt(sq_grad_norm))


class _Guard:
    """Divergence test: non-finite or exploding points and values, per run."""

    def __init__(self, x0: np.ndarray, f0: np.ndarray):
        self.sq_limit = (_EXPLODE * (1.0 + np.sqrt(_sq_norm(x0)))) ** 2
        self.f_limit = _EXPLODE * (1.0 + np.abs(f0))
        # every coordinate of the batch inside this means every run is fine
        self.fast_limit = float(np.sqrt(np.min(self.sq_limit) / x0.shape[-1]))

    def bad_points(self, x: np.ndarray) -> np.ndarray | None:
        # Two plain reductions (NaN propagates into both), no BLAS: a threaded BLAS call
        # can wait milliseconds for a busy core, far more than the whole step.
        flat = x.reshape(-1)
        if -self.fast_limit <= flat.min() and flat.max() <= self.fast_limit:
            return None
        return ~(_sq_norm(x) <= self.sq_limit)

    def bad_values(self, value: np.ndarray) -> np.ndarray:
        return ~(np.abs(value) <= self.f_limit)


def _sq_norm(g: np.ndarray) -> np.ndarray:
    """Squared Euclidean norm over the last axis.  For few coordinates a sum over columns
    is several times faster than ``(g * g).sum(-1)`` and, unlike ``@``, avoids BLAS."""
    n = g.shape[-1]
    if n > 16:
        return np.einsum("...i,...i->...", g, g)
    total = g[..., 0] * g[..., 0]
    for i in range(1, n):
        total += g[..., i] * g[..., i]
    return total


class _Run:
    """One batched run; :meth:`loop` returns its Trajectory."""

    def __init__(self, f, optimizer, needs, x, steps, tol, every):
        self.f, self.optimizer, self.needs, self.x0 = f, optimizer, needs, x
        self.steps, self.tol, self.every = steps, tol, every
        batch = x.shape[:-1]
        self.frozen = np.zeros(batch, dtype=bool)
        self.status = np.full(batch, "max_steps", dtype="<U9")
        self.stop_step = np.full(batch, steps, dtype=int)
        self.any_frozen = self.all_frozen = False

    def _freeze(self, runs: np.ndarray, status: str, t: int) -> None:
        self.frozen |= runs
        self.status[runs] = status
        self.stop_step[runs] = t
        self.any_frozen = True
        self.all_frozen = bool(self.frozen.all())

    def loop(self, progress: bool) -> Trajectory:
        bar = _progress_bar(self.steps) if progress else None
        try:
            with np.errstate(all="ignore"):
                rows = self._iterate(bar)
        finally:
            if bar is not None:
                bar.close()
        return Trajectory(
            x=np.stack(rows.x),
            values=np.stack(rows.values),
            grad_norms=np.stack(rows.grad_norms),
            steps=np.array(rows.steps),
            status=self.status,
            stop_step=self.stop_step,
        )

    def _iterate(self, bar: Any) -> _Rows:
        f, update, steps, tol = self.f, self.optimizer.update, self.steps, self.tol
        gradient, value_of = f.gradient, f.value
        need_value, need_hessian = "value" in self.needs, "hessian" in self.needs
        need_step = "step" in self.needs
        tol2 = None if tol is None else tol * tol
        rows = _Rows(self.every)
        tick = max(1, steps // 200)
        x, value, guard = self.x0, None, None
        state = self.optimizer.init(x)
        t = 0
        while True:
            g = gradient(x)
            sq = None
            if tol2 is not None:
                sq = _sq_norm(g)
                done = (sq <= tol2) & ~self.frozen
                if done.any():
                    self._freeze(done, "converged", t)
            last = t == steps or self.all_frozen
            if last or rows.wants(t):
                value = value_of(x) if value is None else value
                rows.add(t, x, value, _sq_norm(g) if sq is None else sq)
                if guard is None:
                    guard = _Guard(x, value)
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
            x, value = self._advance(x, value, x + updates, t, guard, rows, need_value)
            t += 1
            if bar is not None and t % tick == 0:
                bar.update(tick)

    def _advance(self, x, value, new, t, guard, rows, need_value):
        """Freeze what is frozen, stop what diverges; return the next point and its value
        (or None where not computed)."""
        if new.shape != x.shape:
            raise ShapeError(
                f"the optimizer's updates have shape {new.shape} but x0 has shape {x.shape}: "
                f"an array hyper-parameter implies a bigger batch; broadcast x0 to it, e.g. "
                f"np.broadcast_to(x0, {new.shape})"
            )
        if self.any_frozen:
            np.copyto(new, x, where=self.frozen[..., None])
        bad = guard.bad_points(new)
        new_value = None
        if need_value or rows.wants(t + 1) or (t + 1) % _VALUE_CHECK_EVERY == 0:
            new_value = self.f.value(new)
            bad_value = guard.bad_values(new_value)
            bad = bad_value if bad is None else bad | bad_value
        if bad is not None:
            bad &= ~self.frozen
            if bad.any():
                np.copyto(new, x, where=bad[..., None])
                if new_value is not None:
                    new_value = (
                        self.f.value(new) if value is None else np.where(bad, value, new_value)
                    )
                self._freeze(bad, "diverged", t)
        return new, new_value


def _progress_bar(total: int) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="step", leave=False, file=sys.stderr)


# -- sweeps ---------------------------------------------------------------------------


def sweep(
    objective: Any,
    optimizer_factory: Callable[..., Any],
    grid: Mapping[str, Any],
    x0: Any,
    steps: int = 100,
    tol: float | None = None,
    record: str | int = "last",
    *,
    progress: bool | None = None,
    **fixed: Any,
) -> Sweep:
    """Run ``optimizer_factory`` over the Cartesian product of ``grid`` in one batch.

    Each hyper-parameter reaches the factory as an array of shape ``G + (1,) * b``
    (``G`` the grid shape, ``b`` the number of batch axes of ``x0``), so it broadcasts
    against ``x0`` broadcast to ``G + x0.shape``; one :func:`minimize` runs them all.

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
    axes = _as_grid(grid)
    names = tuple(axes)
    x0 = np.asarray(x0, dtype=float)
    if x0.ndim == 0:
        raise ShapeError(f"x0 has shape {x0.shape}: give shape (n,) or (..., n)")
    shape = tuple(len(v) for v in axes.values())
    trailing = (1,) * (x0.ndim - 1)
    mesh = np.meshgrid(*axes.values(), indexing="ij")
    params = {name: m.reshape(shape + trailing) for name, m in zip(names, mesh, strict=True)}
    optimizer = optimizer_factory(**params, **fixed)
    starts = np.broadcast_to(x0, shape + x0.shape)
    traj = minimize(objective, optimizer, starts, steps, tol, record, progress=progress)
    return Sweep(grid=axes, names=names, trajectory=traj, tol=tol)


def _as_grid(grid: Mapping[str, Any]) -> dict[str, np.ndarray]:
    if not isinstance(grid, Mapping) or not grid:
        raise SymoptError("grid must be a non-empty dict: name -> 1-D array of values")
    out = {}
    for name, values in grid.items():
        arr = np.asarray(values, dtype=float)
        if arr.ndim != 1 or arr.size == 0:
            raise ShapeError(
                f"grid[{name!r}] has shape {arr.shape}: give a non-empty 1-D array of values"
            )
        out[str(name)] = arr
    return out
