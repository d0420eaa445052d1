"""Explain one function: the whole lecture applied to x⁴ − 3x² + y² + xy + x.

``symopt.explain`` does for one function what the lecture does piece by piece: it finds
and classifies the critical points, takes the Hessian at each, and reads off the local
theory of gradient descent and momentum.  This function has two minima, a deep one near
x = −1.35 and a shallow one near x = 1.19, and a saddle between them.  On the quadratic
model f(x*) + ½hᵀHh the Hessian's largest eigenvalue sets GD's stability limit 2/λ_max:
the deep minimum is curved more sharply (λ_max ≈ 15.8) than the shallow one (≈ 11.1), so
a learning rate between the two limits (0.127 < η < 0.180) can settle only in the shallow
one.  ∂f/∂y = 2y + x = 0 gives y = −x/2, and then ∂f/∂x = 4x³ − 6.5x + 1 = 0: the three
roots of that cubic are the three critical points, with H = [[12x² − 6, 1], [1, 2]].

The script prints the report (and the heavy ball's rates at each minimum), writes the
self-contained ``16_explain_report.html`` and the figures: the landscape, GD from near
each minimum at 0.5×, 0.99× and 1.01× its limit, and the Hessian spectra.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import symopt

EXPR = "x**4 - 3*x**2 + y**2 + x*y + x"
LR, MU = 0.05, 0.5  # the heavy ball explained: under-damped at both minima


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    e = symopt.explain(EXPR, symopt.optim.momentum(lr=LR, mu=MU), timeout=20)
    print(e)
    files = []
    for name, data in e.figures.items():
        (out / f"16_{name}").write_bytes(data)
        files.append(f"16_{name}")
    page = out / "16_explain_report.html"
    page.write_text(e.to_html(), encoding="utf-8")
    files.append(page.name)

    runs = e.runs  # batch (minima, 3): 0.5×, 0.99×, 1.01× the limit
    distances = np.linalg.norm(
        np.asarray(runs.final_x) - np.stack([m.x for m in e.minima])[:, None], axis=-1
    )
    print("distance from the minimum after the runs (0.5×, 0.99×, 1.01× the limit):")
    for m, d in zip(e.minima, distances, strict=True):
        print(f"  minimum at x = {m.x[0]:+.6f}: " + ", ".join(f"{v:.3g}" for v in d))
    return {
        "minima": [m.x.tolist() for m in e.minima],
        "saddles": [s.x.tolist() for s in e.saddles],
        "stability_limits": [m.gd_stability_limit for m in e.minima],
        "optimal_lr": [m.gd_optimal_lr for m in e.minima],
        "optimal_rate": [m.gd_optimal_rate for m in e.minima],
        "momentum_optimal": [m.momentum_optimal for m in e.minima],
        "predicted": [m.predicted_rate for m in e.minima],
        "measured": [m.measured_rate for m in e.minima],
        "escape": [s.escape_directions.tolist() for s in e.saddles],
        "growth": [[float(g) for g in s.growth_factors] for s in e.saddles],
        "final_distances": distances.tolist(),
        "files": files,
    }


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
