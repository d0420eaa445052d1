"""Tests for symopt.symbolic.parsing.

Every expected expression is built directly from SymPy objects (never by ``parse``), so a
test fails if the parser reads the text differently from the stated mathematics.
"""

from __future__ import annotations

import string
import warnings

import pytest
import sympy
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy import Abs, E, Integer, Max, Min, Rational, exp, log, pi, sqrt

from symopt import ParseError, VariableError, parse
from symopt.symbolic.parsing import MAX_ARGUMENTS

x, y, z, w = sympy.symbols("x y z w", real=True)

CORRECT = [
    # '^' is '**' with its precedence: tighter than '*', '+' and a unary minus on its left
    ("x^2 + 3*y", x**2 + 3 * y),
    ("-x^2", -(x**2)),
    ("-2^2", Integer(-4)),  # -(2**2), not (-2)**2 = 4
    ("2*x^3", 2 * x**3),
    ("x^2*y", x**2 * y),
    ("x + y^2*z", x + y**2 * z),
    ("2^3^2", Integer(512)),  # right-associative: 2**(3**2) = 2**9, not (2**3)**2 = 64
    ("x^-1", 1 / x),
    ("x^-y^2", x ** (-(y**2))),
    ("(x+y)^2", (x + y) ** 2),
    ("x**2^3", x**8),  # mixing the spellings: x**(2**3)
    ("2^x + 1", 2**x + 1),
    ("x - y - z", x - y - z),  # left-associative
    ("x / y / z", x / (y * z)),
    ("x / y * z", x * z / y),
    ("+x - -y", x + y),
    # functions
    ("exp(x) + log(y)", exp(x) + log(y)),
    ("log(x, 2)", log(x) / log(2)),
    ("sqrt(x)", sqrt(x)),
    ("sin(x)*cos(y)*tan(z)", sympy.sin(x) * sympy.cos(y) * sympy.tan(z)),
    ("sinh(x) + cosh(y) + tanh(z)", sympy.sinh(x) + sympy.cosh(y) + sympy.tanh(z)),
    ("abs(x) + Abs(y)", Abs(x) + Abs(y)),
    ("max(x, y, 0) + Min(z, w)", Max(x, y, 0) + Min(z, w)),
    ("max(x)", x),
    ("sigmoid(x)", 1 / (1 + exp(-x))),
    ("logistic(2*w)", 1 / (1 + exp(-2 * w))),
    ("relu(x - 1)", Max(0, x - 1)),
    # decimals are exact rationals read from their digits
    ("0.1*x", Rational(1, 10) * x),
    ("1e-3", Rational(1, 1000)),
    ("2.5E+2", Integer(250)),
    (".5 + 5.", Rational(11, 2)),
    ("1_000.25", Rational(4001, 4)),
    ("0x1F", Integer(31)),
    ("9" * 100, Integer(10**100 - 1)),  # the largest integer literal allowed
    # constants and names
    ("pi*E", pi * E),
    ("e", sympy.Symbol("e", real=True)),  # 'e' stays free for a variable
    ("I + S + N", sum(sympy.symbols("I S N", real=True))),  # no SymPy meaning leaks in
    ("θ^2", sympy.Symbol("θ", real=True) ** 2),
    # whitespace and line breaks
    ("  x +\n   y\t", x + y),
    ("(((x)))", x),
]


@pytest.mark.parametrize(("text", "expected"), CORRECT)
def test_parses_to_the_expected_sympy_expression(text, expected):
    assert parse(text) == expected


def test_names_are_real_symbols():
    assert parse("x") == sympy.Symbol("x", real=True)
    assert parse("x") != sympy.Symbol("x")
    assert all(s.is_real for s in parse("a*b + c^2").free_symbols)


def test_decimals_are_exact_not_floats():
    assert parse("0.1") == Rational(1, 10)
    assert not parse("0.1").atoms(sympy.Float)


def test_symbols_mapping_binds_names():
    k = sympy.Symbol("k", positive=True)
    assert parse("sqrt(k^2)", symbols={"k": k}) == k  # only true for a positive k
    big_e = sympy.Symbol("E")
    assert parse("E + x", symbols={"E": big_e}) == big_e + x
    with pytest.raises(VariableError, match="symbols"):
        parse("x", symbols={"x": "x"})


HOSTILE = [
    "__import__('os').system('echo hi')",
    "().__class__.__bases__",
    "lambda: 0",
    "open('/etc/passwd')",
    "x.real",
    "x[0]",
    "[x for x in y]",
    'f"{x}"',
    "(y:=1)",
    "exp(x=1)",
    "exp(*x)",
    "'a'",
    "b'a'",
    "1j",
    "True",
    "None",
    "...",
    "x if y else z",
    "x < y",
    "x and y",
    "not x",
    "x; y",
    "import os",
    "x = 1",
    "x // y",
    "x % y",
    "x @ y",
    "x & y",
    "x | y",
    "x << 2",
    "~x",
    "x, y",
    "{x}",
    "{x: y}",
    "unknown(x)",
    "print(x)",
    "2(x)",
    "(x + 1)(x - 1)",
    "_x",
    "__class__",
    "exp",  # a function name used as a bare name
    "sigmoid + 1",
    "Max()",
    "log(x, 2, 3)",
    "exp(x, y)",
    "x # comment",
    "x $ y",
    "x \\\n + y",
    "'''unterminated",
    "x−y",  # a Unicode minus sign
    "2x",
    "x y",
    "x^",
    "((x)",
    "x)",
    "(x]",
    "",
    "   \n\t ",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_refuses_hostile_or_malformed_text(text):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.offset is None or 0 <= info.value.offset <= len(text)


def test_python_warnings_do_not_leak(recwarn):
    warnings.simplefilter("always")
    with pytest.raises(ParseError):
        parse("1inJ")  # Python's parser warns 'invalid decimal literal', then fails
    assert not recwarn.list


@pytest.mark.parametrize("value", [None, 3, 2.5, b"x", ["x"], sympy.Symbol("x")])
def test_refuses_non_strings(value):
    with pytest.raises(ParseError, match="expected a string"):
        parse(value)


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9**9",
        "10**10**10",
        "2^2^2^2^2^2",
        "2**10**100",
        "x^(10^10)",
        "(2*x)^(10^10)",  # SymPy would distribute: 2**(10**10) * x**(10**10)
        "sqrt(2)^(10^10)",  # SymPy would compute 2**(5*10**9)
        "exp(10^10*log(2))",  # SymPy rewrites exp(n*log(2)) into 2**n
        "exp(10^10*log(2) + 1)",
        "E^(10^10*log(2))",
        "2^(10^10*log(3)/log(2))",  # SymPy rewrites this into 3**(10**10)
        "sigmoid(-10^10*log(2))",
        "(2^6000)^3",  # 2**18000 has 5419 digits
        "min(1, 2^(E + 3^40))",  # to compare it, SymPy splits it into 2**(3**40) * 2**E
        "(-99)^(-99)^(-99)",  # a root of index 99**99: SymPy hangs extracting it
        "exp(log(2)/99^99)",
    ],
)
def test_refuses_huge_powers_without_computing_them(text):
    # (2^6000)^3: 2^6000 is already beyond a float, the first refusal to fire
    with pytest.raises(ParseError, match=r"(power|root) is too large|largest float"):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "sqrt(2^990 + 1)",  # SymPy tests the number under a root for primality: cubic cost
        "(2^990 + 1)^(1/3)",
        "sqrt(99^49 + 2)*sqrt(99^49 + 4)",  # 98 digits each, but SymPy multiplies them: 195
        "sqrt(99^49 + 2)/sqrt(99^49 + 4)",
    ],
)
def test_refuses_roots_of_huge_numbers(text):
    with pytest.raises(ParseError, match="root is too large"):
        parse(text)


SUM_OF_ROOTS = "(1 + sqrt(2) + sqrt(3) + sqrt(5) + sqrt(7) + sqrt(11))"
PRODUCT_OF_SUMS = "*".join(f"(1 + sqrt({p}))" for p in (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31))


@pytest.mark.parametrize(
    "text",
    [
        # to compare a number, SymPy expands it: here into multinomials of ~10**5 terms
        f"max(exp({SUM_OF_ROOTS}^30), 1)",
        f"max({SUM_OF_ROOTS}^(E + 20), 1)",
        f"abs(exp({PRODUCT_OF_SUMS}))",  # 2**11 terms
        "min(min(1e-5, sqrt(2)), (3^40 + 2^(1/3) + sqrt(3) + sqrt(5))^(exp(1) + 40), 99^99)",
    ],
)
def test_refuses_numbers_that_sympy_would_expand_without_bound_to_compare(text):
    # exp(...) of such a sum is also beyond a float, whichever refusal fires first
    with pytest.raises(ParseError, match=r"expand to over 1000 terms|largest float"):
        parse(text)


def test_compares_ordinary_numbers():
    assert parse("relu(x - pi)") == Max(0, x - pi)
    assert parse("max(sqrt(2), 7/5)") == sqrt(2)  # 1.414... > 1.4
    assert (
        parse(f"max({SUM_OF_ROOTS}^3, 1)")
        == (1 + sqrt(2) + sqrt(3) + sqrt(5) + sqrt(7) + sqrt(11)) ** 3
    )


def test_roots_of_moderate_numbers_are_exact():
    assert parse("sqrt(99^49 + 2)") == sqrt(Integer(99**49 + 2))
    assert parse("sqrt(8)*sqrt(2)") == Integer(4)


def test_refuses_products_with_too_many_digits():
    # each factor has 100 digits; the product would have 9900, beyond what Python prints
    with pytest.raises(ParseError, match=r"over 4000 digits|largest float"):
        parse("*".join(["9" * 100] * 99))


@pytest.mark.parametrize("text", ["1" * 101, "1e999999", "1e-999999", "1e101", "0." + "1" * 100])
def test_refuses_huge_number_literals(text):
    with pytest.raises(ParseError, match="at most 100 digits"):
        parse(text)


@pytest.mark.parametrize(
    "text",
    [
        "1/0",
        "x/0",
        "x + log(0)",
        "log(-2)",  # SymPy: log(2) + I*pi
        "tan(pi/2)",
        "log(x, 1)",
        "sqrt(-1)",
        "(-8)^(1/3)",  # SymPy's principal root is complex: 2*(-1)**(1/3)
        "(3 - pi)^(1/2)",
        "(-E - 1e3)^(-E - 1e3)",  # SymPy's assumptions take seconds on this one
    ],
)
def test_refuses_what_is_not_a_finite_real_number(text):
    with pytest.raises(ParseError, match=r"not (a finite )?real"):
        parse(text)


@pytest.mark.parametrize(
    ("text", "kwargs"),
    [
        ("x" * 10**6, {}),  # 1 MB: refused by its length before anything else
        ("(" * 100_000 + "x" + ")" * 100_000, {}),
        ("(" * 100_000 + "x" + ")" * 100_000, {"max_length": 10**6}),  # bracket depth
        ("x+" * 50_000 + "x", {"max_length": 10**6}),  # Python's parser: RecursionError
        ("-" * 9_999 + "x", {}),  # Python's parser: MemoryError
        ("x**" * 3_000 + "x", {}),
        ("-" * 500 + "x", {}),  # parsed by Python, but deeper than MAX_DEPTH
        ("exp(" * 101 + "x" + ")" * 101, {}),
    ],
)
def test_deep_or_long_text_becomes_parse_error(text, kwargs):
    with pytest.raises(ParseError):
        parse(text, **kwargs)


def test_long_flat_sums_parse():
    # a chain of 2000 additions is deep for Python's ast but flat for the parser
    assert parse("x+" * 2000 + "x") == 2001 * x
    assert parse("+".join(f"{k}*x^{k}" for k in range(300))) == sum(k * x**k for k in range(300))


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("x + open(y)", 4),
        ("x^2 + open(y)", 6),  # '^' became '**' for Python; offsets still count the user's text
        ("x^2^2 + y.real", 9),
        ("x^2 + 1j", 6),
        ("x // y", 2),
        ("(x) % y", 4),
        ("x.real", 1),
        ("(x + y) [0]", 8),
        ("x < y", 2),
        ("exp(x=1)", 4),
        ("x + 'a'", 4),
        ("x $ y", 2),
        ("x; y", 1),
        ("2x", 0),
        ("x +\n  open(y)", 6),
        ("   x.real", 4),
        ("θ^2 + θ.real", 7),  # non-ASCII text: Python reports bytes, we report characters
        ("x + exp", 4),
        ("x + 1/0", 4),
        ("x + 2^(10^10)", 4),
        ("((x)", 0),
        ("x)", 1),
    ],
)
def test_error_offset_points_at_the_offending_token(text, offset):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.offset == offset
    assert info.value.text == text


def test_error_message_names_the_problem_and_the_fix():
    with pytest.raises(ParseError) as info:
        parse("x + open(y)")
    assert "function 'open' is not allowed" in info.value.reason
    assert "exp, log" in info.value.reason
    with pytest.raises(ParseError, match=r"write every multiplication with '\*'"):
        parse("2x")
    with pytest.raises(ParseError, match=r"attribute access \('\.'\)"):
        parse("x.real")


MATH_TOKENS = [
    *"xyz0123456789+-*/^().,_[]'=;:% \n",
    "**",
    "1e3",
    "0.5",
    "1j",
    "exp",
    "log",
    "sqrt",
    "max",
    "relu",
    "sigmoid",
    "pi",
    "E",
    "θ",
    "lambda",
    "__import__",
    "9**9",
]


def _parse_or_refuse(text):
    try:
        result = parse(text)
    except ParseError as err:
        assert err.offset is None or 0 <= err.offset <= len(text)
        return None
    assert isinstance(result, sympy.Expr)
    return result


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=string.printable, max_size=80))
def test_random_text_parses_or_raises_parse_error(text):
    _parse_or_refuse(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(MATH_TOKENS), max_size=30).map("".join))
def test_random_math_text_parses_or_raises_parse_error(text):
    result = _parse_or_refuse(text)
    if result is not None:
        assert all(s.is_real for s in result.free_symbols)
        if all(abs(r.p) < 10**100 and r.q < 10**100 for r in result.atoms(sympy.Rational)):
            assert parse(str(result)) == result  # SymPy's printed form reads back the same


ATOMS = ["x", "y", "0", "1", "2", "-1", "0.5", "1e3", "9", "99^99", "1/3", "2^(1/3)", "3^40"]
ATOMS += ["sqrt(2)", "(1 + sqrt(5))", "pi", "E", "exp(1)", "log(3)"]
FUNCTIONS = ["exp", "log", "sqrt", "sin", "tanh", "cosh", "abs", "max", "min", "sigmoid", "relu"]


def _formulas(children):
    operator = st.sampled_from(["+", "-", "*", "/", "^", "**"])
    return st.one_of(
        st.tuples(children, operator, children).map(lambda t: f"({t[0]}){t[1]}({t[2]})"),
        st.tuples(children, operator, children).map("".join),
        children.map("-{}".format),
        st.tuples(st.sampled_from(FUNCTIONS), st.lists(children, min_size=1, max_size=3)).map(
            lambda t: f"{t[0]}({', '.join(t[1])})"
        ),
    )


@settings(max_examples=150, deadline=None)
@given(st.recursive(st.sampled_from(ATOMS), _formulas, max_leaves=30))
def test_random_formulas_parse_or_raise_parse_error(text):
    # formulas like these found SymPy's slow paths: roots of huge index, comparisons that expand
    _parse_or_refuse(text)


# -- hardening (issue 18): arity, float range, abs of non-real parts --------------------------


@pytest.mark.parametrize("name", ["max", "min", "Max", "Min"])
def test_max_and_min_take_at_most_max_arguments(name):
    names = [f"x{i}" for i in range(MAX_ARGUMENTS)]
    assert parse(f"{name}({', '.join(names)})").args == tuple(sympy.symbols(names, real=True))
    with pytest.raises(ParseError, match=f"has {MAX_ARGUMENTS + 1} arguments.*limit is"):
        parse(f"{name}({', '.join(names)}, y)")


def test_nested_max_counts_the_arguments_sympy_merges():
    inner = ", ".join(f"x{i}" for i in range(MAX_ARGUMENTS))
    with pytest.raises(ParseError, match=f"has {MAX_ARGUMENTS + 1} arguments"):
        parse(f"max(max({inner}), y)")  # SymPy would make one Max of 9 arguments
    assert isinstance(parse(f"max(min({inner}), y)"), Max)  # a Min inside is one argument


def test_max_of_80_symbols_is_refused_at_once(no_hang):
    # it took over 5 s before: SymPy compares every pair of arguments
    text = "max(" + ", ".join(f"x{i}" for i in range(80)) + ")"
    with no_hang(20), pytest.raises(ParseError, match="has 80 arguments"):
        parse(text)


@pytest.mark.parametrize(
    ("text", "shown", "offset"),
    [
        # refused at the innermost number beyond a float, before SymPy evaluates anything
        # with it (its evalf overflowed, ran out of memory or recursed on these)
        ("exp(exp(exp(exp(10))))", "exp(exp(10))", 8),
        ("x^2 - exp(exp(exp(exp(10))))", "exp(exp(10))", 14),
        ("x*exp(1000)", "exp(1000)", 2),  # about 1.97e434
        ("x*10^400", "1000000000", 2),
        ("x/10^400", "1000000000", 2),  # compiled, x/10**400 raised OverflowError in NumPy
        ("x + 2^1025", "35953862697246318", 4),  # 2**1025 = 3.59...e308
        ("max(x, exp(exp(exp(exp(10)))))", "exp(exp(10))", 15),
        ("tanh(cosh(10^300))", "cosh(", 5),  # SymPy's tanh ran out of memory evaluating it
        ("sin(10^300^pi)", "10**(300**pi)", 4),
    ],
)
def test_numbers_beyond_the_largest_float_are_refused(text, shown, offset):
    with pytest.raises(ParseError, match="larger than the largest float") as info:
        parse(text)
    assert shown in info.value.reason
    assert info.value.offset == offset


def test_numbers_within_the_float_range_are_kept_exact():
    assert parse("x*10^300") == x * Integer(10) ** 300
    assert parse("x*10^-300") == x / Integer(10) ** 300  # tiny is fine: it rounds to 0.0
    assert parse("x*exp(709)") == x * exp(709)  # e**709 ≈ 8.2e307
    assert parse("2^1023*x") == 2**1023 * x
    assert parse("log(exp(700)) + x") == 700 + x


def test_abs_of_a_real_power_is_the_power_of_abs():
    # |b^p| = |b|^p for real p, on every branch; abs(x^(1/3)) did not compile before
    assert parse("abs(x^(1/3))") == Abs(x) ** Rational(1, 3)
    assert parse("abs(2*sqrt(x)*y)") == 2 * sqrt(Abs(x)) * Abs(y)
    assert parse("abs(x^y)") == Abs(x) ** y


@pytest.mark.parametrize("text", ["abs(log(x))", "abs(sqrt(x) - 1)", "abs(log(x) + y)"])
def test_abs_of_a_part_not_known_to_be_real_is_refused_with_a_hint(text):
    with pytest.raises(ParseError, match=r"cannot tell is real.*e\.g\. sqrt\(\(") as info:
        parse(text)
    hint = info.value.reason.split("e.g. ")[1]
    assert parse(hint).is_Pow  # the hint itself parses: sqrt(u**2)
