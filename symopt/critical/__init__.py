"""Critical points: ∇f = 0 solved within a time budget, each point classified.

:func:`critical_points` is what :meth:`symopt.Objective.critical_points` calls; its result
types live in :mod:`~symopt.critical.points`.  Start reading at
:mod:`~symopt.critical.pipeline` (the budget, and what is tried in which order).  The other
modules each hold one step:

* :mod:`~symopt.critical.worker` -- the killable forked worker (knows no mathematics);
* :mod:`~symopt.critical.messages` -- the typed messages the workers send the parent;
* :mod:`~symopt.critical.algebraic` -- polynomial systems by Gröbner bases;
* :mod:`~symopt.critical.closed_form` -- ``solveset``/``solve``, families, periodic sets;
* :mod:`~symopt.critical.nondifferentiable` -- kinks and infinite slopes;
* :mod:`~symopt.critical.verify` -- is a candidate a solution, provably;
* :mod:`~symopt.critical.numeric` -- numeric root finding and identification;
* :mod:`~symopt.critical.classify` -- second- and higher-order tests, families;
* :mod:`~symopt.critical.forms` -- signs of polynomial forms, ``f ≥ 0`` certificates;
* :mod:`~symopt.critical.globality` -- which extrema are global;
* :mod:`~symopt.critical.table` -- the text and LaTeX tables.
"""

from symopt.critical.points import (
    CriticalPoint,
    CriticalPoints,
    NondifferentiablePoint,
    critical_points,
)

__all__ = ["CriticalPoint", "CriticalPoints", "NondifferentiablePoint", "critical_points"]
