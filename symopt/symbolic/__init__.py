"""The SymPy room: text and expressions in, exact derivatives and forms out.

Modules: :mod:`~symopt.symbolic.numbers` (the one float → exact rule, signs, the reader of
a quadratic form's matrix), :mod:`~symopt.symbolic.parsing` (safe text → SymPy),
:mod:`~symopt.symbolic.derivatives` (sparse derivatives by term shape),
:mod:`~symopt.symbolic.objective` (:class:`Objective`),
:mod:`~symopt.symbolic.forms` (inertia and definiteness),
:mod:`~symopt.symbolic.quadratic` (the quadratic objective).
It imports nothing of symopt but :mod:`symopt.errors` and :mod:`symopt._typing`.
"""

from symopt.symbolic.forms import definiteness, inertia
from symopt.symbolic.numbers import AsymmetricMatrixWarning
from symopt.symbolic.objective import Objective
from symopt.symbolic.parsing import parse
from symopt.symbolic.quadratic import Quadratic, quadratic

__all__ = [
    "AsymmetricMatrixWarning",
    "Objective",
    "Quadratic",
    "definiteness",
    "inertia",
    "parse",
    "quadratic",
]
