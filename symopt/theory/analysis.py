"""Linear-iteration theory of gradient descent and heavy-ball momentum on quadratics.

On ``f(x) = scale·xᵀHx`` (``H`` symmetric) the gradient is ``c·Hx`` with ``c = 2·scale``, so
both methods are *linear* iterations, and whether they converge, how fast, and which
step size is best is read off the eigenvalues ``λ`` of ``H``.  Write ``λ' = cλ`` (the
curvature the optimizer sees) and ``κ = λ_max/λ_min``.

Gradient descent ``x ← x − η·cHx``: the iteration matrix is ``I − ηcH``; along the
eigen-direction of ``λ`` the error is multiplied by the *factor* ``1 − ηλ'`` every step::

    ρ(η) = max_λ |1 − ηλ'|                        spectral radius (the asymptotic rate)
    converges  ⇔  0 < ηλ' < 2 for every λ        i.e. η < 2/λ'_max
    η* = 2/(λ'_min + λ'_max),  ρ(η*) = (κ − 1)/(κ + 1)

Heavy-ball momentum (the lecture's ``v ← μv − ηg; x ← x + v``): along the eigen-direction
of ``λ`` the state ``(x, v)`` evolves by ``v_{t+1} = μv_t − ηλ'x_t`` and
``x_{t+1} = x_t + v_{t+1} = (1 − ηλ')x_t + μv_t``, i.e. by the 2×2 matrix::

    T_λ = [[1 − ηλ', μ], [−ηλ', μ]],   det(zI − T_λ) = z² − (1 + μ − ηλ')z + μ
    converges  ⇔  0 ≤ μ < 1 and 0 < ηλ' < 2(1 + μ) for every λ
    Δ = (1 + μ − ηλ')² − 4μ:  > 0 over-damped (real roots), = 0 critically damped
                              (double root), < 0 under-damped (complex roots, |z| = √μ)
    η* = (2/(√λ'_min + √λ'_max))²,  μ* = ((√κ − 1)/(√κ + 1))²,  ρ* = (√κ − 1)/(√κ + 1)

The two conventions.  With ``scale=1/2`` (``f = ½xᵀHx``, gradient ``Hx``) the limit is
``η < 2/λ_max``; with ``scale=1`` (``f = xᵀHx``, gradient ``2Hx``) it is ``η < 1/λ_max``.
The lecture's gradient-descent slides use ``scale=1``: there ``H = diag(10, 1)`` at
``η = 0.1`` has the factor ``1 − 2·0.1·10 = −1`` along ``x₁``, exactly on the boundary (an
endless zig-zag), and ``diag(9.9, 1)`` has ``−0.98``, a wide zig-zag that shrinks slowly.
Under ``scale=1/2`` the same ``η`` kills ``x₁`` in one step (factor 0).

Numbers are kept exact: floats become the rationals they print as (``0.1 → 1/10``),
so boundary cases are decided exactly, not by round-off (``atol`` widens the boundary
for floats computed elsewhere).  The scalar fields are floats for numeric input, SymPy
expressions when ``H``, ``lr`` or ``mu`` hold symbols (or with ``exact=True``); ``lr=None``
or ``mu=None`` leaves them as the symbols :data:`ETA` and :data:`MU`.  With symbols the
formulas assume ``H`` positive definite, and whatever SymPy cannot decide (a regime, a
damping) is reported as ``"unknown"``; ``convergence_condition`` then states the condition.

>>> from symopt import theory
>>> lecture = theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1)
>>> lecture.factors, lecture.spectral_radius, lecture.regime
([-1.0, 0.8], 1.0, 'boundary')
>>> theory.gd([[10, 0], [0, 1]], lr=0.1, scale=1/2).regime
'convergent'
>>> hb = theory.momentum([[2, 0], [0, 1]], lr=0.01, mu=0.95)
>>> hb.regimes, round(hb.spectral_radius, 6)
(['under-damped', 'under-damped'], 0.974679)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import ArgumentTypeError, DegenerateError, HyperparameterError
from symopt.symbolic.numbers import exact, form_matrix, to_sympy

__all__ = ["ETA", "MU", "GDAnalysis", "MomentumAnalysis", "gd", "momentum"]

#: The learning rate as a symbol (``lr=None``).
ETA = sp.Symbol("eta", positive=True)
#: The momentum as a symbol (``mu=None``).
MU = sp.Symbol("mu", nonnegative=True)

# Decisions that SymPy cannot make exactly are made at this many digits ...
_DIGITS = 60
# ... and a difference below this counts as zero there.
_ZERO = sp.Float(10) ** -45


def gd(
    H: Any, lr: Any = None, scale: Any = 1 / 2, *, exact: bool = False, atol: float = 0.0
) -> GDAnalysis:
    """Analyse gradient descent ``x ← x − lr·∇f`` on ``f(x) = scale·xᵀHx``.

    Parameters
    ----------
    H : (n, n) array_like, sympy.Matrix or Objective
        Numbers or SymPy expressions, read exactly (``0.1 → 1/10``); a non-symmetric
        ``H`` stands for its symmetric part ``(H + Hᵀ)/2`` (the same form ``xᵀHx``), with
        an ``AsymmetricMatrixWarning``.  A quadratic :class:`~symopt.Objective` stands
        for its Hessian (with the default ``scale=1/2``).
    lr : number, SymPy expression or None
        The learning rate ``η > 0``; ``None`` leaves it as the symbol :data:`ETA`.
    scale : number
        ``1/2`` (gradient ``Hx``) or ``1`` (gradient ``2Hx``, the lecture's slides), or any
        positive number.
    exact : bool
        Return SymPy numbers instead of floats for numeric input.
    atol : float
        ``|ρ − 1| <= atol`` counts as the boundary (default: exactly ``ρ = 1``).

    Returns
    -------
    GDAnalysis

    Examples
    --------
    >>> import sympy as sp
    >>> a = gd([[9.9, 0], [0, 1]], lr=0.1, scale=1)
    >>> a.factors, round(a.spectral_radius, 6), a.stable_lr_limit
    ([-0.98, 0.8], 0.98, 0.10101010101010101)
    >>> a.steps_to(1e-6)
    684
    >>> lam1, lam2 = sp.symbols("lambda1 lambda2", positive=True)
    >>> gd(sp.diag(lam1, lam2)).spectral_radius
    Max(Abs(eta*lambda1 - 1), Abs(eta*lambda2 - 1))
    """
    return GDAnalysis(H, lr, scale, exact=exact, atol=atol)


def momentum(
    H: Any,
    lr: Any = None,
    mu: Any = None,
    scale: Any = 1 / 2,
    *,
    exact: bool = False,
    atol: float = 0.0,
) -> MomentumAnalysis:
    """Analyse heavy-ball momentum ``v ← μv − lr·∇f; x ← x + v`` on ``f = scale·xᵀHx``.

    Parameters
    ----------
    H, lr, scale, exact : as for :func:`gd`
    mu : number, SymPy expression or None
        The momentum ``μ`` in ``[0, 1)``; ``None`` leaves it as the symbol :data:`MU`.
    atol : float
        ``|ρ − 1| <= atol`` counts as the boundary, ``|Δ| <= atol`` as critical damping.

    Returns
    -------
    MomentumAnalysis

    Examples
    --------
    >>> a = momentum([[9.9, 0], [0, 1]], lr=0.1, mu=0.5, scale=1)
    >>> a.regimes, round(a.spectral_radius, 6)
    (['under-damped', 'under-damped'], 0.707107)
    >>> round(a.optimal_lr, 6), round(a.optimal_mu, 6), round(a.optimal_rate, 6)
    (0.116327, 0.267969, 0.517657)
    """
    return MomentumAnalysis(H, lr, mu, scale, exact=exact, atol=atol)


# -- exact input ------------------------------------------------------------------------


def _exact(value: Any, name: str) -> sp.Expr:
    """A number or SymPy expression as an exact SymPy expression (floats as printed)."""
    if isinstance(value, sp.Basic) and not isinstance(value, sp.Expr):
        raise ArgumentTypeError(f"{name} must be a number or a SymPy expression, not {value!r}")
    if isinstance(value, bool) or not isinstance(value, numbers.Real | sp.Expr):
        raise ArgumentTypeError(
            f"{name} must be a real number or a SymPy expression, not {value!r}; "
            "for a symbol use sympy.Symbol(...)"
        )
    return exact(value, name)


def _matrix(H: Any) -> sp.Matrix:
    """``H`` as an exact, square, symmetric SymPy matrix (the symmetric part of ``H``)."""
    if hasattr(H, "hessian") and hasattr(H, "variables"):
        return _objective_hessian(H)
    return form_matrix(H, "H", exact=True)


def _objective_hessian(f: Any) -> sp.Matrix:
    M = sp.Matrix(f.hessian)
    if M.free_symbols & set(f.variables):
        raise DegenerateError(
            "the objective is not quadratic: its Hessian depends on "
            f"{sorted(map(str, M.free_symbols & set(f.variables)))}; the linear theory "
            "needs a constant Hessian (analyse its quadratic_approximation at a point)"
        )
    return _matrix(M)


def _positive(value: Any, name: str) -> sp.Expr:
    value = _exact(value, name)
    if value.is_positive is False or value.is_zero:
        raise HyperparameterError(name, _shown_input(value), "a number > 0")
    return value


def _momentum_value(value: Any) -> sp.Expr:
    value = _exact(value, "mu")
    if value.is_negative or (value - 1).is_nonnegative:
        raise HyperparameterError(
            "mu", _shown_input(value), "a number in [0, 1) (μ >= 1 never converges)"
        )
    return value


def _shown_input(value: sp.Expr) -> Any:
    return float(value) if value.is_number else value


def _eigenvalues(M: sp.Matrix) -> list[sp.Expr]:
    """Eigenvalues with multiplicity: the diagonal (axis order) of a diagonal ``M``,
    else exact real roots (ascending) of a numeric ``M``, else SymPy's eigenvalues."""
    if M.is_diagonal():
        return list(M.diagonal())
    if not M.free_symbols:
        roots = M.charpoly().real_roots()
        if len(roots) != M.rows:  # cannot happen for a symmetric matrix
            raise DegenerateError("H has complex eigenvalues: give a symmetric matrix")
        return roots
    return list(M.eigenvals(multiple=True))


# -- exact decisions --------------------------------------------------------------------


def _sign(expr: sp.Expr, atol: float = 0.0) -> int | None:
    """-1, 0 or 1 for the sign of ``expr``; ``None`` when it cannot be decided."""
    expr = to_sympy(expr)
    if expr.free_symbols:
        if expr.is_zero:
            return 0
        return 1 if expr.is_positive else -1 if expr.is_negative else None
    if expr.is_zero:
        return 0
    value = sp.re(expr.evalf(_DIGITS))
    if abs(value) <= max(_ZERO, atol):
        return 0
    return 1 if value > 0 else -1


def _zero_if_zero(expr: sp.Expr) -> sp.Expr:
    """``0`` for a numeric expression that is exactly zero, else ``expr``."""
    return sp.Integer(0) if not expr.free_symbols and _sign(expr) == 0 else expr


def _extreme(values: list[sp.Expr], direction: int = 1) -> sp.Expr:
    """The largest (``direction=1``) or smallest (``-1``) of real values: decided one by
    one for numbers (SymPy's ``Max`` gives up on unsimplified radicals), ``Max``/``Min``
    with symbols."""
    if any(v.free_symbols for v in values):
        return (sp.Max if direction == 1 else sp.Min)(*values)
    best = values[0]
    for v in values[1:]:
        if _sign(v - best) == direction:
            best = v
    return best


def _larger_root_modulus(b: sp.Expr, disc: sp.Expr, mu: sp.Expr) -> sp.Expr:
    """``max |z|`` over the roots ``(b ± √Δ)/2`` of ``z² − bz + μ``: ``(|b| + √Δ)/2`` for
    real roots (Δ >= 0), ``√μ`` for complex ones (their product is μ)."""
    real, complex_ = (sp.Abs(b) + sp.sqrt(disc)) / 2, sp.sqrt(mu)
    if b.free_symbols or disc.free_symbols or mu.free_symbols:
        return sp.Piecewise((real, disc >= 0), (complex_, True))
    return real if _sign(disc) >= 0 else complex_


def _regime(rho: sp.Expr, atol: float) -> str:
    sign = _sign(rho - 1, atol)
    names = {-1: "convergent", 0: "boundary", 1: "divergent", None: "unknown"}
    return names[sign]


def _steps_to(rho: sp.Expr, tol: Any) -> Any:
    """The least integer ``t >= 0`` with ``ρᵗ <= tol``."""
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real | sp.Expr):
        raise HyperparameterError("tol", tol, "a number >= 0")
    tol_ = _exact(tol, "tol")
    if tol_.is_number and (tol_.is_negative or not tol_.is_finite):
        raise HyperparameterError("tol", float(tol_), "a finite number >= 0")
    if rho.free_symbols or tol_.free_symbols:
        return sp.Max(0, sp.ceiling(sp.log(tol_) / sp.log(rho)))
    if _sign(tol_ - 1) >= 0:
        return 0
    if _sign(rho) == 0:
        return 1
    if _sign(rho - 1) >= 0 or tol_.is_zero:
        return math.inf

    def reached(t: int) -> bool:  # ρᵗ <= tol, decided at _DIGITS digits
        return _sign(t * sp.log(rho) - sp.log(tol_)) <= 0

    t = max(1, math.ceil(float((sp.log(tol_) / sp.log(rho)).evalf(_DIGITS))))
    while t > 1 and reached(t - 1):
        t -= 1
    while not reached(t):
        t += 1
    return t


# -- the analyses -----------------------------------------------------------------------


class _Analysis:
    """What gradient descent and momentum share: input, eigenvalues, output."""

    method = ""

    def __init__(self, H: Any, lr: Any, scale: Any, exact: bool, atol: float):
        if not isinstance(atol, numbers.Real) or not atol >= 0:
            raise HyperparameterError("atol", atol, "a number >= 0")
        self.H = _matrix(H)
        self.n = self.H.rows
        self.scale = _positive(scale, "scale")
        self.c = 2 * self.scale
        self.lr = ETA if lr is None else _positive(lr, "lr")
        self.exact, self.atol = bool(exact), float(atol)
        self.eigenvalues_exact = _eigenvalues(self.H)
        # the curvature the optimizer sees along each eigen-direction
        self._curvatures = [self.c * lam for lam in self.eigenvalues_exact]
        # extreme eigenvalues of H (formulas keep c apart, so 2/(2a) reads 1/a)
        self._lo = _extreme(self.eigenvalues_exact, -1)
        self._hi = _extreme(self.eigenvalues_exact, 1)

    # output: floats for numbers, SymPy for symbols (or exact=True)
    def _out(self, value: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        if isinstance(value, list):
            return [self._out(v) for v in value]
        if isinstance(value, tuple):
            return tuple(self._out(v) for v in value)
        if isinstance(value, sp.MatrixBase):
            if self.exact or value.free_symbols:
                return value
            return np.array(value.evalf(), dtype=float)
        value = to_sympy(value)
        if self.exact or value.free_symbols:
            return value
        if value.is_infinite:
            return math.inf if value.is_positive else -math.inf
        value = value.evalf(_DIGITS)
        if value.is_real is False or sp.im(value) != 0:
            return complex(value)
        return float(value)

    @property
    def eigenvalues(self) -> list[Any]:
        """The eigenvalues of ``H`` with multiplicity (axis order for a diagonal ``H``,
        ascending otherwise)."""
        return self._out(self.eigenvalues_exact)

    @property
    def spectral_radius(self) -> Any:
        """``ρ``: the error shrinks like ``ρᵗ`` (a function of :data:`ETA` if ``lr=None``)."""
        return self._out(self._rho)

    @property
    def regime(self) -> str:
        """``"convergent"`` (ρ < 1), ``"boundary"`` (ρ = 1), ``"divergent"`` (ρ > 1), or
        ``"unknown"`` when symbols leave it open (see :attr:`convergence_condition`)."""
        return _regime(self._rho, self.atol)

    @property
    def stable_lr_limit(self) -> Any:
        """The largest learning rate for which no eigen-direction grows; with a positive
        definite ``H`` exactly the ``lr`` below it converge."""
        if _sign(self._hi) == -1 or _sign(self._hi) == 0:
            return self._out(sp.oo)
        return self._out(self._limit_times_curvature / self.c / self._hi)

    def _positive_definite(self) -> bool:
        return _sign(self._lo) != -1 and _sign(self._lo) != 0

    @property
    def optimal_lr(self) -> Any:
        """The ``lr`` with the least ρ (``None`` unless ``H`` is positive definite);
        gradient descent: ``2/(λ'_min + λ'_max)``, momentum: ``(2/(√λ'_min + √λ'_max))²``."""
        return self._optimum("lr")

    @property
    def optimal_rate(self) -> Any:
        """``ρ`` at the optimum: ``(κ − 1)/(κ + 1)`` for gradient descent,
        ``(√κ − 1)/(√κ + 1)`` for momentum."""
        return self._optimum("rate")

    def _optimum(self, name: str) -> Any:
        if not self._positive_definite():
            return None
        return self._out(self._optima()[name][1])

    def _optimal_rows(self) -> list[tuple[str, str]]:
        if not self._positive_definite():
            return [("optimum", "none: H is not positive definite")]
        return [(f"optimal {k} {text}", self._show(v)) for k, (text, v) in self._optima().items()]

    def steps_to(self, tol: float) -> Any:
        """The least ``t`` with ``ρᵗ <= tol`` (the error bound, relative to the start).

        ``0`` when ``tol >= 1``, ``1`` when ``ρ = 0``, ``math.inf`` when ``ρ >= 1`` (or
        ``tol = 0 < ρ``); a SymPy expression when ``ρ`` has symbols.  For momentum this is
        the rate bound only: a critically damped direction decays like ``t·ρᵗ``, so the
        error may stay above ``ρᵗ`` for a while (transient growth of a non-normal matrix).
        """
        return _steps_to(self._rho, tol)

    def _numeric_curvatures(self) -> np.ndarray:
        if self.H.free_symbols or self.c.free_symbols:
            raise DegenerateError(
                "this needs numbers: H and scale have symbols "
                f"{sorted(map(str, self.H.free_symbols | self.c.free_symbols))}; "
                "analyse a numeric H and scale"
            )
        return np.array([float(v.evalf(_DIGITS)) for v in self._curvatures])

    def _show(self, value: Any) -> str:
        value = to_sympy(value)
        if value.free_symbols:
            return str(value)
        if value.is_infinite:
            return "inf"
        number = complex(value.evalf(_DIGITS))
        if number.imag == 0:
            return f"{number.real:.6g}"
        return f"{number.real:.6g} ± {abs(number.imag):.6g}i"

    def _summary_rows(self) -> list[tuple[str, str]]:
        rho = self._rho
        shown = self._show(rho)
        if len(shown) > 60:
            shown = "the largest of the directions' rates above"
        rows = [("spectral radius ρ", f"{shown}: {self.regime}")]
        limit = self.stable_lr_limit
        rows.append((f"stable lr limit {self._limit_text}", self._show(limit)))
        rows += self._optimal_rows()
        if not rho.free_symbols:
            rows.append(("steps to 1e-6 (ρᵗ <= 1e-6)", str(self.steps_to(1e-6))))
        return rows

    def _header(self) -> str:
        f = (
            "½·xᵀHx (gradient Hx)"
            if self.scale == sp.Rational(1, 2)
            else ("xᵀHx (gradient 2Hx)" if self.scale == 1 else f"{self.scale}·xᵀHx")
        )
        return f"{self.method} on f = {f}, {self._settings()}"

    def __str__(self) -> str:
        head, *rows = self._direction_rows()
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
        lines = [self._header()]
        for row in [head, *rows]:
            lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        summary = self._summary_rows()
        width = max(len(k) for k, _ in summary)
        lines += [f"{k.ljust(width)}  {v}" for k, v in summary]
        return "\n".join(line.rstrip() for line in lines)

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: {self._settings()}, ρ = {self._show(self._rho)}>"


class GDAnalysis(_Analysis):
    """Gradient descent on a quadratic, per eigen-direction; build with :func:`gd`.

    Attributes
    ----------
    H : sympy.Matrix
        The (exact) matrix of ``f = scale·xᵀHx``.
    lr, scale : SymPy numbers or expressions
    """

    method = "gradient descent"
    _limit_text = "2/λ'_max"
    _limit_times_curvature = sp.Integer(2)

    def __init__(self, H: Any, lr: Any, scale: Any, *, exact: bool, atol: float):
        super().__init__(H, lr, scale, exact, atol)
        self._factors = [1 - self.lr * lam for lam in self._curvatures]
        self._rho = _extreme([sp.Abs(f) for f in self._factors])

    def _settings(self) -> str:
        return f"lr = {self._show(self.lr)}"

    @property
    def iteration_matrix(self) -> Any:
        """``I − lr·c·H``: one step maps the error ``e`` to ``(I − lr·cH)e``."""
        return self._out(sp.eye(self.n) - self.lr * self.c * self.H)

    @property
    def factors(self) -> list[Any]:
        """``1 − lr·λ'`` per eigen-direction: the error along it is multiplied by this."""
        return self._out(self._factors)

    @property
    def regimes(self) -> list[str]:
        """Per eigen-direction: ``"monotone"`` (factor > 0), ``"one step"`` (factor 0: gone
        after one step), ``"zig-zag"`` (factor < 0: the sign flips every step)."""
        names = {1: "monotone", 0: "one step", -1: "zig-zag", None: "unknown"}
        return [names[_sign(f, self.atol)] for f in self._factors]

    @property
    def convergence_condition(self) -> Any:
        """``0 < lr·λ' < 2`` for every eigenvalue, as a SymPy condition."""
        return sp.And(*[sp.And(0 < self.lr * lam, self.lr * lam < 2) for lam in self._curvatures])

    def _optima(self) -> dict[str, tuple[str, sp.Expr]]:
        lo, hi = self._lo, self._hi
        return {
            "lr": ("2/(λ'_min + λ'_max)", 2 / self.c / (lo + hi)),
            "rate": ("(κ − 1)/(κ + 1)", (hi - lo) / (hi + lo)),
        }

    def spectral_radius_at(self, lr: Any) -> np.ndarray:
        """``ρ(lr) = max |1 − lr·λ'|`` on an array of learning rates (floats)."""
        lr = np.asarray(lr, dtype=float)
        return np.abs(1 - lr[..., None] * self._numeric_curvatures()).max(axis=-1)

    def _direction_rows(self) -> list[tuple[str, ...]]:
        head = ("λ", "factor 1 − ηλ'", "|factor|", "direction", "regime")
        rows = [head]
        for lam, f, kind in zip(self.eigenvalues_exact, self._factors, self.regimes, strict=True):
            rows.append(
                (
                    self._show(lam),
                    self._show(f),
                    self._show(sp.Abs(f)),
                    kind,
                    _regime(sp.Abs(f), self.atol),
                )
            )
        return rows


class MomentumAnalysis(_Analysis):
    """Heavy-ball momentum on a quadratic, per eigen-direction; build with :func:`momentum`.

    Along the eigen-direction of ``λ`` (``λ' = cλ``) the state ``(x, v)`` evolves by
    ``v_{t+1} = μv_t − ηλ'x_t`` and ``x_{t+1} = x_t + v_{t+1} = (1 − ηλ')x_t + μv_t``,
    so by ``[[1 − ηλ', μ], [−ηλ', μ]]``, whose eigenvalues are the roots of
    ``z² − (1 + μ − ηλ')z + μ``.  Two real roots with ``1 + μ − ηλ' < 0`` are both negative:
    such an "over-damped" direction still flips sign every step.
    """

    method = "heavy-ball momentum"
    _limit_text = "2(1 + μ)/λ'_max"

    def __init__(self, H: Any, lr: Any, mu: Any, scale: Any, *, exact: bool, atol: float):
        super().__init__(H, lr, scale, exact, atol)
        self.mu = MU if mu is None else _momentum_value(mu)
        self._limit_times_curvature = 2 * (1 + self.mu)
        mu_ = self.mu
        self._b = [1 + mu_ - self.lr * lam for lam in self._curvatures]
        # an exactly zero discriminant that SymPy leaves unsimplified becomes a plain 0
        self._disc = [_zero_if_zero(b**2 - 4 * mu_) for b in self._b]
        self._moduli = [
            _larger_root_modulus(b, d, mu_) for b, d in zip(self._b, self._disc, strict=True)
        ]
        self._rho = _extreme(self._moduli)

    def _settings(self) -> str:
        return f"lr = {self._show(self.lr)}, mu = {self._show(self.mu)}"

    @property
    def iteration_matrix(self) -> Any:
        """The ``2n × 2n`` matrix of one step on the state ``(x, v)``:
        ``[[I − lr·cH, μI], [−lr·cH, μI]]``."""
        step = self.lr * self.c * self.H
        eye = sp.eye(self.n)
        return self._out(
            sp.BlockMatrix([[eye - step, self.mu * eye], [-step, self.mu * eye]]).as_explicit()
        )

    @property
    def direction_matrices(self) -> list[Any]:
        """Per eigen-direction the 2×2 matrix ``[[1 − lr·λ', μ], [−lr·λ', μ]]``."""
        mu_ = self.mu
        return [
            self._out(sp.Matrix([[1 - self.lr * lam, mu_], [-self.lr * lam, mu_]]))
            for lam in self._curvatures
        ]

    @property
    def roots(self) -> list[tuple[Any, Any]]:
        """Per eigen-direction the two roots of ``z² − (1 + μ − lr·λ')z + μ`` (complex
        for under-damped directions)."""
        return [
            self._out(((b + sp.sqrt(d)) / 2, (b - sp.sqrt(d)) / 2))
            for b, d in zip(self._b, self._disc, strict=True)
        ]

    @property
    def moduli(self) -> list[Any]:
        """Per eigen-direction the larger ``|root|``: that direction's rate."""
        return self._out(self._moduli)

    @property
    def discriminants(self) -> list[Any]:
        """``(1 + μ − lr·λ')² − 4μ`` per eigen-direction."""
        return self._out(self._disc)

    @property
    def regimes(self) -> list[str]:
        """Per eigen-direction ``"over-damped"`` (Δ > 0), ``"critically damped"``
        (Δ = 0) or ``"under-damped"`` (Δ < 0), or ``"unknown"`` with symbols."""
        names = {1: "over-damped", 0: "critically damped", -1: "under-damped", None: "unknown"}
        return [names[_sign(d, self.atol)] for d in self._disc]

    @property
    def convergence_condition(self) -> Any:
        """``0 <= μ < 1`` and ``0 < lr·λ' < 2(1 + μ)`` for every eigenvalue."""
        mu_ = self.mu
        return sp.And(
            0 <= mu_,
            mu_ < 1,
            *[sp.And(0 < self.lr * lam, self.lr * lam < 2 * (1 + mu_)) for lam in self._curvatures],
        )

    @property
    def critical_mu(self) -> list[Any]:
        """Per eigen-direction the ``μ`` that damps it critically at this ``lr``:
        ``(1 − √(lr·λ'))²`` (``None`` where ``lr·λ' >= 4``, beyond ``μ < 1``)."""
        out = []
        for lam in self._curvatures:
            s = self.lr * lam
            out.append(None if _sign(s - 4) in (0, 1) else self._out((1 - sp.sqrt(s)) ** 2))
        return out

    @property
    def critical_lr(self) -> list[Any]:
        """Per eigen-direction the ``lr`` that damps it critically at this ``μ`` with a
        positive double root: ``(1 − √μ)²/λ'`` (the other, ``(1 + √μ)²/λ'``, gives a
        negative double root)."""
        return [self._out((1 - sp.sqrt(self.mu)) ** 2 / lam) for lam in self._curvatures]

    @property
    def optimal_mu(self) -> Any:
        """``((√κ − 1)/(√κ + 1))²``; with :attr:`optimal_lr` it damps the extreme
        directions critically and gives the least ρ."""
        return self._optimum("mu")

    def _optima(self) -> dict[str, tuple[str, sp.Expr]]:
        lo, hi = sp.sqrt(self._lo), sp.sqrt(self._hi)
        rate = (hi - lo) / (hi + lo)
        return {
            "lr": ("(2/(√λ'_min + √λ'_max))²", 4 / self.c / (lo + hi) ** 2),
            "mu": ("((√κ − 1)/(√κ + 1))²", rate**2),
            "rate": ("(√κ − 1)/(√κ + 1)", rate),
        }

    def spectral_radius_at(self, lr: Any, mu: Any = None) -> np.ndarray:
        """``ρ(lr, μ)`` on arrays of learning rates and momenta (broadcast; floats);
        ``mu`` defaults to this analysis' ``μ``."""
        if mu is None:
            if self.mu.free_symbols:
                raise HyperparameterError(
                    "mu", mu, "a number or an array of them: this analysis has a symbolic μ"
                )
            mu = float(self.mu)
        lr, mu = np.broadcast_arrays(np.asarray(lr, float), np.asarray(mu, float))
        b = 1 + mu[..., None] - lr[..., None] * self._numeric_curvatures()
        disc = b * b - 4 * mu[..., None]
        real = (np.abs(b) + np.sqrt(np.maximum(disc, 0))) / 2
        moduli = np.where(disc >= 0, real, np.sqrt(mu[..., None]))
        return moduli.max(axis=-1)

    def _direction_rows(self) -> list[tuple[str, ...]]:
        head = ("λ", "roots of z² − (1 + μ − ηλ')z + μ", "max |z|", "damping")
        rows = [head]
        for lam, b, d, m, kind in zip(
            self.eigenvalues_exact, self._b, self._disc, self._moduli, self.regimes, strict=True
        ):
            roots = self._roots_text(b, d)
            rate = "√μ if Δ < 0, else (|β| + √Δ)/2" if m.free_symbols else self._show(m)
            rows.append((self._show(lam), roots, rate, kind))
        return rows

    def _roots_text(self, b: sp.Expr, d: sp.Expr) -> str:
        if b.free_symbols or d.free_symbols:
            return f"(β ± √Δ)/2, β = {b}"
        if _sign(d, self.atol) == -1:
            return self._show((b + sp.sqrt(d)) / 2)
        return f"{self._show((b + sp.sqrt(d)) / 2)}, {self._show((b - sp.sqrt(d)) / 2)}"
