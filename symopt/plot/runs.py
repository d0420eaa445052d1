"""How every plot takes runs: one Trajectory, a sequence of them, or a dict label -> run.

A unit-aware run (:class:`symopt.units.UnitTrajectory`) is drawn in the magnitudes of
its units.

>>> import numpy as np
>>> from symopt.numeric.results import Trajectory
>>> t = Trajectory(np.zeros((2, 1)), np.zeros(2), np.zeros(2), np.arange(2),
...                np.array("max_steps"), np.array(1))
>>> list(labelled(t)), list(labelled([t, t])), list(labelled({"gd": t}))
(['run'], ['run 0', 'run 1'], ['gd'])
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from symopt.errors import SymoptError

__all__ = ["labelled"]


def _is_run(value: Any) -> bool:
    return hasattr(value, "x") and hasattr(value, "status")


def _plain(run: Any) -> Any:
    """The run as a plain trajectory of NumPy arrays (magnitudes, for one with units)."""
    if not _is_run(run):
        raise SymoptError(
            f"{type(run).__name__} is not a run: give Trajectory objects (what "
            "symopt.minimize returns)"
        )
    magnitudes = getattr(run, "magnitudes", None)
    return magnitudes() if callable(magnitudes) else run


def labelled(runs: Any) -> dict[str, Any]:
    """``runs`` (one run, a sequence or a dict label -> run) as ``label -> Trajectory``;
    unnamed runs are labelled ``"run"`` (one) or ``"run 0"``, ``"run 1"``, ... ."""
    if _is_run(runs):
        return {"run": _plain(runs)}
    if isinstance(runs, Mapping):
        out = {str(k): _plain(v) for k, v in runs.items()}
    elif isinstance(runs, Sequence) and not isinstance(runs, str):
        out = {f"run {i}": _plain(t) for i, t in enumerate(runs)}
    else:
        raise SymoptError(
            "give the runs as a Trajectory, a sequence of them or a dict label -> Trajectory, "
            f"not {type(runs).__name__}"
        )
    if not out:
        raise SymoptError("no runs to draw: give at least one Trajectory")
    return out
