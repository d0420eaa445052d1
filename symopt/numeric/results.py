"""What a run leaves behind: :class:`Trajectory` (one batched run) and :class:`Sweep`.

A trajectory stores only the recorded rows.  Row 0 is the start ``x0``, the last row
the final point, and ``steps[k]`` tells which step row ``k`` was taken at.  Leading
axes after the row axis are the batch of independent runs.  Every run ends in one of
three states:

- ``"converged"``: its gradient norm reached ``tol``; it was frozen there,
- ``"diverged"``: its point or value left the finite range (or exploded), or the run
  left the objective's domain (its value or gradient became NaN or infinite at a finite
  point, e.g. ``log(x)`` at ``x < 0``); it was frozen at its last good point, the last
  one where its point, value and gradient were all seen finite,
- ``"max_steps"``: it ran out of steps.

``stop_step`` is the step of the point a run ended at, so ``final_x`` is the point
reached after ``stop_step`` updates.  A run's rows after its ``stop_step`` repeat its
final point, so the recorded arrays of a runner (``x``, ``values``, ``grad_norms``) hold
no NaN or infinity, and can be averaged over the batch as they are.

>>> import numpy as np
>>> t = Trajectory(
...     x=np.array([[1.0, 1.0], [0.5, 0.25]]), values=np.array([2.0, 0.3125]),
...     grad_norms=np.array([2.8, 1.0]), steps=np.array([0, 10]),
...     status=np.array("max_steps"), stop_step=np.array(10))
>>> t.final_x, float(t.final_value)
(array([0.5 , 0.25]), 0.3125)
>>> t
Trajectory(1 run, n=2, 10 steps, 2 recorded rows; max_steps: 1; best value 0.3125)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, get_args

import numpy as np

from symopt._typing import Status
from symopt.errors import ChoiceError, PointError

__all__ = ["STATUSES", "Sweep", "Trajectory"]

STATUSES: tuple[Status, ...] = get_args(Status)


@dataclass(repr=False)
class Trajectory:
    """The recorded rows of one (batched) run, as NumPy arrays.

    (A unit-aware run returns a :class:`symopt.units.UnitTrajectory`, which wraps one of
    these in the magnitudes of its units.)

    Attributes
    ----------
    x : ndarray, shape (rows, ..., n)
        Recorded points; ``x[0]`` is ``x0`` and ``x[-1]`` the final point.
    values : ndarray, shape (rows, ...)
        The objective at the recorded points.
    grad_norms : ndarray, shape (rows, ...)
        Euclidean norm of the gradient at the recorded points.
    steps : ndarray of int, shape (rows,)
        The step index of each recorded row (0 for ``x0``).
    status : ndarray of str, batch shape
        ``"converged"``, ``"diverged"`` (also: left the objective's domain) or
        ``"max_steps"`` per run.
    stop_step : ndarray of int, batch shape
        The step each run ended at (its final point is the point after that many updates).
    extras : dict
        Anything else a runner wants to keep (mini-batch losses, test risk ...).
    """

    x: np.ndarray
    values: np.ndarray
    grad_norms: np.ndarray
    steps: np.ndarray
    status: np.ndarray
    stop_step: np.ndarray
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def final_x(self) -> np.ndarray:
        """The final point of each run, shape ``(..., n)``."""
        return self.x[-1]

    @property
    def final_value(self) -> np.ndarray:
        """The objective at the final point of each run, batch shape."""
        return self.values[-1]

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """The shape of the batch of independent runs (``()`` for a single run)."""
        return np.shape(self.status)

    @property
    def n(self) -> int:
        """The number of variables."""
        return int(np.shape(self.x)[-1])

    def __getitem__(self, index: Any) -> Trajectory:
        """The runs at ``index`` of the batch axes (every recorded row kept).

        >>> import numpy as np
        >>> t = Trajectory(np.zeros((3, 4, 2)), np.zeros((3, 4)), np.zeros((3, 4)),
        ...                np.arange(3), np.full(4, "max_steps"), np.full(4, 2))
        >>> t[1].x.shape, t[1:3].x.shape
        ((3, 2), (3, 2, 2))
        """
        index = index if isinstance(index, tuple) else (index,)
        rows = (slice(None), *index)
        return Trajectory(
            x=self.x[rows],
            values=self.values[rows],
            grad_norms=self.grad_norms[rows],
            steps=self.steps,
            status=np.asarray(self.status)[index],
            stop_step=np.asarray(self.stop_step)[index],
            extras=dict(self.extras),
        )

    def status_counts(self) -> dict[str, int]:
        """How many runs ended in each state, e.g. ``{"converged": 9, "diverged": 1}``."""
        counts = Counter(np.ravel(self.status).tolist())
        return {s: counts[s] for s in STATUSES if counts[s]}

    def plot(self, ax: Any = None, objective: Any = None, **kwargs: Any) -> Any:
        """Draw the run: the path on contours of a 2-D ``objective`` when one is given,
        else the value curve (see :mod:`symopt.plot.paths`)."""
        from symopt.plot import paths

        if objective is not None and self.n == 2:
            return paths.plot_trajectories(objective, self, ax=ax, **kwargs)
        return paths.plot_values(self, ax=ax, **kwargs)

    def __repr__(self) -> str:
        runs = int(np.prod(self.batch_shape))
        batch = "1 run" if runs == 1 and not self.batch_shape else f"batch {self.batch_shape}"
        counts = "; ".join(f"{k}: {v}" for k, v in self.status_counts().items())
        final = np.asarray(self.final_value, dtype=float)
        finite = final[np.isfinite(final)]
        best = f"best value {finite.min():.4g}" if finite.size else "no finite value"
        return (
            f"Trajectory({batch}, n={self.n}, {int(self.steps[-1])} steps, "
            f"{len(self.steps)} recorded rows; {counts}; {best})"
        )


@dataclass(repr=False)
class Sweep:
    """Results of :func:`symopt.sweep`: one vectorised run over a grid of
    hyper-parameters.  Arrays have shape ``G + batch``, with the grid shape
    ``G = (len(grid[name]) for name in names)`` and the batch shape of ``x0``.

    Attributes
    ----------
    grid : dict of str to ndarray
        The 1-D values of each hyper-parameter.
    names : tuple of str
        The hyper-parameter names, in grid-axis order.
    trajectory : Trajectory
        The underlying run (batch shape ``G + batch``).
    tol : float or None
        The tolerance the run used.
    """

    grid: dict[str, np.ndarray]
    names: tuple[str, ...]
    trajectory: Trajectory
    tol: float | None = None

    @property
    def grid_shape(self) -> tuple[int, ...]:
        return tuple(len(self.grid[name]) for name in self.names)

    @property
    def final_values(self) -> np.ndarray:
        return self.trajectory.final_value

    @property
    def final_x(self) -> np.ndarray:
        return self.trajectory.final_x

    @property
    def status(self) -> np.ndarray:
        return self.trajectory.status

    @property
    def steps_to_tol(self) -> np.ndarray:
        """The first step where the gradient norm was ``<= tol``; ``-1`` for runs that
        never got there (and everywhere when the sweep had no ``tol``)."""
        converged = self.trajectory.status == "converged"
        return np.where(converged, self.trajectory.stop_step, -1)

    def scores(self, by: str = "value") -> np.ndarray:
        """Per grid point (shape ``G``): the final value (``by="value"``) or the steps to
        tolerance (``by="steps"``), averaged over the batch of starts.  A grid point
        where any start diverged (or never reached ``tol``, for ``"steps"``) scores
        ``inf``."""
        if by == "value":
            score = np.where(self.status == "diverged", np.inf, self.final_values)
        elif by == "steps":
            steps = self.steps_to_tol.astype(float)
            score = np.where(steps < 0, np.inf, steps)
        else:
            raise ChoiceError("by", by, ("value", "steps"))
        score = np.where(np.isnan(score), np.inf, score)
        batch_axes = tuple(range(len(self.grid_shape), score.ndim))
        return score.mean(axis=batch_axes) if batch_axes else score

    def best(self, by: str = "value") -> dict[str, float]:
        """The grid point with the least score (see :meth:`scores`), as a dict of
        hyper-parameter values that can be passed back to the optimizer factory."""
        scores = self.scores(by)
        index = np.unravel_index(np.argmin(scores), scores.shape)
        return {name: float(self.grid[name][i]) for name, i in zip(self.names, index, strict=True)}

    def at(self, **point: float) -> Trajectory:
        """The run(s) at one grid point, e.g. ``sweep.at(**sweep.best())``."""
        index = []
        for name in self.names:
            if name not in point:
                raise PointError(
                    f"the point misses {name}: give a value for every grid axis {self.names}"
                )
            hits = np.flatnonzero(np.isclose(self.grid[name], point[name], rtol=1e-12))
            if not hits.size:
                raise PointError(f"{name}={point[name]!r} is not on the grid {self.grid[name]}")
            index.append(int(hits[0]))
        return self.trajectory[tuple(index)]

    def plot(self, ax: Any = None, what: str = "value", **kwargs: Any) -> Any:
        """Heat map (2-D grid) or curve (1-D grid) of the final value or steps to ``tol``
        (see :func:`symopt.plot.paths.plot_sweep`)."""
        from symopt.plot.paths import plot_sweep

        return plot_sweep(self, ax=ax, what=what, **kwargs)

    def __repr__(self) -> str:
        axes = ", ".join(f"{n}: {len(self.grid[n])} values" for n in self.names)
        best = ", ".join(f"{k}={v:.4g}" for k, v in self.best().items())
        return f"Sweep({axes}; batch {self.trajectory.batch_shape}; best {best})"
