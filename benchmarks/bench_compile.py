"""Derivation, compilation and evaluation speed of symopt beside naive SymPy and NumPy.

Run:  python benchmarks/bench_compile.py   (about a minute; ``--quick`` for less)

1. Chained Rosenbrock in n variables: gradient + Hessian + compile, for n = 100 and
   1000 (symopt), against naive SymPy (``sympy.hessian`` + ``lambdify``) at small n.
2. The compiled gradient of chained Rosenbrock, n = 100, on a batch of 1000 points,
   against a hand-written vectorised NumPy gradient and a naive ``lambdify``.
3. ``import symopt`` in a fresh interpreter.

Medians of repeated runs; ratios are against the fastest peer of each row.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time

import numpy as np
import sympy as sp

from symopt import Objective


def rosenbrock(n: int) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    x = sp.symbols(f"x1:{n + 1}", real=True)
    terms = [100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(n - 1)]
    return sp.Add(*terms), x


def numpy_gradient(x: np.ndarray) -> np.ndarray:
    g = np.zeros_like(x)
    head, tail = x[..., :-1], x[..., 1:]
    inner = tail - head**2
    g[..., :-1] = -400 * head * inner - 2 * (1 - head)
    g[..., 1:] += 200 * inner
    return g


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def symopt_derive(n: int) -> None:
    expr, x = rosenbrock(n)
    f = Objective(expr, x)
    f.gradient, f.hessian  # noqa: B018 - derive both
    c = f.compile()
    c.hessian(np.zeros(n))  # compiles the Hessian too


def naive_derive(n: int) -> None:
    expr, x = rosenbrock(n)
    grad = [expr.diff(v) for v in x]
    hess = sp.hessian(expr, x)
    sp.lambdify(x, grad)
    sp.lambdify(x, hess)


def derivation_table(sizes: list[int], naive_sizes: list[int], repeat: int) -> None:
    print("gradient + Hessian + compile, chained Rosenbrock (median seconds)")
    print(f"{'n':>6} {'symopt':>10} {'naive SymPy':>12} {'naive/symopt':>13}")
    for n in sizes:
        t_sym = median_time(lambda n=n: symopt_derive(n), repeat)
        t_naive = median_time(lambda n=n: naive_derive(n), 1) if n in naive_sizes else None
        naive = f"{t_naive:12.3f} {t_naive / t_sym:12.1f}x" if t_naive else f"{'-':>12} {'-':>13}"
        print(f"{n:6d} {t_sym:10.3f} {naive}")
    print()


def gradient_table(n: int, batch: int, repeat: int) -> None:
    expr, x = rosenbrock(n)
    compiled = Objective(expr, x).compile()
    naive = sp.lambdify(x, [expr.diff(v) for v in x], modules="numpy")
    points = np.random.default_rng(0).normal(size=(batch, n))
    assert np.allclose(compiled.gradient(points), numpy_gradient(points))

    def naive_call():
        return np.stack(naive(*points.T), axis=-1)

    rows = {
        "hand-written NumPy": median_time(lambda: numpy_gradient(points), repeat),
        "symopt compiled": median_time(lambda: compiled.gradient(points), repeat),
        "naive lambdify": median_time(naive_call, repeat),
    }
    floor = rows["hand-written NumPy"]
    print(f"gradient of chained Rosenbrock, n = {n}, batch of {batch} (median ms)")
    for name, t in rows.items():
        print(f"  {name:<20} {1e3 * t:8.3f} ms   {t / floor:5.2f}x NumPy")
    print()


def import_time(repeat: int) -> None:
    code = "import time; t = time.perf_counter(); import symopt; print(time.perf_counter() - t)"
    code_base = (
        "import time; t = time.perf_counter(); import sympy, numpy; print(time.perf_counter() - t)"
    )

    def run(src: str) -> float:
        out = subprocess.run([sys.executable, "-c", src], capture_output=True, text=True)
        return float(out.stdout)

    t_symopt = statistics.median(run(code) for _ in range(repeat))
    t_base = statistics.median(run(code_base) for _ in range(repeat))
    print("import time in a fresh interpreter (median s)")
    print(f"  import symopt        {t_symopt:.3f} s")
    print(f"  import sympy, numpy  {t_base:.3f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer sizes and repeats")
    args = parser.parse_args()
    repeat = 3 if args.quick else 5
    sizes = [100, 1000] if args.quick else [50, 100, 200, 500, 1000]
    derivation_table(sizes, naive_sizes=[50] if args.quick else [50, 100], repeat=1)
    gradient_table(n=100, batch=1000, repeat=20 if args.quick else 50)
    import_time(repeat)


if __name__ == "__main__":
    main()
