"""Optimization algorithm: an iterative procedure, and why the gradient points the way.

An optimizer never sees the formula of f: in a loop, the model computes f(x) and f'(x)
at the current x, and the optimizer returns the next x.  Gradient descent's rule is
x_{t+1} = x_t − η f'(x_t).  This script draws that loop, then runs it for a few steps on
the 1-D function f(x) = x⁴/4 − x² + x/2 with `symopt.minimize` and prints every step as
a table (t, x_t, f(x_t), f'(x_t), step = x_{t+1} − x_t).  From x₀ = 2 the run ends in
the nearer, local minimum, not the global one: gradient descent only sees the slope.

Why the gradient?  To first order f(a + h) − f(a) ≈ ⟨f'(a), h⟩, and over unit vectors
h(φ) = (cos φ, sin φ) this is ‖f'(a)‖·cos(angle between f'(a) and h): it is smallest,
−‖f'(a)‖, at h = −f'(a)/‖f'(a)‖.  The script checks that on a grid of 3600 angles for
f(x, y) = x² + 3y² at a = (1, 0.5).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import symopt
from symopt.optim import gd
from symopt.plot import plot_optimization_loop

CURVE = "x**4/4 - x**2 + x/2"  # f'(x) = x³ − 2x + 1/2: minima near −1.53 and 1.27
CURVE_TEXT = "f(x) = x⁴/4 − x² + x/2"
X0, LR, STEPS, SHOWN = 2.0, 0.1, 25, 8
SURFACE, SURFACE_TEXT, POINT = "x**2 + 3*y**2", "f(x, y) = x² + 3y²", (1.0, 0.5)
ANGLES = 3600  # a 0.1° grid
KIND_COLORS = {"minimum": "tab:green", "maximum": "tab:red", "saddle": "tab:orange"}


def run(out: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    out = Path(out)
    fig = plot_optimization_loop()
    fig.savefig(out / "02_loop.png", dpi=90)
    plt.close(fig)
    result = {"loop": _gradient_descent_table(out / "02_gd_1d.png")}
    result["steepest"] = _steepest_descent(out / "02_steepest_descent.png")
    result["files"] = [
        str(out / name) for name in ("02_loop.png", "02_gd_1d.png", "02_steepest_descent.png")
    ]
    return result


# -- the loop, run: gradient descent on a 1-D function ---------------------------------


def _gradient_descent_table(file: Path) -> dict[str, Any]:
    f = symopt.Objective(CURVE)
    compiled = f.compile()
    traj = symopt.minimize(f, gd(lr=LR), [X0], steps=STEPS, record="all")
    x, values = traj.x[:, 0], traj.values  # every recorded x_t and f(x_t)
    slopes = compiled.gradient(traj.x)[:, 0]  # signed f'(x_t); traj.grad_norms is |f'(x_t)|
    steps = np.diff(x)
    print(f"f(x) = {f.expr},  f'(x) = {f.gradient[0]}")
    print(f"gradient descent from x₀ = {X0}, η = {LR}: the first {SHOWN} steps")
    print(f"{'t':>3} {'x_t':>10} {'f(x_t)':>10} {'f′(x_t)':>10} {'step':>10}")
    for t in range(SHOWN):
        print(f"{t:>3} {x[t]:>10.6f} {values[t]:>10.6f} {slopes[t]:>10.6f} {steps[t]:>+10.6f}")
    rule_gap = float(np.max(np.abs(steps + LR * slopes[:-1])))
    print(f"every step equals −η·f′(x_t): max |step + η f′(x_t)| = {rule_gap:.1e}")

    points = f.critical_points(timeout=5)
    minima = sorted(float(p.point[f.variables[0]]) for p in points if p.kind == "minimum")
    nearest = min(minima, key=lambda m: abs(m - x[-1]))
    print(f"after {STEPS} steps: x = {x[-1]:.6f}, f′(x) = {slopes[-1]:.1e}")
    print(
        "critical points (f′ = 0 solved exactly, then classified): "
        + ", ".join(f"{float(p.point[f.variables[0]]):.6f} ({p.kind})" for p in points)
    )
    print(
        f"the run ends at the local minimum {nearest:.6f} (f = {compiled.value([nearest]):.4f});"
        f" the global one is {min(minima, key=lambda m: compiled.value([m])):.6f} "
        f"(f = {min(compiled.value([m]) for m in minima):.4f})\n"
    )
    _draw_curve(compiled, points, f.variables[0], traj, file)
    return {
        "x": x[: SHOWN + 1].tolist(),
        "slopes": slopes[:SHOWN].tolist(),
        "rule_gap": rule_gap,
        "final_x": float(x[-1]),
        "final_slope": float(slopes[-1]),
        "minima": minima,
        "nearest_minimum": nearest,
    }


def _draw_curve(compiled, points, var, traj, file: Path) -> None:
    import matplotlib.pyplot as plt

    x, values = traj.x[:, 0], traj.values

    fig, axes = plt.subplots(
        1, 3, figsize=(17, 5.2), layout="constrained", width_ratios=(1.3, 1.1, 1)
    )
    whole, zoom, slopes = axes
    for ax, lo, hi in ((whole, -2.2, 2.3), (zoom, 1.2, 2.08)):
        grid = np.linspace(lo, hi, 400)
        ax.plot(grid, compiled.value(grid[:, None]), color="0.3", lw=2, label=CURVE_TEXT)
        ax.plot(x, values, "o", color="C0", ms=7, mec="k", zorder=4, label=f"x_t, η = {LR}")
        for p in points:
            at = float(p.point[var])
            if lo <= at <= hi:
                ax.plot(
                    at,
                    compiled.value([at]),
                    "D",
                    ms=11,
                    color=KIND_COLORS[p.kind],
                    mec="k",
                    zorder=3,
                    label=f"{p.kind} at x = {at:.3f}",
                )
    for t in range(SHOWN):
        zoom.annotate(
            "",
            (x[t + 1], values[t + 1]),
            (x[t], values[t]),
            arrowprops={"arrowstyle": "-|>", "color": "C0", "lw": 1.5},
        )
    for t in range(3):
        zoom.annotate(
            f"x_{t}",
            (x[t], values[t]),
            (10, -4),
            textcoords="offset points",
            fontsize=13,
            color="C0",
        )
    whole.axvspan(1.2, 2.08, color="0.9", zorder=0, label="zoomed in the middle")
    whole.set(xlabel="x", ylabel="f(x)", title="gradient descent on a 1-D function")
    whole.legend(fontsize=11, loc="upper center")
    zoom.set(xlabel="x", ylabel="f(x)", title=f"zoom: the first {SHOWN} steps x_t → x_(t+1)")
    zoom.legend(fontsize=11, loc="upper left")
    t = np.arange(len(x))
    slopes.semilogy(t, traj.grad_norms, "o-", color="C0")
    slopes.set(xlabel="step t", ylabel="|f′(x_t)|", title="the slope shrinks each step")
    for ax in axes:
        ax.title.set_fontsize(14)
        ax.xaxis.label.set_fontsize(13)
        ax.yaxis.label.set_fontsize(13)
        ax.tick_params(labelsize=11)
        ax.grid(alpha=0.3)
    fig.savefig(file, dpi=90)
    plt.close(fig)


# -- steepest descent: min over unit h of ⟨f'(a), h⟩ ----------------------------------


def _steepest_descent(file: Path) -> dict[str, Any]:
    f = symopt.Objective(SURFACE)
    compiled = f.compile()
    g = compiled.gradient(np.array(POINT))
    norm = float(np.linalg.norm(g))
    phi = np.linspace(0, 2 * np.pi, ANGLES, endpoint=False)
    h = np.column_stack([np.cos(phi), np.sin(phi)])
    slope = h @ g  # ⟨f'(a), h(φ)⟩
    best = int(np.argmin(slope))
    expected = -g / norm
    result = {
        "gradient": g.tolist(),
        "gradient_norm": norm,
        "min_slope": float(slope[best]),
        "argmin_deg": float(np.degrees(phi[best])),
        "expected_deg": float(np.degrees(np.arctan2(expected[1], expected[0])) % 360),
        "argmin_h": h[best].tolist(),
        "expected_h": expected.tolist(),
    }
    print(f"{SURFACE_TEXT} at a = {POINT}: f'(a) = {g.tolist()}, ‖f'(a)‖ = {norm:.6f}")
    print(
        f"  min over {ANGLES} unit h(φ) of ⟨f'(a), h⟩ = {result['min_slope']:.6f} at "
        f"φ = {result['argmin_deg']:.1f}°,  h = ({h[best][0]:.4f}, {h[best][1]:.4f})"
    )
    print(
        f"  theory: −‖f'(a)‖ = {-norm:.6f} at h = −f'(a)/‖f'(a)‖ = "
        f"({expected[0]:.4f}, {expected[1]:.4f}), φ = {result['expected_deg']:.1f}°"
    )
    _draw_steepest(compiled, g, phi, slope, best, file)
    return result


def _draw_steepest(compiled, g, phi, slope, best, file: Path) -> None:
    import matplotlib.pyplot as plt

    norm = np.linalg.norm(g)
    fig = plt.figure(figsize=(17, 5.6), layout="constrained")
    contour_ax = fig.add_subplot(1, 3, 1)
    polar = fig.add_subplot(1, 3, 2, projection="polar")
    curve = fig.add_subplot(1, 3, 3)
    a = np.array(POINT)

    # the contours around a, with the unit circle of directions
    xs, ys = np.meshgrid(np.linspace(-0.6, 2.6, 200), np.linspace(-1.1, 2.1, 200))
    z = compiled.value(np.stack([xs, ys], axis=-1))
    contour_ax.contour(xs, ys, z, levels=15, cmap="viridis")
    circle = a + np.column_stack([np.cos(phi), np.sin(phi)])
    contour_ax.plot(*circle.T, ":", color="0.4", lw=1.2, label="unit directions h")
    contour_ax.annotate(
        "", a + g / norm, a, arrowprops={"arrowstyle": "-|>", "color": "C3", "lw": 2.5}
    )
    contour_ax.annotate(
        "", a - g / norm, a, arrowprops={"arrowstyle": "-|>", "color": "C0", "lw": 2.5}
    )
    contour_ax.plot(*a, "o", color="k", ms=7)
    white = {"fc": "white", "ec": "none", "alpha": 0.8}
    contour_ax.text(
        *(a + g / norm + (0.05, 0.05)), "f′(a)/‖f′(a)‖", color="C3", fontsize=13, bbox=white
    )
    contour_ax.text(
        *(a - g / norm + (-0.5, -0.3)), "−f′(a)/‖f′(a)‖", color="C0", fontsize=13, bbox=white
    )
    contour_ax.set_aspect("equal")
    contour_ax.set(xlabel="x", ylabel="y", title=f"{SURFACE_TEXT} near a = {POINT}")

    # polar: |⟨f'(a), h(φ)⟩| by angle, red where positive, blue where negative
    up, down = slope >= 0, slope < 0
    polar.plot(
        phi, np.where(up, slope, np.nan), color="C3", lw=2.5, label="⟨f′(a), h⟩ > 0 (uphill)"
    )
    polar.plot(
        phi, np.where(down, -slope, np.nan), color="C0", lw=2.5, label="⟨f′(a), h⟩ < 0 (downhill)"
    )
    polar.plot(
        phi[best],
        -slope[best],
        "*",
        color="C0",
        ms=18,
        mec="k",
        label=f"minimum −‖f′(a)‖ = {slope[best]:.3f}",
    )
    polar.set_title("|⟨f′(a), h(φ)⟩| by direction φ", fontsize=14, pad=18)
    polar.set_rticks([1, 2, 3])
    polar.set_rlabel_position(100)
    polar.legend(fontsize=10, loc="upper center", bbox_to_anchor=(0.5, -0.06))

    degrees = np.degrees(phi)
    curve.plot(degrees, slope, color="0.3", lw=2, label="⟨f′(a), h(φ)⟩ = ‖f′(a)‖ cos(angle)")
    curve.axhline(-norm, color="C0", ls="--", lw=1, label=f"−‖f′(a)‖ = {-norm:.3f}")
    curve.plot(
        degrees[best],
        slope[best],
        "*",
        color="C0",
        ms=18,
        mec="k",
        label=f"grid minimum at φ = {degrees[best]:.1f}°",
    )
    curve.set(
        xlabel="direction φ of h (degrees)",
        ylabel="⟨f′(a), h(φ)⟩",
        title="first-order change of f per unit step",
        xticks=np.arange(0, 361, 60),
    )
    curve.legend(fontsize=11, loc="upper right")
    for ax in (contour_ax, curve):
        ax.title.set_fontsize(14)
        ax.xaxis.label.set_fontsize(13)
        ax.yaxis.label.set_fontsize(13)
        ax.grid(alpha=0.3)
    for ax in (contour_ax, polar, curve):
        ax.tick_params(labelsize=11)
    fig.suptitle(
        "steepest descent: among unit steps h, ⟨f′(a), h⟩ is smallest at h = −f′(a)/‖f′(a)‖",
        fontsize=15,
    )
    fig.savefig(file, dpi=90)
    plt.close(fig)


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
