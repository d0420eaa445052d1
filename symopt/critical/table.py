"""The text and LaTeX tables of critical points: what ``str(points)`` and ``symopt analyze``
print, and what notebooks show.

Numbers are exact when short and ``≈`` six significant digits otherwise; points that are
not plain second-order results get a footnote saying why (a family, a numeric point, a
higher-order argument).

>>> import sympy as sp
>>> format_number(sp.Rational(1, 3)), format_number(sp.sqrt(2) + sp.pi / 7 + sp.Rational(1, 99))
('1/3', '≈1.87311')
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from symopt.symbolic.numbers import to_sympy

if TYPE_CHECKING:
    from symopt.critical.points import CriticalPoints

__all__ = [
    "cells",
    "format_latex",
    "format_number",
    "format_point",
    "format_table",
    "latex_number",
    "latex_point",
]


def format_number(value: Any, width: int = 18) -> str:
    """An exact value if short, else ``≈`` and 6 significant digits."""
    if value is None:
        return "?"
    if isinstance(value, float):
        return f"{value:.6g}"
    value = to_sympy(value)
    if value.is_Float:
        return f"{float(value):.6g}"
    text = sp.sstr(value)
    if value.free_symbols or (len(text) <= width and not value.has(sp.CRootOf)):
        return text
    try:
        return f"≈{float(value):.6g}"
    except (TypeError, OverflowError):
        return text


def format_point(point: dict) -> str:
    """``(a, b, …)`` with each coordinate as :func:`format_number` writes it."""
    return "(" + ", ".join(format_number(v) for v in point.values()) + ")"


def cells(point: dict, value: Any, eigenvalues: tuple) -> tuple[str, str, str]:
    """The point, ``f`` and eigenvalue columns of one row of the table."""
    shown = ", ".join(format_number(e, 12) for e in eigenvalues)
    return format_point(point), format_number(value), shown


def latex_number(value: Any) -> str:
    """LaTeX of an exact value; a float (or a ``CRootOf`` number) to 6 digits."""
    if value is None:
        return "?"
    value = to_sympy(value)
    if value.is_Float or (value.has(sp.CRootOf) and not value.free_symbols):
        return f"{float(value):.6g}"
    return sp.latex(value)


def latex_point(point: dict) -> str:
    """``\\left(a, b, …\\right)`` in LaTeX."""
    return r"\left(" + ", ".join(latex_number(v) for v in point.values()) + r"\right)"


def _yes_no(flag: bool | None, kind: str) -> str:
    if kind not in ("minimum", "maximum"):
        return "-"
    return {True: "yes", False: "no"}.get(flag, "?")


def _summary(points: CriticalPoints) -> str:
    count = len(points.points)
    n = f"{count} critical point{'s' if count != 1 else ''}"
    if points.periodic:
        where = ", ".join(
            f"{v} in [{sp.sstr(lo)}, {sp.sstr(hi)}]"
            for v, (lo, hi) in points.box.items()
            if v in points.periods
        )
        periods = ", ".join(f"{v}: {sp.sstr(p)}" for v, p in points.periods.items())
        complete = "all of them" if points.complete else "found"
        return f"{n} with {where} ({complete}; f is periodic, periods {periods})"
    if points.complete:
        return f"{n} (complete: every real solution of ∇f = 0)"
    return f"{n} found (the list is not proved complete; see the notes)"


def _rows(points: CriticalPoints) -> tuple[list[list[str]], list[str]]:
    rows, footnotes = [], []
    for i, p in enumerate(points.points, 1):
        mark = ""
        if p.method != "second-order" or p.is_family or not p.exact:
            lines = []
            if p.is_family:
                names = ", ".join(map(str, p.parameters))
                where = "" if p.conditions is sp.true else f" with {sp.sstr(p.conditions)}"
                implicit = " and ".join(f"{sp.sstr(e)} = 0" for e in p.equations)
                lines.append(
                    f"a family with parameter(s) {names}{where}"
                    + (f" (implicitly {implicit})" if implicit else "")
                )
            if not p.exact:
                lines.append("approximate (numeric): not verified in closed form")
            if p.reason and p.method != "second-order":
                lines.append(p.reason)
            if lines:
                mark = f" [{i}]"
                footnotes.append(f"[{i}] " + "; ".join(lines))
        strict = "-" if p.kind not in ("minimum", "maximum") else ("yes" if p.strict else "no")
        rows.append(
            [
                str(i),
                *(p.cells or cells(p.point, p.value, p.hessian_eigenvalues)),
                p.kind + mark,
                strict,
                _yes_no(p.is_global, p.kind),
                p.method,
            ]
        )
    return rows, footnotes


def format_table(points: CriticalPoints) -> str:
    """The text table that ``str(points)`` and ``symopt analyze`` print."""
    header = ["#", "point", "f", "Hessian eigenvalues", "kind", "strict", "global", "method"]
    rows, footnotes = _rows(points)
    lines = [_summary(points)]
    if rows:
        widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header))]
        for r in [header, ["-" * w for w in widths], *rows]:
            lines.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
    lines += footnotes
    if points.nondifferentiable:
        lines.append("not differentiable here (Fermat's theorem does not apply: check by hand):")
        lines += [f"  {p}" for p in points.nondifferentiable]
    if points.notes:
        lines.append("notes: " + "; ".join(points.notes))
    return "\n".join(lines)


def format_latex(points: CriticalPoints) -> str:
    """A LaTeX array of the table, for notebooks."""
    head = (
        r"\text{point} & f & \text{eigenvalues of } H & \text{kind} & \text{method} \\ "
        r"\hline "
    )
    body = " ".join(
        rf"{latex_point(p.point)} & {latex_number(p.value)} & "
        + ", ".join(latex_number(e) for e in p.hessian_eigenvalues)
        + rf" & \text{{{('strict ' if p.strict else '') + p.kind}}} & \text{{{p.method}}} \\"
        for p in points.points
    )
    return rf"$$\begin{{array}}{{lllll}} {head}{body} \end{{array}}$$"
