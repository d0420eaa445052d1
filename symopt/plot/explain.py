"""Pictures of :func:`symopt.explain`: stability panels, Hessian spectra, PNG data.

* :func:`plot_stability`: one panel per minimum, zoomed on it, with the GD runs at
  several multiples of its stability limit (:func:`~symopt.plot.paths.plot_trajectories`
  per panel, the minimum marked in the shared style).
* :func:`plot_spectra`: the Hessian's eigenvalues at every critical point, coloured by
  kind, with the line ``λ = 2/η`` that GD's learning rate must keep every curvature below.
* :func:`plot_value_panels`: the same runs as value curves, one panel per minimum (any n).
* :func:`png`: a figure as PNG bytes (and closed).

matplotlib is imported inside the functions.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np

from symopt.plot.paths import LABEL_SIZE, LEGEND_SIZE, TITLE_SIZE
from symopt.plot.points import KIND_STYLE, mark_point

__all__ = ["plot_spectra", "plot_stability", "plot_value_panels", "png"]


def plot_stability(objective: Any, rows: Sequence[tuple[str, Any, float, Any]]) -> Any:
    """One row of panels per ``(title, centre, half_width, runs)``: the contours of the 2-D
    ``objective`` around ``centre`` (a minimum, marked), one panel per run of ``runs``
    (``dict label -> Trajectory``), titled ``title`` and the run's label; one legend.

    Examples
    --------
    >>> import numpy as np, symopt
    >>> f = symopt.Objective("x**2 + 4*y**2")
    >>> runs = {f"η = {lr}": symopt.minimize(f, symopt.optim.gd(lr=lr), [0.1, 0.1], steps=20)
    ...         for lr in (0.1, 0.3)}
    >>> fig = plot_stability(f, [("minimum", np.zeros(2), 0.2, runs)])
    >>> [ax.get_title().splitlines()[1] for ax in fig.axes]
    ['η = 0.1', 'η = 0.3']
    >>> png(fig)[:4]  # closes it
    b'\x89PNG'
    """
    import matplotlib.pyplot as plt

    from symopt.plot.paths import plot_trajectories

    ncols = max(len(runs) for *_, runs in rows)
    fig, axes = plt.subplots(
        len(rows),
        ncols,
        figsize=(5 * ncols, 4.9 * len(rows) + 0.8),
        layout="constrained",
        squeeze=False,
    )
    markers: dict[str, Any] = {}
    for r, (title, centre, half, runs) in enumerate(rows):
        centre = np.asarray(centre, dtype=float)
        bounds = np.stack([centre - half, centre + half], axis=1)
        for c, (label, traj) in enumerate(runs.items()):
            ax = axes[r, c]
            plot_trajectories(
                objective,
                {label: traj},
                ax=ax,
                bounds=bounds,
                title=f"{title}\n{label}",
                colors=[f"C{c}"],
            )
            ax.title.set_fontsize(LABEL_SIZE)
            legend = ax.get_legend()
            for handle, text in zip(legend.legend_handles, legend.texts, strict=True):
                if text.get_text() != label:
                    markers.setdefault(text.get_text(), handle)
            legend.remove()
            mark_point(ax, centre, "minimum", label="", ms=0.8 * KIND_STYLE["minimum"]["ms"])
        for ax in axes[r, len(runs) :]:
            ax.set_visible(False)
    markers.setdefault("minimum", mark_point(axes[0, 0], centre, "minimum", ms=9))
    fig.legend(
        list(markers.values()),
        list(markers),
        loc="outside lower center",
        ncol=len(markers),
        fontsize=LEGEND_SIZE + 1,
    )
    return fig


def plot_value_panels(panels: Sequence[tuple[str, float, Any]]) -> Any:
    """One panel per ``(title, f_min, runs)``: ``f(x_t) − f_min`` of the runs
    (``dict label -> Trajectory``) against the step, by
    :func:`~symopt.plot.paths.plot_values`.

    Examples
    --------
    >>> import symopt
    >>> f = symopt.Objective("x**2 + y**2 + z**2")
    >>> runs = {"η = 0.1": symopt.minimize(f, symopt.optim.gd(lr=0.1), [1.0, 1.0, 1.0])}
    >>> fig = plot_value_panels([("minimum 1", 0.0, runs)])
    >>> fig.axes[0].get_title()
    'minimum 1'
    >>> png(fig)[:4]  # closes it
    b'\x89PNG'
    """
    import matplotlib.pyplot as plt

    from symopt.plot.paths import plot_values

    k = len(panels)
    fig, axes = plt.subplots(1, k, figsize=(7.5 * k, 5), layout="constrained", squeeze=False)
    for ax, (title, f_min, runs) in zip(axes[0], panels, strict=True):
        plot_values(runs, ax=ax, minimum=f_min, title=title)
    return fig


def plot_spectra(
    labels: Sequence[str],
    eigenvalues: Sequence[Sequence[float]],
    kinds: Sequence[str],
    lr: float | None = None,
    ax: Any = None,
    title: str | None = None,
) -> Any:
    """The Hessian's eigenvalues at each critical point (one row each, in the colour and
    marker of its kind), with ``λ = 0`` and, given ``lr``, the line ``λ = 2/η``: GD is
    locally stable at a minimum iff all its eigenvalues lie left of it.

    Examples
    --------
    >>> fig = plot_spectra(["(1, 1)", "(0, 0)"], [[3, 9], [-3, 3]], ["minimum", "saddle"], lr=0.1)
    >>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
    ['(1, 1)', '(0, 0)']
    >>> png(fig)[:4]  # closes it
    b'\x89PNG'
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(8.5, 1.2 + 0.7 * max(len(labels), 2)), layout="constrained")
    else:
        fig = ax.figure
    shown: dict[str, bool] = {}
    for row, (values, kind) in enumerate(zip(eigenvalues, kinds, strict=True)):
        values = np.asarray(values, dtype=float)
        label = "" if kind in shown else kind
        shown[kind] = True
        ax.plot(values, np.full(values.shape, row), "-", color="0.75", lw=1, zorder=1)
        mark_point_row(ax, values, row, kind, label)
    ax.axvline(0.0, color="k", lw=1)
    if lr is not None:
        ax.axvline(2 / lr, color="tab:red", ls="--", lw=1.5, label=f"GD's limit 2/η = {2 / lr:.4g}")
    ax.set_yticks(range(len(labels)), list(labels), fontsize=LABEL_SIZE - 2)
    ax.set_ylim(-0.7, len(labels) - 0.3)
    ax.invert_yaxis()
    ax.set_xlabel("Hessian eigenvalue λ", fontsize=LABEL_SIZE)
    ax.tick_params(axis="x", labelsize=LABEL_SIZE - 2)
    ax.grid(True, axis="x", alpha=0.3)
    ax.legend(fontsize=LEGEND_SIZE, loc="best")
    ax.set_title(title or "curvatures at the critical points", fontsize=TITLE_SIZE)
    return fig


def mark_point_row(ax: Any, values: np.ndarray, row: int, kind: str, label: str) -> None:
    """The eigenvalues of one critical point as markers of its kind on row ``row``."""
    for i, v in enumerate(values):
        mark_point(ax, (v, row), kind, label=label if i == 0 else "", ms=9)


def png(fig: Any) -> bytes:
    """``fig`` as PNG bytes; the figure is closed."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()
