"""The edge of stability: on a network the sharpness rises to 2/η, on a quadratic it is fixed.

The lecture's stability boundary: on a quadratic, gradient descent with step size η
converges iff η·λ_max < 2, where λ_max is the largest eigenvalue of the Hessian, the
*sharpness*.  On a quadratic λ_max is the same everywhere, so a step size above 2/λ_max
diverges and one below converges.  On a neural network the Hessian changes along the run,
and Cohen, Kaur, Li, Kolter and Talwalkar ("Gradient descent on neural networks typically
occurs at the edge of stability", ICLR 2021) found that under full-batch gradient descent
the sharpness first rises (*progressive sharpening*) until it reaches about 2/η, and then
hovers there while the loss keeps falling, non-monotonically.

Here: a tanh network with three hidden layers of width 32, trained with the mean squared
error on one-hot labels of 300 of scikit-learn's 8×8 digits, by full-batch gradient
descent at three step sizes (one batched run), with the sharpness computed every 20 steps
by Lanczos on exact Hessian-vector products (symopt.landscape.SharpnessTracker); beside it
the lecture's quadratic f = xᵀHx with H = diag(10, 1), whose Hessian 2H has λ_max = 20 at
every point.  At the start and the end, the whole eigenvalue density by stochastic Lanczos
quadrature.
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np

import symopt
from symopt import landscape, optim
from symopt.landscape.mlp import MLP, load_digits
from symopt.plot.spectra import plot_sharpness, plot_spectral_density

SAMPLES, WIDTH, DEPTH, STEPS, EVERY = 300, 32, 3, 2000, 20
LRS = (0.2, 0.3, 0.4)  # 2/η = 10, 6.7, 5
QUADRATIC_LRS = (0.05, 0.09, 0.105)  # η·λ_max = 1, 1.8, 2.1 with λ_max = 20
QUADRATIC_STEPS, X0 = 60, (-1.5, 1.0)
EDGE = 0.95  # "at the edge": λ_max >= 95 % of 2/η


def run(out: Path, *, steps: int = STEPS, seed: int = 0) -> dict:
    """Train, track, draw; return the numbers the notes print."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    begin = time.perf_counter()
    with _one_blas_thread():
        res = _experiment(out, steps, seed)
    res["seconds"] = round(time.perf_counter() - begin, 2)
    print(f"(ran in {res['seconds']:.1f} s)")
    return res


def _experiment(out: Path, steps: int, seed: int) -> dict:
    quad = _quadratic()
    net, f, theta0 = _network(seed, steps)
    tracker = landscape.SharpnessTracker(f, every=EVERY)
    lrs = np.array(LRS)
    traj = symopt.minimize(
        f, optim.gd(lr=lrs), np.stack([theta0] * len(LRS)), steps, record=5, track=tracker
    )
    res: dict = {"parameters": net.size, "lrs": list(LRS), "quadratic": quad}
    res |= _report(traj, tracker)
    options = {"n_vectors": 5, "steps": 60, "seed": seed}
    densities = {  # the runs first: each in its colour of the other figure, as its 2/η line
        f"end, η = {lr:g}": landscape.spectral_density(f, traj.final_x[k], **options)
        for k, lr in enumerate(LRS)
    }
    densities["initialisation"] = landscape.spectral_density(f, theta0, **options)
    res["density_weights"] = [float(d.weights.sum()) for d in densities.values()]
    res["density_mean"] = {name: d.mean for name, d in densities.items()}
    trace = landscape.hessian_trace(f, theta0, samples=100, seed=seed)
    res["trace_over_n_init"] = (trace.value / net.size, trace.stderr / net.size)
    print(
        f"Hessian densities (5 random vectors, 60 Lanczos steps each): at initialisation "
        f"the mean eigenvalue is {densities['initialisation'].mean:.2e} (Hutchinson's trace/n: "
        f"{trace.value / net.size:.2e} ± {trace.stderr / net.size:.1e}); a bulk at 0 and a "
        "few outliers, the largest of which is the sharpness."
    )
    res["files"] = [
        _draw_runs(out, quad, traj, tracker),
        _draw_densities(out, densities),
    ]
    return res


# -- the two problems --------------------------------------------------------------------


def _quadratic() -> dict:
    """The lecture's f = xᵀHx, H = diag(10, 1), at three step sizes (one batched run)."""
    f = symopt.quadratic([[10, 0], [0, 1]], scale=1)
    tracker = landscape.SharpnessTracker(f, every=5)
    traj = symopt.minimize(
        f,
        optim.gd(lr=np.array(QUADRATIC_LRS)),
        np.broadcast_to(X0, (len(QUADRATIC_LRS), 2)),
        QUADRATIC_STEPS,
        track=tracker,
    )
    print(__doc__.splitlines()[0])
    print(
        f"\nThe quadratic f = xᵀHx, H = diag(10, 1): its Hessian 2H has λ_max = "
        f"{tracker.values.max():.6g} at every tracked step ({tracker.values.min():.6g} at "
        f"the least), so the limit is η < 2/20 = 0.1:"
    )
    for k, lr in enumerate(QUADRATIC_LRS):
        print(
            f"  η = {lr:g}: η·λ_max = {lr * 20:.3g}, f after {QUADRATIC_STEPS} steps "
            f"{traj.values[-1, k]:.3g} ({'converges' if lr * 20 < 2 else 'diverges'})"
        )
    return {
        "steps": tracker.steps.tolist(),
        "sharpness": tracker.values,
        "values": traj.values,
        "trajectory": traj,
    }


def _network(seed: int, steps: int):
    X, y = load_digits()
    rows = np.random.default_rng(seed).permutation(len(X))[:SAMPLES]
    X, Y = X[rows], np.eye(10)[y[rows]]  # one-hot targets for the mean squared error
    net = MLP([64, *[WIDTH] * DEPTH, 10], activation="tanh", loss="mse", seed=seed)
    print(
        f"\nThe network: {DEPTH} tanh layers of width {WIDTH}, {net.size} parameters, "
        f"mean squared error on {SAMPLES} digits; full-batch gradient descent for "
        f"{steps} steps at η = {', '.join(f'{lr:g}' for lr in LRS)} "
        f"(2/η = {', '.join(f'{2 / lr:.3g}' for lr in LRS)}); λ_max every {EVERY} steps."
    )
    return net, net.objective(X, Y), net.init()


# -- what is seen ------------------------------------------------------------------------


def _report(traj, tracker) -> dict:
    steps, lam = tracker.steps, tracker.values
    late = steps >= 0.75 * steps[-1]
    out: dict = {"init": float(lam[0, 0]), "runs": {}}
    for k, lr in enumerate(LRS):
        limit = 2.0 / lr
        low = int(np.argmin(lam[:, k]))  # after the first steps' drop: progressive sharpening
        reached = np.flatnonzero(lam[low:, k] >= EDGE * limit)
        first = int(steps[low + reached[0]]) if reached.size else None
        values = traj.values[:, k]
        rises = np.diff(values) > 0  # recorded every 5 steps
        after = traj.steps[1:] > (first if first is not None else traj.steps[-1])
        run = {
            "limit": limit,
            "min": float(lam[low, k]),
            "min_at": int(steps[low]),
            "max": float(lam[low:, k].max()),
            "late_mean": float(lam[late, k].mean()),
            "late_ratio": float(lam[late, k].mean() / limit),
            "max_ratio": float(lam[low:, k].max() / limit),
            "final": float(lam[-1, k]),
            "reached_at": first,
            "final_loss": float(values[-1]),
            "loss_rises_after_edge": int(np.sum(rises & after)),
            "loss_rises_before_edge": int(np.sum(rises & ~after)),
        }
        out["runs"][lr] = run
    print(f"\nλ_max at initialisation: {out['init']:.3g} (the same start for every run).")
    for lr, r in out["runs"].items():
        if r["reached_at"] is None:
            seen = (
                f"never reaches the edge: the sharpness rises from its low of {r['min']:.3g} "
                f"(step {r['min_at']}) to {r['max']:.3g}, {100 * r['max_ratio']:.0f} % of 2/η"
            )
        else:
            seen = (
                f"falls to {r['min']:.3g} by step {r['min_at']}, rises again and reaches "
                f"{100 * EDGE:.0f} % of 2/η at step {r['reached_at']} (peak "
                f"{r['max']:.3g} = {r['max_ratio']:.2f}·2/η), then hovers at "
                f"{r['late_ratio']:.2f}·2/η over the last quarter; the loss went up at "
                f"{r['loss_rises_after_edge']} of the recorded steps after that, "
                f"{r['loss_rises_before_edge']} before"
            )
        print(f"  η = {lr:g} (2/η = {r['limit']:.3g}): {seen}; final loss {r['final_loss']:.4f}.")
    over = [lr for lr, r in out["runs"].items() if out["init"] > r["limit"]]
    if over:
        print(
            f"  The start is already sharper than 2/η for η = {', '.join(map(str, over))}: "
            "the first steps flatten it (the sharpness drops below 2/η) instead of diverging, "
            "as a quadratic with that curvature would."
        )
    ratios = ", ".join(f"η = {lr:g}: {r['late_ratio']:.2f}" for lr, r in out["runs"].items())
    print(
        f"Sharpness over the last quarter relative to 2/η — {ratios}.  On the quadratic "
        "λ_max never moves and η > 2/λ_max diverges; on the network gradient descent "
        "does not diverge at large η: the sharpness adapts to it and settles at the edge."
    )
    return {"sharpness": out}


# -- figures -----------------------------------------------------------------------------


def _draw_runs(out: Path, quad: dict, traj, tracker) -> str:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(14, 9.5), sharex="col")
    (q_loss, n_loss), (q_sharp, n_sharp) = axes
    qt = quad["trajectory"]
    for k, lr in enumerate(QUADRATIC_LRS):
        q_loss.plot(qt.steps, qt.values[:, k], color=f"C{k}", lw=2, label=f"η = {lr:g}")
    q_loss.set_yscale("log")
    q_loss.set_ylabel("f(x) = xᵀHx")
    q_loss.set_title("lecture quadratic, H = diag(10, 1)")
    q_loss.legend()
    plot_sharpness(
        quad["steps"],
        quad["sharpness"],
        QUADRATIC_LRS,
        ax=q_sharp,
        title="its sharpness: λ_max = 20 at every point",
    )
    for k, lr in enumerate(LRS):
        n_loss.plot(traj.steps, traj.values[:, k], color=f"C{k}", lw=1.5, label=f"η = {lr:g}")
    n_loss.set_yscale("log")
    n_loss.set_ylabel("training loss (MSE)")
    n_loss.set_title(f"tanh network, {SAMPLES} digits, full-batch GD")
    n_loss.legend()
    plot_sharpness(
        tracker.steps,
        tracker.values,
        LRS,
        ax=n_sharp,
        title="its sharpness climbs to 2/η (if it gets there) and hovers",
    )
    fig.tight_layout()
    name = "17_edge_of_stability.png"
    fig.savefig(out / name)
    plt.close(fig)
    return name


def _draw_densities(out: Path, densities: dict) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(11, 5.5))
    marks = {f"2/η = {2 / lr:.3g}": 2 / lr for lr in LRS}
    plot_spectral_density(
        densities,
        ax=ax,
        marks=marks,
        title="Hessian eigenvalue density (stochastic Lanczos quadrature)",
    )
    fig.tight_layout()
    name = "17_hessian_density.png"
    fig.savefig(out / name)
    plt.close(fig)
    return name


@contextlib.contextmanager
def _one_blas_thread():
    """Small matrix products are fastest on one BLAS thread (and the machine is shared)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn; without it, run as is
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
