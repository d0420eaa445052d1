"""Figures of critical points, Taylor approximations and quadratic forms."""

from __future__ import annotations

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest

import symopt.plot as splot
from symopt import Objective
from symopt.errors import ChoiceError, ShapeError
from symopt.plot.points import (
    KIND_STYLE,
    mark_point,
    plot_critical_points,
    plot_quadratic_form,
    plot_taylor,
)

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def _markers(ax) -> dict[str, np.ndarray]:
    """label -> positions of the point markers with that label."""
    out: dict[str, list] = {}
    for line in ax.get_lines():
        if line.get_linestyle() == "None":
            out.setdefault(line.get_label(), []).append(np.column_stack(line.get_data())[0])
    return {label: np.array(points) for label, points in out.items()}


def test_registered_in_the_plot_package():
    assert splot.plot_critical_points is plot_critical_points
    assert splot.plot_taylor is plot_taylor and splot.plot_quadratic_form is plot_quadratic_form


def test_one_dimensional_picture(tmp_path):
    # f' = 12x(x − 2)(x + 1): local minimum at −1 (f = 0), maximum at 0 (f = 5), global
    # minimum at 2 (f = −27)
    fig = plot_critical_points("3*x**4 - 4*x**3 - 12*x**2 + 5")
    (ax,) = fig.axes
    markers = _markers(ax)
    assert set(markers) == {"local minimum", "local maximum", "global minimum"}
    np.testing.assert_allclose(markers["global minimum"], [[2, -27]])
    np.testing.assert_allclose(markers["local maximum"], [[0, 5]])
    np.testing.assert_allclose(markers["local minimum"], [[-1, 0]])
    # the global minimum is told apart from the local one: a star, not a circle
    shapes = {line.get_label(): line.get_marker() for line in ax.get_lines()}
    assert shapes["global minimum"] == "*" and shapes["local minimum"] == "o"
    fig.savefig(tmp_path / "one.png")
    assert (tmp_path / "one.png").stat().st_size > 10_000


def test_two_dimensional_contours_mark_each_kind(tmp_path):
    f = Objective("x**3 + y**3 - 3*x*y")  # saddle at (0, 0), local minimum at (1, 1)
    fig = plot_critical_points(f, f.critical_points(timeout=30))
    ax = fig.axes[0]
    markers = _markers(ax)
    np.testing.assert_allclose(markers["saddle"], [[0, 0]])
    np.testing.assert_allclose(markers["local minimum"], [[1, 1]])
    assert ax.get_xlabel() == "$x$" and ax.get_ylabel() == "$y$"
    fig.savefig(tmp_path / "two.png")


def test_surface_and_given_axes():
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    out = plot_critical_points("x**2 - y**2", surface=True, ax=ax, title="saddle")
    assert out is fig and ax.get_title() == "saddle"
    assert ax.name == "3d"


def test_family_drawn_as_a_curve_on_the_circle():
    # (x² + y² − 1)²: the unit circle is a family of minima
    fig = plot_critical_points("(x**2 + y**2 - 1)**2")
    curves = [line for line in fig.axes[0].get_lines() if len(line.get_xdata()) > 10]
    (curve,) = curves
    xy = np.column_stack(curve.get_data())
    xy = xy[np.all(np.isfinite(xy), axis=1)]
    np.testing.assert_allclose(np.hypot(xy[:, 0], xy[:, 1]), 1, atol=1e-12)
    lo, hi = fig.axes[0].get_xlim()
    assert lo < -1 and hi > 1  # the view contains the whole circle


def test_kink_marked_apart():
    fig = plot_critical_points("abs(x) + x**2")
    markers = _markers(fig.axes[0])
    np.testing.assert_allclose(markers["not differentiable"], [[0, 0]])


def test_taylor_lines_touch_the_graph():
    # f = sin x + x²/4 at a = 1: the tangent has slope f'(1) = cos 1 + 1/2 and passes through
    # (1, f(1)); the quadratic also matches f''(1) = 1/2 − sin 1.
    fig = plot_taylor("sin(x) + x**2/4", 1)
    ax = fig.axes[0]
    lines = {line.get_label().split(":")[0]: line for line in ax.get_lines()}
    x, tangent = lines["order 1"].get_data()
    _, parabola = lines["order 2"].get_data()
    f1 = np.sin(1) + 1 / 4
    i = np.argmin(np.abs(x - 1))
    h = x[i + 1] - x[i]
    slope = (tangent[i + 1] - tangent[i]) / h
    assert slope == pytest.approx(np.cos(1) + 0.5, rel=1e-9)
    assert np.interp(1.0, x, tangent) == pytest.approx(f1, abs=1e-9)
    second = (parabola[i + 1] - 2 * parabola[i] + parabola[i - 1]) / h**2
    assert second == pytest.approx(0.5 - np.sin(1), rel=1e-5)


def test_quadratic_form_picture(tmp_path):
    fig = plot_quadratic_form([[-4, 0], [0, 1]])
    assert "indefinite" in fig.get_suptitle() and "-4" in fig.get_suptitle()
    assert len(fig.axes) == 3  # surface, contours, colour bar
    fig.savefig(tmp_path / "q.png")
    fig, ax = plt.subplots()
    assert plot_quadratic_form(np.eye(2), ax=ax) is fig
    assert "positive definite" in ax.get_title()


def test_bad_dimensions():
    with pytest.raises(ShapeError, match="1 or 2 variables"):
        plot_critical_points("x**2 + y**2 + z**2")
    with pytest.raises(ShapeError, match="one variable"):
        plot_taylor("x**2 + y**2", {"x": 0, "y": 0})
    with pytest.raises(ShapeError, match="2×2"):
        plot_quadratic_form(np.eye(3))


def test_mark_point_shared_style():
    _, ax = plt.subplots()
    saddle = mark_point(ax, (0, 0), "saddle")
    assert saddle.get_label() == "saddle" and saddle.get_marker() == "X"
    assert saddle.get_color() == KIND_STYLE["saddle"]["color"] == "tab:orange"
    assert mark_point(ax, [1, 2], "minimum", label="").get_label().startswith("_")  # no legend
    star = mark_point(ax, (1, 1), "minimum", global_=True, ms=30)
    assert star.get_marker() == "*" and star.get_markersize() == 30
    assert star.get_color() == "tab:green"
    np.testing.assert_allclose(np.column_stack(star.get_data()), [[1, 1]])
    assert {"minimum", "maximum", "saddle", "inconclusive"} <= set(KIND_STYLE)
    with pytest.raises(ChoiceError, match="kind='bowl' is invalid: expected one of 'minimum', "):
        mark_point(ax, (0, 0), "bowl")
    with pytest.raises(ShapeError, match="xy must hold 2"):
        mark_point(ax, (0, 0, 0, 0), "minimum")


def test_mark_point_on_3d_axes():
    fig = plt.figure()
    ax = fig.add_subplot(projection="3d")
    line = mark_point(ax, (0, 0, 1.5), "maximum")
    assert line.get_marker() == "^"
    np.testing.assert_allclose(line.get_data_3d(), [[0], [0], [1.5]])


def test_quadratic_form_marks_its_stationary_point():
    # diag(1, −1): a saddle at 0; diag(1, 1): the global minimum at 0 (a star)
    _, ax = plt.subplots()
    plot_quadratic_form([[1, 0], [0, -1]], ax=ax)
    np.testing.assert_allclose(_markers(ax)["stationary point: saddle"], [[0, 0]])
    _, ax = plt.subplots()
    plot_quadratic_form(np.eye(2), ax=ax)
    (line,) = [ln for ln in ax.get_lines() if ln.get_label() == "stationary point: minimum"]
    assert line.get_marker() == "*"
