"""The adaptive family side by side: Adagrad, Adadelta, AdaMax, RMSProp, Adam, AMSGrad.

The lecture lists a family of methods that adapt a per-coordinate step size from the
gradients seen so far.  Here they race, with gradient descent and momentum for
reference, on two problems: the lecture's ill-conditioned quadratic H = diag(9.9, 1) and
Rosenbrock's banana valley.

To be fair, nobody gets a hand-picked learning rate: for every optimizer and problem one
``symopt.sweep`` runs a log grid of learning rates from four starts in a single
vectorised batch, and the rule is "lr chosen by sweep: least mean final value over the
starts after N steps" (the mean over several starts keeps a lucky jump from one start
from winning).  The script prints the chosen lr, the final value and the steps to reach
a gradient norm of 1e-6 from the first start (when reached), and draws the paths, the
value curves, the sweep curves and an animation.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import symopt
from symopt import optim, problems
from symopt.plot import animate_trajectories, plot_trajectory_grid, plot_values

TOL = 1e-6
FLOOR = 1e-16  # value gaps below 1e-16 of the start are round-off: the plots stop there
# problem factory, starts (the first is drawn), steps
PROBLEMS = {
    "quadratic diag(9.9, 1)": (
        lambda: problems.lecture_quadratic("diag(9.9, 1)"),
        [(-1.5, 1.0), (1.2, -0.8), (0.5, 1.5), (-1.0, -1.2)],
        150,
    ),
    "rosenbrock": (
        problems.rosenbrock,
        [(-1.2, 1.0), (0.5, -0.5), (-0.5, 2.0), (1.5, 1.5)],
        1500,
    ),
}
BASE = np.geomspace(1e-4, 1.0, 13)
# optimizer: (factory, lr grid).  Adagrad and Adadelta's lr are scale factors of a
# different size (Adadelta's is 1 in the paper), so their grids are shifted.
OPTIMIZERS = {
    "GD": (optim.gd, BASE),
    "momentum μ=0.9": (lambda lr: optim.momentum(lr, mu=0.9), BASE),
    "Adagrad": (optim.adagrad, BASE * 10),
    "Adadelta": (optim.adadelta, BASE * 100),
    "AdaMax": (optim.adamax, BASE),
    "RMSProp": (optim.rmsprop, BASE),
    "Adam": (optim.adam, BASE),
    "AMSGrad": (optim.amsgrad, BASE),
}


def tune(objective: Any, factory: Any, grid: np.ndarray, x0: Any, steps: int) -> symopt.Sweep:
    """One vectorised run over the lr grid (the fairness rule of this script); every
    step is recorded, so the chosen run needs no second run."""
    return symopt.sweep(objective, factory, {"lr": grid}, x0, steps=steps, record="all")


def steps_to_tol(traj: symopt.Trajectory) -> int | None:
    """The first recorded step with a gradient norm <= TOL (None if never)."""
    hits = np.flatnonzero(traj.grad_norms <= TOL)
    return int(traj.steps[hits[0]]) if hits.size else None


def race(name: str, out: Path) -> dict[str, Any]:
    import matplotlib.pyplot as plt

    make, starts, steps = PROBLEMS[name]
    problem = make()
    f = problem.objective
    sweeps, runs, rows = {}, {}, {}
    for label, (factory, grid) in OPTIMIZERS.items():
        s = sweeps[label] = tune(f, factory, grid, starts, steps)
        lr = s.best()["lr"]
        runs[f"{label} (lr={lr:.2g})"] = traj = s.at(lr=lr)[0]  # the first start
        rows[label] = {
            "lr": lr,
            "final_value": float(traj.final_value),
            "steps_to_tol": steps_to_tol(traj),
            "first_step": float(np.linalg.norm(traj.x[1] - traj.x[0])),
        }
    start_value = float(f.compile().value(np.asarray(starts[0], dtype=float)))
    print(f"== {name}: {steps} steps; lr chosen by sweep ({len(BASE)} values, 4 starts) ==")
    print(f"   drawn and tabled: the run from x0 = {starts[0]}")
    print(
        f"   {'optimizer':16s} {'lr':>9s} {'first step':>11s} {'final value':>12s} "
        f"{'steps to |∇f| ≤ 1e-6':>22s}"
    )
    for label, r in rows.items():
        reached = "not reached" if r["steps_to_tol"] is None else str(r["steps_to_tol"])
        print(
            f"   {label:16s} {r['lr']:9.3g} {r['first_step']:11.3g} {r['final_value']:12.3e} "
            f"{reached:>22s}"
        )
    best = min(rows, key=lambda k: rows[k]["final_value"])
    print(f"   least final value: {best}")
    tiny = [label for label, r in rows.items() if r["final_value"] < FLOOR * start_value]
    if tiny:
        print(
            f"   {', '.join(tiny)} end below {FLOOR:g} × f(x0) = {FLOOR * start_value:.1e}: "
            "round-off, not progress; the value plots stop at that floor"
        )
    print(
        "   first steps: Adagrad and Adam step ≈ lr·sign(g); RMSProp (no bias correction)\n"
        "   steps lr/√(1-α) = 10·lr per coordinate at first, so large lrs start with a jump\n"
    )

    slug = name.split()[0]
    rule = f"lr chosen by sweep: least mean final value over 4 starts after {steps} steps"
    files = []
    colors = [f"C{k}" for k in range(len(runs))]  # as in the value curves
    panels = [(label, problem, traj) for label, traj in runs.items()]
    fig = plot_trajectory_grid(
        panels, bounds=problem.bounds, title=f"{name}: {rule}", colors=colors
    )
    files.append(out / f"10_{slug}_paths.png")
    fig.savefig(files[-1])
    plt.close(fig)

    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 6), layout="constrained")
    plot_values(
        runs, ax=left, minimum=problem.minimum_value, title=f"{name}: value gap", floor=FLOOR
    )
    for k, (label, s) in enumerate(sweeps.items()):
        scores = s.scores()
        right.plot(
            s.grid["lr"],
            np.where(np.isfinite(scores), scores, np.nan),
            "o-",
            ms=3,
            color=f"C{k}",
        )
        # a chosen lr whose score is round-off sits on the floor line
        best = max(scores.min(), FLOOR * start_value)
        right.plot(rows[label]["lr"], best, "*", ms=14, color=f"C{k}", mec="k", clip_on=False)
    right.set_xscale("log")
    right.set_yscale("log")
    _round_off_floor(right, FLOOR * start_value, [s.scores() for s in sweeps.values()])
    right.set_xlabel("learning rate")
    right.set_ylabel(f"mean final value after {steps} steps")
    right.set_title("the sweeps (★ = chosen; gaps = diverged)")
    handles, labels = left.get_legend_handles_labels()  # one legend for both panels
    left.get_legend().remove()
    fig.legend(handles, labels, loc="outside lower center", ncol=5)
    files.append(out / f"10_{slug}_values.png")
    fig.savefig(files[-1])
    plt.close(fig)
    return {"rows": rows, "files": files, "runs": runs, "problem": problem}


def _round_off_floor(ax: Any, level: float, scores: list[np.ndarray]) -> None:
    """Stop the log axis at ``level`` (FLOOR × the start's value, as plot_values does)."""
    finite = np.concatenate([s[np.isfinite(s)] for s in scores])
    if finite.min() < level:
        top = finite.max() * (finite.max() / level) ** 0.05  # a 5 % margin on the log axis
        ax.set_ylim(level, top)
        ax.axhline(level, color="0.3", ls=":", lw=2)


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    results = {name: race(name, out) for name in PROBLEMS}
    rosen = results["rosenbrock"]
    gif = animate_trajectories(
        rosen["problem"],
        rosen["runs"],
        out / "10_rosenbrock.gif",
        frames=40,
        fps=8,
        title="the adaptive family on Rosenbrock",
    )
    files = [str(f) for r in results.values() for f in r["files"]] + [str(gif)]
    return {"files": files, **{name: r["rows"] for name, r in results.items()}}


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
