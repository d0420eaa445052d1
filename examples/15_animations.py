"""Animations: the lecture's moving pictures, as GIFs.

Three slides of the lecture were animations; here they are as GIFs, one frame per step,
with the numbers a student should read off them:

1. gradient descent with η = 0.1 on f = xᵀHx (the slides' convention, gradient 2Hx) for
   H = diag(10, 1) and H = diag(9.9, 1), side by side.  Along x₁ the error is multiplied
   by 1 − 2ηλ₁ each step: −1 for λ₁ = 10 (the path bounces between ±x₁ for ever) and
   −0.98 for λ₁ = 9.9 (a zig-zag that shrinks by 2 % a step);
2. on diag(9.9, 1), momentum (μ = 0.5, η = 0.1) against plain gradient descent: every
   direction of the heavy ball shrinks like √μ ≈ 0.71 per step instead of 0.98;
3. on a 2-parameter linear regression risk, full-batch gradient descent against SGD
   with batches of 10: same step, same number of steps, but SGD jitters around the
   minimum instead of settling on it.

Each frame shows every path up to step k and, per run, its distance to the minimum.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import symopt
from symopt import theory
from symopt.optim import gd, momentum, sgd
from symopt.plot import plot_trajectories
from symopt.stochastic import EmpiricalRisk
from symopt.stochastic.data import linear_regression
from symopt.symbolic.quadratic import quadratic

X0, START = np.array([-1.5, 1.0]), "(-1.5, 1.0)"
LR, MU = 0.1, 0.5
STEPS = 40  # per run; one frame per step, plus the start
FPS = 6
DPI = 80
BOX = ((-1.8, 1.8), (-1.15, 1.15))
N, BATCH, SGD_LR = 500, 10, 0.5  # the regression's examples, SGD's batch size and step
SEED = 0


class Panel:
    """One axes of an animation: runs on the contours of one objective."""

    def __init__(
        self,
        objective: Any,
        runs: dict[str, Any],
        title: str,
        minimum: Any = (0.0, 0.0),
        bounds: Any = BOX,
        labels: tuple[str, str] = ("$x_1$", "$x_2$"),
    ):
        self.objective, self.runs, self.title = objective, runs, title
        self.minimum, self.bounds, self.labels = minimum, bounds, labels
        self.distances = {  # per run, the distance to the minimum at every step
            name: np.linalg.norm(traj.x - np.asarray(minimum), axis=-1)
            for name, traj in runs.items()
        }


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    result = {
        "gd_boundary": _gd_boundary(out / "15_gd_diag10_vs_diag9.9.gif"),
        "momentum": _momentum(out / "15_momentum_vs_gd.gif"),
        "sgd": _sgd(out / "15_sgd_vs_gd.gif"),
    }
    result["files"] = [r["file"] for r in result.values()]
    print(f"\n{len(result['files'])} GIFs, {STEPS + 1} frames each (steps 0 ... {STEPS})")
    return result


# -- 1. the stability boundary: diag(10, 1) vs diag(9.9, 1) -----------------------------


def _gd_boundary(file: Path) -> dict[str, Any]:
    H = {f"diag({lam:g}, 1)": [[lam, 0], [0, 1]] for lam in (10.0, 9.9)}
    analyses = [theory.gd(h, lr=LR, scale=1) for h in H.values()]  # f = xᵀHx
    runs = theory.simulate(analyses, X0, steps=STEPS)  # both in one batched run
    panels, predicted = [], {}
    for i, (name, a) in enumerate(zip(H, analyses, strict=True)):
        factors = np.array(a.factors)  # 1 − 2ηλ, in axis order for a diagonal H
        predicted[name] = float(np.linalg.norm(X0 * factors**STEPS))
        title = f"H = {name}: factor on x₁ = {factors[0]:+.2f}"
        panels.append(Panel(quadratic(H[name], scale=1), {name: runs[i]}, title))
    _animate(panels, file, f"gradient descent, η = {LR}, on f = xᵀHx (the slides' convention)")
    distances = {name: float(d[-1]) for p in panels for name, d in p.distances.items()}
    print(f"1. gradient descent, η = {LR}, f = xᵀHx, from x₀ = {START}, {STEPS} steps")
    for name, d in distances.items():
        print(
            f"   H = {name}: distance to the minimum after {STEPS} steps {d:.6f} "
            f"(theory ‖x₀·(1 − 2ηλ)^{STEPS}‖ = {predicted[name]:.6f})"
        )
    return {"distance": distances, "predicted": predicted, **_gif_facts(file)}


# -- 2. momentum vs plain gradient descent on diag(9.9, 1) -----------------------------


def _momentum(file: Path) -> dict[str, Any]:
    H = [[9.9, 0], [0, 1]]
    f = quadratic(H, scale=1)
    runs = {
        "gradient descent": symopt.minimize(f, gd(lr=LR), X0, steps=STEPS),
        f"momentum, μ = {MU}": symopt.minimize(f, momentum(lr=LR, mu=MU), X0, steps=STEPS),
    }
    panel = Panel(f, runs, f"H = diag(9.9, 1), η = {LR}, f = xᵀHx")
    _animate([panel], file, "momentum vs gradient descent")
    distances = {name: float(d[-1]) for name, d in panel.distances.items()}
    # per direction the heavy ball's error obeys z² − (1 + μ − 2ηλ)z + μ = 0; both
    # directions here have complex roots, of modulus √μ
    rates = {
        "gradient descent": theory.gd(H, lr=LR, scale=1).spectral_radius,
        "momentum": theory.momentum(H, lr=LR, mu=MU, scale=1).spectral_radius,
    }
    print(f"2. H = diag(9.9, 1), η = {LR}, {STEPS} steps from x₀ = {START}")
    for name, d in distances.items():
        print(f"   {name}: distance to the minimum {d:.3g}")
    print(
        f"   rate per step: gradient descent |1 − 2·{LR}·9.9| = {rates['gradient descent']:.2f}, "
        f"momentum √μ = {rates['momentum']:.4f}"
    )
    return {"distance": distances, "rate": rates, **_gif_facts(file)}


# -- 3. SGD vs GD on a linear regression risk ------------------------------------------


def _sgd(file: Path) -> dict[str, Any]:
    ds = linear_regression(N, 1, noise=1.0, seed=SEED)
    data = {"x1": ds["x1"] + 1.0, "y": ds["y"]}  # inputs centred at 1: tilted contours
    risk = EmpiricalRisk("(y - a*x1 - b)^2 / 2", "a b", data)
    features = np.column_stack([data["x1"], np.ones(N)])
    best = np.linalg.lstsq(features, data["y"], rcond=None)[0]
    start = best + np.array([-1.5, 1.5])
    runs = {
        f"gradient descent (all {N})": symopt.minimize(
            risk, gd(lr=SGD_LR), start, epochs=STEPS, batch_size=N
        ),
        f"SGD (batches of {BATCH})": symopt.minimize(
            risk, sgd(lr=SGD_LR), start, epochs=1, batch_size=BATCH, max_steps=STEPS, seed=SEED
        ),
    }
    bounds = ((best[0] - 2.0, best[0] + 1.0), (best[1] - 1.0, best[1] + 2.0))
    panel = Panel(
        risk,
        runs,
        f"least squares y ≈ a·x + b, N = {N}, η = {SGD_LR}",
        best,
        bounds,
        ("slope a", "intercept b"),
    )
    _animate([panel], file, "SGD vs gradient descent")
    distances = {name: float(d[-1]) for name, d in panel.distances.items()}
    print(
        f"3. linear regression y ≈ a·x + b, N = {N}, θ* = ({best[0]:.4f}, {best[1]:.4f}), "
        f"η = {SGD_LR}, {STEPS} steps each"
    )
    for name, d in distances.items():
        print(f"   {name}: distance to θ* {d:.4f}")
    return {"distance": distances, "theta_star": best.tolist(), **_gif_facts(file)}


# -- drawing -------------------------------------------------------------------------


def _animate(panels: list[Panel], file: Path, title: str) -> None:
    """Paths that grow one step per frame, one axes per panel."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(
        1,
        len(panels),
        figsize=(6.4 * len(panels) + 1.6 * (len(panels) == 1), 5.4),
        dpi=DPI,
        layout="constrained",
        squeeze=False,
    )
    moving = []
    for ax, panel in zip(axes[0], panels, strict=True):
        plot_trajectories(
            panel.objective, panel.runs, ax=ax, bounds=panel.bounds, title=panel.title
        )
        ax.get_legend().remove()
        for line in list(ax.lines):  # keep the contours; the paths grow frame by frame
            line.remove()
        ax.plot(*panel.minimum, "P", color="white", mec="k", ms=13, zorder=2, label="minimum")
        for i, (name, traj) in enumerate(panel.runs.items()):
            color = f"C{i}"
            ax.plot(*traj.x[0], "o", color=color, mec="k", ms=8, zorder=4)
            (path,) = ax.plot([], [], "-", color=color, lw=2, zorder=3, label=name)
            (head,) = ax.plot([], [], "o", color=color, mec="k", ms=10, zorder=5)
            note = ax.text(
                0.02,
                0.03 + 0.08 * i,
                "",
                transform=ax.transAxes,
                color=color,
                fontsize=13,
                fontweight="bold",
                bbox={"fc": "white", "ec": "none", "alpha": 0.85},
            )
            moving.append((traj.x, panel.distances[name], path, head, note))
        ax.set_xlabel(panel.labels[0])
        ax.set_ylabel(panel.labels[1])
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=3, fontsize=12)

    counter = fig.text(0.01, 0.99, "", va="top", fontsize=15)
    fig.suptitle(title, fontsize=16)

    def draw(k: int) -> None:
        for x, distance, path, head, note in moving:
            path.set_data(x[: k + 1, 0], x[: k + 1, 1])
            head.set_data(x[k : k + 1, 0], x[k : k + 1, 1])
            note.set_text(f"distance to the minimum {distance[k]:.3g}")
        counter.set_text(f"step {k} of {STEPS}")

    animated = [counter, *(a for *_, path, head, note in moving for a in (path, head, note))]
    _write_gif(fig, draw, animated, STEPS + 1, file)
    plt.close(fig)


def _write_gif(fig: Any, draw: Any, animated: list, frames: int, file: Path) -> None:
    """Render ``draw(k)`` for every frame and save a GIF that stays small and fast.

    The background (contours, axes, text) is drawn once and only the ``animated``
    artists are redrawn on a copy of it per frame; every frame is mapped to one shared
    palette without dithering, so the GIF encoder stores only what moved.
    """
    from PIL import Image

    for artist in animated:
        artist.set_animated(True)
    fig.canvas.draw()
    fig.set_layout_engine("none")  # solved once, for the background
    background = fig.canvas.copy_from_bbox(fig.bbox)
    images = []
    for k in range(frames):
        fig.canvas.restore_region(background)
        draw(k)
        for artist in animated:
            fig.draw_artist(artist)
        images.append(Image.fromarray(np.array(fig.canvas.buffer_rgba())[..., :3]))
    palette = images[-1].quantize(colors=64, dither=Image.Dither.NONE)  # has every colour
    gif = [im.quantize(palette=palette, dither=Image.Dither.NONE) for im in images]
    gif[0].save(file, save_all=True, append_images=gif[1:], duration=1000 // FPS, loop=0)


def _gif_facts(file: Path) -> dict[str, Any]:
    from PIL import Image

    with Image.open(file) as gif:
        frames = gif.n_frames
    size = file.stat().st_size
    print(f"   {file.name}: {frames} frames, {size / 1e6:.2f} MB")
    return {"file": str(file), "frames": frames, "bytes": size}


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
