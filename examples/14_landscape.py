"""Loss landscapes (Li et al. 2018): skip connections smooth a deep network's loss surface.

The lecture shows the loss landscapes of deep networks with and without skip
connections from Li, Xu, Taylor, Studer and Goldstein, "Visualizing the loss landscape
of neural nets" (arXiv:1712.09913).  Here the same pictures are made for models a laptop
trains in a second: two 20-hidden-layer perceptrons (width 16, relu) on scikit-learn's
8x8 handwritten digits, identical except that one has residual blocks
``h <- h + relu(W h + b)``.

- 1-D: the loss along the line between a small-batch and a large-batch solution
  (alpha in [-0.5, 1.5]) and along a filter-normalised random direction;
- 2-D: the loss on the plane of two filter-normalised random directions (filled
  contours and surfaces, both nets on one colour scale), and how rough it is in
  numbers (interior local minima of the grid, share of points with negative curvature);
- the optimization path in the plane of its first two principal components.

The landscapes are the training loss on a fixed subset of 256 training images (a
deterministic function of the weights, cheaper than all 1500), on a 31x31 grid;
``run(out, grid=51, samples=1500)`` is the paper's resolution (about 10x the work).
"""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np

import symopt
from symopt import landscape, optim
from symopt.landscape.mlp import MLP, load_digits

BATCH, SMALL_BATCH, LARGE_BATCH, LR = 64, 16, 256, 3e-3


def run(
    out: Path,
    *,
    depth: int = 20,
    width: int = 16,
    grid: int = 31,
    samples: int = 256,
    epochs: int = 16,
    seed: int = 0,
) -> dict:
    """Train both nets, slice their landscapes, write the figures; return the numbers.

    ``grid`` points per axis on [-1, 1]² (the paper uses 51; 31 keeps the tour fast).
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with _one_blas_thread():
        results = _experiment(out, depth, width, grid, samples, epochs, seed)
    results["seconds"] = round(time.perf_counter() - start, 2)
    print(f"(ran in {results['seconds']:.1f} s)")
    return results


def _experiment(out, depth, width, grid, samples, epochs, seed) -> dict:
    import matplotlib.pyplot as plt

    (X, y), (X_test, y_test) = _digits(seed)
    sizes = [X.shape[1], *[width] * depth, 10]
    nets = {
        name: MLP(sizes, activation="relu", skip=skip, seed=seed)
        for name, skip in (("no skip", False), ("skip", True))
    }
    print(
        f"{depth} hidden layers of width {width}, relu: {nets['skip'].size} parameters; "
        f"{len(X)} training and {len(X_test)} test digits; Adam, batches of {BATCH}"
    )
    alphas = np.linspace(-1.0, 1.0, grid)
    res: dict = {"parameters": nets["skip"].size}
    slices, planes = {}, {}
    for name, net in nets.items():
        traj = symopt.minimize(
            net.objective(X, y),
            optim.adam(lr=LR),
            net.init(),
            epochs=epochs,
            batch_size=BATCH,
            seed=seed,
            record="epoch",
        )
        theta = traj.final_x
        # the landscape: training loss on a fixed subset, a function of the weights alone
        loss = net.objective(X[:samples], y[:samples])
        d1, d2 = (landscape.random_direction(theta, net.shapes, seed=seed + k) for k in (1, 2))
        values = landscape.slice_2d(loss, theta, d1, d2, alphas, alphas)
        line = landscape.slice_1d(loss, theta, d1, alphas)
        slices[name] = (values, line)
        planes[name] = landscape.path_plane(loss, traj.x, n=grid)
        rough = landscape.roughness(values)
        key = name.replace(" ", "_")
        res |= {
            f"train_loss_{key}": float(traj.final_value),
            f"test_accuracy_{key}": float(net.accuracy(theta, X_test, y_test)),
            f"local_minima_{key}": rough.local_minima,
            f"negative_curvature_{key}": rough.negative_curvature,
            f"max_over_min_{key}": rough.ratio,
            f"pca_explained_{key}": float(planes[name].explained.sum()),
        }
        print(
            f"{name:>8}: train loss {res[f'train_loss_{key}']:.3f}, test accuracy "
            f"{res[f'test_accuracy_{key}']:.3f}.  Random plane ({grid}x{grid} on [-1, 1]^2): "
            f"{rough.local_minima} interior local minima, {100 * rough.negative_curvature:.0f} % "
            f"of points with negative curvature, max/min loss {rough.ratio:.3g}.  The path's "
            f"first two principal components explain {100 * res[f'pca_explained_{key}']:.1f} %."
        )
    print(
        "Notice: the same depth, width, start and training, yet on the random plane "
        f"{100 * res['negative_curvature_no_skip']:.0f} % of the points of the net without "
        f"skips have negative curvature against {100 * res['negative_curvature_skip']:.0f} % "
        f"with skips, and its loss climbs to {res['max_over_min_no_skip']:.3g} times its "
        f"minimum against {res['max_over_min_skip']:.3g} times: the skips smooth the landscape "
        "(its contours are round instead of ragged) and the net trains further."
    )
    steps = epochs * -(-len(X) // BATCH) // 2  # half the main runs' steps
    res |= _interpolation(out, nets["skip"], (X, y), (X_test, y_test), slices, alphas, steps, seed)
    _landscapes(out, slices, alphas)
    _paths(out, planes)
    plt.close("all")
    return res


def _interpolation(out, net, train_set, test_set, slices, alphas, steps, seed) -> dict:
    """1-D: between a small- and a large-batch solution; along the random direction."""
    import matplotlib.pyplot as plt

    (X, y), (X_test, y_test) = train_set, test_set
    f, theta0, solutions, taken = net.objective(X, y), net.init(), {}, {}
    for k in (SMALL_BATCH, LARGE_BATCH):  # the same start, about the same number of steps
        epochs = max(1, round(steps * k / len(X)))
        traj = symopt.minimize(
            f, optim.adam(lr=LR), theta0, epochs=epochs, batch_size=k, seed=seed, record="last"
        )
        solutions[k], taken[k] = traj.final_x, int(traj.stop_step)
    small, large = solutions[SMALL_BATCH], solutions[LARGE_BATCH]
    line = np.linspace(-0.5, 1.5, 41)  # alpha = 0 at index 10, alpha = 1 at index 30
    train = landscape.slice_1d(f, small, large - small, line)
    test = landscape.slice_1d(net.objective(X_test, y_test), small, large - small, line)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    symopt.plot.plot_slice_1d(
        line,
        {"train": train, "test": test},
        ax=left,
        marks={f"batch {SMALL_BATCH}": 0.0, f"batch {LARGE_BATCH}": 1.0},
        title="skip: from a small- to a large-batch solution",
        xlabel="α:  θ = θ_small + α (θ_large − θ_small)",
    )
    symopt.plot.plot_slice_1d(
        alphas,
        {name: line_ for name, (_, line_) in slices.items()},
        ax=right,
        title="Along a filter-normalised random direction",
        xlabel="α (direction 1)",
        ylabel="loss (training subset)",
    )
    fig.tight_layout()
    fig.savefig(out / "14_slices_1d.png")
    barrier = float(train[10:31].max() - max(train[10], train[30]))
    accuracy = [float(net.accuracy(theta, X_test, y_test)) for theta in (small, large)]
    print(
        f"skip net from one start: {taken[SMALL_BATCH]} steps with batch {SMALL_BATCH} reach "
        f"train loss {train[10]:.3f} (test accuracy {accuracy[0]:.3f}), "
        f"{taken[LARGE_BATCH]} steps with batch {LARGE_BATCH} {train[30]:.3f} "
        f"({accuracy[1]:.3f}); on the line between them the loss rises {barrier:.3f} above "
        "the higher end."
    )
    return {
        "interpolation_train_small": float(train[10]),
        "interpolation_train_large": float(train[30]),
        "interpolation_barrier": barrier,
    }


def _landscapes(out, slices, alphas) -> None:
    import matplotlib.pyplot as plt

    every = np.concatenate([v.ravel() for v, _ in slices.values()])
    vmin, vmax = float(every.min()), float(every.max())
    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    for ax, (name, (values, _)) in zip(axes, slices.items(), strict=True):
        symopt.plot.plot_slice_2d(
            alphas,
            alphas,
            values,
            kind="filled",
            ax=ax,
            vmin=vmin,
            vmax=vmax,
            title=f"{name}: filter-normalised random plane",
        )
    fig.tight_layout()
    fig.savefig(out / "14_landscape_contours.png")
    fig = plt.figure(figsize=(14, 6.5))
    for k, (name, (values, _)) in enumerate(slices.items()):
        ax = fig.add_subplot(1, 2, k + 1, projection="3d")
        symopt.plot.plot_slice_2d(
            alphas,
            alphas,
            values,
            kind="surface",
            ax=ax,
            vmin=vmin,
            vmax=vmax,
            title=name,
            colorbar=False,
        )
    # 3-D axes keep a wide empty frame: let the panels touch and zoom into them
    fig.subplots_adjust(left=0, right=1, bottom=0, top=0.95, wspace=0)
    for ax in fig.axes:
        ax.set_box_aspect(None, zoom=1.1)
    fig.savefig(out / "14_landscape_surfaces.png")


def _paths(out, planes) -> None:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(13, 5.5))
    for ax, (name, plane) in zip(axes, planes.items(), strict=True):
        symopt.plot.plot_path_pca(plane, ax=ax, title=f"{name}: Adam's path in its PCA plane")
        ax.legend(loc="lower right")  # the paths start top right
    fig.tight_layout()
    fig.savefig(out / "14_path_pca.png")


def _digits(seed: int):
    X, y = load_digits()
    order = np.random.default_rng(seed).permutation(len(X))
    X, y = X[order], y[order]
    return (X[:1500], y[:1500]), (X[1500:], y[1500:])


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
