"""Momentum: a ball with friction, and what it buys on an ill-conditioned quadratic.

The lecture's heavy ball is ``v ← μv − η f'(x); x ← x + v``: a ball rolling on the
potential f, with friction 1 − μ, updated in discrete time.  On a quadratic each
eigen-direction λ (curvature λ' = c·λ) is a damped oscillator whose state (x, v) is
multiplied by [[1 − ηλ', μ], [−ηλ', μ]] each step; its rate is the larger root of
z² − (1 + μ − ηλ')z + μ.  The discriminant Δ = (1 + μ − ηλ')² − 4μ names the motion:
over-damped (Δ > 0, the ball creeps), critically damped (Δ = 0), under-damped (Δ < 0, it
overshoots and oscillates, every such direction at the same rate √μ).

The script prints the theory for the lecture's settings — diag(2, 1) with μ = 0.95,
η = 0.01 and with μ = 0.5, η = 0.1; diag(9.9, 1) at η = 0.1 with μ = 0.5 and without
momentum — under both conventions (f = xᵀHx as on the slides, and f = ½xᵀHx), next to
the rates measured on runs, and draws the paths and a rate map over (η, μ).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from symopt import theory
from symopt.plot import plot_rate_map, plot_trajectory_grid
from symopt.symbolic.quadratic import quadratic

LECTURE_SCALE = 1  # the slides: f = xᵀHx, gradient 2Hx
OTHER_SCALE = 1 / 2  # f = ½xᵀHx, gradient Hx
SETTINGS = (  # (name, H, η, μ) in the order of the slides; μ = 0 is plain gradient descent
    ("diag(2, 1)", ((2, 0), (0, 1)), 0.01, 0.95),
    ("diag(2, 1)", ((2, 0), (0, 1)), 0.1, 0.5),
    ("diag(9.9, 1)", ((9.9, 0), (0, 1)), 0.1, 0.5),
    ("diag(9.9, 1)", ((9.9, 0), (0, 1)), 0.1, 0.0),
)
X0 = (-1.5, 1.0)
STEPS = 60
BALL_LR = 0.05  # the 1-D ball: f(x) = ½x², so λ' = 1


def key(name: str, lr: float, mu: float, scale: float) -> str:
    """The name of one setting in the returned dict."""
    return f"{name}, lr={lr:g}, mu={mu:g}, scale={scale:g}"


def convention(scale: float) -> str:
    return "f = xᵀHx (lecture)" if scale == LECTURE_SCALE else "f = ½xᵀHx"


def analyse(H: Any, lr: float, mu: float, scale: float) -> Any:
    """Momentum, or gradient descent (its own optimizer) when μ = 0."""
    return theory.momentum(H, lr=lr, mu=mu, scale=scale) if mu else theory.gd(H, lr, scale)


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    result: dict[str, Any] = {"ball": _ball(out / "09_ball.png")}
    settings = [(*x, s) for s in (LECTURE_SCALE, OTHER_SCALE) for x in SETTINGS]
    analyses = [analyse(H, lr, mu, s) for _, H, lr, mu, s in settings]
    measured = theory.measure(analyses)  # one batch per method
    result.update(regimes={}, regime={}, rho={}, measured={}, steps_to_1e6={})
    for (name, _, lr, mu, s), a, m in zip(settings, analyses, measured, strict=True):
        k = key(name, lr, mu, s)
        result["regimes"][k] = a.regimes
        result["regime"][k] = a.regime
        result["rho"][k] = a.spectral_radius
        result["measured"][k] = m.measured
        result["steps_to_1e6"][k] = a.steps_to(1e-6)
    _print_settings(settings, analyses, measured)
    paths = _draw_paths(settings, analyses, out)
    rmap, rate_file = _draw_rate_map(out / "09_rate_map.png")
    result["rate_map_gap"] = float(np.median(np.abs(rmap.measured - rmap.predicted)))
    result["files"] = [str(f) for f in (out / "09_ball.png", *paths, rate_file)]
    return result


# -- the physics: a ball with friction on f(x) = ½x² --------------------------------------


def _ball(file: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    H = [[1]]
    # exact=True keeps μ_c = (1 − √(1/20))² exact, so the ball below is exactly critical
    critical = theory.momentum(H, lr=BALL_LR, mu=0.5, exact=True).critical_mu[0]
    mus = (0.0, critical, 0.9)
    balls = [theory.momentum(H, lr=BALL_LR, mu=mu) for mu in mus]
    traj = theory.simulate(balls, [1.0], steps=80)
    print(f"A ball on f(x) = ½x², η = {BALL_LR}: μ is one minus the friction.")
    print(f"  critical damping at μ = (1 − √(ηλ'))² = {critical} = {float(critical):.4f}")
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), layout="constrained")
    grid = np.linspace(-1.2, 1.2, 200)
    left.plot(grid, grid**2 / 2, color="0.3", lw=2, zorder=1)
    shown = 25
    for i, (mu, a) in enumerate(zip(mus, balls, strict=True)):
        x = traj[i].x[:, 0]  # the positions of ball i
        label = f"μ = {float(mu):.3g}: {a.regimes[0]}, ρ = {a.spectral_radius:.4f}"
        print(f"  {label}; {a.steps_to(1e-6)} steps to 1e-6")
        right.plot(x, "o-", ms=3, color=f"C{i}", label=label)
        # on the curve itself; larger, more transparent markers for earlier runs, so
        # balls of different runs at the same place stay visible
        left.plot(
            x[:shown],
            x[:shown] ** 2 / 2,
            "o",
            color=f"C{i}",
            ms=13 - 3 * i,
            mec="k",
            mew=0.6,
            alpha=0.75,
            label=f"μ = {float(mu):.3g} ({a.regimes[0]})",
        )
    left.set(
        xlabel="x", ylabel="potential f(x) = ½x²", title=f"first {shown} positions of the ball"
    )
    left.legend(loc="upper center")
    right.axhline(0, color="k", lw=0.8)
    right.set(xlabel="step t", ylabel="$x_t$", title=f"discrete updates, η = {BALL_LR}")
    right.legend()
    fig.savefig(file)
    plt.close(fig)
    print()
    return {"critical_mu": float(critical), "regimes": [a.regimes[0] for a in balls]}


# -- the lecture's settings ------------------------------------------------------------


def _print_settings(settings: list, analyses: list, measured: list) -> None:
    for name, _, lr, mu in SETTINGS:
        print(f"== H = {name}, η = {lr:g}, μ = {mu:g} ==")
        for (n_, _, lr_, mu_, s), a, m in zip(settings, analyses, measured, strict=True):
            if (n_, lr_, mu_) != (name, lr, mu):
                continue
            print(
                f"  {convention(s):<20} {', '.join(a.regimes):<28} ρ = {a.spectral_radius:.6f}"
                f"  measured {m.measured:.9f}  {a.regime}, steps to 1e-6: {a.steps_to(1e-6)}"
            )
        print()
    print("The lecture's diag(9.9, 1), η = 0.1, μ = 0.5 in full (f = xᵀHx):")
    print(analyses[2])
    print("\n" + theory.table(measured) + "\n")


def _draw_paths(settings: list, analyses: list, out: Path) -> list[Path]:
    """One figure per convention, a panel per setting; the numbers are in the notes."""
    import matplotlib.pyplot as plt

    momentum_runs = [i for i, a in enumerate(analyses) if a.method != "gradient descent"]
    gd_runs = [i for i, a in enumerate(analyses) if a.method == "gradient descent"]
    batches = {}
    for runs in (momentum_runs, gd_runs):  # one batched run per method
        traj = theory.simulate([analyses[i] for i in runs], X0, steps=STEPS)
        batches.update({i: traj[j] for j, i in enumerate(runs)})
    files = []
    for s, file in (
        (LECTURE_SCALE, "09_momentum_paths.png"),
        (OTHER_SCALE, "09_momentum_paths_half.png"),
    ):
        panels = []
        for i, ((name, H, lr, mu, s_), a) in enumerate(zip(settings, analyses, strict=True)):
            if s_ == s:
                what = f"μ = {mu:g}" if mu else "no momentum"
                title = f"H = {name}, η = {lr:g}, {what}\nρ = {a.spectral_radius:.4g} ({a.regime})"
                panels.append((title, quadratic(H, scale=s), {"run": batches[i]}))
        fig = plot_trajectory_grid(
            panels,
            ncols=2,
            bounds=((-2, 2), (-1.2, 1.2)),
            title=f"heavy ball on {convention(s)}: {STEPS} steps from {X0}",
            panel_size=(6.2, 3.9),
        )
        fig.savefig(out / file)
        plt.close(fig)
        files.append(out / file)
    return files


def _draw_rate_map(file: Path) -> tuple[Any, Path]:
    import matplotlib.pyplot as plt

    H = ((9.9, 0), (0, 1))
    rmap = theory.rate_map(
        H, np.linspace(0.002, 0.2, 45), np.linspace(0, 0.98, 40), steps=300, scale=LECTURE_SCALE
    )
    gap = np.abs(rmap.measured - rmap.predicted)
    a = rmap.analysis
    print(
        f"Rate map of diag(9.9, 1) under f = xᵀHx: {gap.size} runs in one sweep; "
        f"|measured − predicted| median {np.median(gap):.1e}, max {gap.max():.1e} (next to "
        "critical damping, Δ ≈ 0, where one slow oscillation outlasts the 300 steps)"
    )
    print(
        f"  optimum η* = {a.optimal_lr:.4f}, μ* = {a.optimal_mu:.4f}, rate {a.optimal_rate:.4f}"
        f" (plain gradient descent at best: {theory.gd(H, scale=1).optimal_rate:.4f})"
    )
    fig = plot_rate_map(rmap)
    label = {"color": "w", "textcoords": "offset points", "ha": "left", "va": "center"}
    label["bbox"] = {"boxstyle": "round,pad=0.2", "fc": "0.1", "alpha": 0.6, "lw": 0}
    for ax in fig.axes[:2]:  # the two heat maps (then come their colour bars)
        ax.plot([0.1, 0.1], [0.5, 0.0], "o", color="C1", mec="k", ms=10)
        ax.annotate("lecture: μ = 0.5", (0.1, 0.5), (10, 0), **label)
        ax.annotate("no momentum", (0.1, 0.0), (10, 10), **label)
    fig.suptitle("heavy ball on H = diag(9.9, 1), f = xᵀHx: rate ρ(η, μ)")
    fig.savefig(file)
    plt.close(fig)
    return rmap, file


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
