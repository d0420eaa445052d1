"""Sharpness along a run: λ_max of the training-loss Hessian every few steps.

``minimize(..., track=tracker)`` calls ``tracker(step, params)`` at steps 0, ``every``,
``2·every``, … with the current parameters (``(n,)``, or ``(..., n)`` for a batch of
runs) and changes nothing in the run.  Each call runs Lanczos from the previous top
eigenvectors of the same run (a warm start: the Hessian moves little in ``every`` steps,
so a few products suffice).

>>> import numpy as np, symopt
>>> from symopt.optim import gd
>>> f = symopt.quadratic([[10, 0], [0, 1]])           # λ_max = 10 everywhere
>>> tracker = SharpnessTracker(f, every=5)
>>> traj = symopt.minimize(f, gd(lr=0.1), [1.0, 1.0], steps=10, track=tracker)
>>> tracker.steps.tolist(), np.round(tracker.values, 10).tolist()
([0, 5, 10], [10.0, 10.0, 10.0])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from symopt.errors import HyperparameterError
from symopt.landscape.spectra import hessian_spectrum

__all__ = ["SharpnessTracker"]


class SharpnessTracker:
    """Records the top-``k`` Hessian eigenvalues of ``loss`` every ``every`` steps.

    Parameters
    ----------
    loss
        The loss whose Hessian is tracked (for a mini-batch run, the full training loss).
    every : int
        Record at the steps divisible by ``every`` (step 0 is the start).
    k : int
        How many top eigenvalues to compute; :attr:`values` is the largest.
    tol : float
        Lanczos's residual tolerance (relative); the eigenvalue error is about its square.
    **options
        Passed to :func:`~symopt.landscape.hessian_spectrum` (``seed``, ``block``, ...).

    Attributes
    ----------
    steps : ndarray (T,)
    values : ndarray (T, ...)
        λ_max per recorded step (and run of a batch).
    eigenvalues : ndarray (T, ..., k)
    params : ndarray (T, ..., n)
        The parameters at the recorded steps (copies).
    products : int
        Hessian-vector products spent.
    """

    def __init__(self, loss: Any, every: int = 10, k: int = 1, tol: float = 1e-7, **options: Any):
        for name, value in (("every", every), ("k", k)):
            if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < 1:
                raise HyperparameterError(name, value, "an int >= 1")
        self.loss, self.every, self.k = loss, int(every), int(k)
        self.options = {"tol": tol, **options}
        self._steps: list[int] = []
        self._eigenvalues: list[np.ndarray] = []
        self._params: list[np.ndarray] = []
        self._starts: dict[tuple, np.ndarray] = {}
        self.products = 0

    def __repr__(self) -> str:
        return f"SharpnessTracker(every={self.every}, k={self.k}, {len(self._steps)} recorded)"

    def __call__(self, step: int, params: Any) -> None:
        params = np.array(params, dtype=float)  # a copy: the run's array is never touched
        lam = np.empty((*params.shape[:-1], self.k))
        for run in np.ndindex(params.shape[:-1]):
            start = self._starts.get(run)  # the operator's symmetry is checked once per run
            spec = hessian_spectrum(
                self.loss, params[run], k=self.k, start=start, check=start is None, **self.options
            )
            lam[run] = spec.eigenvalues
            self._starts[run] = spec.eigenvectors.sum(axis=1)  # the top-k space, mixed
            self.products += spec.products
        self._steps.append(int(step))
        self._eigenvalues.append(lam)
        self._params.append(params)

    @property
    def steps(self) -> np.ndarray:
        return np.array(self._steps, dtype=int)

    @property
    def eigenvalues(self) -> np.ndarray:
        return np.array(self._eigenvalues)

    @property
    def values(self) -> np.ndarray:
        return self.eigenvalues[..., 0]

    @property
    def params(self) -> np.ndarray:
        return np.array(self._params)
