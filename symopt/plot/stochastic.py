"""Pictures of stochastic optimization: noisy losses, noise balls, escape times, overfitting.

Each function takes what :func:`symopt.minimize` (mini-batch runs: one Trajectory, a
sequence or a dict label -> Trajectory, see :func:`symopt.plot.runs.labelled`) or
:func:`symopt.stochastic.escape_times` returned, draws into ``ax`` (a new figure when
it is None) and returns the Figure.  Paths of GD vs SGD on the risk contours are
:func:`symopt.plot.plot_trajectories` with the :class:`~symopt.stochastic.EmpiricalRisk`
as the objective.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from symopt.errors import SymoptError
from symopt.plot.points import mark_point
from symopt.plot.runs import labelled

__all__ = [
    "plot_escape_times",
    "plot_generalization",
    "plot_minibatch_losses",
    "plot_noise_ball",
]

# run colours of the noise ball: no green, the colour of a minimum (symopt.plot.points)
_RUN_COLORS = ("C0", "C1", "C4", "C9", "C5", "C6", "C8", "C7")


def _axes(ax: Any, ncols: int = 1, size: tuple[float, float] = (8, 5)) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(1, ncols, figsize=size, layout="constrained")
        return fig, ax
    return ax.figure if not isinstance(ax, np.ndarray) else ax.flat[0].figure, ax


def _finish(ax: Any, xlabel: str, ylabel: str, title: str | None) -> None:
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    ax.grid(alpha=0.3)


def _first_run(a: np.ndarray, rows: int) -> np.ndarray:
    """The first run of a batched array of shape ``(rows, ...)``."""
    return np.asarray(a, dtype=float).reshape(rows, -1)[:, 0]


def _prefix(label: str, runs: dict[str, Any]) -> str:
    """A legend label's prefix: nothing for one run, its label for several."""
    return "" if len(runs) == 1 else f"{label}: "


def plot_minibatch_losses(
    trajectories: Any,
    ax: Any = None,
    title: str | None = "Mini-batch losses and the training risk",
) -> Any:
    """The loss of each mini-batch (noisy) against the full training risk (and the test
    risk, if recorded), for the first run of each mini-batch trajectory.

    ``trajectories`` is one Trajectory, a sequence or a dict label -> Trajectory; one
    run is drawn in three colours, several in one colour each.

    >>> import numpy as np, symopt
    >>> from symopt.stochastic import EmpiricalRisk
    >>> from symopt.optim import sgd
    >>> risk = EmpiricalRisk("(t - z)^2", "t", {"z": np.linspace(0, 1, 100)})
    >>> traj = symopt.minimize(risk, sgd(lr=0.1), [2.0], epochs=2, batch_size=10, seed=0)
    >>> fig = plot_minibatch_losses(traj)
    >>> [line.get_label() for line in fig.axes[0].get_lines()]
    ['mini-batch loss', 'training risk']
    """
    runs = labelled(trajectories)
    for label, traj in runs.items():
        if traj.extras.get("minibatch_losses") is None:
            raise SymoptError(f"{label} has no mini-batch losses: run it with record != 'last'")
    fig, ax = _axes(ax)
    positive = True
    for i, (label, traj) in enumerate(runs.items()):
        colors = ("C1", "C0", "C3") if len(runs) == 1 else (f"C{i}",) * 3
        pre = _prefix(label, runs)
        losses = traj.extras["minibatch_losses"]
        batch = _first_run(losses, len(losses))
        ax.plot(
            np.arange(len(losses)),
            batch,
            lw=0.7,
            alpha=0.6 if len(runs) == 1 else 0.35,
            color=colors[0],
            label=f"{pre}mini-batch loss",
        )
        rows = len(traj.steps)
        train = _first_run(traj.values, rows)
        ax.plot(traj.steps, train, lw=2, color=colors[1], label=f"{pre}training risk")
        if "test_values" in traj.extras:
            ax.plot(
                traj.steps,
                _first_run(traj.extras["test_values"], rows),
                lw=2,
                ls="-" if len(runs) == 1 else "--",
                color=colors[2],
                label=f"{pre}test risk",
            )
        positive &= bool(np.all(train > 0) and np.all(batch > 0))
    if positive:
        ax.set_yscale("log")
    ax.legend()
    _finish(ax, "step (mini-batch)", "loss", title)
    return fig


def _contours(ax: Any, value: Any, lo: np.ndarray, hi: np.ndarray) -> None:
    xs, ys = np.linspace(lo[0], hi[0], 120), np.linspace(lo[1], hi[1], 120)
    z = np.asarray(value(np.stack(np.meshgrid(xs, ys), axis=-1)), dtype=float)
    levels = np.quantile(z, np.linspace(0, 1, 16) ** 2)
    ax.contourf(xs, ys, z, levels=np.unique(levels), cmap="Greys", alpha=0.4)
    ax.contour(xs, ys, z, levels=np.unique(levels), colors="0.4", linewidths=0.5)


def plot_noise_ball(
    trajectories: Any,
    center: Any,
    objective: Any = None,
    predicted: Mapping[str, float] | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The noise ball: where batched runs end (left) and their mean squared distance to
    the minimum over the steps (right, log scale).

    Parameters
    ----------
    trajectories : Trajectory, sequence or dict label -> Trajectory
        Batched runs (many seeds); the last axis of ``x`` has 2 parameters for the
        scatter (otherwise the first two are drawn).
    center : array_like
        The minimum ``θ*``.
    objective : object with ``value(x)``, optional
        Drawn as contours behind the scatter (e.g. the EmpiricalRisk).
    predicted : dict label -> float, optional
        A predicted stationary mean squared distance, drawn as a dashed line.
    ax : pair of Axes, optional

    >>> import numpy as np, symopt
    >>> from symopt.stochastic import EmpiricalRisk
    >>> from symopt.optim import sgd
    >>> z = np.random.default_rng(0).normal(size=(200, 2))
    >>> risk = EmpiricalRisk("((a - z1)^2 + (b - z2)^2) / 2", "a b", {"z": z})
    >>> runs = symopt.minimize(risk, sgd(lr=0.2), np.zeros((50, 2)), epochs=2,
    ...                        batch_size=10, seed=0, independent=True)
    >>> fig = plot_noise_ball({"lr 0.2": runs}, z.mean(axis=0), objective=risk)
    >>> len(fig.axes)
    2
    """
    runs = labelled(trajectories)
    center = np.asarray(center, dtype=float)
    fig, (left, right) = _axes(ax, ncols=2, size=(12, 5))
    finals = {k: np.asarray(t.final_x, float).reshape(-1, t.n)[:, :2] for k, t in runs.items()}
    points = np.concatenate([*finals.values(), center[None, :2]])
    lo, hi = points.min(axis=0), points.max(axis=0)
    pad = 0.15 * np.maximum(hi - lo, 1e-3)
    lo, hi = lo - pad, hi + pad
    if objective is not None:
        compiled = objective.compile() if callable(getattr(objective, "compile", None)) else None
        _contours(left, (compiled or objective).value, lo, hi)
    colors = [_RUN_COLORS[i % len(_RUN_COLORS)] for i in range(len(finals))]
    for color, (label, pts) in zip(colors, finals.items(), strict=True):
        left.scatter(pts[:, 0], pts[:, 1], s=10, alpha=0.6, color=color, label=label)
    # no legend on the scatter (it would hide runs): the right panel's legend names the
    # colours, and θ* is labelled where it is
    mark_point(left, center[:2], "minimum", label="minimum θ*", global_=True)
    left.annotate(
        "θ*",
        center[:2],
        xytext=(12, 8),
        textcoords="offset points",
        fontweight="bold",
        bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.8},
    )
    left.set_xlim(lo[0], hi[0])
    left.set_ylim(lo[1], hi[1])
    _finish(left, r"$\theta_1$", r"$\theta_2$", "where the runs end")
    for color, (label, t) in zip(colors, runs.items(), strict=True):
        x = np.asarray(t.x, dtype=float)
        d2 = ((x - center) ** 2).sum(axis=-1).reshape(len(t.steps), -1).mean(axis=1)
        right.plot(t.steps, d2, color=color, lw=2, label=label)
        if predicted and label in predicted:
            right.axhline(predicted[label], color=color, ls="--", lw=1.2, label=f"{label}: theory")
    right.set_yscale("log")
    right.legend()
    _finish(right, "step", r"mean $\|\theta - \theta^*\|^2$ over runs", "distance to the minimum")
    if title:
        fig.suptitle(title)
    return fig


def plot_escape_times(
    times: Mapping[str, Any],
    ax: Any = None,
    bins: int = 30,
    title: str | None = "Steps to escape the saddle",
) -> Any:
    """Histograms of escape times, one per noise level; runs that never escaped (time
    ``-1``) are counted in the legend.

    >>> import numpy as np
    >>> fig = plot_escape_times({"σ² = 0": -np.ones(5), "σ² = 1": np.array([3, 4, 4, 6, 9])})
    >>> [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    ['σ² = 0: all 5 runs stay (no bar)', 'σ² = 1: median 4']
    """
    fig, ax = _axes(ax)
    arrays = {k: np.ravel(np.asarray(v)) for k, v in times.items()}
    escaped = np.concatenate([a[a >= 0] for a in arrays.values()] + [np.zeros(1)])
    edges = np.linspace(0, max(float(escaped.max()), 1.0), bins + 1)
    for i, (label, a) in enumerate(arrays.items()):
        left = a[a >= 0]
        if left.size == 0:
            # nothing to draw: a legend entry without a line, so none is looked for
            ax.plot([], [], ls="none", label=f"{label}: all {a.size} runs stay (no bar)")
            continue
        stay = a.size - left.size
        text = f"{label}: median {np.median(left):g}" + (f", {stay} stay" if stay else "")
        ax.hist(left, bins=edges, alpha=0.55, color=f"C{i}", label=text)
    ax.legend()
    _finish(ax, "escape step", "runs", title)
    return fig


def plot_generalization(
    trajectories: Any, ax: Any = None, title: str | None = "Learning is not only optimizing"
) -> Any:
    """Training and test risk over the steps, with early stopping (the least test risk)
    marked: the training risk keeps falling while the test risk turns up.

    ``trajectories`` is one Trajectory (run with ``test=...``), a sequence or a dict
    label -> Trajectory; each is drawn for its first run, several in one colour each.

    >>> import numpy as np
    >>> from symopt.numeric.results import Trajectory
    >>> t = Trajectory(x=np.zeros((4, 1)), values=np.array([4.0, 2.0, 1.0, 0.5]),
    ...     grad_norms=np.ones(4), steps=np.arange(4), status=np.array("max_steps"),
    ...     stop_step=np.array(3), extras={"test_values": np.array([4.0, 2.5, 2.0, 3.0])})
    >>> fig = plot_generalization(t)
    >>> fig.axes[0].get_legend().get_texts()[2].get_text()
    'early stopping: step 2'
    """
    runs = labelled(trajectories)
    for label, traj in runs.items():
        if traj.extras.get("test_values") is None:
            raise SymoptError(f"{label} has no test risk: run minimize(..., test=...)")
    fig, ax = _axes(ax)
    positive, log_steps, last, first_step = True, True, 0, np.inf
    for i, (label, traj) in enumerate(runs.items()):
        train_color, test_color, mark = ("C0", "C3", "k") if len(runs) == 1 else (f"C{i}",) * 3
        pre = _prefix(label, runs)
        rows = len(traj.steps)
        steps = np.asarray(traj.steps)
        train = _first_run(traj.values, rows)
        test = _first_run(traj.extras["test_values"], rows)
        best = int(np.argmin(test))
        ax.plot(steps, train, lw=2, color=train_color, label=f"{pre}training risk")
        ls = "-" if len(runs) == 1 else "--"
        ax.plot(steps, test, lw=2, ls=ls, color=test_color, label=f"{pre}test risk")
        ax.axvline(
            steps[best], color=mark, ls="--", lw=1, label=f"{pre}early stopping: step {steps[best]}"
        )
        ax.plot(steps[best], test[best], marker="o", color=mark)
        positive &= bool(np.all(train > 0) and np.all(test > 0))
        log_steps &= bool(len(steps) > 2 and steps[-1] > 100 * steps[1] > 0)
        last = max(last, int(steps[-1]))
        first_step = min(first_step, float(steps[1]) if len(steps) > 1 else 1.0)
    if positive:
        ax.set_yscale("log")
    if log_steps:  # log steps, step 0 still shown
        ax.set_xscale("symlog", linthresh=first_step)
        ax.set_xlim(0, last)
    ax.legend()
    _finish(ax, "step", "risk", title)
    return fig
