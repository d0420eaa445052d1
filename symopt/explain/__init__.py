"""The lecture applied to one function: :func:`explain` and what it returns.

:mod:`~symopt.explain.core` (the entry point and :class:`Explanation`),
:mod:`~symopt.explain.local` (one critical point's local theory),
:mod:`~symopt.explain.optimizer` (the optimizer, from a name or a named one),
:mod:`~symopt.explain.runs` (runs on the objective itself),
:mod:`~symopt.explain.report` (text, Markdown, HTML) and
:mod:`~symopt.explain.figures` (the pictures).

``symopt.explain`` is both this room and the function: importing the room (``from
symopt.explain import Explanation``) binds it as ``symopt.explain``, so the room itself
is callable and calls :func:`explain`.

>>> import symopt, symopt.explain
>>> symopt.explain("x**2 + y**2").minima[0].gd_stability_limit
1.0
"""

import sys
import types

from symopt.explain.core import Explanation, explain
from symopt.explain.local import LocalAnalysis, SaddleAnalysis

__all__ = ["Explanation", "LocalAnalysis", "SaddleAnalysis", "explain"]


class _CallableRoom(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return explain(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableRoom
