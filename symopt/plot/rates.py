"""Pictures of the linear theory (:mod:`symopt.theory`): the spectral radius ρ(η) with its
stability limit and optimum, and heat maps of ρ over an ``(η, μ)`` grid for momentum,
predicted next to measured, with the stability boundary ``ηλ'_max = 2(1 + μ)``, the
critical-damping curves and the optimal point drawn.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symopt.errors import ChoiceError, HyperparameterError

__all__ = ["plot_rate_map", "plot_spectral_radius"]

TITLE_SIZE, LABEL_SIZE, LEGEND_SIZE = 14, 13, 11


def _axes(ax: Any, size: tuple[float, float]) -> tuple[Any, Any]:
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=size, layout="constrained")
        return fig, ax
    return ax.figure, ax


def plot_spectral_radius(
    analysis: Any, lrs: Any = None, ax: Any = None, title: str | None = None
) -> Any:
    """The spectral radius ρ as a function of the learning rate η.

    Draws ρ(η) (for momentum at the analysis' μ, next to plain gradient descent), the
    line ρ = 1 with the divergent region shaded, the stability limit, the optimum, and
    the analysis' own ``lr`` when it is a number.

    Parameters
    ----------
    analysis : GDAnalysis or MomentumAnalysis
        From :func:`symopt.theory.gd` or :func:`symopt.theory.momentum` (numeric ``H``).
    lrs : array_like, optional
        The learning rates (default: up to 1.3 times the stability limit).
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from symopt import theory
    >>> fig = plot_spectral_radius(theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1))
    >>> fig.axes[0].get_xlabel()
    'learning rate η'
    """
    is_momentum = hasattr(analysis, "mu")
    if is_momentum and analysis.mu.free_symbols:
        raise HyperparameterError(
            "analysis.mu", analysis.mu, "a number (analyse momentum with a numeric mu)"
        )
    limit = float(analysis.stable_lr_limit)
    if lrs is None:
        top = 1.3 * limit if np.isfinite(limit) else 1.0
        lrs = np.linspace(0, top, 600)[1:]
    lrs = np.asarray(lrs, dtype=float)
    fig, ax = _axes(ax, (7.5, 4.8))
    rho = analysis.spectral_radius_at(lrs)
    label = f"ρ(η), μ = {float(analysis.mu):g}" if is_momentum else "ρ(η) = max |1 − ηλ'|"
    ax.plot(lrs, rho, lw=2.5, color="C0", label=label, zorder=3)
    if is_momentum:
        ax.plot(
            lrs,
            analysis.spectral_radius_at(lrs, 0.0),
            "--",
            lw=1.5,
            color="0.4",
            label="μ = 0 (plain gradient descent)",
        )
    top = float(min(max(1.25, np.nanmax(rho[lrs <= 1.05 * limit], initial=1.0)), 2.0))
    ax.axhline(1.0, color="k", lw=1)
    ax.axhspan(1.0, top, color="C3", alpha=0.08, lw=0)
    ax.text(
        lrs[0], 0.5 * (1 + top), "  diverges (ρ > 1)", va="center", color="C3", fontsize=LEGEND_SIZE
    )
    if np.isfinite(limit):
        text = "2(1 + μ)/λ'_max" if is_momentum else "2/λ'_max"
        ax.axvline(limit, color="C3", ls=":", lw=2, label=f"stability limit {text} = {limit:.4g}")
    best = int(np.argmin(rho))
    name = f"least ρ on this grid: η = {lrs[best]:.4g}, ρ = {rho[best]:.4g}"
    if is_momentum and abs(rho[best] - np.sqrt(float(analysis.mu))) < 1e-9:
        name = f"ρ = √μ = {rho[best]:.4g} from η = (1 − √μ)²/λ'_min = {lrs[best]:.4g}"
    if analysis.optimal_lr is not None and not is_momentum:
        eta, r = float(analysis.optimal_lr), float(analysis.optimal_rate)
        name = f"optimal η = 2/(λ'_min + λ'_max) = {eta:.4g}, ρ = {r:.4g}"
        ax.plot(eta, r, "*", color="gold", mec="k", ms=16, ls="", label=name, zorder=4)
    else:
        ax.plot(
            lrs[best], rho[best], "*", color="gold", mec="k", ms=16, ls="", label=name, zorder=4
        )
    if not analysis.lr.free_symbols:
        lr = float(analysis.lr)
        r = float(analysis.spectral_radius_at(lr))
        ax.plot(
            lr,
            min(r, top),
            "o",
            color="C1",
            mec="k",
            ms=9,
            ls="",
            zorder=5,
            label=f"η = {lr:g}: ρ = {r:.4g} ({analysis.regime})",
        )
    ax.set_xlim(0, lrs[-1])
    ax.set_ylim(0, top)
    ax.set_xlabel("learning rate η", fontsize=LABEL_SIZE)
    ax.set_ylabel("spectral radius ρ", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.legend(fontsize=LEGEND_SIZE, loc="lower left")
    ax.set_title(title or f"{analysis.method}: rate vs step size", fontsize=TITLE_SIZE)
    return fig


def plot_rate_map(rmap: Any, ax: Any = None, what: str = "both", title: str | None = None) -> Any:
    """Heat map of the momentum rate ρ over an ``(η, μ)`` grid.

    Parameters
    ----------
    rmap : RateMap
        From :func:`symopt.theory.rate_map`.
    ax : matplotlib Axes, or a pair of them for ``what="both"``, optional
    what : "both", "predicted" or "measured"
    title : str, optional
        The title of a single panel (``what`` other than ``"both"``).

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from symopt import theory
    >>> m = theory.rate_map([[2, 0], [0, 1]], np.linspace(0.05, 2, 8),
    ...                     np.linspace(0, 0.9, 5), steps=60)
    >>> fig = plot_rate_map(m)
    >>> [a.get_title() for a in fig.axes[:2]]
    ['predicted ρ (formula)', 'measured rate (one sweep)']
    """
    import matplotlib.pyplot as plt

    panels = {"predicted": "predicted ρ (formula)", "measured": "measured rate (one sweep)"}
    if what == "both":
        if ax is None:
            fig, axes = plt.subplots(1, 2, figsize=(13, 5.2), layout="constrained", sharey=True)
        else:
            axes = list(ax)
            fig = axes[0].figure
        for a, name in zip(axes, panels, strict=True):
            _heat(rmap, a, name, panels[name], legend=False)
        handles, labels = axes[0].get_legend_handles_labels()
        fig.legend(
            handles,
            labels,
            loc="outside lower center",
            ncol=2,
            fontsize=LEGEND_SIZE,
            facecolor="0.72",
            framealpha=1.0,
        )
        return fig
    if what not in panels:
        raise ChoiceError("what", what, ("both", *panels))
    fig, ax = _axes(ax, (7.5, 5.2))
    _heat(rmap, ax, what, title or panels[what], legend=True)
    return fig


def _edges(v: np.ndarray) -> np.ndarray:
    if len(v) == 1:
        return v[0] + np.array([-0.5, 0.5]) * (abs(v[0]) or 1.0) * 0.1
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _heat(rmap: Any, ax: Any, what: str, title: str, legend: bool) -> None:
    import matplotlib.pyplot as plt
    from matplotlib.colors import Normalize

    rho = np.asarray(getattr(rmap, what), dtype=float)
    lrs, mus = np.asarray(rmap.lrs), np.asarray(rmap.mus)
    cmap = plt.get_cmap("viridis").with_extremes(over="0.82", bad="0.82")
    norm = Normalize(0.0, 1.0)
    mesh = ax.pcolormesh(_edges(lrs), _edges(mus), rho.T, cmap=cmap, norm=norm)
    cbar = ax.figure.colorbar(mesh, ax=ax, extend="max")
    cbar.set_label("rate ρ  (grey: ρ > 1, diverges)", fontsize=LABEL_SIZE - 1)
    if len(lrs) > 1 and len(mus) > 1:
        levels = [0.5, 0.8, 0.9, 0.95, 0.99]
        lines = ax.contour(lrs, mus, rho.T, levels=levels, colors="w", linewidths=0.8, alpha=0.8)
        ax.clabel(lines, fontsize=LEGEND_SIZE, fmt="%g")
    _theory_lines(rmap.analysis, ax, lrs, mus)
    ax.set_xlim(_edges(lrs)[[0, -1]])
    ax.set_ylim(_edges(mus)[[0, -1]])
    ax.set_xlabel("learning rate η", fontsize=LABEL_SIZE)
    ax.set_ylabel("momentum μ", fontsize=LABEL_SIZE)
    ax.tick_params(labelsize=LABEL_SIZE - 2)
    ax.set_title(title, fontsize=TITLE_SIZE)
    if legend:
        ax.legend(
            fontsize=LEGEND_SIZE,
            loc="upper center",
            bbox_to_anchor=(0.5, -0.13),
            ncol=2,
            facecolor="0.72",
            framealpha=1.0,
        )


def _theory_lines(analysis: Any, ax: Any, lrs: np.ndarray, mus: np.ndarray) -> None:
    curv = analysis._numeric_curvatures()
    lo, hi = curv.min(), curv.max()
    mu = np.linspace(0, max(mus.max(), 0.999), 300)
    ax.plot(
        2 * (1 + mu) / hi, mu, color="C3", lw=2.5, label="stability boundary ηλ'_max = 2(1 + μ)"
    )
    eta = np.linspace(lrs.min(), lrs.max(), 400)
    for lam, style, name in ((lo, "--", "λ_min"), (hi, ":", "λ_max")):
        crit = (1 - np.sqrt(np.clip(eta * lam, 0, None))) ** 2
        crit = np.where(eta * lam < 4, crit, np.nan)
        ax.plot(eta, crit, style, color="w", lw=1.8, label=f"critical damping along {name}")
    if analysis.optimal_lr is not None:
        eta, mu, rho = (
            float(v) for v in (analysis.optimal_lr, analysis.optimal_mu, analysis.optimal_rate)
        )
        ax.plot(
            eta,
            mu,
            "*",
            color="gold",
            mec="k",
            ms=18,
            ls="",
            zorder=5,
            label=f"optimum η* = {eta:.3g}, μ* = {mu:.3g}, ρ* = {rho:.3g}",
        )
