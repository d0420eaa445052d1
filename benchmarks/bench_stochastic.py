"""One epoch of mini-batch SGD: symopt's EmpiricalRisk beside NumPy, torch and lambdify.

Run:  python benchmarks/bench_stochastic.py   (about half a minute; ``--repeat`` to change)

Logistic regression with 20 features and a bias on N = 100,000 examples, loss
``log(1 + exp(-y (w·x + b)))``, one epoch of SGD (lr 0.1) in batches of K = 128 (782
steps, the last one partial), the same shuffled order for every contender:

- symopt: ``EmpiricalRisk`` from the symbolic per-example loss (linear forms: gather,
  ``A θ``, elementwise derivative, ``Aᵀ d``) + ``symopt.optim.sgd``, through
  ``symopt.minimize(..., epochs=1, batch_size=128, record="last", progress=False)``
  (the time includes the full training risk at the start and at the end);
- symopt general: the same with ``structure="general"`` (per-example loss and gradient
  lambdified with CSE and broadcast over the batch);
- NumPy: a hand-written vectorised epoch (``X[idx]``, two matrix-vector products);
- torch: the same model, ``torch.optim.SGD`` and autograd on the CPU, float64;
- naive lambdify: ``sympy.lambdify`` of the 21 gradient entries, evaluated on the batch
  columns and averaged.

Medians of ``--repeat`` interleaved rounds, ratios against NumPy; every contender ends at the same
parameters (checked).  The risk is built (compiled, coefficient matrix precomputed) once,
outside the timing; its build time is printed as well.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import sympy as sp

import symopt
from symopt.optim import sgd
from symopt.stochastic import EmpiricalRisk
from symopt.stochastic.data import logistic_regression

N, D, K, LR, SEED = 100_000, 20, 128, 0.1, 0


def symbolic_loss() -> tuple[sp.Expr, list[sp.Symbol], list[sp.Symbol]]:
    w, x = sp.symbols(f"w1:{D + 1}", real=True), sp.symbols(f"x1:{D + 1}", real=True)
    b, y = sp.symbols("b y", real=True)
    loss = sp.log(1 + sp.exp(-y * (sum(wj * xj for wj, xj in zip(w, x, strict=True)) + b)))
    return loss, [*w, b], [*x, y]


def numpy_epoch(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    perm = np.random.default_rng(SEED).permutation(N)
    w, b = np.zeros(D), 0.0
    for start in range(0, N, K):
        idx = perm[start : start + K]
        Xb, yb = X[idx], y[idx]
        margin = yb * (Xb @ w + b)
        c = -yb * 0.5 * (1.0 - np.tanh(0.5 * margin))  # d/du log(1 + e^-u) · y
        w = w - LR * (Xb.T @ c) / len(idx)
        b = b - LR * c.mean()
    return np.append(w, b)


def torch_epoch(torch, X, y) -> np.ndarray:
    perm = torch.from_numpy(np.random.default_rng(SEED).permutation(N))
    w = torch.zeros(D, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w, b], lr=LR)
    for start in range(0, N, K):
        idx = perm[start : start + K]
        opt.zero_grad()
        loss = torch.nn.functional.softplus(-y[idx] * (X[idx] @ w + b)).mean()
        loss.backward()
        opt.step()
    return np.append(w.detach().numpy(), b.detach().numpy())


def naive_epoch(gradient, columns: np.ndarray) -> np.ndarray:
    perm = np.random.default_rng(SEED).permutation(N)
    theta = np.zeros(D + 1)
    for start in range(0, N, K):
        batch = columns[perm[start : start + K]]
        parts = gradient(*theta, *batch.T)
        theta = theta - LR * np.array([np.mean(p) for p in parts])
    return theta


def median_times(contenders: dict, repeat: int) -> dict[str, tuple[float, np.ndarray]]:
    """Median seconds and the result of each contender; the rounds interleave the
    contenders so that a change of load on the machine hits them all alike."""
    times: dict[str, list[float]] = {name: [] for name in contenders}
    out: dict[str, np.ndarray] = {}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            out[name] = fn()
            times[name].append(time.perf_counter() - start)
    return {name: (statistics.median(times[name]), out[name]) for name in contenders}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    data = logistic_regression(N, D, seed=SEED)
    X, y = data.X, data.y
    loss, params, data_symbols = symbolic_loss()
    start = time.perf_counter()
    risk = EmpiricalRisk(loss, params, data)
    build = time.perf_counter() - start
    general = EmpiricalRisk(loss, params, data, structure="general")
    opt = sgd(lr=LR)

    def symopt_epoch(r):
        return lambda: (
            symopt.minimize(
                r,
                opt,
                np.zeros(D + 1),
                epochs=1,
                batch_size=K,
                record="last",
                progress=False,
                seed=SEED,
            ).final_x
        )

    gradient = sp.lambdify([*params, *data_symbols], [loss.diff(p) for p in params])
    columns = np.column_stack([X, y])
    contenders = {
        "symopt (linear forms)": symopt_epoch(risk),
        "symopt (general)": symopt_epoch(general),
        "NumPy, hand-written": lambda: numpy_epoch(X, y),
        "naive lambdify": lambda: naive_epoch(gradient, columns),
    }
    try:
        import torch

        Xt, yt = torch.from_numpy(X), torch.from_numpy(y)
        contenders["torch CPU (autograd, float64)"] = lambda: torch_epoch(torch, Xt, yt)
    except ImportError:
        print("(torch is not installed: its row is skipped)")

    results = median_times(contenders, args.repeat)
    reference = results["NumPy, hand-written"]
    print(
        f"One SGD epoch: logistic regression, N = {N:,}, {D} features + bias, K = {K} "
        f"({-(-N // K)} steps); median of {args.repeat}"
    )
    print(f"(EmpiricalRisk build, once: {build:.2f} s)")
    print(f"{'contender':32s} {'seconds':>9s} {'vs NumPy':>9s} {'max |Δθ|':>10s}")
    for name, (seconds, theta) in results.items():
        diff = float(np.max(np.abs(theta - reference[1])))
        print(f"{name:32s} {seconds:9.4f} {seconds / reference[0]:8.2f}x {diff:10.1e}")


if __name__ == "__main__":
    main()
