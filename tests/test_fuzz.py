"""The fuzz suite: hostile input to every public entry point answers or refuses, safely.

Each generated case runs in a forked child with a 10 s deadline and a 2 GiB cap on new
address space (:mod:`tests.fuzzing`), so a hang or a blow-up fails the test with the input
that caused it.  Per entry point the promise is: a valid result (finite where finite is
promised; compiled values agree with SymPy's ``evalf``) or a :class:`symopt.SymoptError`;
never another exception, never a file written, never code run.

Profiles (registered under their own names, so no other test's settings change):

* ``fuzz-ci`` (the default): ``derandomize=True`` (a fixed seed), a bounded number of
  examples per test, so the whole module runs in CI in a few minutes;
* ``fuzz-long``: ``SYMOPT_FUZZ=long PYTHONPATH=$PWD python -m pytest -q tests/test_fuzz.py
  --hypothesis-show-statistics`` runs many more random examples, no deadline; the statistics
  count the cases and outcomes per entry point (``ok``, or the SymoptError subclass), and
  ``SYMOPT_FUZZ_LOG=file`` appends one line per case (test name, outcome) as it runs.

(Hypothesis has a built-in profile named ``ci`` that it loads on CI machines; these names
leave it alone.)
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import symopt
from symopt.numeric import STATUSES
from tests.fuzzing import (
    MEMORY,
    any_formula,
    count,
    expect_safe,
    formulas,
    hostile,
    hyper,
    objectives,
    run_case,
    starts,
    unit_grammar,
    unit_texts,
)

_COMMON = dict(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile("fuzz-ci", derandomize=True, max_examples=100, **_COMMON)
settings.register_profile("fuzz-long", max_examples=1_000, print_blob=True, **_COMMON)
PROFILE = settings.get_profile(
    "fuzz-long" if os.environ.get("SYMOPT_FUZZ") == "long" else "fuzz-ci"
)


def fuzz(examples: int | None = None, long: int | None = None):
    """The module's profile; ``examples`` scales a slow entry point down in CI, ``long`` in
    the long profile."""
    if PROFILE.max_examples > 100:
        return settings(PROFILE) if long is None else settings(PROFILE, max_examples=long)
    return settings(PROFILE) if examples is None else settings(PROFILE, max_examples=examples)


@pytest.fixture(scope="module", autouse=True)
def _warm():
    """Load pint's registry and the compiler once, here, so each forked case inherits them."""
    from symopt.units import parse_units

    parse_units("J/km")
    symopt.Objective("sin(x) * y").compile().gradient([0.5, 0.5])


def _finite(values) -> bool:
    return bool(np.all(np.isfinite(np.asarray(values, dtype=float))))


# -- parse, Objective, derivatives -----------------------------------------------------------


def _parse(text):
    assert isinstance(symopt.parse(text), sp.Basic)


@fuzz()
@given(any_formula())
def test_parse_answers_or_refuses(text):
    expect_safe(run_case(_parse, text), text)


def _refuses_code(text):
    try:
        symopt.parse(text)
    except symopt.ParseError:
        return "refused"
    raise AssertionError("parsed text that holds code")


@fuzz()
@given(hostile())
def test_parse_refuses_code(text):
    outcome = expect_safe(run_case(_refuses_code, text), text)
    assert outcome.kind == "ok", outcome


def _objective(text):
    f = symopt.Objective(text)
    n = f.n
    assert f.gradient.shape == (n, 1)
    assert f.hessian.shape == (n, n)
    assert isinstance(str(f), str)


@fuzz()
@given(st.one_of(objectives(formulas().filter(str.isascii), max_leaves=10), any_formula()))
def test_objective_derivatives(text):
    expect_safe(run_case(_objective, text), text)


_points = st.one_of(
    st.lists(st.one_of(st.integers(-3, 3), st.floats(-3, 3)), min_size=1, max_size=4),
    st.lists(hyper(st.floats(-2, 2)), min_size=1, max_size=3),
    st.sampled_from(["1/3", (sp.Rational(1, 3), sp.Rational(2, 7)), {"x": 1}, {"q": 0}, None]),
)
_orders = st.one_of(st.integers(0, 4), st.integers(0, 4), hyper(st.integers(-3, 12)))


def _taylor(text, point, order):
    f = symopt.Objective(text)
    if isinstance(point, list) and len(point) > f.n:
        point = point[: f.n]
    polynomial = f.taylor(point, order)
    assert isinstance(polynomial, sp.Expr)
    # T(a) = f(a): the polynomial at its own point is the value there
    at = f.point(point)
    expected = f.expr.subs(at).evalf(30)
    got = sp.sympify(polynomial).subs(at).evalf(30)
    if expected.is_real and expected.is_finite and got.is_finite:
        assert abs(got - expected) <= 1e-12 * (1 + abs(expected)), (got, expected)


@fuzz(60)
@given(objectives(), _points, _orders)
def test_taylor(text, point, order):
    expect_safe(run_case(_taylor, text, point, order), (text, point, order))


# -- compile ---------------------------------------------------------------------------------


def _reference(expr, variables, point):
    subs = {v: sp.Float(p, 30) for v, p in zip(variables, point, strict=True)}
    try:  # xreplace, not N(subs=...), which makes 0**x zero at 0
        value = expr.xreplace(subs).evalf(30)
    except (ValueError, TypeError, ArithmeticError):  # e.g. max(0, zoo): no reference here
        return None
    if value.has(sp.zoo, sp.nan, sp.oo, -sp.oo) or not value.is_number:
        return None
    real, imag = value.as_real_imag()
    if abs(imag) > 1e-25 * (1 + abs(real)) or not real.is_finite:
        return None
    return float(real) if abs(real) < 1e300 else None


def _agrees(got, expr, variables, point):
    """``got`` is the compiled value at ``point``; SymPy's evalf there is the reference,
    with a tolerance widened by how much the reference moves when the point moves by 1e-13
    (a float cannot do better than its input's rounding)."""
    ref = _reference(expr, variables, point)
    if ref is None or not math.isfinite(got):
        return
    nudged = [p * (1 + 1e-13 * (-1) ** i) for i, p in enumerate(point)]
    other = _reference(expr, variables, nudged)
    spread = math.inf if other is None else abs(other - ref)
    assert abs(got - ref) <= 1e-6 * abs(ref) + 1e3 * spread + 1e-9, (expr, point, got, ref)


def _compiled(text, point):
    f = symopt.Objective(text)
    c = f.compile()
    point = (list(point) * f.n)[: f.n]
    value = float(c.value(np.array(point)))
    gradient = np.asarray(c.gradient(np.array(point)), dtype=float)
    assert gradient.shape == (f.n,)
    _agrees(value, f.expr, f.variables, point)
    for g, d in zip(gradient, f.gradient, strict=True):
        _agrees(float(g), d, f.variables, point)


@fuzz(80)
@given(objectives(max_leaves=8), st.lists(st.floats(-2.5, 2.5), min_size=1))
def test_compiled_agrees_with_sympy(text, point):
    expect_safe(run_case(_compiled, text, point), (text, point))


_inputs = st.one_of(
    st.lists(hyper(st.floats(-2, 2)), max_size=4),
    hyper(st.floats(-2, 2)),
    st.sampled_from([[[1.0, 2.0], [3.0]], "1,2", np.zeros((2, 0)), np.ones((1, 1, 3)), [1j, 2]]),
)


def _compiled_input(text, x):
    c = symopt.Objective(text).compile()
    value = c.value(x)
    gradient = c.gradient(x)
    assert np.shape(gradient)[:-1] == np.shape(value)


@fuzz(80)
@given(objectives(max_leaves=4), _inputs)
def test_compiled_refuses_bad_points(text, x):
    expect_safe(run_case(_compiled_input, text, x), (text, x))


# -- minimize --------------------------------------------------------------------------------


def _knobs(sane: bool, **ranges):
    """The hyper-parameters of one optimizer: in their ranges, or often hostile."""
    return st.fixed_dictionaries({k: v if sane else hyper(v) for k, v in ranges.items()})


_lr, _decay, _eps = st.floats(1e-4, 1.0), st.floats(0.0, 0.999), st.floats(1e-12, 1e-3)
_OPTIMIZERS = {
    "gd": lambda sane=False: _knobs(sane, lr=_lr),
    "momentum": lambda sane=False: _knobs(sane, lr=_lr, mu=_decay),
    "nesterov": lambda sane=False: _knobs(sane, lr=_lr, mu=_decay),
    "adam": lambda sane=False: _knobs(sane, lr=_lr, betas=st.tuples(_decay, _decay), eps=_eps),
    "rmsprop": lambda sane=False: _knobs(sane, lr=_lr, alpha=_decay, eps=_eps),
    "adagrad": lambda sane=False: _knobs(sane, lr=_lr, eps=_eps),
    "newton": lambda sane=False: _knobs(sane, lr=_lr, damping=st.floats(0, 1)),
}


_GOOD = {
    "steps": st.integers(0, 30),
    "tol": st.one_of(st.none(), st.floats(0, 1e-3)),
    "record": st.sampled_from(["all", "last", 3]),
}
_BAD = {
    # a valid count of a billion steps is a long run, not a hang: hostile counts are not counts
    "steps": st.one_of(
        st.integers(-(2**70), -1),
        st.sampled_from([10**13, 2**64, 10**400, 2.5, "10", None, True, math.nan, math.inf, [5]]),
    ),
    "tol": hyper(st.floats(0, 1)),
    "record": st.sampled_from([0, -1, "epoch", None, 2.5, "every", 10**400]),
}


@st.composite
def runs(draw):
    """A run where at most one argument is hostile (so the others are seen to pass), or
    where every one may be."""
    hostile = draw(st.sampled_from([None, "params", "x0", "steps", "tol", "record", "all"]))
    name = draw(st.sampled_from(list(_OPTIMIZERS)))
    if hostile in ("params", "all"):
        name = draw(st.sampled_from([*_OPTIMIZERS, "none", "text"]))
        params = draw(_OPTIMIZERS[name]()) if name in _OPTIMIZERS else {}
    else:
        params = draw(_OPTIMIZERS[name](sane=True))
    n = draw(st.integers(1, 3))
    good_x0 = st.one_of(
        st.lists(st.floats(-2, 2), min_size=n, max_size=n),
        st.lists(st.lists(st.floats(-2, 2), min_size=n, max_size=n), min_size=1, max_size=3),
    )
    case = {
        "text": draw(objectives(max_leaves=5)),
        "optimizer": name,
        "params": params,
        "x0": draw(starts(n) if hostile in ("x0", "all") else good_x0),
        "fit": hostile not in ("x0", "all"),  # a good x0 is fitted to the variables
    }
    for key in ("steps", "tol", "record"):
        case[key] = draw((_BAD if hostile in (key, "all") else _GOOD)[key])
    return case


def _minimize(case):
    f = symopt.Objective(case["text"])
    name = case["optimizer"]
    if name == "none":
        optimizer = None
    elif name == "text":
        optimizer = "adam"
    else:
        optimizer = getattr(symopt.optim, name)(**case["params"])
    x0 = case["x0"]
    if case["fit"]:
        x0 = np.resize(np.asarray(x0, dtype=float), (*np.shape(x0)[:-1], f.n))
    traj = symopt.minimize(
        f, optimizer, x0=x0, steps=case["steps"], tol=case["tol"], record=case["record"]
    )
    assert isinstance(traj, symopt.Trajectory)
    status = np.asarray(traj.status)
    assert set(status.ravel()) <= set(STATUSES), status
    # a run that says it converged or ran out of steps ends at a finite point and value
    settled = (status == "converged") | (status == "max_steps")
    finals = np.asarray(traj.final_value, dtype=float)
    assert _finite(finals[settled]), (status, finals)
    assert _finite(np.asarray(traj.final_x, dtype=float)[settled]), (status, traj.final_x)
    return str(status.ravel()[0])


@fuzz(100)
@given(runs())
def test_minimize(case):
    expect_safe(run_case(_minimize, case), case)


# -- units -----------------------------------------------------------------------------------


def _parse_units(text):
    from symopt.units import parse_units, ureg

    units = parse_units(text)
    assert isinstance(units, ureg.Unit)
    return units


@fuzz()
@given(unit_texts())
def test_parse_units(text):
    expect_safe(run_case(_parse_units, text), text)


def _parse_units_as_pint(text):
    from symopt.units import parse_units, ureg

    assert parse_units(text) == ureg.parse_units(text), text


@fuzz()
@given(unit_grammar())
def test_parse_units_agrees_with_pint(text):
    """Plain unit text (names, ``*``, ``/``, small powers): what pint itself reads."""
    outcome = expect_safe(run_case(_parse_units_as_pint, text), text)
    assert outcome.kind == "ok", outcome


_rules = st.one_of(
    st.sampled_from(
        ["gd", "momentum", "preconditioned", "newton", "adagrad", "rmsprop", "adam", "adadelta"]
    ),
    st.sampled_from(["GD", "sgd", "", None, ["gd"], 3, "adam "]),
)
_variable_units = st.one_of(
    st.lists(unit_texts(), min_size=1, max_size=3),
    st.dictionaries(st.sampled_from(["x1", "x2", "", "1x", "x y"]), unit_texts(), max_size=3),
    st.sampled_from([None, "km", [], {}, [None], [["km"]], 3]),
)


def _check_update(rule, objective_units, variable_units, lr_units):
    from symopt.units import check_update

    report = check_update(rule, objective_units, variable_units, lr_units)
    assert isinstance(report.consistent, bool)
    assert isinstance(str(report), str)


@fuzz()
@given(
    _rules,
    unit_texts(),
    _variable_units,
    st.one_of(st.none(), unit_texts(), st.lists(unit_texts(), max_size=3)),
)
def test_check_update(rule, objective_units, variable_units, lr_units):
    case = (rule, objective_units, variable_units, lr_units)
    expect_safe(run_case(_check_update, *case), case)


# -- the command line ------------------------------------------------------------------------


def _limits():  # in the CLI child, before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY + (1 << 30),) * 2)


@fuzz(15, long=300)
@given(
    # argv cannot hold a NUL byte: the OS, not symopt, refuses it
    st.one_of(objectives(max_leaves=6), objectives(formulas()), any_formula(), hostile()).map(
        lambda text: text.replace("\x00", "")
    ),
    st.sampled_from([[], ["--no-critical"], ["--at", "x=1"], ["--order", "3", "--no-critical"]]),
)
def test_cli_analyze(text, options):
    with tempfile.TemporaryDirectory(prefix="symopt-fuzz-cli-") as name:
        _analyze(text, options, Path(name))


def _analyze(text, options, folder):
    command = [sys.executable, "-m", "symopt.cli", "analyze", text, "--timeout", "2", *options]
    try:
        done = subprocess.run(
            command,
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=40,
            preexec_fn=_limits,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"symopt analyze {text!r} {options} did not end within 40 s")
    case = f"symopt analyze {text!r} {' '.join(options)}"
    count(f"exit {done.returncode}")
    assert done.returncode in (0, 2), f"{case}: exit {done.returncode}\n{done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr, f"{case}:\n{done.stderr[-2000:]}"
    if done.returncode == 2:
        assert done.stderr.strip() and len(done.stderr.strip().splitlines()) <= 2, done.stderr
    assert list(folder.iterdir()) == [], f"{case} wrote files"


# -- the harness itself ----------------------------------------------------------------------


def _allocate():
    return bytearray(MEMORY + (1 << 30))


def _write():
    with open("left-behind", "w") as out:
        out.write("x")


def _refuse():
    raise symopt.ParseError("no")


def test_harness_catches_hangs_blowups_files_and_foreign_errors():
    assert run_case(time.sleep, 60, seconds=0.5).kind == "timeout"
    assert "MemoryError" in run_case(_allocate).detail
    assert "files written" in run_case(_write).detail
    assert run_case(int, "x").kind == "crashed"
    assert run_case(_refuse).kind == "refused"
    assert run_case(sum, [1, 2]).value == 3
