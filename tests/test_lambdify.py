"""symopt.numeric.lambdify: the one SymPy → NumPy door, overflow-safe and deterministic.

Limits are worked by hand: for large ``a``, ``log(1 + exp(a)) = a + log(1 + e^{-a}) → a``
and ``log(1 + exp(-a)) → 0``; ``σ(a) = 1/(1 + e^{-a}) → 1``, ``σ(-a) → 0``;
``d/dw log(1 + exp(kw)) = k·σ(kw)`` and ``d/dw σ(w) = σ(w)(1 − σ(w))``.  At ``|a| = 1000``
the neglected terms are below ``e^{-1000}``, far under one ulp.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sympy as sp

import symopt
from symopt.numeric.lambdify import lambdify, sigmoid, softplus, stable
from symopt.stochastic import EmpiricalRisk

ROOT = Path(__file__).resolve().parents[1]

# (loss in w, w, value, derivative, second derivative), by hand (see the docstring)
LIMITS = [
    ("log(1 + exp(-w))", -1000.0, 1000.0, -1.0, 0.0),
    ("log(1 + exp(-w))", 1000.0, 0.0, 0.0, 0.0),
    ("log(1 + exp(w))", 1000.0, 1000.0, 1.0, 0.0),
    ("log(1 + exp(w))", -1000.0, 0.0, 0.0, 0.0),
    ("log(1 + exp(-3*w))", -1000.0, 3000.0, -3.0, 0.0),
    ("log(1 + exp(w)) + w**2", 0.0, np.log(2.0), 0.5, 2.25),  # σ(0) = 1/2, σ'(0) = 1/4
    ("sigmoid(w)", 1000.0, 1.0, 0.0, 0.0),
    ("sigmoid(w)", -1000.0, 0.0, 0.0, 0.0),
    ("1/(1 + exp(-w))", -1000.0, 0.0, 0.0, 0.0),
    ("1/(1 + exp(-w))", 0.0, 0.5, 0.25, 0.0),  # σ'' = σ(1−σ)(1−2σ) = 0 at 0
    ("-log(sigmoid(w))", -1000.0, 1000.0, -1.0, 0.0),
    ("(1 + exp(-w))**(-2)", -1000.0, 0.0, 0.0, 0.0),  # σ(w)², derivative 2σ²(1−σ)
]


@pytest.mark.parametrize("loss, w, value, slope, curvature", LIMITS)
def test_compile_is_finite_where_the_math_is(loss, w, value, slope, curvature):
    f = symopt.Objective(loss).compile()
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # underflow is fine
        got = (f.value(w), f.gradient([w])[0], f.hessian([w])[0, 0])
    assert got == pytest.approx((value, slope, curvature), abs=1e-12)


@pytest.mark.parametrize("loss, w, value, slope, curvature", LIMITS)
def test_compile_and_empirical_risk_agree(loss, w, value, slope, curvature):
    f = symopt.Objective(loss).compile()
    risk = EmpiricalRisk(f"{loss} + 0*z", "w", {"z": np.zeros(3)})
    assert risk.value([w]) == pytest.approx(value, abs=1e-12)
    assert risk.gradient([w])[0] == pytest.approx(slope, abs=1e-12)
    assert float(f.value(w)) == pytest.approx(float(risk.value([w])), abs=1e-12)


def test_the_issue_case():
    # issue 12: compile() gave inf, EmpiricalRisk 1000.0
    assert symopt.Objective("log(1 + exp(-w))").compile().value(-1000) == 1000.0


def test_stable_rewrites():
    a = sp.Symbol("a", real=True)
    assert stable(sp.log(1 + sp.exp(a))) == softplus(a)
    assert stable(1 / (1 + sp.exp(-a))) == sigmoid(a)
    assert stable((1 + sp.exp(a)) ** -3) == sigmoid(-a) ** 3
    assert stable(sp.log(1 / (1 + sp.exp(-a)))) == -softplus(-a)
    assert stable(a**2 + 1) == a**2 + 1  # nothing to rewrite
    # the rewritten forms are the same functions: SymPy's own rewrite, at a few points
    for e in (sp.log(1 + sp.exp(a)), 1 / (1 + sp.exp(-a)), (1 + sp.exp(a)) ** -3):
        back = stable(e).rewrite(sp.exp)
        assert all(abs(float((back - e).subs(a, t))) < 1e-14 for t in (-3, 0, 0.5, 4))


def test_one_expression_or_a_list():
    x = sp.Symbol("x")
    assert lambdify([x], x**2)(3.0) == 9.0
    assert lambdify([x], [x**2, x + 1])(3.0) == [9.0, 4.0]


_SOURCE = textwrap.dedent(
    """
    import inspect, sys
    import sympy as sp
    import symopt
    from symopt.numeric.lambdify import lambdify
    [sp.Dummy() for _ in range(int(sys.argv[1]))]  # move SymPy's Dummy counter
    a, b = sp.Dummy("a"), sp.Dummy("b")
    fn = lambdify([a, b], [sp.exp(a * b) + a * b, sp.log(1 + sp.exp(a)) + sp.Dummy("c")])
    print(inspect.getsource(fn))
    f = symopt.Objective("log(1 + exp(-x*y)) + x**3*y")
    print([float(v).hex() for v in f.compile().gradient([0.3, -0.7]).tolist()])
    """
)


def test_generated_code_does_not_depend_on_the_process():
    def run(shift: int) -> str:
        done = subprocess.run(
            [sys.executable, "-c", _SOURCE, str(shift)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        return done.stdout

    first, second = run(0), run(137)
    assert "_Dummy" not in first
    assert first == second


def test_lambdify_is_the_only_door():
    # no module of symopt but numeric/lambdify.py may reach sympy's lambdify
    offenders = []
    for path in sorted((ROOT / "symopt").rglob("*.py")):
        if path.relative_to(ROOT).as_posix() == "symopt/numeric/lambdify.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "lambdify":
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and node.module and "sympy" in node.module:
                if "lambdify" in node.module or any(a.name == "lambdify" for a in node.names):
                    offenders.append(f"{path.name}:{node.lineno}")
    assert offenders == []
