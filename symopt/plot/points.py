"""Pictures of critical points, Taylor approximations and quadratic forms.

* :func:`plot_critical_points`: a 1-D graph or 2-D contours (or a 3-D surface) with every
  critical point marked by its kind, families drawn as curves, kinks marked apart.
* :func:`plot_taylor`: the lecture's linear-approximation picture in 1-D: ``f``, the
  tangent line and the quadratic approximation at a point.
* :func:`plot_quadratic_form`: ``q(h) = ½ hᵀHh`` for a 2×2 ``H``: surface and contours
  with the eigen-axes, titled with ``H``, its definiteness and eigenvalues.

Each returns the matplotlib Figure and accepts an existing ``ax=``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import ChoiceError, HyperparameterError, ShapeError
from symopt.numeric.lambdify import lambdify
from symopt.symbolic.numbers import to_sympy

__all__ = [
    "KIND_STYLE",
    "mark_point",
    "matrix_name",
    "plot_critical_points",
    "plot_quadratic_form",
    "plot_taylor",
]

#: kind of critical point -> matplotlib style of its marker, shared by every figure of
#: symopt (green circle = minimum, red triangle = maximum, orange X = saddle, grey diamond =
#: the second-order test could not decide); a *global* extremum is a larger star of its colour
KIND_STYLE: dict[str, dict[str, Any]] = {
    "minimum": {"color": "tab:green", "marker": "o", "ms": 11},
    "maximum": {"color": "tab:red", "marker": "^", "ms": 12},
    "saddle": {"color": "tab:orange", "marker": "X", "ms": 13},
    "inconclusive": {"color": "tab:gray", "marker": "D", "ms": 10},
    "not differentiable": {"color": "tab:purple", "marker": "s", "ms": 10},
}
_COMMON = {"mec": "black", "mew": 1.2, "linestyle": "none", "zorder": 6}
_GLOBAL = {"marker": "*", "ms": 22}


def mark_point(
    ax: Any,
    xy: Any,
    kind: str,
    label: str | None = None,
    global_: bool = False,
    **kw: Any,
):
    """Mark one critical point in the style of its kind (see :data:`KIND_STYLE`).

    Parameters
    ----------
    ax : matplotlib Axes
        2-D axes (``xy = (x, y)``, or ``(x, f(x))`` on a graph) or 3-D axes
        (``xy = (x, y, z)``).
    xy : sequence of 2 or 3 numbers
    kind : str
        ``"minimum"``, ``"maximum"``, ``"saddle"``, ``"inconclusive"`` or
        ``"not differentiable"`` (e.g. ``CriticalPoint.kind`` or ``Quadratic.kind``).
    label : str, optional
        Legend text; default the kind (``"global minimum"`` when ``global_``); ``""``
        keeps the marker out of the legend.
    global_ : bool
        A global extremum: a larger star in the kind's colour.
    **kw
        Overrides of the style (``ms=``, ``zorder=``, ...).

    Returns
    -------
    matplotlib.lines.Line2D

    >>> import matplotlib.pyplot as plt
    >>> fig, ax = plt.subplots()
    >>> line = mark_point(ax, (2, -27), "minimum", global_=True)
    >>> line.get_label(), line.get_marker(), line.get_color()
    ('global minimum', '*', 'tab:green')
    >>> plt.close(fig)
    """
    if kind not in KIND_STYLE:
        raise ChoiceError("kind", kind, tuple(KIND_STYLE))
    coordinates = np.ravel(np.asarray(xy, dtype=float))
    if coordinates.size not in (2, 3):
        raise ShapeError(f"xy must hold 2 (or, on 3-D axes, 3) numbers, not {coordinates.size}")
    style = {**_COMMON, **KIND_STYLE[kind], **(_GLOBAL if global_ else {}), **kw}
    if label is None:
        label = f"global {kind}" if global_ else kind
    (line,) = ax.plot(*coordinates[:, None], label=label, **style)
    return line


def _objective(f: Any):
    from symopt.symbolic.objective import Objective

    return f if isinstance(f, Objective) else Objective(f)


def _figure(ax: Any, projection: str | None = None, size=(6.4, 4.8)):
    import matplotlib.pyplot as plt

    if ax is not None:
        return ax.figure, ax
    fig = plt.figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot(projection=projection)


def _isolated(points) -> list:
    """(coordinates, kind, label) of isolated points with finite real coordinates."""
    out = []
    for p in points:
        if p.is_family:
            continue
        xy = [float(sp.N(v)) for v in p.point.values()]
        out.append((np.array(xy), p.kind, p))
    return out


def _range(values: list[float], pad: float = 1.0) -> tuple[float, float]:
    if not values:
        return -2.0, 2.0
    lo, hi = min(values), max(values)
    span = max(hi - lo, 1.0)
    return lo - pad * span / 2 - 0.5, hi + pad * span / 2 + 0.5


def _family_samples(p, box: list[tuple[float, float]], count: int = 400) -> np.ndarray | None:
    """Points of a one-parameter family, sampled where they are real and in the box."""
    if len(p.parameters) != 1:
        return None
    (t,) = p.parameters
    conditions = p.conditions
    lo, hi = -50.0, 50.0
    if conditions is not sp.true:
        where = conditions.as_set()
        lo = max(lo, float(where.inf)) if where.inf.is_finite else lo
        hi = min(hi, float(where.sup)) if where.sup.is_finite else hi
    ts = np.linspace(lo, hi, 4001 if hi - lo > 10 else count)
    columns = []
    for value in p.point.values():
        fn = lambdify([t], value)
        with np.errstate(all="ignore"):
            columns.append(np.broadcast_to(np.asarray(fn(ts), dtype=complex), ts.shape))
    xy = np.stack(columns, axis=-1)
    real = np.all(np.abs(xy.imag) < 1e-9, axis=-1)
    xy = xy.real
    inside = np.all([(xy[:, i] >= b[0]) & (xy[:, i] <= b[1]) for i, b in enumerate(box)], axis=0)
    xy[~(real & inside)] = np.nan
    return xy


def _label(artist, label: str, handles: dict) -> None:
    """Name the artist (so ``ax.get_lines()`` tells what it is) and keep the first one
    of each name for the legend."""
    artist.set_label(label)
    handles.setdefault(label, artist)


def _legend(ax, handles: dict, below: bool = False) -> None:
    if not handles:
        return
    if below:  # keep contour pictures free: the legend goes under the x-label
        from matplotlib.transforms import offset_copy

        ax.legend(
            handles.values(),
            handles.keys(),
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            # below the tick labels and the x-label, whatever the font size
            bbox_transform=offset_copy(ax.transAxes, fig=ax.figure, y=-_below(), units="points"),
            ncol=min(3, len(handles)),
            frameon=False,
            handletextpad=0.3,
            columnspacing=1.2,
        )
    else:
        ax.legend(handles.values(), handles.keys(), loc="best")


def _below() -> float:
    """Points between the axes' bottom and a legend under its x-label."""
    import matplotlib as mpl
    from matplotlib.font_manager import FontProperties

    def size(key: str) -> float:
        return FontProperties(size=mpl.rcParams[key]).get_size_in_points()

    return 1.6 * size("xtick.labelsize") + 1.4 * size("axes.labelsize") + 6


def _kind_label(p) -> str:
    if p.kind in ("minimum", "maximum"):
        return {True: f"global {p.kind}", False: f"local {p.kind}"}.get(p.is_global, p.kind)
    return p.kind


def plot_critical_points(
    f: Any,
    points: Any = None,
    *,
    box: Any = None,
    surface: bool = False,
    ax: Any = None,
    timeout: float = 10.0,
    title: str | None = None,
):
    """``f`` with its critical points marked by kind (1-D graph or 2-D contours/surface).

    Parameters
    ----------
    f : Objective or str
        An objective of one or two variables.
    points : CriticalPoints, optional
        From ``f.critical_points()``; computed (with ``timeout``) if not given.
    box : sequence of (low, high), optional
        The plotted range per variable; by default a range around the points.
    surface : bool
        Two variables: a 3-D surface instead of filled contours.
    ax : matplotlib Axes, optional
        Draw into it (a 3-D Axes for ``surface=True``).
    title : str, optional
        Default: ``f`` itself.

    Returns
    -------
    matplotlib.figure.Figure
    """
    f = _objective(f)
    if f.n not in (1, 2):
        raise ShapeError(
            f"plot_critical_points draws objectives of 1 or 2 variables, not {f.n} "
            f"({', '.join(map(str, f.variables))}); fix the others with f.subs(...)"
        )
    if points is None:
        points = f.critical_points(timeout=timeout)
    marked = _isolated(points)
    bounds = _bounds(f, box, marked, points)
    draw = _draw_1d if f.n == 1 else _draw_2d
    fig, ax = _figure(ax, "3d" if surface and f.n == 2 else None)
    draw(f, points, marked, bounds, ax, surface)
    ax.set_title(title if title is not None else f"$f = {sp.latex(f.expr)}$")
    return fig


def _bounds(f, box, marked, points) -> list[tuple[float, float]]:
    if box is not None:
        pairs = [tuple(map(float, pair)) for pair in box]
        if len(pairs) != f.n or any(lo >= hi for lo, hi in pairs):
            raise HyperparameterError("box", box, f"{f.n} pair(s) (low, high) with low < high")
        return pairs
    if getattr(points, "periodic", False) and points.box:
        return [tuple(float(b) for b in points.box[v]) for v in f.variables]
    coordinates = [xy for xy, _, _ in marked]
    wide = [(-10.0, 10.0)] * f.n
    for p in points:
        samples = _family_samples(p, wide) if p.is_family else None
        if samples is not None:
            finite = samples[np.all(np.isfinite(samples), axis=1)]
            coordinates += [finite.min(axis=0), finite.max(axis=0)] if len(finite) else []
    for k in getattr(points, "nondifferentiable", ()):
        if not k.parameters:
            coordinates.append(np.array([float(sp.N(v)) for v in k.point.values()]))
    return [_range([xy[i] for xy in coordinates]) for i in range(f.n)]


def _draw_1d(f, points, marked, bounds, ax, surface) -> None:
    compiled = f.compile()
    (lo, hi) = bounds[0]
    xs = np.linspace(lo, hi, 600)
    with np.errstate(all="ignore"):
        ys = compiled.value(xs[:, None])
    ax.plot(xs, ys, color="tab:blue", lw=2, label="f")
    handles = {}
    for xy, kind, p in marked:
        h = mark_point(ax, (xy[0], float(sp.N(p.value))), kind, _kind_label(p), p.is_global is True)
        handles.setdefault(h.get_label(), h)
    for k in points.nondifferentiable:
        if not k.parameters:
            x0 = float(sp.N(next(iter(k.point.values()))))
            h = mark_point(ax, (x0, float(sp.N(k.value))), "not differentiable")
            handles.setdefault(h.get_label(), h)
    finite = ys[np.isfinite(ys)]
    if finite.size:
        span = finite.max() - finite.min() or 1.0
        ax.set_ylim(finite.min() - 0.08 * span, finite.max() + 0.08 * span)
    ax.set_xlim(lo, hi)
    ax.set_xlabel(f"${sp.latex(f.variables[0])}$")
    ax.set_ylabel("$f$")
    ax.grid(alpha=0.3)
    _legend(ax, handles)


def _draw_2d(f, points, marked, bounds, ax, surface) -> None:
    compiled = f.compile()
    (x0, x1), (y0, y1) = bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 200), np.linspace(y0, y1, 200))
    with np.errstate(all="ignore"):
        Z = compiled.value(np.stack([X, Y], axis=-1))
    handles = {}
    if surface:
        ax.plot_surface(X, Y, Z, cmap="viridis", alpha=0.6, linewidth=0, rstride=4, cstride=4)
        ax.set_zlabel("$f$")
    else:
        from matplotlib.colors import BoundaryNorm

        levels = _levels(Z)
        norm = BoundaryNorm(levels, 256) if not isinstance(levels, int) else None
        filled = ax.contourf(X, Y, Z, levels=levels, cmap="viridis", norm=norm)
        ax.contour(X, Y, Z, levels=levels, colors="white", linewidths=0.4, alpha=0.6)
        bar = ax.figure.colorbar(filled, ax=ax, shrink=0.7, label="$f$ (quantile levels)")
        _few_ticks(bar, levels)
    for p in points:
        if not p.is_family:
            continue
        xy = _family_samples(p, bounds)
        if xy is None:
            continue
        color = KIND_STYLE[p.kind]["color"]
        z = compiled.value(np.nan_to_num(xy)) if surface else None
        args = (xy[:, 0], xy[:, 1], z) if surface else (xy[:, 0], xy[:, 1])
        (h,) = ax.plot(*args, color=color, lw=3)
        _label(h, f"{_kind_label(p)} (family)", handles)
    for xy, kind, p in marked:
        if not (x0 <= xy[0] <= x1 and y0 <= xy[1] <= y1):
            continue
        at = (xy[0], xy[1], float(sp.N(p.value))) if surface else (xy[0], xy[1])
        h = mark_point(ax, at, kind, _kind_label(p), p.is_global is True)
        handles.setdefault(h.get_label(), h)
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)
    ax.set_xlabel(f"${sp.latex(f.variables[0])}$")
    ax.set_ylabel(f"${sp.latex(f.variables[1])}$")
    if not surface:
        ax.set_aspect("equal", adjustable="box")
    _legend(ax, handles, below=not surface)


def _few_ticks(bar, levels: np.ndarray | int, count: int = 5) -> None:
    """About ``count`` colour-bar ticks at contour levels, two significant digits, and 0
    for a level that is round-off next to the others (the grid misses the exact 0)."""
    from matplotlib.ticker import FuncFormatter

    if isinstance(levels, int):
        return
    ticks = levels[np.unique(np.linspace(0, len(levels) - 1, count).round().astype(int))]
    span = float(levels[-1] - levels[0]) or 1.0

    def short(value: float, _pos: object = None) -> str:
        if abs(value) < 1e-3 * span:
            return "0"
        text = np.format_float_positional(float(f"{value:.2g}"), trim="-")
        return text.replace("-", "\N{MINUS SIGN}")

    bar.set_ticks(ticks)
    bar.ax.yaxis.set_major_formatter(FuncFormatter(short))
    bar.ax.minorticks_off()


def _levels(Z: np.ndarray, count: int = 30) -> np.ndarray | int:
    """Contour levels at quantiles of the values, so that a steep rim does not leave
    the interesting low region a single colour."""
    finite = Z[np.isfinite(Z)]
    levels = np.unique(np.quantile(finite, np.linspace(0, 1, count))) if finite.size else []
    levels = [v for i, v in enumerate(levels) if i == 0 or v - levels[i - 1] > 1e-12]
    return np.array(levels) if len(levels) > 2 else count


def plot_taylor(
    f: Any,
    at: Any,
    *,
    orders: tuple[int, ...] = (1, 2),
    radius: float = 2.0,
    ax: Any = None,
    title: str | None = None,
):
    """``f`` with its Taylor approximations of the given orders at ``at`` (one variable):
    order 1 is the tangent line, order 2 the osculating parabola.

    >>> fig = plot_taylor("exp(x)", 0)
    >>> [line.get_label() for line in fig.axes[0].get_lines()][:3]
    ['$f = e^{x}$', 'order 1: $1 + x$', 'order 2: $1 + x + \\\\frac{1}{2} x^{2}$']
    >>> plot_taylor("x**3", 1).axes[0].get_lines()[2].get_label()
    'order 2: $1 + 3 (x - 1) + 3 (x - 1)^{2}$'
    """
    f = _objective(f)
    if f.n != 1:
        raise ShapeError(
            f"plot_taylor draws objectives of one variable, not {f.n}; fix the others "
            "with f.subs(...) or plot a slice"
        )
    point = f.point([at] if not isinstance(at, (dict, list, tuple)) else at)
    a = float(sp.N(point[f.variables[0]]))
    fig, ax = _figure(ax)
    xs = np.linspace(a - radius, a + radius, 500)
    with np.errstate(all="ignore"):
        ys = f.compile().value(xs[:, None])
    ax.plot(xs, ys, color="tab:blue", lw=2.5, label=f"$f = {sp.latex(f.expr)}$")
    styles = ["--", ":", "-."]
    colors = ["tab:red", "tab:orange", "tab:purple"]  # never f's blue
    for k, order in enumerate(orders):
        poly = f.taylor(point, order)
        fn = lambdify([f.variables[0]], poly)
        ax.plot(
            xs,
            np.broadcast_to(fn(xs), xs.shape),
            styles[k % 3],
            color=colors[k % 3],
            lw=2,
            label=f"order {order}: ${_taylor_latex(poly, f.variables[0], point[f.variables[0]])}$",
        )
    fa = float(sp.N(f(point)))
    ax.plot(
        a, fa, "o", color="black", ms=8, zorder=5, label=f"$a = {sp.latex(point[f.variables[0]])}$"
    )
    finite = ys[np.isfinite(ys)]
    span = (finite.max() - finite.min()) or 1.0
    ax.set_ylim(finite.min() - 0.25 * span, finite.max() + 0.25 * span)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_xlabel(f"${sp.latex(f.variables[0])}$")
    ax.grid(alpha=0.3)
    ax.legend(loc="best")
    ax.set_title(title or "Taylor approximations")
    return fig


def _taylor_latex(poly: sp.Expr, x: sp.Symbol, a: sp.Expr) -> str:
    """The polynomial in powers of ``(x − a)``, lowest order first as on the slide
    (``f(a) + f'(a)(x − a) + …``): exact when the coefficients are rational, else 3
    significant digits."""
    h = sp.Dummy("h")
    coefficients = sp.Poly(sp.expand(poly.xreplace({x: a + h})), h).all_coeffs()[::-1]
    exact = all(c.is_Rational for c in coefficients)

    def number(c: sp.Expr) -> str:
        return sp.latex(c) if exact or c.is_Rational else f"{float(c):.3g}"

    base = sp.latex(x) if a == 0 else f"({sp.latex(x)} {'-' if a > 0 else '+'} {number(abs(a))})"
    terms = []
    for k, c in enumerate(coefficients):
        if c == 0:
            continue
        power = "" if k == 0 else base if k == 1 else f"{base}^{{{k}}}"
        size = number(abs(c)) if k == 0 or abs(c) != 1 else ""
        text = f"{size} {power}".strip()
        sign = "-" if c < 0 else "+"
        terms.append(
            f"-{text}" if not terms and sign == "-" else text if not terms else f"{sign} {text}"
        )
    return " ".join(terms) or "0"


def plot_quadratic_form(
    H: Any,
    *,
    scale: float = 0.5,
    radius: float = 2.0,
    ax: Any = None,
    title: str | None = None,
):
    """``q(h) = scale·hᵀHh`` for a 2×2 matrix: a 3-D surface and contours with the
    eigen-axes (scaled by the eigenvalues' signs), titled with ``H`` and its
    definiteness.  With ``ax`` only the contour panel is drawn, into it.

    >>> fig = plot_quadratic_form([[2, -1], [-1, 1]])
    >>> fig.get_suptitle()
    'H = [[2, -1], [-1, 1]]: positive definite, λ = 0.382, 2.62'
    >>> plot_quadratic_form([[4, 0], [0, 1]]).get_suptitle()
    'H = diag(4, 1): positive definite, λ = 1, 4'
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from symopt.symbolic.quadratic import quadratic

    q = quadratic(H, scale=scale)
    if q.n != 2:
        raise ShapeError(f"plot_quadratic_form draws 2×2 matrices, not {q.n}×{q.n}")
    h = np.linspace(-radius, radius, 101)
    X, Y = np.meshgrid(h, h)
    Z = q.compile().value(np.stack([X, Y], axis=-1))
    eig = [float(sp.N(v)) for v in q.eigenvalues]
    text = f"H = {matrix_name(q.H)}: {q.definiteness}, λ = {', '.join(f'{v:.3g}' for v in eig)}"
    if ax is not None:
        _contour_panel(ax, X, Y, Z, q, eig, radius)
        ax.set_title(title or text)
        return ax.figure
    fig = plt.figure(figsize=(12, 5.2), layout="constrained")
    surf = fig.add_subplot(1, 2, 1, projection="3d", computed_zorder=False)
    surf.plot_surface(
        X, Y, Z, cmap="coolwarm", norm=_centred(Z), linewidth=0, rstride=4, cstride=4, alpha=0.85
    )
    _mark_stationary(surf, q, surface=True)  # drawn after the surface: stays in front
    surf.set_xticks([-radius, 0, radius])
    surf.set_yticks([-radius, 0, radius])
    surf.zaxis.set_major_locator(MaxNLocator(4))
    surf.set_xlabel("$h_1$")
    surf.set_ylabel("$h_2$")
    surf.set_zlabel("$q(h)$", labelpad=8)
    surf.set_box_aspect(None, zoom=0.88)  # room for the z-label inside the panel
    _contour_panel(fig.add_subplot(1, 2, 2), X, Y, Z, q, eig, radius)
    fig.suptitle(title or text)
    return fig


def _centred(Z: np.ndarray):
    """Colours centred at q = 0 (white), so that a saddle's two signs read at a glance."""
    from matplotlib.colors import Normalize, TwoSlopeNorm

    lo, hi = float(Z.min()), float(Z.max())
    return TwoSlopeNorm(0.0, lo, hi) if lo < 0 < hi else Normalize(lo, hi)


def matrix_name(M: Any) -> str:
    """A short name for a matrix as the lecture writes it: ``I``, ``diag(4, 1)`` or the
    rows ``[[2, -1], [-1, 1]]``.

    >>> matrix_name(sp.eye(2)), matrix_name(sp.diag(-4, 1)), matrix_name([[2, -1], [-1, 1]])
    ('I', 'diag(-4, 1)', '[[2, -1], [-1, 1]]')
    """
    M = sp.Matrix(M)
    if M.is_square and M == sp.eye(M.rows):
        return "I"
    if M.is_square and M.is_diagonal():
        return f"diag({', '.join(sp.sstr(M[i, i]) for i in range(M.rows))})"
    rows = (", ".join(sp.sstr(e) for e in M.row(i)) for i in range(M.rows))
    return "[" + ", ".join(f"[{r}]" for r in rows) + "]"


def _contour_panel(ax, X, Y, Z, q, eig, radius) -> None:
    from matplotlib.ticker import MaxNLocator

    filled = ax.contourf(X, Y, Z, levels=25, cmap="coolwarm", norm=_centred(Z))
    ax.contour(X, Y, Z, levels=25, colors="black", linewidths=0.4, alpha=0.5)
    bar = ax.figure.colorbar(filled, ax=ax, shrink=0.8, label="$q(h)$")
    bar.locator = MaxNLocator(5)
    bar.update_ticks()
    for value, vector in zip(eig, q.eigenvectors, strict=True):
        u = np.array([float(sp.N(c)) for c in vector])
        u /= np.linalg.norm(u)
        tip = 0.5 * radius * u
        ax.annotate(
            "", xy=tip, xytext=(0, 0), arrowprops={"arrowstyle": "->", "lw": 2, "color": "black"}
        )
        # the label just beyond the tip, in a white box; centred over slanted arrows so
        # that it stays inside the axes
        ax.annotate(
            f"λ = {value:.3g}".replace("-", "\N{MINUS SIGN}"),
            xy=tip,
            xytext=tuple(10 * u),
            textcoords="offset points",
            ha="left" if u[0] > 0.9 else "right" if u[0] < -0.9 else "center",
            va="bottom" if u[1] > 0.3 else "top" if u[1] < -0.3 else "center",
            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
        )
    _mark_stationary(ax, q)
    ax.set_aspect("equal")
    ax.set_xlabel("$h_1$")
    ax.set_ylabel("$h_2$")


def _mark_stationary(ax, q, surface: bool = False) -> None:
    """The stationary point of ``q`` (when it is a single point) in its kind's style: a
    definite form's extremum is global (a star)."""
    point = q.stationary_point
    if q.kind is None or any(to_sympy(v).free_symbols for v in point.values()):
        return
    xy = [float(sp.N(v)) for v in point.values()]
    at = (*xy, float(sp.N(q(point)))) if surface else xy
    mark_point(ax, at, q.kind, f"stationary point: {q.kind}", q.kind in ("minimum", "maximum"))
