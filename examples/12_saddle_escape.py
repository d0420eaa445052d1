"""Escaping a saddle point: gradient noise of variance σ² = 0, 0.1 and 1.

The double well f(x, y) = (x² − 1)² + y² has minima at (±1, 0) and between them a strict
saddle at the origin: ∇f(0, 0) = 0 and the Hessian diag(−4, 2) has a negative eigenvalue.
Gradient descent started exactly there never moves, because its step is −η∇f = 0.  With
gradient noise, −η(∇f + ξ) with ξ ~ N(0, σ²I) (``symopt.optim.add_noise``), the saddle is
unstable: near it x_{t+1} ≈ (1 + 4η) x_t − η ξ_t, so x_t ≈ (1 + 4η)^t S with
S = −η Σ_s (1 + 4η)^{−(s+1)} ξ_s ~ N(0, η²σ² / ((1 + 4η)² − 1)).  A run leaves the disc
of radius r after τ ≈ [ln(r/|S|) − ½ ln(1 − r²)] / ln(1 + 4η) steps (the second term is
the cubic's slow-down on the way out), so the escape time falls only like ln(1/σ).

The script runs 1000 seeds per noise level as one batched run, reports the escape-time
distributions next to that prediction, and draws the paths (the lecture's three
pictures) and the histograms.
"""

from __future__ import annotations

from pathlib import Path
from statistics import NormalDist
from typing import Any

import numpy as np

import symopt
from symopt.optim import add_noise, chain, scale_by_lr
from symopt.plot import plot_escape_times, plot_trajectory_grid
from symopt.problems import double_well
from symopt.stochastic import escape_times

SIGMA2 = (0.0, 0.1, 1.0)
LR = 0.02
SEEDS = 1000
STEPS = 200
RADIUS = 0.5
DRAWN = 6  # seeds drawn per noise level


def predicted_escape(sigma2: float, q: float) -> float:
    """The q-quantile of the escape time from the linearised saddle (see above)."""
    growth = 1 + 4 * LR
    sd = LR * np.sqrt(sigma2) / np.sqrt(growth**2 - 1)
    s = sd * NormalDist().inv_cdf(1 - q / 2)  # P(|S| > s) = q  ⇔  P(τ < t(s)) = q
    return (np.log(RADIUS / s) - 0.5 * np.log(1 - RADIUS**2)) / np.log(growth)


def run(out: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    out = Path(out)
    problem = double_well()
    saddle = np.zeros(2)
    # one batched run: rows are the noise levels, columns the seeds
    sigma2 = np.array(SIGMA2)[:, None]
    x0 = np.zeros((len(SIGMA2), SEEDS, 2))
    opt = chain(add_noise(sigma2, seed=0), scale_by_lr(LR))
    traj = symopt.minimize(problem.objective, opt, x0, steps=STEPS)
    times = escape_times(traj, saddle, RADIUS)

    print(
        f"f = {problem.objective.expr}; start exactly at the saddle (0, 0); η = {LR}, "
        f"{SEEDS} seeds per σ², escape = first step with |θ| > {RADIUS}:"
    )
    result: dict[str, Any] = {"escape_times": {}, "stayed": {}, "predicted_median": {}}
    labels = {}
    for i, s2 in enumerate(SIGMA2):
        label = f"σ² = {s2:g}"
        labels[label] = times[i]
        left = times[i][times[i] >= 0]
        result["escape_times"][s2] = times[i]
        result["stayed"][s2] = int(np.sum(times[i] < 0))
        if s2 == 0:
            moved = float(np.abs(traj[i].x).max())
            print(f"   {label}: all {SEEDS} runs stay; the largest |coordinate| ever is {moved}")
            continue
        q10, q50, q90 = np.percentile(left, [10, 50, 90])
        p10, p50, p90 = (predicted_escape(s2, q) for q in (0.1, 0.5, 0.9))
        result["predicted_median"][s2] = p50
        print(
            f"   {label}: {left.size} of {SEEDS} escape; steps 10/50/90 %: "
            f"{q10:.0f} / {q50:.0f} / {q90:.0f}   (linearised prediction "
            f"{p10:.0f} / {p50:.0f} / {p90:.0f})"
        )
        side = np.mean(traj[i].final_x[:, 0] > 0)
        print(
            f"      they end near (1, 0) in {side:.0%} and near (−1, 0) in {1 - side:.0%} "
            "of the runs"
        )

    panels = []
    for i, s2 in enumerate(SIGMA2):
        runs = traj[i, :DRAWN]  # the first seeds of noise level i
        title = f"σ² = {s2:g}" + (": no noise, no move" if s2 == 0 else "")
        panels.append((title, problem, {f"σ² = {s2:g}": runs}))
    fig = plot_trajectory_grid(
        panels,
        ncols=3,
        bounds=((-1.6, 1.6), (-1.1, 1.1)),
        title=(
            f"f = (x² − 1)² + y², gradient noise of variance σ², η = {LR}: "
            f"{DRAWN} of {SEEDS} seeds, {STEPS} steps from the saddle"
        ),
        panel_size=(5, 3.3),
    )
    fig.savefig(out / "12_saddle_paths.png")
    plt.close(fig)
    fig = plot_escape_times(labels, title=f"Steps to leave the saddle ({SEEDS} seeds, η = {LR})")
    fig.savefig(out / "12_escape_times.png")
    plt.close(fig)
    return result


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
