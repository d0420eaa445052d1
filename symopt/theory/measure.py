"""Predicted vs measured: run the optimizer on the quadratic and measure its rate.

The measured rate is the slope of ``log‖s_t‖`` against ``t`` over the tail of the run,
where ``s_t = (e_t, e_{t−1})`` is the error and the one before it (the state of a
one-step memory method; it never vanishes, so its logarithm stays smooth even where
``e_t`` passes near zero).  Under-damped directions modulate ``‖s_t‖`` quasi-periodically;
the slope is taken with smooth weights (the derivative of a ``C^∞`` bump), a weighted
Birkhoff average whose error from such modulation falls faster than any power of the
window length, where a plain ratio ``(‖e_T‖/‖e_{T−k}‖)^{1/k}`` only falls like ``1/k``.

The rate of a linear iteration does not depend on the size of the start, so each run
starts far from underflow and overflow: at norm ``1e100`` when the prediction says it
converges, ``1e-270`` when it diverges (the run stops once the error grew ``1e12``-fold),
``1`` otherwise; steps that underflow (``‖s_t‖ < 1e-280``) are left out.  A run that
leaves no two usable steps (it grew more than ``1e12``-fold in one step) measures
``inf``.  A critically damped direction decays like ``t·ρᵗ``, and its measured rate
carries a bias of about ``ρ/t``; near critical damping a slow oscillation that outlasts
the run biases it too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symopt.errors import ArgumentTypeError, HyperparameterError, ShapeError
from symopt.theory.analysis import momentum

__all__ = ["Measurement", "RateMap", "measure", "rate_map", "simulate", "table"]

_START = {"convergent": 1e100, "divergent": 1e-270}
_TINY = 1e-280
_TRANSIENT = 0.2  # leave out this fraction of the usable steps (the transient)
_STEPS = 5000


@dataclass(frozen=True, repr=False)
class Measurement:
    """Predicted vs measured rate of one run.

    Attributes
    ----------
    analysis : GDAnalysis or MomentumAnalysis
        The setting (``H``, ``lr``, ``mu``, ``scale``).
    predicted : float
        The spectral radius ρ.
    measured : float
        The per-step contraction measured on the run (see :mod:`symopt.theory.measure`).
    steps : int
        The steps that entered the measurement.
    log10_error : ndarray
        ``log10(‖e_t‖/‖e_0‖)`` for every step of the run.
    """

    analysis: Any
    predicted: float
    measured: float
    steps: int
    log10_error: np.ndarray = field(compare=False)

    @property
    def difference(self) -> float:
        """``measured − predicted``."""
        return self.measured - self.predicted

    def __str__(self) -> str:
        return table([self])

    def __repr__(self) -> str:
        return (
            f"Measurement({self.analysis._settings()}, predicted={self.predicted:.6g}, "
            f"measured={self.measured:.6g})"
        )


def measure(analyses: Any, x0: Any = None, steps: int | None = None) -> Any:
    """Run the optimizer of each analysis on its quadratic and measure the rate.

    All analyses of the same method and size run as one batch (one
    :func:`symopt.minimize` call, with per-run ``H``, ``lr`` and ``mu``), using
    :func:`symopt.optim.gd` or :func:`symopt.optim.momentum`.

    Parameters
    ----------
    analyses : GDAnalysis, MomentumAnalysis or a sequence of them
        Each with numbers for ``H``, ``lr`` (and ``mu``).
    x0 : array_like (n,), optional
        The direction of the start; by default the sum of the unit eigenvectors of ``H``,
        so every eigen-direction is present.  Its length is set so the run spans the
        float range (the rate of a linear iteration does not depend on it): ``1e100``
        when the prediction converges, ``1e-270`` when it diverges, else 1.
    steps : int, optional
        Steps per run (default 5000).

    Returns
    -------
    Measurement, or a list of them for a sequence

    Examples
    --------
    >>> from symopt import theory
    >>> m = theory.measure(theory.gd([[9.9, 0], [0, 1]], lr=0.1, scale=1))
    >>> m.predicted, round(m.measured, 9)
    (0.98, 0.98)
    """
    single = not isinstance(analyses, Sequence)
    items = [analyses] if single else list(analyses)
    if not items:
        raise HyperparameterError("analyses", analyses, "an analysis or a non-empty list of them")
    steps = _STEPS if steps is None else steps
    if isinstance(steps, bool) or not isinstance(steps, int | np.integer) or steps < 2:
        raise HyperparameterError("steps", steps, "an int >= 2")
    results: list[Measurement | None] = [None] * len(items)
    groups: dict[tuple[str, int], list[int]] = {}
    for i, a in enumerate(items):
        _check_numeric(a)
        groups.setdefault((a.method, a.n), []).append(i)
    for indices in groups.values():
        group = [items[i] for i in indices]
        for i, m in zip(indices, _measure_batch(group, x0, int(steps)), strict=True):
            results[i] = m
    return results[0] if single else results


def _check_numeric(a: Any) -> None:
    if not hasattr(a, "_numeric_curvatures") or not hasattr(a, "method"):
        raise ArgumentTypeError(
            f"measure() takes analyses from symopt.theory.gd or .momentum, not {type(a).__name__}"
        )
    a._numeric_curvatures()
    for name in ("lr", "mu"):
        value = getattr(a, name, None)
        if value is not None and value.free_symbols:
            raise HyperparameterError(
                name, value, f"a number (a run is simulated: analyse it with a numeric {name})"
            )


def _measure_batch(group: list[Any], x0: Any, steps: int) -> list[Measurement]:
    H = [np.array(a.H.evalf(), dtype=float) for a in group]
    starts = np.stack([_start(a, H_, x0) for a, H_ in zip(group, H, strict=True)])
    traj = simulate(group, starts, steps=steps)
    measured, used, log_error = _rates(traj.x, traj.stop_step)
    return [
        Measurement(a, float(a._rho.evalf(30)), float(m), int(k), e)
        for a, m, k, e in zip(group, measured, used, log_error.T, strict=True)
    ]


def simulate(analyses: Sequence[Any], x0: Any, steps: int = 100, record: Any = "all") -> Any:
    """Run the optimizer of every analysis on its own quadratic, as one batch.

    One :func:`symopt.minimize` call with :func:`symopt.optim.gd` or
    :func:`symopt.optim.momentum` (per-run ``lr`` and ``mu``) on ``scale·xᵀHx`` with a
    per-run ``H``.

    Parameters
    ----------
    analyses : sequence of GDAnalysis or of MomentumAnalysis
        The same method and size ``n`` for all, with numbers for ``H``, ``lr``, ``mu``.
    x0 : array_like, shape (n,) or (len(analyses), n)
    steps, record
        As for :func:`symopt.minimize`.

    Returns
    -------
    Trajectory
        Batch shape ``(len(analyses),)``.

    Examples
    --------
    >>> from symopt import theory
    >>> runs = [theory.gd([[10, 0], [0, 1]], lr=0.1, scale=s) for s in (1, 1/2)]
    >>> traj = theory.simulate(runs, x0=[1.0, 1.0], steps=2)
    >>> traj.x[:, 0]  # scale 1: x1 flips between 1 and -1, x2 shrinks by 0.8
    array([[ 1.  ,  1.  ],
           [-1.  ,  0.8 ],
           [ 1.  ,  0.64]])
    >>> traj.x[-1, 1]  # scale 1/2: x1 is gone after one step, x2 shrinks by 0.9
    array([0.  , 0.81])
    """
    from symopt import optim
    from symopt.numeric.run import minimize

    group = list(analyses)
    if not group:
        raise HyperparameterError("analyses", analyses, "a non-empty list of analyses")
    for a in group:
        _check_numeric(a)
    kinds = sorted({(a.method, a.n) for a in group})
    if len(kinds) > 1:
        raise HyperparameterError(
            "analyses",
            kinds,
            "analyses of one method and one size n (simulate() runs one batch; "
            "symopt.theory.measure groups mixed ones for you)",
        )
    H = np.stack([np.array(a.H.evalf(), dtype=float) for a in group])
    c = np.array([float(a.c) for a in group])
    lr = np.array([float(a.lr) for a in group])
    if group[0].method == "gradient descent":
        optimizer = optim.gd(lr=lr)
    else:
        optimizer = optim.momentum(lr=lr, mu=np.array([float(a.mu) for a in group]))
    shape = (len(group), group[0].n)
    try:
        starts = np.broadcast_to(np.asarray(x0, dtype=float), shape)
    except ValueError:
        raise ShapeError(f"x0 has shape {np.shape(x0)}: give ({shape[1]},) or {shape}") from None
    return minimize(_Quadratics(H, c), optimizer, starts, steps=steps, record=record)


def _start(a: Any, H: np.ndarray, x0: Any) -> np.ndarray:
    n = H.shape[0]
    if x0 is None:
        direction = np.linalg.eigh(H)[1] @ np.ones(n)
    else:
        direction = np.asarray(x0, dtype=float)
        if direction.shape != (n,) or not np.all(np.isfinite(direction)):
            raise ShapeError(
                f"x0 must be a finite direction of shape ({n},), not {direction.shape}"
            )
        if not np.any(direction):
            raise ShapeError("x0 is zero: the error must start away from the minimum at 0")
    size = _START.get(a.regime, 1.0)
    return direction * (size / np.linalg.norm(direction))


class _Quadratics:
    """``f(x) = (c/2)·xᵀHx`` for a batch of matrices ``H`` (shape ``(..., n, n)``)."""

    def __init__(self, H: np.ndarray, c: Any):
        self.H, self.c = H, np.asarray(c, dtype=float)
        self.n = H.shape[-1]

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return self.c[..., None] * np.einsum("...j,...jk->...k", x, self.H)

    def value(self, x: np.ndarray) -> np.ndarray:
        hx = np.einsum("...j,...jk->...k", x, self.H)
        return self.c / 2 * np.einsum("...j,...j->...", x, hx)


def _rates(x: np.ndarray, stop_step: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Measured rates of the runs in ``x`` (rows ``t = 0..T``, batch, n), vectorised.

    Returns the rates, the number of steps each used, and ``log10(‖e_t‖/‖e_0‖)``
    (rows, batch; ``-inf`` where the error is exactly zero).
    """
    rows = x.shape[0]
    batch = x.shape[1:-1]
    x = x.reshape(rows, -1, x.shape[-1])
    stop = np.broadcast_to(stop_step, batch).reshape(-1)
    t = np.arange(rows)[:, None]
    error = _norm(x)
    with np.errstate(divide="ignore"):
        log_error = np.log10(error) - np.log10(error[0])
    state = _norm(np.concatenate([x[1:], x[:-1]], axis=-1))  # ‖(e_t, e_{t−1})‖, t = 1..T
    alive = (t[1:] <= stop) & (state > _TINY)
    # the first step that is no longer usable ends each run's segment
    end = np.where(alive.all(axis=0), rows - 1, np.argmin(alive, axis=0)) + 1
    exact_zero = (
        (end < rows)
        & (end <= stop)
        & (state[np.minimum(end - 1, rows - 2), np.arange(len(end))] == 0)
    )
    begin = 1 + np.floor(_TRANSIENT * (end - 1)).astype(int)
    rate = _weighted_slope(np.log(np.maximum(state, _TINY)), t[1:], begin, end)
    used = end - begin
    rate = np.where(exact_zero, 0.0, np.where(used < 2, np.inf, np.exp(rate)))
    return rate.reshape(batch), used.reshape(batch), log_error.reshape((rows, *batch))


def _norm(x: np.ndarray) -> np.ndarray:
    """Euclidean norm over the last axis without underflow in the squares."""
    big = np.abs(x).max(axis=-1)
    safe = np.where(big > 0, big, 1.0)
    return big * np.sqrt(np.einsum("...i,...i->...", x / safe[..., None], x / safe[..., None]))


def _weighted_slope(y: np.ndarray, t: np.ndarray, begin: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Per column, the slope of ``y`` on ``t`` over rows ``begin <= t < end`` with the
    weights ``w ∝ ψ'`` of the bump ``ψ(u) = exp(−1/(u(1 − u)))``, normalised so that
    ``Σw = 0`` and ``Σw·t = 1`` (a line is recovered exactly)."""
    length = np.maximum(end - begin, 1)
    u = (t - begin + 0.5) / length
    inside = (t >= begin) & (t < end)
    u = np.where(inside, u, 0.5)
    q = u * (1 - u)
    w = np.where(inside, np.exp(-1 / q) * (1 - 2 * u) / q**2, 0.0)
    count = inside.sum(axis=0)
    w = np.where(inside, w - w.sum(axis=0) / np.maximum(count, 1), 0.0)
    moment = (w * t).sum(axis=0)
    few = (count < 3) | (moment == 0)
    # two points or fewer: the plain slope between the first and the last
    first = y[np.minimum(begin - 1, len(y) - 1), np.arange(y.shape[1])]
    last = y[np.clip(end - 2, 0, len(y) - 1), np.arange(y.shape[1])]
    plain = (last - first) / np.maximum(end - begin - 1, 1)
    slope = (w * y).sum(axis=0) / np.where(few, 1.0, moment)
    return np.where(few, plain, slope)


def table(measurements: Sequence[Measurement]) -> str:
    """The measurements as a text table: setting, predicted ρ, measured, difference.

    Examples
    --------
    >>> from symopt import theory
    >>> text = theory.table(theory.measure([theory.gd([[4, 0], [0, 1]], lr=0.1)]))
    >>> print(text.splitlines()[0])
    method            setting   H           scale  predicted ρ  measured  difference  regime
    >>> text.splitlines()[1].split("  ")[:4]
    ['gradient descent', 'lr = 0.1', 'diag(4, 1)', '1/2']
    """
    head = ("method", "setting", "H", "scale", "predicted ρ", "measured", "difference", "regime")
    rows = [head]
    for m in measurements:
        a = m.analysis
        rows.append(
            (
                a.method,
                a._settings(),
                _matrix_text(a.H),
                str(a.scale),
                f"{m.predicted:.6g}",
                f"{m.measured:.10g}",
                f"{m.difference:+.1e}",
                a.regime,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _matrix_text(H: Any) -> str:
    if H.is_diagonal():
        return "diag(" + ", ".join(f"{float(v):g}" for v in H.diagonal()) + ")"
    return str(H.tolist())


# -- rate maps --------------------------------------------------------------------------


@dataclass(frozen=True, repr=False)
class RateMap:
    """Predicted and measured rates of heavy-ball momentum over an ``(lr, mu)`` grid.

    Attributes
    ----------
    analysis : MomentumAnalysis
        The analysis with symbolic ``lr`` and ``mu`` (for the boundary and the optimum).
    lrs, mus : ndarray
        The grid axes.
    predicted, measured : ndarray, shape (len(lrs), len(mus))
        ρ from the formula and the rate measured from one :func:`symopt.sweep`.
    """

    analysis: Any
    lrs: np.ndarray
    mus: np.ndarray
    predicted: np.ndarray
    measured: np.ndarray

    def plot(self, ax: Any = None, what: str = "both", **kwargs: Any) -> Any:
        """Heat map(s) with the stability boundary; see
        :func:`symopt.plot.rates.plot_rate_map`."""
        from symopt.plot.rates import plot_rate_map

        return plot_rate_map(self, ax=ax, what=what, **kwargs)

    def __repr__(self) -> str:
        gap = np.abs(self.measured - self.predicted)
        return (
            f"RateMap({len(self.lrs)} lrs x {len(self.mus)} mus, "
            f"median |measured - predicted| {np.median(gap):.1e})"
        )


def rate_map(
    H: Any, lrs: Any, mus: Any, steps: int = 300, scale: Any = 1 / 2, x0: Any = None
) -> RateMap:
    """Rates of momentum over the grid ``lrs × mus``: predicted by the formula, measured
    from one vectorised :func:`symopt.sweep` of :func:`symopt.optim.momentum`.

    Parameters
    ----------
    H : (n, n) array_like
        Numbers.
    lrs, mus : 1-D array_like
        Learning rates (> 0) and momenta (in [0, 1)).
    steps : int
        Steps per run; all runs start at norm 1, and steps that underflow or diverge
        beyond ``1e12`` are left out of the measurement.
    scale : number
        ``f = scale·xᵀHx``.
    x0 : array_like (n,), optional
        The start's direction (default: the sum of the unit eigenvectors).

    Returns
    -------
    RateMap

    Examples
    --------
    >>> from symopt import theory
    >>> m = theory.rate_map([[2, 0], [0, 1]], lrs=[0.1, 0.5], mus=[0.0, 0.5], steps=300)
    >>> m.predicted.round(4)
    array([[0.9   , 0.7071],
           [0.5   , 0.7071]])
    >>> bool(abs(m.measured - m.predicted).max() < 1e-3)
    True
    """
    from symopt import optim
    from symopt.numeric.run import sweep

    analysis = momentum(H, scale=scale)
    lrs = np.asarray(lrs, dtype=float)
    mus = np.asarray(mus, dtype=float)
    if lrs.ndim != 1 or not lrs.size or not np.all(lrs > 0):
        raise HyperparameterError("lrs", lrs.tolist(), "a 1-D array of numbers > 0")
    if mus.ndim != 1 or not mus.size or not np.all((mus >= 0) & (mus < 1)):
        raise HyperparameterError("mus", mus.tolist(), "a 1-D array of numbers in [0, 1)")
    Hf = np.array(analysis.H.evalf(), dtype=float)
    start = _start(analysis, Hf, x0)  # regime "unknown": norm 1
    objective = _Quadratics(Hf, float(analysis.c))
    result = sweep(
        objective, optim.momentum, {"lr": lrs, "mu": mus}, start, steps=steps, record="all"
    )
    measured, _, _ = _rates(result.trajectory.x, result.trajectory.stop_step)
    grid_lr, grid_mu = np.meshgrid(lrs, mus, indexing="ij")
    predicted = analysis.spectral_radius_at(grid_lr, grid_mu)
    return RateMap(analysis, lrs, mus, predicted, measured)
