"""The NumPy room: compiled objectives, the run loops and their results.

:mod:`~symopt.numeric.compile` is where SymPy stops; :mod:`~symopt.numeric.run` and
:mod:`~symopt.numeric.minibatch` drive :mod:`symopt.optim` optimizers over batches of
runs; :mod:`~symopt.numeric.results` holds what they return (NumPy only).
"""

from symopt.numeric.compile import CompiledObjective
from symopt.numeric.results import STATUSES, Sweep, Trajectory
from symopt.numeric.run import minimize, sweep

__all__ = ["STATUSES", "CompiledObjective", "Sweep", "Trajectory", "minimize", "sweep"]
