"""Hessian spectra of a loss: extreme eigenvalues, the eigenvalue density, the trace.

* :func:`hessian_spectrum`: the top (largest, descending) or bottom (smallest, ascending)
  ``k`` eigenvalues and eigenvectors, by Lanczos with full reorthogonalisation run until
  every wanted Ritz pair's residual ``|Hy − θy|`` is below ``tol`` times the spectral
  scale; ``method="dense"`` forms ``H`` from ``n`` products and uses ``eigh``.
* :func:`spectral_density`: stochastic Lanczos quadrature (Ghorbani, Krishnan and Xiao,
  "An investigation into neural net optimization via Hessian eigenvalue density", ICML
  2019): for each random unit ``v``, ``steps`` Lanczos steps give nodes ``θ_j`` and weights
  ``(e1·s_j)²`` with ``Σ_j w_j f(θ_j) ≈ vᵀ f(H) v``; averaged over ``v``, an estimate of
  the density ``(1/n) Σ_i δ(λ − λ_i)``.  Its mean is ``Σ w θ``, an unbiased estimate of
  ``trace(H) / n``.
* :func:`hessian_trace`: Hutchinson's estimator ``E[zᵀHz] = trace(H)`` over Rademacher
  ``z``, with its standard error.

``loss`` is any loss :func:`~symopt.landscape.hvp.operator` takes (an MLP objective, an
``EmpiricalRisk``, an ``Objective``); ``block=`` restricts each to a diagonal block, e.g.
one layer of :meth:`~symopt.landscape.mlp.MLP.blocks`.  Everything is seeded.

>>> import numpy as np, symopt
>>> f = symopt.quadratic([[4, 1], [1, 3]])            # H = [[4, 1], [1, 3]]
>>> spec = hessian_spectrum(f, [0.0, 0.0], k=2)
>>> np.round(spec.eigenvalues, 10)                    # (7 ± √5) / 2
array([4.618034, 2.381966])
>>> est = hessian_trace(f, [0.0, 0.0], samples=400)   # zᵀHz = 7 + 2 z1 z2 = 5 or 9
>>> abs(est.value - 7.0) < 3 * est.stderr, round(est.stderr, 2)
(True, 0.1)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from symopt.errors import ChoiceError, HyperparameterError
from symopt.landscape.hvp import HessianOperator, operator
from symopt.landscape.lanczos import lanczos, ritz

__all__ = [
    "Density",
    "Spectrum",
    "TraceEstimate",
    "hessian_spectrum",
    "hessian_trace",
    "spectral_density",
]


@dataclass(frozen=True)
class Spectrum:
    """``k`` extreme eigenpairs of a Hessian.

    ``eigenvalues`` (k,): descending for ``which="top"``, ascending for ``"bottom"``;
    ``eigenvectors`` (n × k), unit columns; ``residuals`` (k,) ``|Hy − λy|``; ``products``
    the Hessian-vector products it took; ``converged`` whether every residual met the
    tolerance.
    """

    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    residuals: np.ndarray
    products: int
    converged: bool


@dataclass(frozen=True)
class Density:
    """An estimated eigenvalue density: point masses ``weights`` (summing to 1) at
    ``nodes``, pooled from ``n_vectors`` quadratures (``per_vector`` keeps each one's)."""

    nodes: np.ndarray
    weights: np.ndarray
    per_vector: tuple[tuple[np.ndarray, np.ndarray], ...]

    @property
    def mean(self) -> float:
        """``Σ w θ``: the estimate of ``trace(H) / n``."""
        return float(self.weights @ self.nodes)

    def evaluate(self, grid: Any, width: float) -> np.ndarray:
        """The density smoothed by a Gaussian of standard deviation ``width``, on ``grid``.

        >>> d = Density(np.array([0.0]), np.array([1.0]), ())
        >>> d.evaluate([0.0, 1.0], 1.0) * np.sqrt(2 * np.pi)   # exp(-x² / 2)
        array([1.        , 0.60653066])
        """
        return _smooth(self.nodes, self.weights, np.asarray(grid, dtype=float), width)

    def stderr(self, grid: Any, width: float) -> np.ndarray:
        """The standard error of :meth:`evaluate` from the spread between the vectors."""
        grid = np.asarray(grid, dtype=float)
        each = np.array([_smooth(t, w, grid, width) for t, w in self.per_vector])
        if len(each) < 2:
            return np.full(grid.shape, np.nan)
        return each.std(axis=0, ddof=1) / np.sqrt(len(each))


@dataclass(frozen=True)
class TraceEstimate:
    """Hutchinson's estimate of ``trace(H)``: ``value ± stderr`` from ``samples`` vectors."""

    value: float
    stderr: float
    samples: int


def hessian_spectrum(
    loss: Any,
    params: Any,
    *,
    k: int = 5,
    which: Literal["top", "bottom"] = "top",
    method: Literal["lanczos", "dense"] = "lanczos",
    seed: int = 0,
    tol: float = 1e-10,
    max_steps: int | None = None,
    start: Any = None,
    block: Any = None,
    check: bool = True,
) -> Spectrum:
    """The ``k`` largest (``which="top"``) or smallest (``"bottom"``) Hessian eigenvalues.

    Lanczos from one start vector sees each distinct eigenvalue once: exact copies of a
    repeated eigenvalue (the output layer's block under MSE is a Kronecker product with
    the identity) are found only where the Krylov space closes, where it restarts.  The
    largest value is always right; ``method="dense"`` lists every copy.

    Parameters
    ----------
    loss, params
        The loss and the point ``θ`` (shape ``(n,)``).
    k : int
        How many eigenpairs, ``1 <= k <= n``.
    which : "top" or "bottom"
        Largest first (descending) or smallest first (ascending), by value, not magnitude.
    method : "lanczos" or "dense"
        Lanczos (``O(steps)`` products) or ``eigh`` of the matrix formed from ``n`` products.
    seed : int
        Seeds the random start (and restarts at invariant subspaces).
    tol : float
        Lanczos stops when each wanted residual is ``<= tol ×`` the largest ``|Ritz value|``.
    max_steps : int, optional
        The most Lanczos steps (default ``min(n, max(300, 20 k))``).
    start : array_like, optional
        The start vector (warm start: the previous top eigenvector of a nearby point).
    block : slice or indices, optional
        A diagonal block of the Hessian (one layer's parameters).
    check : bool
        Check the operator is symmetric on a random pair of vectors (two products).

    Raises
    ------
    HyperparameterError
        ``k`` not in ``1 … n``.
    DegenerateError
        The operator is not symmetric.
    NotDifferentiableError
        No second derivatives, or a non-finite product.
    """
    op = _operator(loss, params, block, seed, check)
    k = _count("k", k, op.n)
    if which not in ("top", "bottom"):
        raise ChoiceError("which", which, ("top", "bottom"))
    if method not in ("lanczos", "dense"):
        raise ChoiceError("method", method, ("lanczos", "dense"))
    if method == "dense":
        return _dense(op, k, which)
    rng = np.random.default_rng(seed)
    v0 = rng.standard_normal(op.n) if start is None else np.asarray(start, dtype=float)
    if v0.shape != (op.n,) or not np.linalg.norm(v0) > 0:
        raise HyperparameterError("start", start, f"a non-zero vector of {op.n} entries")
    steps = min(op.n, max(300, 20 * k)) if max_steps is None else max_steps

    def pick(theta: np.ndarray) -> np.ndarray:
        return np.arange(len(theta))[::-1][:k] if which == "top" else np.arange(len(theta))[:k]

    def done(state) -> bool:
        if state.steps < k:
            return False
        theta, _, res = ritz(state)
        return bool(np.all(res[pick(theta)] <= tol * np.abs(theta).max()))

    state = lanczos(op.matvec, op.n, v0, steps, rng=rng, stop=done)
    theta, S, res = ritz(state)
    idx = pick(theta)
    Y = state.Q.T @ S[:, idx]
    Y /= np.linalg.norm(Y, axis=0)
    converged = bool(np.all(res[idx] <= tol * np.abs(theta).max()))
    return Spectrum(theta[idx], Y, res[idx], op.products, converged)


def spectral_density(
    loss: Any,
    params: Any,
    *,
    n_vectors: int = 10,
    steps: int = 80,
    seed: int = 0,
    block: Any = None,
) -> Density:
    """The Hessian's eigenvalue density by stochastic Lanczos quadrature.

    ``n_vectors`` random Rademacher directions, ``steps`` Lanczos steps each (at most
    ``n``; fewer where the Krylov space closes, then the quadrature is exact for that
    vector).  The result's weights sum to 1; :meth:`Density.stderr` is its error bar.
    """
    op = _operator(loss, params, block, seed)
    n_vectors = _count("n_vectors", n_vectors, None)
    steps = _count("steps", steps, None)
    rng = np.random.default_rng(seed)
    each = []
    for _ in range(n_vectors):
        v = rng.choice((-1.0, 1.0), op.n)
        state = lanczos(op.matvec, op.n, v, steps, rng=rng, restart=False)
        theta, S, _ = ritz(state)
        each.append((theta, S[0] ** 2))
    nodes = np.concatenate([t for t, _ in each])
    weights = np.concatenate([w for _, w in each]) / n_vectors
    return Density(nodes, weights / weights.sum(), tuple(each))


def hessian_trace(
    loss: Any, params: Any, *, samples: int = 100, seed: int = 0, block: Any = None
) -> TraceEstimate:
    """Hutchinson's estimate of ``trace(H)``: the mean of ``zᵀHz`` over Rademacher ``z``."""
    op = _operator(loss, params, block, seed)
    samples = _count("samples", samples, None, least=2)
    Z = np.random.default_rng(seed).choice((-1.0, 1.0), (samples, op.n))
    quad = np.einsum("ij,ij->i", Z, op.matvec(Z))
    return TraceEstimate(float(quad.mean()), float(quad.std(ddof=1) / np.sqrt(samples)), samples)


# -- helpers ------------------------------------------------------------------------------


def _operator(loss: Any, params: Any, block: Any, seed: int, check: bool = True):
    op = operator(loss, params, block=block)
    if check:
        op.check_symmetric(np.random.default_rng([seed, 1]))
        op.products = 0  # count the method's own products
    return op


def _count(name: str, value: Any, n: int | None, least: int = 1) -> int:
    ok = isinstance(value, int | np.integer) and not isinstance(value, bool)
    if not ok or value < least or (n is not None and value > n):
        most = "" if n is None else f" and <= {n} (the number of parameters)"
        raise HyperparameterError(name, value, f"an int >= {least}{most}")
    return int(value)


def _dense(op: HessianOperator, k: int, which: str) -> Spectrum:
    H = op.dense()
    H = (H + H.T) / 2  # exact products are symmetric to roundoff
    lam, U = np.linalg.eigh(H)
    idx = np.arange(op.n)[::-1][:k] if which == "top" else np.arange(k)
    res = np.linalg.norm(H @ U[:, idx] - U[:, idx] * lam[idx], axis=0)
    return Spectrum(lam[idx], U[:, idx], res, op.products, True)


def _smooth(nodes: np.ndarray, weights: np.ndarray, grid: np.ndarray, width: float) -> np.ndarray:
    if not width > 0:
        raise HyperparameterError("width", width, "a positive number (the Gaussian's std)")
    z = (grid[..., None] - nodes) / width
    return (np.exp(-0.5 * z * z) @ weights) / (width * np.sqrt(2 * np.pi))
