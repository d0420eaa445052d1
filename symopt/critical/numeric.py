"""∇f = 0 numerically: Levenberg–Marquardt from many starts, then exact forms where short.

:func:`numeric_solutions` runs Levenberg–Marquardt on ``∇f = 0`` from many random starts
in a box at once (NumPy, vectorised over starts) and deduplicates the zeros it reaches;
:func:`unseen` drops those already known (points, or on a family or kink set);
:func:`identify` turns a numeric point into an exact one when a short closed form
(rationals, radicals, multiples of π) near it satisfies ``∇f = 0`` exactly, so a zero
the search stops just short of is still reported exactly.

>>> x = sp.Symbol("x", real=True)
>>> identify([1.4142135623730951], [x], [x**2 - 2])
{x: sqrt(2)}
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical.verify import verified

__all__ = ["NEARBY", "identify", "numeric_solutions", "unseen"]

NEARBY = 1e-6  # a numeric zero this close (relative) to a small rational is tried as it


def numeric_solutions(
    compiled: Any,
    box: np.ndarray,
    deadline: float,
    *,
    seed: int | None = 0,
    starts: int | None = None,
    max_steps: int = 200,
) -> np.ndarray:
    """Zeros of the gradient in ``box`` (shape ``(n, 2)``: low, high per variable) by
    Levenberg–Marquardt from many random starts at once; deduplicated, shape ``(k, n)``.

    Stops at ``deadline`` (:func:`time.monotonic`) with what has converged so far.
    """
    n = box.shape[0]
    count = starts if starts is not None else 60 + 60 * n
    rng = np.random.default_rng(seed)
    low, width = box[:, 0], box[:, 1] - box[:, 0]
    x = low + width * rng.random((count, n))
    damping = np.full(count, 1e-3)
    eye = np.eye(n)
    with np.errstate(all="ignore"):
        g = compiled.gradient(x)
        for _ in range(max_steps):
            if time.monotonic() >= deadline:
                break
            H = compiled.hessian(x)
            A = np.einsum("kij,kjl->kil", H, H) + damping[:, None, None] * eye
            rhs = -np.einsum("kij,kj->ki", H, g)
            ok = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(rhs).all(axis=1)
            step = np.zeros_like(x)
            try:
                step[ok] = np.linalg.solve(A[ok], rhs[ok][..., None])[..., 0]
            except np.linalg.LinAlgError:
                step[ok] = np.einsum("kij,kj->ki", np.linalg.pinv(A[ok]), rhs[ok])
            trial = x + step
            g_trial = compiled.gradient(trial)
            better = np.linalg.norm(g_trial, axis=1) < np.linalg.norm(g, axis=1)
            better &= np.isfinite(g_trial).all(axis=1)
            x = np.where(better[:, None], trial, x)
            g = np.where(better[:, None], g_trial, g)
            damping = np.where(better, damping / 3, damping * 4).clip(1e-15, 1e15)
            if np.all(np.abs(step) <= 1e-13 * (1 + np.abs(x))):
                break
        H = compiled.hessian(x)
        finite = np.isfinite(g).all(axis=1) & np.isfinite(H).all(axis=(1, 2))
        H, g = np.where(finite[:, None, None], H, 0), np.where(finite[:, None], g, 0)
        newton = np.einsum("kij,kj->ki", np.linalg.pinv(H), g)
        scale = 1 + np.abs(H).max(axis=(1, 2))
        converged = finite & (np.linalg.norm(g, axis=1) <= 1e-8 * scale)
        # a tiny gradient far out on a flat tail is not a zero: the Newton step is not small
        converged &= np.linalg.norm(newton, axis=1) <= 1e-7 * (1 + np.linalg.norm(x, axis=1))
    slack = 1e-9 * width
    inside = np.all((x >= box[:, 0] - slack) & (x <= box[:, 1] + slack), axis=1)
    return _cluster(x[converged & inside], tolerance=1e-6 * max(1.0, float(width.max())))


def _cluster(points: np.ndarray, tolerance: float) -> np.ndarray:
    """One representative (the mean) per group of points closer than ``tolerance``."""
    kept: list[list[np.ndarray]] = []
    for p in points:
        for group in kept:
            if np.linalg.norm(group[0] - p) <= tolerance:
                group.append(p)
                break
        else:
            kept.append([p])
    means = [np.mean(group, axis=0) for group in kept]
    return np.array(sorted(means, key=tuple)).reshape(-1, points.shape[1])


def unseen(
    points: np.ndarray,
    variables: Sequence[sp.Symbol],
    known: Sequence[np.ndarray],
    zero_sets: Sequence[Sequence[sp.Expr]],
) -> list[np.ndarray]:
    """The rows of ``points`` that are neither a ``known`` point (to 1e-5, relative) nor
    on one of the sets given as common zeros of ``zero_sets`` (families, kinks: the search
    creeps up to kinks, where the gradient jumps over 0)."""
    new = []
    for x in points:
        scale = 1e-5 * (1 + np.abs(x).max())
        if any(np.abs(x - k).max() <= scale for k in known):
            continue
        at = dict(zip(variables, map(sp.Float, x), strict=True))
        if any(_near_zero_set(equations, at) for equations in zero_sets):
            continue
        new.append(x)
    return new


def _near_zero_set(equations: Sequence[sp.Expr], at: dict) -> bool:
    if not equations:
        return False
    try:
        return all(abs(complex(e.xreplace(at).evalf())) < 1e-6 for e in equations)
    except (TypeError, ValueError):
        return False


# -- numeric → exact ---------------------------------------------------------------------------


def _closed_form(value: float) -> sp.Expr | None:
    """A short exact number within 1e-9 (relative) of ``value``: p/q, (p/q)·π or
    ±√(p/q) with small q, or None."""
    tolerance = 1e-9 * max(1.0, abs(value))
    if abs(value) < 1e-9:
        return sp.Integer(0)
    candidates = [
        (value, 1000, lambda q: q),
        (value / math.pi, 100, lambda q: q * sp.pi),
        (value * value, 1000, lambda q: (1 if value > 0 else -1) * sp.sqrt(q)),
    ]
    for target, limit, build in candidates:
        fraction = Fraction(target).limit_denominator(limit)
        guess = build(sp.Rational(fraction.numerator, fraction.denominator))
        if abs(float(guess) - value) <= tolerance:
            return guess
    return None


def _nearby_rational(value: float) -> sp.Rational | None:
    """The simplest rational (denominator <= 100) within :data:`NEARBY` (relative) of
    ``value``, or None: at a degenerate zero of ∇f the search converges slowly and stops
    visibly short (``1e-8`` from the origin for ``x⁴ + y⁴ + z⁴ − 4xyz``)."""
    fraction = Fraction(value).limit_denominator(100)
    if abs(float(fraction) - value) <= NEARBY * max(1.0, abs(value)):
        return sp.Rational(fraction.numerator, fraction.denominator)
    return None


def identify(
    values: Sequence[float], variables: Sequence[sp.Symbol], gradient: Sequence[sp.Expr]
) -> dict[sp.Symbol, sp.Expr] | None:
    """A short closed form near ``values`` at which ∇f = 0 is proved (by
    :func:`~symopt.critical.verify.verified`): first one within 1e-9, then a small
    rational within :data:`NEARBY`.  A wrong guess is never returned, only tried.

    >>> x, y = sp.symbols("x y", real=True)
    >>> identify([1.5707963267948966], [x], [sp.cos(x)])
    {x: pi/2}
    >>> identify([2.1e-8, 0.9999996], [x, y], [x**3, y - 1])
    {x: 0, y: 1}
    """
    for guess in (_closed_form, _nearby_rational):
        candidates = [guess(float(v)) for v in values]
        if any(c is None for c in candidates):
            continue
        point = dict(zip(variables, candidates, strict=True))
        if verified(point, gradient) is True:
            return point
    return None
