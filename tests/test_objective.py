"""Objective: variables, derivatives, Taylor polynomials, points, errors.

Derivatives are checked against SymPy's own ``diff``/``hessian`` on expressions built
independently of the parser; Taylor polynomials against expansions worked by hand.
"""

import pytest
import sympy as sp

from symopt import (
    HyperparameterError,
    NotDifferentiableError,
    Objective,
    PointError,
    SymoptError,
    VariableError,
)
from symopt.symbolic.objective import MAX_TAYLOR_ORDER

x, y, z = sp.symbols("x y z", real=True)

EXPRESSIONS = [
    x**3 + y**3 - 3 * x * y,
    (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    sp.exp(x) * sp.cos(y) + sp.log(1 + x**2) * z,
    (x - y) ** 2 * sp.sin(z) + sp.sqrt(1 + x**2 + y**2),
    sp.tanh(x * y * z) + x**4 - y**4,
    (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
]


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_gradient_and_hessian_match_sympy(expr):
    variables = sorted(expr.free_symbols, key=str)
    f = Objective(expr)
    assert f.variables == tuple(variables)
    reference_gradient = sp.Matrix([expr.diff(v) for v in variables])
    assert sp.simplify(f.gradient - reference_gradient) == sp.zeros(len(variables), 1)
    assert sp.simplify(f.hessian - sp.hessian(expr, variables)) == sp.zeros(len(variables))


def test_gradient_of_a_long_chain_matches_sympy():
    # shifted copies of a term share a derivation; the result must still be per index
    v = sp.symbols("x1:13", real=True)
    expr = sp.Add(
        *[(v[i + 1] - v[i] ** 2) ** 2 * (i + 1) + sp.exp(v[i] * v[i + 2]) for i in range(10)]
    )
    f = Objective(expr)
    assert (f.gradient - sp.Matrix([expr.diff(s) for s in v])).expand() == sp.zeros(12, 1)
    assert (f.hessian - sp.hessian(expr, v)).expand() == sp.zeros(12)


def test_variables_default_to_natural_order():
    f = Objective("x10 + x2 + x1 + a")
    assert [s.name for s in f.variables] == ["a", "x1", "x2", "x10"]


@pytest.mark.parametrize("variables", ["y x", "y, x", ["y", "x"], (y, x)])
def test_variables_given_in_any_form(variables):
    f = Objective("x**2 + 3*y", variables)
    assert f.variables == (y, x)
    assert list(f.gradient) == [3, 2 * x]


def test_other_symbols_stay_parameters():
    f = Objective("a*x**2", "x")
    assert f.gradient == sp.Matrix([2 * sp.Symbol("a", real=True) * x])


def test_non_real_symbols_become_real():
    plain = sp.Symbol("x")
    f = Objective(sp.Abs(plain))
    assert f.variables == (x,)
    assert f.gradient[0] == sp.sign(x)  # for a complex x SymPy would give re/im terms


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ("x x", "repeat x"),
        (["x", 3], "symbols or names"),
        ([], "empty"),
        (["x-y"], "symbols or names"),
        (42, "sequence of symbols"),
    ],
)
def test_bad_variables(variables, message):
    with pytest.raises(VariableError, match=message):
        Objective("x + y", variables)


def test_expression_errors():
    with pytest.raises(VariableError, match="no variables"):
        Objective("3")
    with pytest.raises(SymoptError, match="scalar"):
        Objective(sp.Matrix([x, y]))
    with pytest.raises(SymoptError, match="text or a scalar SymPy expression"):
        Objective([x, y])
    assert Objective("3", "x").gradient == sp.Matrix([0])


def test_taylor_exp_cos_order_4():
    # exp(x) = 1 + x + x²/2 + x³/6 + x⁴/24 and cos(y) = 1 - y²/2 + y⁴/24; their product
    # truncated to total degree 4, multiplied out by hand:
    expected = (
        1
        + x
        + x**2 / 2
        - y**2 / 2
        + x**3 / 6
        - x * y**2 / 2
        + x**4 / 24
        - x**2 * y**2 / 4
        + y**4 / 24
    )
    got = Objective("exp(x)*cos(y)").taylor({"x": 0, "y": 0}, 4)
    assert sp.expand(got - expected) == 0


def test_taylor_is_truncated_by_total_degree():
    f = Objective("x*y + x**3*y**2")
    assert f.taylor([0, 0], 1) == 0  # x*y has total degree 2
    assert f.taylor([0, 0], 2) == x * y
    assert f.taylor([0, 0], 4) == x * y  # x³y² has total degree 5
    assert sp.expand(f.taylor([0, 0], 5) - f.expr) == 0


def test_taylor_at_a_point_is_in_powers_of_x_minus_a():
    # f = x² y at (1, 2): f = 2, ∇f = (2xy, x²) = (4, 1), H = [[2y, 2x], [2x, 0]] = [[4, 2], [2, 0]]
    # so q = 2 + 4(x-1) + (y-2) + ½(4(x-1)² + 4(x-1)(y-2))
    f = Objective("x**2*y")
    expected = 2 + 4 * (x - 1) + (y - 2) + 2 * (x - 1) ** 2 + 2 * (x - 1) * (y - 2)
    got = f.quadratic_approximation({"x": 1, "y": 2})
    assert sp.expand(got - expected) == 0
    assert got.has(x - 1)  # written in powers of x - a, not expanded
    assert sp.expand(f.taylor({"x": 1, "y": 2}, 3) - f.expr) == 0


def test_linear_approximation_is_the_tangent():
    f = Objective("x**2")
    assert sp.expand(f.linear_approximation([3]) - (9 + 6 * (x - 3))) == 0


def test_taylor_errors():
    f = Objective("abs(x) + y")
    with pytest.raises(NotDifferentiableError, match="Abs"):
        f.taylor([0, 1], 2)
    assert f.taylor([2, 1], 1) == x + y
    for order in (-1, 1.5, True, "2", MAX_TAYLOR_ORDER + 1, 10**100):
        with pytest.raises(HyperparameterError, match=r"order=.* an integer from 0 to 12") as e:
            Objective("x").taylor([0], order)
        assert e.value.name == "order"


def test_points_and_evaluation():
    f = Objective("x**2 + 3*y")
    assert f({"x": 2, y: 1}) == 7
    assert f([sp.Rational(1, 2), 0]) == sp.Rational(1, 4)
    assert f({"x": "1/2", "y": 0}) == sp.Rational(1, 4)
    assert f.subs(x=2) == 4 + 3 * y
    assert f.subs({y: 0}) == x**2
    with pytest.raises(PointError, match="misses y"):
        f({"x": 1})
    with pytest.raises(PointError, match="not a variable"):
        f({"x": 1, "y": 2, "z": 3})
    with pytest.raises(PointError, match="2 variables"):
        f([1, 2, 3])
    with pytest.raises(PointError, match="must be a number"):
        f([None, 1])


def test_display():
    f = Objective("x^2 + 3*y")
    assert repr(f) == "Objective(x**2 + 3*y, variables=(x, y))"
    assert f._repr_latex_() == "$f(x, y) = x^{2} + 3 y$"


# -- bounds of the Taylor polynomial (issue 18) ----------------------------------------------


def test_taylor_of_the_largest_order_is_exact_for_exp():
    # e^x at 1/3: coefficients e^(1/3)/k!, by hand
    got = Objective("exp(x)").taylor([sp.Rational(1, 3)], MAX_TAYLOR_ORDER)
    h = x - sp.Rational(1, 3)
    want = sum(sp.exp(sp.Rational(1, 3)) * h**k / sp.factorial(k) for k in range(13))
    assert sp.expand(got - want) == 0


def test_taylor_with_too_many_monomials_names_a_lower_order():
    # 30 variables: comb(30 + 3, 3) = 5456 monomials fit, comb(34, 4) = 46376 do not
    f = Objective(" + ".join(f"x{i}^4" for i in range(30)))
    with pytest.raises(HyperparameterError, match=r"46376.*e\.g\. 3"):
        f.taylor([0] * 30, 4)
    assert f.taylor([0] * 30, 3) == 0  # every term has degree 4


def test_taylor_whose_derivatives_grow_is_refused_before_memory_runs_out(no_hang):
    # the derivatives of sigmoid(x*y) along a line double in size with each order
    f = Objective("sigmoid(x*y)")
    point = {"x": sp.Rational(1, 3), "y": sp.Rational(2, 7)}
    with no_hang(60), pytest.raises(HyperparameterError, match=r"at most \d+ for this objective"):
        f.taylor(point, MAX_TAYLOR_ORDER)


@pytest.mark.parametrize(
    ("text", "point"),
    [
        ("relu(log(log(y - 2)))", [sp.Rational(2, 3)]),  # log of a negative number
        ("abs(relu(sqrt(-1 - x)))", [sp.Rational(2, 3)]),
        ("min(log(y - 2^(1/3)), 1)", [sp.Rational(2, 3)]),
    ],
)
def test_taylor_outside_the_real_domain_is_a_point_error(text, point):
    # SymPy's Max and Min raised ValueError ("not comparable") on the complex values
    with pytest.raises(PointError, match="outside the objective's real domain"):
        Objective(text).taylor(point, 2)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
def test_a_point_that_is_not_finite_is_a_point_error(bad):
    f = Objective("x**2 + y")
    with pytest.raises(PointError, match=r"the value of x is .*: give a finite number"):
        f([bad, 1.0])
    with pytest.raises(PointError, match="give a finite number"):
        f.point({"x": 0.0, "y": bad})
