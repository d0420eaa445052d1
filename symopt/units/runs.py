"""Unit-aware runs: a start made of Quantities, checked once, run on magnitudes.

Private: import the public names from :mod:`symopt.units`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from symopt.errors import ShapeError, UnitsError
from symopt.units.optimizers import UnitOptimizer, _convert, _is_quantity, _Run
from symopt.units.registry import parse_units, ureg

__all__ = ["magnitudes", "minimize_with_units"]


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
    record: str | int = "all",
    **kwargs: Any,
):
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
    steps, tol, record, **kwargs
        As for :func:`symopt.minimize`.

    Returns
    -------
    Trajectory
        ``.x`` is a tuple of Quantities, one per variable, each shaped
        ``(rows, ...)`` in that variable's units; ``.values`` is a Quantity in the
        objective's units; ``.grad_norms`` are magnitudes; ``.extras["units"]`` maps
        each variable name (and ``"f"``) to its units.

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
    from symopt.numeric.run import minimize

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
    traj = minimize(objective, plain, start, steps=steps, tol=tol, record=record, **kwargs)
    return replace(
        traj,
        x=tuple(ureg.Quantity(traj.x[..., i].copy(), u) for i, u in enumerate(run.x)),
        values=ureg.Quantity(traj.values, run.f),
        extras={**traj.extras, "units": {**dict(zip(names, run.x, strict=True)), "f": run.f}},
    )


def magnitudes(traj: Any, variable_units: Sequence[Any] | None = None) -> Any:
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
    if not isinstance(traj.x, tuple):
        raise UnitsError("this trajectory has no units: its x is already a plain array")
    targets = variable_units or [q.units for q in traj.x]
    if len(targets) != len(traj.x):
        raise UnitsError(f"give {len(traj.x)} units, one per variable, not {len(targets)}")
    x = [
        _convert("x", f"x[{i}]", q, parse_units(u, f"variable_units[{i}]"))
        for i, (q, u) in enumerate(zip(traj.x, targets, strict=True))
    ]
    return replace(traj, x=np.stack(x, axis=-1), values=np.asarray(traj.values.magnitude))
