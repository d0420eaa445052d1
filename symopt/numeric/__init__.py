"""The NumPy room: compiled objectives, the run loops and their results.

:mod:`~symopt.numeric.compile` is where SymPy stops; :mod:`~symopt.numeric.run`
(deterministic) and :mod:`~symopt.numeric.minibatch` (mini-batch) drive
:mod:`symopt.optim` optimizers over batches of runs, both over the one core of
:mod:`~symopt.numeric.loop` (start check, divergence guard, statuses, progress bar);
:mod:`~symopt.numeric.results` holds what they return (NumPy only).  The ``minimize``
and ``sweep`` here are the plain runners; :func:`symopt.minimize` (:mod:`symopt.api`)
chooses between them, the mini-batch and the unit-aware runs.
"""

from symopt.numeric.compile import CompiledObjective
from symopt.numeric.results import STATUSES, Sweep, Trajectory
from symopt.numeric.run import minimize, sweep

__all__ = ["STATUSES", "CompiledObjective", "Sweep", "Trajectory", "minimize", "sweep"]
