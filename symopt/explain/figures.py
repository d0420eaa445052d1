"""The figures of an :class:`~symopt.explain.Explanation`, as PNG data by file name.

Two variables: the landscape with every critical point (and the run from ``x0``), and per
minimum a zoomed panel with GD from near it at 0.5×, 0.99× and 1.01× its stability limit
(converging, barely converging, not converging).  Other sizes: the value curves of the same
runs.  Always: the Hessian spectra at the critical points.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from symopt.critical.table import format_point
from symopt.explain.runs import FACTORS, stability_runs

__all__ = ["draw", "stability_trajectory", "start_sizes"]

_STEPS = 2000
_DRAWN = 300  # steps drawn per run: 0.98³⁰⁰ ≈ 2e-3 of the start, the rest adds only ink


def start_sizes(e: Any) -> list[float]:
    """How far from each minimum its stability runs start: 2 % of the distance to the
    nearest other critical point (0.02 when there is none)."""
    others = [np.array(p.x) for p in (*e.minima, *e.saddles)]
    sizes = []
    for m in e.minima:
        gaps = [np.linalg.norm(o - m.x) for o in others if np.linalg.norm(o - m.x) > 0]
        sizes.append(0.02 * min(gaps) if gaps else 0.02)
    return sizes


def stability_trajectory(e: Any) -> Any:
    """The batched GD runs of the stability panels (``None`` without minima)."""
    if not e.minima:
        return None
    return stability_runs(e.objective.compile(), e.minima, start_sizes(e), steps=_STEPS)


def _drawn(run: Any) -> Any:
    """The first :data:`_DRAWN` steps of ``run`` (what the figure shows)."""
    rows = slice(0, _DRAWN + 1)
    return dataclasses.replace(
        run,
        x=run.x[rows],
        values=run.values[rows],
        grad_norms=run.grad_norms[rows],
        steps=run.steps[rows],
        stop_step=np.minimum(run.stop_step, _DRAWN),
    )


def _runs(e: Any, i: int) -> dict[str, Any]:
    traj = e.runs
    m = e.minima[i]
    labels = {}
    for j, k in enumerate(FACTORS):
        lr = k * m.gd_stability_limit
        labels[f"η = {k:g} × (2/λ_max) = {lr:.4g}\n{_verdict(traj[i, j], m)}"] = _drawn(traj[i, j])
    return labels


def _verdict(run: Any, m: Any) -> str:
    """What the run did: converged to the minimum or not."""
    end = np.asarray(run.final_x, dtype=float)
    if run.status == "diverged" or not np.all(np.isfinite(end)):
        return "diverges"
    scale = max(1.0, float(np.abs(m.x).max()))
    if np.linalg.norm(end - m.x) <= 1e-8 * scale:
        return "converges"
    x = np.asarray(run.x, dtype=float)
    if len(x) > 2 and np.linalg.norm(x[-1] - x[-3]) <= 1e-8 * scale:
        return "does not converge: a 2-cycle around it"
    return "does not converge"


def draw(e: Any) -> dict[str, bytes]:
    """Every figure of ``e`` as PNG bytes, by file name."""
    from symopt.plot.explain import plot_spectra, plot_stability, png

    figures: dict[str, bytes] = {}
    n = e.objective.n
    if n in (1, 2) and len(e.critical_points):
        figures["explain_landscape.png"] = png(_landscape(e))
    if e.minima and n == 2:
        sizes = start_sizes(e)
        rows = [
            (f"minimum {i + 1} at {format_point(m.point)}", m.x, 3 * sizes[i], _runs(e, i))
            for i, m in enumerate(e.minima)
        ]
        figures["explain_stability.png"] = png(plot_stability(e.objective, rows))
    elif e.minima:
        figures["explain_values.png"] = png(_values(e))
    spectra = [p for p in e.critical_points if not p.is_family and p.hessian_eigenvalues]
    if spectra:
        # the line λ = 2/η is GD's (momentum's limit is wider); drawn for GD only
        lr = e.optimizer.hyperparams.get("lr") if e.optimizer.name == "gd" else None
        figures["explain_spectra.png"] = png(
            plot_spectra(
                [format_point(p.point) for p in spectra],
                [[float(v) for v in p.hessian_eigenvalues] for p in spectra],
                [p.kind for p in spectra],
                lr=float(lr) if isinstance(lr, int | float) and lr > 0 else None,
            )
        )
    return figures


def _landscape(e: Any) -> Any:
    from symopt.plot.points import plot_critical_points

    box = None
    if e.x0 is not None and e.objective.n == 2:  # the view holds the start too
        xs = np.array(
            [[float(v) for v in p.point.values()] for p in e.critical_points if not p.is_family]
            + [e.x0]
        )
        lo, hi = xs.min(axis=0), xs.max(axis=0)
        pad = 0.25 * (hi - lo) + 0.5
        box = list(zip(lo - pad, hi + pad, strict=True))
    fig = plot_critical_points(e.objective, e.critical_points, box=box)
    if e.x0_run is not None and e.objective.n == 2:
        ax = fig.axes[0]
        path = np.asarray(e.x0_run.x, dtype=float)
        ax.plot(path[:, 0], path[:, 1], "-", color="white", lw=2, zorder=5)
        ax.plot(*path[0], "s", color="white", mec="k", ms=8, zorder=7, label="")
    return fig


def _below(value: float) -> float:
    """``value`` less a few round-offs: a converged run's ``f − f*`` stays positive."""
    return value - 8 * np.finfo(float).eps * max(1.0, abs(value))


def _values(e: Any) -> Any:
    from symopt.plot.explain import plot_value_panels

    return plot_value_panels(
        [(f"minimum {i + 1}", _below(float(m.value)), _runs(e, i)) for i, m in enumerate(e.minima)]
    )
