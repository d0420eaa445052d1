"""The SymPy room: text and expressions in, exact derivatives and forms out.

Modules: :mod:`~symopt.symbolic.parsing` (safe text → SymPy),
:mod:`~symopt.symbolic.derivatives` (sparse derivatives by term shape),
:mod:`~symopt.symbolic.objective` (:class:`Objective`),
:mod:`~symopt.symbolic.quadratic` (definiteness and quadratic forms).
It imports nothing of symopt but :mod:`symopt.errors`.
"""

from symopt.symbolic.objective import Objective
from symopt.symbolic.parsing import parse
from symopt.symbolic.quadratic import Quadratic, definiteness, inertia, quadratic

__all__ = ["Objective", "Quadratic", "definiteness", "inertia", "parse", "quadratic"]
