"""symopt.explain: every number against a value worked by hand in the comments.

Conventions: the local model is f(x*) + ½hᵀHh, GD converges locally iff 0 < η < 2/λ_max,
η* = 2/(λ_min + λ_max), rate (κ − 1)/(κ + 1); the heavy ball's optimum is
η* = (2/(√λ_min + √λ_max))², μ* = ((√κ − 1)/(√κ + 1))², rate (√κ − 1)/(√κ + 1).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

import symopt
from symopt import optim
from symopt.cli import main
from symopt.errors import ChoiceError, HyperparameterError, ParseError
from symopt.explain.optimizer import resolve
from symopt.explain.runs import FACTORS


def _momentum_optimum(lo: float, hi: float) -> tuple[float, float, float]:
    rate = (math.sqrt(hi) - math.sqrt(lo)) / (math.sqrt(hi) + math.sqrt(lo))
    return (2 / (math.sqrt(lo) + math.sqrt(hi))) ** 2, rate**2, rate


def test_quadratic_with_off_diagonal_terms():
    # f = x² + xy + y²: H = [[2, 1], [1, 2]], eigenvalues 1 and 3 (vectors (1, −1), (1, 1)),
    # κ = 3, limit 2/3, η* = 2/4 = 1/2, rate 2/4 = 1/2; GD at η = 0.5: factors 1 − 0.5·1 and
    # 1 − 0.5·3 = ±0.5, ρ = 0.5
    e = symopt.explain("x**2 + x*y + y**2", optim.gd(lr=0.5))
    (m,) = e.minima
    assert m.point == {sym: 0 for sym in e.objective.variables}
    assert [float(v) for v in m.hessian_eigenvalues] == [1.0, 3.0]
    assert m.condition_number == pytest.approx(3)
    assert m.gd_stability_limit == pytest.approx(2 / 3)
    assert m.gd_optimal_lr == pytest.approx(0.5)
    assert m.gd_optimal_rate == pytest.approx(0.5)
    assert m.momentum_optimal == pytest.approx(_momentum_optimum(1, 3))
    assert m.predicted_rate == pytest.approx(0.5)
    assert m.measured_rate == pytest.approx(0.5, abs=1e-4)
    assert m.rates_agree and e.saddles == []


def _cubic_points():
    # ∂f/∂y = 2y + x = 0 → y = −x/2; ∂f/∂x = 4x³ − 6x + y + 1 = 4x³ − 6.5x + 1 = 0
    xs = np.sort(np.roots([4, 0, -6.5, 1]).real)
    points = []
    for x in xs:
        a, d = 12 * x**2 - 6, 2.0  # H = [[12x² − 6, 1], [1, 2]]
        mid, half = (a + d) / 2, math.hypot((a - d) / 2, 1)
        points.append((np.array([x, -x / 2]), mid - half, mid + half))
    return points  # ascending x: minimum, saddle, minimum


def test_two_minima_with_different_limits_and_a_saddle():
    (left, lo1, hi1), (mid, slo, _), (right, lo2, hi2) = _cubic_points()
    e = symopt.explain("x**4 - 3*x**2 + y**2 + x*y + x", optim.momentum(lr=0.05, mu=0.5))
    assert len(e.minima) == 2 and len(e.saddles) == 1
    m1, m2 = sorted(e.minima, key=lambda m: m.x[0])
    for m, x, lo, hi in ((m1, left, lo1, hi1), (m2, right, lo2, hi2)):
        assert m.x == pytest.approx(x, abs=1e-9)
        assert m.eigenvalues == pytest.approx([lo, hi], rel=1e-9)
        assert m.gd_stability_limit == pytest.approx(2 / hi, rel=1e-9)
        assert m.gd_optimal_lr == pytest.approx(2 / (lo + hi), rel=1e-9)
        assert m.gd_optimal_rate == pytest.approx((hi - lo) / (hi + lo), rel=1e-9)
        assert m.momentum_optimal == pytest.approx(_momentum_optimum(lo, hi), rel=1e-9)
        # η = 0.05, μ = 0.5: 0.05·λ ≤ 0.8 < (1 − √0.5)² ... both directions under-damped
        # since (1 + μ − ηλ)² < 4μ = 2 for ηλ in (0.09, 0.8): every root has |z| = √μ
        assert m.predicted_rate == pytest.approx(math.sqrt(0.5))
        assert m.measured_rate == pytest.approx(math.sqrt(0.5), abs=1e-3)
    assert 2 / hi1 < 2 / hi2  # the deep minimum is the sharper one
    (s,) = e.saddles
    assert s.x == pytest.approx(mid, abs=1e-9)
    assert s.escape_eigenvalues == pytest.approx([slo], rel=1e-9)
    # the eigenvector of slo for [[a, 1], [1, 2]] is ∝ (1, slo − a), a = 12x² − 6
    a = 12 * mid[0] ** 2 - 6
    v = np.array([1.0, slo - a]) / math.hypot(1.0, slo - a)
    assert abs(float(s.escape_directions[0] @ v)) == pytest.approx(1, abs=1e-9)
    assert [float(g) for g in s.growth_factors] == pytest.approx([1 + 0.05 * abs(slo)], rel=1e-9)


def test_stability_runs_converge_below_the_limit_and_not_above():
    e = symopt.explain("x**4 - 3*x**2 + y**2 + x*y + x")
    runs = e.runs
    assert runs.x.shape[1:3] == (2, len(FACTORS))
    end = np.asarray(runs.final_x)
    for i, m in enumerate(e.minima):
        gaps = np.linalg.norm(end[i] - m.x, axis=-1)
        assert gaps[0] < 1e-12 and gaps[1] < 1e-12  # 0.5× and 0.99× the limit
        start = np.linalg.norm(runs.x[0, i, 2] - m.x)
        assert gaps[2] > start  # 1.01×: the run leaves the minimum
    # no optimizer: rates of GD at each minimum's own η*, measured on f
    for m in e.minima:
        assert m.measured_rate == pytest.approx(m.gd_optimal_rate, abs=1e-3)


def test_rosenbrock():
    # H(1, 1) = [[1200x² − 400y + 2, −400x], [−400x, 200]] = [[802, −400], [−400, 200]];
    # trace 1002, det 400: λ = 501 ± √(501² − 400) = 501 ± √250601
    e = symopt.explain("(1 - x)**2 + 100*(y - x**2)**2", optim.gd(lr=0.001))
    (m,) = e.minima
    lo, hi = 501 - math.sqrt(250601), 501 + math.sqrt(250601)
    assert [float(v) for v in m.hessian_eigenvalues] == pytest.approx([lo, hi])
    assert m.condition_number == pytest.approx(hi / lo)
    assert m.gd_stability_limit == pytest.approx(2 / hi)
    assert m.gd_optimal_lr == pytest.approx(2 / 1002)
    assert m.gd_optimal_rate == pytest.approx((hi - lo) / 1002)
    assert m.predicted_rate == pytest.approx(1 - 0.001 * lo)  # the slow direction
    assert m.measured_rate == pytest.approx(1 - 0.001 * lo, abs=1e-5)
    assert "sqrt(250601)" in e.to_text()


def test_degenerate_minimum_has_no_linear_rate():
    # f = x⁴ + y²: H(0) = diag(0, 2); GD's limit 2/2 = 1 from y, no optimum, κ = ∞;
    # along x, x ← x − 4ηx³ creeps (sublinear): the linear model's ρ = |1 − η·0| = 1
    e = symopt.explain("x**4 + y**2", optim.gd(lr=0.5))
    (m,) = e.minima
    assert m.degenerate and m.condition_number == math.inf
    assert m.gd_stability_limit == pytest.approx(1.0)
    assert m.gd_optimal_lr is None and m.gd_optimal_rate is None and m.momentum_optimal is None
    assert m.predicted_rate == 1.0
    assert 0.99 < m.measured_rate <= 1.0 + 1e-9
    assert "no linear rate" in e.to_text()


def test_saddle_only_and_no_critical_point():
    # f = x² − y²: one saddle, H = diag(2, −2); at η = 0.1 the y direction grows by
    # 1 + 0.1·2 = 1.2 per step
    e = symopt.explain("x**2 - y**2", optim.gd(lr=0.1))
    assert e.minima == [] and len(e.saddles) == 1
    (s,) = e.saddles
    assert np.abs(s.escape_directions) == pytest.approx(np.array([[0.0, 1.0]]))
    assert [float(g) for g in s.growth_factors] == pytest.approx([1.2])
    assert "no isolated strict minimum" in e.to_text()
    # no η given: the growth factor as a function of η
    (s,) = symopt.explain("x**2 - y**2").saddles
    assert str(s.growth_factors[0]) == "2*eta + 1"
    # ∇f = (3x², 1) never vanishes
    e = symopt.explain("x**3 + y")
    assert e.minima == [] and e.saddles == []
    assert "no critical point at all" in e.to_text()


def test_family_of_minima_is_named_with_its_curvature_across():
    # f = (x² + y² − 1)²: minima on the circle, Hessian eigenvalues 0 (along) and 8
    # (across: f ≈ (2r·dr)² = 4dr² → second derivative 8): GD settles iff η < 2/8
    e = symopt.explain("(x**2 + y**2 - 1)**2")
    assert e.minima == [] and len(e.families) == 1
    assert "0 < η < 0.25" in e.to_text()


def test_units_table_for_an_objective_with_units():
    f = symopt.Objective("x1**2 + x2**2", units={"x1": "km", "x2": "mm"}, value_units="J")
    e = symopt.explain(f, optim.gd(lr=0.1))
    rules = {r.rule: r for r in e.units}
    # gd: η needs km²/J and mm²/J (x/∂f = km/(J/km)); a bare η is inconsistent
    assert rules["gd"].consistent is False
    assert [str(u) for u in rules["gd"].required_lr_units] == ["km²/J", "mm²/J"]
    assert rules["preconditioned"].consistent is True
    assert e.optimizer_units.rule == "gd"
    assert "Units" in e.to_markdown()


def test_bad_input_raises_the_specific_error():
    with pytest.raises(ParseError):
        symopt.explain("x**")
    with pytest.raises(ChoiceError, match="'adam'"):
        symopt.explain("x**2", "adma")
    with pytest.raises(HyperparameterError, match="lr"):
        resolve("gd", {"lr": -1.0})
    with pytest.raises(HyperparameterError, match=r"named symopt\.optim"):
        symopt.explain("x**2", object())


def test_named_optimizers_carry_name_and_hyperparams():
    opt = optim.momentum(lr=0.05, mu=0.5)
    assert (opt.name, opt.hyperparams) == ("momentum", {"lr": 0.05, "mu": 0.5})
    adam = optim.adam(lr=0.1)
    assert adam.name == "adam" and adam.hyperparams["betas"] == (0.9, 0.999)
    assert optim.trace(0.5).name == "" and optim.trace(0.5).hyperparams == {}
    assert optim.scale_by_lr(0.1).init(np.zeros(2)) is not None  # still (init, update, ...)


def test_cli_prints_the_report_and_writes_html(tmp_path, capsys):
    # f = x³ + y³ − 3xy: minimum (1, 1) with H = [[6, −3], [−3, 6]], λ = 3, 9: limit 2/9;
    # saddle (0, 0) with λ = ±3: growth 1 + 0.1·3 = 1.3 at η = 0.1; GD's ρ = |1 − 0.9| or
    # |1 − 0.3| = 0.7
    code = main(["explain", "x**3 + y**3 - 3*x*y", "--lr", "0.1", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    assert "0 < η < 2/λ_max = 0.222222" in out
    assert re.search(r"predicted rate ρ\s+0\.7 ", out)
    assert re.search(r"1 \+ η\|λ\| at η = 0\.1\s+1\.3", out)
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert page.count("<img ") == page.count("data:image/png;base64,") >= 3
    assert "http" not in page.split("<body>")[0] and "<script" not in page


@pytest.mark.parametrize(
    "args",
    [
        ["x**"],
        ["x**2", "--optimizer", "adma", "--lr", "0.1"],
        ["x**2", "--lr", "-1"],
        ["x**2", "--lr", "abc"],
        ["x**2", "--optimizer", "momentum", "--lr", "0.1"],
        ["x**2", "--lr", "0.1", "--foo", "1"],
    ],
)
def test_cli_bad_input_exits_2_without_a_traceback(args, capsys):
    assert main(["explain", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("symopt explain: error:") and "Traceback" not in err
