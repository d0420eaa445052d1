"""Benchmark: symopt.explain on 2-D polynomials of degree 4, beside hand-assembled peers.

Run ``python benchmarks/bench_explain.py``.  For each polynomial it times

* ``symopt.explain`` (critical points, classification, the local theory at every point,
  measured rates of an optimizer on the function itself), without and with its figures;
* the naive peer a student would assemble: SymPy's ``solve`` of ∇f = 0 and NumPy's
  ``eigvalsh`` of the Hessian at every real solution, and the stability limit ``2/λ_max``
  (no classification beyond signs, no rates, no runs, no report);
* the same with SymPy's ``nonlinsolve``.

Medians of repeated runs in fresh SymPy caches (``sympy.core.cache.clear_cache``); the
target is under 5 s for ``explain``.
"""

from __future__ import annotations

import statistics
import time

import numpy as np
import sympy as sp

import symopt
from symopt import optim

POLYNOMIALS = {
    "two minima + saddle": "x**4 - 3*x**2 + y**2 + x*y + x",
    "x³ + y³ − 3xy (deg 3)": "x**3 + y**3 - 3*x*y",
    "three-hump camel (deg 6)": "2*x**2 - 1.05*x**4 + x**6/6 + x*y + y**2",
    "double well 2-D": "(x**2 - 1)**2 + (y**2 - 1)**2 + x*y/2",
}
REPEATS = 3


def median_seconds(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        sp.core.cache.clear_cache()
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def naive(text: str, solver) -> list[float]:
    """SymPy solves ∇f = 0; NumPy's eigvalsh at each real solution gives 2/λ_max."""
    x, y = sp.symbols("x y", real=True)
    f = sp.sympify(text, locals={"x": x, "y": y})
    grad = [sp.diff(f, v) for v in (x, y)]
    H = sp.hessian(f, (x, y))
    limits = []
    for sol in solver(grad, (x, y)):
        point = dict(zip((x, y), sol, strict=True)) if not isinstance(sol, dict) else sol
        if any(not complex(sp.N(v)).imag == 0 for v in point.values()):
            continue
        lam = np.linalg.eigvalsh(np.array(H.subs(point).evalf(), dtype=float))
        if lam[0] > 0:
            limits.append(2 / lam[-1])
    return limits


def main() -> None:
    opt = optim.gd(lr=0.05)
    rows = [("polynomial", "explain", "+ figures", "solve + eig", "nonlinsolve + eig")]
    for name, text in POLYNOMIALS.items():
        t_explain = median_seconds(lambda t=text: symopt.explain(t, opt))
        t_figures = median_seconds(lambda t=text: symopt.explain(t, opt).figures)
        t_solve = median_seconds(lambda t=text: naive(t, lambda g, v: sp.solve(g, v, dict=True)))
        t_nonlin = median_seconds(lambda t=text: naive(t, lambda g, v: sp.nonlinsolve(g, v)))
        rows.append(
            (
                name,
                f"{t_explain:.2f} s",
                f"{t_figures:.2f} s",
                f"{t_solve:.2f} s",
                f"{t_nonlin:.2f} s",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


if __name__ == "__main__":
    main()
