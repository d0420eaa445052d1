"""The runs an explanation makes on the objective itself (not on its quadratic model).

:func:`measure_rates` runs the explained optimizer from near every minimum (one batched
:func:`symopt.minimize`) and measures the per-step rate.  Over the steps where the state
``s_t = (e_t, e_{t−1})`` (the error and the one before it: a one-step memory) lies between
``1e-12`` and ``1e-4`` of the scale, inside the neighbourhood where the quadratic model
rules and above round-off, it fits the linear map ``e_t -> e_{t+1}`` by least squares
(``s_t -> s_{t+1}`` when that leaves a residual: a method with memory) and takes its
spectral radius.  Unlike the slope of ``log‖s_t‖`` this needs no whole periods of an
under-damped oscillation, so a few dozen steps suffice.
:func:`stability_runs` runs GD from near every minimum at 0.5×, 0.99× and 1.01× its
stability limit: the runs of the figures.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from symopt import optim
from symopt.numeric.run import minimize

__all__ = ["FACTORS", "measure_rates", "stability_runs", "start_offset"]

#: learning rates of the figures' runs, as multiples of each minimum's stability limit
FACTORS = (0.5, 0.99, 1.01)
_WINDOW = (1e-12, 1e-5)  # the errors (relative to the scale) a rate is measured over
_MAX_STEPS = 20000


def _scale(x: np.ndarray) -> float:
    return max(1.0, float(np.abs(x).max()))


def start_offset(m: Any, size: float) -> np.ndarray:
    """An offset of length ``size`` along every eigen-direction of the minimum ``m``
    (the sum of its unit eigenvectors, normalised), so each direction is excited."""
    d = m.eigenvectors @ np.ones(len(m.x))
    return size * d / np.linalg.norm(d)


def _steps(rates: list[float | None]) -> int:
    known = [r for r in rates if r is not None and 0 < r < 1]
    if not known:
        return 5000
    worst = max(known)
    return int(min(_MAX_STEPS, max(200, math.ceil(3 * math.log(1e-8) / math.log(worst)))))


def measure_rates(objective: Any, minima: list[Any], optimizer: Any) -> list[float]:
    """The rate of ``optimizer`` measured near each minimum (``inf`` when a run leaves
    at once, ``nan`` when no step fell in the window)."""
    if not minima:
        return []
    predicted = [m.predicted_rate for m in minima]
    sizes = [_WINDOW[0] * 10 if (r is not None and r > 1) else _WINDOW[1] * 10 for r in predicted]
    x0 = np.stack(
        [m.x + start_offset(m, s * _scale(m.x)) for m, s in zip(minima, sizes, strict=True)]
    )
    traj = minimize(objective, optimizer, x0, steps=_steps(predicted), record="all")
    return [_rate(traj.x[:, i], m.x, int(traj.stop_step[i])) for i, m in enumerate(minima)]


def _rate(path: np.ndarray, x_star: np.ndarray, stop: int) -> float:
    """The spectral radius of the linear map ``s_t -> s_{t+1}`` fitted (least squares) to
    the states of the run while they lie in the window."""
    e = (path[: stop + 1] - x_star) / _scale(x_star)
    states = np.concatenate([e[1:], e[:-1]], axis=1)  # s_t = (e_t, e_{t-1}), t = 1..stop
    size = np.linalg.norm(states, axis=1)
    inside = (size > _WINDOW[0]) & (size < _WINDOW[1] * 10) & np.isfinite(size)
    pairs = np.flatnonzero(inside[:-1] & inside[1:])
    if len(pairs) < states.shape[1] + 2:
        grew = not np.all(np.isfinite(size)) or size[-1] > size[0]
        return math.inf if grew else math.nan
    n = e.shape[1]
    for dim in (n, 2 * n):  # memoryless first (GD); else the one-step memory (momentum)
        # each pair scaled by |s_t|: the same map, and every step weighs alike
        a = states[pairs, :dim] / size[pairs, None]
        b = states[pairs + 1, :dim] / size[pairs, None]
        T, *_ = np.linalg.lstsq(a, b, rcond=None)
        if np.linalg.norm(a @ T - b) <= 1e-3 * np.linalg.norm(b) or dim == 2 * n:
            break
    return float(np.abs(np.linalg.eigvals(T.T)).max())


def stability_runs(objective: Any, minima: list[Any], sizes: list[float], steps: int = 2000) -> Any:
    """GD from near every minimum at :data:`FACTORS` × its stability limit: one batched
    run of shape ``(len(minima), len(FACTORS))``, each start offset by ``sizes[i]`` from
    its minimum along :func:`start_offset`."""
    x0, lr = [], []
    for m, size in zip(minima, sizes, strict=True):
        for k in FACTORS:
            x0.append(m.x + start_offset(m, size))
            lr.append(k * m.gd_stability_limit)
    shape = (len(minima), len(FACTORS))
    x0 = np.array(x0).reshape(*shape, -1)
    return minimize(objective, optim.gd(lr=np.array(lr).reshape(shape)), x0, steps=steps)
