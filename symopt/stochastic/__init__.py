"""Stochastic optimization on data: empirical risks, mini-batch runs, gradient noise.

:class:`EmpiricalRisk` (:mod:`~symopt.stochastic.risk`) turns a per-example loss and a
data set (:mod:`~symopt.stochastic.data`) into full-batch and mini-batch values and
gradients; :mod:`~symopt.stochastic.noise` has the noise ball and saddle-escape helpers.
"""

from symopt.numeric.minibatch import minimize_minibatch
from symopt.stochastic.noise import (
    batch_noise_variance,
    escape_times,
    stationary_covariance,
    stationary_variance,
)
from symopt.stochastic.risk import EmpiricalRisk, sigmoid, softplus, stable

__all__ = [
    "EmpiricalRisk",
    "batch_noise_variance",
    "escape_times",
    "minimize_minibatch",
    "sigmoid",
    "softplus",
    "stable",
    "stationary_covariance",
    "stationary_variance",
]
