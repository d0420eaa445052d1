"""Numbers into SymPy: one float → exact rule, one sign, one reader of a quadratic form's matrix.

**The float rule.**  A float becomes the rational its shortest round-trip decimal spells,
``Rational(repr(x))``: ``0.1 → 1/10``, ``9.9 → 99/10``, ``1/3 → 3333333333333333/10**16``.
This is the rule of the parser (:func:`symopt.parse` reads the text ``0.1`` from its digits),
so a float and the text Python prints for it are the same exact number, wherever they enter:
``Objective("0.1*x")``, ``Objective(0.1*x)``, ``quadratic(H)``, ``theory.gd(H, lr)``, the
factors of the units objective.  It never guesses (``limit_denominator`` or ``nsimplify``
would turn ``0.3333333333333333`` into ``1/3``, which the same digits given as text cannot
become), and it round-trips: ``float(exact(x)) == x`` for every finite float, so nothing
changes numerically.  A SymPy ``Float`` follows the same rule at its own precision.

:func:`to_sympy` is the faithful reader (floats stay SymPy ``Float``): where a float is a
measurement (a point, a Hessian at a numeric critical point) the numeric path with its
tolerance decides, see :func:`symopt.symbolic.forms.definiteness`.

**The matrix rule.**  ``xᵀMx = xᵀ½(M + Mᵀ)x``: a quadratic form only sees the symmetric part
of its matrix.  :func:`form_matrix` reads every Hessian-like matrix (``quadratic``,
``theory.gd``/``momentum``, ``definiteness``/``inertia``) as that symmetric part; a matrix
that is not symmetric gives an :class:`AsymmetricMatrixWarning` (a ``UserWarning``) with
the same text everywhere.

>>> exact(0.1), exact(9.9), exact(1 / 3)
(1/10, 99/10, 3333333333333333/10000000000000000)
>>> exact(sp.Float(0.25) * sp.Symbol("x"))
x/4
>>> form_matrix([[2, 0.5], [0.5, 1]], exact=True)
Matrix([
[  2, 1/2],
[1/2,   1]])
"""

from __future__ import annotations

import math
import numbers
import os
import sys
import warnings
from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import PointError, ShapeError
from symopt.symbolic.parsing import parse

__all__ = ["AsymmetricMatrixWarning", "exact", "form_matrix", "sign", "to_sympy"]


class AsymmetricMatrixWarning(UserWarning):
    """A non-symmetric matrix was read as its symmetric part ``(M + Mᵀ)/2``."""


# -- numbers -----------------------------------------------------------------------------


def to_sympy(value: Any, what: str = "value") -> sp.Expr:
    """A number, a SymPy expression or text (parsed safely) as a SymPy expression.

    Floats stay floats (SymPy ``Float``); use :func:`exact` for the exact reading.

    >>> to_sympy(2), to_sympy(0.5), to_sympy("x/2")
    (2, 0.500000000000000, x/2)
    """
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, str):
        return parse(value)
    if isinstance(value, bool) or not isinstance(value, numbers.Number):
        raise PointError(f"{what} must be a number or an expression, not {value!r}")
    if isinstance(value, numbers.Integral):
        return sp.Integer(int(value))
    if isinstance(value, numbers.Rational):
        return sp.Rational(int(value.numerator), int(value.denominator))
    if isinstance(value, numbers.Real):
        return sp.Float(float(value))
    raise PointError(f"{what} must be real, not {value!r}")


def exact(value: Any, what: str = "value") -> sp.Expr:
    """``value`` as an exact SymPy expression: every float by the float rule (see above).

    >>> exact(0.5), exact(2.5e-3), exact(-7.0), exact("0.2*x + 1")
    (1/2, 1/400, -7, x/5 + 1)
    """
    if isinstance(value, float | np.floating):
        return _exact_float(float(value), what)
    expr = to_sympy(value, what)
    floats = expr.atoms(sp.Float)
    return expr.xreplace({f: _exact_sympy_float(f, what) for f in floats}) if floats else expr


def _exact_float(value: float, what: str) -> sp.Rational:
    if not math.isfinite(value):
        raise PointError(f"{what} is {value}: give a finite number")
    return sp.Rational(repr(value))


def _exact_sympy_float(value: sp.Float, what: str) -> sp.Rational:
    if value._prec <= 53:  # a double: the shortest decimal that round-trips
        return _exact_float(float(value), what)
    if not value.is_finite:
        raise PointError(f"{what} is {value}: give a finite number")
    return sp.Rational(str(value))  # its decimal digits at its own precision


# -- signs -------------------------------------------------------------------------------


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


# -- the matrix of a quadratic form --------------------------------------------------------


def entry(value: Any, name: str, *, exact_floats: bool = False) -> sp.Expr:
    """One real, finite entry of ``name`` as SymPy (floats by the float rule if asked)."""
    if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
        raise PointError(f"{name} has the complex entry {value!r}; give a real matrix")
    if isinstance(value, numbers.Real) and not math.isfinite(float(value)):
        raise PointError(
            f"{name} has the entry {value!r}: every entry must be finite; "
            "replace NaN/inf (e.g. from a failed computation) by numbers"
        )
    what = f"an entry of {name}"
    value = exact(value, what) if exact_floats else to_sympy(value, what)
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise PointError(
            f"{name} has the entry {value}: every entry must be finite; replace NaN/inf by numbers"
        )
    return value


def form_matrix(value: Any, name: str = "matrix", *, exact: bool = False) -> sp.Matrix:
    """A square matrix as the symmetric matrix of its quadratic form, ``(M + Mᵀ)/2``.

    Parameters
    ----------
    value : array-like or sympy.Matrix
        A square, non-empty matrix of real numbers or SymPy expressions (a list of rows,
        a NumPy array, a SymPy matrix).
    name : str
        What to call it in messages.
    exact : bool
        Read floats by the float rule (:func:`exact`); otherwise they stay SymPy floats.

    Raises
    ------
    ShapeError
        If it is not square or is empty.
    PointError
        If an entry is complex, NaN or infinite.

    Warns
    -----
    AsymmetricMatrixWarning
        If ``M ≠ Mᵀ``: it says which symmetric part is used.

    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     form_matrix([[1, 2], [0, 1]], "H")
    Matrix([
    [1, 1],
    [1, 1]])
    >>> caught[0].category.__name__, str(caught[0].message)[:57]
    ('AsymmetricMatrixWarning', 'H is not symmetric: using its symmetric part (H + Hᵀ)/2 =')
    """
    if isinstance(value, sp.MatrixBase):
        rows = value.tolist()
    else:
        try:
            array = np.asarray(value, dtype=object)
        except ValueError as err:  # ragged rows
            raise ShapeError(f"{name} must be a square matrix (n, n): {err}") from None
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
            "a quadratic form needs an n×n matrix"
        )
    matrix = sp.Matrix([[entry(v, name, exact_floats=exact) for v in row] for row in rows])
    return _symmetric_part(matrix, name)


def _symmetric_part(matrix: sp.Matrix, name: str) -> sp.Matrix:
    if matrix.is_symmetric(simplify=False):
        return matrix
    symmetric = (matrix + matrix.T) / 2
    if any(sp.simplify(d) != 0 for d in matrix - matrix.T):
        text = (
            f"{name} is not symmetric: using its symmetric part ({name} + {name}ᵀ)/2 = "
            f"{symmetric.tolist()}, which defines the same quadratic form xᵀ{name}x"
        )
        warnings.warn(text, AsymmetricMatrixWarning, stacklevel=_caller_stacklevel())
    return symmetric


def _caller_stacklevel() -> int:
    """The ``stacklevel`` that points a warning at the first frame outside symopt."""
    package = os.path.dirname(os.path.dirname(__file__))
    frame, level = sys._getframe(1), 1
    while frame is not None and frame.f_code.co_filename.startswith(package):
        frame, level = frame.f_back, level + 1
    return level
