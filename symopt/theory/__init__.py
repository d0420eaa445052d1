"""The lecture's theory of the linear iteration on quadratics, and its measurement.

:mod:`~symopt.theory.analysis` gives closed forms (factors, regimes, stability limits,
optimal step sizes) for gradient descent and the heavy ball;
:mod:`~symopt.theory.measure` measures the same rates from batched runs.
"""

from symopt.theory.analysis import ETA, MU, GDAnalysis, MomentumAnalysis, gd, momentum
from symopt.theory.measure import Measurement, RateMap, measure, rate_map, simulate, table

__all__ = [
    "ETA",
    "MU",
    "GDAnalysis",
    "Measurement",
    "MomentumAnalysis",
    "RateMap",
    "gd",
    "measure",
    "momentum",
    "rate_map",
    "simulate",
    "table",
]
