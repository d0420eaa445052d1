"""Quadratic forms and the definiteness of symmetric matrices.

The lecture's second-order term ``q(h) = ½ hᵀHh`` decides a critical point: a minimum
when ``H`` is positive definite, a maximum when negative definite, a saddle when
indefinite.  This module answers the matrix question exactly whenever it can:

* :func:`inertia` counts the positive, zero and negative eigenvalues without computing
  them.  The characteristic polynomial of a real symmetric matrix has only real roots, so
  Descartes' rule of signs counts its positive roots *exactly*; only the signs of its
  coefficients are needed (the coefficients are sums of principal minors, so this is the
  "all principal minors" test, which, unlike the leading-minors test, also decides
  semidefiniteness).  Rational and algebraic entries give exact answers; a sign SymPy
  cannot decide gives ``None``, never a guess.
* Floats take a numeric path: eigenvalues of the symmetric part, with a tolerance
  relative to the largest one.
* :func:`definiteness` names the class; :func:`quadratic` builds the objective
  ``scale·xᵀHx + bᵀx + c`` as a :class:`Quadratic`, which also knows its eigen-axes,
  stationary point and condition number.

A non-symmetric matrix is classified by its symmetric part ``(M + Mᵀ)/2`` (the form
``xᵀMx`` only sees that part), with a :class:`UserWarning` saying so.

>>> definiteness([[2, -1], [-1, 1]])
'positive definite'
>>> definiteness([[1, 0], [0, -1]])
'indefinite'
>>> definiteness([[1, 1], [1, 1]])
'positive semidefinite'
>>> inertia([[0, 0, 0], [0, -2, 0], [0, 0, 3]])
(1, 1, 1)
>>> q = quadratic([[2, -1], [-1, 1]], b=[1, 0])
>>> q.expr
x1**2 - x1*x2 + x1 + x2**2/2
>>> q.stationary_point, q.kind
({x1: -1, x2: -1}, 'minimum')
"""

from __future__ import annotations

import itertools
import math
import numbers
import os
import sys
import warnings
from collections.abc import Sequence
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import HyperparameterError, ShapeError, SymoptError
from symopt.symbolic.objective import Objective, to_sympy

__all__ = [
    "DEFINITENESS",
    "Quadratic",
    "definiteness",
    "inertia",
    "quadratic",
    "sign",
]

DEFINITENESS = (
    "positive definite",
    "positive semidefinite",
    "negative definite",
    "negative semidefinite",
    "indefinite",
    "unknown",
)

RTOL = 1e-10  # numeric path: |eigenvalue| <= RTOL * max |eigenvalue| counts as zero


# -- signs ---------------------------------------------------------------------------


def sign(value: Any) -> int | None:
    """The sign of a real SymPy expression: 1, 0, -1, or ``None`` when undecidable.

    A number is evaluated to 30 digits first (SymPy's ``evalf`` tracks its error), which
    decides it unless it is within 1e-20 of zero; then exact tests (assumptions,
    simplification, ``equals``) decide zero, and a 60-digit value is trusted above 1e-40.
    Symbolic expressions are decided by their assumptions (``x**2 + 1`` is positive for
    real ``x``), before and after simplification.

    >>> x = sp.Symbol("x", real=True)
    >>> sign(sp.sqrt(2) - sp.Rational(7, 5)), sign(x**2 + 1), sign(x - 1)
    (1, 1, None)
    >>> sign(sp.sqrt(2) * sp.sqrt(3) - sp.sqrt(6)), sign(sp.sin(sp.pi / 7))
    (0, 1)
    """
    value = to_sympy(value)
    if value.is_Rational:
        return 1 if value > 0 else -1 if value < 0 else 0
    if value.is_number:
        return _number_sign(value)
    decided = _assumed_sign(value)
    if decided is None:
        simpler = _simplified(value)
        decided = None if simpler is None else _assumed_sign(simpler)
    return decided


def _number_sign(value: sp.Expr) -> int | None:
    approx = value.evalf(30)
    if approx.is_Number and abs(approx) > sp.Float("1e-20", 30):
        return 1 if approx > 0 else -1
    if value.is_zero or (_simplified(value) or value).is_zero or value.equals(0):
        return 0
    approx = value.evalf(60)
    if approx.is_Number and abs(approx) > sp.Float("1e-40", 60):
        return 1 if approx > 0 else -1
    return None


def _assumed_sign(value: sp.Expr) -> int | None:
    if value.is_zero:
        return 0
    if value.is_positive:
        return 1
    if value.is_negative:
        return -1
    return None


def _simplified(value: sp.Expr) -> sp.Expr | None:
    try:
        return sp.factor(sp.simplify(value))
    except (TypeError, ValueError, NotImplementedError, AttributeError):
        return None


# -- matrices ------------------------------------------------------------------------


def _as_matrix(matrix: Any, name: str = "matrix") -> sp.Matrix:
    """Any 2-D array-like as a square SymPy matrix; floats stay floats."""
    if isinstance(matrix, sp.MatrixBase):
        rows = matrix.tolist()
    else:
        array = np.asarray(matrix, dtype=object)
        if array.ndim != 2:
            raise ShapeError(
                f"{name} must be a square 2-D matrix, but has {array.ndim} dimension(s) "
                f"(shape {array.shape}); give a list of rows, e.g. [[2, 0], [0, 1]]"
            )
        rows = array.tolist()
    n = len(rows)
    if n == 0 or any(len(r) != n for r in rows):
        shape = (n, len(rows[0]) if rows else 0)
        raise ShapeError(
            f"{name} must be square and non-empty, but has shape {shape}; "
            "definiteness is defined for n×n matrices"
        )
    entries = [[_entry(v, name) for v in row] for row in rows]
    return sp.Matrix(entries)


def _entry(value: Any, name: str) -> sp.Expr:
    if isinstance(value, numbers.Number) and not isinstance(value, bool):
        if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
            raise SymoptError(f"{name} has the complex entry {value!r}; give a real matrix")
        if isinstance(value, numbers.Real) and not math.isfinite(float(value)):
            raise SymoptError(
                f"{name} has the entry {value!r}: every entry must be finite; "
                "replace NaN/inf (e.g. from a failed computation) by numbers"
            )
    entry = to_sympy(value, f"an entry of {name}")
    if entry.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise SymoptError(
            f"{name} has the entry {entry}: every entry must be finite; replace NaN/inf by numbers"
        )
    return entry


def _symmetric_part(matrix: sp.Matrix, name: str = "matrix") -> sp.Matrix:
    """``(M + Mᵀ)/2``, with a warning when ``M`` is not symmetric."""
    if matrix.is_symmetric(simplify=False):
        return matrix
    symmetric = (matrix + matrix.T) / 2
    if any(sp.simplify(d) != 0 for d in matrix - matrix.T):
        warnings.warn(
            f"{name} is not symmetric: classifying its symmetric part (M + Mᵀ)/2 = "
            f"{symmetric.tolist()}, which defines the same quadratic form xᵀMx",
            UserWarning,
            stacklevel=_caller_stacklevel(),
        )
    return symmetric


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside symopt."""
    package = os.path.dirname(__file__)
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level


def _is_numeric(matrix: sp.Matrix) -> bool:
    """Floats anywhere (and no symbols): use the numeric path."""
    return not matrix.free_symbols and any(e.has(sp.Float) for e in matrix)


def _numeric_inertia(matrix: sp.Matrix, rtol: float) -> tuple[int, int, int]:
    eigenvalues = np.linalg.eigvalsh(np.array(matrix.evalf().tolist(), dtype=float))
    tol = rtol * max(float(np.max(np.abs(eigenvalues))), np.finfo(float).tiny)
    pos = int(np.sum(eigenvalues > tol))
    neg = int(np.sum(eigenvalues < -tol))
    return pos, len(eigenvalues) - pos - neg, neg


def _precise_inertia(matrix: sp.Matrix) -> tuple[int, int, int] | None:
    """Irrational number entries: eigenvalues to 40 digits decide, unless one is so
    close to zero that only an exact computation can tell."""
    import mpmath

    with mpmath.workdps(40):
        entries = [[mpmath.mpf(sp.Float(e.evalf(45), 45)) for e in row] for row in matrix.tolist()]
        values = mpmath.eigsy(mpmath.matrix(entries), eigvals_only=True)
        values = [values[i] for i in range(matrix.rows)]
        largest = max(mpmath.mpf(1), *(abs(v) for v in values))
        if any(abs(v) <= mpmath.mpf("1e-25") * largest for v in values):
            return None
        pos = sum(1 for v in values if v > 0)
    return pos, 0, matrix.rows - pos


def _exact_inertia(matrix: sp.Matrix) -> tuple[int, int, int] | None:
    exact = matrix.free_symbols or all(e.is_Rational for e in matrix)
    counts = None if exact else _precise_inertia(matrix)
    if counts is not None:
        return counts
    lam = sp.Dummy("lambda")
    coefficients = matrix.charpoly(lam, simplify=sp.expand).all_coeffs()  # leading 1
    options = [_possible_signs(c) for c in coefficients]
    if math.prod(len(o) for o in options) > 3**8:
        return None
    answers = {_descartes(signs) for signs in itertools.product(*options)}
    return answers.pop() if len(answers) == 1 else None


def _possible_signs(value: sp.Expr) -> tuple[int, ...]:
    """The signs a coefficient can have: one if decided, else what its assumptions allow
    (``-t**2`` is 0 or negative)."""
    decided = sign(value)
    if decided is not None:
        return (decided,)
    if value.is_nonnegative:
        return (0, 1)
    if value.is_nonpositive:
        return (-1, 0)
    return (-1, 0, 1)


def _descartes(signs: Sequence[int]) -> tuple[int, int, int]:
    """Inertia from the signs of the characteristic polynomial's coefficients (highest
    degree first): exact, since a symmetric matrix has only real eigenvalues."""
    n = len(signs) - 1
    zero = 0
    while zero < n and signs[n - zero] == 0:
        zero += 1
    nonzero = [s for s in signs if s != 0]
    changes = sum(1 for a, b in itertools.pairwise(nonzero) if a != b)
    return changes, zero, n - zero - changes


def inertia(matrix: Any, *, rtol: float = RTOL) -> tuple[int, int, int] | None:
    """``(positive, zero, negative)`` eigenvalue counts of the symmetric part of a matrix,
    or ``None`` when a sign cannot be decided (symbolic entries).

    Exact for exact entries (Descartes' rule on the characteristic polynomial); for
    float entries numeric, with eigenvalues within ``rtol`` times the largest counted
    as zero.

    >>> inertia([[4, 0], [0, 1]]), inertia([[1.0, 1.0], [1.0, 1.0 + 1e-14]])
    ((2, 0, 0), (1, 1, 0))
    >>> t = sp.Symbol("t", real=True)
    >>> inertia([[t, 0], [0, 1]]) is None
    True
    """
    m = _symmetric_part(_as_matrix(matrix))
    return _numeric_inertia(m, rtol) if _is_numeric(m) else _exact_inertia(m)


def _name(counts: tuple[int, int, int] | None) -> str:
    if counts is None:
        return "unknown"
    pos, zero, neg = counts
    if pos and neg:
        return "indefinite"
    if neg:
        return "negative semidefinite" if zero else "negative definite"
    return "positive semidefinite" if zero else "positive definite"


def definiteness(matrix: Any, *, rtol: float = RTOL) -> str:
    """The definiteness class of a square matrix (of its symmetric part).

    Returns one of ``"positive definite"``, ``"positive semidefinite"``,
    ``"negative definite"``, ``"negative semidefinite"``, ``"indefinite"`` or
    ``"unknown"`` (a sign SymPy cannot decide, e.g. an entry ``t`` of unknown sign).
    Rational, algebraic and symbolic entries are decided exactly (see :func:`inertia`);
    floats numerically, eigenvalues within ``rtol`` of the largest counting as zero.
    The zero matrix is both positive and negative semidefinite and is reported as
    ``"positive semidefinite"``.  A non-symmetric matrix is classified by its symmetric
    part, with a :class:`UserWarning`.

    Parameters
    ----------
    matrix : array-like or sympy.Matrix
        A square matrix: a SymPy matrix, a NumPy array or a list of rows.
    rtol : float
        Relative tolerance of the numeric (float) path.

    Raises
    ------
    ShapeError
        If the matrix is not square or empty.
    SymoptError
        If an entry is NaN, infinite or complex.

    Examples
    --------
    >>> definiteness(sp.diag(-4, 1)), definiteness([[-1, 0], [0, 0]])
    ('indefinite', 'negative semidefinite')
    >>> definiteness([[1, sp.sqrt(2)], [sp.sqrt(2), 2]])
    'positive semidefinite'
    >>> definiteness(np.array([[2.0, 0.1], [0.1, 3.0]]))
    'positive definite'
    >>> a = sp.Symbol("a", positive=True)
    >>> definiteness([[a, 0], [0, a**2 + 1]])
    'positive definite'
    """
    return _name(inertia(matrix, rtol=rtol))


# -- the quadratic objective ------------------------------------------------------------


def _simple_rational(value: Any, name: str) -> sp.Expr:
    """A float that is a short fraction (0.5, 0.25, 1/3) as that exact fraction."""
    if isinstance(value, float) and math.isfinite(value):
        fraction = Fraction(value).limit_denominator(10**6)
        if float(fraction) == value:
            return sp.Rational(fraction.numerator, fraction.denominator)
    return to_sympy(value, name)


def _column(values: Any, n: int, name: str) -> sp.Matrix:
    if values is None:
        return sp.zeros(n, 1)
    flat = np.asarray(values, dtype=object).reshape(-1).tolist()
    if len(flat) != n:
        raise ShapeError(f"{name} has {len(flat)} entries, but H is {n}×{n}: give {n} entries")
    return sp.Matrix([_entry(v, name) for v in flat])


def _default_variables(n: int) -> tuple[sp.Symbol, ...]:
    return tuple(sp.Symbol(f"x{i}", real=True) for i in range(1, n + 1))


class Quadratic(Objective):
    """The objective ``scale·xᵀHx + bᵀx + c``, with its eigen-structure.

    Made by :func:`quadratic`.  Its gradient is ``2·scale·H x + b`` and its Hessian
    ``2·scale·H`` (``H`` itself for the default ``scale = 1/2``).

    Attributes
    ----------
    H : sympy.Matrix
        The symmetric matrix of the form (the symmetric part of the one given).
    b : sympy.Matrix
        The linear coefficients, a column.
    c : sympy.Expr
        The constant.
    scale : sympy.Expr
        The factor in front of ``xᵀHx``.
    """

    def __init__(self, H: Any, b: Any = None, c: Any = 0, scale: Any = 0.5, variables: Any = None):
        scale = _simple_rational(scale, "scale")
        if scale.free_symbols or sign(scale) != 1:
            raise HyperparameterError(
                "scale", scale, "a number > 0 (for a negative scale, negate H instead)"
            )
        self.H = _symmetric_part(_as_matrix(H, "H"), "H")
        n = self.H.rows
        self.b = _column(b, n, "b")
        self.c = _entry(c, "c")
        self.scale = scale
        x = sp.Matrix(_default_variables(n) if variables is None else variables_of(variables))
        if len(x) != n:
            raise ShapeError(f"{len(x)} variables were given, but H is {n}×{n}: give {n}")
        expr = sp.expand(scale * (x.T * self.H * x)[0, 0] + (self.b.T * x)[0, 0] + self.c)
        super().__init__(expr, list(x))

    def __repr__(self) -> str:
        return (
            f"Quadratic(H={self.H.tolist()}, b={list(self.b)}, c={self.c}, "
            f"scale={self.scale}): {self.expr}"
        )

    @cached_property
    def definiteness(self) -> str:
        """The definiteness of ``H`` (that of the form, since ``scale > 0``)."""
        return definiteness(self.H)

    @cached_property
    def _eigen(self) -> tuple[list[sp.Expr], list[sp.Matrix]]:
        if _is_numeric(self.H) or self.H.free_symbols or self.H.rows > 4:
            values, vectors = np.linalg.eigh(np.array(self.H.evalf().tolist(), dtype=float))
            return (
                [sp.Float(v) for v in values],
                [sp.Matrix(vectors[:, i]) for i in range(len(values))],
            )
        pairs = []
        for value, _, basis in self.H.eigenvects():
            for v in sp.GramSchmidt(basis, True):
                pairs.append((value, v.applyfunc(sp.radsimp)))
        pairs.sort(key=lambda p: float(p[0]))
        return [p[0] for p in pairs], [p[1] for p in pairs]

    @property
    def eigenvalues(self) -> list[sp.Expr]:
        """Eigenvalues of ``H`` in increasing order, with multiplicity (exact for exact
        ``H`` up to 4×4, floats otherwise)."""
        return self._eigen[0]

    @property
    def eigenvectors(self) -> list[sp.Matrix]:
        """Orthonormal eigenvectors of ``H`` (columns), in the order of
        :attr:`eigenvalues`: the principal axes of the level sets."""
        return self._eigen[1]

    @cached_property
    def condition_number(self) -> sp.Expr:
        """``max |λ| / min |λ|`` over the eigenvalues of ``H``; ``oo`` if ``H`` is
        singular."""
        magnitudes = [sp.Abs(v) for v in self.eigenvalues]
        smallest = min(magnitudes, key=float)
        if sign(smallest) == 0 or (smallest.is_Float and smallest < 1e-12 * max(magnitudes)):
            return sp.oo
        ratio = max(magnitudes, key=float) / smallest
        return ratio if ratio.has(sp.Float) else sp.simplify(sp.radsimp(ratio))

    @cached_property
    def _stationary(self) -> dict[sp.Symbol, sp.Expr] | None:
        A = 2 * self.scale * self.H
        try:
            solution, free = A.gauss_jordan_solve(-self.b)
        except ValueError:  # b is not in the range of H: no stationary point
            return None
        names = iter("tsuvw")
        params = {p: sp.Symbol(next(names, f"t{i}"), real=True) for i, p in enumerate(free)}
        solution = solution.xreplace(params)
        return dict(zip(self.variables, solution, strict=True))

    @property
    def stationary_point(self) -> dict[sp.Symbol, sp.Expr] | None:
        """The solution of ``∇f = 2·scale·Hx + b = 0``: a point, an affine family with free
        parameters ``t, s, …`` (singular ``H``, ``b`` in its range), or ``None`` (no
        solution: ``b`` is not in the range of ``H``)."""
        return self._stationary

    @cached_property
    def kind(self) -> str | None:
        """``"minimum"``, ``"maximum"``, ``"saddle"`` for the stationary point (global
        extrema, strict exactly when ``H`` is definite), or ``None`` if there is none."""
        if self._stationary is None:
            return None
        return {
            "positive definite": "minimum",
            "positive semidefinite": "minimum",
            "negative definite": "maximum",
            "negative semidefinite": "maximum",
            "indefinite": "saddle",
        }.get(self.definiteness, "inconclusive")


def variables_of(variables: Any) -> list[sp.Symbol]:
    """Variable names or symbols (``"x y"``, ``["x", "y"]``, ``(x, y)``) as real symbols."""
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    if not isinstance(variables, Sequence):
        raise ShapeError(f"variables must be a sequence of names or symbols, not {variables!r}")
    return [v if isinstance(v, sp.Symbol) else sp.Symbol(str(v), real=True) for v in variables]


def quadratic(
    H: Any, b: Any = None, c: Any = 0, scale: Any = 1 / 2, variables: Any = None
) -> Quadratic:
    """The quadratic objective ``scale·xᵀHx + bᵀx + c``.

    With the default ``scale = 1/2`` (the lecture's ``q(h) = ½ hᵀHh``) the Hessian is
    ``H`` and the gradient ``Hx + b``; with ``scale = 1`` the gradient is ``2Hx + b``.

    Parameters
    ----------
    H : array-like or sympy.Matrix
        A square matrix; a non-symmetric one is replaced by its symmetric part (with a
        warning), since ``xᵀHx`` only depends on that part.
    b : array-like, optional
        The linear coefficients (default zero).
    c : number, optional
        The constant.
    scale : number > 0
        The factor of the quadratic term; a float that is a short fraction (``0.5``)
        becomes that exact fraction.
    variables : sequence of names or symbols, optional
        Default ``x1, …, xn``.

    Returns
    -------
    Quadratic
        An :class:`~symopt.Objective` with ``.H``, ``.b``, ``.c``, ``.scale``,
        ``.eigenvalues``, ``.eigenvectors``, ``.definiteness``, ``.stationary_point``,
        ``.kind`` and ``.condition_number``.

    Examples
    --------
    >>> q = quadratic([[4, 0], [0, 1]])
    >>> q.expr, q.definiteness, q.condition_number
    (2*x1**2 + x2**2/2, 'positive definite', 4)
    >>> q.gradient.T
    Matrix([[4*x1, x2]])
    >>> quadratic([[1, 0], [0, 1]], scale=1).gradient.T
    Matrix([[2*x1, 2*x2]])
    >>> s = quadratic(sp.diag(1, -1), variables="x y")
    >>> s.expr, s.kind, s.eigenvalues
    (x**2/2 - y**2/2, 'saddle', [-1, 1])
    """
    return Quadratic(H, b=b, c=c, scale=scale, variables=variables)
