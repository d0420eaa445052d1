"""Unit-aware optimizers: Quantity hyper-parameters, checked once, then plain optimizers.

Private: import the public names from :mod:`symopt.units`.

A :class:`UnitOptimizer` is a rule with Quantity hyper-parameters.  Its :meth:`build`
checks each hyper-parameter's dimension against what its rule needs for every
coordinate (from the table of :func:`symopt.units.check_update`), converts it to
magnitudes in the run's units (the objective's variable units and value units), and
returns a plain :mod:`symopt.optim` optimizer.  A hyper-parameter whose magnitudes are
the same for every coordinate goes to the optimizer as it is.  One whose magnitudes differ
(η = 1 m²/J is 10⁻⁶ km²/J for x1 in km but 10⁶ mm²/J for x2 in mm) cannot, since
:mod:`symopt.optim` hyper-parameters are per run, not per coordinate; the optimizer then
runs on rescaled coordinates instead (:func:`rescaled`): each coordinate is divided by its
own scale, which makes it dimensionless.  For the adaptive rules this is exact algebra:
``m/(√v + ε) = (m/ε)/(√(v/ε²) + 1)``, so Adam with ε = 1 on ``∂f/ε`` is Adam with ε on
``∂f``; and Adadelta with two ε's is PyTorch's Adadelta with ε = 1 on ``∂f/√ε_g``, its
step times ``√ε_dx``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
import pint

from symopt import optim
from symopt.errors import HyperparameterError
from symopt.units.errors import UnitMismatchError
from symopt.units.registry import parse_quantity, parse_units, ureg
from symopt.units.rules import _rule

__all__ = [
    "UnitOptimizer",
    "adadelta",
    "adagrad",
    "adam",
    "gd",
    "momentum",
    "newton",
    "optimizer",
    "preconditioned",
    "rescaled",
    "rmsprop",
]


# -- per-coordinate rescaling -------------------------------------------------------------------


def rescaled(inner: optim.Optimizer, k: Any = None, c: Any = None) -> optim.Optimizer:
    """``inner`` fed the gradient ``k ⊙ ∂f``, its updates multiplied by ``c`` (per coordinate).

    With ``k = c = s`` this is ``inner`` run on the coordinates ``y = x / s`` (its
    parameters are ``x / c`` and its Hessian ``K H C``), so Newton's method, which is
    invariant under such a change, stays Newton's.  ``None`` means ones.

    >>> import numpy as np
    >>> opt = rescaled(optim.gd(lr=1.0), c=np.array([0.5, 2.0]))  # gd, lr per coordinate
    >>> x = np.array([1.0, 1.0])
    >>> opt.update(np.array([2.0, 2.0]), opt.init(x), x)[0]
    array([-1., -4.])
    """
    if k is None and c is None:
        return inner
    k = np.ones(1) if k is None else np.asarray(k, dtype=float)
    c = np.ones(1) if c is None else np.asarray(c, dtype=float)
    hessian_scale = k[..., :, None] * c[..., None, :]

    def init(params):
        return inner.init(np.asarray(params, dtype=float) / c)

    def update(grads, state, params=None, **extra):
        if "hessian" in extra:
            extra = {**extra, "hessian": extra["hessian"] * hessian_scale}
        inner_params = None if params is None else params / c
        updates, state = inner.update(grads * k, state, inner_params, **extra)
        return updates * c, state

    return optim.Optimizer(init, update, inner.needs)


# -- converting hyper-parameters --------------------------------------------------------------


class _Run(NamedTuple):
    """The units a run works in."""

    names: tuple[str, ...]
    x: tuple[pint.Unit, ...]
    f: pint.Unit

    def needed(self, rule: str, name: str) -> list[pint.Unit]:
        """The units hyper-parameter ``name`` of ``rule`` needs, per coordinate."""
        spec = _rule(rule)
        exponents = spec.hyper.get(name)
        if exponents is None:  # the learning rate: x / direction
            return [xi / spec.units(spec.direction, xi, self.f) for xi in self.x]
        return [spec.units(exponents, xi, self.f) for xi in self.x]


def _is_quantity(value: Any) -> bool:
    return hasattr(value, "magnitude") and hasattr(value, "units")


def _factor(units: pint.Unit, target: pint.Unit) -> float:
    return float(ureg.Quantity(1.0, units).to(target).magnitude)


def _convert(name: str, coordinate: str, value: Any, needed: pint.Unit) -> np.ndarray:
    """One value as magnitudes in ``needed``: a Quantity of that dimension, a bare number
    when ``needed`` is dimensionless, or a bare 0 (zero has every unit)."""
    if _is_quantity(value):
        q = parse_quantity(value, name)
        if q.dimensionality != needed.dimensionality:
            raise UnitMismatchError(name, coordinate, q.units, needed)
        return np.asarray(q.magnitude, dtype=float) * _factor(q.units, needed)
    try:
        magnitude = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise HyperparameterError(name, value, f"a Quantity in {needed:~P}") from None
    if needed.dimensionality and np.any(magnitude != 0):
        raise UnitMismatchError(name, coordinate, None, needed, value)
    return magnitude * (1.0 if needed.dimensionality else _factor(needed, ureg.dimensionless))


def _per_coordinate(name: str, value: Any, needed: list[pint.Unit], run: _Run) -> np.ndarray:
    """Magnitudes of shape ``(..., n)``: one value for all coordinates, or one each."""
    n = len(needed)
    if isinstance(value, list | tuple):
        if len(value) != n:
            raise HyperparameterError(
                name, value, f"one Quantity for all {n} coordinates, or a list of {n}"
            )
        parts = [_convert(name, run.names[i], v, needed[i]) for i, v in enumerate(value)]
    else:
        parts = [_convert(name, run.names[i], value, needed[i]) for i in range(n)]
    return np.stack(np.broadcast_arrays(*parts), axis=-1)


def _pure(name: str, value: Any) -> Any:
    """A dimensionless hyper-parameter (bare, or a dimensionless Quantity) as magnitudes."""
    if isinstance(value, tuple):  # betas
        return tuple(_pure(f"{name}[{i}]", v) for i, v in enumerate(value))
    if not _is_quantity(value):
        return value
    return _convert(name, "all coordinates", value, ureg.dimensionless)


def _split(h: np.ndarray) -> tuple[Any, np.ndarray | None]:
    """``(value, None)`` if ``h`` is the same for every coordinate, else ``(1.0, h)``."""
    if np.all(h == h[..., :1]):
        common = h[..., 0]
        return (float(common) if common.ndim == 0 else common), None
    return 1.0, h


def _inverse(name: str, h: np.ndarray, rule: str) -> np.ndarray:
    if not np.all(h > 0):
        raise HyperparameterError(
            name,
            h.tolist(),
            f"values > 0 for every coordinate: {rule} rescales each coordinate by its {name} "
            "when the magnitudes differ between coordinates",
        )
    return 1.0 / h


# -- the rules ----------------------------------------------------------------------------------


def _build_gd(run: _Run, lr: Any) -> optim.Optimizer:
    common, per = _split(_per_coordinate("lr", lr, run.needed("gd", "lr"), run))
    return rescaled(optim.gd(lr=common), c=per)


def _build_momentum(run: _Run, lr: Any, mu: Any) -> optim.Optimizer:
    common, per = _split(_per_coordinate("lr", lr, run.needed("momentum", "lr"), run))
    return rescaled(optim.momentum(lr=common, mu=_pure("mu", mu)), c=per)


def _build_preconditioned(run: _Run, M: Any, lr: Any) -> optim.Optimizer:
    n = len(run.names)
    if _is_matrix(M, n):
        x, names = run.x, run.names
        magnitudes = np.array(
            [
                [
                    _convert("M", f"({names[i]}, {names[j]})", M[i][j], x[i] * x[j] / run.f)
                    for j in range(n)
                ]
                for i in range(n)
            ]
        )
    else:
        if _is_quantity(M) and np.ndim(M.magnitude) == 1:
            M = [M[i] for i in range(len(M.magnitude))]
        magnitudes = _per_coordinate("M", M, run.needed("preconditioned", "M"), run)
    return optim.preconditioned(M=magnitudes, lr=_pure("lr", lr))


def _is_matrix(M: Any, n: int) -> bool:
    """A nested list of n rows, or a Quantity with a 2-D magnitude."""
    if _is_quantity(M):
        return np.ndim(M.magnitude) == 2
    return isinstance(M, list | tuple) and all(isinstance(r, list | tuple) for r in M)


def _build_newton(run: _Run, lr: Any, damping: Any) -> optim.Optimizer:
    h = _per_coordinate("damping", damping, run.needed("newton", "damping"), run)
    common, per = _split(h)
    if per is None:
        return optim.newton(lr=_pure("lr", lr), damping=common)
    s = np.sqrt(_inverse("damping", per, "newton"))  # y = x/s: (SHS + I)⁻¹ ↔ (H + λ)⁻¹
    return rescaled(optim.newton(lr=_pure("lr", lr), damping=1.0), k=s, c=s)


def _no_units_yet(rule: str, name: str, value: Any) -> float:
    """0 for a hyper-parameter whose units the rules table does not know (yet): only a
    zero (bare or a Quantity) is accepted, since zero has every unit."""
    magnitude = value.magnitude if _is_quantity(value) else value
    try:
        zero = not np.any(np.asarray(magnitude, dtype=float))
    except (TypeError, ValueError):
        zero = False
    if not zero:
        raise HyperparameterError(
            name,
            value,
            f"0: the unit-aware {rule} takes no {name} yet (the rules table has no units "
            f"for it); run symopt.optim.{rule} on magnitudes for one",
        )
    return 0.0


def _adaptive(factory: Callable[..., optim.Optimizer], rule: str):
    def build(run: _Run, lr: Any, eps: Any, **rest: Any) -> optim.Optimizer:
        lr_common, lr_per = _split(_per_coordinate("lr", lr, run.needed(rule, "lr"), run))
        eps_common, eps_per = _split(_per_coordinate("eps", eps, run.needed(rule, "eps"), run))
        k = None if eps_per is None else _inverse("eps", eps_per, rule)
        with_units = {"weight_decay", "initial_accumulator_value"}
        plain = {
            key: _no_units_yet(rule, key, v) if key in with_units else _pure(key, v)
            for key, v in rest.items()
        }
        inner = factory(lr=lr_common, eps=1.0 if k is not None else eps_common, **plain)
        return rescaled(inner, k=k, c=lr_per)

    return build


def _build_adadelta(
    run: _Run, lr: Any, rho: Any, weight_decay: Any, maximize: bool, eps_dx: Any, eps_g: Any
) -> optim.Optimizer:
    dx = _per_coordinate("eps_dx", eps_dx, run.needed("adadelta", "eps_dx"), run)
    g = _per_coordinate("eps_g", eps_g, run.needed("adadelta", "eps_g"), run)
    plain = {
        "lr": _pure("lr", lr),
        "rho": _pure("rho", rho),
        "weight_decay": _no_units_yet("adadelta", "weight_decay", weight_decay),
        "maximize": maximize,
    }
    common, per = _split(np.concatenate([dx, g], axis=-1))
    if per is None:  # one ε in both roots: PyTorch's Adadelta
        return optim.adadelta(eps=common, **plain)
    # √(a + ε_dx)/√(v + ε_g)·g = √ε_dx · √(a/ε_dx + 1)/√(v/ε_g + 1) · g/√ε_g
    k = np.sqrt(_inverse("eps_g", g, "adadelta"))
    c = 1.0 / np.sqrt(_inverse("eps_dx", dx, "adadelta"))
    return rescaled(optim.adadelta(eps=1.0, **plain), k=k, c=c)


_BUILDERS: dict[str, Callable[..., optim.Optimizer]] = {
    "gd": _build_gd,
    "momentum": _build_momentum,
    "preconditioned": _build_preconditioned,
    "newton": _build_newton,
    "adagrad": _adaptive(optim.adagrad, "adagrad"),
    "rmsprop": _adaptive(optim.rmsprop, "rmsprop"),
    "adam": _adaptive(optim.adam, "adam"),
    "adadelta": _build_adadelta,
}


@dataclass(frozen=True)
class UnitOptimizer:
    """An update rule with Quantity hyper-parameters, for :func:`minimize_with_units`.

    Make one with :func:`gd`, :func:`momentum`, :func:`preconditioned`, :func:`newton`,
    :func:`adagrad`, :func:`rmsprop`, :func:`adam`, :func:`adadelta` or
    :func:`optimizer`.  :meth:`build` checks the units and returns the plain optimizer
    on magnitudes.
    """

    rule: str
    hyperparameters: dict[str, Any]

    def build(
        self, names: Sequence[str], variable_units: Sequence[Any], value_units: Any
    ) -> optim.Optimizer:
        """The plain :mod:`symopt.optim` optimizer on magnitudes in ``variable_units``
        (one per coordinate, named ``names``) and ``value_units``.

        >>> opt = gd(lr=0.5 * ureg("m**2/J")).build(["x1", "x2"], ["km", "mm"], "J")
        >>> import numpy as np
        >>> x = np.array([1.0, 1.0])
        >>> opt.update(np.array([1.0, 1.0]), opt.init(x), x)[0]  # 0.5e-6 km²/J, 0.5e6 mm²/J
        array([-5.e-07, -5.e+05])
        """
        run = _Run(
            tuple(names),
            tuple(
                parse_units(u, f"units of {n}") for n, u in zip(names, variable_units, strict=True)
            ),
            parse_units(value_units, "value_units"),
        )
        return _BUILDERS[self.rule](run, **self.hyperparameters)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.hyperparameters.items())
        return f"units.{self.rule}({args})"


class _Required:
    """The default of an argument that symopt.optim defaults but that needs units here."""

    def __repr__(self) -> str:
        return "<required>"


_REQUIRED: Any = _Required()


def _given(rule: str, name: str, value: Any, what: str) -> Any:
    if value is _REQUIRED:
        raise TypeError(f"units.{rule}() needs {name}: {what}")
    return value


_EPS = "a Quantity in the units of the gradient (one, or a list with one per coordinate)"

# The factories take symopt.optim's arguments, in its order, so a positional habit carries
# over; what exists only with units (adadelta's two ε's) is keyword-only.


def gd(lr: Any) -> UnitOptimizer:
    """Gradient descent ``x ← x − η·∂f`` with ``lr`` in (units of x)²/(units of f): one
    Quantity for all coordinates or a list, one per coordinate."""
    return UnitOptimizer("gd", {"lr": lr})


def momentum(lr: Any, mu: Any) -> UnitOptimizer:
    """Heavy ball ``v ← μv − η·∂f, x ← x + v``; ``lr`` as for :func:`gd`, ``mu`` a number."""
    return UnitOptimizer("momentum", {"lr": lr, "mu": mu})


def preconditioned(M: Any, lr: Any = 1.0) -> UnitOptimizer:
    """``x ← x − η·M·∂f``: ``M`` a diagonal (a list of Quantities, ``M_ii`` in
    (units of x_i)²/(units of f)) or a matrix (``M_ij`` in x_i·x_j/f); ``lr`` a number.

    >>> preconditioned(M=[0.5 * ureg("km**2/J"), 0.5 * ureg("mm**2/J")])
    units.preconditioned(M=[<Quantity(0.5, 'kilometer ** 2 / joule')>, <Quantity(0.5, 'millimeter ** 2 / joule')>], lr=1.0)
    """  # noqa: E501
    return UnitOptimizer("preconditioned", {"M": M, "lr": lr})


def newton(lr: Any = 1.0, damping: Any = 0.0) -> UnitOptimizer:
    """``x ← x − η·(H + λ)⁻¹·∂f``: ``lr`` a number, ``damping`` λ added to ``H_ii`` in
    (units of f)/(units of x_i)² (one Quantity or a list; a bare 0 is no damping)."""
    return UnitOptimizer("newton", {"lr": lr, "damping": damping})


def adagrad(
    lr: Any,
    lr_decay: Any = 0.0,
    weight_decay: Any = 0.0,
    initial_accumulator_value: Any = 0.0,
    eps: Any = _REQUIRED,
    *,
    maximize: bool = False,
) -> UnitOptimizer:
    """Adagrad (``torch.optim.Adagrad``): ``lr`` in the units of each coordinate, ``eps`` in
    the units of the gradient (one Quantity or a list each, both required); ``lr_decay`` a
    number; ``weight_decay`` and ``initial_accumulator_value`` only 0 (no units for them)."""
    hyper = {
        "lr": lr,
        "lr_decay": lr_decay,
        "weight_decay": weight_decay,
        "initial_accumulator_value": initial_accumulator_value,
        "eps": _given("adagrad", "eps", eps, _EPS),
        "maximize": maximize,
    }
    return UnitOptimizer("adagrad", hyper)


def rmsprop(
    lr: Any,
    alpha: Any = 0.99,
    eps: Any = _REQUIRED,
    weight_decay: Any = 0.0,
    momentum: Any = 0.0,
    centered: bool = False,
    *,
    maximize: bool = False,
) -> UnitOptimizer:
    """RMSProp (``torch.optim.RMSprop``): ``lr`` in the units of each coordinate, ``eps`` in
    the units of the gradient (both required); ``alpha``, ``momentum`` numbers;
    ``weight_decay`` only 0."""
    hyper = {
        "lr": lr,
        "alpha": alpha,
        "eps": _given("rmsprop", "eps", eps, _EPS),
        "weight_decay": weight_decay,
        "momentum": momentum,
        "centered": centered,
        "maximize": maximize,
    }
    return UnitOptimizer("rmsprop", hyper)


def adam(
    lr: Any,
    betas: Any = (0.9, 0.999),
    eps: Any = _REQUIRED,
    weight_decay: Any = 0.0,
    amsgrad: bool = False,
    *,
    maximize: bool = False,
    decoupled_weight_decay: bool = False,
    bias_correction: bool = True,
) -> UnitOptimizer:
    """Adam (``torch.optim.Adam``): ``lr`` in the units of each coordinate, ``eps`` in the
    units of the gradient (both required); ``betas`` numbers; ``weight_decay`` only 0."""
    hyper = {
        "lr": lr,
        "betas": betas,
        "eps": _given("adam", "eps", eps, _EPS),
        "weight_decay": weight_decay,
        "amsgrad": amsgrad,
        "maximize": maximize,
        "decoupled_weight_decay": decoupled_weight_decay,
        "bias_correction": bias_correction,
    }
    return UnitOptimizer("adam", hyper)


def adadelta(
    lr: Any = 1.0,
    rho: Any = 0.9,
    eps: Any = _REQUIRED,
    weight_decay: Any = 0.0,
    *,
    maximize: bool = False,
    eps_dx: Any = None,
    eps_g: Any = None,
) -> UnitOptimizer:
    """Adadelta with two ε's, the unit-consistent form of Zeiler (2012), §3.2:
    ``Δx = √(E[Δx²] + ε_dx)/√(E[g²] + ε_g)·g``, ``x ← x − η·Δx``, with ``eps_dx`` in
    (units of x)² and ``eps_g`` in (units of f/x)², one Quantity or a list each (keyword
    only: PyTorch has one ``eps`` for both roots, which fits only where those units agree;
    each defaults to ``eps``); ``lr`` and ``rho`` numbers; ``weight_decay`` only 0.  With
    ``eps_dx == eps_g`` (same magnitudes in the run's units) it is
    ``torch.optim.Adadelta``."""
    eps_dx, eps_g = (eps if e is None else e for e in (eps_dx, eps_g))
    if eps_dx is _REQUIRED or eps_g is _REQUIRED:
        raise TypeError(
            "units.adadelta() needs eps_dx and eps_g: ε under the root of the step average, "
            "in (units of x)², and under the root of the gradient average, in (units of f/x)²"
        )
    hyper = {
        "lr": lr,
        "rho": rho,
        "weight_decay": weight_decay,
        "maximize": maximize,
        "eps_dx": eps_dx,
        "eps_g": eps_g,
    }
    return UnitOptimizer("adadelta", hyper)


def optimizer(rule: str, **hyperparameters: Any) -> UnitOptimizer:
    """The unit-aware optimizer of ``rule`` (``"gd"``, ... ``"adadelta"``).

    >>> optimizer("adam", lr=1 * ureg.mm, eps=1e-8 * ureg("J/mm"))
    units.adam(lr=<Quantity(1, 'millimeter')>, betas=(0.9, 0.999), eps=<Quantity(1e-08, 'joule / millimeter')>, weight_decay=0.0, amsgrad=False, maximize=False, decoupled_weight_decay=False, bias_correction=True)
    """  # noqa: E501
    _rule(rule)
    return _FACTORIES[rule](**hyperparameters)


_FACTORIES = {
    f.__name__: f for f in (gd, momentum, preconditioned, newton, adagrad, rmsprop, adam, adadelta)
}


UnitOptimizer.__module__ = "symopt.units"  # where users import it from
