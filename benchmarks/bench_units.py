"""What the unit checks cost: a unit-aware run beside the same run on bare magnitudes.

Run:  python benchmarks/bench_units.py   (about half a minute; ``--quick`` for less)

One 2-D problem, f = a·x₁² + b·x₂² + c·x₁x₂ with x₁ in km, x₂ in mm and f in J, 1000 steps:

- ``symopt, magnitudes``: ``symopt.minimize`` with a plain optimizer on bare numbers;
- ``symopt, units``: ``symopt.minimize`` from Quantities with Quantity hyper-parameters
  (units checked once per run, then the same magnitude-only loop);
- ``pint in the loop``: a hand-written loop that keeps every iterate a pint Quantity and
  does the update in pint arithmetic, checking units at every step (the naive design);
- ``NumPy loop``: a hand-written NumPy loop on magnitudes (the floor).

Rules: preconditioned GD (M as Quantities), Adam (per-coordinate lr and eps, the rescaled
path) and two-ε Adadelta.  Medians of repeated runs; ratios against ``symopt, magnitudes``
(the target is ≤ 1.2 for ``symopt, units``).
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

import symopt
from symopt import optim, units
from symopt.units import ureg

STEPS = 1000
F = symopt.Objective(
    "a*x1**2 + b*x2**2 + c*x1*x2",
    units={"a": "1 J/km**2", "b": "1 J/mm**2", "c": "0.5 J/(km*mm)", "x1": "km", "x2": "mm"},
    value_units="J",
)
X0 = [1.0 * ureg.km, 2.0 * ureg.mm]
KM2, MM2 = ureg("km**2/J"), ureg("mm**2/J")

RULES = {
    "preconditioned": (
        units.preconditioned([0.3 * KM2, 0.3 * MM2]),
        optim.preconditioned([0.3, 0.3]),
    ),
    "adam": (
        units.adam(lr=[0.01 * ureg.km, 0.02 * ureg.mm],
                   eps=[1e-8 * ureg("J/km"), 1e-7 * ureg("J/mm")]),
        units.adam(lr=[0.01 * ureg.km, 0.02 * ureg.mm],
                   eps=[1e-8 * ureg("J/km"), 1e-7 * ureg("J/mm")]).build(
            ["x1", "x2"], ["km", "mm"], "J"),
    ),
    "adadelta": (
        units.adadelta(eps_dx=[1e-2 * ureg.km**2, 1e-2 * ureg.mm**2],
                       eps_g=[1e-2 * ureg("J/km") ** 2, 1e-1 * ureg("J/mm") ** 2]),
        units.adadelta(eps_dx=[1e-2 * ureg.km**2, 1e-2 * ureg.mm**2],
                       eps_g=[1e-2 * ureg("J/km") ** 2, 1e-1 * ureg("J/mm") ** 2]).build(
            ["x1", "x2"], ["km", "mm"], "J"),
    ),
}  # fmt: skip


def gradient(x: np.ndarray) -> np.ndarray:
    """∂f in (J/km, J/mm) at magnitudes (km, mm)."""
    return np.array([2 * x[0] + 0.5 * x[1], 2 * x[1] + 0.5 * x[0]])


def numpy_preconditioned() -> np.ndarray:
    x, M = np.array([1.0, 2.0]), np.array([0.3, 0.3])
    for _ in range(STEPS):
        x = x - M * gradient(x)
    return x


def pint_preconditioned() -> list:
    """The naive design: Quantities all the way, pint checks every step."""
    x1, x2 = X0
    a, b, c = 1 * ureg("J/km**2"), 1 * ureg("J/mm**2"), 0.5 * ureg("J/(km*mm)")
    m1, m2 = 0.3 * KM2, 0.3 * MM2
    for _ in range(STEPS):
        g1, g2 = 2 * a * x1 + c * x2, 2 * b * x2 + c * x1
        x1, x2 = x1 - m1 * g1, x2 - m2 * g2
    return [x1, x2]


def median_times(rows: dict, repeat: int) -> dict:
    """Median seconds per callable, the callables interleaved so that machine load hits
    them alike."""
    times: dict = {name: [] for name in rows}
    for _ in range(repeat):
        for name, fn in rows.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    repeat = 5 if parser.parse_args().quick else 21
    F.compile().gradient(np.zeros(2))  # compile once, outside the timings
    x0 = np.array([1.0, 2.0])

    # the unit-aware path must compute what the magnitude path computes
    for name, (with_units, plain) in RULES.items():
        a = symopt.minimize(F, with_units, X0, steps=STEPS)
        b = symopt.minimize(F, plain, x0, steps=STEPS)
        got = np.stack([q.magnitude for q in a.x], -1)
        assert np.allclose(got, b.x, rtol=1e-12, atol=1e-300), name
    assert np.allclose(pint_preconditioned()[1].m_as("mm"), numpy_preconditioned()[1])

    print(f"{STEPS}-step 2-D run (x1 in km, x2 in mm, f in J); median of {repeat} runs\n")
    print(f"{'rule':15s}{'peer':22s}{'median [ms]':>12s}{'ratio':>8s}")
    for name, (with_units, plain) in RULES.items():
        rows = {
            "symopt, magnitudes": lambda p=plain: symopt.minimize(F, p, x0, steps=STEPS),
            "symopt, units": lambda u=with_units: symopt.minimize(F, u, X0, steps=STEPS),
        }
        if name == "preconditioned":
            rows["pint in the loop"] = pint_preconditioned
            rows["NumPy loop"] = numpy_preconditioned
        times = median_times(rows, repeat)
        base = times["symopt, magnitudes"]
        for peer, t in times.items():
            print(f"{name:15s}{peer:22s}{1e3 * t:12.2f}{t / base:8.2f}")
        print()
    build = {"check": lambda: RULES["adam"][0].build(["x1", "x2"], ["km", "mm"], "J")}
    check = median_times(build, repeat)["check"]
    print(f"checking and converting Adam's Quantity hyper-parameters once: {1e3 * check:.2f} ms")


if __name__ == "__main__":
    main()
