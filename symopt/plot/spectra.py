"""Hessian spectra: the sharpness along runs against the 2/η lines, eigenvalue densities.

matplotlib is imported inside the functions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

__all__ = ["plot_sharpness", "plot_spectral_density"]


def plot_sharpness(
    steps: Any,
    values: Any,
    lrs: Sequence[float],
    *,
    ax: Any = None,
    labels: Sequence[str] | None = None,
    title: str | None = None,
    ylabel: str = "sharpness λ_max",
) -> Any:
    """λ_max per run (solid) with each run's stability limit 2/η (dashed, same colour).

    Parameters
    ----------
    steps : array_like (T,)
    values : array_like (T, R)
        E.g. :attr:`symopt.landscape.SharpnessTracker.values` of a batch of ``R`` runs.
    lrs : sequence of R floats
        The step sizes η of the runs.
    ax : matplotlib Axes, optional
    labels : sequence of R str, optional
        Default ``"η = …"``.
    title, ylabel : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> fig = plot_sharpness([0, 10, 20], np.array([[1.0, 1.0], [2.0, 3.0], [2.0, 4.0]]),
    ...                      [1.0, 0.5], title="sharpness")
    >>> len(fig.axes[0].lines)   # two runs and their two 2/η lines
    4
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    steps = np.asarray(steps)
    values = np.asarray(values, dtype=float).reshape(len(steps), -1)
    ax = ax if ax is not None else plt.figure(figsize=(7, 4.5)).add_subplot()
    labels = labels or [f"η = {lr:g}" for lr in lrs]
    last = len(lrs) - 1
    for k, (lr, label) in enumerate(zip(lrs, labels, strict=True)):
        color = f"C{k}"
        # earlier runs drawn wider, so that coinciding curves stay visible
        ax.plot(steps, values[:, k], color=color, lw=1.8 + 1.2 * (last - k), label=label)
        ax.axhline(2.0 / lr, color=color, ls="--", lw=1.3, label=f"2/η = {2.0 / lr:.3g}")
    ax.set_xlabel("step")
    ax.set_ylabel(ylabel)
    ax.set_ylim(0, 1.12 * max(float(np.max(values)), 2.0 / min(lrs)))
    if title:
        ax.set_title(title)
    ax.legend(ncol=2, fontsize="small")
    return ax.figure


def plot_spectral_density(
    densities: Mapping[str, Any],
    *,
    ax: Any = None,
    width: float | None = None,
    points: int = 600,
    marks: Mapping[str, float] | None = None,
    title: str | None = None,
) -> Any:
    """Smoothed eigenvalue densities on a logarithmic density axis, one curve per label.

    Parameters
    ----------
    densities : mapping label -> :class:`symopt.landscape.Density`
    ax : matplotlib Axes, optional
    width : float, optional
        The Gaussian's standard deviation; by default 1 % of the range of all nodes.
    points : int
        Grid points over the range of the nodes (plus a margin).
    marks : mapping label -> eigenvalue, optional
        Vertical dotted lines, e.g. ``{"2/η": 5.0}``, coloured as the first curves.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from symopt.landscape import Density
    >>> d = Density(np.array([0.0, 3.0]), np.array([0.9, 0.1]), ())
    >>> fig = plot_spectral_density({"two masses": d}, marks={"2/η": 2.0})
    >>> fig.axes[0].get_yscale()
    'log'
    >>> import matplotlib.pyplot as plt; plt.close(fig)
    """
    import matplotlib.pyplot as plt

    ax = ax if ax is not None else plt.figure(figsize=(7, 4.5)).add_subplot()
    nodes = np.concatenate([d.nodes for d in densities.values()])
    lo, hi = float(nodes.min()), float(nodes.max())
    width = width if width is not None else 0.01 * max(hi - lo, 1e-12)
    grid = np.linspace(lo - 5 * width, hi + 5 * width, points)
    peak = 0.0
    for k, (label, d) in enumerate(densities.items()):
        y = d.evaluate(grid, width)
        ax.plot(grid, np.maximum(y, 1e-300), color=f"C{k}", lw=2, label=label)
        peak = max(peak, float(y.max()))
    for k, (label, value) in enumerate((marks or {}).items()):
        ax.axvline(value, color=f"C{k}", ls=":", lw=1.5, label=label)
    ax.set_yscale("log")
    ax.set_ylim(peak * 1e-7, peak * 3)  # seven decades: the bulk and the outliers
    ax.set_xlabel("Hessian eigenvalue λ")
    ax.set_ylabel(f"density (Gaussian width {width:.2g})")
    if title:
        ax.set_title(title)
    ax.legend(fontsize="small")
    return ax.figure
