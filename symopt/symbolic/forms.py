"""Definiteness of the symmetric matrix of a quadratic form, decided exactly when it can be.

The lecture's second-order term ``q(h) = ½ hᵀHh`` decides a critical point: a minimum
when ``H`` is positive definite, a maximum when negative definite, a saddle when
indefinite.  The matrix is read by :func:`symopt.symbolic.numbers.form_matrix`: a
non-symmetric one is classified by its symmetric part ``(M + Mᵀ)/2`` (the form ``xᵀMx``
only sees that part), with an :class:`~symopt.symbolic.numbers.AsymmetricMatrixWarning`.

* :func:`inertia` counts the positive, zero and negative eigenvalues without computing
  them.  The characteristic polynomial of a real symmetric matrix has only real roots, so
  Descartes' rule of signs counts its positive roots *exactly*; only the signs of its
  coefficients are needed (the coefficients are sums of principal minors, so this is the
  "all principal minors" test, which, unlike the leading-minors test, also decides
  semidefiniteness).  Rational and algebraic entries give exact answers; a sign SymPy
  cannot decide gives ``None``, never a guess.
* Floats are measurements here (a Hessian at a numeric critical point), so they take a
  numeric path: eigenvalues, with a tolerance relative to the largest one.  Exact input
  (``quadratic(H)`` reads its floats exactly) takes the exact path.
* :func:`definiteness` names the class, one of :data:`DEFINITENESS`.

>>> definiteness([[2, -1], [-1, 1]])
'positive definite'
>>> definiteness([[1, 0], [0, -1]])
'indefinite'
>>> definiteness([[1, 1], [1, 1]])
'positive semidefinite'
>>> inertia([[0, 0, 0], [0, -2, 0], [0, 0, 3]])
(1, 1, 1)
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import Any, get_args

import numpy as np
import sympy as sp

from symopt._typing import Definiteness
from symopt.symbolic.numbers import form_matrix, sign

__all__ = ["DEFINITENESS", "RTOL", "definiteness", "inertia"]

DEFINITENESS: tuple[Definiteness, ...] = get_args(Definiteness)  # the labels, in this order

RTOL = 1e-10  # numeric path: |eigenvalue| <= RTOL * max |eigenvalue| counts as zero


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
    m = form_matrix(matrix)
    return _numeric_inertia(m, rtol) if _is_numeric(m) else _exact_inertia(m)


def _name(counts: tuple[int, int, int] | None) -> Definiteness:
    if counts is None:
        return "unknown"
    pos, zero, neg = counts
    if pos and neg:
        return "indefinite"
    if neg:
        return "negative semidefinite" if zero else "negative definite"
    return "positive semidefinite" if zero else "positive definite"


def definiteness(matrix: Any, *, rtol: float = RTOL) -> Definiteness:
    """The definiteness class of a square matrix (of its symmetric part).

    Returns one of ``"positive definite"``, ``"positive semidefinite"``,
    ``"negative definite"``, ``"negative semidefinite"``, ``"indefinite"`` or
    ``"unknown"`` (a sign SymPy cannot decide, e.g. an entry ``t`` of unknown sign).
    Rational, algebraic and symbolic entries are decided exactly (see :func:`inertia`);
    floats numerically, eigenvalues within ``rtol`` of the largest counting as zero.
    The zero matrix is both positive and negative semidefinite and is reported as
    ``"positive semidefinite"``.  A non-symmetric matrix is classified by its symmetric
    part, with an :class:`~symopt.symbolic.numbers.AsymmetricMatrixWarning`.

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
    PointError
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
