"""Physical units: the dimensional analysis of update rules, objectives with units, and
unit-aware runs (symopt.units).

References are independent of the code under test: pint's own arithmetic on the written
update formulas, hand-derived units and closed forms (stated in comments), NumPy
re-implementations of Adam and two-ε Adadelta, and torch.optim.Adadelta.
"""

from __future__ import annotations

import inspect

import numpy as np
import pint
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import symopt
from symopt import Objective, optim
from symopt import units as U
from symopt.errors import ChoiceError, HyperparameterError, ShapeError, SymoptError, UnitsError
from symopt.units import (
    RULES,
    ArgumentUnitsError,
    MissingUnitsError,
    OffsetUnitError,
    SumUnitsError,
    TermUnitsError,
    UnitMismatchError,
    UnitSyntaxError,
    UnknownUnitError,
    attach_units,
    check_all,
    check_update,
    units_command,
    ureg,
)

U_ = ureg.Unit
KM_MM = {"x1": "km", "x2": "mm"}
KM_S = {"x1": "km", "x2": "s"}


def units_list(*texts):
    return [U_(t) for t in texts]


# -- the table of rules ------------------------------------------------------------------------

# Hand-derived: η·d must have the units of x; d = ∂f (f/x) for gd and momentum, M·∂f or
# H⁻¹·∂f (x) for preconditioned and newton, a pure ratio for the adaptive three, and
# RMS[Δx]/RMS[g]·g (x) for Adadelta.
EXPECTED_KM_MM = {
    "gd": (False, ["km**2/J", "mm**2/J"], 1e12),
    "momentum": (False, ["km**2/J", "mm**2/J"], 1e12),
    "preconditioned": (True, ["", ""], 1.0),
    "newton": (True, ["", ""], 1.0),
    "adagrad": (False, ["km", "mm"], 1e6),
    "rmsprop": (False, ["km", "mm"], 1e6),
    "adam": (False, ["km", "mm"], 1e6),
    "adadelta": (True, ["", ""], 1.0),
}


def test_the_rules_are_the_eight_of_the_issue():
    assert RULES == (
        "gd", "momentum", "preconditioned", "newton", "adagrad", "rmsprop", "adam", "adadelta"
    )  # fmt: skip


@pytest.mark.parametrize("rule", RULES)
def test_km_mm_table(rule):
    consistent, required, ratio = EXPECTED_KM_MM[rule]
    r = check_update(rule, "J", KM_MM)
    assert r.consistent is consistent
    assert r.required_lr_units == units_list(*required)
    # km and mm share the dimension length: one η passes pint's check for every rule
    assert r.scalar_lr_possible is True
    assert r.lr_scale_ratio == pytest.approx(ratio, rel=1e-12)
    assert r.gradient_units == tuple(units_list("J/km", "J/mm"))
    assert r.variable_units == tuple(units_list("km", "mm"))


@pytest.mark.parametrize("rule", RULES)
def test_km_s_table(rule):
    consistent, required, _ = EXPECTED_KM_MM[rule]
    r = check_update(rule, "J", KM_S)
    assert r.consistent is consistent
    expected = [u.replace("mm", "s") for u in required]
    assert r.required_lr_units == units_list(*expected)
    # a length and a time: one η exists only when it is a pure number
    assert r.scalar_lr_possible is (expected[0] == "")
    assert (r.lr_scale_ratio is None) is (expected[0] != "")


def test_hyperparameter_units():
    assert check_update("preconditioned", "J", KM_MM).hyperparameter_units == {
        "M": units_list("km**2/J", "mm**2/J")
    }
    assert check_update("newton", "J", KM_MM).hyperparameter_units == {
        "damping": units_list("J/km**2", "J/mm**2")
    }
    for rule in ("adagrad", "rmsprop", "adam"):
        assert check_update(rule, "J", KM_MM).hyperparameter_units == {
            "eps": units_list("J/km", "J/mm")
        }
    assert check_update("adadelta", "J", KM_S).hyperparameter_units == {
        "eps_dx": units_list("km**2", "s**2"),
        "eps_g": units_list("J**2/km**2", "J**2/s**2"),
    }


def test_step_units_with_a_given_lr():
    r = check_update("gd", "J", KM_MM, lr_units="m**2/J")
    # m²/J · J/km = m²/km and m²/J · J/mm = m²/mm: lengths, so pint accepts both
    assert r.step_units == tuple(units_list("m**2/km", "m**2/mm"))
    assert r.consistent
    assert check_update("adam", "J", KM_S, lr_units=["km", "s"]).consistent
    assert not check_update("adam", "J", KM_S, lr_units="km").consistent
    assert not check_update("preconditioned", "J", KM_MM, lr_units="s").consistent


# An independent referee: write each update with pint Quantities and let pint decide.
def _pint_accepts(rule, f_units, x_units, lr_units):
    f = U_(f_units)
    for i, xu in enumerate(map(U_, x_units)):
        x, g = 1.0 * xu, 1.0 * f / xu
        if lr_units is None:
            lr = 0.1
        else:
            lr = 0.1 * U_(lr_units[i] if isinstance(lr_units, list) else lr_units)
        eps = 1e-8 * f / xu  # the units of the gradient
        if rule == "gd":
            step = lr * g
        elif rule == "momentum":
            v = 0.5 * (0 * lr * g) - lr * g
            step = -v
        elif rule == "preconditioned":
            step = lr * (0.5 * xu**2 / f) * g
        elif rule == "newton":
            step = lr * g / (2.0 * f / xu**2)
        elif rule in ("adagrad", "rmsprop"):
            step = lr * g / ((g * g) ** 0.5 + eps)
        elif rule == "adam":
            m, v = 0.1 * g, 0.001 * g * g
            step = lr * m / (v**0.5 + eps)
        else:  # adadelta with its two ε's
            a, v = 0.0 * xu**2, 0.1 * g * g
            step = lr * ((a + 1e-6 * xu**2) ** 0.5 / (v + eps * eps) ** 0.5) * g
        try:
            x - step
        except pint.DimensionalityError:
            return False
    return True


CASES = [
    ("J", ["km", "mm"], None),
    ("J", ["km", "s"], None),
    ("J", ["km", "mm"], "m**2/J"),
    ("J", ["km", "s"], "km**2/J"),
    ("J", ["km", "s"], ["km**2/J", "s**2/J"]),
    ("kg", ["m", "m"], "m"),
    ("J", ["km", "s"], ["km", "s"]),
    ("dimensionless", ["dimensionless"], None),
]


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize(("f_units", "x_units", "lr_units"), CASES)
def test_consistent_agrees_with_pint_doing_the_update(rule, f_units, x_units, lr_units):
    report = check_update(rule, f_units, x_units, lr_units)
    assert report.consistent is _pint_accepts(rule, f_units, x_units, lr_units)


def test_report_text_km_mm():
    assert str(check_update("gd", "J", KM_MM)) == (
        "gd: x ← x − η·∂f. With a bare η the step has units J/km for x1, J/mm for x2, not the "
        "units of x (km, mm), so pint refuses the update. η needs km²/J for x1, mm²/J for x2: "
        "one η passes pint's check for every coordinate, since these units share a dimension, "
        "but 1 km²/J = 10¹² mm²/J, so when every coordinate is well scaled in its own units, "
        "the η that suits one is 10¹² times off for another."
    )


def test_report_text_km_s():
    assert str(check_update("gd", "J", KM_S)) == (
        "gd: x ← x − η·∂f. With a bare η the step has units J/km for x1, J/s for x2, not the "
        "units of x (km, s), so pint refuses the update. η needs km²/J for x1, s²/J for x2: no "
        "single η exists, since km²/J and s²/J have different dimensions ([time]²/[mass] vs "
        "[time]⁴/[length]²/[mass])."
    )


def test_report_text_preconditioned_and_adadelta():
    assert str(check_update("preconditioned", "J", KM_MM)) == (
        "preconditioned: x ← x − η·M·∂f. With a bare η the step has the units of x (km, mm). "
        "η is a pure number, the same for every coordinate. The units live in M: M_ii needs "
        "(units of x_i)²/(units of f), here km²/J, mm²/J."
    )
    text = str(check_update("adadelta", "J", KM_MM))
    assert "ε_dx in km², mm² under the numerator's root" in text
    assert "ε_g in J²/km², J²/mm² under the denominator's" in text
    assert "PyTorch's single dimensionless ε in both breaks unit invariance" in text
    assert str(check_update("adam", "J", KM_MM, lr_units=["km", "mm"])).startswith(
        "adam: x ← x − η·m̂/(√v̂ + ε). With η in (km, mm) the step has the units of x (km, mm)."
    )


def test_check_all_table():
    assert str(check_all("J", KM_MM)) == "\n".join(
        [
            "f in J; x1 in km, x2 in mm; gradient: J/km, J/mm",
            "rule            bare η?  η needs (x1, x2)  one η for all?",
            "gd              no       km²/J, mm²/J      dimensionally yes; scales differ by 10¹²",
            "momentum        no       km²/J, mm²/J      dimensionally yes; scales differ by 10¹²",
            "preconditioned  yes      1, 1              yes",
            "newton          yes      1, 1              yes",
            "adagrad         no       km, mm            dimensionally yes; scales differ by 10⁶",
            "rmsprop         no       km, mm            dimensionally yes; scales differ by 10⁶",
            "adam            no       km, mm            dimensionally yes; scales differ by 10⁶",
            "adadelta        yes      1, 1              yes",
        ]
    )


def test_units_command_prints_the_table_and_why():
    text = units_command("J", ["x1=km", "x2=s"])
    assert text.startswith(str(check_all("J", KM_S)) + "\n\ngd: x ← x − η·∂f.")
    assert text.count("\n\n") == len(RULES)
    with pytest.raises(UnitsError, match=r"cannot read 'x1:km': write --var NAME=UNIT"):
        units_command("J", ["x1:km"])


def test_cli_units():
    from symopt.cli import main

    assert main(["units", "--objective", "J", "--var", "x1=km", "--var", "x2=mm"]) == 0
    assert main(["units", "--objective", "J", "--var", "x1=kmm"]) == 2


def test_bad_rule_and_units_in_check_update():
    with pytest.raises(ChoiceError) as err:
        check_update("sgd", "J", KM_MM)
    assert err.value.choices == RULES
    assert str(err.value) == (
        "rule='sgd' is invalid: expected one of 'gd', 'momentum', 'preconditioned', 'newton', "
        "'adagrad', 'rmsprop', 'adam', 'adadelta'."
    )
    with pytest.raises(UnknownUnitError) as err:
        check_update("gd", "J", {"x1": "kmm"})
    assert str(err.value) == (
        "variable_units['x1']='kmm' names the unknown unit 'kmm': check its spelling "
        "(pint knows e.g. 'km', 'mm', 'J', 's', 'kg', 'ft')"
    )
    with pytest.raises(OffsetUnitError):
        check_update("gd", "degC", KM_MM)
    with pytest.raises(UnitsError, match="lr_units lists 1 units but there are 2 variables"):
        check_update("gd", "J", KM_MM, lr_units=["m"])


# -- objectives with units ---------------------------------------------------------------------


def test_bare_coefficients_take_the_units_of_their_term():
    f = Objective("x1**2 + x2**2", units=KM_MM, value_units="J")
    assert f.gradient_units == units_list("J/km", "J/mm")
    assert [t.coefficient_units for t in f.unit_info.terms] == units_list("J/km**2", "J/mm**2")
    assert f.unit_info.hessian_units == [
        units_list("J/km**2", "J/(km*mm)"),
        units_list("J/(mm*km)", "J/mm**2"),
    ]
    assert f.expr == sp.sympify("x1**2 + x2**2").subs(
        {s: sp.Symbol(s.name, real=True) for s in sp.symbols("x1 x2")}
    )


def test_a_constant_with_units_is_checked_and_substituted():
    f = Objective("a*x1**2 + x2", units={"a": "1 J/km**2", "x1": "km", "x2": "s"}, value_units="J")
    assert [v.name for v in f.variables] == ["x1", "x2"]
    assert sp.Symbol("a", real=True) not in f.expr.free_symbols
    assert f.gradient_units == units_list("J/km", "J/s")
    # the bare coefficient 1 of x2 takes J/s; a*x1**2 is checked (J)
    assert [t.coefficient_units for t in f.unit_info.terms] == [None, U_("J/s")]
    assert str(f.unit_info.constants["a"]) == "1.0 J/km²"


def test_a_term_that_cannot_have_value_units():
    with pytest.raises(TermUnitsError) as err:
        Objective(
            "a*x1**2 + a*x2**2", units={"a": "1 J/km**2", "x1": "km", "x2": "s"}, value_units="J"
        )
    assert str(err.value) == (
        "the term a*x2**2 has units J·s²/km² ([mass]), not the objective's units J "
        "([length]²·[mass]/[time]²): a named constant (a) multiplies it, so it is checked as "
        "written; fix the units of the constant or value_units"
    )
    assert err.value.expected == U_("J") and err.value.units == U_("J*s**2/km**2")


@pytest.mark.parametrize(
    ("expr", "units", "at"),
    [
        # constants in other units than the variables: pint converts, so must the objective
        ("a*x1**2 + b*x2**2", {"a": "3 J/m**2", "b": "2 kJ/mm**2", "x1": "km", "x2": "mm"},
         {"x1": 2.0, "x2": 3.0}),
        ("k*(x1 - c)**2", {"k": "5 J/m**2", "c": "300 m", "x1": "km"}, {"x1": 2.0}),
        ("E0*exp(x1/L) + E0*x2/L2", {"E0": "2 kJ", "L": "500 m", "L2": "1 km", "x1": "km",
                                     "x2": "m"}, {"x1": 2.0, "x2": 3.0}),
        ("k*(x1 + x2)**2", {"k": "1 J/m**2", "x1": "km", "x2": "mm"}, {"x1": 1.0, "x2": 500.0}),
    ],
)  # fmt: skip
def test_the_objective_computes_what_pint_computes(expr, units, at):
    f = Objective(expr, units=units, value_units="J")
    got = f.compile().value(np.array([at[v.name] for v in f.variables]))
    # pint evaluates the same formula on Quantities
    q = {n: U.parse_quantity(u) for n, u in units.items() if n not in at}
    q |= {n: at[n] * U_(units[n]) for n in at}
    reference = {
        "a*x1**2 + b*x2**2": lambda: q["a"] * q["x1"] ** 2 + q["b"] * q["x2"] ** 2,
        "k*(x1 - c)**2": lambda: q["k"] * (q["x1"] - q["c"]) ** 2,
        "E0*exp(x1/L) + E0*x2/L2": lambda: (
            q["E0"] * np.exp((q["x1"] / q["L"]).to("").magnitude) + q["E0"] * q["x2"] / q["L2"]
        ),
        "k*(x1 + x2)**2": lambda: q["k"] * (q["x1"] + q["x2"]) ** 2,
    }[expr]()
    assert got == pytest.approx(reference.to("J").magnitude, rel=1e-13)


def test_sums_inside_a_term_are_converted_like_pint():
    f = Objective("(x1 + x2)**2", units=KM_MM, value_units="J")
    x1, x2 = f.variables
    assert f.expr == (x1 + x2 / 1000000) ** 2  # mm → km inside the sum
    assert f.unit_info.terms[0].coefficient_units == U_("J/km**2")
    g = Objective("(x1 - 1)**2", units={"x1": "km"})  # the bare 1 is 1 km
    assert g.unit_info.value_units == U_("dimensionless")
    assert g.gradient_units == units_list("1/km")


def test_bad_objectives():
    with pytest.raises(SumUnitsError) as err:
        Objective("(x1 + x2)**2", units=KM_S, value_units="J")
    assert str(err.value) == (
        "x1 + x2 adds km ([length]) and s ([time]): inside a term a sum needs one dimension "
        "(only the objective's top-level terms get units from a bare coefficient)"
    )
    with pytest.raises(ArgumentUnitsError) as err:
        Objective("exp(x1) + x2", units=KM_S, value_units="J")
    assert str(err.value) == (
        "exp(x1) needs a dimensionless argument, but x1 has units km ([length]): divide it by a "
        "named constant with the same units, e.g. exp(x/L) with units={'L': '1 km'} (a bare "
        "number cannot carry units there)"
    )
    with pytest.raises(ArgumentUnitsError, match=r"^log\(2\*x1\) needs a dimensionless"):
        Objective("log(2*x1)", units={"x1": "km"}, value_units="J")
    with pytest.raises(MissingUnitsError) as err:
        Objective("x1**2 + y", units={"x1": "km"}, value_units="J")
    assert str(err.value) == (
        "y has no units: add it to units, e.g. units={'y': 'm'} ('dimensionless' for a pure "
        "number, '2 J/m' for a named constant)"
    )
    with pytest.raises(UnitsError, match=r"^units names x3, which is not a symbol of the obj"):
        Objective("x1**2", units={"x1": "km", "x3": "m"}, value_units="J")
    with pytest.raises(UnitsError, match=r"^units\['x1'\] gives x1 a value \(km with a magn"):
        Objective("x1**2", "x1", units={"x1": "2 km"}, value_units="J")


def test_unknown_and_offset_units_in_an_objective():
    with pytest.raises(UnknownUnitError) as err:
        Objective("x1**2", units={"x1": "kmm"}, value_units="J")
    assert str(err.value) == (
        "units['x1']='kmm' names the unknown unit 'kmm': check its spelling (pint knows e.g. "
        "'km', 'mm', 'J', 's', 'kg', 'ft')"
    )
    assert isinstance(err.value, SymoptError) and isinstance(err.value, ValueError)
    with pytest.raises(UnknownUnitError, match="names the unknown unit 'joules_per_fortnight'"):
        Objective("x1**2", units={"x1": "km"}, value_units="joules_per_fortnight")
    with pytest.raises(OffsetUnitError) as err:
        Objective("T**2", units={"T": "degC"}, value_units="J")
    assert str(err.value) == (
        "units['T'] is in degree_Celsius, an offset unit: offset units cannot be multiplied or "
        "divided, so an objective, its gradient or a step cannot use them; use an absolute unit "
        "(kelvin) or a difference unit (delta_degC)"
    )
    Objective("T**2", units={"T": "delta_degC"}, value_units="J")  # differences are fine
    with pytest.raises(UnitSyntaxError) as err:
        Objective("x1**2", units={"x1": "km**"}, value_units="J")
    assert str(err.value) == (
        "cannot read units['x1']='km**' as units: write a unit like 'km' or 'J/km**2', or a "
        "quantity like '2 J/km**2'"
    )


def test_constants_as_text_numbers_or_quantities():
    a = Objective("x1**2 + k", units={"x1": "km", "k": "3 kJ"}, value_units="J")
    b = Objective("x1**2 + k", units={"x1": ureg.km, "k": 3 * ureg.kJ}, value_units=ureg.J)
    assert a.expr == b.expr == a.variables[0] ** 2 + 3000
    c = Objective("k*x1", units={"x1": "dimensionless", "k": 2})
    assert c.expr == 2 * c.variables[0]
    # "1/s" is a unit, "1 s" a constant
    assert attach_units(sp.Symbol("w", real=True), None, {"w": "1/s"}, "1/s")[2].variables == ("w",)


def test_quantities_of_another_registry():
    other = pint.UnitRegistry()
    f = Objective("x1**2", units={"x1": other.km}, value_units=other.J)
    assert f.gradient_units == units_list("J/km")


# -- unit-aware runs ---------------------------------------------------------------------------


def km_mm_objective(u1="km", u2="mm", value="J"):
    """f = a x1² + b x2² + c x1 x2 with a = 1 J/km², b = 1 J/mm², c = 0.5 J/(km·mm)."""
    return Objective(
        "a*x1**2 + b*x2**2 + c*x1*x2",
        units={"a": "1 J/km**2", "b": "1 J/mm**2", "c": "0.5 J/(km*mm)", "x1": u1, "x2": u2},
        value_units=value,
    )


X0 = [1 * ureg.km, 2 * ureg.mm]


def test_trajectory_carries_units():
    f = km_mm_objective()
    M = [0.25 * ureg("km**2/J"), 0.25 * ureg("mm**2/J")]
    traj = symopt.minimize(f, U.preconditioned(M), x0=[1000 * ureg.m, 2 * ureg.mm], steps=5)
    assert isinstance(traj.x, tuple) and len(traj.x) == 2
    assert traj.x[0].units == ureg.km and traj.x[1].units == ureg.mm
    assert traj.x[0].shape == traj.x[1].shape == (6,)
    assert traj.x[0][0].magnitude == 1.0  # 1000 m became 1 km
    # one step by hand: g = (2·1 + 0.5·2, 2·2 + 0.5·1) = (3, 4.5); x ← x − ¼g
    assert traj.x[0][1].magnitude == pytest.approx(0.25)
    assert traj.x[1][1].magnitude == pytest.approx(0.875)
    assert traj.values.units == ureg.J
    assert traj.values[0].magnitude == pytest.approx(1 + 4 + 1)
    assert traj.extras["units"] == {"x1": ureg.km, "x2": ureg.mm, "f": ureg.J}
    assert traj.final_x[1].units == ureg.mm


def test_batched_start_and_record_last():
    f = km_mm_objective()
    x0 = [ureg.Quantity(np.array([1.0, 2.0, 3.0]), "km"), 2 * ureg.mm]
    traj = symopt.minimize(f, U.newton(), x0=x0, steps=3, record="last")
    assert traj.x[0].shape == (2, 3) and traj.x[1].shape == (2, 3)
    # Newton on a quadratic lands on the minimum, 0, in one step
    np.testing.assert_allclose(traj.x[0][-1].magnitude, 0.0, atol=1e-12)
    q = ureg.Quantity(np.array([[1.0, 2.0], [3.0, 4.0]]), "m")  # one array (..., n), in m
    traj = symopt.minimize(f, U.newton(), x0=q, steps=1)
    np.testing.assert_allclose(traj.x[0][0].magnitude, [0.001, 0.003])
    np.testing.assert_allclose(traj.x[1][0].magnitude, [2000.0, 4000.0])


def test_units_path_agrees_with_the_magnitude_path():
    f = km_mm_objective()
    M = [3e5 * ureg("m**2/J"), 0.3 * ureg("mm**2/J")]  # 3·10⁵ m²/J = 0.3 km²/J
    with_units = symopt.minimize(f, U.preconditioned(M), x0=X0, steps=1000)
    plain = symopt.minimize(f, optim.preconditioned([0.3, 0.3]), x0=[1.0, 2.0], steps=1000)
    for i in range(2):
        np.testing.assert_allclose(with_units.x[i].magnitude, plain.x[:, i], rtol=1e-12, atol=0)
    np.testing.assert_allclose(with_units.values.magnitude, plain.values, rtol=1e-12)
    # both coordinates in km: one lr and one eps serve both, passed to optim.adam as they are
    g = km_mm_objective("km", "km")
    opt = U.adam(lr=10 * ureg.m, eps=1e-8 * ureg("J/km"))
    with_units = symopt.minimize(g, opt, x0=[1 * ureg.km, 2 * ureg.km], steps=1000)
    plain = symopt.minimize(g, optim.adam(lr=0.01, eps=1e-8), x0=[1.0, 2.0], steps=1000)
    for i in range(2):
        np.testing.assert_allclose(with_units.x[i].magnitude, plain.x[:, i], rtol=1e-12, atol=0)


def _numpy_adam(grad, x, lr, eps, steps, b1=0.9, b2=0.999):
    """Adam as torch.optim.Adam writes it, with per-coordinate lr and eps."""
    m = v = np.zeros_like(x)
    path = [x]
    for t in range(1, steps + 1):
        g = grad(x)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        denom = np.sqrt(v) / np.sqrt(1 - b2**t) + eps
        x = x - lr / (1 - b1**t) * m / denom
        path.append(x)
    return np.array(path)


def _numpy_adadelta(grad, x, eps_dx, eps_g, steps, lr=1.0, rho=0.9):
    """Zeiler's Adadelta with the two ε's: Δ = √(a + ε_dx)/√(v + ε_g)·g."""
    v = a = np.zeros_like(x)
    path = [x]
    for _ in range(steps):
        g = grad(x)
        v = rho * v + (1 - rho) * g * g
        d = np.sqrt(a + eps_dx) / np.sqrt(v + eps_g) * g
        a = rho * a + (1 - rho) * d * d
        x = x - lr * d
        path.append(x)
    return np.array(path)


def _gradient(x):  # of a x1² + b x2² + c x1 x2 in (km, mm, J): (2x1 + x2/2, 2x2 + x1/2)
    return np.array([2 * x[0] + 0.5 * x[1], 2 * x[1] + 0.5 * x[0]])


def test_per_coordinate_adam_matches_a_numpy_adam():
    f = km_mm_objective()
    opt = U.adam(
        lr=[0.05 * ureg.km, 0.02 * ureg.mm], eps=[1e-3 * ureg("J/km"), 1e-2 * ureg("J/mm")]
    )
    traj = symopt.minimize(f, opt, x0=X0, steps=300)
    ref = _numpy_adam(_gradient, np.array([1.0, 2.0]), np.array([0.05, 0.02]),
                      np.array([1e-3, 1e-2]), 300)  # fmt: skip
    np.testing.assert_allclose(np.stack([q.magnitude for q in traj.x], -1), ref, rtol=1e-12,
                               atol=1e-12)  # fmt: skip


def test_two_eps_adadelta_matches_a_numpy_adadelta():
    f = km_mm_objective()
    opt = U.adadelta(
        eps_dx=[1e-2 * ureg.km**2, 1e-2 * ureg.mm**2],
        eps_g=[1e-2 * ureg("J/km") ** 2, 1e-1 * ureg("J/mm") ** 2],
    )
    traj = symopt.minimize(f, opt, x0=X0, steps=300)
    ref = _numpy_adadelta(_gradient, np.array([1.0, 2.0]), np.array([1e-2, 1e-2]),
                          np.array([1e-2, 1e-1]), 300)  # fmt: skip
    np.testing.assert_allclose(np.stack([q.magnitude for q in traj.x], -1), ref, rtol=1e-12,
                               atol=1e-15)  # fmt: skip


def test_adadelta_with_equal_eps_is_torch_adadelta():
    torch = pytest.importorskip("torch", reason="torch is the reference for Adadelta")
    f = km_mm_objective()
    eps = 1e-6
    # the same magnitude in the run's units (km, mm, J) for both ε's: PyTorch's one ε
    eps_dx = [eps * ureg.km**2, eps * ureg.mm**2]
    eps_g = [eps * ureg("J/km") ** 2, eps * ureg("J/mm") ** 2]
    opt = U.adadelta(eps_dx=eps_dx, eps_g=eps_g, lr=0.5, rho=0.8)
    traj = symopt.minimize(f, opt, x0=X0, steps=100)
    p = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    torch_opt = torch.optim.Adadelta([p], lr=0.5, rho=0.8, eps=eps)
    path = [p.detach().numpy().copy()]
    for _ in range(100):
        torch_opt.zero_grad()
        p.grad = torch.tensor(_gradient(p.detach().numpy()), dtype=torch.float64)
        torch_opt.step()
        path.append(p.detach().numpy().copy())
    np.testing.assert_allclose(np.stack([q.magnitude for q in traj.x], -1), np.array(path),
                               rtol=1e-12, atol=1e-15)  # fmt: skip


LENGTHS = ["km", "m", "mm", "ft", "inch", "mile", "um", "nautical_mile"]
TIMES = ["s", "ms", "minute", "hour", "day"]
ENERGIES = ["J", "kJ", "cal", "kWh", "eV"]


def mixed_objective(u1, u2, uf):
    """The same physical f(x1 [length], x2 [time]) = a x1² + b x2² + c x1 x2 in any units."""
    return Objective(
        "a*x1**2 + b*x2**2 + c*x1*x2",
        units={"a": "1 J/km**2", "b": "2 J/s**2", "c": "0.5 J/(km*s)", "x1": u1, "x2": u2},
        value_units=uf,
    )


INVARIANT = {
    "preconditioned": U.preconditioned([0.2 * ureg("km**2/J"), 0.1 * ureg("s**2/J")]),
    "newton": U.newton(lr=0.5, damping=[0.3 * ureg("J/km**2"), 0.2 * ureg("J/s**2")]),
    "adadelta": U.adadelta(eps_dx=[1e-2 * ureg.km**2, 1e-2 * ureg.s**2],
                           eps_g=[1e-2 * ureg("J/km") ** 2, 1e-1 * ureg("J/s") ** 2]),
}  # fmt: skip
MIXED_X0 = [1.5 * ureg.km, 2 * ureg.s]


def _base_path(traj):
    return np.stack([q.to_base_units().magnitude for q in traj.x], -1)


@pytest.fixture(scope="module")
def reference_paths():
    f = mixed_objective("km", "s", "J")
    return {name: _base_path(symopt.minimize(f, opt, MIXED_X0, steps=60))
            for name, opt in INVARIANT.items()}  # fmt: skip


@settings(max_examples=8, deadline=None)
@given(u1=st.sampled_from(LENGTHS), u2=st.sampled_from(TIMES), uf=st.sampled_from(ENERGIES))
def test_invariance_over_random_units(reference_paths, u1, u2, uf):
    f = mixed_objective(u1, u2, uf)
    for name, opt in INVARIANT.items():
        path = _base_path(symopt.minimize(f, opt, MIXED_X0, steps=60))
        ref = reference_paths[name]
        np.testing.assert_allclose(path, ref, rtol=1e-9, atol=1e-9 * np.abs(ref).max(),
                                   err_msg=f"{name} in ({u1}, {u2}, {uf})")  # fmt: skip


@pytest.mark.parametrize(
    "opt",
    [
        U.gd(lr=[0.1 * ureg("km**2/J"), 0.2 * ureg("mm**2/J")]),
        U.momentum(lr=[0.1 * ureg("km**2/J"), 0.2 * ureg("mm**2/J")], mu=0.5),
        U.adagrad(lr=[0.1 * ureg.km, 0.1 * ureg.mm], eps=[1e-10 * ureg("J/km"), 1 * ureg("J/m")]),
        U.rmsprop(lr=[0.01 * ureg.km, 0.01 * ureg.mm], eps=1e-8 * ureg("J/m"), centered=True),
        U.adam(lr=[0.01 * ureg.km, 0.01 * ureg.mm], eps=[1e-8 * ureg("J/km"), 1e-8 * ureg("J/mm")]),
    ],
    ids=lambda o: o.rule,
)
def test_other_rules_with_per_coordinate_quantities_are_invariant(opt):
    paths = [_base_path(symopt.minimize(km_mm_objective(*u), opt, X0, steps=100))
             for u in [("km", "mm"), ("m", "mm"), ("ft", "inch")]]  # fmt: skip
    for path in paths[1:]:
        np.testing.assert_allclose(path, paths[0], rtol=1e-9, atol=1e-9 * np.abs(paths[0]).max())


def test_plain_gd_on_magnitudes_is_not_invariant():
    # x1 in km: f = x1² + ...; x1 in m: f = 10⁻⁶ x1² + ...: the same bare η moves x1 10⁶
    # times less (relative to its own size) in metres.
    paths = []
    for u1 in ("km", "m"):
        f = km_mm_objective(u1, "mm")
        x0 = np.array([X0[0].to(u1).magnitude, 2.0])
        traj = symopt.minimize(f, optim.gd(lr=0.1), x0=x0, steps=50)
        paths.append(traj.x[:, 0] * ureg(u1).to("m").magnitude)
    assert paths[0][-1] == pytest.approx(0.0, abs=1.0)  # in km: reaches 0 (within 1 m)
    assert paths[1][-1] == pytest.approx(1000.0, rel=1e-3)  # in m: x1 has not moved


def test_run_errors():
    f = km_mm_objective()
    with pytest.raises(UnitMismatchError) as err:
        symopt.minimize(f, U.gd(lr=0.1), x0=X0)
    assert str(err.value) == (
        "lr for x1 is a bare number, but it needs units of km²/J ([time]²/[mass]): give a "
        "Quantity, e.g. 0.1 * ureg('km**2/J')"
    )
    assert isinstance(err.value, pint.DimensionalityError) and isinstance(err.value, UnitsError)
    assert (err.value.name, err.value.coordinate, err.value.needed) == ("lr", "x1", U_("km**2/J"))
    with pytest.raises(UnitMismatchError) as err:
        symopt.minimize(f, U.preconditioned([0.3 * ureg("km**2/J"), 0.3 * ureg("s**2/J")]), X0)
    assert str(err.value) == (
        "M for x2 has units s²/J ([time]⁴/[length]²/[mass]), but it needs units of mm²/J "
        "([time]²/[mass]): give M in mm²/J or units convertible to them"
    )
    with pytest.raises(UnitMismatchError) as err:
        symopt.minimize(f, U.adam(lr=[0.3 * ureg.km, 0.3 * ureg.mm], eps=1e-8), x0=X0)
    assert str(err.value) == (
        "eps for x1 is a bare number, but it needs units of J/km ([length]·[mass]/[time]²): give "
        "a Quantity, e.g. 1e-08 * ureg('J/km')"
    )
    with pytest.raises(UnitMismatchError, match=r"^eps_dx for x1 is a bare number, but it needs "):
        symopt.minimize(f, U.adadelta(eps_dx=1e-6, eps_g=1e-6), x0=X0)
    with pytest.raises(UnitMismatchError) as err:
        symopt.minimize(f, U.newton(lr=0.5 * ureg.m), x0=X0)
    assert str(err.value) == (
        "lr for all coordinates has units m ([length]), but it must be a pure number: give a "
        "plain number (or a dimensionless Quantity)"
    )
    with pytest.raises(UnitMismatchError) as err:
        symopt.minimize(f, U.newton(), x0=[1 * ureg.km, 2 * ureg.s])
    assert str(err.value) == (
        "x0 for x2 has units s ([time]), but it needs units of mm ([length]): give x0 in mm or "
        "units convertible to them"
    )
    with pytest.raises(UnitMismatchError, match=r"^x0 for x2 is a bare number"):
        symopt.minimize(f, U.newton(), x0=[1 * ureg.km, 2.0])
    with pytest.raises(ShapeError, match=r"^x0 with units must give one Quantity per variable"):
        symopt.minimize(f, U.newton(), x0=[1 * ureg.km])
    with pytest.raises(UnitsError, match=r"^a run with units needs an optimizer with units"):
        symopt.minimize(f, optim.newton(), x0=X0)
    with pytest.raises(UnitsError, match=r"^x0 holds Quantities, but the objective has no units"):
        symopt.minimize(Objective("x1**2 + x2**2"), U.newton(), x0=X0)
    with pytest.raises(ChoiceError, match=r"^rule='sgd' is invalid"):
        U.optimizer("sgd", lr=1.0)


def test_zero_has_every_unit_and_dimensionless_quantities_are_numbers():
    f = km_mm_objective()
    a = symopt.minimize(f, U.newton(lr=0.5, damping=0.0), x0=X0, steps=3)
    b = symopt.minimize(f, U.newton(lr=0.5 * ureg("m/km") * 1000), x0=X0, steps=3)
    for qa, qb in zip(a.x, b.x, strict=True):
        np.testing.assert_allclose(qa.magnitude, qb.magnitude, rtol=1e-15)
    c = U.optimizer("momentum", lr=0.1 * ureg("m**2/J"), mu=0.5)
    assert c.rule == "momentum" and c.hyperparameters["mu"] == 0.5


UNIT_OPTIMIZERS = ("gd", "momentum", "preconditioned", "newton", "adagrad", "rmsprop", "adam")


@pytest.mark.parametrize("name", [*UNIT_OPTIMIZERS, "adadelta"])
def test_unit_optimizers_take_the_arguments_of_symopt_optim_in_its_order(name):
    # a positional habit from symopt.optim must set the same hyper-parameters here: the same
    # names, kinds and order, defaults equal unless units make the argument required, and
    # arguments that exist only with units are keyword-only
    ours = inspect.signature(getattr(U, name)).parameters
    plain = inspect.signature(getattr(optim, name)).parameters
    assert list(ours)[: len(plain)] == list(plain)
    for arg, p in plain.items():
        assert ours[arg].kind == p.kind, arg
        required = ours[arg].default is p.empty or repr(ours[arg].default) == "<required>"
        assert required or ours[arg].default == p.default, arg
    extras = list(ours)[len(plain) :]
    assert all(ours[arg].kind is inspect.Parameter.KEYWORD_ONLY for arg in extras), extras
    assert extras == (["eps_dx", "eps_g"] if name == "adadelta" else [])


def _steps(opt, x, grads):
    state, out = opt.init(x), []
    for g in grads:
        u, state = opt.update(g, state, x)
        out.append(u)
    return np.array(out)


def test_positional_arguments_set_what_they_set_in_symopt_optim():
    # x in m, f in J: lr in m, eps in J/m, so the magnitudes are the plain numbers
    x, grads = np.array([1.0, -2.0]), [np.array([0.3, -1.0]), np.array([2.0, 0.5])] * 3
    m, g = ureg.m, ureg("J/m")
    pairs = [
        (U.adam(0.01 * m, (0.5, 0.9), 1e-3 * g), optim.adam(0.01, (0.5, 0.9), 1e-3)),
        (U.rmsprop(0.01 * m, 0.5, 1e-3 * g), optim.rmsprop(0.01, 0.5, 1e-3)),
        (U.adagrad(0.1 * m, 0.5, 0.0, 0.0, 1e-3 * g), optim.adagrad(0.1, 0.5, 0.0, 0.0, 1e-3)),
        (U.momentum(0.1 * ureg("m**2/J"), 0.5), optim.momentum(0.1, 0.5)),
    ]
    for unit_aware, plain in pairs:
        built = unit_aware.build(["x1", "x2"], ["m", "m"], "J")
        np.testing.assert_array_equal(_steps(built, x, grads), _steps(plain, x, grads))
    # f in m²: (units of f/x)² = (units of x)², so one eps fits both roots of Adadelta
    built = U.adadelta(0.5, 0.8, 1e-2 * m**2).build(["x1", "x2"], ["m", "m"], "m**2")
    np.testing.assert_array_equal(
        _steps(built, x, grads), _steps(optim.adadelta(0.5, 0.8, 1e-2), x, grads)
    )


def test_unit_optimizer_arguments_that_need_units_or_have_none():
    with pytest.raises(TypeError, match=r"^units\.adam\(\) needs eps: a Quantity in the units"):
        U.adam(lr=0.01 * ureg.m)
    with pytest.raises(TypeError, match=r"^units\.adadelta\(\) needs eps_dx and eps_g"):
        U.adadelta(eps_dx=1e-2 * ureg.m**2)
    opt = U.adam(0.01 * ureg.m, eps=1e-8 * ureg("J/m"), weight_decay=0.1)
    with pytest.raises(HyperparameterError) as err:
        opt.build(["x1"], ["m"], "J")
    assert str(err.value) == (
        "weight_decay=0.1 is invalid: expected 0: the unit-aware adam takes no weight_decay "
        "yet (the rules table has no units for it); run symopt.optim.adam on magnitudes for one."
    )
    # zero has every unit: a zero Quantity is accepted where units are not known yet
    zeros = {"weight_decay": 0 * ureg("J/m**2"), "initial_accumulator_value": 0 * ureg("J/m")}
    built = U.adagrad(0.1 * ureg.m, eps=1e-3 * ureg("J/m"), **zeros).build(["x1"], ["m"], "J")
    x, grads = np.array([1.0]), [np.array([0.5]), np.array([-2.0])]
    np.testing.assert_array_equal(
        _steps(built, x, grads), _steps(optim.adagrad(0.1, eps=1e-3), x, grads)
    )


def test_one_bare_eps_in_both_roots_breaks_invariance_by_order_eps():
    # PyTorch's Adadelta adds the same number ε to E[Δx²] (units x²) and E[g²] (units
    # (f/x)²); the same problem in (km, mm) and (m, mm) then takes different paths, and the
    # gap shrinks with ε.  The two-ε version (above) takes the same path in any units.
    gaps = []
    for eps in (1e-2, 1e-4):
        paths = []
        for u1 in ("km", "m"):
            f = km_mm_objective(u1, "mm")
            x0 = np.array([X0[0].to(u1).magnitude, 2.0])
            traj = symopt.minimize(f, optim.adadelta(eps=eps), x0=x0, steps=20)
            paths.append(traj.x[:, 1])  # x2 is in mm in both
        gaps.append(np.abs(paths[0] - paths[1]).max())
    assert gaps[0] > 1e-3 and gaps[1] < gaps[0] / 10


def test_docs_units_md_runs():
    import doctest
    import pathlib

    path = pathlib.Path(__file__).parent.parent / "docs" / "units.md"
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    result = doctest.testfile(str(path), module_relative=False, optionflags=flags)
    assert result.attempted > 5 and result.failed == 0


def test_magnitudes_make_a_plain_trajectory_for_plots():
    f = km_mm_objective()
    traj = symopt.minimize(f, U.newton(), x0=X0, steps=2)
    plain = U.magnitudes(traj, ["m", "mm"])
    np.testing.assert_allclose(plain.x[0], [1000.0, 2.0])
    np.testing.assert_allclose(plain.x[1:], 0.0, atol=1e-12)  # Newton: the minimum at once
    assert plain.values[0] == pytest.approx(1 + 4 + 1)
    fig = U.magnitudes(traj).plot(objective=f)
    assert fig is not None
    with pytest.raises(UnitsError, match="this trajectory has no units"):
        U.magnitudes(plain)


def test_newton_with_per_coordinate_damping_solves_h_plus_diag():
    # H of km_mm_objective in (J/km², J/(km·mm), J/mm²) is [[2, 0.5], [0.5, 2]]; a damping
    # of (1 J/km², 3 J/mm²) adds diag(1, 3): x1 = x0 − (H + D)⁻¹ ∇f(x0)
    f = km_mm_objective()
    damping = [1e-6 * ureg("J/m**2"), 3 * ureg("J/mm**2")]  # 10⁻⁶ J/m² = 1 J/km²
    traj = symopt.minimize(f, U.newton(damping=damping), x0=X0, steps=1)
    H, D, x0 = np.array([[2.0, 0.5], [0.5, 2.0]]), np.diag([1.0, 3.0]), np.array([1.0, 2.0])
    expected = x0 - np.linalg.solve(H + D, _gradient(x0))
    np.testing.assert_allclose([q[1].magnitude for q in traj.x], expected, rtol=1e-13)


# -- the room itself -----------------------------------------------------------------------


def test_pint_is_imported_only_inside_symopt_units():
    import ast
    from pathlib import Path

    package = Path(symopt.__file__).parent
    importers = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            if any(n == "pint" or n.startswith("pint.") for n in names):
                importers.add(path.relative_to(package).parts[0])
    assert importers == {"units"}


def test_the_update_rule_labels_are_the_rows_of_the_table():
    from typing import get_args

    from symopt._typing import UpdateRule

    assert get_args(UpdateRule) == RULES


def test_pickled_quantities_come_back_in_symopts_registry():
    import pickle

    q = pickle.loads(pickle.dumps(U.ureg.Quantity(2.0, "km")))
    assert q + U.ureg.Quantity(500.0, "m") == U.ureg.Quantity(2.5, "km")
    assert pickle.loads(pickle.dumps(U.ureg.Unit("J/km"))) / U.ureg.Unit("J") == 1 / U.ureg.km


# -- unit text is read by symopt's safe parser before pint (issue 18) -------------------------


@pytest.mark.parametrize(
    "text",
    [
        "9**9**9**9 m",  # pint evaluated this and never returned
        "km**300",  # 1000**300 overflows a float in SI base units
        "km**13",  # beyond MAX_UNIT_POWER
        "(km**4)**4",  # km**16 once SymPy multiplies the powers
        "Ym**12*Em**12*Pm**12",  # each power allowed, the product beyond a float
        "km/1000",  # a bare number inside units: pint returned km, dropping it
        "2*km",
        "km + m",
        "exp(km)",
        "__import__('os')",
    ],
)
def test_unit_text_that_pint_would_compute_is_refused_at_once(text, no_hang):
    with no_hang(20), pytest.raises(UnitSyntaxError, match=r"cannot read units="):
        U.parse_units(text)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("km**12", "kilometer ** 12"),
        ("kg m/s^2", "kilogram * meter / second ** 2"),  # a space multiplies, as in pint
        ("km²/J", "kilometer ** 2 / joule"),  # the pretty form symopt prints
        ("m·s⁻²", "meter / second ** 2"),
        ("1/s", "1 / second"),
        ("min", "minute"),  # a function name for the parser, a unit for pint
        ("m**0.5", "meter ** 0.5"),
        ("km*1000/1000", "kilometer"),  # the numbers cancel: km, rightly
    ],
)
def test_unit_text_of_names_and_powers_still_reads(text, units):
    assert U.parse_units(text) == U.ureg.Unit(units)


def test_quantity_text_keeps_its_magnitude():
    assert U.parse_quantity("2.5e-3 km") == U.ureg.Quantity(0.0025, "km")
    with pytest.raises(UnitSyntaxError, match="cannot read value="):
        U.parse_quantity("9**9**9**9 m")


def test_check_update_refuses_a_rule_that_is_not_a_name():
    # a list used to reach a dict lookup and raise TypeError: unhashable type
    with pytest.raises(ChoiceError, match=r"rule=\['gd'\] is invalid: expected one of 'gd'"):
        U.check_update(["gd"], "J", ["km"])
