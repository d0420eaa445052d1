"""Every SymoptError subclass pickles to the same class, message and fields (process
pools send errors back pickled), and the structured ones say exactly what they say."""

import ast
import copy
import importlib
import multiprocessing
import pickle
import pkgutil
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
import sympy as sp
from pint.errors import DimensionalityError

import symopt
from symopt import errors
from symopt.units import ureg

ROOMS = (
    "symbolic critical theory numeric optim stochastic units problems landscape plot tour cli"
).split()


def _import_everything() -> None:
    """Import every module of every room, so that error classes defined anywhere exist."""
    for room in ROOMS:
        module = importlib.import_module(f"symopt.{room}")
        for info in pkgutil.walk_packages(getattr(module, "__path__", []), f"symopt.{room}."):
            importlib.import_module(info.name)


def _subclasses(cls: type) -> set[type]:
    found = set()
    for sub in cls.__subclasses__():
        found |= {sub} | _subclasses(sub)
    return found


_import_everything()
ALL = sorted(
    (
        c
        for c in _subclasses(errors.SymoptError) | {errors.SymoptError}
        if c.__module__[:6] == "symopt"
    ),
    key=lambda c: c.__qualname__,
)

x, y = sp.symbols("x y", real=True)
km, mm, J, s = (ureg.Unit(u) for u in ("km", "mm", "J", "s"))

# One representative instance per class: add a row for every new error class.
EXAMPLES = {
    "SymoptError": lambda: errors.SymoptError("something was wrong: do this instead"),
    "ParseError": lambda: errors.ParseError("unexpected '*'", "x + * y", 4),
    "VariableError": lambda: errors.VariableError("x is listed twice"),
    "PointError": lambda: errors.PointError("the point misses y"),
    "ShapeError": lambda: errors.ShapeError("x0 has shape (3,), expected (2,)"),
    "NotDifferentiableError": lambda: errors.NotDifferentiableError("Abs(x) at x = 0"),
    "DataError": lambda: errors.DataError("y has NaN rows"),
    "HyperparameterError": lambda: errors.HyperparameterError("lr", -0.1, "a number >= 0"),
    "ChoiceError": lambda: errors.ChoiceError("legend", "left", ["right", "below"]),
    "ArgumentTypeError": lambda: errors.ArgumentTypeError("loss must be callable, got int"),
    "DegenerateError": lambda: errors.DegenerateError("H is singular"),
    "DependencyError": lambda: errors.DependencyError("pip install scikit-learn"),
    "ExampleError": lambda: errors.ExampleError("failed: 06_gradient_descent"),
    "UnitsError": lambda: errors.UnitsError("variable_units is empty"),
    "UnknownUnitError": lambda: symopt.units.UnknownUnitError("units['x']", "kmm", "kmm"),
    "UnitSyntaxError": lambda: symopt.units.UnitSyntaxError("value_units", "J//"),
    "OffsetUnitError": lambda: symopt.units.OffsetUnitError("units['T']", ureg.Unit("degC")),
    "UnitMismatchError": lambda: symopt.units.UnitMismatchError("lr", "x1", J, km**2 / J),
    "TermUnitsError": lambda: symopt.units.TermUnitsError(x * y**2, J * s**2 / km**2, J, ["a"]),
    "SumUnitsError": lambda: symopt.units.SumUnitsError(x + y, km, s),
    "ArgumentUnitsError": lambda: symopt.units.ArgumentUnitsError(sp.exp(x), x, km),
    "MissingUnitsError": lambda: symopt.units.MissingUnitsError(["x", "y"]),
}


def test_every_error_class_has_an_example():
    names = [c.__qualname__ for c in ALL]
    assert len(names) == len(set(names)), "two error classes share a name"
    missing = sorted(set(names) - set(EXAMPLES))
    assert not missing, f"add an instance of {missing} to EXAMPLES in tests/test_errors.py"
    assert len(ALL) >= 21


def _same(a: BaseException, b: BaseException) -> None:
    assert type(b) is type(a)
    assert str(b) == str(a)
    assert vars(b) == vars(a)
    assert b.args == a.args


@pytest.mark.parametrize("cls", ALL, ids=lambda c: c.__qualname__)
def test_every_error_pickles_with_its_class_message_and_fields(cls):
    err = EXAMPLES[cls.__qualname__]()
    assert type(err) is cls
    for protocol in range(2, pickle.HIGHEST_PROTOCOL + 1):  # SymPy needs 2 or higher
        _same(err, pickle.loads(pickle.dumps(err, protocol)))
    _same(err, copy.deepcopy(err))
    _same(err, copy.copy(err))


def test_fields_set_after_construction_and_notes_survive_pickling():
    err = errors.ParseError("unexpected '*'", "x + * y", 4)
    err.add_note("while reading --vars")
    err.hint = "write x*y"
    back = pickle.loads(pickle.dumps(err))
    assert back.__notes__ == ["while reading --vars"] and back.hint == "write x*y"


def test_a_unit_mismatch_is_pints_error_and_comes_back_in_symopts_registry():
    err = symopt.units.UnitMismatchError("lr", "x1", J, km**2 / J)
    back = pickle.loads(pickle.dumps(err))
    assert isinstance(back, DimensionalityError) and isinstance(back, errors.UnitsError)
    assert (back.units1, back.units2, back.dim1, back.dim2) == (J, km**2 / J, err.dim1, err.dim2)
    assert back.needed * km == km**3 / J  # combines with ureg: same registry


def test_the_old_failures_round_trip():
    # both failed before: HyperparameterError could not be rebuilt from its message,
    # ParseError took its whole message for the reason
    err = errors.HyperparameterError("lr", -0.1, "a finite number >= 0")
    back = pickle.loads(pickle.dumps(err))
    assert (back.name, back.value, back.valid) == ("lr", -0.1, "a finite number >= 0")
    err = errors.ParseError("unexpected '*'", "x + * y", 4)
    assert pickle.loads(pickle.dumps(err)).reason == "unexpected '*'"


def _raise_in_worker(case: str) -> None:
    {
        "parse": lambda: symopt.parse("x + * y"),
        "choice": lambda: symopt.units.check_update("sgd", "J", ["km"]),
        "units": lambda: symopt.units.parse_units("degC", "units['T']"),
    }[case]()


def test_errors_raised_in_a_process_pool_come_back_whole():
    expected = {}
    for case in ("parse", "choice", "units"):
        with pytest.raises(errors.SymoptError) as err:
            _raise_in_worker(case)
        expected[case] = err.value
    # spawn: the worker imports symopt afresh, as on macOS and Windows
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        futures = {case: pool.submit(_raise_in_worker, case) for case in expected}
        for case, future in futures.items():
            _same(expected[case], future.exception(timeout=120))


# -- the exact messages of the structured errors ----------------------------------------


def test_parse_error_messages():
    assert str(errors.ParseError("unexpected '*'", "x + * y", 4)) == (
        "cannot parse expression at character 4: unexpected '*'\n    x + * y\n        ^"
    )
    assert str(errors.ParseError("empty text")) == "cannot parse expression: empty text"
    long = "x" * 201
    assert str(errors.ParseError("too deep", long, 7)) == (
        "cannot parse expression (at character 7): too deep"
    )


def test_hyperparameter_and_choice_messages():
    assert str(errors.HyperparameterError("lr", -0.1, "a finite number >= 0")) == (
        "lr=-0.1 is invalid: expected a finite number >= 0."
    )
    err = errors.ChoiceError("rule", "sgd", iter(["gd", "adam"]))
    assert str(err) == "rule='sgd' is invalid: expected one of 'gd', 'adam'."
    assert (err.name, err.value, err.choices, err.valid) == (
        "rule",
        "sgd",
        ("gd", "adam"),
        "one of 'gd', 'adam'",
    )
    assert isinstance(err, errors.HyperparameterError)
    assert isinstance(errors.ArgumentTypeError("m"), TypeError)


def test_unit_reading_messages():
    units = symopt.units
    assert str(units.UnknownUnitError("units['x']", "kmm", "kmm")) == (
        "units['x']='kmm' names the unknown unit 'kmm': check its spelling "
        "(pint knows e.g. 'km', 'mm', 'J', 's', 'kg', 'ft')"
    )
    assert str(units.UnitSyntaxError("value_units", "J//")) == (
        "cannot read value_units='J//' as units: write a unit like 'km' or 'J/km**2', "
        "or a quantity like '2 J/km**2'"
    )
    assert str(units.OffsetUnitError("units['T']", ureg.Unit("degC"))) == (
        "units['T'] is in degree_Celsius, an offset unit: offset units cannot be multiplied "
        "or divided, so an objective, its gradient or a step cannot use them; use an absolute "
        "unit (kelvin) or a difference unit (delta_degC)"
    )


def test_unit_mismatch_messages():
    mismatch = symopt.units.UnitMismatchError
    assert str(mismatch("lr", "x1", None, km**2 / J, 0.1)) == (
        "lr for x1 is a bare number, but it needs units of km²/J ([time]²/[mass]): give a "
        "Quantity, e.g. 0.1 * ureg('km**2/J')"
    )
    assert str(mismatch("lr", "x1", J, km**2 / J)) == (
        "lr for x1 has units J ([length]²·[mass]/[time]²), but it needs units of km²/J "
        "([time]²/[mass]): give lr in km²/J or units convertible to them"
    )
    assert str(mismatch("beta", "x2", km, ureg.dimensionless)) == (
        "beta for x2 has units km ([length]), but it must be a pure number: give a plain "
        "number (or a dimensionless Quantity)"
    )


def test_objective_units_messages():
    units = symopt.units
    assert str(units.TermUnitsError(x * y**2, J * s**2 / km**2, J, ["a"])) == (
        "the term x*y**2 has units J·s²/km² ([mass]), not the objective's units J "
        "([length]²·[mass]/[time]²): a named constant (a) multiplies it, so it is checked as "
        "written; fix the units of the constant or value_units"
    )
    assert str(units.SumUnitsError(x + y, km, s)) == (
        "x + y adds km ([length]) and s ([time]): inside a term a sum needs one dimension "
        "(only the objective's top-level terms get units from a bare coefficient)"
    )
    assert str(units.ArgumentUnitsError(sp.exp(x), x, km)) == (
        "exp(x) needs a dimensionless argument, but x has units km ([length]): divide it by "
        "a named constant with the same units, e.g. exp(x/L) with units={'L': '1 km'} (a "
        "bare number cannot carry units there)"
    )
    assert str(units.MissingUnitsError(["x"])) == (
        "x has no units: add it to units, e.g. units={'x': 'm'} ('dimensionless' for a pure "
        "number, '2 J/m' for a named constant)"
    )
    assert str(units.MissingUnitsError(["x", "y"])).startswith("x, y have no units: add them")


def test_error_classes_show_up_where_users_import_them():
    for cls in ALL:
        home = importlib.import_module(cls.__module__)
        assert getattr(home, cls.__qualname__) is cls
    assert symopt.units.UnitMismatchError.__module__ == "symopt.units"


# -- every raise names its specific class ----------------------------------------------


def _bare_raises(source: str) -> list[int]:
    """Lines of ``raise SymoptError(...)`` / ``raise errors.SymoptError`` in ``source``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = exc.id if isinstance(exc, ast.Name) else getattr(exc, "attr", None)
        if name == "SymoptError":
            lines.append(node.lineno)
    return sorted(lines)


def test_the_detector_finds_a_bare_raise_and_passes_a_subclass():
    source = (
        "def f(a):\n    if a:\n        raise SymoptError('bad')\n"
        "    raise errors.SymoptError\n"
        "def g():\n    raise ChoiceError('by', 'x', ('value',))\n"
    )
    assert _bare_raises(source) == [3, 4]


def test_no_module_raises_the_bare_base_class():
    package = Path(symopt.__file__).parent
    found = {
        f"{path.relative_to(package.parent)}:{line}"
        for path in sorted(package.rglob("*.py"))
        for line in _bare_raises(path.read_text(encoding="utf-8"))
    }
    assert len(list(package.rglob("*.py"))) > 50  # the whole package was read
    assert not found, f"raise the specific symopt.errors subclass at {sorted(found)}"
