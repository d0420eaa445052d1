"""Stochastic gradient descent: risk, mini-batches, and the convergence problem.

The lecture replaces the risk L(θ) = E[l(θ; z)] by the empirical risk over N examples,
L̂(θ) = 1/N Σ l(θ; z_i), and a step of SGD by the mean over a mini-batch of K ≪ N of
them.  This script does that for a line fit y ≈ a·x + b on N = 200,000 examples:

1. a mini-batch risk is an unbiased estimate of L̂ whose spread falls like 1/√K (times
   the finite-population factor √((N−K)/(N−1)));
2. GD vs SGD paths on the risk's contours (the lecture's sequence of pictures);
3. the convergence problem: with a constant step SGD does not converge but hovers in a
   *noise ball* whose mean squared radius is trace(Σ), Σ the solution of
   Σ = (I − ηH) Σ (I − ηH)ᵀ + η² S (S the batch-gradient noise), i.e. ≈ η·trace(S)/2
   for H = I: proportional to the step η and to 1/K.  A decaying step converges;
4. on real data (scikit-learn's breast cancer set, shipped with the package): logistic
   regression with mini-batch SGD vs Adam, training and test risk.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import symopt
from symopt.optim import adam, gd, schedules, sgd
from symopt.plot import plot_minibatch_losses, plot_noise_ball, plot_trajectories
from symopt.plot.points import mark_point
from symopt.stochastic import (
    EmpiricalRisk,
    batch_noise_variance,
    stationary_covariance,
)
from symopt.stochastic.data import linear_regression, load_breast_cancer, train_test_split

N = 200_000
LINE = "(y - a*x1 - b)^2 / 2"
RUNS = 200  # independent SGD runs for the noise ball
STEPS = 60  # of the GD / SGD paths


def run(out: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    out = Path(out)
    # inputs centred at 1, not 0: the risk's contours become tilted ellipses (H = [[2, 1], [1, 1]])
    line = linear_regression(N, 1, noise=1.0, seed=0)
    data = {"x1": line["x1"] + 1.0, "y": line["y"]}
    risk = EmpiricalRisk(LINE, "a b", data)
    features = np.column_stack([data["x1"], np.ones(N)])
    best, *_ = np.linalg.lstsq(features, data["y"], rcond=None)
    H = features.T @ features / N  # the Hessian of the risk: the data's second moments
    # the squared loss makes L̂ a quadratic: EmpiricalRisk evaluates it from the data's
    # moments, so a whole grid of θ for the contours costs no pass over the N examples
    surface = risk
    print(
        f"N = {N:,} examples, θ* = (a, b) = ({best[0]:.4f}, {best[1]:.4f}), "
        f"L̂(θ*) = {risk.value(best):.4f}"
    )

    result: dict[str, Any] = {"theta_star": best, "risk_at_theta_star": risk.value(best)}
    result["batch_spread"] = _minibatch_estimates(risk)
    _gd_vs_sgd(risk, surface, best, out / "11_gd_vs_sgd.png", plt)
    result.update(_noise_ball(risk, surface, best, H, out, plt))
    result.update(_breast_cancer(out / "11_breast_cancer.png", plt))
    return result


def _minibatch_estimates(risk: EmpiricalRisk) -> dict[int, tuple[float, float]]:
    """Spread of the mini-batch risk at θ = 0 over 2000 batches, measured vs theory."""
    theta = np.zeros(2)
    # one "batch" per example: the N per-example losses in one vectorised call
    per_example = risk.batch_value(theta, np.arange(N)[:, None])
    print(f"\n1. Mini-batch estimates of L̂(0) = {risk.value(theta):.4f} (2000 batches each):")
    rng = np.random.default_rng(1)
    spread = {}
    for k in (1, 32, 1024):
        rows = np.stack([rng.choice(N, k, replace=False) for _ in range(2000)])
        estimates = risk.batch_value(np.zeros((2000, 2)), rows)
        theory = np.sqrt(batch_noise_variance(per_example.var(), k, N))
        spread[k] = (float(estimates.std()), float(theory))
        print(
            f"   K = {k:5d}: mean {estimates.mean():.4f}, spread {estimates.std():.4f} "
            f"(theory σ/√K·√((N−K)/(N−1)) = {theory:.4f})"
        )
    return spread


def _gd_vs_sgd(risk, surface, best, path, plt) -> None:
    x0 = best + np.array([-2.5, 2.0])
    runs = {"GD: all N examples per step": N, "SGD, K = 32": 32, "SGD, K = 1": 1}
    fig, axes = plt.subplots(1, 3, figsize=(15, 5), layout="constrained")
    for ax, (label, k) in zip(axes, runs.items(), strict=True):
        traj = symopt.minimize(
            risk,
            gd(lr=0.2),
            x0,
            epochs=STEPS if k == N else 1,
            max_steps=STEPS,
            batch_size=k,
            seed=2,
        )
        plot_trajectories(
            surface,
            {label: traj},
            ax=ax,
            title=f"{label}\n{STEPS} steps of η = 0.2",
            bounds=((best[0] - 3, best[0] + 1), (best[1] - 1.5, best[1] + 2.5)),
        )
        legend = ax.get_legend()  # one legend for the figure: start, end markers, θ*
        markers = {
            t.get_text(): h
            for h, t in zip(legend.legend_handles, legend.get_texts(), strict=True)
            if t.get_text() != label
        }
        legend.remove()
        # θ* like the path plots' minima: a green circle above the end star it may hide
        markers["θ* (least squares)"] = mark_point(
            ax, best, "minimum", label="θ* (least squares)", ms=9, zorder=6
        )
        ax.set_xlabel("slope a")
        ax.set_ylabel("intercept b")
    fig.legend(
        markers.values(), markers.keys(), loc="outside lower center", ncol=len(markers),
        frameon=False,
    )  # fmt: skip
    fig.savefig(path)
    plt.close(fig)
    print(f"\n2. GD vs SGD paths: {path.name}")


def _noise_ball(risk, surface, best, H, out, plt) -> dict[str, Any]:
    # batch-gradient noise at θ*: the covariance of the per-example gradients over K
    grads = risk.batch_gradient(best, np.arange(N)[:, None])  # (N, 2), one per example
    S1 = np.cov(grads.T, bias=True)
    x0 = np.broadcast_to(best + np.array([-2.5, 2.0]), (RUNS, 2))
    common = dict(
        batch_size=32, max_steps=1000, record=10, seed=3, replacement=True, independent=True
    )
    settings = {
        "η = 0.1": sgd(lr=0.1),
        "η = 0.02": sgd(lr=0.02),
        "η_t = 0.1/(1 + 0.01 t)": sgd(lr=schedules.inverse_time(0.1, 0.01)),
    }
    trajs = {k: symopt.minimize(risk, opt, x0, **common) for k, opt in settings.items()}
    predicted = {
        k: float(np.trace(stationary_covariance(lr, H, S1 / 32)))
        for k, lr in (("η = 0.1", 0.1), ("η = 0.02", 0.02))
    }
    fig = plot_noise_ball(
        trajs,
        best,
        objective=surface,
        predicted=predicted,
        title=f"The convergence problem: {RUNS} SGD runs, K = 32",
    )
    fig.savefig(out / "11_noise_ball.png")
    plt.close(fig)
    print(f"\n3. The noise ball: mean |θ − θ*|² over {RUNS} runs, K = 32")
    measured = {}
    for label, t in trajs.items():
        d2 = ((t.x - best) ** 2).sum(axis=-1).mean(axis=-1)
        measured[label] = {"last 300 steps": float(d2[-30:].mean()), "final": float(d2[-1])}
        theory = f"theory {predicted[label]:.2e}" if label in predicted else "→ 0 as η_t → 0"
        print(
            f"   {label:24s} last 300 of 1000 steps {d2[-30:].mean():.2e}, at step 1000 "
            f"{d2[-1]:.2e}   ({theory})"
        )
    scaling = _noise_ball_scaling(risk, best, H, S1, out / "11_noise_ball_scaling.png", plt)
    return {"noise_ball": measured, "noise_ball_theory": predicted, "scaling": scaling}


def _noise_ball_scaling(risk, best, H, S1, path, plt) -> dict[int, list[tuple]]:
    """Measured vs predicted radius² for η × K, one batched run per K."""
    lrs = np.array([0.2, 0.1, 0.05, 0.025])
    x0 = np.broadcast_to(best, (len(lrs), 60, 2))  # start in the ball: no burn-in needed
    fig, ax = plt.subplots(figsize=(7, 5), layout="constrained")
    table: dict[int, list[tuple]] = {}
    print("   scaling with η and K (measured / theory):")
    for i, k in enumerate((8, 32, 128)):
        t = symopt.minimize(
            risk,
            sgd(lr=lrs[:, None]),
            x0,
            batch_size=k,
            max_steps=300,
            record=20,
            seed=4,
            replacement=True,
            independent=True,
        )
        measured = ((t.x[-10:] - best) ** 2).sum(axis=-1).mean(axis=(0, 2))
        theory = [np.trace(stationary_covariance(lr, H, S1 / k)) for lr in lrs]
        table[k] = [
            (float(a), float(m), float(p)) for a, m, p in zip(lrs, measured, theory, strict=True)
        ]
        ax.loglog(lrs, measured, "o", color=f"C{i}", label=f"K = {k}: measured")
        ax.loglog(lrs, theory, "-", color=f"C{i}", alpha=0.7, label=f"K = {k}: theory")
        ratios = ", ".join(f"η={a:g}: {m / p:.2f}" for a, m, p in table[k])
        print(f"     K = {k:3d}: {ratios}")
    ax.set_xscale("log")
    ax.set_xticks(lrs, [f"{a:g}" for a in lrs])  # the four steps, plain numbers
    ax.set_xticks([], minor=True)
    ax.set_xlabel("step η")
    ax.set_ylabel(r"mean $\|\theta - \theta^*\|^2$ in the noise ball")
    ax.set_title("The noise ball grows like η / K")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.savefig(path)
    plt.close(fig)
    return table


def _breast_cancer(path, plt) -> dict[str, Any]:
    data = load_breast_cancer(labels=(-1, 1))
    train, test = train_test_split(data, test_fraction=0.25, seed=0)
    names = " ".join(f"w{j}" for j in range(1, 31))
    margin = " + ".join(f"w{j}*x{j}" for j in range(1, 31)) + " + b"
    risk = EmpiricalRisk(f"log(1 + exp(-y*({margin})))", names + " b", train)
    fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained", sharey=True)
    print(
        f"\n4. Breast cancer: {train.n_examples} training / {test.n_examples} test tumours, "
        "30 features, K = 16, 30 epochs:"
    )
    out = {}
    for ax, (label, opt) in zip(
        axes, {"SGD, η = 0.05": sgd(lr=0.05), "Adam, η = 0.01": adam(lr=0.01)}.items(), strict=True
    ):
        t = symopt.minimize(
            risk, opt, np.zeros(31), epochs=30, batch_size=16, seed=0, record="epoch", test=test
        )
        theta = t.final_x
        accuracy = np.mean(np.sign(test.X @ theta[:30] + theta[30]) == test.y)
        out[label] = {
            "train": float(t.final_value),
            "test": float(t.extras["test_values"][-1]),
            "test_accuracy": float(accuracy),
        }
        print(
            f"   {label:14s} training risk {t.final_value:.4f}, test risk "
            f"{t.extras['test_values'][-1]:.4f}, test accuracy {accuracy:.1%}"
        )
        plot_minibatch_losses(t, ax=ax, title=label)
        ax.set_xlabel("step (epochs of 27 mini-batches)")
    fig.savefig(path)
    plt.close(fig)
    return {"breast_cancer": out}


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
