"""Curvature-aware transformations: a fixed or point-dependent preconditioner, and Newton.

These are the per-coordinate exception to per-run broadcasting: a preconditioner is a
diagonal ``(n,)``, a matrix ``(n, n)`` or a batch of matrices ``(..., n, n)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from symopt._typing import ArrayLike, HyperParam
from symopt.errors import HyperparameterError, ShapeError
from symopt.optim.base import NONNEGATIVE, Optimizer, ShapeOf, as_params, check_batch, hyper
from symopt.optim.transforms import EmptyState

__all__ = ["scale_by_newton", "scale_by_preconditioner"]

# H + damping·I with a 2-norm condition number above this counts as singular
MAX_CONDITION = 1e14


def _constant_preconditioner(M: Any) -> np.ndarray:
    try:
        M = np.asarray(M, dtype=np.float64)
    except (TypeError, ValueError):
        valid = "a diagonal (n,), a matrix (n, n) or (..., n, n)"
        raise HyperparameterError("M", M, valid) from None
    if M.ndim == 0 or (M.ndim >= 2 and M.shape[-1] != M.shape[-2]):
        raise HyperparameterError(
            "M", ShapeOf(M.shape), "a diagonal (n,) or a square matrix (n, n) / (..., n, n)"
        )
    if not np.isfinite(M).all():
        raise HyperparameterError("M", M, "finite entries")
    return M


def _shape_error(M: np.ndarray, x: np.ndarray) -> HyperparameterError:
    n = x.shape[-1]
    return HyperparameterError(
        "M",
        ShapeOf(M.shape),
        f"a diagonal of shape ({n},) or a matrix of shape ({n}, {n}) or (..., {n}, {n}) "
        f"broadcasting against the batch for parameters of shape {x.shape}",
    )


def _check_constant(M: np.ndarray, x: np.ndarray) -> str:
    """The kind of a constant preconditioner: ndim 1 is a diagonal, ndim >= 2 matrices."""
    n, batch = x.shape[-1], x.shape[:-1]
    if M.ndim == 1:
        if M.shape[0] != n:
            raise _shape_error(M, x)
        return "diagonal"
    try:
        fits = M.shape[-1] == n and np.broadcast_shapes(M.shape[:-2], batch) == batch
    except ValueError:
        fits = False
    if not fits:
        raise _shape_error(M, x)
    return "matrix"


def _kind_at(M: np.ndarray, x: np.ndarray) -> str:
    """The kind of ``M(x)``: ``x.shape + (n,)`` or ``(n, n)`` matrices, ``x.shape`` or
    ``(n,)`` diagonals (``x.shape`` wins when ``x`` itself has shape ``(n, n)``)."""
    n = x.shape[-1]
    if M.shape == (*x.shape, n):
        return "matrix"
    if M.shape in (x.shape, (n,)):
        return "diagonal"
    if M.shape == (n, n):
        return "matrix"
    raise _shape_error(M, x)


def _apply(M: np.ndarray, kind: str, g: np.ndarray) -> np.ndarray:
    return M * g if kind == "diagonal" else (M @ g[..., None])[..., 0]


def scale_by_preconditioner(M: ArrayLike | Callable[[np.ndarray], ArrayLike]) -> Optimizer:
    """Multiply updates by a preconditioner: ``u ← M u`` (before ``scale_by_lr``).

    Parameters
    ----------
    M : array or callable
        An array of ndim 1 is a diagonal ``(n,)`` (per coordinate: ``M ⊙ u``); ndim 2 or
        more is a matrix ``(n, n)`` or a batch ``(..., n, n)`` broadcasting against the
        runs.  A callable ``x -> M(x)`` returns a diagonal of shape ``x.shape`` (or
        ``(n,)``) or matrices of shape ``x.shape + (n,)`` (or ``(n, n)``, unless ``x``
        itself has that shape: then it is read as per-run diagonals).

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_preconditioner([1.0, 0.5])
    >>> x = np.zeros(2)
    >>> t.update(np.array([2.0, 2.0]), t.init(x), x)[0]
    array([2., 1.])
    """
    point_dependent = callable(M)
    M = M if point_dependent else _constant_preconditioner(M)
    kind = None if point_dependent else ("diagonal" if M.ndim == 1 else "matrix")

    def init(params):
        params = as_params(params)
        if not point_dependent:
            _check_constant(M, params)
        return EmptyState()

    def update(updates, state, params=None, **extra):
        if not point_dependent:
            return _apply(M, kind, updates), state
        if params is None:
            raise TypeError("a callable preconditioner needs params: update(grads, state, params)")
        Mx = np.asarray(M(params), dtype=np.float64)
        return _apply(Mx, _kind_at(Mx, np.asarray(params)), updates), state

    return Optimizer(init, update)


def _singular(damping: float, H: np.ndarray, x: Any, where: tuple[int, ...]) -> Exception:
    """The error for a singular ``H + damping·I`` at run ``where``, with a damping to try."""
    lam = np.linalg.eigvalsh(0.5 * (H + H.T))
    d = damping
    shift = max(0.0, -lam[0])  # any damping above this makes H + damping·I positive definite
    suggest = shift + max(1e-3, 1e-3 * float(np.abs(lam).max()), 0.1 * shift)
    at = "" if x is None else f" at x={np.round(x, 6).tolist()}"
    run = f" in run {where}" if where else ""
    return HyperparameterError(
        "damping",
        d,
        f"a value that makes H + damping·I invertible: the Hessian{run}{at} has eigenvalues "
        f"{np.round(lam, 6).tolist()}, so H + {d:g}·I is singular; try damping={suggest:.2g} "
        f"(Levenberg-Marquardt: any damping > {shift:.3g} makes the step a descent step)",
    )


def scale_by_newton(damping: HyperParam = 0.0) -> Optimizer:
    """Solve with the (damped) Hessian: ``u ← (H + damping·I)⁻¹ u``; needs ``hessian``.

    ``update(grads, state, params, hessian=H)`` with ``H`` of shape ``(..., n, n)``.  A
    singular or numerically singular (condition number above 1e14) ``H + damping·I``
    raises :class:`~symopt.errors.HyperparameterError` naming ``damping`` with a value to
    try; runs whose Hessian is not finite (diverged) get a NaN step.

    Examples
    --------
    >>> import numpy as np
    >>> t = scale_by_newton()
    >>> H = np.array([[2.0, 0.0], [0.0, 4.0]])
    >>> t.update(np.array([2.0, 2.0]), t.init(np.zeros(2)), hessian=H)[0]
    array([1. , 0.5])
    """
    damping = hyper("damping", damping, NONNEGATIVE)
    lam = damping.value
    lam_ = lam[..., None, None] if isinstance(lam, np.ndarray) else lam

    def init(params):
        check_batch(damping, as_params(params))
        return EmptyState()

    def update(updates, state, params=None, *, hessian=None, **extra):
        if hessian is None:
            raise TypeError("newton needs the Hessian: update(grads, state, params, hessian=H)")
        g = np.asarray(updates, dtype=np.float64)
        n = g.shape[-1]
        H = np.asarray(hessian, dtype=np.float64)
        if H.shape[-2:] != (n, n):
            raise ShapeError(f"hessian must have shape (..., {n}, {n}), got {H.shape}")
        A = H + lam_ * np.eye(n)
        finite = np.isfinite(A).all(axis=(-2, -1))
        A = np.where(finite[..., None, None], A, np.eye(n))
        bad = ~(np.linalg.cond(A) <= MAX_CONDITION)
        if bad.any():
            where = tuple(int(i) for i in np.argwhere(bad)[0]) if bad.ndim else ()
            batch = bad.shape
            raise _singular(
                float(np.broadcast_to(lam, batch)[where]),
                np.broadcast_to(H, (*batch, n, n))[where],
                None if params is None else np.broadcast_to(params, (*batch, n))[where],
                where,
            )
        step = np.linalg.solve(A, g[..., None])[..., 0]
        return np.where(finite[..., None], step, np.nan), state

    return Optimizer(init, update, ("hessian",))
