"""Gradient descent on quadratics: why η = 0.1 breaks H = diag(10, 1).

The lecture runs gradient descent with η = 0.1 on H = I, diag(4, 1), diag(9.9, 1) and
diag(10, 1), then diag(10, 1) again with η = 0.01.  On a quadratic, gradient descent is
a linear iteration: along the eigen-direction of λ the error is multiplied by the factor
1 − η·c·λ every step, where c·H is the Hessian.  The slides use f = xᵀHx (scale 1, c = 2,
gradient 2Hx): there diag(10, 1) at η = 0.1 has the factor 1 − 2·0.1·10 = −1 along x₁,
exactly on the stability boundary |factor| = 1 — the path zig-zags between ±x₁ forever —
and diag(9.9, 1) has −0.98, a wide zig-zag that shrinks slowly (hence the slide's
"rescaling of the axis").  With f = ½xᵀHx (scale ½) the same η would kill x₁ in one step.

For every setting this script prints the theory under both conventions (factors, spectral
radius ρ, regime, steps to 1e-6) next to the rate measured on a run, and draws the paths
on the contours, one panel per setting and convention, plus ρ(η) for diag(10, 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from symopt import theory
from symopt.plot import plot_spectral_radius, plot_trajectory_grid
from symopt.symbolic.quadratic import quadratic

LECTURE_SCALE = 1  # the slides: f = xᵀHx, gradient 2Hx
OTHER_SCALE = 1 / 2  # f = ½xᵀHx, gradient Hx
SETTINGS = (  # (name, H, η) in the order of the slides
    ("I", ((1, 0), (0, 1)), 0.1),
    ("diag(4, 1)", ((4, 0), (0, 1)), 0.1),
    ("diag(9.9, 1)", ((9.9, 0), (0, 1)), 0.1),
    ("diag(10, 1)", ((10, 0), (0, 1)), 0.1),
    ("diag(10, 1)", ((10, 0), (0, 1)), 0.01),
)
X0 = (-1.5, 1.0)
STEPS = 40
SLOW_LR = 0.01  # the slide's remedy for diag(10, 1): stable, but slow along x₂


def key(name: str, lr: float, scale: float) -> str:
    """The name of one setting in the returned dict, e.g. ``"diag(10, 1), lr=0.1, scale=1"``."""
    return f"{name}, lr={lr:g}, scale={scale:g}"


def convention(scale: float) -> str:
    return "f = xᵀHx (lecture)" if scale == LECTURE_SCALE else "f = ½xᵀHx"


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    scales = (LECTURE_SCALE, OTHER_SCALE)
    settings = [(name, H, lr, s) for s in scales for name, H, lr in SETTINGS]
    analyses = [theory.gd(H, lr=lr, scale=s) for name, H, lr, s in settings]
    measured = theory.measure(analyses)  # one batched run of 5000 steps
    paths = theory.simulate(analyses, X0, steps=STEPS)  # one batched run for the pictures

    result: dict[str, Any] = {"regime": {}, "rho": {}, "measured": {}, "steps_to_1e-6": {}}
    for (name, _, lr, s), a, m in zip(settings, analyses, measured, strict=True):
        k = key(name, lr, s)
        result["regime"][k] = a.regime
        result["rho"][k] = a.spectral_radius
        result["measured"][k] = m.measured
        result["steps_to_1e-6"][k] = a.steps_to(1e-6)
    _print_theory(settings, analyses, measured)
    _print_slow(settings, paths)

    files = [
        *_draw_paths(settings, analyses, paths, out),
        _draw_rates(out / "06_gd_spectral_radius.png"),
        _draw_errors(settings, measured, out / "06_gd_errors.png"),
    ]
    result["files"] = [str(f) for f in files]
    return result


def _print_theory(settings: list, analyses: list, measured: list) -> None:
    print(__doc__.splitlines()[0])
    print("factor per eigen-direction: 1 − η·c·λ (c = 2·scale); ρ = max |factor|\n")
    for name, _, lr in SETTINGS:
        print(f"== H = {name}, η = {lr:g} ==")
        for (n_, _, lr_, s), a, m in zip(settings, analyses, measured, strict=True):
            if (n_, lr_) != (name, lr):
                continue
            factors = ", ".join(f"{f:+.4g}" for f in a.factors)
            print(
                f"  {convention(s):<20} factors {factors:<16} ρ = {a.spectral_radius:.6g}  "
                f"{a.regime:<10} measured {m.measured:.9f}  steps to 1e-6: {a.steps_to(1e-6)}"
            )
        print()
    lecture = analyses[3]
    print("The lecture's diag(10, 1), η = 0.1, in full (f = xᵀHx):")
    print(lecture)
    print(
        f"\nstable for η < {lecture.stable_lr_limit:g} under f = xᵀHx, "
        f"η < {analyses[3 + len(SETTINGS)].stable_lr_limit:g} under f = ½xᵀHx."
    )
    print("\n" + theory.table(measured))


def _print_slow(settings: list, paths: Any) -> None:
    """How far the η = 0.01 runs still are after the pictured steps."""
    for i, (name, _, lr, s) in enumerate(settings):
        if lr == SLOW_LR:
            distance = float(np.linalg.norm(paths[i].final_x))
            print(
                f"{convention(s)}, H = {name}, η = {lr:g}: after {STEPS} steps ‖x‖ = "
                f"{distance:.3f} (from ‖x0‖ = {np.linalg.norm(X0):.3f}): too few steps to arrive"
            )
    print()


def _draw_paths(settings, analyses, paths, out: Path) -> list[Path]:
    """One figure per convention, a panel per setting; the numbers are in the notes."""
    import matplotlib.pyplot as plt

    files = []
    for s, file in ((LECTURE_SCALE, "06_gd_paths.png"), (OTHER_SCALE, "06_gd_paths_half.png")):
        panels = []
        for i, ((name, H, lr, s_), a) in enumerate(zip(settings, analyses, strict=True)):
            if s_ != s:
                continue
            run = paths[i]  # run i of the batch
            title = f"H = {name}, η = {lr:g}\nρ = {a.spectral_radius:.4g}, {a.regime}"
            if lr == SLOW_LR:  # it has not arrived yet: say how far it still is
                title = f"H = {name}, η = {lr:g}, ρ = {a.spectral_radius:.4g}\n"
                title += f"after {STEPS} steps ‖x‖ = {np.linalg.norm(run.final_x):.2f}"
            panels.append((title, quadratic(H, scale=s), {"gradient descent": run}))
        fig = plot_trajectory_grid(
            panels,
            ncols=3,
            bounds=((-2, 2), (-1.2, 1.2)),
            title=f"gradient descent on {convention(s)}: {STEPS} steps from {X0}",
            panel_size=(4.6, 3.3),
        )
        fig.savefig(out / file)
        plt.close(fig)
        files.append(out / file)
    return files


def _draw_rates(file: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(14, 5), layout="constrained")
    for ax, s in zip(axes, (LECTURE_SCALE, OTHER_SCALE), strict=True):
        a = theory.gd(((10, 0), (0, 1)), lr=0.1, scale=s)
        plot_spectral_radius(
            a, lrs=np.linspace(0, 0.25, 800)[1:], ax=ax, title=f"H = diag(10, 1), {convention(s)}"
        )
    fig.savefig(file)
    plt.close(fig)
    return file


def _draw_errors(settings, measured, file: Path) -> Path:
    """Measured error curves (solid, wider underneath) and one dashed ρᵗ reference per
    distinct ρ, drawn on top: several settings share a ρ, so their lines coincide."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(14, 6.2), layout="constrained", sharey=True)
    t = np.arange(200)
    for ax, s in zip(axes, (LECTURE_SCALE, OTHER_SCALE), strict=True):
        shared: dict[float, int] = {}  # ρ -> how many settings have it
        for i, ((name, _, lr, s_), m) in enumerate(zip(settings, measured, strict=True)):
            if s_ != s:
                continue
            k = i % len(SETTINGS)
            ax.plot(
                t, m.log10_error[t], color=f"C{k}", lw=7 - 1.2 * k, label=f"H = {name}, η = {lr:g}"
            )
            rho = round(float(m.predicted), 9)
            shared[rho] = shared.get(rho, 0) + 1
        for rho, count in shared.items():
            ax.plot(
                t,
                t * np.log10(rho),
                "--",
                color="k",
                lw=1.5,
                zorder=5,
                label=f"ρᵗ: {count} settings share ρ = {rho:g}"
                if count > 1
                else f"ρᵗ, ρ = {rho:g}",
            )
        ax.set_title(f"{convention(s)}: error ‖e_t‖/‖e_0‖ (solid), ρᵗ (dashed)")
        ax.set_xlabel("step t")
        ax.set_ylim(-12, 0.5)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=2)
    axes[0].set_ylabel("log10 of the relative error")
    fig.savefig(file)
    plt.close(fig)
    return file


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
