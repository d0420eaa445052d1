"""Unit-aware runs: a start made of Quantities, checked once, run on magnitudes; and their
result, a :class:`UnitTrajectory`: the plain :class:`~symopt.numeric.results.Trajectory`
of magnitudes together with the units it is in.

Private: import the public names from :mod:`symopt.units`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pint

from symopt._typing import Record
from symopt.errors import ShapeError, UnitsError
from symopt.numeric.results import Trajectory
from symopt.numeric.run import minimize
from symopt.units.optimizers import UnitOptimizer, _convert, _is_quantity, _Run
from symopt.units.registry import parse_units, ureg

__all__ = ["UnitTrajectory", "magnitudes", "minimize_with_units"]


# -- the result ---------------------------------------------------------------------------------


@dataclass(repr=False)
class UnitTrajectory:
    """The result of a unit-aware run: a plain trajectory of magnitudes and its units.

    Attributes
    ----------
    trajectory : Trajectory
        The run as plain NumPy arrays: ``x`` in the magnitudes of each variable's units,
        ``values`` in the objective's value units.
    units : dict of str to pint.Unit
        Each variable name's units, in variable order, and ``"f"``: the objective's.

    ``x`` is a tuple of Quantities, one per variable, each shaped ``(rows, ...)``;
    ``values`` is a Quantity; ``grad_norms``, ``steps``, ``status`` and ``stop_step``
    are the plain arrays.  :meth:`magnitudes` gives the plain trajectory (in other units
    if asked), :meth:`plot` draws it with the units on the axes.

    >>> import symopt
    >>> from symopt.units import ureg, preconditioned
    >>> f = symopt.Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
    >>> M = [0.25 * ureg("km**2/J"), 0.25 * ureg("mm**2/J")]
    >>> traj = symopt.minimize(f, preconditioned(M), x0=[1 * ureg.km, 2 * ureg.mm], steps=2)
    >>> traj.final_x
    (<Quantity(0.25, 'kilometer')>, <Quantity(0.5, 'millimeter')>)
    >>> traj
    UnitTrajectory(1 run, n=2, 2 steps, 3 recorded rows; max_steps: 1; best value 0.3125 J)
    """

    trajectory: Trajectory
    units: dict[str, pint.Unit]

    @property
    def names(self) -> tuple[str, ...]:
        """The variable names, in order."""
        return tuple(k for k in self.units if k != "f")

    @property
    def x(self) -> tuple[pint.Quantity, ...]:
        """The recorded points: one Quantity per variable, each shaped ``(rows, ...)``."""
        x = self.trajectory.x
        return tuple(
            ureg.Quantity(x[..., i].copy(), self.units[k]) for i, k in enumerate(self.names)
        )

    @property
    def values(self) -> pint.Quantity:
        """The objective at the recorded points, in its value units."""
        return ureg.Quantity(self.trajectory.values, self.units["f"])

    @property
    def final_x(self) -> tuple[pint.Quantity, ...]:
        """The final point of each run: one Quantity per variable, batch shape."""
        return tuple(q[-1] for q in self.x)

    @property
    def final_value(self) -> pint.Quantity:
        """The objective at the final point of each run, in its value units."""
        return self.values[-1]

    @property
    def grad_norms(self) -> np.ndarray:
        """The gradient norms, magnitudes in the run's units."""
        return self.trajectory.grad_norms

    @property
    def steps(self) -> np.ndarray:
        return self.trajectory.steps

    @property
    def status(self) -> np.ndarray:
        return self.trajectory.status

    @property
    def stop_step(self) -> np.ndarray:
        return self.trajectory.stop_step

    @property
    def batch_shape(self) -> tuple[int, ...]:
        return self.trajectory.batch_shape

    @property
    def n(self) -> int:
        return self.trajectory.n

    @property
    def extras(self) -> dict[str, Any]:
        """The plain trajectory's extras, and ``"units"`` (:attr:`units`)."""
        return {**self.trajectory.extras, "units": dict(self.units)}

    def status_counts(self) -> dict[str, int]:
        return self.trajectory.status_counts()

    def __getitem__(self, index: Any) -> UnitTrajectory:
        """The runs at ``index`` of the batch axes, still with units."""
        return UnitTrajectory(self.trajectory[index], dict(self.units))

    def magnitudes(self, variable_units: Sequence[Any] | None = None) -> Trajectory:
        """The plain trajectory, ``x`` in ``variable_units`` (default: the run's units);
        see :func:`magnitudes`."""
        if variable_units is None:
            return self.trajectory
        if len(variable_units) != self.n:
            raise UnitsError(f"give {self.n} units, one per variable, not {len(variable_units)}")
        x = [
            _convert("x", f"x[{i}]", q, parse_units(u, f"variable_units[{i}]"))
            for i, (q, u) in enumerate(zip(self.x, variable_units, strict=True))
        ]
        return replace(self.trajectory, x=np.stack(x, axis=-1))

    def plot(self, ax: Any = None, objective: Any = None, **kwargs: Any) -> Any:
        """:meth:`Trajectory.plot` of the magnitudes, with the units on the axes."""
        fig = self.trajectory.plot(ax=ax, objective=objective, **kwargs)
        axes = ax if ax is not None else fig.axes[0]
        label = {k: f"{u:~P}" for k, u in self.units.items()}
        if objective is not None and self.n == 2:
            first, second = self.names
            axes.set_xlabel(f"{first} [{label[first]}]")
            axes.set_ylabel(f"{second} [{label[second]}]")
            if label[first] != label[second]:
                axes.set_aspect("auto")  # a km and a mm are not the same length
        elif kwargs.get("what", "value") == "value":
            axes.set_ylabel(f"{axes.get_ylabel()} [{label['f']}]")
        return fig

    def __repr__(self) -> str:
        text = repr(self.trajectory)[:-1]
        if "best value" in text:
            text += f" {self.units['f']:~P}"
        return f"Unit{text})"


UnitTrajectory.__module__ = "symopt.units"  # where users import it from


# -- the run ------------------------------------------------------------------------------------


def _start(x0: Any, run: _Run) -> np.ndarray:
    """``x0`` (one Quantity per variable, or one Quantity array ``(..., n)``) as magnitudes
    ``(..., n)`` in the run's units."""
    n = len(run.names)
    if _is_quantity(x0) and np.ndim(x0.magnitude) >= 1 and np.shape(x0.magnitude)[-1] == n:
        columns = [x0[..., i] for i in range(n)]
    elif isinstance(x0, list | tuple) and len(x0) == n:
        columns = list(x0)
    else:
        raise ShapeError(
            f"x0 with units must give one Quantity per variable ({', '.join(run.names)}), e.g. "
            f"x0=[1 * ureg.km, 2 * ureg.mm], or one Quantity array of shape (..., {n})"
        )
    parts = [_convert("x0", run.names[i], v, run.x[i]) for i, v in enumerate(columns)]
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def minimize_with_units(
    objective: Any,
    optimizer: UnitOptimizer,
    x0: Any,
    steps: int | None = None,
    tol: float | None = None,
    record: Record = "all",
    *,
    progress: bool | None = None,
) -> UnitTrajectory:
    """:func:`symopt.minimize` from a start made of Quantities.

    ``symopt.minimize`` calls this when ``x0`` holds Quantities.  The units are checked
    once: ``x0`` is converted to the objective's variable units, the optimizer's
    Quantity hyper-parameters to magnitudes in the same units, and the plain run works on
    magnitudes.  ``tol`` applies to the gradient's magnitudes in those units.

    Parameters
    ----------
    objective : Objective
        An objective with units (``Objective(expr, units=..., value_units=...)``).
    optimizer : UnitOptimizer
        E.g. ``symopt.units.preconditioned(M=[...])``.
    x0 : list of Quantity, or Quantity
        One Quantity (scalar or batch array) per variable, in any units of its dimension.
    steps, tol, record, progress
        As for :func:`symopt.minimize` (``steps`` defaults to 100).

    Returns
    -------
    UnitTrajectory
        ``.x`` is a tuple of Quantities, one per variable, each shaped
        ``(rows, ...)`` in that variable's units; ``.values`` is a Quantity in the
        objective's units; ``.grad_norms`` are magnitudes; ``.units`` (and
        ``.extras["units"]``) maps each variable name (and ``"f"``) to its units.

    Raises
    ------
    UnitMismatchError
        (a pint ``DimensionalityError``) when ``x0`` or a hyper-parameter has the wrong
        dimension for a coordinate, naming the coordinate and the units it needs.

    Examples
    --------
    >>> import symopt
    >>> from symopt.units import ureg, preconditioned
    >>> f = symopt.Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
    >>> M = [0.25 * ureg("km**2/J"), 0.25 * ureg("mm**2/J")]
    >>> traj = symopt.minimize(f, preconditioned(M), x0=[1 * ureg.km, 2 * ureg.mm], steps=1)
    >>> traj.x[0], traj.x[1]  # x ← x − ¼·(2x): halfway to 0 in both units
    (<Quantity([1.  0.5], 'kilometer')>, <Quantity([2. 1.], 'millimeter')>)
    >>> gd_run = symopt.minimize(f, symopt.units.gd(lr=0.1), x0=[1 * ureg.km, 2 * ureg.mm])
    Traceback (most recent call last):
        ...
    symopt.units.UnitMismatchError: lr for x1 is a bare number, but it needs units of
    km²/J ([time]²/[mass]): give a Quantity, e.g. 0.1 * ureg('km**2/J')
    """
    info = getattr(objective, "unit_info", None)
    if info is None:
        raise UnitsError(
            "x0 holds Quantities, but the objective has no units: create it with "
            "Objective(expr, units={...}, value_units=...)"
        )
    if not isinstance(optimizer, UnitOptimizer):
        raise UnitsError(
            "a run with units needs an optimizer with units, to check its hyper-parameters: "
            "use symopt.units.gd(lr=...), preconditioned(M=[...]), adadelta(eps_dx=..., "
            "eps_g=...) etc. with Quantities"
        )
    names = tuple(v.name for v in objective.variables)
    run = _Run(names, tuple(info.variable_units[n] for n in names), info.value_units)
    start = _start(x0, run)
    plain = optimizer.build(run.names, run.x, run.f)
    steps = 100 if steps is None else steps
    traj = minimize(objective, plain, start, steps, tol, record, progress=progress)
    return UnitTrajectory(traj, {**dict(zip(names, run.x, strict=True)), "f": run.f})


def magnitudes(traj: UnitTrajectory, variable_units: Sequence[Any] | None = None) -> Trajectory:
    """A unit-aware trajectory as a plain one: ``x`` of shape ``(rows, ..., n)`` holding
    magnitudes in ``variable_units`` (default: the run's units), ``values`` in the run's
    value units; e.g. for ``magnitudes(traj).plot(objective=f)``.

    >>> import symopt
    >>> f = symopt.Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
    >>> from symopt.units import newton, ureg
    >>> traj = symopt.minimize(f, newton(), x0=[1 * ureg.km, 2 * ureg.mm], steps=1)
    >>> magnitudes(traj, ["m", "mm"]).x
    array([[1000.,    2.],
           [   0.,    0.]])
    """
    if not isinstance(traj, UnitTrajectory):
        raise UnitsError("this trajectory has no units: its x is already a plain array")
    return traj.magnitudes(variable_units)
