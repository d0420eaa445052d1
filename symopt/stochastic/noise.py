"""Two facts about gradient noise the lecture shows, as closed forms and measurements.

With a constant step, SGD does not converge: its iterates settle into a *noise ball*
around the minimum whose size :func:`stationary_variance` (and, in several dimensions,
:func:`stationary_covariance`) predicts; :func:`batch_noise_variance` is the variance of a
mini-batch mean drawn without replacement.  The same noise lets a run started exactly at
a saddle point leave it; :func:`escape_times` reads when each run of a batch left.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symopt.errors import HyperparameterError, ShapeError
from symopt.numeric.results import Trajectory

__all__ = [
    "batch_noise_variance",
    "escape_times",
    "stationary_covariance",
    "stationary_variance",
]


def stationary_variance(lr: Any, curvature: Any, noise_variance: Any) -> np.ndarray:
    """The spread of SGD with a constant step around the minimum of a 1-D quadratic.

    With ``f(θ) = h (θ - θ*)² / 2`` and a gradient estimate ``h (θ - θ*) + ξ`` whose
    noise ``ξ`` is independent across steps with mean 0 and variance ``s²``, the error
    ``e = θ - θ*`` follows ``e_{t+1} = (1 - η h) e_t - η ξ_t``.  Its variance ``v_t``
    obeys ``v_{t+1} = (1 - η h)² v_t + η² s²``, whose fixed point (for ``0 < η h < 2``)
    is::

        v = η² s² / (1 - (1 - η h)²) = η s² / (h (2 - η h))  ≈  η s² / (2 h)

    so the noise ball's variance shrinks in proportion to the step ``η`` and to the
    noise ``s²`` (which is ``∝ 1/K`` for batches of ``K``, see
    :func:`batch_noise_variance`).  Per coordinate, the same holds along each
    eigenvector of a quadratic with a diagonal Hessian.

    >>> stationary_variance(0.1, 1.0, 1.0)  # 0.1 / (2 - 0.1)
    0.05263157894736842
    """
    lr, h, s2 = (np.asarray(a, dtype=float) for a in (lr, curvature, noise_variance))
    q = lr * h
    if np.any((q <= 0) | (q >= 2)):
        raise HyperparameterError(
            "lr", lr.tolist(), "0 < lr·curvature < 2 (else no stationary spread)"
        )
    v = lr * s2 / (h * (2.0 - q))
    return float(v) if v.ndim == 0 else v


def stationary_covariance(lr: float, hessian: Any, noise_covariance: Any) -> np.ndarray:
    """The covariance of SGD's noise ball around the minimum of a quadratic in ``P`` dims.

    The error ``e = θ - θ*`` follows ``e_{t+1} = A e_t - η ξ_t`` with ``A = I - η H`` and
    noise of covariance ``S`` independent across steps, so its covariance ``Σ`` is the
    fixed point of ``Σ = A Σ Aᵀ + η² S`` (a discrete Lyapunov equation, solved here as
    ``(I - A ⊗ A) vec Σ = η² vec S``).  The mean squared distance to the minimum is
    ``trace(Σ)``; for ``P = 1`` this is :func:`stationary_variance`.

    >>> stationary_covariance(0.1, [[1.0]], [[1.0]])
    array([[0.05263158]])
    >>> S = stationary_covariance(0.1, np.diag([1.0, 4.0]), np.eye(2))
    >>> bool(np.isclose(S[1, 1], stationary_variance(0.1, 4.0, 1.0)))
    True
    """
    H = np.atleast_2d(np.asarray(hessian, dtype=float))
    S = np.atleast_2d(np.asarray(noise_covariance, dtype=float))
    p = H.shape[0]
    if H.shape != (p, p) or S.shape != (p, p):
        raise ShapeError(f"hessian {H.shape} and noise_covariance {S.shape} must be (P, P)")
    A = np.eye(p) - lr * H
    if np.max(np.abs(np.linalg.eigvals(A))) >= 1:
        raise HyperparameterError(
            "lr", lr, "a step with |1 - lr·λ| < 1 for every eigenvalue λ of the Hessian"
        )
    vec = np.linalg.solve(np.eye(p * p) - np.kron(A, A), lr**2 * S.reshape(-1))
    return vec.reshape(p, p)


def batch_noise_variance(
    example_variance: Any, batch_size: Any, n_examples: int, replacement: bool = False
) -> Any:
    """The variance of a mini-batch mean of ``K`` of ``N`` per-example values.

    With ``σ²`` the population variance of the ``N`` values (``1/N Σ (v_i - v̄)²``), a
    batch drawn with replacement has ``Var = σ² / K``.  Without replacement the ``K``
    draws are negatively correlated (``Cov = -σ² / (N - 1)`` for two distinct ones), so
    ``Var = σ²/K · (N - K)/(N - 1)``: the finite-population correction, 0 for ``K = N``
    (the full gradient has no noise).

    >>> batch_noise_variance(1.0, 10, 100)  # (1/10) · 90/99
    0.09090909090909091
    >>> batch_noise_variance(1.0, 100, 100)
    0.0
    """
    s2, k = np.asarray(example_variance, dtype=float), np.asarray(batch_size, dtype=float)
    v = s2 / k if replacement else s2 / k * (n_examples - k) / (n_examples - 1)
    return float(v) if np.ndim(v) == 0 else v


def escape_times(path: Any, center: Any, radius: float, steps: Any = None) -> np.ndarray:
    """The first step at which each run is farther than ``radius`` from ``center``.

    Parameters
    ----------
    path : Trajectory or ndarray of shape (rows, ..., n)
        Recorded points (record every step for exact times).
    center : array_like, shape (n,)
        E.g. the saddle point.
    radius : float
        The distance that counts as having left.
    steps : array of int, optional
        The step of each row (taken from a Trajectory; by default ``0, 1, 2, ...``).

    Returns
    -------
    ndarray of int, the batch shape
        The step, or ``-1`` for runs that never left.

    >>> x = np.array([[0.0, 0.0], [0.1, 0.0], [0.6, 0.0]])[:, None, :] * [[1.0], [0.0]]
    >>> escape_times(x, [0.0, 0.0], 0.5)
    array([ 2, -1])
    """
    if isinstance(path, Trajectory):
        x, steps = np.asarray(path.x), path.steps if steps is None else steps
    else:
        x = np.asarray(path, dtype=float)
    steps = np.arange(len(x)) if steps is None else np.asarray(steps)
    out = np.sqrt(((x - np.asarray(center, dtype=float)) ** 2).sum(axis=-1)) > radius
    first = out.argmax(axis=0)
    return np.where(out.any(axis=0), steps[first], -1)
