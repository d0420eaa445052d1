"""The report of an :class:`~symopt.explain.Explanation`: one outline, three renderings.

:func:`outline` turns the explanation into sections of paragraphs, tables, preformatted
blocks and figures; :func:`text`, :func:`markdown` and :func:`html_page` render the same
outline as plain text (read top to bottom in a terminal), Markdown and a self-contained
HTML page (figures inlined as base64 PNG, no script, nothing from the network).
"""

from __future__ import annotations

import base64
import html
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from symopt import theory
from symopt.critical.table import format_number, format_point

__all__ = ["Section", "html_body", "html_page", "markdown", "outline", "text"]


@dataclass
class Section:
    """A heading and its blocks: ``("p", str)``, ``("table", rows)``, ``("pre", str)``
    or ``("img", (file name, caption))``."""

    title: str
    blocks: list[tuple[str, Any]] = field(default_factory=list)

    def p(self, words: str) -> Section:
        self.blocks.append(("p", words))
        return self

    def table(self, rows: list[tuple[str, str]]) -> Section:
        self.blocks.append(("table", rows))
        return self

    def pre(self, words: str) -> Section:
        self.blocks.append(("pre", words))
        return self


def _num(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, float):
        return "inf" if value == np.inf else f"{value:.6g}"
    return format_number(value)


def _exact_and_float(value: Any) -> str:
    """``501 - sqrt(250601) ≈ 0.399361``: the exact value when it is short, and a float."""
    shown = format_number(value)
    as_float = f"{float(value):.6g}"
    return shown if shown.lstrip("≈") == as_float else f"{shown} ≈ {as_float}"


def _matrix(H: sp.Matrix) -> str:
    """``[[6, -3], [-3, 6]]``, entries as :func:`format_number` writes them."""
    return (
        "["
        + ", ".join("[" + ", ".join(format_number(v) for v in row) + "]" for row in H.tolist())
        + "]"
    )


def _count(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"


def _vector(v: np.ndarray) -> str:
    return "(" + ", ".join(f"{c:.4g}" for c in v) + ")"


# -- the outline ------------------------------------------------------------------------------


def outline(e: Any) -> list[Section]:
    """The sections of the report of ``e``."""
    names = ", ".join(map(str, e.objective.variables))
    head = Section(f"f({names}) = {e.objective.expr}")
    head.p(
        "Near a critical point x* the function is f(x* + h) ≈ f(x*) + ½ hᵀHh, H the Hessian "
        "there. On that model gradient descent x ← x − η∇f is a linear iteration: along the "
        "eigen-direction of λ the error is multiplied by 1 − ηλ each step, so GD settles "
        "into a minimum iff 0 < η < 2/λ_max, and leaves a saddle along every direction of "
        "negative curvature. All rates below are per step."
    )
    if e.optimizer.name:
        head.p(f"Optimizer explained: {e.optimizer.label}.")
    else:
        head.p(
            "No optimizer given: the rates are GD's at each minimum's own optimal η "
            "(give one with optimizer=... or --optimizer NAME --lr η)."
        )
    sections = [head, _critical(e)]
    sections += [_minimum(e, i, m) for i, m in enumerate(e.minima)]
    sections += [_family(p) for p in e.families]
    sections += [_saddle(e, i, s) for i, s in enumerate(e.saddles)]
    if not e.minima:
        sections.append(_no_minimum(e))
    if e.x0 is not None:
        sections.append(_from_x0(e))
    if e.units is not None:
        units = Section("Units").pre(str(e.units))
        if e.optimizer_units is not None:
            units.p(str(e.optimizer_units))
        units.p(
            "The learning-rate limits above are numbers in the variables' units as given; "
            "η itself carries the units in the table's middle column."
        )
        sections.append(units)
    if e.notes:
        notes = Section("What could not be established")
        for n in e.notes:
            notes.p(n)
        sections.append(notes)
    return sections


def _critical(e: Any) -> Section:
    cp = e.critical_points
    s = Section("Critical points").pre(str(cp))
    counts = f"{_count(len(e.minima), 'isolated minimum')}, {_count(len(e.saddles), 'saddle')}"
    counts = counts.replace("minimums", "minima")
    if e.families:
        counts += f", {_count(len(e.families), 'family')}".replace("familys", "families")
    s.p(
        counts
        + ("; the list is complete." if cp.complete else "; the list is not proved complete.")
    )
    return s


def _minimum(e: Any, i: int, m: Any) -> Section:
    s = Section(f"Minimum {i + 1} at {format_point(m.point)}")
    lam = ", ".join(_exact_and_float(v) for v in m.hessian_eigenvalues)
    rows = [
        ("f there", _num(m.value)),
        ("Hessian H", _matrix(m.hessian)),
        ("eigenvalues of H", lam),
        ("condition number κ = λ_max/λ_min", _num(m.condition_number)),
        ("GD converges locally iff", f"0 < η < 2/λ_max = {_num(m.gd_stability_limit)}"),
    ]
    if m.gd_optimal_lr is not None:
        best = theory.gd(m.gd_theory.H, lr=m.gd_optimal_lr, scale=1 / 2)
        rows += [
            ("best GD η* = 2/(λ_min + λ_max)", _num(m.gd_optimal_lr)),
            (
                "its rate (κ − 1)/(κ + 1)",
                f"{_num(m.gd_optimal_rate)} ({best.steps_to(1e-6)} steps to 1e-6)",
            ),
        ]
    if m.momentum_optimal is not None:
        lr, mu, rate = m.momentum_optimal
        best = theory.momentum(m.gd_theory.H, lr=lr, mu=mu, scale=1 / 2)
        rows.append(
            (
                "heavy ball at its best (η*, μ*)",
                f"η* = {_num(lr)}, μ* = {_num(mu)}: rate (√κ − 1)/(√κ + 1) = {_num(rate)} "
                f"({best.steps_to(1e-6)} steps to 1e-6)",
            )
        )
    rows += _rate_rows(e, m)
    s.table(rows)
    if m.degenerate:
        s.p(
            "Degenerate: the Hessian is singular here, so the quadratic model is flat along "
            "its null space and GD has no linear rate there (its factor 1 − η·0 = 1): the "
            "error along it shrinks only through the higher-order terms, sublinearly. "
            f"Why it is still a minimum: {m.reason}."
        )
    if m.is_global is not None:
        s.p("This minimum is global." if m.is_global else "This minimum is not global.")
    return s


def _rate_rows(e: Any, m: Any) -> list[tuple[str, str]]:
    who = e.optimizer.label if e.optimizer.name else "GD at η*"
    rows = []
    if m.predicted_rate is not None:
        verdict = "converges" if m.predicted_rate < 1 else "does not converge here"
        rows.append((f"{who}: predicted rate ρ", f"{_num(m.predicted_rate)} ({verdict})"))
    if m.measured_rate is not None:
        agree = {True: "agrees", False: "differs", None: ""}[m.rates_agree]
        rows.append((f"{who}: measured on f near x*", f"{_num(m.measured_rate)} {agree}".rstrip()))
    if m.rate_note:
        rows.append((f"{who}", m.rate_note))
    return rows


def _family(p: Any) -> Section:
    s = Section(f"A family of {p.kind}s: {format_point(p.point)}")
    across = [v for v in p.hessian_eigenvalues if float(v) != 0]
    s.p(
        f"Parameters {', '.join(map(str, p.parameters))} with {p.conditions}. "
        f"Hessian eigenvalues there: {', '.join(map(format_number, p.hessian_eigenvalues))}: "
        "flat along the family (eigenvalue 0), curved across it."
    )
    if across and p.kind == "minimum" and all(float(v) > 0 for v in across):
        limit = theory.gd(sp.diag(*across), scale=1 / 2).stable_lr_limit
        s.p(
            f"Across the family the curvature is {', '.join(map(format_number, across))}: GD "
            f"settles onto it iff 0 < η < {_num(float(limit))}, and where it lands depends on "
            "the start (no single minimizer, no linear rate along the family)."
        )
    s.p(p.reason)
    return s


def _saddle(e: Any, i: int, sd: Any) -> Section:
    s = Section(f"Saddle {i + 1} at {format_point(sd.point)}")
    lam = ", ".join(_exact_and_float(v) for v in sd.hessian_eigenvalues)
    rows = [("f there", _num(sd.value)), ("eigenvalues of H", lam)]
    eta = f" at η = {_num(sd.lr)}" if sd.lr is not None else " (a function of η)"
    for d, lam_, g in zip(
        sd.escape_directions, sd.escape_eigenvalues, sd.growth_factors, strict=True
    ):
        rows.append((f"escape direction (λ = {lam_:.4g})", _vector(d)))
        rows.append((f"GD growth per step 1 + η|λ|{eta}", _num(g) if sd.lr else str(g)))
    s.table(rows)
    if not len(sd.escape_directions):
        s.p("No negative curvature: a degenerate saddle (higher-order terms decide).")
    else:
        s.p(
            "A run that starts exactly on the stable directions stays near the saddle; any "
            "perturbation along an escape direction (round-off, noise) grows by the factor "
            "above every step, so GD leaves, and noise makes that escape quick."
        )
    return s


def _no_minimum(e: Any) -> Section:
    s = Section("No minimum")
    cp = e.critical_points
    if not len(cp) and cp.complete:
        s.p("f has no critical point at all: ∇f never vanishes, so GD never settles.")
    elif cp.complete:
        s.p(
            "f has no isolated strict minimum: every critical point is listed above and "
            "none is one; GD does not settle at a point."
        )
    else:
        s.p(
            "No minimum was found, and the search was not complete, so it could not be "
            "established that there is none: " + "; ".join(cp.notes)
        )
    return s


def _from_x0(e: Any) -> Section:
    s = Section(f"From x0 = {_vector(e.x0)}")
    run = e.x0_run
    if run is None:
        return s.p("No optimizer and no minimum: nothing to run.")
    end = np.asarray(run.final_x, dtype=float)
    where = f"after {int(run.stop_step)} steps at {_vector(end)} ({run.status})"
    near = [(np.linalg.norm(m.x - end), j) for j, m in enumerate(e.minima)]
    if near and min(near)[0] < 1e-3 * max(1.0, float(np.abs(end).max())):
        where += f": in minimum {min(near)[1] + 1}"
    return s.p(where)


# -- renderings -------------------------------------------------------------------------------


def _aligned(rows: list[tuple[str, str]]) -> list[str]:
    width = max(len(k) for k, _ in rows)
    return [f"  {k.ljust(width)}  {v}" for k, v in rows]


def text(e: Any) -> str:
    """The report as plain text."""
    lines: list[str] = []
    for s in outline(e):
        lines += ["", s.title, "=" * min(len(s.title), 88)]
        for kind, body in s.blocks:
            if kind == "p":
                lines += [*textwrap.wrap(body, 88), ""]
            elif kind == "table":
                lines += [*_aligned(body), ""]
            elif kind == "pre":
                lines += [body, ""]
    return "\n".join(lines).strip() + "\n"


def _figures(e: Any) -> list[tuple[str, str]]:
    captions = {
        "explain_landscape.png": "f with every critical point, in the shared style of its kind",
        "explain_stability.png": "GD from near each minimum at 0.5×, 0.99× and 1.01× its "
        "stability limit: converging, barely converging, not converging",
        "explain_values.png": "f − f* of GD from near each minimum at 0.5×, 0.99×, 1.01× its limit",
        "explain_spectra.png": "the Hessian's eigenvalues at each critical point",
    }
    return [(name, captions.get(name, name)) for name in e.figures]


def markdown(e: Any) -> str:
    """The report as Markdown; the figures are referenced by file name."""
    out: list[str] = []
    for n, s in enumerate(outline(e)):
        out += [("# " if n == 0 else "## ") + s.title, ""]
        for kind, body in s.blocks:
            if kind == "p":
                out += [body, ""]
            elif kind == "table":
                out += ["| quantity | value |", "| --- | --- |"]
                out += [f"| {k} | {v.replace('|', '∣')} |" for k, v in body] + [""]
            elif kind == "pre":
                out += ["```", body, "```", ""]
    out += ["## Figures", ""]
    out += [f"![{caption}]({name})" + "\n" for name, caption in _figures(e)]
    return "\n".join(out).strip() + "\n"


def html_body(e: Any) -> str:
    """The report as an HTML fragment (for notebooks), figures inlined."""
    esc = html.escape
    out: list[str] = []
    for n, s in enumerate(outline(e)):
        tag = "h1" if n == 0 else "h2"
        out.append(f"<{tag}>{esc(s.title)}</{tag}>")
        for kind, body in s.blocks:
            if kind == "p":
                out.append(f"<p>{esc(body)}</p>")
            elif kind == "table":
                cells = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in body)
                out.append(f"<table>{cells}</table>")
            elif kind == "pre":
                out.append(f"<pre>{esc(body)}</pre>")
    out.append("<h2>Figures</h2>")
    for name, caption in _figures(e):
        data = base64.b64encode(e.figures[name]).decode("ascii")
        out.append(
            f'<figure><img src="data:image/png;base64,{data}" alt="{esc(caption)}">'
            f"<figcaption>{esc(caption)}</figcaption></figure>"
        )
    return "\n".join(out)


_STYLE = """
body { font-family: sans-serif; max-width: 70em; margin: 2em auto; padding: 0 1em; }
table { border-collapse: collapse; margin: 0.5em 0 1em; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: left; vertical-align: top; }
th { background: #f4f4f4; font-weight: normal; }
pre { background: #f8f8f8; padding: 0.6em; overflow-x: auto; }
img { max-width: 100%; }
figcaption { color: #555; }
"""


def html_page(e: Any) -> str:
    """The report as a self-contained HTML page."""
    title = html.escape(f"symopt explain: {e.objective.expr}")
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{html_body(e)}\n</body>\n</html>\n"
    )
