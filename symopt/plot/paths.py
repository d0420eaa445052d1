"""Pictures of runs: paths on contours, value curves, sweep heat maps, GIF animations.

Every function takes the results of :func:`symopt.minimize` / :func:`symopt.sweep`.
Runs are given as one Trajectory, a sequence of them or a dict ``label -> Trajectory``
(:func:`symopt.plot.runs.labelled`); a batched trajectory draws each of its runs (up to
``max_runs``) in the same colour.  ``objective`` is a :class:`symopt.Objective`,
anything with ``value(x)``, or a :class:`symopt.problems.Problem` (whose plot box,
minima and saddles are then used); the stationary point of a :func:`symopt.quadratic`
objective is marked too, in the shared style of its kind
(:data:`symopt.plot.points.KIND_STYLE`).

The view of a path plot follows the paths but is robust: it spans the starts, the
objective's box if it has one, and the central 98 % of the points of the runs that did
not diverge, so a diverging run cannot squash the picture; where a path leaves the view
it is marked with a cross.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from symopt.errors import ShapeError, SymoptError
from symopt.plot.runs import labelled as _labelled

__all__ = [
    "animate_trajectories",
    "plot_sweep",
    "plot_trajectories",
    "plot_trajectory_grid",
    "plot_values",
]

TITLE_SIZE, LABEL_SIZE, LEGEND_SIZE = 15, 13, 11


# -- inputs -------------------------------------------------------------------------


def _runs(traj: Any, max_runs: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Paths ``(runs, rows, n)``, steps ``(rows,)`` and status ``(runs,)``, at most
    ``max_runs`` runs."""
    x = np.asarray(traj.x, dtype=float)
    paths = np.moveaxis(x.reshape(x.shape[0], -1, x.shape[-1]), 1, 0)[:max_runs]
    status = np.ravel(traj.status)[:max_runs]
    return paths, np.asarray(traj.steps), status


Mark = tuple[np.ndarray, str]  # a known critical point and its kind


def _stationary_point(objective: Any) -> list[Mark]:
    """The stationary point of a :class:`symopt.quadratic.Quadratic` (none when it is a
    whole family, singular ``H``, or does not exist)."""
    point, kind = getattr(objective, "stationary_point", None), getattr(objective, "kind", None)
    if not isinstance(point, Mapping) or kind is None:
        return []
    coordinates = [point[v] for v in objective.variables]
    if any(getattr(c, "free_symbols", None) for c in coordinates):
        return []
    return [(np.array([float(c) for c in coordinates]), kind)]


def _surface(objective: Any) -> tuple[Any, Any, list[Mark]]:
    """The value function, the problem's plot box (or None) and the known critical
    points: a Problem's minima and saddles, a Quadratic's stationary point."""
    bounds, marks = None, []
    if hasattr(objective, "objective") and hasattr(objective, "minima"):  # a Problem
        bounds = getattr(objective, "bounds", None)
        known = {
            "minimum": (*objective.minima, *getattr(objective, "local_minima", ())),
            "saddle": getattr(objective, "saddles", ()),
        }
        marks = [(np.asarray(p, dtype=float), kind) for kind, ps in known.items() for p in ps]
        objective = objective.objective
    else:
        marks = _stationary_point(objective)
    compiled = objective.compile() if callable(getattr(objective, "compile", None)) else objective
    if not callable(getattr(compiled, "value", None)):
        raise SymoptError("objective must be an Objective, a Problem or have value(x)")
    n = getattr(compiled, "n", None)
    if n is not None and n != 2:
        raise ShapeError(f"path plots need an objective of 2 variables, this one has {n}")
    return compiled.value, bounds, marks


def _view_box(
    labelled: dict[str, Any], hint: Any, marks: list[Mark], max_runs: int
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper corner of a view that follows the paths, robust to divergence.

    It spans the starts, the hint box, the known critical points, the final points of
    the runs that did not diverge and the central 98 % of all their points: a diverged
    run, or one far excursion of a run that comes back, cannot squash the picture."""
    core, kept = [np.array([p for p, _ in marks]).reshape(-1, 2)], []
    for traj in labelled.values():
        paths, _, status = _runs(traj, max_runs)
        ok = paths[status != "diverged"]
        core.extend([paths[:, 0], ok[:, -1]])
        kept.append(ok.reshape(-1, 2))
    core, kept = (_finite(np.concatenate(c)) for c in (core, kept))
    lo, hi = core.min(axis=0), core.max(axis=0)
    if len(kept):
        lo = np.minimum(lo, np.quantile(kept, 0.01, axis=0))
        hi = np.maximum(hi, np.quantile(kept, 0.99, axis=0))
    if hint is not None:
        box = np.asarray(hint, dtype=float)
        lo, hi = np.minimum(lo, box[:, 0]), np.maximum(hi, box[:, 1])
    pad = np.maximum(0.06 * (hi - lo), 1e-3 * (1 + np.abs(hi)))
    return lo - pad, hi + pad


# -- contours -----------------------------------------------------------------------


def _levels(z: np.ndarray, levels: Any) -> Any:
    """Contour levels; ``"auto"``: log-spaced above the minimum when the values span
    several decades (Rosenbrock), else evenly spaced."""
    if not isinstance(levels, str):
        return levels
    finite = z[np.isfinite(z)]
    zmin, zmax = float(finite.min()), float(finite.max())
    span = finite - zmin
    median = float(np.median(span))
    if median > 0 and zmax - zmin > 8 * median:
        low = max(float(np.quantile(span, 0.002)), median * 1e-3)
        return zmin + np.geomspace(low, zmax - zmin, 20)
    return np.linspace(zmin, zmax, 20)


def _draw_surface(ax: Any, value: Any, lo: np.ndarray, hi: np.ndarray, levels: Any) -> None:
    xs, ys = np.linspace(lo[0], hi[0], 160), np.linspace(lo[1], hi[1], 160)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1)
    with np.errstate(all="ignore"):
        z = np.asarray(value(grid), dtype=float)
    lv = _levels(z, levels)
    ax.contourf(xs, ys, z, levels=lv, cmap="Greys", alpha=0.45, extend="both")
    ax.contour(xs, ys, z, levels=lv, colors="0.35", linewidths=0.5, alpha=0.7)


def _finite(points: np.ndarray) -> np.ndarray:
    return points[np.all(np.isfinite(points), axis=1)]


def _inside(path: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    return np.all((path >= lo) & (path <= hi), axis=1)


def _exit_point(a: np.ndarray, b: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Where the segment from ``a`` (inside the box) to ``b`` (outside) crosses its edge."""
    with np.errstate(divide="ignore", invalid="ignore"):
        d = b - a
        s = np.where(d > 0, (hi - a) / d, np.where(d < 0, (lo - a) / d, np.inf))
    return a + float(np.min(s)) * d


def _clip_path(path: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, bool]:
    """The path up to where it leaves the box for good (ending on the box edge), and
    whether it left.  Excursions it comes back from are kept (the axes clip them)."""
    inside = _inside(path, lo, hi)
    if inside[-1] or not inside.any():
        return path, False
    k = len(inside) - 1 - int(np.argmax(inside[::-1]))  # the last point inside
    a, b = path[k], path[k + 1]
    if not np.all(np.isfinite(b)):
        return path[: k + 1], True
    return np.vstack([path[: k + 1], _exit_point(a, b, lo, hi)]), True


def _excursion_exits(path: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The points on the box edge where a (clipped) path steps out of the view and later
    comes back, shape ``(k, 2)``."""
    inside = _inside(path, lo, hi)
    out = np.flatnonzero(inside[:-1] & ~inside[1:] & np.all(np.isfinite(path[1:]), axis=1))
    return np.array([_exit_point(path[k], path[k + 1], lo, hi) for k in out]).reshape(-1, 2)


def _finish_axes(ax: Any, lo: np.ndarray, hi: np.ndarray, title: str | None) -> None:
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ratio = (hi[1] - lo[1]) / (hi[0] - lo[0])
    if 1 / 3 <= ratio <= 3:
        ax.set_aspect("equal")
    ax.set_xlabel("$x_1$", fontsize=LABEL_SIZE)
    ax.set_ylabel("$x_2$", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.locator_params(nbins=6)  # lecture-size tick labels do not run into each other
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)


def _axes(ax: Any, size: tuple[float, float] = (9, 6)) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return ax.figure, ax


def _colors(k: int) -> list[Any]:
    import matplotlib.pyplot as plt

    cycle = plt.rcParams["axes.prop_cycle"].by_key().get("color", ["C0"])
    return [cycle[i % len(cycle)] for i in range(k)]


# -- public -------------------------------------------------------------------------


def plot_trajectories(
    objective: Any,
    trajectories: Any,
    ax: Any = None,
    bounds: Any = None,
    levels: Any = "auto",
    title: str | None = None,
    max_runs: int = 20,
    colors: Sequence[Any] | None = None,
    legend: str = "right",
) -> Any:
    """Paths of one or several optimizers on the contours of a 2-D objective.

    Parameters
    ----------
    objective : Objective, Problem or object with ``value(x)``
        The 2-D objective drawn as filled contours.
    trajectories : Trajectory, sequence or dict label -> Trajectory
        The runs; each label gets one colour and a legend entry.
    ax : matplotlib Axes, optional
    bounds : ((xmin, xmax), (ymin, ymax)), optional
        The view; by default it follows the paths (robust to diverging runs).
    levels : "auto", int or sequence
        Contour levels (``"auto"``: log-spaced when values span decades).
    title : str, optional
    max_runs : int
        At most this many runs of a batched trajectory are drawn.
    colors : sequence of matplotlib colours, optional
        One per label (default: the colour cycle).
    legend : "right" or "below"
        Where the legend goes, outside the axes ("below" suits long labels).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2 + 5*y**2")
    >>> runs = {"gd 0.05": symopt.minimize(f, gd(lr=0.05), [2.0, 1.0], steps=40)}
    >>> fig = plot_trajectories(f, runs, title="GD")
    >>> fig.axes[0].get_title()
    'GD'
    """
    from matplotlib.lines import Line2D

    value, hint, marks = _surface(objective)
    labelled = _labelled(trajectories)
    if bounds is not None:
        box = np.asarray(bounds, dtype=float)
        lo, hi = box[:, 0], box[:, 1]
    else:
        lo, hi = _view_box(labelled, hint, marks, max_runs)
    own_figure = ax is None
    fig, ax = _axes(ax)
    _draw_surface(ax, value, lo, hi, levels)
    handles = []
    left_view = False
    if colors is not None and len(colors) != len(labelled):
        raise SymoptError(f"give one colour per label: {len(labelled)}, not {len(colors)}")
    palette = _colors(len(labelled)) if colors is None else list(colors)
    for color, (label, traj) in zip(palette, labelled.items(), strict=True):
        paths, _, _ = _runs(traj, max_runs)
        alpha = 1.0 if len(paths) == 1 else max(0.35, 1.0 / np.sqrt(len(paths)))
        for path in paths:
            shown, left = _clip_path(path, lo, hi)
            exits = _excursion_exits(shown, lo, hi)
            left_view |= left or len(exits) > 0
            ax.plot(shown[:, 0], shown[:, 1], "-", color=color, lw=2, alpha=alpha, zorder=3)
            ax.plot(*path[0], "s", color=color, ms=7, mec="k", zorder=4)
            end = ("X", 12) if left else ("*", 15)
            ax.plot(*shown[-1], end[0], color=color, ms=end[1], mec="k", zorder=5, clip_on=False)
            for e in exits:
                ax.plot(*e, "X", color=color, ms=9, mec="k", zorder=5, clip_on=False)
        handles.append(Line2D([], [], color=color, lw=2.5, label=label))
    marker = {"ls": "", "color": "0.6", "mec": "k"}
    handles.append(Line2D([], [], marker="s", ms=7, label="start", **marker))
    handles.append(Line2D([], [], marker="*", ms=14, label="end", **marker))
    if left_view:
        handles.append(Line2D([], [], marker="X", ms=11, label="leaves the view", **marker))
    handles += _mark_critical(ax, marks, lo, hi)
    if legend not in ("right", "below"):
        raise SymoptError(f'legend={legend!r}: expected "right" or "below"')
    _finish_axes(ax, lo, hi, title)
    if legend == "below":
        ax.legend(
            handles=handles,
            fontsize=LEGEND_SIZE,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncol=min(len(handles), 3),
        )
        if own_figure:  # room for the (equal-aspect) axes, the title and the legend
            ratio = np.clip((hi[1] - lo[1]) / (hi[0] - lo[0]), 1 / 3, 3)
            fig.set_size_inches(8, 6.6 * ratio + 2.4)
        return fig
    box = ax.legend(
        handles=handles,
        fontsize=LEGEND_SIZE,
        loc="upper left",
        bbox_to_anchor=(1.02, 1),
        borderaxespad=0,
    )
    if own_figure:
        _fit_width(fig, box)
    return fig


def plot_trajectory_grid(
    panels: Sequence[tuple[str, Any, Any]],
    ncols: int | None = None,
    bounds: Any = None,
    levels: Any = "auto",
    title: str | None = None,
    colors: Sequence[Any] | None = None,
    max_runs: int = 20,
    panel_size: tuple[float, float] = (4.4, 4.0),
) -> Any:
    """Small multiples: one path plot per panel, one legend of the markers below them.

    Parameters
    ----------
    panels : sequence of (title, objective, trajectories)
        Each is drawn by :func:`plot_trajectories` in its own axes, titled ``title``.
    ncols : int, optional
        Panels per row (default: up to 4).
    bounds, levels, max_runs
        As for :func:`plot_trajectories`, the same for every panel.
    title : str, optional
        The figure's title.
    colors : sequence of matplotlib colours, optional
        One per panel, for all the runs of that panel (default: the colour cycle).
    panel_size : (width, height)
        Inches per panel.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import symopt
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2 + 5*y**2")
    >>> runs = [(f"η = {lr}", f, symopt.minimize(f, gd(lr), [2.0, 1.0], steps=30))
    ...         for lr in (0.05, 0.15)]
    >>> fig = plot_trajectory_grid(runs, title="GD on x² + 5y²")
    >>> [ax.get_title() for ax in fig.axes], fig.legends[0].texts[0].get_text()
    (['η = 0.05', 'η = 0.15'], 'start')
    """
    import matplotlib.pyplot as plt

    panels = list(panels)
    if not panels:
        raise SymoptError("give at least one panel (title, objective, trajectories)")
    if colors is not None and len(colors) != len(panels):
        raise SymoptError(f"give one colour per panel: {len(panels)}, not {len(colors)}")
    ncols = ncols or min(len(panels), 4)
    nrows = -(-len(panels) // ncols)
    size = (panel_size[0] * ncols, panel_size[1] * nrows + 0.9 + 0.5 * bool(title))
    fig, axes = plt.subplots(nrows, ncols, figsize=size, layout="constrained", squeeze=False)
    markers: dict[str, Any] = {}
    for k, (name, objective, trajectories) in enumerate(panels):
        ax = axes.flat[k]
        labels = _labelled(trajectories)
        own = None if colors is None else [colors[k]] * len(labels)
        kw = {"bounds": bounds, "levels": levels, "max_runs": max_runs, "colors": own}
        plot_trajectories(objective, labels, ax=ax, title=name, **kw)
        legend = ax.get_legend()
        for handle, text in zip(legend.legend_handles, legend.texts, strict=True):
            if text.get_text() not in labels:  # start, end, critical points ...
                markers.setdefault(text.get_text(), handle)
        legend.remove()
        if bounds is not None:  # the same view everywhere: label the outer panels only
            _label_outer(ax, bottom=k + ncols >= len(panels), left=k % ncols == 0)
    for ax in axes.flat[len(panels) :]:
        ax.set_visible(False)
    fig.legend(
        list(markers.values()),
        list(markers),
        loc="outside lower center",
        ncol=len(markers),
        fontsize=LEGEND_SIZE + 1,
    )
    if title:
        fig.suptitle(title, fontsize=TITLE_SIZE)
    return fig


def _label_outer(ax: Any, bottom: bool, left: bool) -> None:
    """Keep the tick labels and axis label of x on a bottom panel (one with no panel
    below it), of y on a left panel."""
    if not bottom:
        ax.tick_params(labelbottom=False)
        ax.set_xlabel("")
    if not left:
        ax.tick_params(labelleft=False)
        ax.set_ylabel("")


def _mark_critical(ax: Any, marks: list[Mark], lo: np.ndarray, hi: np.ndarray) -> list[Any]:
    """Mark the known critical points in the view in the shared style of their kind
    (:data:`symopt.plot.points.KIND_STYLE`), above the paths and their end stars so a
    run that converged does not hide its minimum; one legend handle per kind."""
    from matplotlib.lines import Line2D

    from symopt.plot.points import KIND_STYLE, mark_point

    kinds = []
    for point, kind in marks:
        if kind in KIND_STYLE and np.all((point >= lo) & (point <= hi)):
            # a little smaller than elsewhere, so the end star around it shows
            ms = 0.8 * KIND_STYLE[kind]["ms"]
            mark_point(ax, point, kind, label="", zorder=6, gid="critical point", ms=ms)
            kinds.append(kind)
    return [
        Line2D([], [], mec="k", ls="", label=kind, **{**KIND_STYLE[kind], "ms": 9})
        for kind in dict.fromkeys(kinds)
    ]


def _fit_width(fig: Any, legend: Any) -> None:
    """Widen a figure we made so that the legend beside the axes fits: about 6.6 inches
    for the (equal-aspect) axes and its labels, plus the legend's own width."""
    width = legend.get_window_extent(fig.canvas.get_renderer()).width / fig.dpi
    fig.set_figwidth(max(fig.get_figwidth(), 6.6 + width + 0.3))


def plot_values(
    trajectories: Any,
    ax: Any = None,
    what: str = "value",
    minimum: float | None = None,
    title: str | None = None,
    max_runs: int = 20,
    floor: float | None = 1e-16,
) -> Any:
    """The objective value (or gradient norm) against the step, on a log scale.

    Parameters
    ----------
    trajectories : Trajectory, sequence or dict label -> Trajectory
    ax : matplotlib Axes, optional
    what : "value" or "grad_norm"
    minimum : float, optional
        Plot ``f(x_t) - minimum`` (the gap, positive on a log scale).  When it is not
        given and some values are <= 0, a symmetric-log scale is used.
    title : str, optional
    max_runs : int
        At most this many runs per batched trajectory are drawn; larger batches are
        drawn as their median with a 10-90 % band.
    floor : float or None
        On a log axis, show nothing below ``floor`` times the largest starting value:
        below ~1e-16 of where a run started its values are round-off, not progress.
        A dotted line marks the floor when a curve reaches it.  ``None``: no floor.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import symopt
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2 + 5*y**2")
    >>> fig = plot_values(symopt.minimize(f, gd(lr=0.05), [2.0, 1.0], steps=40))
    >>> fig.axes[0].get_yscale()
    'log'
    """
    if what not in ("value", "grad_norm"):
        raise SymoptError(f'what={what!r}: expected "value" or "grad_norm"')
    labelled = _labelled(trajectories)
    fig, ax = _axes(ax, (7.5, 5))
    lowest, highest, highest_start = np.inf, 0.0, 0.0
    for color, (label, traj) in zip(_colors(len(labelled)), labelled.items(), strict=True):
        y = np.asarray(traj.values if what == "value" else traj.grad_norms, dtype=float)
        if what == "value" and minimum is not None:
            y = y - minimum
        y = y.reshape(len(y), -1)
        lowest = min(lowest, float(np.nanmin(y)) if y.size else np.inf)
        highest = max(highest, float(np.nanmax(y, initial=0.0, where=np.isfinite(y))))
        if y.size and np.isfinite(y[0]).any():
            highest_start = max(highest_start, float(np.nanmax(np.abs(y[0]))))
        steps = np.asarray(traj.steps)
        if y.shape[1] <= max_runs:
            for k in range(y.shape[1]):
                ax.plot(
                    steps,
                    y[:, k],
                    color=color,
                    lw=2,
                    label=label if k == 0 else None,
                    alpha=1.0 if y.shape[1] == 1 else 0.6,
                )
        else:
            q10, q50, q90 = np.nanquantile(y, [0.1, 0.5, 0.9], axis=1)
            ax.fill_between(steps, q10, q90, color=color, alpha=0.25)
            ax.plot(steps, q50, color=color, lw=2, label=f"{label} (median, 10-90 %)")
    if lowest > 0 or what == "grad_norm":
        ax.set_yscale("log", nonpositive="mask")
        _round_off_floor(ax, floor, highest_start, lowest, highest)
    else:
        ax.set_yscale("symlog", linthresh=1e-3)
    ylabel = {"value": r"$f(x_t)$", "grad_norm": r"$\|\nabla f(x_t)\|$"}[what]
    if what == "value" and minimum is not None:
        ylabel = r"$f(x_t) - f^*$"
    ax.set_xlabel("step $t$", fontsize=LABEL_SIZE)
    ax.set_ylabel(ylabel, fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=LEGEND_SIZE)
    if title:
        ax.set_title(title, fontsize=TITLE_SIZE)
    return fig


def _round_off_floor(
    ax: Any, floor: float | None, start: float, lowest: float, highest: float
) -> None:
    """Cut a log axis at ``floor`` times the starting value, drawing the floor as a
    labelled line, when the curves go below it."""
    if floor is None or not start > 0 or not lowest < floor * start:
        return
    level = floor * start
    top = max(highest, start) * (max(highest, start) / level) ** 0.05  # a 5 % margin
    ax.set_ylim(level, top)
    ax.axhline(level, color="0.3", ls=":", lw=2, zorder=1, label=f"{floor:.0e} × start: round-off")


def _edges(values: np.ndarray) -> tuple[np.ndarray, bool]:
    """Cell edges around grid values (geometric for a log grid) and whether it is log."""
    v = np.asarray(values, dtype=float)
    if len(v) == 1:
        return (v[0] * np.array([0.5, 1.5]) if v[0] > 0 else v[0] + np.array([-0.5, 0.5])), v[0] > 0
    log = bool(np.all(v > 0) and v.max() / v.min() > 20)
    w = np.log(v) if log else v
    mid = (w[1:] + w[:-1]) / 2
    e = np.concatenate([[2 * w[0] - mid[0]], mid, [2 * w[-1] - mid[-1]]])
    return (np.exp(e) if log else e), log


def plot_sweep(sweep: Any, ax: Any = None, what: str = "value", title: str | None = None) -> Any:
    """Heat map (2-D grid) or curve (1-D grid) of a :class:`symopt.Sweep`.

    The colour is the final value (``what="value"``) or the steps to ``tol``
    (``what="steps"``), averaged over the starts, on a log colour scale.  Cells where a
    run diverged are crossed out; the best cell is starred.

    Examples
    --------
    >>> import numpy as np, symopt
    >>> from symopt.optim import momentum
    >>> f = symopt.Objective("x**2 + 10*y**2")
    >>> s = symopt.sweep(f, momentum, {"lr": np.geomspace(1e-3, 0.3, 6),
    ...                                "mu": [0.0, 0.5, 0.9]}, [1.0, 1.0], steps=50)
    >>> fig = plot_sweep(s)
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel()
    ('mu', 'lr')
    """
    from matplotlib.colors import LogNorm, Normalize

    names = sweep.names
    if len(names) not in (1, 2):
        raise ShapeError(f"plot_sweep draws 1-D or 2-D grids; this one has axes {names}")
    scores = sweep.scores("value" if what == "value" else "steps")
    batch_axes = tuple(range(len(names), np.ndim(sweep.status)))
    diverged = np.any(np.asarray(sweep.status) == "diverged", axis=batch_axes)
    label = "final value" if what == "value" else "steps to tol"
    fig, ax = _axes(ax, (7.5, 5.5))
    finite = scores[np.isfinite(scores)]
    best = np.unravel_index(np.argmin(scores), scores.shape)
    if len(names) == 1:
        v = sweep.grid[names[0]]
        ax.plot(v, np.where(np.isfinite(scores), scores, np.nan), "o-", lw=2, ms=6)
        ymark = finite.max() if finite.size else 1.0
        ax.plot(
            v[diverged],
            np.full(diverged.sum(), ymark),
            "x",
            color="C3",
            ms=10,
            mew=2,
            label="diverged",
        )
        ax.plot(v[best], scores[best], "*", color="gold", mec="k", ms=18, label="best")
        _, log = _edges(v)
        ax.set_xscale("log" if log else "linear")
        if finite.size and finite.min() > 0:
            ax.set_yscale("log")
        ax.set_xlabel(names[0], fontsize=LABEL_SIZE)
        ax.set_ylabel(label, fontsize=LABEL_SIZE)
        ax.legend(fontsize=LEGEND_SIZE)
    else:
        vx, vy = sweep.grid[names[1]], sweep.grid[names[0]]
        ex, logx = _edges(vx)
        ey, logy = _edges(vy)
        positive = finite.size and finite.min() > 0 and finite.max() / finite.min() > 10
        norm = (
            LogNorm(finite.min(), finite.max())
            if positive
            else (Normalize(finite.min(), finite.max()) if finite.size else None)
        )
        shown = np.ma.masked_invalid(np.where(np.isfinite(scores), scores, np.nan))
        mesh = ax.pcolormesh(ex, ey, shown, norm=norm, cmap="viridis_r")
        cbar = fig.colorbar(mesh, ax=ax)
        cbar.set_label(label, fontsize=LABEL_SIZE)
        cx = np.sqrt(ex[1:] * ex[:-1]) if logx else (ex[1:] + ex[:-1]) / 2
        cy = np.sqrt(ey[1:] * ey[:-1]) if logy else (ey[1:] + ey[:-1]) / 2
        iy, ix = np.nonzero(diverged)
        ax.plot(cx[ix], cy[iy], "x", color="C3", ms=12, mew=2.5, ls="", label="diverged")
        ax.plot(cx[best[1]], cy[best[0]], "*", color="gold", mec="k", ms=20, ls="", label="best")
        ax.set_xscale("log" if logx else "linear")
        ax.set_yscale("log" if logy else "linear")
        ax.set_xlabel(names[1], fontsize=LABEL_SIZE)
        ax.set_ylabel(names[0], fontsize=LABEL_SIZE)
        ax.legend(fontsize=LEGEND_SIZE, loc="upper left", bbox_to_anchor=(0, -0.12), ncol=2)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.set_title(title or f"sweep: {label}", fontsize=TITLE_SIZE)
    return fig


def animate_trajectories(
    objective: Any,
    trajectories: Any,
    path: str | Path,
    fps: int = 12,
    frames: int = 48,
    bounds: Any = None,
    levels: Any = "auto",
    title: str | None = None,
    max_runs: int = 20,
) -> Path:
    """A GIF of the paths growing step by step on the contours (Pillow writer).

    Frame ``k`` shows every path up to step ``k / (frames - 1)`` of the longest run.
    The figure is rendered once; frames redraw only the paths (Pillow writes the GIF).

    Returns
    -------
    pathlib.Path
        The written GIF.

    Examples
    --------
    >>> import symopt, tempfile, pathlib
    >>> from symopt.optim import gd
    >>> f = symopt.Objective("x**2 + 5*y**2")
    >>> run = symopt.minimize(f, gd(lr=0.05), [2.0, 1.0], steps=20)
    >>> with tempfile.TemporaryDirectory() as d:
    ...     gif = animate_trajectories(f, {"gd": run}, pathlib.Path(d) / "gd.gif", frames=4)
    ...     gif.stat().st_size > 0
    True
    """
    import matplotlib.pyplot as plt
    from PIL import Image

    if frames < 2:
        raise SymoptError(f"frames={frames}: give at least 2 frames")
    fig = plot_trajectories(
        objective, trajectories, bounds=bounds, levels=levels, title=title, max_runs=max_runs
    )
    ax = fig.axes[0]
    legend = ax.get_legend()
    for handle, text in zip(legend.legend_handles, legend.texts, strict=True):
        if text.get_text() == "end":  # the moving heads
            text.set_text("current point")
            handle.set_marker("o")
            handle.set_markersize(9)
    _fit_width(fig, legend)
    fig.canvas.draw()  # lay out the complete picture once, then keep that layout
    fig.set_layout_engine("none")
    critical = [line for line in ax.lines if line.get_gid() == "critical point"]
    for line in list(ax.lines):  # keep contours, legend and critical points; redraw the paths
        if line not in critical:
            line.remove()
    moving = []
    labelled = _labelled(trajectories)
    lo, hi = np.array([ax.get_xlim(), ax.get_ylim()]).T
    for color, traj in zip(_colors(len(labelled)), labelled.values(), strict=True):
        paths, all_steps, _ = _runs(traj, max_runs)
        for p in paths:
            p, _ = _clip_path(p, lo, hi)
            steps = all_steps[: len(p)]
            (line,) = ax.plot([], [], "-", color=color, lw=2, zorder=3)
            (head,) = ax.plot([], [], "o", color=color, mec="k", ms=9, zorder=5)
            ax.plot(*p[0], "s", color=color, ms=7, mec="k", zorder=4, alpha=0.6)
            moving.append((p, steps, line, head))
    last = max(int(s[-1]) for _, s, _, _ in moving)
    counter = ax.text(
        0.02,
        0.02,
        "",
        transform=ax.transAxes,
        fontsize=LABEL_SIZE,
        bbox={"facecolor": "white", "alpha": 0.8},
    )

    out = Path(path)
    for artist in [*(a for m in moving for a in m[2:]), *critical, counter]:
        artist.set_animated(True)  # drawn per frame: critical points above the paths
    # Blitting: the contours, legend and axes are rendered once; each frame restores
    # that background and draws only the moving paths (an order of magnitude faster).
    canvas = fig.canvas
    canvas.draw()
    background = canvas.copy_from_bbox(fig.bbox)
    images = []
    for k in range(frames):
        upto = last * k / (frames - 1)
        canvas.restore_region(background)
        for p, steps, line, head in moving:
            shown = p[: int(np.searchsorted(steps, upto, side="right"))]
            line.set_data(shown[:, 0], shown[:, 1])
            head.set_data(shown[-1:, 0], shown[-1:, 1])
            ax.draw_artist(line)
        for mark in critical:  # above the paths, below the heads: arrivals stay visible
            ax.draw_artist(mark)
        for *_, head in moving:
            ax.draw_artist(head)
        counter.set_text(f"step {round(upto)}")
        ax.draw_artist(counter)
        rgba = np.asarray(canvas.buffer_rgba())
        images.append(Image.fromarray(rgba[..., :3].copy()))
    _save_gif(images, out, fps, key_colors=_colors(len(labelled)))
    plt.close(fig)
    return out


def _save_gif(images: list[Any], out: Path, fps: int, key_colors: Sequence[Any] = ()) -> None:
    """Write RGB frames as a GIF that stores only what changes between frames.

    Every frame is mapped, without dithering, onto ONE palette: the static background
    then has the same indices in every frame, so Pillow writes only the rectangle that
    changed, with its unchanged pixels transparent (a per-frame adaptive palette, or
    dithering, changes pixels everywhere and makes the GIF ~10 times larger).  The
    palette holds ``key_colors`` (the runs' colours, so a short path keeps its colour)
    and then the most frequent colours of the last, fullest frame: the exact greys of
    the contour bands and the lines' solid colours (a median-cut or octree palette
    merges the few saturated line pixels into greys, or tints the greys)."""
    from matplotlib.colors import to_rgb
    from PIL import Image

    keys = [tuple(round(255 * c) for c in to_rgb(k)) for k in (*key_colors, "k", "w")]
    counts = sorted(images[-1].getcolors(maxcolors=images[-1].width * images[-1].height))
    common = [rgb for _, rgb in reversed(counts)]
    colors = list(dict.fromkeys([*keys, *common]))[:256]
    palette = Image.new("P", (1, 1))
    palette.putpalette([c for rgb in colors for c in rgb])
    frames = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    frames[0].save(
        out,
        save_all=True,
        append_images=frames[1:],
        duration=round(1000 / fps),
        loop=0,
        optimize=True,  # unchanged pixels of a frame become transparent
    )
