"""Physical units: why plain gradient descent mixes them, and how preconditioning fixes it.

The lecture's slides "Problem of physical units": x₁ in km, x₂ in mm, f in J.  The gradient
then has units J/km and J/mm, so in x ← x − η·∂f no single η makes both lines consistent.

1. With a bare number η, x₁ − η·∂₁f subtracts J/km from km: pint refuses it.
2. km and mm share a dimension, so an η in m²/J passes pint's check for both coordinates:
   the failure is one of scale.  For f = a·x₁² + b·x₂² with a = 1 J/km² and b = 3 J/mm²
   (curvatures 2·10⁻⁶ and 6·10⁶ J/m²) gradient descent is stable in x₂ only for
   η < 3.3·10⁻⁷ m²/J but halves x₁ within 100 steps only for η > 3.5·10³ m²/J: no η does both.
3. Written in bare magnitudes, the same problem in (km, mm) and in (m, mm) is two different
   functions, and gradient descent with the same bare η takes two different physical paths.
   A diagonal preconditioner with M₁₁ in km²/J and M₂₂ in mm²/J, Newton's method, and
   Adadelta with its two ε's as Quantities take the same physical path in any units.
4. With x₂ a time instead of a length no single η exists at all, not even dimensionally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from pint import DimensionalityError

import symopt
from symopt import optim, units
from symopt.units import ureg

A, B = "1 J/km**2", "3 J/mm**2"
X0 = [1.0 * ureg.km, 1.0 * ureg.mm]
SYSTEMS = (("km", "mm"), ("m", "mm"), ("ft", "inch"))
BARE_LR = 0.1
STEPS = 30
M = [0.25 * ureg("km**2/J"), 0.1 * ureg("mm**2/J")]  # ≈ the inverse Hessian diag(2a, 2b)⁻¹
SAME_PATH = {
    "preconditioned": units.preconditioned(M),
    "newton": units.newton(lr=0.5),
    "adadelta": units.adadelta(
        eps_dx=[1e-2 * ureg.km**2, 1e-2 * ureg.mm**2],
        eps_g=[1e-2 * ureg("J/km") ** 2, 1e-1 * ureg("J/mm") ** 2],
    ),
}


def objective(u1: str, u2: str) -> symopt.Objective:
    """The one physical problem f = a·x₁² + b·x₂², written in the units (u1, u2)."""
    return symopt.Objective(
        "a*x1**2 + b*x2**2", units={"a": A, "b": B, "x1": u1, "x2": u2}, value_units="J"
    )


def run(out: Path) -> dict[str, Any]:
    out = Path(out)
    print(__doc__.splitlines()[0], "\n")
    result: dict[str, Any] = {}
    result["refusal"] = _show_refusal()
    result["table"] = _show_tables()
    problems = {u: objective(*u) for u in SYSTEMS}
    plain = _plain_gd_paths(problems)
    same = _unit_aware_paths(problems)
    result |= _report_paths(plain, same)
    window = _single_eta_window()
    result |= window
    files = [
        _draw_paths(
            problems[SYSTEMS[0]], plain, same["preconditioned"], out / "07_units_paths.png"
        ),
        _draw_single_eta(window, out / "07_units_single_eta.png"),
    ]
    result["files"] = [str(f) for f in files]
    return result


def _show_refusal() -> str:
    """What pint says to x₁ − η·∂₁f with a bare η."""
    x1, g1 = 1.0 * ureg.km, 2.0 * ureg("J/km")
    try:
        x1 - BARE_LR * g1
    except DimensionalityError as err:
        message = str(err)
    print(f"pint on x₁ − η·∂₁f with x₁ = 1 km, ∂₁f = 2 J/km, η = {BARE_LR}:\n  {message}")
    try:
        symopt.minimize(objective("km", "mm"), units.gd(lr=BARE_LR), X0, steps=1)
    except units.UnitMismatchError as err:
        print(f"symopt.minimize with units.gd(lr={BARE_LR}):\n  {err}\n")
    return message


def _show_tables() -> str:
    table = str(units.check_all("J", {"x1": "km", "x2": "mm"}))
    print(table, "\n")
    print(units.check_all("J", {"x1": "km", "x2": "s"}), "\n")
    print(units.check_update("gd", "J", {"x1": "km", "x2": "s"}), "\n")
    return table


def _plain_gd_paths(problems: dict) -> dict:
    """Gradient descent with the same bare η on the magnitudes of each unit system, as
    physical paths in (km, mm)."""
    paths = {}
    for (u1, u2), f in problems.items():
        x0 = np.array([X0[0].to(u1).magnitude, X0[1].to(u2).magnitude])
        traj = symopt.minimize(f, optim.gd(lr=BARE_LR), x0=x0, steps=STEPS)
        km = traj.x[:, 0] * ureg(u1).to("km").magnitude
        mm = traj.x[:, 1] * ureg(u2).to("mm").magnitude
        paths[(u1, u2)] = (np.stack([km, mm], axis=-1), str(traj.status))
    return paths


def _unit_aware_paths(problems: dict) -> dict:
    """Each unit-aware optimizer in each unit system, as physical paths in (km, mm)."""
    paths: dict = {}
    for name, opt in SAME_PATH.items():
        paths[name] = {}
        for system, f in problems.items():
            traj = symopt.minimize(f, opt, x0=X0, steps=STEPS)
            km, mm = traj.x[0].to("km").magnitude, traj.x[1].to("mm").magnitude
            paths[name][system] = np.stack([km, mm], axis=-1)
    return paths


def _gap(paths: dict) -> float:
    """The largest relative distance between the paths of different unit systems."""
    ref = paths[SYSTEMS[0]]
    scale = np.abs(ref).max(axis=0)
    return max(float(np.abs((p - ref) / scale).max()) for p in paths.values())


def _report_paths(plain: dict, same: dict) -> dict:
    finals, status = {}, {}
    print(f"plain GD, η = {BARE_LR} on bare magnitudes, {STEPS} steps from (1 km, 1 mm):")
    for (u1, u2), (p, how) in plain.items():
        finals[f"{u1}, {u2}"], status[f"{u1}, {u2}"] = p[-1].tolist(), how
        end = f"ends at x₁ = {p[-1, 0]:.4g} km, x₂ = {p[-1, 1]:.3g} mm"
        print(f"  written in ({u1}, {u2}): {end}" + (f" ({how})" if how != "max_steps" else ""))
    gaps = {name: _gap(p) for name, p in same.items()}
    print("unit-aware optimizers: the largest gap between the paths in (km, mm), (m, mm) and")
    print("(ft, inch), relative to the path's size:")
    for name, gap in gaps.items():
        print(f"  {name:15s}{gap:.1e}")
    print()
    return {"plain_gd_final": finals, "plain_gd_status": status, "same_path_gap": gaps}


def _single_eta_window(steps: int = 100) -> dict:
    """One η in m²/J for both coordinates, swept over 24 decades in one batched run.

    f is a sum of one term per coordinate, so each coordinate is followed on its own:
    batch row 0 starts at (1 km, 0), row 1 at (0, 1 mm).
    """
    etas = np.logspace(-12, 12, 97)
    f = objective("km", "mm")
    start = np.array([[1.0], [0.0]]) * np.ones_like(etas)  # shape (2, 97)
    x0 = [start * ureg.km, start[::-1] * ureg.mm]
    traj = symopt.minimize(f, units.gd(lr=etas * ureg("m**2/J")), x0=x0, steps=steps, record="last")
    ratio = np.stack([np.abs(traj.final_x[i][i].magnitude) for i in range(2)])  # |x(T)|/|x(0)|
    ratio[traj.status == "diverged"] = np.inf
    shrinks = ratio < 0.5
    both = shrinks[0] & shrinks[1]
    x1_moves = etas[shrinks[0]].min()
    x2_stable = etas[shrinks[1]].max()
    print(f"one η in m²/J for both coordinates, {steps} steps of GD:")
    print(f"  x₁ (km) halves only for η ≥ {x1_moves:.2g} m²/J; "
          f"x₂ (mm) halves only for η ≤ {x2_stable:.2g} m²/J")  # fmt: skip
    print(f"  values of η that halve both: {int(both.sum())} of {len(etas)}\n")
    return {"etas": etas, "ratio": ratio, "x1_moves_from": float(x1_moves),
            "x2_stable_up_to": float(x2_stable), "eta_for_both": int(both.sum())}  # fmt: skip


STYLES = {  # unit system -> matplotlib style: the paths must stay visible when they coincide
    ("km", "mm"): {"color": "tab:blue", "ls": "-", "marker": "o", "ms": 7, "lw": 2.5},
    ("m", "mm"): {"color": "tab:orange", "ls": "--", "marker": "s", "ms": 4, "lw": 1.5,
                  "mfc": "none"},
    ("ft", "inch"): {"color": "tab:green", "ls": ":", "marker": "x", "ms": 5, "lw": 1.5},
}  # fmt: skip


def _draw_paths(f: symopt.Objective, plain: dict, precond: dict, path: Path) -> Path:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(12, 5), constrained_layout=True)
    k1, k2 = np.meshgrid(np.linspace(-0.1, 1.1, 121), np.linspace(-0.6, 1.1, 121))
    value = f.compile().value(np.stack([k1, k2], axis=-1))  # in J, at (km, mm)
    panels = (
        (
            {u: p for u, (p, _) in plain.items()},
            f"gradient descent, the same bare η = {BARE_LR}:\nthree different paths",
        ),
        (precond, "preconditioned, M = (0.25 km²/J, 0.1 mm²/J):\nall three paths coincide"),
    )
    for ax, (paths, title) in zip(axes, panels, strict=True):
        ax.contourf(k1, k2, value, levels=20, cmap="Greys", alpha=0.5)
        for (u1, u2), p in paths.items():
            ax.plot(p[:, 0], p[:, 1], label=f"written in ({u1}, {u2})", **STYLES[(u1, u2)])
        ax.set(xlim=(-0.1, 1.1), ylim=(-0.6, 1.1), title=title)
        ax.set_xlabel("x₁ [km]")
        ax.set_ylabel("x₂ [mm]")
        ax.legend(loc="lower left")
    axes[0].annotate(
        "(ft, inch): diverges\n(b = 1935 J/inch²)",
        xy=(1.0, -0.55),
        xytext=(0.47, -0.42),
        arrowprops={"arrowstyle": "->"},
    )
    fig.suptitle("f = 1 J/km²·x₁² + 3 J/mm²·x₂² from (1 km, 1 mm), paths drawn in km and mm")
    fig.savefig(path)
    plt.close(fig)
    return path


def _draw_single_eta(window: dict, path: Path) -> Path:
    import matplotlib.pyplot as plt

    etas, ratio = window["etas"], window["ratio"]
    fig, ax = plt.subplots(figsize=(8, 4.5), constrained_layout=True)
    shown = np.where(np.isfinite(ratio), np.clip(ratio, 1e-20, 1e3), 1e3)
    ax.loglog(etas, shown[0], "o-", ms=3, label="x₁ in km: |x₁(100)| / |x₁(0)|")
    ax.loglog(etas, shown[1], "s-", ms=3, label="x₂ in mm: |x₂(100)| / |x₂(0)| (1000 = diverged)")
    ax.axhline(0.5, color="gray", lw=1.2, ls="--", label="halved: ratio 0.5")
    ax.axvspan(window["x2_stable_up_to"], window["x1_moves_from"], color="tab:red", alpha=0.1,
               label="too large for x₂, too small for x₁")  # fmt: skip
    ax.set_xlabel("one learning rate η [m²/J] for both coordinates")
    ax.set_ylabel("distance left after 100 steps (relative)")
    ax.set_title("gradient descent: one η in m²/J passes pint, but fits no scale")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, frameon=False)
    fig.savefig(path)
    plt.close(fig)
    return path


if __name__ == "__main__":
    from symopt.tour import script_main

    script_main(run)
