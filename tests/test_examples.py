"""The tour: every ``examples/NN_*.py`` runs headless, draws real pictures and prints
the numbers the theory predicts.

Each example runs once per session (the ``examples`` fixture of ``conftest.py``); the
per-example test checks its files (every PNG a non-blank image, every GIF animated)
and its notes, and the tests below read the numbers from the dicts the examples
return, against closed forms derived by hand in the comments.  Running the whole tour
takes about as long as ``symopt tour`` (a minute or two on two busy cores): deselect it
with ``-m "not examples"``.  ``symopt tour`` itself, from an installed wheel, is
tests/test_wheel.py.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

from symopt.cli import main
from symopt.tour import example_paths

pytestmark = pytest.mark.examples

NAMES = [p.stem for p in example_paths()]
MIN, MAX, SAD = "minimum", "maximum", "saddle"


def test_the_tour_has_the_lectures_sections(examples):
    numbers = sorted(examples.paths)
    assert len(NAMES) >= 6
    assert {"01", "02", "06", "09", "15"} <= set(numbers)
    assert len(numbers) == len(NAMES), "two examples share a number"


def test_tour_list_names_every_example(capsys):
    assert main(["tour", "--list"]) == 0
    listed = capsys.readouterr().out.split()
    assert listed == NAMES


# -- every example -----------------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_example_runs_draws_and_prints(name, examples, check_picture):
    ran = examples[name[:2]]
    assert (ran.module.__doc__ or "").strip(), (
        f"{name} needs a docstring whose first line is a title"
    )
    assert "script_main(run)" in examples.paths[name[:2]].read_text(encoding="utf-8")

    assert isinstance(ran.result, dict) and ran.result
    assert ran.pictures, f"{name} wrote no figure"
    for file in ran.pictures:
        check_picture(file)
    for file in ran.result.get("files", []):
        assert (ran.folder / file).is_file(), f"{name} returns {file}, which it did not write"
    assert any(ch.isdigit() for ch in ran.notes), f"{name} prints no numbers"


# -- 01_surrogate ----------------------------------------------------------------------


def test_01_accuracy_is_flat_almost_everywhere_and_the_loss_is_not(examples):
    r = examples["01"].result
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


def test_01_fit_matches_scikit_learn(examples):
    pytest.importorskip("sklearn", reason="the breast cancer data ship with scikit-learn")
    from sklearn.datasets import load_breast_cancer
    from sklearn.linear_model import LogisticRegression

    r = examples["01"].result
    data = load_breast_cancer()
    X = (data.data - data.data.mean(axis=0)) / data.data.std(axis=0)
    reference = LogisticRegression(C=1e6, max_iter=5000).fit(X, data.target)
    # the unregularised optimum fits the training set at least as well as our 300 steps
    assert r["accuracy_fit"] == pytest.approx(reference.score(X, data.target), abs=0.02)


# -- 02_optimization_loop --------------------------------------------------------------


def test_02_gradient_descent_table_by_hand(examples):
    loop = examples["02"].result["loop"]
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


def test_02_steepest_descent_is_minus_the_normalised_gradient(examples):
    s = examples["02"].result["steepest"]
    # f = x² + 3y² at (1, 0.5): f' = (2x, 6y) = (2, 3)
    g = np.array([2.0, 3.0])
    np.testing.assert_allclose(s["gradient"], g)
    assert s["gradient_norm"] == pytest.approx(math.sqrt(13))
    # on a 0.1° grid the minimum of ‖g‖cos is within ‖g‖(1 − cos 0.05°) of −‖g‖
    assert s["min_slope"] == pytest.approx(-math.sqrt(13), abs=math.sqrt(13) * 4e-7)
    np.testing.assert_allclose(s["argmin_h"], -g / math.sqrt(13), atol=1e-3)
    assert s["argmin_deg"] == pytest.approx(180 + math.degrees(math.atan2(3, 2)), abs=0.1)


# -- 03_critical_points ----------------------------------------------------------------


def test_03_critical_points_by_hand(examples):
    r = examples["03"].result
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


def test_03_fermat_and_the_second_order_test(examples):
    ran = examples["03"]
    result = ran.result
    # f' = 12x(x − 2)(x + 1): local min at −1, max at 0, global min at 2
    kinds = [(at, kind, glob) for at, kind, _, glob, _ in result["1d"]]
    assert kinds == [((-1.0,), MIN, False), ((0.0,), MAX, False), ((2.0,), MIN, True)]
    assert [s[0][1] for s in result["second_order"].values()] == [MIN, MAX, SAD, SAD]
    assert [s[0][1] for s in result["degenerate"].values()] == [MIN, SAD, SAD]
    t = sp.Symbol("t", real=True)
    assert sp.expand(result["peano_along_curve"] + t**4 / 4) == 0
    assert {"03_critical_points_1d.png", "03_critical_points_second_order.png"} <= {
        p.name for p in ran.folder.iterdir()
    }
    assert "Fermat: f'(2) = 0" in ran.notes


# -- 04_taylor -------------------------------------------------------------------------


def test_04_taylor_errors_and_their_limits(examples):
    ran = examples["04"]
    result = ran.result
    # errors O(|h|²) and O(|h|³): log-log slopes 2 and 3
    for s1, s2 in (result["slopes_1d"], result["slopes_2d"]):
        assert s1 == pytest.approx(2, abs=0.05) and s2 == pytest.approx(3, abs=0.05)
    # err/h² → |f''(a)|/2 and err/h³ → |f'''(a)|/6 for sin x + x²/4 at 1:
    # f'' = −sin 1 + 1/2, f''' = −cos 1
    assert result["limits_1d"] == pytest.approx(
        (abs(0.5 - np.sin(1)) / 2, np.cos(1) / 6), rel=1e-12
    )
    assert result["ratios_1d"] == pytest.approx(result["limits_1d"], rel=2e-3)
    assert result["quadratic_matches_taylor"] is True
    assert len(list(ran.folder.glob("04_*.png"))) == 3


# -- 05_quadratic_forms ----------------------------------------------------------------


# the lecture's six matrices, worked by hand: definiteness, eigenvalues, condition number
LECTURE_FORMS = {
    "I": ("positive definite", [1, 1], 1),
    "diag(4, 1)": ("positive definite", [1, 4], 4),
    "[[2, -1], [-1, 1]]": (
        "positive definite",
        [(3 - math.sqrt(5)) / 2, (3 + math.sqrt(5)) / 2],
        (7 + 3 * math.sqrt(5)) / 2,
    ),
    "diag(1, -1)": ("indefinite", [-1, 1], 1),
    "diag(-1, 1)": ("indefinite", [-1, 1], 1),
    "diag(-4, 1)": ("indefinite", [-4, 1], 4),
}


def test_05_quadratic_forms_by_hand(examples):
    ran = examples["05"]
    result = ran.result
    assert list(result["definiteness"]) == list(LECTURE_FORMS)
    for name, (label, eigenvalues, kappa) in LECTURE_FORMS.items():
        assert result["definiteness"][name] == label
        assert result["eigenvalues"][name] == pytest.approx(eigenvalues)
        assert result["condition"][name] == pytest.approx(kappa)
    files = {p.name for p in ran.folder.iterdir()}
    assert {f"05_quadratic_{k}.png" for k in range(1, 7)} | {"05_quadratic_overview.png"} <= files
    assert all((ran.folder / f).stat().st_size > 10_000 for f in files)


# -- 06_gradient_descent ---------------------------------------------------------------


def test_06_lecture_step_sits_on_the_stability_boundary(examples):
    r = examples["06"].result
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


def test_06_regimes_rates_and_measurements(examples):
    ran = examples["06"]
    result = ran.result
    for file in result["files"]:
        assert Path(file).stat().st_size > 10_000
    regime = result["regime"]
    assert regime["diag(10, 1), lr=0.1, scale=1"] == "boundary"
    assert regime["diag(10, 1), lr=0.1, scale=0.5"] == "convergent"
    assert regime["diag(9.9, 1), lr=0.1, scale=1"] == "convergent"
    assert result["rho"]["diag(9.9, 1), lr=0.1, scale=1"] == pytest.approx(0.98)
    assert result["steps_to_1e-6"]["diag(10, 1), lr=0.1, scale=1"] == math.inf
    for k, rho in result["rho"].items():
        assert result["measured"][k] == pytest.approx(rho, abs=1e-6)
    assert "boundary" in ran.notes and "f = ½xᵀHx" in ran.notes


# -- 07_units --------------------------------------------------------------------------


def test_07_unit_free_rules_take_the_same_path_in_any_units(examples):
    r = examples["07"].result
    # preconditioned (M ∝ 1/curvature), Newton and Adadelta are invariant to rescaling
    # the coordinates, so km/mm and m/mm runs coincide up to rounding
    assert set(r["same_path_gap"]) >= {"preconditioned", "newton"}
    assert max(r["same_path_gap"].values()) < 1e-9


def test_07_units_refusal_table_and_single_eta(examples):
    from symopt.units import check_all

    ran = examples["07"]
    result = ran.result
    for f in result["files"]:
        assert Path(f).stat().st_size > 10_000
    assert "Cannot convert from 'kilometer'" in result["refusal"]
    assert result["table"] == str(check_all("J", {"x1": "km", "x2": "mm"}))
    # GD with η = 0.1 on bare magnitudes: in (km, mm) x1 ← (1 − 2·0.1·1)x1 = 0.8 x1;
    # in (m, mm) a = 10⁻⁶ J/m², so x1 ← (1 − 2·10⁻⁷)x1; in (ft, inch) b = 3·25.4² J/inch²
    # and x2 ← (1 − 0.2·1935.48)x2 diverges
    assert result["plain_gd_final"]["km, mm"][0] == pytest.approx(0.8**30)
    assert result["plain_gd_final"]["m, mm"][0] == pytest.approx((1 - 2e-7) ** 30)
    assert result["plain_gd_status"] == {
        "km, mm": "max_steps",
        "m, mm": "max_steps",
        "ft, inch": "diverged",
    }
    assert max(result["same_path_gap"].values()) < 1e-12
    # one η in m²/J: x1 halves in 100 steps iff (1 − 2·10⁻⁶η)¹⁰⁰ ≤ ½, i.e. η ≥ 3466; x2
    # does iff |1 − 6·10⁶η|¹⁰⁰ ≤ ½, i.e. η ≤ 3.32·10⁻⁷ (grid: 10^(k/4))
    assert result["x1_moves_from"] == pytest.approx(10**3.75)
    assert result["x2_stable_up_to"] == pytest.approx(10**-6.5)
    assert result["eta_for_both"] == 0
    assert "values of η that halve both: 0 of 97" in ran.notes


# -- 08_rmsprop ------------------------------------------------------------------------


def test_08_rmsprop_effective_steps(examples):
    ran = examples["08"]
    ex, result = ran.module, ran.result
    for f in result["files"]:
        assert (ran.folder / f).stat().st_size > 0
    gd_label, rms_label = list(result["effective"])
    gd, rms = np.array(result["effective"][gd_label]), np.array(result["effective"][rms_label])
    np.testing.assert_allclose(gd, ex.GD_LR, rtol=1e-9)  # GD: the same η everywhere
    # RMSProp's first step, by hand: v = (1-β) g², η_i = lr / (√v_i + ε) with g = H x0
    g0 = ex.CURVATURES * np.array(ex.X0)
    expected = ex.RMS_LR / (np.sqrt((1 - ex.BETA) * g0**2) + 1e-8)
    np.testing.assert_allclose(rms[0], expected, rtol=1e-9)
    assert result["final_value"][rms_label] < result["final_value"][gd_label]
    assert "effective step size" in ran.notes


# -- 09_momentum -----------------------------------------------------------------------


def test_09_momentum_beats_plain_gradient_descent(examples):
    r = examples["09"].result
    heavy, plain = "diag(9.9, 1), lr=0.1, mu=0.5, scale=1", "diag(9.9, 1), lr=0.1, mu=0, scale=1"
    # heavy ball per direction: z² − (1 + μ − 2ηλ)z + μ; for λ = 9.9 and 1 the
    # discriminant is negative, so both roots have modulus √μ = √0.5
    assert r["rho"][heavy] == pytest.approx(math.sqrt(0.5))
    assert r["rho"][plain] == pytest.approx(0.98)
    assert r["rho"][heavy] < r["rho"][plain]
    assert r["steps_to_1e6"][heavy] < r["steps_to_1e6"][plain]
    assert r["measured"][heavy] == pytest.approx(math.sqrt(0.5), abs=1e-3)


def test_09_momentum_regimes_and_rates(examples):
    ran = examples["09"]
    result = ran.result
    for file in result["files"]:
        assert Path(file).stat().st_size > 10_000
    assert result["ball"]["regimes"] == ["over-damped", "critically damped", "under-damped"]
    assert result["ball"]["critical_mu"] == pytest.approx((1 - math.sqrt(0.05)) ** 2)
    k = "diag(9.9, 1), lr=0.1, mu=0.5, scale=1"
    assert result["regimes"][k] == ["under-damped", "under-damped"]
    assert result["rho"][k] == pytest.approx(math.sqrt(0.5))
    assert result["rho"]["diag(9.9, 1), lr=0.1, mu=0, scale=1"] == pytest.approx(0.98)
    for k, rho in result["rho"].items():
        assert result["measured"][k] == pytest.approx(rho, abs=1e-6)
    assert result["rate_map_gap"] < 1e-5
    assert "critically damped" in ran.notes


# -- 10_adaptive -----------------------------------------------------------------------


def test_10_adaptive_family_chooses_by_sweep(examples):
    ran = examples["10"]
    ex, result = ran.module, ran.result
    assert len(result["files"]) == 5 and all(p.endswith((".png", ".gif")) for p in result["files"])
    for f in result["files"]:
        assert (ran.folder / f).stat().st_size > 0
    quad, rosen = result["quadratic diag(9.9, 1)"], result["rosenbrock"]
    assert set(quad) == set(ex.OPTIMIZERS)
    # GD on ½ diag(9.9, 1): each coordinate shrinks by |1 - lr·h| per step and lr > 2/9.9
    # diverges, so the best lr of the grid minimises max(|1 - 9.9 lr|, |1 - lr|) below 2/9.9
    grid = ex.BASE[ex.BASE < 2 / 9.9]
    best = grid[np.argmin(np.maximum(np.abs(1 - 9.9 * grid), np.abs(1 - grid)))]
    assert quad["GD"]["lr"] == pytest.approx(best)
    for rows in (quad, rosen):
        for label, r in rows.items():
            assert np.isfinite(r["final_value"])
            assert np.isclose(ex.OPTIMIZERS[label][1], r["lr"], rtol=1e-12).any()
    assert rosen["Adam"]["final_value"] < 1e-6 and quad["RMSProp"]["steps_to_tol"] is not None
    assert "lr chosen by sweep" in ran.notes and "least final value" in ran.notes


# -- 11_sgd ----------------------------------------------------------------------------


def test_11_minibatch_spread_and_noise_ball_match_theory(examples):
    r = examples["11"].result
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


def test_11_sgd_figures_spread_scaling_and_real_data(examples):
    ran = examples["11"]
    result = ran.result
    for name in ("gd_vs_sgd", "noise_ball", "noise_ball_scaling", "breast_cancer"):
        assert (ran.folder / f"11_{name}.png").stat().st_size > 10_000
    for measured, theory in result["batch_spread"].values():
        assert measured == pytest.approx(theory, rel=0.1)
    for label, predicted in result["noise_ball_theory"].items():
        assert result["noise_ball"][label]["last 300 steps"] == pytest.approx(predicted, rel=0.15)
    for rows in result["scaling"].values():
        assert all(m == pytest.approx(p, rel=0.25) for _, m, p in rows)
    decaying = result["noise_ball"]["η_t = 0.1/(1 + 0.01 t)"]["final"]
    assert decaying < result["noise_ball_theory"]["η = 0.02"]
    assert all(r["test_accuracy"] > 0.9 for r in result["breast_cancer"].values())


# -- 12_saddle_escape ------------------------------------------------------------------


def test_12_noise_escapes_the_saddle_and_no_noise_stays(examples):
    r = examples["12"].result
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


def test_12_escape_figures_and_counts(examples):
    ran = examples["12"]
    result = ran.result
    assert (ran.folder / "12_saddle_paths.png").exists()
    assert (ran.folder / "12_escape_times.png").exists()
    assert result["stayed"] == {0.0: 1000, 0.1: 0, 1.0: 0}
    medians = {s: np.median(result["escape_times"][s]) for s in (0.1, 1.0)}
    assert medians[1.0] < medians[0.1]
    for s, predicted in result["predicted_median"].items():
        assert medians[s] == pytest.approx(predicted, rel=0.15)


# -- 13_generalization -----------------------------------------------------------------


def test_13_early_stopping_picks_the_least_validation_risk(examples):
    r = examples["13"].result
    steps, validation = np.asarray(r["steps"]), np.asarray(r["validation_values"])
    at = int(np.flatnonzero(steps == r["early_stop_step"])[0])
    assert validation[at] == pytest.approx(validation.min())
    assert r["test_at_early_stop"] < r["test_at_end"]
    assert np.asarray(r["train_values"])[-1] < np.asarray(r["train_values"])[at]


def test_13_training_falls_validation_turns(examples):
    ran = examples["13"]
    result = ran.result
    assert (ran.folder / "13_generalization.png").stat().st_size > 10_000
    train, val = result["train_values"], result["validation_values"]
    assert np.all(np.diff(train) <= 1e-12)  # GD with η < 2/λ_max on a quadratic never goes up
    best = int(np.argmin(val))
    assert 0 < best < len(val) - 1
    assert val[-1] > 2 * val[best]
    assert result["test_at_end"] > 2 * result["test_at_early_stop"]


# -- 14_landscape ----------------------------------------------------------------------


def test_14_landscape_figures_and_the_skip_connection_effect(examples):
    pytest.importorskip("sklearn", reason="the digits data ship with scikit-learn")
    ran = examples["14"]
    res = ran.result
    names = {p.name for p in ran.folder.glob("*.png")}
    assert names == {
        "14_slices_1d.png",
        "14_landscape_contours.png",
        "14_landscape_surfaces.png",
        "14_path_pca.png",
    }
    # 64 inputs, 20 hidden layers of width 16, 10 classes: weights and biases of each layer
    assert res["parameters"] == 64 * 16 + 16 + 19 * (16 * 16 + 16) + 16 * 10 + 10
    assert res["pca_explained_skip"] <= 1.0 + 1e-12
    # the paper's observation, in numbers: the skip net's slice is less non-convex
    assert res["negative_curvature_skip"] < res["negative_curvature_no_skip"]
    assert res["max_over_min_skip"] < res["max_over_min_no_skip"]


# -- 15_animations ---------------------------------------------------------------------


def test_15_animations_show_the_predicted_distances(examples):
    r = examples["15"].result
    # x_t = (1 − 2ηλ)ᵗ x₀ per axis from x₀ = (−1.5, 1), η = 0.1, 40 steps
    gd = r["gd_boundary"]["distance"]
    assert gd["diag(10, 1)"] == pytest.approx(math.hypot(1.5, 0.8**40), rel=1e-9)
    assert gd["diag(9.9, 1)"] == pytest.approx(math.hypot(1.5 * 0.98**40, 0.8**40), rel=1e-9)
    m = r["momentum"]["distance"]
    # momentum's rate √0.5 vs gradient descent's 0.98: after 40 steps ~1e-6 vs ~0.67
    assert m["momentum, μ = 0.5"] < 1e-4 < 0.5 < m["gradient descent"]
    sgd = r["sgd"]["distance"]
    assert sgd["gradient descent (all 500)"] < 1e-2 < sgd["SGD (batches of 10)"]
    # the theory it prints: ‖x₀·(1 − 2ηλ)^40‖ and the rates 0.98 and √μ (two complex roots)
    assert r["gd_boundary"]["predicted"] == pytest.approx(
        {
            "diag(10, 1)": math.hypot(1.5, 0.8**40),
            "diag(9.9, 1)": math.hypot(1.5 * 0.98**40, 0.8**40),
        }
    )
    assert r["momentum"]["rate"] == pytest.approx({"gradient descent": 0.98, "momentum": 0.5**0.5})
    for part in ("gd_boundary", "momentum", "sgd"):
        assert r[part]["frames"] >= 10
        assert r[part]["bytes"] <= 1_500_000


# -- 16_explain ------------------------------------------------------------------------


def test_16_explain_two_minima_their_limits_and_the_runs(examples):
    ran = examples["16"]
    r = ran.result
    # ∂f/∂y = 2y + x = 0 → y = −x/2; ∂f/∂x = 4x³ − 6.5x + 1 = 0: roots ≈ −1.3457, 0.1562,
    # 1.1895; H = [[12x² − 6, 1], [1, 2]], λ = (a + 2)/2 ± √(((a − 2)/2)² + 1), a = 12x² − 6
    xs = np.sort(np.roots([4, 0, -6.5, 1]).real)

    def eig(x):
        a = 12 * x**2 - 6
        mid, half = (a + 2) / 2, math.hypot((a - 2) / 2, 1)
        return mid - half, mid + half

    minima = sorted(r["minima"])
    assert [m[0] for m in minima] == pytest.approx([xs[0], xs[2]], abs=1e-9)
    assert r["saddles"][0] == pytest.approx([xs[1], -xs[1] / 2], abs=1e-9)
    limits = dict(zip((round(m[0], 6) for m in r["minima"]), r["stability_limits"], strict=True))
    (lo1, hi1), (lo2, hi2) = eig(xs[0]), eig(xs[2])
    assert limits[round(xs[0], 6)] == pytest.approx(2 / hi1, rel=1e-9)  # ≈ 0.1266
    assert limits[round(xs[2], 6)] == pytest.approx(2 / hi2, rel=1e-9)  # ≈ 0.1804
    assert 2 / hi1 < 2 / hi2
    rates = dict(zip((round(m[0], 6) for m in r["minima"]), r["optimal_rate"], strict=True))
    assert rates[round(xs[0], 6)] == pytest.approx((hi1 - lo1) / (hi1 + lo1), rel=1e-9)
    assert rates[round(xs[2], 6)] == pytest.approx((hi2 - lo2) / (hi2 + lo2), rel=1e-9)
    # the heavy ball at η = 0.05, μ = 0.5 is under-damped in every direction: ρ = √μ
    assert r["predicted"] == pytest.approx([0.5**0.5] * 2)
    assert r["measured"] == pytest.approx([0.5**0.5] * 2, abs=1e-3)
    # GD at η = 0.05 grows the saddle's escape direction by 1 + 0.05·|λ_min| per step
    assert r["growth"][0] == pytest.approx([1 + 0.05 * abs(eig(xs[1])[0])], rel=1e-9)
    # the runs of the figure: 0.5× and 0.99× the limit converge, 1.01× does not
    for d in r["final_distances"]:
        assert d[0] < 1e-12 and d[1] < 1e-12 and d[2] > 1e-3
    page = (ran.folder / "16_explain_report.html").read_text(encoding="utf-8")
    assert page.count("data:image/png;base64,") == len(ran.pictures) == 3
    assert "0 < η < 2/λ_max = 0.126567" in ran.notes


# -- 17_edge_of_stability --------------------------------------------------------------


def test_17_sharpness_is_fixed_on_the_quadratic_and_finds_2_over_eta_on_the_network(examples):
    pytest.importorskip("sklearn", reason="the digits data ship with scikit-learn")
    ran = examples["17"]
    res = ran.result
    names = {p.name for p in ran.folder.glob("*.png")}
    assert names == {"17_edge_of_stability.png", "17_hessian_density.png"}
    # 64 inputs, three tanh layers of width 32, 10 outputs: weights and biases
    assert res["parameters"] == 64 * 32 + 32 + 2 * (32 * 32 + 32) + 32 * 10 + 10
    # f = xᵀHx, H = diag(10, 1): the Hessian 2H has λ_max = 20 everywhere, and GD
    # multiplies x₁ by 1 − 20η and x₂ by 1 − 2η each step, from x₀ = (−1.5, 1)
    quad = res["quadratic"]
    np.testing.assert_allclose(quad["sharpness"], 20.0, rtol=1e-10)
    for k, lr in enumerate((0.05, 0.09, 0.105)):
        t = 60
        expected = 10 * (1.5 * (1 - 20 * lr) ** t) ** 2 + ((1 - 2 * lr) ** t) ** 2
        assert quad["values"][-1, k] == pytest.approx(expected, rel=1e-9)
    runs = res["sharpness"]["runs"]
    for lr in (0.3, 0.4):  # Cohen et al.'s edge of stability: λ_max settles at 2/η
        assert runs[lr]["reached_at"] is not None
        assert 0.9 <= runs[lr]["late_ratio"] <= 1.1
        assert runs[lr]["loss_rises_after_edge"] > 0  # the loss falls, but not monotonically
        assert runs[lr]["loss_rises_before_edge"] == 0
    assert runs[0.2]["reached_at"] is None and runs[0.2]["max"] < 10.0  # 2/η = 10
    assert "never reaches the edge" in ran.notes
    assert res["density_weights"] == pytest.approx([1.0] * 4, abs=1e-12)
