"""``symopt.explain``: the whole lecture applied to one function.

:func:`explain` finds and classifies the critical points (:meth:`Objective.critical_points`),
takes the Hessian at each, and reads off the local theory (:mod:`symopt.explain.local`):
stability limits, optimal learning rates and rates of GD and momentum at every minimum,
escape directions at every saddle; for a given optimizer it predicts the local rate and
measures it on a run of the objective itself (:mod:`symopt.explain.runs`); for an objective
with units it adds the units table of every update rule.  The :class:`Explanation` prints as
text a student reads top to bottom, and renders as Markdown and as a self-contained HTML
page with its figures.

>>> import symopt
>>> e = explain("x**2 + x*y + y**2", optimizer="gd")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
symopt.errors.HyperparameterError: lr=None is invalid: expected a value: gd needs lr ...
>>> e = explain("x**2 + x*y + y**2", optimizer=symopt.optim.gd(lr=0.5))
>>> m = e.minima[0]
>>> m.gd_stability_limit, round(m.predicted_rate, 6), round(m.measured_rate, 6)
(0.6666666666666666, 0.5, 0.5)
"""

from __future__ import annotations

import functools
import numbers
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from symopt import optim
from symopt.critical.table import format_point
from symopt.errors import PointError
from symopt.explain.local import LocalAnalysis, SaddleAnalysis, minimum, saddle
from symopt.explain.optimizer import Choice, local_theory, resolve
from symopt.explain.runs import measure_rates
from symopt.symbolic.objective import Objective

__all__ = ["Explanation", "explain"]


@dataclass
class Explanation:
    """The lecture applied to one objective; see :func:`explain`.

    Attributes
    ----------
    objective : Objective
    critical_points : CriticalPoints
        As :meth:`Objective.critical_points` gives them.
    minima : list of LocalAnalysis
        One per isolated strict local minimum.
    saddles : list of SaddleAnalysis
        One per isolated saddle.
    families : list of CriticalPoint
        Curves and surfaces of critical points (no isolated minimum there).
    optimizer : Choice
        The explained optimizer (``.name == ""`` when none was given).
    units : RuleTable or None
        The units of every update rule for this objective (objectives with units).
    optimizer_units : UpdateReport or None
        The units check of the explained optimizer's rule and its ``lr``.
    x0_run : Trajectory or None
        The explained optimizer's run from ``x0``.
    notes : list of str
        What could not be established, and why.
    """

    objective: Objective
    critical_points: Any
    minima: list[LocalAnalysis]
    saddles: list[SaddleAnalysis]
    families: list[Any]
    optimizer: Choice
    units: Any = None
    optimizer_units: Any = None
    x0: np.ndarray | None = None
    x0_run: Any = None
    notes: list[str] = field(default_factory=list)
    files: dict[str, Path] = field(default_factory=dict)

    @functools.cached_property
    def figures(self) -> dict[str, bytes]:
        """The figures as PNG data, by file name (drawn on first access)."""
        from symopt.explain.figures import draw

        return draw(self)

    @functools.cached_property
    def runs(self) -> Any:
        """GD from near every minimum at 0.5×, 0.99× and 1.01× its stability limit
        (a Trajectory of batch shape ``(len(minima), 3)``; ``None`` without minima)."""
        from symopt.explain.figures import stability_trajectory

        return stability_trajectory(self)

    def to_text(self) -> str:
        """The report as plain text."""
        from symopt.explain.report import text

        return text(self)

    __str__ = to_text

    def __repr__(self) -> str:
        return (
            f"<Explanation of {self.objective.expr}: {len(self.minima)} minima, "
            f"{len(self.saddles)} saddles>"
        )

    def to_markdown(self) -> str:
        """The report as Markdown (figures referenced by file name)."""
        from symopt.explain.report import markdown

        return markdown(self)

    def to_html(self) -> str:
        """The report as a self-contained HTML page (figures inlined as PNG)."""
        from symopt.explain.report import html_page

        return html_page(self)

    def _repr_html_(self) -> str:
        from symopt.explain.report import html_body

        return html_body(self)

    def write(self, out: str | Path) -> Path:
        """Write ``out/report.html`` and the figures as PNG files; returns the page."""
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for name, data in self.figures.items():
            (out / name).write_bytes(data)
            self.files[name] = out / name
        page = out / "report.html"
        page.write_text(self.to_html(), encoding="utf-8")
        self.files["report.html"] = page
        return page


def explain(
    objective: Any,
    optimizer: Any = None,
    x0: Any = None,
    *,
    timeout: float = 10.0,
    out: str | Path | None = None,
) -> Explanation:
    """Explain ``objective`` the way the lecture would: critical points, local theory of GD
    and momentum at every minimum, escape directions at every saddle, units.

    Parameters
    ----------
    objective : Objective, str or sympy.Expr
        Text is parsed safely; an :class:`~symopt.Objective` with units gets the units table.
    optimizer : str, Optimizer or None
        A name of a :mod:`symopt.optim` builder or an optimizer built by one (its ``.name``
        and ``.hyperparams`` are read).  ``None``: the rates are GD's at each minimum's own
        optimal learning rate, and the saddles' growth factors functions of ``η``.
    x0 : array_like (n,), optional
        A start: the report says where the optimizer goes from there.
    timeout : float
        Seconds for the critical points (the whole search).
    out : path, optional
        Write ``report.html`` and the figures there.

    Returns
    -------
    Explanation

    Raises
    ------
    ParseError, ChoiceError, HyperparameterError
        Text that does not parse; an unknown optimizer; a bad hyper-parameter.
    """
    f = objective if isinstance(objective, Objective) else Objective(objective)
    choice = resolve(optimizer)
    points = f.critical_points(timeout=timeout)
    notes: list[str] = []
    isolated = [p for p in points if not p.is_family]
    minima = [minimum(f, p) for p in isolated if p.kind == "minimum" and p.strict]
    lr = choice.hyperparams.get("lr")
    lr = float(lr) if isinstance(lr, numbers.Real) and choice.name in _GD_LIKE else None
    saddles = [saddle(f, p, lr) for p in isolated if p.kind == "saddle"]
    families = [p for p in points if p.is_family]
    for p in isolated:
        if p.kind == "minimum" and not p.strict:
            notes.append(f"a non-strict minimum at {format_point(p.point)}: {p.reason}")
        if p.kind == "inconclusive":
            notes.append(f"undecided at {format_point(p.point)}: {p.reason}")
    compiled = f.compile()
    _rates(compiled, minima, choice)
    units, optimizer_units = _units(f, choice)
    x0_, x0_run = _x0_run(compiled, f, x0, choice, minima)
    result = Explanation(
        f, points, minima, saddles, families, choice, units, optimizer_units, x0_, x0_run, notes
    )
    if out is not None:
        result.write(out)
    return result


_GD_LIKE = ("gd", "momentum", "nesterov", "sgd")


def _rates(compiled: Any, minima: list[LocalAnalysis], choice: Choice) -> None:
    """Fill in the predicted and measured rates of every minimum."""
    if not minima:
        return
    if choice.optimizer is None:
        usable = [m for m in minima if m.gd_optimal_lr is not None]
        for m in minima:
            if m.gd_optimal_lr is None:
                m.rate_note = "degenerate: GD has no linear rate here (the model is flat)"
            else:
                m.predicted_rate = m.gd_optimal_rate
                m.rate_note = f"GD at this minimum's optimal η = {m.gd_optimal_lr:.6g}"
        if usable:
            opt = optim.gd(lr=np.array([m.gd_optimal_lr for m in usable]))
            for m, r in zip(usable, measure_rates(compiled, usable, opt), strict=True):
                m.measured_rate = r
        return
    for m in minima:
        analysis, why = local_theory(choice, m.gd_theory.H)
        if analysis is None:
            m.rate_note = why
        else:
            m.predicted_rate = float(analysis.spectral_radius)
            if m.degenerate:
                m.rate_note = "degenerate: ρ = 1 along the Hessian's null space (sublinear)"
    for m, r in zip(minima, measure_rates(compiled, minima, choice.optimizer), strict=True):
        m.measured_rate = r


def _units(f: Objective, choice: Choice) -> tuple[Any, Any]:
    if f.unit_info is None:
        return None, None
    from symopt.units import RULES, check_all, check_update

    info = f.unit_info
    variable_units = {n: info.variable_units[n] for n in info.variables}
    table = check_all(info.value_units, variable_units)
    report = None
    if choice.name in RULES:
        lr = choice.hyperparams.get("lr")
        lr_units = getattr(lr, "units", None)
        report = check_update(choice.name, info.value_units, variable_units, lr_units)
    return table, report


def _x0_run(
    compiled: Any, f: Objective, x0: Any, choice: Choice, minima: list[LocalAnalysis]
) -> tuple[np.ndarray | None, Any]:
    if x0 is None:
        return None, None
    from symopt.numeric.run import minimize

    try:
        start = np.asarray(x0, dtype=float)
    except (TypeError, ValueError):
        start = np.array([np.nan])
    if start.shape != (f.n,) or not np.all(np.isfinite(start)):
        raise PointError(f"x0 must be {f.n} finite numbers (one per variable), not {x0!r}")
    opt = choice.optimizer
    if opt is None:
        if not minima:
            return start, None
        opt = optim.gd(lr=0.5 * min(m.gd_stability_limit for m in minima))
    return start, minimize(compiled, opt, start, steps=2000)
