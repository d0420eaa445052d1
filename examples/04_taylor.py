"""Taylor approximations: the tangent line, the quadratic term, and their errors.

The lecture's expansion f(a + h) ≈ f(a) + ⟨f'(a), h⟩ + ½⟨f''(a)h, h⟩: the linear part
is the tangent (line or plane), the quadratic part q(h) = ½ hᵀHh bends it.  The error of
the linear approximation shrinks like |h|², that of the quadratic one like |h|³: halve
|h| and they drop 4× and 8×.  This script checks that on f(x) = sin x + x²/4 at a = 1 and
on f(x, y) = eˣ cos y + x y² at a = (1/2, 1) (along the direction (3, 4)/5), with exact
arithmetic (30 digits), and prints the fitted log-log slopes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from symopt import Objective
from symopt.plot import plot_taylor

F1, A1 = "sin(x) + x**2/4", 1
F2, A2 = "exp(x)*cos(y) + x*y**2", {"x": sp.Rational(1, 2), "y": 1}
DIRECTION = (sp.Rational(3, 5), sp.Rational(4, 5))
STEPS = [sp.Rational(1, 2**k) for k in range(1, 11)]  # |h| = 1/2 … 1/1024


def lecture_quadratic(f: Objective, a: dict) -> sp.Expr:
    """f(a) + ⟨∇f(a), h⟩ + ½⟨H(a)h, h⟩ with h = x − a, built from the gradient and the
    Hessian exactly as on the slide."""
    h = sp.Matrix([v - a[v] for v in f.variables])
    g = f.gradient.xreplace(a)
    H = f.hessian.xreplace(a)
    return f.expr.xreplace(a) + (g.T * h)[0] + (h.T * H * h)[0] / 2


def errors(f: Objective, a: dict, direction: tuple, approximations: list) -> np.ndarray:
    """|f(a + s·d) − T(a + s·d)| for every step s and approximation T (30 digits)."""
    rows = []
    for s in STEPS:
        at = {v: a[v] + s * d for v, d in zip(f.variables, direction, strict=True)}
        exact = f.expr.xreplace(at)
        rows.append([float(sp.Abs(exact - T.xreplace(at)).evalf(30)) for T in approximations])
    return np.array(rows)


def slopes(errs: np.ndarray) -> list[float]:
    """Least-squares slope of log(error) against log|h|, per column."""
    logh = np.log([float(s) for s in STEPS])
    return [float(np.polyfit(logh, np.log(errs[:, k]), 1)[0]) for k in range(errs.shape[1])]


def _table(title: str, errs: np.ndarray) -> None:
    print(f"\n{title}")
    print(
        f"  {'|h|':>10}  {'linear error':>13}  {'/|h|²':>8}  {'quadratic error':>15}  {'/|h|³':>8}"
    )
    for s, (e1, e2) in zip(STEPS, errs, strict=True):
        h = float(s)
        print(f"  {h:10.6f}  {e1:13.4e}  {e1 / h**2:8.4f}  {e2:15.4e}  {e2 / h**3:8.4f}")
    s1, s2 = slopes(errs)
    print(f"  log-log slopes: linear {s1:.3f} (expected 2), quadratic {s2:.3f} (expected 3)")


def run(out: Path) -> dict:
    import matplotlib.pyplot as plt

    out = Path(out)
    print(__doc__.splitlines()[0])
    result: dict[str, Any] = {}

    f = Objective(F1)
    a = f.point([A1])
    T1, T2 = f.linear_approximation(a), f.quadratic_approximation(a)
    print(f"\n1-D: f(x) = {f.expr} at a = {A1}")
    print(f"  tangent line       T1(x) = {T1}")
    print(f"  quadratic          T2(x) = {T2}")
    errs1 = errors(f, a, (1,), [T1, T2])
    _table("errors of the approximations at a + h:", errs1)
    fx2 = float(f.hessian[0].xreplace(a)) / 2
    fx3 = float(f.expr.diff(f.variables[0], 3).xreplace(a)) / 6
    print(f"  limits: |f''(a)|/2 = {abs(fx2):.4f}, |f'''(a)|/6 = {abs(fx3):.4f}")
    result["slopes_1d"] = slopes(errs1)
    result["ratios_1d"] = (
        errs1[-1, 0] / float(STEPS[-1]) ** 2,
        errs1[-1, 1] / float(STEPS[-1]) ** 3,
    )
    result["limits_1d"] = (abs(fx2), abs(fx3))
    fig = plot_taylor(f, A1, radius=2.5, title="sin x + x²/4: tangent line and quadratic at a = 1")
    fig.savefig(out / "04_taylor_1d.png")
    plt.close(fig)

    g = Objective(F2)
    b = g.point(A2)
    Q = lecture_quadratic(g, b)
    same = sp.expand(Q - g.quadratic_approximation(b)) == 0
    print(f"\n2-D: f(x, y) = {g.expr} at a = (1/2, 1)")
    print(f"  ∇f(a) = {list(g.gradient.xreplace(b))}")
    print(f"  H(a)  = {g.hessian.xreplace(b).tolist()}")
    print(f"  f(a) + ⟨∇f(a), h⟩ + ½⟨H(a)h, h⟩ equals f.taylor(a, 2): {same}")
    errs2 = errors(g, b, DIRECTION, [g.linear_approximation(b), Q])
    _table("errors along h = |h|·(3/5, 4/5):", errs2)
    result["slopes_2d"] = slopes(errs2)
    result["quadratic_matches_taylor"] = same

    fig, ax = plt.subplots(figsize=(6.4, 4.8), layout="constrained")
    hs = [float(s) for s in STEPS]
    for errs, name, marker, color in ((errs1, "1-D", "o", "C0"), (errs2, "2-D", "s", "C2")):
        ax.loglog(hs, errs[:, 0], marker + "-", color=color, label=f"{name} linear")
        ax.loglog(
            hs, errs[:, 1], marker + "--", color=color, mfc="white", label=f"{name} quadratic"
        )
    for power in (2, 3):  # reference lines, labelled by their slope at the left end
        ax.loglog(hs, [h**power for h in hs], "k:", lw=1.2)
        ax.annotate(f"slope {power}", (hs[-1], hs[-1] ** power), xytext=(-6, 0),
                    textcoords="offset points", ha="right", va="center")  # fmt: skip
    ax.plot([], [], "k:", lw=1.2, label="|h|², |h|³")
    ax.set_xlim(left=1.5e-4)  # room for the slope labels
    ax.set_xlabel("|h|")
    ax.set_ylabel("|f(a + h) − approximation|")
    ax.set_title("Taylor errors shrink like |h|² and |h|³")
    ax.legend(loc="upper left")
    ax.grid(alpha=0.3, which="both")
    fig.savefig(out / "04_taylor_errors.png")
    plt.close(fig)

    _draw_2d(g, b, Q, out / "04_taylor_2d.png")
    result["files"] = sorted(str(p) for p in out.glob("04_*.png"))
    return result


def _draw_2d(g: Objective, b: dict, Q: sp.Expr, file: Path) -> None:
    """Contours of f and of its quadratic approximation around a."""
    import matplotlib.pyplot as plt

    x, y = g.variables
    a = np.array([float(b[x]), float(b[y])])
    grid = np.linspace(-0.7, 0.7, 200)
    X, Y = np.meshgrid(a[0] + grid, a[1] + grid)
    F = g.compile().value(np.stack([X, Y], axis=-1))
    T = Objective(Q, g.variables).compile().value(np.stack([X, Y], axis=-1))
    fig, ax = plt.subplots(figsize=(6.4, 6.4), layout="constrained")
    fa = float(g.expr.xreplace(b))
    # levels at quantiles of f over the box, so that every part of the view has lines,
    # and the level through a drawn thicker
    levels = np.unique(np.append(np.quantile(F, np.linspace(0.02, 0.98, 14)), fa))
    solid = {"colors": "tab:blue", "negative_linestyles": "solid"}
    ax.contour(X, Y, F, levels=levels, linewidths=1.3, **solid)
    ax.contour(X, Y, T, levels=levels, colors="tab:orange", linewidths=1.3, linestyles="--")
    ax.contour(X, Y, F, levels=[fa], linewidths=3, **solid)
    ax.plot(*a, "ko", ms=8, zorder=5, label="a = (1/2, 1)")
    ax.plot([], [], color="tab:blue", label="level sets of f (thick: through a)")
    ax.plot([], [], "--", color="tab:orange", label="level sets of the quadratic approximation")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_aspect("equal")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), frameon=False)
    ax.set_title("f = eˣ cos y + x y²: level sets near a")
    fig.savefig(file)
    plt.close(fig)


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
