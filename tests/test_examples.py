"""The tour: every ``examples/NN_*.py`` runs headless, draws real pictures and prints
the numbers the theory predicts.

Each example runs once per session (in a module cache); the per-example test checks
its files (every PNG a non-blank image, every GIF animated) and its notes, and the
theory tests below read the numbers from the dicts the examples return, against
closed forms derived by hand in the comments.  Running the whole tour takes about as
long as ``symopt tour`` (about 30 s on two busy cores): deselect it with
``-m "not examples"``.
"""

from __future__ import annotations

import contextlib
import html
import io
import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from symopt.cli import main
from symopt.tour import example_paths, load_example

pytestmark = pytest.mark.examples

PATHS = {p.stem: p for p in example_paths()}
BY_NUMBER = {name[:2]: name for name in PATHS}
_RUNS: dict[str, tuple[dict[str, Any], Path, str]] = {}


def ran(number: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path, str]:
    """Run example ``number`` once per session: (returned dict, its folder, its notes)."""
    name = BY_NUMBER[number]
    if name not in _RUNS:
        import matplotlib.pyplot as plt

        folder = tmp_path_factory.mktemp(name)
        printed = io.StringIO()
        try:
            with contextlib.redirect_stdout(printed):
                result = load_example(PATHS[name]).run(folder)
        finally:
            plt.close("all")
        _RUNS[name] = (result, folder, printed.getvalue())
    return _RUNS[name]


def test_the_tour_has_the_lectures_sections():
    numbers = sorted(BY_NUMBER)
    assert len(PATHS) >= 6
    assert {"01", "02", "06", "09", "15"} <= set(numbers)
    assert len(numbers) == len(PATHS), "two examples share a number"


# -- every example -----------------------------------------------------------------


def _check_png(file: Path) -> None:
    with Image.open(file) as im:
        im.verify()  # a complete, uncorrupted PNG
    with Image.open(file) as im:
        assert im.width > 100 and im.height > 100, f"{file.name} is {im.size}"
        grey = np.asarray(im.convert("L"), dtype=float)
    assert grey.std() > 5, f"{file.name} is (nearly) one colour"
    assert np.mean(grey < 250) > 0.01, f"{file.name} is (nearly) blank"


def _check_gif(file: Path) -> None:
    with Image.open(file) as im:
        assert im.n_frames > 1, f"{file.name} has one frame"
        im.seek(0)
        first = np.asarray(im.convert("RGB"), dtype=float)
        im.seek(im.n_frames - 1)
        last = np.asarray(im.convert("RGB"), dtype=float)
    assert first.std() > 5, f"{file.name} starts blank"
    assert np.abs(first - last).max() > 0, f"{file.name} does not move"


@pytest.mark.parametrize("name", list(PATHS))
def test_example_runs_draws_and_prints(name, tmp_path_factory):
    module = load_example(PATHS[name])
    assert (module.__doc__ or "").strip(), f"{name} needs a docstring whose first line is a title"
    assert "script_main(run)" in PATHS[name].read_text(encoding="utf-8")

    result, folder, printed = ran(name[:2], tmp_path_factory)
    assert isinstance(result, dict) and result
    pictures = sorted(p for p in folder.iterdir() if p.suffix in {".png", ".gif"})
    assert pictures, f"{name} wrote no figure"
    for file in pictures:
        (_check_png if file.suffix == ".png" else _check_gif)(file)
    for file in result.get("files", []):
        assert Path(file).is_file(), f"{name} returns {file}, which it did not write"
    assert any(ch.isdigit() for ch in printed), f"{name} prints no numbers"


# -- the numbers, example by example -------------------------------------------------


def test_01_accuracy_is_flat_almost_everywhere_and_the_loss_is_not(tmp_path_factory):
    r, _, _ = ran("01", tmp_path_factory)
    # the finite-difference derivative of accuracy is 0 except in intervals holding a jump
    assert r["zero_derivative_fraction"] == pytest.approx(1 - r["grid_jumps"] / r["grid_intervals"])
    assert r["zero_derivative_fraction"] > 0.8
    # each margin is affine along the line: it changes sign at most once, so accuracy can
    # only jump in an interval that holds a sign change
    assert r["jumps_elsewhere"] == 0
    assert 0 < r["grid_jumps"] <= r["crossing_intervals"] <= r["sign_changes"] <= r["n_examples"]
    # the surrogate's gradient never vanishes on the line, and dL/dt = ⟨∇L, d⟩
    assert r["loss_grad_norm_min"] > 0
    assert r["loss_slope_fd_gap"] < 1e-4
    assert r["accuracy_fit"] > r["accuracy_start"]


def test_01_fit_matches_scikit_learn(tmp_path_factory):
    pytest.importorskip("sklearn", reason="the breast cancer data ship with scikit-learn")
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    r, _, _ = ran("01", tmp_path_factory)
    data = load_breast_cancer()
    X = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    reference = LogisticRegression(C=1e6, max_iter=5000).fit(X, data.target)
    # the unregularised optimum fits the training set at least as well as our 300 steps
    assert r["accuracy_fit"] == pytest.approx(reference.score(X, data.target), abs=0.02)


def test_02_gradient_descent_table_by_hand(tmp_path_factory):
    loop = ran("02", tmp_path_factory)[0]["loop"]
    # f = x⁴/4 − x² + x/2, f'(x) = x³ − 2x + 1/2, x₀ = 2, η = 0.1
    x = [2.0]
    for _ in range(len(loop["x"]) - 1):
        x.append(x[-1] - 0.1 * (x[-1] ** 3 - 2 * x[-1] + 0.5))
    np.testing.assert_allclose(loop["x"], x, rtol=1e-12)
    np.testing.assert_allclose(loop["slopes"], [v**3 - 2 * v + 0.5 for v in x[:-1]], rtol=1e-12)
    assert loop["rule_gap"] < 1e-12
    # the minima are roots of x³ − 2x + 1/2 with f'' = 3x² − 2 > 0
    roots = np.sort(np.roots([1, 0, -2, 0.5]).real)
    np.testing.assert_allclose(loop["minima"], roots[[0, 2]], rtol=1e-9)
    assert loop["nearest_minimum"] == pytest.approx(roots[2])
    assert loop["final_x"] == pytest.approx(roots[2], abs=1e-3)


def test_02_steepest_descent_is_minus_the_normalised_gradient(tmp_path_factory):
    s = ran("02", tmp_path_factory)[0]["steepest"]
    # f = x² + 3y² at (1, 0.5): f' = (2x, 6y) = (2, 3)
    g = np.array([2.0, 3.0])
    np.testing.assert_allclose(s["gradient"], g)
    assert s["gradient_norm"] == pytest.approx(math.sqrt(13))
    # on a 0.1° grid the minimum of ‖g‖cos is within ‖g‖(1 − cos 0.05°) of −‖g‖
    assert s["min_slope"] == pytest.approx(-math.sqrt(13), abs=math.sqrt(13) * 4e-7)
    np.testing.assert_allclose(s["argmin_h"], -g / math.sqrt(13), atol=1e-3)
    assert s["argmin_deg"] == pytest.approx(180 + math.degrees(math.atan2(3, 2)), abs=0.1)


def test_03_critical_points_by_hand(tmp_path_factory):
    import sympy as sp

    r, _, _ = ran("03", tmp_path_factory)
    # f = 3x⁴ − 4x³ − 12x² + 5, f' = 12x(x − 2)(x + 1), f'' = 36x² − 24x − 24:
    # f''(−1) = 36 > 0, f''(0) = −24 < 0, f''(2) = 72 > 0; f(−1) = 0 > f(2) = −27
    one_d = {round(p[0][0], 9): (p[1], p[3]) for p in r["1d"]}
    assert one_d == {-1.0: ("minimum", False), 0.0: ("maximum", False), 2.0: ("minimum", True)}
    # x³ + y³ − 3xy: ∇ = (3x² − 3y, 3y² − 3x) = 0 at (0, 0) and (1, 1); the Hessians
    # [[0, −3], [−3, 0]] (indefinite) and [[6, −3], [−3, 6]] (positive definite)
    kinds = {p[0]: p[1] for p in r["second_order"]["x**3 + y**3 - 3*x*y"]}
    assert kinds == {(0.0, 0.0): "saddle", (1.0, 1.0): "minimum"}
    degenerate = {f: [p[1] for p in found] for f, found in r["degenerate"].items()}
    assert degenerate == {
        "x**4 + y**4": ["minimum"],
        "x**3 - 3*x*y**2": ["saddle"],
        "(y - x**2)*(y - 2*x**2)": ["saddle"],
    }
    # Peano: (y − x²)(y − 2x²) at y = 3x²/2 is (x²/2)(−x²/2) = −x⁴/4
    along = r["peano_along_curve"]
    (t,) = along.free_symbols
    assert sp.simplify(along + t**4 / 4) == 0


def test_04_taylor_remainders_shrink_with_the_right_order(tmp_path_factory):
    r, _, _ = ran("04", tmp_path_factory)
    # the remainder of the order-k Taylor polynomial is O(h^(k+1)): slopes 2 and 3 on log-log
    np.testing.assert_allclose(r["slopes_1d"], [2, 3], atol=0.1)
    np.testing.assert_allclose(r["slopes_2d"], [2, 3], atol=0.1)
    assert r["quadratic_matches_taylor"] is True


def test_05_definiteness_from_the_eigenvalues(tmp_path_factory):
    r, _, _ = ran("05", tmp_path_factory)
    # [[2, −1], [−1, 1]]: λ = (3 ± √5)/2, both > 0; condition (3 + √5)/(3 − √5)
    name = "[[2, -1], [-1, 1]]"
    np.testing.assert_allclose(r["eigenvalues"][name], [(3 - 5**0.5) / 2, (3 + 5**0.5) / 2])
    assert r["condition"][name] == pytest.approx((3 + 5**0.5) / (3 - 5**0.5))
    expected = {
        "I": "positive definite",
        "diag(4, 1)": "positive definite",
        name: "positive definite",
        "diag(1, -1)": "indefinite",
        "diag(-1, 1)": "indefinite",
        "diag(-4, 1)": "indefinite",
    }
    assert r["definiteness"] == expected


def test_06_lecture_step_sits_on_the_stability_boundary(tmp_path_factory):
    r, _, _ = ran("06", tmp_path_factory)
    # f = xᵀHx: factors 1 − 2ηλ; diag(10, 1), η = 0.1: (−1, 0.8), ρ = 1
    boundary, small = "diag(10, 1), lr=0.1, scale=1", "diag(10, 1), lr=0.01, scale=1"
    assert r["regime"][boundary] == "boundary"
    assert r["rho"][boundary] == pytest.approx(1.0)
    # η = 0.01: factors (0.8, 0.98), ρ = 0.98 < 1
    assert r["regime"][small] == "convergent"
    assert r["rho"][small] == pytest.approx(0.98)
    assert r["measured"][small] == pytest.approx(0.98, abs=1e-3)
    # diag(9.9, 1), η = 0.1: factor −0.98 on x₁
    assert r["rho"]["diag(9.9, 1), lr=0.1, scale=1"] == pytest.approx(0.98)
    # f = ½xᵀHx halves the curvature: diag(10, 1) at η = 0.1 has factors (0, 0.9)
    assert r["regime"]["diag(10, 1), lr=0.1, scale=0.5"] == "convergent"
    assert r["rho"]["diag(10, 1), lr=0.1, scale=0.5"] == pytest.approx(0.9)


def test_09_momentum_beats_plain_gradient_descent(tmp_path_factory):
    r, _, _ = ran("09", tmp_path_factory)
    heavy, plain = "diag(9.9, 1), lr=0.1, mu=0.5, scale=1", "diag(9.9, 1), lr=0.1, mu=0, scale=1"
    # heavy ball per direction: z² − (1 + μ − 2ηλ)z + μ; for λ = 9.9 and 1 the
    # discriminant is negative, so both roots have modulus √μ = √0.5
    assert r["rho"][heavy] == pytest.approx(math.sqrt(0.5))
    assert r["rho"][plain] == pytest.approx(0.98)
    assert r["rho"][heavy] < r["rho"][plain]
    assert r["steps_to_1e6"][heavy] < r["steps_to_1e6"][plain]
    assert r["measured"][heavy] == pytest.approx(math.sqrt(0.5), abs=1e-3)


def test_07_unit_free_rules_take_the_same_path_in_any_units(tmp_path_factory):
    r, _, _ = ran("07", tmp_path_factory)
    # preconditioned (M ∝ 1/curvature), Newton and Adadelta are invariant to rescaling
    # the coordinates, so km/mm and m/mm runs coincide up to rounding
    assert set(r["same_path_gap"]) >= {"preconditioned", "newton"}
    assert max(r["same_path_gap"].values()) < 1e-9


def test_11_minibatch_spread_and_noise_ball_match_theory(tmp_path_factory):
    r, _, _ = ran("11", tmp_path_factory)
    spread = r["batch_spread"]  # K -> (measured, predicted) spread of the batch risk
    n = 200_000
    # the mean of K of N draws without replacement: sd ∝ √((N − K)/(N − 1)) / √K
    for k in (32, 1024):
        by_hand = spread[1][1] * math.sqrt((n - k) / (n - 1) / k)
        assert spread[k][1] == pytest.approx(by_hand, rel=1e-9)
    for measured, predicted in spread.values():
        assert measured == pytest.approx(predicted, rel=0.15)
    for label, predicted in r["noise_ball_theory"].items():
        assert r["noise_ball"][label]["last 300 steps"] == pytest.approx(predicted, rel=0.2)
    # a constant step 5 × larger gives a noise ball about 5 × larger
    ratio = r["noise_ball_theory"]["η = 0.1"] / r["noise_ball_theory"]["η = 0.02"]
    assert 4 < ratio < 6


def test_12_noise_escapes_the_saddle_and_no_noise_stays(tmp_path_factory):
    r, _, _ = ran("12", tmp_path_factory)
    stayed, times = r["stayed"], r["escape_times"]
    seeds = len(times[0.0])
    assert stayed[0.0] == seeds  # ∇f(0) = 0: gradient descent never moves
    assert stayed[0.1] == 0 and stayed[1.0] == 0
    medians = {s2: float(np.median(times[s2])) for s2 in (0.1, 1.0)}
    assert medians[1.0] < medians[0.1]
    # linearised saddle (f'' = −4 along x, η = 0.02): x_t ≈ (1 + 4η)^t S with
    # S ~ N(0, η²σ²/((1 + 4η)² − 1)); median |S| = 0.6745 sd; leaving radius 0.5 takes
    # [ln(0.5/|S|) − ½ ln(1 − 0.25)] / ln(1 + 4η) steps
    eta, growth = 0.02, 1.08
    for s2, measured in medians.items():
        sd = eta * math.sqrt(s2) / math.sqrt(growth**2 - 1)
        tau = (math.log(0.5 / (0.6744897501960817 * sd)) - 0.5 * math.log(0.75)) / math.log(growth)
        assert r["predicted_median"][s2] == pytest.approx(tau, rel=1e-6)
        assert measured == pytest.approx(tau, rel=0.15)


def test_13_early_stopping_picks_the_least_validation_risk(tmp_path_factory):
    r, _, _ = ran("13", tmp_path_factory)
    steps, validation = np.asarray(r["steps"]), np.asarray(r["validation_values"])
    at = int(np.flatnonzero(steps == r["early_stop_step"])[0])
    assert validation[at] == pytest.approx(validation.min())
    assert r["test_at_early_stop"] < r["test_at_end"]
    assert np.asarray(r["train_values"])[-1] < np.asarray(r["train_values"])[at]


def test_15_animations_show_the_predicted_distances(tmp_path_factory):
    r, _, _ = ran("15", tmp_path_factory)
    # x_t = (1 − 2ηλ)ᵗ x₀ per axis from x₀ = (−1.5, 1), η = 0.1, 40 steps
    gd = r["gd_boundary"]["distance"]
    assert gd["diag(10, 1)"] == pytest.approx(math.hypot(1.5, 0.8**40), rel=1e-9)
    assert gd["diag(9.9, 1)"] == pytest.approx(math.hypot(1.5 * 0.98**40, 0.8**40), rel=1e-9)
    m = r["momentum"]["distance"]
    # momentum's rate √0.5 vs gradient descent's 0.98: after 40 steps ~1e-6 vs ~0.67
    assert m["momentum, μ = 0.5"] < 1e-4 < 0.5 < m["gradient descent"]
    sgd = r["sgd"]["distance"]
    assert sgd["gradient descent (all 500)"] < 1e-2 < sgd["SGD (batches of 10)"]
    for part in ("gd_boundary", "momentum", "sgd"):
        assert r[part]["frames"] >= 10
        assert r[part]["bytes"] <= 1_500_000


# -- the command ---------------------------------------------------------------------


def test_tour_command_writes_an_index_with_both_titles(tmp_path, capsys):
    assert main(["tour", "--out", str(tmp_path), "--only", "01", "02", "--no-progress"]) == 0
    page = (tmp_path / "index.html").read_text(encoding="utf-8")
    for number in ("01", "02"):
        title = load_example(PATHS[BY_NUMBER[number]]).__doc__.strip().splitlines()[0]
        assert html.escape(title) in page
    assert "03_" not in page
    summary = capsys.readouterr().out
    assert "2 examples in" in summary


def test_tour_list_names_every_example(capsys):
    assert main(["tour", "--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == list(PATHS)
