"""Learning is not only optimizing: the training risk falls while the test risk rises.

Twenty noisy samples of a degree-5 polynomial on [−1, 1] are fitted by a degree-15
polynomial (16 parameters for 20 points: enough freedom to chase the noise).  The model
is written in the Legendre basis, l(w; x, y) = ½ (y − Σ_k w_k P_k(x))², which keeps the
features on one scale so that plain gradient descent can fit it; the loss is linear in w,
so the risk is a quadratic in w and each of the 20,000 steps costs microseconds.

Gradient descent first fits the smooth part of the data (the large-eigenvalue directions
of the risk's Hessian), then, slowly, the noise (the small ones).  The training risk keeps
falling towards the least-squares fit; the risk on held-out data falls, bottoms out and
rises.  Early stopping keeps the parameters where a *validation* set's risk was least; a
separate test set then measures how good that choice is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

import symopt
from symopt.optim import gd
from symopt.plot import plot_generalization
from symopt.stochastic import EmpiricalRisk
from symopt.stochastic.data import polynomial_regression, train_test_split

DEGREE = 15
N_TRAIN = 20
STEPS = 20_000
LR = 0.3
SEED = 7


def legendre_model(degree: int) -> tuple[sp.Expr, tuple[sp.Symbol, ...]]:
    """Σ_k w_k P_k(x), k = 0..degree, and its parameters."""
    x = sp.Symbol("x", real=True)
    w = sp.symbols(f"w0:{degree + 1}", real=True)
    return sum(wk * sp.legendre(k, x) for k, wk in enumerate(w)), w


def run(out: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    out = Path(out)
    data = polynomial_regression(N_TRAIN + 1000, degree=5, noise=0.3, seed=SEED)
    train, held_out = train_test_split(data, test_fraction=1000 / (N_TRAIN + 1000), seed=SEED)
    validation, test = train_test_split(held_out, test_fraction=0.5, seed=SEED)
    model, w = legendre_model(DEGREE)
    loss = (sp.Symbol("y", real=True) - model) ** 2 / 2
    risk = EmpiricalRisk(loss, w, train)
    test_risk = risk.with_data(test)

    traj = symopt.minimize(
        risk,
        gd(lr=LR),
        np.zeros(DEGREE + 1),
        epochs=STEPS,
        batch_size=N_TRAIN,
        record=10,
        test=validation,
    )
    val = traj.extras["test_values"]
    best = int(np.argmin(val))
    early, final = traj.x[best], traj.final_x
    # where gradient descent is heading: the least-squares fit of the training points
    features = np.column_stack(
        [
            np.polynomial.legendre.legval(train["x"], np.eye(DEGREE + 1)[k])
            for k in range(DEGREE + 1)
        ]
    )
    exact, *_ = np.linalg.lstsq(features, train["y"], rcond=None)

    rows = {
        "start (w = 0)": traj.x[0],
        f"early stop (step {traj.steps[best]})": early,
        f"end (step {STEPS})": final,
        "least squares (GD's limit)": exact,
    }
    print(
        f"Degree-{DEGREE} Legendre model, {N_TRAIN} training points (noise σ = 0.3, so the "
        "best possible risk is σ²/2 = 0.045), GD with η = 0.3:"
    )
    print(f"   {'':28s} {'training':>9s} {'validation':>11s} {'test':>8s}")
    for label, theta in rows.items():
        print(
            f"   {label:28s} {risk.value(theta):9.4f} "
            f"{risk.with_data(validation).value(theta):11.4f} {test_risk.value(theta):8.4f}"
        )

    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5.5), layout="constrained")
    plot_generalization(traj, ax=left)
    left.lines[1].set_label("validation risk")
    left.legend(loc="lower left")
    grid = np.linspace(-1, 1, 400)
    basis = np.stack(
        [np.polynomial.legendre.legval(grid, np.eye(DEGREE + 1)[k]) for k in range(DEGREE + 1)],
        axis=-1,
    )
    truth = np.polynomial.polynomial.polyval(grid, data.truth["c"])
    right.plot(test["x"], test["y"], ".", color="0.75", ms=3, label="test data")
    right.plot(train["x"], train["y"], "o", color="k", label="training data")
    right.plot(grid, truth, color="C2", lw=2, label="truth")
    right.plot(grid, basis @ early, color="C0", lw=2, label=f"early stop (step {traj.steps[best]})")
    right.plot(grid, basis @ final, color="C3", lw=2, label=f"end (step {STEPS})")
    # the whole of both fits: the end fit's swings are the point of the picture
    fits = np.concatenate([truth, basis @ early, basis @ final, train["y"]])
    right.set_ylim(fits.min() - 0.3, fits.max() + 0.3)
    right.set_xlabel("x")
    right.set_ylabel("y")
    right.set_title("The fits")
    right.legend(loc="upper left", bbox_to_anchor=(1.01, 1), borderaxespad=0)
    right.grid(alpha=0.3)
    fig.savefig(out / "13_generalization.png")
    plt.close(fig)
    return {
        "train_values": traj.values,
        "validation_values": val,
        "steps": traj.steps,
        "early_stop_step": int(traj.steps[best]),
        "test_at_early_stop": float(test_risk.value(early)),
        "test_at_end": float(test_risk.value(final)),
    }


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
