"""Pictures of loss landscapes: 1-D slices, 2-D contours and surfaces, a path in its PCA plane.

The inputs are the arrays of :mod:`symopt.landscape`: ``alphas``, ``betas`` and
``values[i, j] = loss(θ + alphas[i] d1 + betas[j] d2)``.  Losses of neural networks span
decades away from a minimum, so by default (``log=None``) the value axis or the contour
levels are logarithmic when all values are positive and the largest is at least
``20`` times the smallest.  Give ``vmin``/``vmax`` to put several panels on one scale.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from symopt.errors import ArgumentTypeError, DegenerateError, HyperparameterError, ShapeError

__all__ = ["plot_path_pca", "plot_slice_1d", "plot_slice_2d"]

_LOG_RATIO = 20.0  # log scale by default when max / min of the values is at least this
_KINDS = ("contour", "filled", "surface")


def plot_slice_1d(
    alphas: Any,
    values: Any,
    *,
    ax: Any = None,
    log: bool | None = None,
    marks: Any = None,
    xlabel: str = "α",
    ylabel: str = "loss",
    title: str | None = None,
) -> Any:
    """The loss along a line: one curve, or several given as ``label -> values``.

    Parameters
    ----------
    alphas : array_like, shape (A,)
    values : array_like (A,), or mapping label -> (A,)
        E.g. :func:`symopt.landscape.slice_1d` of the train and the test loss.
    ax : matplotlib Axes, optional
    log : bool, optional
        Logarithmic value axis; by default when the values span a factor of 20.
    marks : mapping label -> alpha, or sequence of alphas, optional
        Vertical dotted lines, e.g. ``{"small batch": 0, "large batch": 1}``.
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> a = np.linspace(-0.5, 1.5, 41)
    >>> fig = plot_slice_1d(a, {"train": 1 + (a - 1) ** 2, "test": 1.5 + a**2},
    ...                     marks={"A": 0.0, "B": 1.0}, title="interpolation")
    >>> fig.axes[0].get_title(), fig.axes[0].get_yscale()
    ('interpolation', 'linear')
    """
    a = _array(alphas, "alphas", ndim=1)
    curves = values if isinstance(values, Mapping) else {None: values}
    curves = {
        k: _array(v, f"values[{k!r}]" if k else "values", shape=a.shape) for k, v in curves.items()
    }
    fig, ax = _axes(ax)
    for label, v in curves.items():
        ax.plot(a, v, lw=2, label=label)
    stacked = np.concatenate(list(curves.values()))
    if _use_log(stacked, log):
        ax.set_yscale("log")
    if marks is None:
        marks = {}
    pairs = marks.items() if isinstance(marks, Mapping) else [(None, m) for m in np.ravel(marks)]
    for k, (label, at) in enumerate(pairs):
        ax.axvline(float(at), color="0.3", ls=":", lw=1)
        if label is not None:
            ax.annotate(
                label,
                (float(at), 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(3, -4 - 12 * (k % 2)),
                textcoords="offset points",
                va="top",
                color="0.2",
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if any(label is not None for label in curves):
        ax.legend()
    ax.grid(alpha=0.3)
    return fig


def plot_slice_2d(
    alphas: Any,
    betas: Any,
    values: Any,
    *,
    kind: str = "contour",
    ax: Any = None,
    log: bool | None = None,
    levels: int = 25,
    vmin: float | None = None,
    vmax: float | None = None,
    colorbar: bool = True,
    xlabel: str = "α (direction 1)",
    ylabel: str = "β (direction 2)",
    title: str | None = None,
) -> Any:
    """The loss over a plane as contour lines, filled contours or a 3-D surface.

    Parameters
    ----------
    alphas, betas : array_like, shapes (A,) and (B,)
    values : array_like, shape (A, B)
        ``values[i, j]`` at ``(alphas[i], betas[j])``, as from
        :func:`symopt.landscape.slice_2d`.
    kind : "contour", "filled" or "surface"
        ``"surface"`` draws on a 3-D Axes (made if ``ax`` is None); with a log scale its
        height is ``log10(loss)``.
    ax : matplotlib Axes, optional
    log : bool, optional
        Logarithmic levels; by default when the values span a factor of 20.
    levels : int
        Number of contour levels.
    vmin, vmax : float, optional
        The range of the colour scale (default: the values' range).
    colorbar : bool
    xlabel, ylabel, title : str

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> g = np.linspace(-1, 1, 21)
    >>> values = 0.1 + np.exp(3 * g[:, None] ** 2 + g[None, :] ** 2)
    >>> fig = plot_slice_2d(g, g, values, kind="filled", title="a bowl")
    >>> fig.axes[0].get_title(), len(fig.axes)  # the plot and its colorbar
    ('a bowl', 2)
    """
    if kind not in _KINDS:
        raise HyperparameterError("kind", kind, f"one of {_KINDS}")
    a = _array(alphas, "alphas", ndim=1)
    b = _array(betas, "betas", ndim=1)
    z = _array(values, "values", shape=(a.size, b.size))
    use_log = _use_log(z, log)
    lo, hi = _range(z, vmin, vmax, use_log)
    fig, ax = _axes(ax, three_d=kind == "surface")
    if kind == "surface":
        mappable = _surface(ax, a, b, z, lo, hi, use_log)
    else:
        mappable = _contours(ax, a, b, z, lo, hi, use_log, levels, filled=kind == "filled")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title)
    if colorbar:
        bar = fig.colorbar(mappable, ax=ax, shrink=0.8 if kind == "surface" else 1.0)
        bar.set_label("log₁₀ loss" if kind == "surface" and use_log else "loss")
        if use_log and kind != "surface":
            _log_ticks(bar)
    return fig


def plot_path_pca(
    plane: Any,
    *,
    ax: Any = None,
    log: bool | None = None,
    levels: int = 25,
    colorbar: bool = True,
    title: str | None = None,
) -> Any:
    """An optimization path over the loss contours of its PCA plane (Li et al., Fig. 9).

    Parameters
    ----------
    plane : symopt.landscape.PathPlane
        From :func:`symopt.landscape.path_plane`: the grid, its loss values, the path's
        coordinates and the variance each direction explains.
    ax : matplotlib Axes, optional
    log : bool, optional
        Logarithmic contour levels; by default when the values span a factor of 20.
    levels : int
    colorbar : bool
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from symopt.landscape import path_plane
    >>> t = np.linspace(1.0, 0.0, 30)[:, None]
    >>> path = np.hstack([np.cos(4 * t) * t, np.sin(4 * t) * t, 0.1 * t])
    >>> plane = path_plane(lambda x: np.sum(x**2, axis=-1), path, n=21)
    >>> fig = plot_path_pca(plane)
    >>> fig.axes[0].get_xlabel()[:5]
    'PC1 ('
    """
    for field in ("alphas", "betas", "values", "coords", "explained"):
        if not hasattr(plane, field):
            raise ArgumentTypeError(
                f"plane has no {field!r}: give the PathPlane of symopt.landscape.path_plane"
            )
    fig = plot_slice_2d(
        plane.alphas,
        plane.betas,
        plane.values,
        kind="contour",
        ax=ax,
        log=log,
        levels=levels,
        colorbar=colorbar,
        title=title,
        xlabel=f"PC1 ({100 * plane.explained[0]:.1f} %)",
        ylabel=f"PC2 ({100 * plane.explained[1]:.1f} %)",
    )
    ax = ax if ax is not None else fig.axes[0]
    xy = np.asarray(plane.coords, dtype=float)
    ax.plot(xy[:, 0], xy[:, 1], "-", color="crimson", lw=1.5, zorder=3)
    ax.plot(xy[:, 0], xy[:, 1], ".", color="crimson", ms=4, zorder=3)
    ax.plot(*xy[0], "o", color="crimson", mec="k", ms=8, zorder=4, label="start")
    ax.plot(*xy[-1], "*", color="gold", mec="k", ms=14, zorder=4, label="final point")
    ax.legend(loc="best")
    return fig


# -- helpers --------------------------------------------------------------------------


def _contours(ax, a, b, z, lo, hi, use_log, levels, filled):
    from matplotlib.colors import LogNorm, Normalize

    if isinstance(levels, bool) or not isinstance(levels, int | np.integer) or levels < 2:
        raise HyperparameterError("levels", levels, "an int >= 2")
    steps = np.geomspace(lo, hi, levels) if use_log else np.linspace(lo, hi, levels)
    norm = LogNorm(lo, hi) if use_log else Normalize(lo, hi)
    draw = ax.contourf if filled else ax.contour
    kwargs = {"extend": "both"} if filled else {"linewidths": 1.0}
    mappable = draw(a, b, z.T, levels=steps, norm=norm, cmap="viridis", **kwargs)
    if filled:
        ax.contour(a, b, z.T, levels=steps, colors="k", linewidths=0.3, alpha=0.5)
    if _inside(a, b):  # the point the slice is attached to
        ax.plot(0.0, 0.0, "+", color="k", ms=10, mew=1.5)
    ax.set_aspect("auto")
    return mappable


def _surface(ax, a, b, z, lo, hi, use_log):
    from matplotlib.colors import Normalize
    from matplotlib.ticker import MaxNLocator

    height = np.log10(np.clip(z, lo, None)) if use_log else z
    top = np.log10(hi) if use_log else hi
    low = np.log10(lo) if use_log else lo
    height = np.minimum(height, top)
    A, B = np.meshgrid(a, b, indexing="ij")
    mappable = ax.plot_surface(
        A,
        B,
        height,
        cmap="viridis",
        norm=Normalize(low, top),
        linewidth=0,
        antialiased=True,
        rstride=1,
        cstride=1,
    )
    ax.set_zlim(low, top)  # so that panels with one vmin/vmax share their height too
    for axis in (ax.xaxis, ax.yaxis):  # few ticks, labels clear of them: 3-D axes crowd
        axis.set_major_locator(MaxNLocator(5))
        axis.labelpad = 12
    ax.zaxis.set_major_locator(MaxNLocator(6, integer=use_log))  # decades on a log height
    ax.set_zlabel("log₁₀ loss" if use_log else "loss")
    ax.view_init(elev=35, azim=-60)
    return mappable


def _log_ticks(bar: Any) -> None:
    """Ticks at 1, 2, 5 times powers of ten (only the powers over more than 3 decades),
    as plain numbers (no mathtext)."""
    from matplotlib.ticker import FuncFormatter, LogLocator

    vmin, vmax = bar.mappable.norm.vmin, bar.mappable.norm.vmax
    decades = np.log10(vmax / vmin) if vmin and vmax and vmax > vmin > 0 else 0.0
    subs = (1.0,) if decades > 3 else (1.0, 2.0, 5.0)
    bar.ax.yaxis.set_major_locator(LogLocator(subs=subs))
    bar.ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    bar.ax.yaxis.set_minor_locator(LogLocator(subs=()))


def _inside(a: np.ndarray, b: np.ndarray) -> bool:
    return a.min() <= 0 <= a.max() and b.min() <= 0 <= b.max()


def _use_log(values: np.ndarray, log: bool | None) -> bool:
    finite = values[np.isfinite(values)]
    positive = finite.size > 0 and finite.min() > 0
    if log is None:
        return bool(positive and finite.max() >= _LOG_RATIO * finite.min())
    if log and not positive:
        raise HyperparameterError(
            "log",
            log,
            "False or None: the loss has values <= 0 here, which a log scale cannot show",
        )
    return bool(log)


def _range(z: np.ndarray, vmin: Any, vmax: Any, use_log: bool) -> tuple[float, float]:
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        raise DegenerateError(
            "values has no finite entry to draw (all NaN or inf): evaluate the loss over a "
            "smaller range"
        )
    lo = float(finite.min()) if vmin is None else float(vmin)
    hi = float(finite.max()) if vmax is None else float(vmax)
    if use_log and lo <= 0:
        raise HyperparameterError("vmin", vmin, "a positive number with a log scale")
    if not hi > lo:  # a flat slice: widen the scale a little so levels exist
        hi = lo * 1.01 if use_log else lo + max(abs(lo) * 0.01, 1e-12)
    return lo, hi


def _array(value: Any, name: str, ndim: int | None = None, shape: Sequence | None = None):
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ShapeError(f"{name} must be an array of numbers") from None
    if ndim is not None and v.ndim != ndim:
        raise ShapeError(f"{name} must be {ndim}-D, got shape {v.shape}")
    if shape is not None and v.shape != tuple(shape):
        raise ShapeError(f"{name} has shape {v.shape}, expected {tuple(shape)}")
    return v


def _axes(ax: Any, three_d: bool = False) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    if ax is None:
        if three_d:
            fig = plt.figure(figsize=(7.5, 6))
            ax = fig.add_subplot(projection="3d")
        else:
            fig, ax = plt.subplots(figsize=(7, 5.5))
        return fig, ax
    if three_d and getattr(ax, "name", "") != "3d":
        raise ArgumentTypeError('kind="surface" needs a 3-D Axes: add_subplot(projection="3d")')
    return ax.figure, ax
