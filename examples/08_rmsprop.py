"""RMSProp: component-wise preconditioning on an ill-conditioned quadratic.

The lecture's RMSProp slide keeps a running average of the squared gradient,
``v_t = β v_{t-1} + (1 - β) f'(x_t)²``, and divides each component of the step by
``√v_t + ε``.  That is preconditioned gradient descent with a diagonal ``M_t = 1/(√v_t + ε)``
learned from the gradients themselves: a steep coordinate (large gradients) gets a small
step, a flat one a large step.

On f = ½ xᵀHx with H = diag(9.9, 1) (the lecture's slide) the script runs gradient
descent at the lecture's η = 0.1 and RMSProp (``symopt.optim.rmsprop``, β = 0.9) and
measures, from the recorded path alone, the *effective step size* of each coordinate,
``η_i,t = -(x_{t+1} - x_t)_i / ∂_i f(x_t)``: constant η for gradient descent, and for
RMSProp about η / rms(∂_i f): the flat coordinate x_2 gets a step 10-25 times larger than
the steep x_1, where gradient descent gives both the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import symopt
from symopt import optim, problems
from symopt.plot import plot_trajectories, plot_values

H_KEY = "diag(9.9, 1)"
CURVATURES = np.array([9.9, 1.0])  # the eigenvalues of H (f = ½ xᵀHx)
X0 = (-1.5, 1.0)
STEPS = 60
GD_LR = 0.1  # the lecture's
RMS_LR, BETA = 0.05, 0.9
REPORT_AT = (0, 1, 5, 20, 59)


def effective_steps(objective: Any, traj: symopt.Trajectory) -> np.ndarray:
    """``-(x_{t+1} - x_t) / grad f(x_t)`` per coordinate, shape (steps, n); NaN where the
    gradient component is zero."""
    x = traj.x
    g = objective.compile().gradient(x[:-1])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(g != 0, -(x[1:] - x[:-1]) / g, np.nan)


def run(out: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    out = Path(out)
    problem = problems.lecture_quadratic(H_KEY)
    f = problem.objective
    runs = {
        f"GD, η = {GD_LR}": symopt.minimize(f, optim.gd(GD_LR), X0, steps=STEPS),
        f"RMSProp, η = {RMS_LR}, β = {BETA}": symopt.minimize(
            f, optim.rmsprop(lr=RMS_LR, alpha=BETA), X0, steps=STEPS
        ),
    }
    eff = {label: effective_steps(f, t) for label, t in runs.items()}

    print(f"f = ½ xᵀHx, H = {H_KEY}, x0 = {X0}, {STEPS} steps")
    print("effective step size per coordinate, η_i = -Δx_i / ∂_i f, and η_i·λ_i:")
    for label, e in eff.items():
        print(f"  {label}")
        for t in REPORT_AT:
            scaled = e[t] * CURVATURES
            print(
                f"    t = {t:2d}: η_1 = {e[t, 0]:.4f}, η_2 = {e[t, 1]:.4f}   "
                f"η_1·λ_1 = {scaled[0]:.3f}, η_2·λ_2 = {scaled[1]:.3f}"
            )
    ratio = {label: float(np.nanmedian(e[:, 1] / e[:, 0])) for label, e in eff.items()}
    for label, t in runs.items():
        print(
            f"  {label}: final value {float(t.final_value):.2e}, "
            f"median η_2/η_1 = {ratio[label]:.2f} (the diagonal M = H⁻¹ would give 9.9)"
        )

    title = f"GD vs RMSProp on f = ½xᵀHx, H = {H_KEY}"
    view = ((-2, 2), (-1.2, 1.2))
    fig = plot_trajectories(problem, runs, bounds=view, title=title, legend="below")
    paths = out / "08_rmsprop_paths.png"
    fig.savefig(paths)
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
    steps = np.arange(STEPS)
    for k, (label, e) in enumerate(eff.items()):
        for i, style in ((0, "-"), (1, "--")):
            left.plot(steps, e[:, i], style, color=f"C{k}", lw=2, label=f"{label}: $\\eta_{i + 1}$")
    left.set_yscale("log")
    left.set_xlabel("step t")
    left.set_ylabel(r"effective step size $\eta_{i,t} = -\Delta x_i / \partial_i f$")
    left.set_title("per-coordinate step sizes (from the path)")
    left.legend()
    plot_values(runs, ax=right, title="value $f(x_t)$")
    effective = out / "08_effective_steps.png"
    fig.savefig(effective)
    plt.close(fig)
    return {
        "final_value": {label: float(t.final_value) for label, t in runs.items()},
        "ratio": ratio,
        "effective": {label: e.tolist() for label, e in eff.items()},
        "files": [str(paths), str(effective)],
    }


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
