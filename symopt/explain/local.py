"""What the lecture says about one critical point, from its local quadratic model.

Near a critical point ``x*`` the objective is ``f(x* + h) ≈ f(x*) + ½hᵀHh`` with ``H`` the
Hessian there, so gradient descent and the heavy ball are, to first order in ``h``, the
linear iterations of :mod:`symopt.theory` on that model (``scale=1/2``, gradient ``Hh``):
GD converges locally iff ``0 < η < 2/λ_max``, fastest at ``η* = 2/(λ_min + λ_max)`` with
rate ``(κ − 1)/(κ + 1)`` per step; the heavy ball at its optimum reaches
``(√κ − 1)/(√κ + 1)``.  At a saddle the eigen-directions of the negative eigenvalues grow
by ``1 − ηλ = 1 + η|λ|`` per step: the ways a run escapes.

Every number comes from :func:`symopt.theory.gd` and :func:`symopt.theory.momentum` on the
Hessian the objective gives at the point, exact where the point is.

>>> from symopt import Objective
>>> f = Objective("x**2 + x*y + y**2")
>>> m = minimum(f, f.critical_points()[0])
>>> m.hessian_eigenvalues, m.gd_stability_limit, m.gd_optimal_lr, round(m.gd_optimal_rate, 6)
((1, 3), 0.6666666666666666, 0.5, 0.5)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from symopt import theory
from symopt.symbolic.forms import definiteness

__all__ = ["LocalAnalysis", "SaddleAnalysis", "minimum", "saddle"]


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass
class LocalAnalysis:
    """One isolated local minimum and what GD and momentum do near it.

    Attributes
    ----------
    point : dict
        ``{variable: value}`` as :meth:`Objective.critical_points` gives it.
    x : ndarray (n,)
        The point as floats.
    value : sympy number or float
        ``f`` at the point.
    hessian : sympy.Matrix
        The Hessian there (exact where the point is).
    hessian_eigenvalues : tuple
        Its eigenvalues, ascending (exact where SymPy gives them); floats in
        :attr:`eigenvalues`, unit eigenvectors in the columns of :attr:`eigenvectors`.
    condition_number : float
        ``κ = λ_max/λ_min`` (``inf`` for a degenerate minimum).
    gd_stability_limit : float
        GD converges locally iff ``0 < η < 2/λ_max`` (this number).
    gd_optimal_lr, gd_optimal_rate : float or None
        ``2/(λ_min + λ_max)`` and ``(κ − 1)/(κ + 1)`` (``None`` when degenerate).
    momentum_optimal : tuple (lr, mu, rate) or None
        The heavy ball's optimum ``(η*, μ*, (√κ − 1)/(√κ + 1))``.
    predicted_rate, measured_rate : float or None
        For the explained optimizer: the spectral radius of its linear iteration on the
        local model, and the per-step rate measured on a run of the objective itself
        started near the point (``None`` with the reason in :attr:`rate_note`).
    degenerate : bool
        The Hessian is singular there: no linear rate along its null space.
    gd_theory, momentum_theory : GDAnalysis, MomentumAnalysis
        The exact analyses these numbers come from (``lr`` and ``mu`` left symbolic).
    """

    point: dict
    x: np.ndarray
    value: Any
    hessian: sp.Matrix
    hessian_eigenvalues: tuple
    eigenvalues: np.ndarray
    eigenvectors: np.ndarray
    condition_number: float
    gd_stability_limit: float
    gd_optimal_lr: float | None
    gd_optimal_rate: float | None
    momentum_optimal: tuple[float, float, float] | None
    degenerate: bool
    gd_theory: Any = field(repr=False)
    momentum_theory: Any = field(repr=False)
    is_global: bool | None = None
    reason: str = ""
    predicted_rate: float | None = None
    measured_rate: float | None = None
    rate_note: str = ""

    @property
    def rates_agree(self) -> bool | None:
        """Whether the measured rate is within 0.01 of the predicted one (``None`` when
        either is missing)."""
        if self.predicted_rate is None or self.measured_rate is None:
            return None
        return abs(self.measured_rate - self.predicted_rate) <= 0.01


@dataclass
class SaddleAnalysis:
    """One strict saddle: the directions a run escapes along, and how fast.

    Attributes
    ----------
    point, x, value, hessian, hessian_eigenvalues
        As for :class:`LocalAnalysis`.
    escape_directions : ndarray (k, n)
        Unit eigenvectors of the negative eigenvalues, one per row (most negative first).
    escape_eigenvalues : ndarray (k,)
        Those eigenvalues.
    growth_factors : list
        GD's per-step factor ``1 + η|λ|`` along each escape direction for the explained
        ``η``; SymPy expressions in :data:`symopt.theory.ETA` when no ``η`` was given.
    lr : float or None
        That ``η``.
    """

    point: dict
    x: np.ndarray
    value: Any
    hessian: sp.Matrix
    hessian_eigenvalues: tuple
    escape_directions: np.ndarray
    escape_eigenvalues: np.ndarray
    growth_factors: list
    lr: float | None = None


def _model(H: sp.Matrix) -> sp.Matrix:
    """The Hessian the theory reads: exact when its entries are rationals or radicals,
    else (``CRootOf`` numbers, which SymPy cannot sort the eigenvalues of) at 17 digits."""
    if all(v.is_Rational or (v.is_algebraic and not v.has(sp.CRootOf)) for v in H):
        try:
            H.charpoly().real_roots()
            return H
        except (NotImplementedError, sp.PolynomialError):
            pass
    return H.evalf(17)


def _local(objective: Any, p: Any) -> tuple[sp.Matrix, np.ndarray, np.ndarray, np.ndarray]:
    """The Hessian at ``p`` (exact), the point, eigenvalues and unit eigenvectors (floats)."""
    H = objective.hessian.subs(p.point)
    x = np.array([float(p.point[v]) for v in objective.variables])
    Hf = np.array(H.evalf(), dtype=float)
    lam, vec = np.linalg.eigh(Hf)
    return sp.Matrix(H), x, lam, vec


def minimum(objective: Any, p: Any) -> LocalAnalysis:
    """The :class:`LocalAnalysis` of the isolated minimum ``p`` (a :class:`CriticalPoint`)."""
    H, x, lam, vec = _local(objective, p)
    gd = theory.gd(_model(H), scale=1 / 2)
    hb = theory.momentum(_model(H), scale=1 / 2)
    degenerate = definiteness(H) != "positive definite"
    top, low = float(lam[-1]), float(lam[0])
    kappa = math.inf if degenerate else top / low
    momentum_optimal = None
    if hb.optimal_lr is not None:
        momentum_optimal = (float(hb.optimal_lr), float(hb.optimal_mu), float(hb.optimal_rate))
    return LocalAnalysis(
        point=p.point,
        x=x,
        value=p.value,
        hessian=H,
        hessian_eigenvalues=tuple(p.hessian_eigenvalues),
        eigenvalues=lam,
        eigenvectors=vec,
        condition_number=kappa,
        gd_stability_limit=float(gd.stable_lr_limit),
        gd_optimal_lr=_float(gd.optimal_lr),
        gd_optimal_rate=_float(gd.optimal_rate),
        momentum_optimal=momentum_optimal,
        degenerate=degenerate,
        gd_theory=gd,
        momentum_theory=hb,
        is_global=p.is_global,
        reason=p.reason,
    )


def saddle(objective: Any, p: Any, lr: float | None) -> SaddleAnalysis:
    """The :class:`SaddleAnalysis` of the saddle ``p`` for GD with learning rate ``lr``
    (``None``: the factors as functions of :data:`symopt.theory.ETA`)."""
    H, x, lam, vec = _local(objective, p)
    gd = theory.gd(_model(H), lr=lr, scale=1 / 2)
    # theory's factors follow its eigenvalue order (ascending for a non-diagonal H, the
    # diagonal's order otherwise); match them to the float eigenvalues by value
    exact = [float(v) for v in gd.eigenvalues_exact]
    factors = gd.factors
    order = np.argsort(exact, kind="stable")
    negative = [i for i in range(len(lam)) if lam[i] < 0]
    return SaddleAnalysis(
        point=p.point,
        x=x,
        value=p.value,
        hessian=H,
        hessian_eigenvalues=tuple(p.hessian_eigenvalues),
        escape_directions=vec[:, negative].T,
        escape_eigenvalues=lam[negative],
        growth_factors=[factors[order[i]] for i in negative],
        lr=lr,
    )
