"""Hessian spectra of an MLP: symopt's R-operator HVPs and Lanczos beside torch double-backward.

Run:  python benchmarks/bench_spectra.py   (a few minutes with the dense reference;
``--repeat`` to change the rounds, ``--no-dense`` to skip it)

A tanh MLP 64 → 96 → 32 → 10 (9,674 parameters) with cross-entropy on 1,000 of the digits,
float64 on the CPU, one thread for both (the machine is shared; small products are fastest
on one):

- HVP, symopt: ``MLP.hessian_operator`` (forward and backward pass done once at θ, then
  Pearlmutter's R-operator per direction) against torch's usual HVP: the gradient once with
  ``create_graph=True``, then ``autograd.grad(g·v, θ, retain_graph=True)`` per direction;
  and the one-shot ``symopt.landscape.hvp`` (forward included) against a full torch
  forward + double-backward per direction;
- Lanczos top-5: ``symopt.landscape.hessian_spectrum(k=5)`` against the same function
  given a loss whose ``hvp`` is torch's (the same Lanczos, the same start);
- dense reference: the Hessian from ``P`` symopt HVPs (in blocks) and ``numpy.linalg.eigh``.

Medians of ``--repeat`` interleaved rounds; the eigenvalues of all three agree (checked).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from symopt import landscape
from symopt.landscape.mlp import MLP, load_digits

SIZES, SAMPLES, K, SEED = [64, 96, 32, 10], 1000, 5, 0


def setup():
    X, y = load_digits()
    rows = np.random.default_rng(SEED).permutation(len(X))[:SAMPLES]
    net = MLP(SIZES, activation="tanh", loss="cross_entropy", seed=SEED)
    theta = net.init() + 0.05 * np.random.default_rng(1).normal(size=net.size)
    return net, X[rows], y[rows], theta


def torch_parts(net, X, y, theta):
    import torch

    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loss_of(t):
        tensors, offset = [], 0
        for shape in net.shapes:
            size = int(np.prod(shape))
            tensors.append(t[offset : offset + size].reshape(shape))
            offset += size
        h = Xt
        for W, b in zip(tensors[0:-2:2], tensors[1:-2:2], strict=True):
            h = torch.tanh(torch.nn.functional.linear(h, W, b))
        z = torch.nn.functional.linear(h, tensors[-2], tensors[-1])
        return torch.nn.functional.cross_entropy(z, yt)

    t = torch.tensor(theta, requires_grad=True)
    (g,) = torch.autograd.grad(loss_of(t), t, create_graph=True)

    def cached(v):  # the usual torch HVP: one graph of the gradient, reused
        return torch.autograd.grad(g @ torch.from_numpy(v), t, retain_graph=True)[0].numpy()

    def fresh(v):  # forward + double backward for every product
        s = torch.tensor(theta, requires_grad=True)
        (gs,) = torch.autograd.grad(loss_of(s), s, create_graph=True)
        return torch.autograd.grad(gs @ torch.from_numpy(v), s)[0].numpy()

    return cached, fresh


class TorchLoss:
    """A loss for symopt.landscape whose Hessian-vector product is torch's."""

    def __init__(self, net, product):
        self.n_params, self.product = net.size, product

    def hvp(self, theta, V):
        V = np.asarray(V, dtype=float)
        rows = V.reshape(-1, self.n_params)
        return np.stack([self.product(np.ascontiguousarray(v)) for v in rows]).reshape(V.shape)


def timed(fn, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--no-dense", action="store_true")
    args = parser.parse_args()
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    net, X, y, theta = setup()
    f = net.objective(X, y)
    print(f"MLP {SIZES} tanh, cross-entropy, {net.size} parameters, {SAMPLES} samples")
    with threadpool_limits(limits=1, user_api="blas"):
        op = net.hessian_operator(theta, X, y)
        cached, fresh = torch_parts(net, X, y, theta)
        V = np.random.default_rng(2).normal(size=(20, net.size))
        diff = max(np.abs(op(v) - cached(v)).max() / np.abs(cached(v)).max() for v in V[:3])
        print(f"HVP agreement with torch (max relative): {diff:.1e}")

        rows = {}
        for name, fn in (
            ("symopt HVP (cached forward)", lambda: [op(v) for v in V]),
            ("torch HVP (cached graph)", lambda: [cached(v) for v in V]),
            ("symopt hvp() one-shot", lambda: [landscape.hvp(f, theta, v) for v in V]),
            ("torch forward + double backward", lambda: [fresh(v) for v in V]),
        ):
            rows[name] = timed(fn, args.repeat)[0] / len(V)
        print("\nper Hessian-vector product (median of rounds of 20):")
        for name, sec in rows.items():
            print(f"  {name:<34} {1e3 * sec:8.2f} ms")
        r1 = rows["symopt HVP (cached forward)"] / rows["torch HVP (cached graph)"]
        r2 = rows["symopt hvp() one-shot"] / rows["torch forward + double backward"]
        print(f"  ratio symopt / torch: cached {r1:.2f}, one-shot {r2:.2f} (target <= 2)")

        t_sym, spec = timed(lambda: landscape.hessian_spectrum(f, theta, k=K), args.repeat)
        tl = TorchLoss(net, cached)
        t_torch, spec_t = timed(lambda: landscape.hessian_spectrum(tl, theta, k=K), args.repeat)
        print(
            f"\nLanczos top-{K} (tol 1e-10, {spec.products} products + 2 for the symmetry check):"
        )
        print(
            f"  symopt {t_sym:.3f} s, with torch HVPs {t_torch:.3f} s: ratio {t_sym / t_torch:.2f}"
        )
        print(f"  eigenvalues {np.array2string(spec.eigenvalues, precision=6)}")
        agree = np.abs(spec.eigenvalues - spec_t.eigenvalues).max() / spec.eigenvalues[0]
        print(f"  agreement with the torch-HVP run: {agree:.1e}")

        if not args.no_dense:
            start = time.perf_counter()
            H = landscape.operator(f, theta).dense()
            built = time.perf_counter() - start
            start = time.perf_counter()
            lam = np.linalg.eigvalsh((H + H.T) / 2)
            solved = time.perf_counter() - start
            top = lam[::-1][:K]
            err = np.abs(spec.eigenvalues - top).max() / top[0]
            print(
                f"\ndense reference: H from {net.size} HVPs in {built:.1f} s, eigvalsh "
                f"{solved:.1f} s; Lanczos vs dense top-{K}: {err:.1e} relative; "
                f"dense / Lanczos time {(built + solved) / t_sym:.0f}x"
            )


if __name__ == "__main__":
    main()
