"""Reference problems: the lecture's quadratics and the classic test functions.

Each factory returns a :class:`Problem`: the :class:`~symopt.Objective`, its known
minima and minimum value as data, a default start ``x0`` and a plot box ``bounds``.
:func:`all_problems` lists one of each, for table-driven tests and tours.

==========================  ===============================  ====================
problem                     minima                           minimum value
==========================  ===============================  ====================
``lecture_quadratic(H)``    0 (H positive definite)          0
``rosenbrock(a, b)``        (a, a²)                          0
``rosenbrock_chain(n)``     (1, ..., 1)                      0
``beale()``                 (3, 1/2)                         0
``himmelblau()``            four points                      0
``rastrigin(n)``            0 (global; many local minima)    0
``saddle()``                none (unbounded below)           -inf
``double_well()``           (±1, 0), saddle at the origin    0
==========================  ===============================  ====================

>>> p = rosenbrock()
>>> p.objective.expr
(1 - x)**2 + 100*(-x**2 + y)**2
>>> p.minima, p.minimum_value
(((1.0, 1.0),), 0.0)
>>> [q.name for q in all_problems()][:3]
['quadratic I', 'quadratic diag(4, 1)', 'quadratic diag(9.9, 1)']
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import ChoiceError, DegenerateError, HyperparameterError, ShapeError
from symopt.symbolic.numbers import exact as _exact
from symopt.symbolic.objective import Objective

__all__ = [
    "LECTURE_HESSIANS",
    "Problem",
    "all_problems",
    "beale",
    "double_well",
    "himmelblau",
    "lecture_quadratic",
    "rastrigin",
    "rosenbrock",
    "rosenbrock_chain",
    "saddle",
]

Point = tuple[float, ...]

# The Hessians of the lecture's gradient-descent and momentum slides.
LECTURE_HESSIANS: dict[str, tuple[tuple[float, ...], ...]] = {
    "I": ((1, 0), (0, 1)),
    "diag(4, 1)": ((4, 0), (0, 1)),
    "diag(9.9, 1)": ((9.9, 0), (0, 1)),
    "diag(10, 1)": ((10, 0), (0, 1)),
    "diag(2, 1)": ((2, 0), (0, 1)),
    "[[2, -1], [-1, 1]]": ((2, -1), (-1, 1)),
}


@dataclass(frozen=True, repr=False)
class Problem:
    """A reference problem with its known solution.

    Attributes
    ----------
    name : str
    objective : Objective
    minima : tuple of points
        Every minimizer (the global ones for Rastrigin); empty when unbounded below.
    minimum_value : float
        The least value (``-inf`` when unbounded below).
    x0 : point
        A sensible default start.
    bounds : tuple of (low, high) per variable
        A plot box that shows the interesting part.
    saddles : tuple of points
        Known saddle points, where they matter (saddle, double well).
    local_minima : tuple of points
        Known minimizers that are not global (the chained Rosenbrock function, n = 4).
    """

    name: str
    objective: Objective
    minima: tuple[Point, ...]
    minimum_value: float
    x0: Point
    bounds: tuple[tuple[float, float], ...]
    saddles: tuple[Point, ...] = ()
    local_minima: tuple[Point, ...] = ()

    @property
    def n(self) -> int:
        """The number of variables."""
        return len(self.objective.variables)

    def distance_to_minimum(self, x: Any) -> np.ndarray:
        """Euclidean distance from ``x`` (shape ``(..., n)``) to the nearest minimum."""
        if not self.minima:
            raise DegenerateError(f"{self.name} has no minimum (it is unbounded below)")
        x = np.asarray(x, dtype=float)
        minima = np.asarray(self.minima, dtype=float)
        return np.sqrt(((x[..., None, :] - minima) ** 2).sum(axis=-1)).min(axis=-1)

    def __repr__(self) -> str:
        return (
            f"Problem({self.name!r}: {self.objective.expr}; minima {list(self.minima)}, "
            f"minimum value {self.minimum_value:g})"
        )


def _symbols(n: int) -> tuple[sp.Symbol, ...]:
    if n == 2:
        return sp.symbols("x y", real=True)
    return sp.symbols(f"x1:{n + 1}", real=True)


def lecture_quadratic(
    H: Any, scale: float = 1 / 2, name: str | None = None, x0: Sequence[float] | None = None
) -> Problem:
    """The quadratic ``scale · xᵀ H x`` (gradient ``2·scale·H x``, Hessian ``2·scale·H``).

    ``H`` is a symmetric matrix or a key of :data:`LECTURE_HESSIANS`.  With the default
    ``scale = 1/2`` the Hessian is ``H`` itself, as on the slides.

    >>> p = lecture_quadratic("diag(9.9, 1)")
    >>> p.objective.expr
    99*x**2/20 + y**2/2
    >>> p.objective.hessian
    Matrix([
    [99/10, 0],
    [    0, 1]])
    """
    if isinstance(H, str):
        if H not in LECTURE_HESSIANS:
            raise ChoiceError("H", H, LECTURE_HESSIANS)
        name, H = name or f"quadratic {H}", LECTURE_HESSIANS[H]
    matrix = np.asarray(H, dtype=float)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or not np.allclose(matrix, matrix.T):
        raise ShapeError(f"H must be a symmetric square matrix, got {matrix.tolist()}")
    n = matrix.shape[0]
    x = sp.Matrix(_symbols(n))
    Hs = sp.Matrix(n, n, lambda i, j: _exact(np.asarray(H, dtype=object)[i][j]))
    expr = sp.expand(_exact(scale) * (x.T * Hs * x)[0, 0])
    eigenvalues = np.linalg.eigvalsh(2 * scale * matrix)
    origin = (0.0,) * n
    if eigenvalues.min() > 0:
        minima, value, saddles = (origin,), 0.0, ()
    elif eigenvalues.min() < 0:
        minima, value = (), -math.inf
        saddles = (origin,) if eigenvalues.max() > 0 else ()
    else:
        raise DegenerateError(
            "H is singular: the quadratic has a whole line of critical points; give an invertible H"
        )
    start = tuple(float(v) for v in (x0 if x0 is not None else (-1.5, 1.0) + (1.0,) * (n - 2)))
    return Problem(
        name or f"quadratic H={matrix.tolist()}",
        Objective(expr, tuple(x)),
        minima,
        value,
        start,
        ((-2.0, 2.0),) * n,
        saddles,
    )


def rosenbrock(a: float = 1, b: float = 100) -> Problem:
    """Rosenbrock's banana ``(a - x)² + b (y - x²)²``: minimum ``(a, a²)``, value 0."""
    x, y = _symbols(2)
    expr = (_exact(a) - x) ** 2 + _exact(b) * (y - x**2) ** 2
    return Problem(
        "rosenbrock",
        Objective(expr, (x, y)),
        ((float(a), float(a) ** 2),),
        0.0,
        (-1.2, 1.0),
        ((-2.0, 2.0), (-1.0, 3.0)),
    )


# solved to 17 digits with sympy.nsolve at 30-digit precision; value 3.7014286104300173
_CHAIN4_LOCAL_MINIMUM = (
    -0.77565922656535263,
    0.61309336548504346,
    0.38206284633839315,
    0.14597201855219461,
)


def rosenbrock_chain(n: int = 4) -> Problem:
    """Chained Rosenbrock ``Σ 100 (x_{i+1} - x_i²)² + (1 - x_i)²`` in ``n`` variables:
    global minimum ``(1, ..., 1)``, value 0.  For n = 4 there is also a local minimum
    near ``(-0.78, 0.61, 0.38, 0.15)`` (value 3.70), listed in ``local_minima``."""
    if not isinstance(n, int) or n < 2:
        raise HyperparameterError("n", n, "an int >= 2 (the chained Rosenbrock function)")
    xs = _symbols(n)
    expr = sp.Add(*(100 * (xs[i + 1] - xs[i] ** 2) ** 2 + (1 - xs[i]) ** 2 for i in range(n - 1)))
    return Problem(
        f"rosenbrock chain n={n}",
        Objective(expr, xs),
        ((1.0,) * n,),
        0.0,
        tuple(-1.2 if i % 2 == 0 else 1.0 for i in range(n)),
        ((-2.0, 2.0),) * n,
        local_minima=(_CHAIN4_LOCAL_MINIMUM,) if n == 4 else (),
    )


def beale() -> Problem:
    """Beale's function: minimum ``(3, 1/2)``, value 0; flat plateaus and steep walls."""
    x, y = _symbols(2)
    c = (sp.Rational(3, 2), sp.Rational(9, 4), sp.Rational(21, 8))
    expr = sp.Add(*((c[k] - x + x * y ** (k + 1)) ** 2 for k in range(3)))
    return Problem(
        "beale",
        Objective(expr, (x, y)),
        ((3.0, 0.5),),
        0.0,
        (1.0, 1.5),
        ((-4.5, 4.5), (-4.5, 4.5)),
    )


def himmelblau() -> Problem:
    """Himmelblau's function ``(x² + y - 11)² + (x + y² - 7)²``: four minima, value 0."""
    x, y = _symbols(2)
    expr = (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2
    minima = (  # solved to 17 digits with sympy.nsolve at 30-digit precision
        (3.0, 2.0),
        (-2.8051180869527449, 3.1313125182505730),
        (-3.7793102533777469, -3.2831859912861694),
        (3.5844283403304917, -1.8481265269644036),
    )
    return Problem(
        "himmelblau", Objective(expr, (x, y)), minima, 0.0, (0.0, 0.0), ((-5.0, 5.0),) * 2
    )


def rastrigin(n: int = 2, A: float = 10) -> Problem:
    """Rastrigin's function ``A n + Σ (x_i² - A cos 2π x_i)``: the global minimum 0 at
    the origin among a lattice of local minima near the integers."""
    xs = _symbols(n)
    a = _exact(A)
    expr = a * n + sp.Add(*(v**2 - a * sp.cos(2 * sp.pi * v) for v in xs))
    return Problem(
        f"rastrigin n={n}",
        Objective(expr, xs),
        ((0.0,) * n,),
        0.0,
        (2.3, -1.7) + (0.5,) * (n - 2),
        ((-5.12, 5.12),) * n,
    )


def saddle() -> Problem:
    """The saddle ``x² - y²``: a critical point at the origin, unbounded below along y."""
    x, y = _symbols(2)
    return Problem(
        "saddle",
        Objective(x**2 - y**2, (x, y)),
        (),
        -math.inf,
        (1.5, 1e-3),
        ((-2.0, 2.0),) * 2,
        ((0.0, 0.0),),
    )


def double_well() -> Problem:
    """The double well ``(x² - 1)² + y²``: minima ``(±1, 0)``, value 0, and a strict
    saddle at the origin between them (Hessian ``diag(-4, 2)``)."""
    x, y = _symbols(2)
    return Problem(
        "double well",
        Objective((x**2 - 1) ** 2 + y**2, (x, y)),
        ((-1.0, 0.0), (1.0, 0.0)),
        0.0,
        (0.01, 1.5),
        ((-2.0, 2.0), (-1.0, 2.0)),
        ((0.0, 0.0),),
    )


def all_problems() -> list[Problem]:
    """One of each reference problem: the six lecture quadratics, Rosenbrock (2-D and a
    chain of 4), Beale, Himmelblau, Rastrigin (2-D), the saddle and the double well."""
    return [
        *(lecture_quadratic(key) for key in LECTURE_HESSIANS),
        rosenbrock(),
        rosenbrock_chain(4),
        beale(),
        himmelblau(),
        rastrigin(2),
        saddle(),
        double_well(),
    ]
