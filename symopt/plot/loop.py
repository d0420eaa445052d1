"""The lecture's diagram of an optimization algorithm: model and optimizer in a loop.

The model computes ``f(x)`` and ``f'(x)`` at the current parameters; the optimizer turns
them into new parameters ``x``; repeat.  :func:`plot_optimization_loop` draws that loop
with boxes and arrows, with the update rule written in the optimizer's box.
"""

from __future__ import annotations

from typing import Any

__all__ = ["plot_optimization_loop"]

GD_RULE = r"$x_{t+1} = x_t - \eta\, f\,'(x_t)$"
BOX = {"boxstyle": "round,pad=0.6,rounding_size=0.3", "lw": 2}


def _box(ax: Any, xy: tuple[float, float], title: str, body: str, color: str) -> None:
    ax.text(
        *xy,
        f"{title}\n\n{body}",
        ha="center",
        va="center",
        fontsize=16,
        linespacing=1.3,
        bbox={**BOX, "fc": color, "ec": "0.2"},
    )


def _arrow(ax: Any, start: tuple, end: tuple, label: str, bend: float, label_xy: tuple) -> None:
    ax.annotate(
        "",
        xy=end,
        xytext=start,
        arrowprops={
            "arrowstyle": "-|>,head_length=0.8,head_width=0.4",
            "lw": 2.5,
            "color": "0.2",
            "connectionstyle": f"arc3,rad={bend}",
            "shrinkA": 0,
            "shrinkB": 0,
        },
    )
    ax.text(
        *label_xy,
        label,
        ha="center",
        va="center",
        fontsize=16,
        bbox={"fc": "white", "ec": "none", "pad": 4},  # the label sits on the arrow
    )


def plot_optimization_loop(
    ax: Any = None,
    update: str = GD_RULE,
    title: str | None = "Optimization algorithm: an iterative procedure",
) -> Any:
    """Draw the loop *model → f(x), f'(x) → optimizer → x → model*.

    Parameters
    ----------
    ax : matplotlib Axes, optional
        Where to draw (its data limits become [0, 10] × [0, 5]); a new figure if omitted.
    update : str
        The update rule written in the optimizer's box (matplotlib mathtext allowed).
    title : str or None
        The axes title.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> fig = plot_optimization_loop(update="x ← x − η f'(x)")
    >>> [t.get_text().split("\\n")[0] for t in fig.axes[0].texts[:2]]
    ['Model', 'Optimizer']
    """
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=(10, 5), layout="constrained")
    else:
        fig = ax.figure
    _box(ax, (2.2, 2.5), "Model", "computes\n$f(x)$ and $f\\,'(x)$", "#dbe9f6")
    _box(ax, (7.8, 2.5), "Optimizer", f"returns the new $x$\n{update}", "#fde2c8")
    _arrow(ax, (2.2, 3.4), (7.8, 3.4), "$f(x),\\ f\\,'(x)$", -0.45, (5.0, 4.65))
    _arrow(ax, (7.8, 1.6), (2.2, 1.6), "new $x$", -0.45, (5.0, 0.35))
    ax.text(
        5.0,
        2.5,
        "repeat until\n$\\|f\\,'(x)\\|$ is small",
        ha="center",
        va="center",
        fontsize=14,
        color="0.35",
        style="italic",
    )
    ax.set(xlim=(0, 10), ylim=(0, 5))
    ax.set_axis_off()
    if title:
        ax.set_title(title, fontsize=16)
    return fig
