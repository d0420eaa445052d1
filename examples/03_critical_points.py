"""Critical points: global and local minima, Fermat's theorem, minimum / maximum / saddle.

Fermat's theorem: at an extremum of a differentiable f, f'(x*) = 0.  The converse fails:
a critical point can be a maximum or a saddle, and the second-order test (the
definiteness of the Hessian) cannot decide when the Hessian is singular.

1. In 1-D, f(x) = 3x⁴ − 4x³ − 12x² + 5 has f'(x) = 12x(x − 2)(x + 1): a local minimum at
   x = −1 (f = 0), a local maximum at 0 (f = 5) and the global minimum at x = 2 (f = −27).
2. In 2-D, the second-order test: x² + y² (minimum), −x² − y² (maximum), x² − y²
   (saddle), and x³ + y³ − 3xy (a saddle at (0, 0) and a local, not global, minimum at
   (1, 1)).
3. Degenerate points, where the Hessian is singular and the second-order test is silent:
   x⁴ + y⁴ (strict minimum), the monkey saddle x³ − 3xy², and the Peano surface
   (y − x²)(y − 2x²), a saddle although every line through 0 shows a minimum: along the
   curve y = 3x²/2 it is −x⁴/4 < 0.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

from symopt import Objective
from symopt.plot import plot_critical_points

ONE_D = "3*x**4 - 4*x**3 - 12*x**2 + 5"
SECOND_ORDER = ["x**2 + y**2", "-x**2 - y**2", "x**2 - y**2", "x**3 + y**3 - 3*x*y"]
DEGENERATE = ["x**4 + y**4", "x**3 - 3*x*y**2", "(y - x**2)*(y - 2*x**2)"]
TIMEOUT = 10.0


def _summary(points: Any) -> list[tuple]:
    """(point as floats, kind, strict, is_global, method) per critical point."""
    return [
        (
            tuple(float(sp.N(v)) for v in p.point.values()),
            p.kind,
            p.strict,
            p.is_global,
            p.method,
        )
        for p in points
    ]


def run(out: Path) -> dict:
    import matplotlib.pyplot as plt

    out = Path(out)
    result: dict[str, Any] = {}

    print(__doc__.splitlines()[0])
    f = Objective(ONE_D)
    points = f.critical_points(timeout=TIMEOUT)
    print(f"\n== 1-D: f(x) = {f.expr},  f'(x) = {sp.factor(f.gradient[0])}")
    print(points)
    for p in points:
        slope = f.gradient[0].xreplace(p.point)
        print(f"  Fermat: f'({p.point[f.variables[0]]}) = {slope}")
    result["1d"] = _summary(points)
    fig = plot_critical_points(f, points, box=[(-2.2, 3.0)])
    ax = fig.axes[0]
    ax.set_ylim(-40, 60)
    for p in points:  # the values tell local from global: f = 0 and f = 5 vs f = −27
        x0 = float(p.point[f.variables[0]])
        ax.annotate(f"f = {p.value}".replace("-", "−"), (x0, float(p.value)), xytext=(0, 14),
                    textcoords="offset points", ha="center", va="bottom")  # fmt: skip
    fig.savefig(out / "03_critical_points_1d.png")
    plt.close(fig)

    for name, cases in (("second_order", SECOND_ORDER), ("degenerate", DEGENERATE)):
        fig, axes = plt.subplots(
            1, len(cases), figsize=(4.6 * len(cases), 4.9), layout="constrained"
        )
        result[name] = {}
        for ax, text in zip(axes, cases, strict=True):
            g = Objective(text)
            found = g.critical_points(timeout=TIMEOUT)
            print(f"\n== f(x, y) = {g.expr}")
            print(found)
            result[name][text] = _summary(found)
            slide = "$f = (y - x^2)(y - 2x^2)$"  # the slide's factors, not SymPy's order
            title = slide if text == DEGENERATE[2] else None
            plot_critical_points(g, found, box=[(-1.5, 1.5), (-1.5, 1.5)], ax=ax, title=title)
            if text == DEGENERATE[2]:
                xs = np.linspace(-1, 1, 200)
                ax.plot(xs, 1.5 * xs**2, "--", color="white", lw=2.5)
                ax.text(
                    0.5,
                    0.04,
                    "on the dashed y = 3x²/2:\nf = −x⁴/4 < 0",
                    transform=ax.transAxes,
                    ha="center",
                    va="bottom",
                    bbox={"boxstyle": "round,pad=0.3", "fc": "white", "ec": "0.5"},
                )
        fig.savefig(out / f"03_critical_points_{name}.png")
        plt.close(fig)

    peano = Objective(DEGENERATE[2])
    x, y = peano.variables
    t = sp.Symbol("t", real=True)
    along = sp.factor(peano.expr.xreplace({x: t, y: sp.Rational(3, 2) * t**2}))
    print(f"\nPeano surface along y = 3x²/2: f(t, 3t²/2) = {along} < 0 for t ≠ 0,")
    for m in (-1, 0, 1, 2):
        line = sp.factor(peano.expr.xreplace({x: t, y: m * t}))
        print(f"  but along y = {m}·x: f = {line} (> 0 for small t ≠ 0)")
    result["peano_along_curve"] = along
    result["files"] = sorted(str(p) for p in out.glob("03_*.png"))
    return result


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
