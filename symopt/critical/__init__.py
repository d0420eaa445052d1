"""Critical points: ∇f = 0 solved within a time budget, each point classified.

:func:`critical_points` is what :meth:`symopt.Objective.critical_points` calls.
"""

from symopt.critical.points import (
    CriticalPoint,
    CriticalPoints,
    NondifferentiablePoint,
    critical_points,
)

__all__ = ["CriticalPoint", "CriticalPoints", "NondifferentiablePoint", "critical_points"]
