"""Why a surrogate: accuracy has no gradient, the logistic loss does.

We want the model with the best accuracy, but accuracy cannot guide an optimizer: as a
function of the parameters θ it is a staircase.  A linear classifier on N examples gets
example i right when its margin m_i(θ) = y_i (w·x_i + b) is positive; along a line
θ(t) = θ₀ + t·d every margin is affine in t, so it changes sign at most once, and the
accuracy changes only at those isolated t.  Everywhere else its derivative is exactly 0:
no direction to move in.  The logistic loss L(θ) = 1/N Σ log(1 + exp(−m_i(θ))) is
smooth, and its gradient is non-zero all along the line.

The line here joins a random start θ₀ (t = 0) to the logistic-regression fit θ̂ (t = 1)
on scikit-learn's breast cancer set (569 tumours, 30 standardised features; a seeded
synthetic set stands in when scikit-learn is missing).  The script prints how much of
the line has a zero accuracy derivative, how many jumps there are (counted on the grid
and computed exactly from the margins), and the range of the loss's gradient norm.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp

import symopt
from symopt.errors import SymoptError
from symopt.optim import gd
from symopt.stochastic import EmpiricalRisk
from symopt.stochastic.data import logistic_regression

T_RANGE = (-0.25, 1.5)  # t = 0: the random start, t = 1: the fit
GRID = 3501  # points on the line (dt = 5e-4)
ZOOM = (0.3, 0.4)  # a stretch of the staircase, drawn enlarged
FIT_EPOCHS = 300  # full-batch gradient descent steps for θ̂
SEED = 0


def load() -> Any:
    """The breast cancer set, or a synthetic one of the same shape without scikit-learn."""
    try:
        from symopt.stochastic.data import load_breast_cancer

        return load_breast_cancer()
    except SymoptError:
        return logistic_regression(569, 30, seed=SEED)


def logistic_risk(ds: Any) -> EmpiricalRisk:
    """The mean logistic loss log(1 + exp(−y(w·x + b))) over the examples of ``ds``."""
    w = sp.symbols(f"w1:{len(ds.features) + 1}", real=True)
    x = sp.symbols(" ".join(ds.features), real=True)
    b, y = sp.symbols("b y", real=True)
    margin = y * (sum(wj * xj for wj, xj in zip(w, x, strict=True)) + b)
    return EmpiricalRisk(sp.log(1 + sp.exp(-margin)), [*w, b], ds)


def margins(ds: Any, theta: np.ndarray) -> np.ndarray:
    """y_i (w·x_i + b) for every θ in ``theta (..., d+1)`` and example i: ``(..., N)``."""
    return ds.y * (theta[..., :-1] @ ds.X.T + theta[..., -1:])


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    ds = load()
    risk = logistic_risk(ds)
    fit = symopt.minimize(
        risk,
        gd(lr=1.0),
        np.zeros(risk.n_params),
        epochs=FIT_EPOCHS,
        batch_size=ds.n_examples,
        record="last",
    ).final_x
    # a random start as far from 0 as the fit, so the accuracy starts near chance
    direction = np.random.default_rng(SEED).standard_normal(risk.n_params)
    start = direction * np.linalg.norm(fit) / np.linalg.norm(direction)
    direction = fit - start

    t = np.linspace(*T_RANGE, GRID)
    dt = t[1] - t[0]
    theta = start + t[:, None] * direction
    accuracy = (margins(ds, theta) > 0).mean(axis=-1)
    loss, grad = risk.value_and_gradient(theta)
    slope = grad @ direction  # dL/dt = ⟨∇L(θ(t)), d⟩, exact
    d_accuracy = np.diff(accuracy) / dt
    d_loss = np.diff(loss) / dt
    mid = (t[1:] + t[:-1]) / 2

    # m_i(θ₀ + t·d) = a_i + t·c_i changes sign at t_i = −a_i / c_i
    a, c = margins(ds, start), margins(ds, direction)
    crossings = -a[c != 0] / c[c != 0]
    crossings = crossings[(crossings > t[0]) & (crossings < t[-1])]
    crossing_intervals = np.unique(np.searchsorted(t, crossings) - 1)
    jump_intervals = np.flatnonzero(d_accuracy)
    grad_norms = np.linalg.norm(grad, axis=-1)
    fd_gap = float(np.max(np.abs(d_loss - (slope[1:] + slope[:-1]) / 2)))

    result = {
        "n_examples": ds.n_examples,
        "n_params": risk.n_params,
        "grid_intervals": GRID - 1,
        "zero_derivative_fraction": float(np.mean(d_accuracy == 0)),
        "grid_jumps": len(jump_intervals),
        "sign_changes": len(crossings),
        "crossing_intervals": len(crossing_intervals),
        "jumps_elsewhere": int(np.count_nonzero(~np.isin(jump_intervals, crossing_intervals))),
        "accuracy_start": float(np.mean(margins(ds, start) > 0)),
        "accuracy_fit": float(np.mean(margins(ds, fit) > 0)),
        "loss_fit": float(risk.value(fit)),
        "loss_grad_norm_min": float(grad_norms.min()),
        "loss_grad_norm_max": float(grad_norms.max()),
        "loss_slope_fd_gap": fd_gap,
    }
    _print(ds, result)
    figure = _draw(
        t, mid, accuracy, loss, d_accuracy, d_loss, slope, ds.description, out / "01_surrogate.png"
    )
    result["files"] = [str(figure)]
    return result


def _print(ds: Any, r: dict[str, Any]) -> None:
    print(f"data: {ds.description}; {r['n_examples']} examples, {r['n_params']} parameters")
    print(
        f"line θ(t) = θ₀ + t·(θ̂ − θ₀), t in {T_RANGE}, {r['grid_intervals']} grid intervals; "
        f"θ̂ = {FIT_EPOCHS} full-batch GD steps on the logistic loss"
    )
    print(
        f"  accuracy at θ₀ (t = 0): {r['accuracy_start']:.4f};  at θ̂ (t = 1): "
        f"{r['accuracy_fit']:.4f};  logistic loss at θ̂: {r['loss_fit']:.4f}"
    )
    print(
        f"  accuracy: finite-difference derivative exactly 0 on "
        f"{r['zero_derivative_fraction']:.2%} of the grid intervals"
    )
    print(
        f"  margins y_i(w·x_i + b) that change sign on the line: {r['sign_changes']}, in "
        f"{r['crossing_intervals']} distinct grid intervals"
    )
    print(
        f"  accuracy jumps in {r['grid_jumps']} grid intervals, {r['jumps_elsewhere']} of them "
        f"outside those; in {r['crossing_intervals'] - r['grid_jumps']} a gain and a loss cancel"
    )
    print(
        f"  logistic loss: ‖∇L‖ between {r['loss_grad_norm_min']:.4g} and "
        f"{r['loss_grad_norm_max']:.4g} along the line (never 0); finite difference vs "
        f"⟨∇L, d⟩: max gap {r['loss_slope_fd_gap']:.1e}"
    )


def _draw(t, mid, accuracy, loss, d_accuracy, d_loss, slope, description, file: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 3, figsize=(16, 8.5), layout="constrained", sharex="col")
    zoom = (t >= ZOOM[0]) & (t <= ZOOM[1])
    zoom_mid = (mid >= ZOOM[0]) & (mid <= ZOOM[1])
    top, bottom = axes
    top[0].plot(t, accuracy, color="C0", lw=1.5, drawstyle="steps-post")
    top[0].axvspan(*ZOOM, color="0.85", zorder=0, label=f"zoom: t in {ZOOM}")
    top[0].set(ylabel="accuracy (fraction correct)", title="accuracy along the line: a staircase")
    top[0].legend(loc="lower right", fontsize=11)
    top[1].plot(t[zoom], accuracy[zoom], "o-", color="C0", ms=2.5, lw=1, drawstyle="steps-post")
    top[1].set(ylabel="accuracy", title=f"accuracy, zoom on t in {ZOOM}")
    top[2].plot(t, loss, color="C3", lw=2)
    top[2].set(ylabel="logistic loss L(θ(t))", title="logistic loss: smooth")
    bottom[0].plot(mid, d_accuracy, color="C0", lw=1)
    bottom[0].set(ylabel="Δaccuracy / Δt", title="finite-difference derivative: 0 between jumps")
    bottom[1].plot(mid[zoom_mid], d_accuracy[zoom_mid], "o", color="C0", ms=2.5)
    bottom[1].set(ylabel="Δaccuracy / Δt", title="zoom: spikes at the jumps, 0 elsewhere")
    bottom[2].plot(mid, d_loss, color="C3", lw=4, alpha=0.4, label="finite difference")
    bottom[2].plot(t, slope, color="k", lw=1, label="⟨∇L(θ(t)), θ̂ − θ₀⟩")
    bottom[2].axhline(0, color="0.5", lw=0.8)
    bottom[2].set(ylabel="dL/dt", title="derivative of the loss: informative everywhere")
    bottom[2].legend(fontsize=11)
    for ax in axes.flat:
        ax.title.set_fontsize(13)
        ax.xaxis.label.set_fontsize(12)
        ax.yaxis.label.set_fontsize(12)
        ax.tick_params(labelsize=11)
        ax.grid(alpha=0.3)
    for ax in bottom:
        ax.set_xlabel("t   (θ₀ at t = 0, the fit θ̂ at t = 1)")
    for ax in (top[0], top[2], bottom[0], bottom[2]):
        for x, name in ((0, " θ₀"), (1, " θ̂")):
            ax.axvline(x, color="0.4", ls=":", lw=1)
            ax.text(x, 0.97, name, transform=ax.get_xaxis_transform(), va="top", fontsize=12)
    fig.suptitle(
        "Why a surrogate: along the line θ(t) = θ₀ + t·(θ̂ − θ₀) accuracy is piecewise "
        "constant (derivative 0 almost everywhere), the logistic loss is smooth\n"
        f"{description}; θ₀ random, θ̂ the logistic-regression fit",
        fontsize=14,
    )
    fig.savefig(file, dpi=90)
    plt.close(fig)
    return file


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
