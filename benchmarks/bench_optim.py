"""Speed of a batched run: 10,000 Adam runs x 1,000 steps on 2-D Rosenbrock.

Run:  python benchmarks/bench_optim.py   (about a minute; ``--quick`` for fewer repeats)

Every run starts at its own random point and has its own learning rate (a log grid,
shape (10000,)).  Timed (medians of repeats, compile time excluded):

- symopt: ``minimize(f, optim.adam(lr=lrs), x0, steps=1000, record="last")`` on the
  compiled Objective, and the same with ``tol`` (a gradient norm per run per step);
- the floor: a hand-fused, in-place NumPy Adam with a hand-written Rosenbrock gradient;
- torch.optim.Adam on a (10000, 2) float64 tensor with autograd.  It takes one learning
  rate per parameter group, not one per row, so it runs with a single lr (1e-2);
- a per-run Python loop: ``minimize`` called once per start, 20 runs, extrapolated
  linearly to 10,000.

Ratios are against the NumPy floor.  The symopt result is checked against the floor.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable

import numpy as np

import symopt
from symopt.optim import adam

B, STEPS = 10_000, 1_000
BETAS, EPS = (0.9, 0.999), 1e-8


def problem(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(-2.0, 2.0, size=(B, 2)), np.geomspace(1e-4, 1e-1, B)


def median_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def numpy_floor(x0: np.ndarray, lrs: np.ndarray) -> np.ndarray:
    """Adam exactly as torch.optim.Adam, fused by hand, every array updated in place."""
    b1, b2 = BETAS
    x, m, v = x0.copy(), np.zeros_like(x0), np.zeros_like(x0)
    g, tmp, lr = np.empty_like(x0), np.empty_like(x0), lrs[:, None]
    a, b = x[:, 0], x[:, 1]  # views: they follow the in-place updates of x
    for t in range(1, STEPS + 1):
        inner = b - a * a
        g[:, 1] = 200.0 * inner
        g[:, 0] = -2.0 * (1.0 - a) - 400.0 * a * inner
        m *= b1
        m += (1.0 - b1) * g
        v *= b2
        np.multiply(g, g, out=tmp)
        tmp *= 1.0 - b2
        v += tmp
        np.sqrt(v, out=tmp)
        tmp *= 1.0 / np.sqrt(1.0 - b2**t)
        tmp += EPS
        np.divide(m, tmp, out=tmp)
        tmp *= lr / (1.0 - b1**t)
        x -= tmp
    return x


def symopt_run(f: symopt.Objective, x0: np.ndarray, lrs: np.ndarray, tol=None) -> np.ndarray:
    traj = symopt.minimize(f, adam(lr=lrs), x0, steps=STEPS, tol=tol, record="last", progress=False)
    return traj.final_x


def torch_run(x0: np.ndarray, lr: float) -> np.ndarray:
    import torch

    x = torch.tensor(x0, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([x], lr=lr, betas=BETAS, eps=EPS)
    for _ in range(STEPS):
        opt.zero_grad()
        a, b = x[:, 0], x[:, 1]
        loss = ((1 - a) ** 2 + 100 * (b - a * a) ** 2).sum()
        loss.backward()
        opt.step()
    return x.detach().numpy()


def per_run_loop(f: symopt.Objective, x0: np.ndarray, lrs: np.ndarray, runs: int) -> float:
    start = time.perf_counter()
    for k in range(runs):
        symopt.minimize(f, adam(lr=lrs[k]), x0[k], steps=STEPS, record="last", progress=False)
    return (time.perf_counter() - start) * B / runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat each, no torch")
    args = parser.parse_args()
    repeat = 1 if args.quick else 5

    x0, lrs = problem()
    f = symopt.Objective("(1 - x)**2 + 100*(y - x**2)**2")
    f.compile()  # compile once, outside the timings

    rows: list[tuple[str, float, str]] = []
    t_floor, x_floor = median_time(lambda: numpy_floor(x0, lrs), repeat)
    rows.append(("NumPy hand-fused Adam (floor)", t_floor, "per-row lr"))
    t_sym, x_sym = median_time(lambda: symopt_run(f, x0, lrs), repeat)
    rows.append(('symopt minimize, record="last"', t_sym, "per-row lr"))
    t_tol, _ = median_time(lambda: symopt_run(f, x0, lrs, tol=1e-8), repeat)
    rows.append(("symopt minimize, tol=1e-8", t_tol, "per-row lr; norm every step"))
    if not args.quick:
        try:
            t_torch, _ = median_time(lambda: torch_run(x0, 1e-2), 3)
            rows.append(("torch.optim.Adam + autograd", t_torch, "ONE lr for all rows"))
        except ImportError:
            print("torch is not installed: its row is left out")
    runs = 20
    rows.append(
        (
            f"per-run Python loop ({runs} runs, x{B // runs})",
            per_run_loop(f, x0, lrs, runs),
            "extrapolated",
        )
    )

    close = np.isclose(x_sym, x_floor, rtol=1e-7, atol=1e-9).all(axis=1)
    print(f"\n{B} Adam runs x {STEPS} steps on 2-D Rosenbrock, median of {repeat} (s)\n")
    print(f"{'':40s} {'seconds':>9s} {'vs floor':>9s}  note")
    for name, seconds, note in rows:
        print(f"{name:40s} {seconds:9.3f} {seconds / t_floor:8.2f}x  {note}")
    print(
        f"\nsymopt and the floor agree (rtol 1e-7) on {close.mean():.1%} of the runs; "
        f"the others differ by round-off amplified along chaotic paths (large lr)."
    )


if __name__ == "__main__":
    main()
