"""Lanczos with full reorthogonalisation: a symmetric operator reduced to a tridiagonal T.

From a unit start ``q1``, ``m`` steps build an orthonormal basis ``Q = [q1 … qm]`` of the
Krylov space ``span{q1, H q1, …, H^(m−1) q1}`` and the tridiagonal ``T = QᵀHQ`` (diagonal
``alpha``, off-diagonal ``beta``)::

    w = H q_j − beta_(j−1) q_(j−1);  alpha_j = q_j·w;  w −= alpha_j q_j
    w −= Q (Qᵀ w)   (twice: full reorthogonalisation, so no ghost copies of eigenvalues)
    beta_j = |w|;  q_(j+1) = w / beta_j

The eigenvalues of ``T`` (Ritz values) approach the extreme eigenvalues of ``H`` first; the
Ritz pair ``(θ, Q s)`` has residual ``|H Q s − θ Q s| = beta_m |s_m|``.  When ``beta``
vanishes the Krylov space is invariant: :func:`lanczos` then continues from a random vector
orthogonal to ``Q`` (``beta = 0`` there), which also finds repeated eigenvalues.

Golub and Van Loan, *Matrix Computations*, 4th ed., §10.1.

>>> import numpy as np
>>> H = np.diag([3.0, 2.0, 1.0])
>>> run = lanczos(lambda v: H @ v, 3, np.ones(3), steps=3)
>>> np.round(np.linalg.eigvalsh(run.tridiagonal()), 12)
array([1., 2., 3.])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Lanczos", "lanczos", "ritz"]

# beta below this times the spectral scale so far: the Krylov space is invariant (to that
# relative accuracy, which bounds the error of setting beta to 0).
_BREAKDOWN = 1e-10


@dataclass
class Lanczos:
    """The state of a Lanczos run: basis ``Q`` (m × n), ``alpha`` (m), ``beta`` (m)."""

    Q: np.ndarray
    alpha: np.ndarray
    beta: np.ndarray

    @property
    def steps(self) -> int:
        return len(self.alpha)

    def tridiagonal(self) -> np.ndarray:
        m = self.steps
        T = np.diag(self.alpha)
        T[np.arange(m - 1), np.arange(1, m)] = T[np.arange(1, m), np.arange(m - 1)] = self.beta[:-1]
        return T


def lanczos(
    matvec: Callable[[np.ndarray], np.ndarray],
    n: int,
    start: np.ndarray,
    steps: int,
    *,
    rng: np.random.Generator | None = None,
    restart: bool = True,
    stop: Callable[[Lanczos], bool] | None = None,
) -> Lanczos:
    """Up to ``steps`` (at most ``n``) Lanczos steps from ``start``.

    ``stop(state)``, if given, is asked after every step whether to end early.  With
    ``restart=False`` the run ends at an invariant subspace instead of continuing (as
    quadrature wants: its ``T`` is then exact for the start vector).
    """
    rng = rng if rng is not None else np.random.default_rng(0)
    steps = min(steps, n)
    Q = np.zeros((steps, n))
    alpha, beta = np.zeros(steps), np.zeros(steps)
    q = start / np.linalg.norm(start)
    scale = 0.0
    for j in range(steps):
        Q[j] = q
        w = matvec(q)
        if j:
            w = w - beta[j - 1] * Q[j - 1]
        alpha[j] = q @ w
        scale = max(scale, abs(alpha[j]), beta[j - 1] if j else 0.0)
        w = w - alpha[j] * q
        for _ in range(2):
            w -= Q[: j + 1].T @ (Q[: j + 1] @ w)
        beta[j] = np.linalg.norm(w)
        state = Lanczos(Q[: j + 1], alpha[: j + 1], beta[: j + 1])
        if j + 1 == steps:
            return state
        if beta[j] <= _BREAKDOWN * max(scale, 1e-300):
            beta[j] = 0.0
            if not restart:
                return state
            # an invariant subspace: its Ritz values are exact but may miss copies of a
            # repeated eigenvalue, so go on orthogonally to it before asking stop()
            w = rng.standard_normal(n)
            for _ in range(2):
                w -= Q[: j + 1].T @ (Q[: j + 1] @ w)
            q = w / np.linalg.norm(w)
        elif stop is not None and stop(state):
            return state
        else:
            q = w / beta[j]
    return Lanczos(Q, alpha, beta)


def ritz(state: Lanczos) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Ritz values (ascending), the eigenvectors ``S`` of ``T`` and each pair's residual."""
    theta, S = np.linalg.eigh(state.tridiagonal())
    return theta, S, np.abs(state.beta[-1] * S[-1])
