"""The compiled objective against SymPy's own derivatives and finite differences."""

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from symopt import Objective, PointError, ShapeError, SymoptError
from symopt.numeric.compile import CompiledObjective

x, y, z = sp.symbols("x y z", real=True)
rng = np.random.default_rng(0)

EXPRESSIONS = [
    x**3 + y**3 - 3 * x * y,
    (1 - x) ** 2 + 100 * (y - x**2) ** 2,
    sp.exp(x / 3) * sp.cos(y) + sp.log(2 + x**2) * z,
    (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2,
    sp.Max(0, x + y) ** 2 + sp.tanh(x * z),
    3 * y + 2,  # constants broadcast
]


def reference(expr, variables):
    """Independent NumPy versions built from SymPy's own diff and hessian."""
    value = sp.lambdify(variables, expr)
    grad = sp.lambdify(variables, [expr.diff(v) for v in variables])
    # the compiler's documented convention for kinks: DiracDelta (d/du Heaviside) is 0
    hessian = sp.hessian(expr, variables).replace(sp.DiracDelta, lambda *a: 0)
    hess = sp.lambdify(variables, hessian)

    def stack(fn, points):
        out = [np.broadcast_to(np.asarray(fn(*p), dtype=float), np.shape(fn(*p))) for p in points]
        return np.array(out)

    return (lambda p: stack(value, p), lambda p: stack(grad, p), lambda p: stack(hess, p))


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_value_gradient_hessian_match_sympy(expr):
    f = Objective(expr)
    c = f.compile()
    points = rng.normal(size=(7, f.n))
    value, grad, hess = reference(expr, f.variables)
    np.testing.assert_allclose(c.value(points), value(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c.gradient(points), grad(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c.hessian(points), hess(points), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("expr", EXPRESSIONS)
def test_gradient_matches_finite_differences_of_value(expr):
    c = Objective(expr).compile()
    point = rng.normal(size=c.n)
    h = 1e-6
    steps = h * np.eye(c.n)
    numeric = (c.value(point + steps) - c.value(point - steps)) / (2 * h)
    np.testing.assert_allclose(c.gradient(point), numeric, rtol=1e-6, atol=1e-6)
    numeric_h = (c.gradient(point + steps) - c.gradient(point - steps)) / (2 * h)
    np.testing.assert_allclose(c.hessian(point), numeric_h, rtol=1e-6, atol=1e-5)


def chained_rosenbrock(n):
    v = sp.symbols(f"x1:{n + 1}", real=True)
    return sp.Add(*[100 * (v[i + 1] - v[i] ** 2) ** 2 + (1 - v[i]) ** 2 for i in range(n - 1)]), v


def test_chained_rosenbrock_against_hand_written_numpy():
    expr, v = chained_rosenbrock(40)
    c = Objective(expr, v).compile()
    p = rng.normal(size=(3, 5, 40))
    head, tail = p[..., :-1], p[..., 1:]
    value = np.sum(100 * (tail - head**2) ** 2 + (1 - head) ** 2, axis=-1)
    grad = np.zeros_like(p)
    grad[..., :-1] = -400 * head * (tail - head**2) - 2 * (1 - head)
    grad[..., 1:] += 200 * (tail - head**2)
    np.testing.assert_allclose(c.value(p), value, rtol=1e-13)
    np.testing.assert_allclose(c.gradient(p), grad, rtol=1e-13, atol=1e-10)
    # the Hessian is tridiagonal: d²/dx_i² = 1200 x_i² - 400 x_{i+1} + 2 (+200 for i > 0)
    h = c.hessian(p[0, 0])
    diagonal = np.zeros(40)
    diagonal[:-1] = 1200 * p[0, 0, :-1] ** 2 - 400 * p[0, 0, 1:] + 2
    diagonal[1:] += 200
    np.testing.assert_allclose(np.diag(h), diagonal, rtol=1e-13)
    np.testing.assert_allclose(np.diag(h, 1), -400 * p[0, 0, :-1], rtol=1e-13)
    np.testing.assert_allclose(h, h.T)
    assert np.count_nonzero(np.triu(h, 2)) == 0


def test_irregular_index_sets():
    # terms on every third index and a lone term: groups whose anchors are not a range
    v = sp.symbols("x0:10", real=True)
    expr = sp.Add(*[v[i] ** 2 * v[i + 1] for i in (0, 3, 4, 8)]) + sp.sin(v[9]) * v[2]
    c = Objective(expr, v).compile()
    value, grad, hess = reference(expr, v)
    p = rng.normal(size=(4, 10))
    np.testing.assert_allclose(c.value(p), value(p), rtol=1e-13)
    np.testing.assert_allclose(c.gradient(p), grad(p), rtol=1e-13)
    np.testing.assert_allclose(c.hessian(p), hess(p), rtol=1e-13)


@settings(max_examples=25, deadline=None)
@given(
    coefficients=st.lists(st.integers(-5, 5), min_size=6, max_size=6),
    powers=st.lists(st.integers(0, 3), min_size=6, max_size=6),
)
def test_random_polynomials(coefficients, powers):
    terms = [x, y, z, x * y, y * z, x * z]
    expr = sum(c * t**p for c, t, p in zip(coefficients, terms, powers, strict=True))
    if not expr.free_symbols:
        return
    variables = (x, y, z)
    c = CompiledObjective(expr, variables)
    value, grad, hess = reference(expr, variables)
    p = rng.normal(size=(3, 3))
    np.testing.assert_allclose(c.value(p), value(p), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c.gradient(p), grad(p), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c.hessian(p), hess(p), rtol=1e-12, atol=1e-12)


def test_batch_shapes():
    c = Objective("x**2 + 3*y").compile()
    assert c.value([1.0, 2.0]).shape == ()
    assert c.gradient(np.zeros((4, 5, 2))).shape == (4, 5, 2)
    assert c.hessian(np.zeros((4, 2))).shape == (4, 2, 2)
    np.testing.assert_array_equal(c.gradient(np.zeros((3, 2))), [[0, 3]] * 3)
    np.testing.assert_array_equal(c.hessian([5.0, 5.0]), [[2, 0], [0, 0]])


def test_compile_errors():
    c = Objective("x**2 + 3*y").compile()
    with pytest.raises(ShapeError, match=r"2 variables \(x, y\)"):
        c.value(np.zeros(3))
    with pytest.raises(ShapeError):
        c.gradient(1.0)
    with pytest.raises(SymoptError, match="a are not variables"):
        Objective("a*x**2", "x").compile()


def test_compile_is_cached():
    f = Objective("x**2")
    assert f.compile() is f.compile()


def test_a_number_is_a_point_of_one_variable():
    f = Objective("x**3").compile()  # f(3) = 27, f'(3) = 27, f''(3) = 18
    assert f.value(3) == 27.0 and f.gradient(3).tolist() == [27.0]
    assert f.hessian(3).tolist() == [[18.0]]
    with pytest.raises(ShapeError, match="give shape"):
        Objective("x*y").compile().value(3)


# -- budget (issue 18): compiling must not take long where SymPy need not ------------------


def test_tanh_nested_10_deep_compiles_quickly_and_right(no_hang):
    # 20 s before: renaming to placeholders without real=True made SymPy ask about complex
    # parts at every level of the nesting
    text = "x"
    for _ in range(10):
        text = f"tanh({text})"
    f = Objective(text)
    with no_hang(30):
        f.compile().hessian(np.array([0.3]))
    # chain rule by hand: t_0 = x, t_k = tanh(t_{k-1}), f' = prod(1 - t_k²)
    t, slope = [0.3], 1.0
    for _ in range(10):
        t.append(np.tanh(t[-1]))
        slope *= 1 - t[-1] ** 2
    c = f.compile()
    assert c.value(np.array([0.3])) == pytest.approx(t[-1], rel=1e-14)
    assert c.gradient(np.array([0.3]))[0] == pytest.approx(slope, rel=1e-13)
    h = 1e-6
    numeric = (c.gradient(np.array([0.3 + h])) - c.gradient(np.array([0.3 - h]))) / (2 * h)
    np.testing.assert_allclose(c.hessian(np.array([0.3]))[0], numeric, rtol=1e-6)


def test_max_of_eight_variables_compiles_quickly_and_right(no_hang):
    # 25 s before: SymPy's printer wrote each Heaviside as a Piecewise and simplified its logic
    names = [f"x{i}" for i in range(8)]
    f = Objective(f"max({', '.join(names)})")
    with no_hang(30):
        f.compile()
    points = rng.permutation(np.arange(8.0 * 5).reshape(5, 8).T).T  # distinct entries
    c = f.compile()
    np.testing.assert_array_equal(c.value(points), points.max(axis=-1))
    np.testing.assert_array_equal(c.gradient(points), np.eye(8)[points.argmax(axis=-1)])


RELU = "relu(E*(sqrt(2) - 1/3)*min(min(exp(1), pi), x + pi))"
SCALE = np.e * (np.sqrt(2) - 1 / 3)  # > 0, so the relu passes its argument


@pytest.mark.parametrize(
    ("text", "point", "value", "gradient"),
    [
        # these failed in SymPy's Piecewise printing (a scalar condition, a ragged select)
        (RELU, [0.3], SCALE * np.e, [0]),  # x + pi > e: the min is the constant e
        (RELU, [-1.0], SCALE * (np.pi - 1), [SCALE]),  # x + pi < e
        ("min(abs(x), E + y, max(abs(y), E + pi))", [0.3, 0.5], 0.3, [1, 0]),
        ("min(abs(x), E + y, max(abs(y), E + pi))", [-4.0, -2.0], np.e - 2, [0, 1]),
        ("max(min(x, 1), min(y, 2), -3)", [5.0, 1.5], 1.5, [0, 1]),
    ],
)
def test_nested_min_and_max_with_constants_compile(text, point, value, gradient):
    c = Objective(text).compile()
    p = np.array(point)
    assert c.value(p) == pytest.approx(value, rel=1e-14)
    np.testing.assert_allclose(c.gradient(p), gradient, rtol=1e-14)
    assert np.all(np.isfinite(c.hessian(p)))


def test_abs_of_a_cube_root_compiles_to_the_root_of_abs():
    # |x^(1/3)| = |x|^(1/3): value, slope sign(x)/(3|x|^(2/3)), curvature -(2/9)|x|^(-5/3)
    c = Objective("abs(x^(1/3))").compile()
    for x0 in (-0.5, 0.5, 2.0):
        assert c.value(np.array([x0])) == pytest.approx(abs(x0) ** (1 / 3), rel=1e-14)
        slope = np.sign(x0) / (3 * abs(x0) ** (2 / 3))
        assert c.gradient(np.array([x0]))[0] == pytest.approx(slope, rel=1e-14)
        curvature = -2 / 9 * abs(x0) ** (-5 / 3)
        assert c.hessian(np.array([x0]))[0, 0] == pytest.approx(curvature, rel=1e-14)


def test_integers_beyond_64_bits_are_evaluated_as_floats():
    # NumPy took 99**99 as a Python object: TypeError in sin, OverflowError in a division
    c = Objective("x*99^99 + 10^300/y + sin(3^40*x)").compile()
    p = np.array([2.0, 4.0])
    assert c.value(p) == pytest.approx(2 * 99.0**99 + 1e300 / 4 + np.sin(3.0**40 * 2), rel=1e-15)
    np.testing.assert_allclose(
        c.gradient(p), [99.0**99 + 3.0**40 * np.cos(3.0**40 * 2), -1e300 / 16], rtol=1e-15
    )


@pytest.mark.parametrize(
    ("x", "why"),
    [
        ("a", "must be real numbers"),
        ([1 + 2j, 0.0], "complex entries"),
        (np.array([1 + 2j, 0.0]), "complex entries"),  # NumPy would drop the imaginary part
        ([[1.0, 2.0], [3.0]], "must be real numbers"),  # ragged
        ([10**400, 1.0], "beyond the largest float"),
        ([object(), 1.0], "must be real numbers"),
    ],
)
def test_compiled_functions_refuse_points_that_are_not_real_arrays(x, why):
    c = Objective("x**2 + y").compile()
    for method in (c.value, c.gradient, c.hessian):
        with pytest.raises(PointError, match=why):
            method(x)


def test_a_derivative_that_is_not_real_is_nan_not_its_real_part():
    # d/dx (-1)^x = iπ·(-1)^x: not a real number at x = -1, so NaN (NumPy would drop the
    # imaginary part and answer 0); the value (-1)^(-1) = -1 and the second derivative
    # (iπ)²·(-1)^x = -π²·(-1)^(-1) = π² are real and stay
    c = Objective("(0 - 1) ^ x").compile()
    assert c.value(np.array([-1.0])) == -1.0
    assert np.isnan(c.gradient(np.array([-1.0]))[0])
    assert c.hessian(np.array([-1.0]))[0, 0] == pytest.approx(np.pi**2, rel=1e-12)
    # the real entries of a gradient stay where another entry is not real
    g = Objective("(-6.5)^x + y**2").compile().gradient(np.array([2.0, 1.0]))
    assert np.isnan(g[0]) and g[1] == 2.0
