"""Solving ∇f = 0: symbolically in a killable worker, cross-checked, or numerically.

The contract (used by :mod:`symopt.critical`):

* :func:`run_killable` runs a generator in a forked child process and collects what it
  yields until it finishes or a deadline passes; then the child is killed.  A SymPy call
  that never returns cannot be interrupted from a thread, but a process can be killed, so
  every symbolic step of the critical-point search runs this way and the caller keeps
  whatever was yielded before the deadline.
* :func:`symbolic_solutions` (run in the worker) yields :class:`Found` items: isolated
  real points (dicts), :class:`Family` objects for curves and surfaces of critical points,
  and notes.  Polynomial systems go through Gröbner bases: the ideal is split at every
  factorisable basis element, each zero-dimensional part is solved through the shape
  lemma (a separating linear form ``u`` and the real roots of its eliminant, so no root
  is lost because it has no radical form), and each positive-dimensional part is
  parametrised.  Other systems go through ``solveset``/``solve``; periodic objectives are
  reduced to a box.
* :func:`numeric_solutions` is the fallback: Levenberg–Marquardt on ``∇f = 0`` from many
  starts in a box at once (NumPy, vectorised over starts), deduplicated.
* :func:`identify` turns a numeric point into an exact one when a short closed form
  (rationals, radicals, multiples of π) satisfies ``∇f = 0`` exactly.
"""

from __future__ import annotations

import itertools
import math
import os
import pickle
import select
import signal
import struct
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp

from symopt.symbolic.numbers import to_sympy

__all__ = [
    "Family",
    "Found",
    "Outcome",
    "full_box",
    "identify",
    "inside",
    "is_zero",
    "nondifferentiable_sets",
    "numeric_solutions",
    "run_killable",
    "symbolic_solutions",
]

DEFAULT_HALF_WIDTH = 10  # numeric search box [-10, 10] per non-periodic variable
MAX_NUMERIC_POINTS = 30  # more distinct numeric zeros than this: not isolated points


# -- the killable worker -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What a killable generator yielded before it finished, failed or ran out of time."""

    items: list[Any]
    finished: bool
    error: str | None = None

    @property
    def timed_out(self) -> bool:
        return not self.finished and self.error is None


_HEADER = struct.Struct("<Q")


def run_killable(generator: Callable[..., Iterator[Any]], *args: Any, deadline: float) -> Outcome:
    """Run ``generator(*args)`` in a forked child; collect its items until ``deadline``
    (a :func:`time.monotonic` time), then kill the child.

    Items travel back pickled, so they must be picklable (SymPy objects are).  Without
    ``os.fork`` (Windows) the generator runs in a daemon thread that is abandoned, not
    killed, at the deadline.
    """
    if deadline - time.monotonic() <= 0:
        return Outcome([], False)
    if not hasattr(os, "fork"):  # pragma: no cover - exercised on Windows only
        return _run_in_thread(generator, args, deadline)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(generator, args, write_end)
    os.close(write_end)
    try:
        return _collect(read_end, deadline)
    finally:
        os.close(read_end)
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:  # pragma: no cover - already gone
            pass
        os.waitpid(pid, 0)


def _child(generator: Callable[..., Iterator[Any]], args: tuple, fd: int) -> None:
    status = 0
    try:
        with os.fdopen(fd, "wb", buffering=0) as out:

            def send(message: tuple) -> None:
                data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                out.write(_HEADER.pack(len(data)) + data)

            try:
                for item in generator(*args):
                    send(("item", item))
                send(("done", None))
            except BaseException as error:  # report everything, then leave
                send(("error", f"{type(error).__name__}: {error}"))
    except BaseException:
        status = 1
    finally:
        os._exit(status)  # skip the parent's atexit handlers and buffered output


def _collect(fd: int, deadline: float) -> Outcome:
    buffer, items = b"", []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return Outcome(items, False)
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return Outcome(items, False)
        chunk = os.read(fd, 1 << 16)
        if not chunk:
            return Outcome(items, False, "the worker process died")
        buffer += chunk
        while len(buffer) >= _HEADER.size:
            (size,) = _HEADER.unpack_from(buffer)
            if len(buffer) < _HEADER.size + size:
                break
            tag, payload = pickle.loads(buffer[_HEADER.size : _HEADER.size + size])
            buffer = buffer[_HEADER.size + size :]
            if tag == "item":
                items.append(payload)
            elif tag == "done":
                return Outcome(items, True)
            else:
                return Outcome(items, False, payload)


def _run_in_thread(generator, args, deadline):  # pragma: no cover - no fork
    items: list[Any] = []
    state: dict[str, Any] = {}

    def work() -> None:
        try:
            for item in generator(*args):
                items.append(item)
            state["done"] = True
        except Exception as error:
            state["error"] = f"{type(error).__name__}: {error}"

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(max(0.0, deadline - time.monotonic()))
    return Outcome(list(items), bool(state.get("done")), state.get("error"))


# -- what the solver finds ---------------------------------------------------------------------


@dataclass
class Family:
    """A curve or surface of critical points.

    ``point`` maps every variable to an expression in the real ``parameters``; the family
    is the set of these points for parameter values satisfying ``conditions``.
    ``equations`` define the same set implicitly (their common zeros), when known.
    """

    point: dict[sp.Symbol, sp.Expr]
    parameters: tuple[sp.Symbol, ...]
    conditions: Any = sp.true
    equations: tuple[sp.Expr, ...] = ()


@dataclass
class Found:
    """One item yielded by the symbolic worker.  ``kind``: "point" (a dict), "unverified"
    (a point where ∇f vanishes to 50 digits only), "family" (a :class:`Family`), "kink"
    (a (point-or-family item, reason) pair), "periods" ({variable: period}), "complete" /
    "box-complete" (the list is provably complete, in the box for periodic ``f``),
    "method" (the solver used) or "note" (text)."""

    kind: str
    payload: Any
    value: Any = None  # for a point: f there, when the solver knows it exactly


def is_zero(expr: sp.Expr) -> bool:
    """``expr`` is provably zero (simplification, then SymPy's ``equals`` for numbers)."""
    expr = to_sympy(expr)
    if expr.is_zero:
        return True
    if expr.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return False
    simplified = sp.simplify(expr)
    if simplified.is_zero:
        return True
    if not simplified.free_symbols and simplified.is_number:
        return bool(simplified.equals(0))
    return False


def _parameter_symbols(variables: Sequence[sp.Symbol], count: int) -> list[sp.Symbol]:
    taken = {v.name for v in variables}
    names = [n for n in ("t", "s", "r", "u", "v", "w") if n not in taken]
    names += [f"t{i}" for i in range(1, count + 1) if f"t{i}" not in taken]
    return [sp.Symbol(name, real=True) for name in names[:count]]


# -- real points and families from solve-style dicts -------------------------------------------


def _real_conditions(values: Sequence[sp.Expr]) -> Any:
    """Where the expressions are real: arguments of even roots >= 0, imaginary parts 0."""
    conditions = []
    for value in values:
        for power in value.atoms(sp.Pow):
            exponent = power.exp
            if exponent.is_Rational and not exponent.is_Integer and exponent.q % 2 == 0:
                conditions.append(sp.Ge(power.base, 0))
        if value.has(sp.I):
            conditions.append(sp.Eq(sp.simplify(sp.im(value)), 0))
    return sp.And(*conditions) if conditions else sp.true


def _parameter_set(condition: Any, parameters: Sequence[sp.Symbol]) -> Any:
    """The real parameter values satisfying ``condition`` (one parameter), or None."""
    if condition is sp.true or len(parameters) != 1:
        return None
    try:
        return condition.as_set() if condition.free_symbols else None
    except (NotImplementedError, TypeError, ValueError):
        return None


def solution_items(
    solution: dict[sp.Symbol, sp.Expr],
    variables: Sequence[sp.Symbol],
    equations: Sequence[sp.Expr] = (),
) -> Iterator[Found]:
    """A solve-style dict (some variables may be missing: they are free) as real points
    or a family; complex-only solutions are dropped."""
    free = [v for v in variables if v not in solution]
    if free and not equations:
        equations = tuple(v - e for v, e in solution.items())
    parameters = _parameter_symbols(variables, len(free))
    rename = dict(zip(free, parameters, strict=True))
    point = {v: to_sympy(solution.get(v, v)).xreplace(rename) for v in variables}
    point = {v: sp.simplify(value) if value.has(sp.I) else value for v, value in point.items()}
    if not parameters:
        if all(_is_real_number(value) for value in point.values()):
            yield Found("point", {v: _real_part(value) for v, value in point.items()})
        return
    condition = _real_conditions(list(point.values()))
    where = _parameter_set(condition, parameters)
    if where is not None and where.is_empty:
        return
    if where is not None and isinstance(where, sp.FiniteSet):
        for value in where:
            yield from solution_items(
                {v: e.xreplace({parameters[0]: value}) for v, e in point.items()}, variables
            )
        return
    if any(e.has(sp.I) for e in point.values()):
        point = {v: sp.simplify(sp.re(e)) for v, e in point.items()}
    yield Found("family", Family(point, tuple(parameters), condition, tuple(equations)))


def _is_real_number(value: sp.Expr) -> bool:
    if value.is_real:
        return True
    if value.free_symbols:
        return False
    imaginary = sp.im(value).evalf(50)
    return imaginary.is_Number and abs(imaginary) < 1e-40


def _real_part(value: sp.Expr) -> sp.Expr:
    if value.is_real or not value.has(sp.I):
        return value
    real = sp.simplify(sp.re(value))
    return real if not real.has(sp.I) else value


# -- polynomial systems: Gröbner bases ---------------------------------------------------------


def _polynomial_over_rationals(equations: Sequence[sp.Expr], variables: Sequence[sp.Symbol]):
    try:
        polys = [sp.Poly(e, *variables) for e in equations]
    except sp.PolynomialError:
        return None
    if all(p.domain.is_ZZ or p.domain.is_QQ for p in polys):
        return polys
    return None


def _split(basis: sp.GroebnerBasis) -> list[list[sp.Expr]] | None:
    """The systems obtained by replacing the first factorisable basis element by each
    of its irreducible factors, or None if no element factors."""
    exprs = list(basis.exprs)
    for i, element in enumerate(exprs):
        _, factors = sp.factor_list(element, *basis.gens)
        if len(factors) > 1 or (factors and factors[0][1] > 1):
            rest = exprs[:i] + exprs[i + 1 :]
            return [[*rest, factor] for factor, _ in factors]
    return None


def _components(equations: Sequence[sp.Expr], variables: Sequence[sp.Symbol]):
    """Gröbner bases whose zero sets cover the solutions (a factorising Gröbner basis)."""
    stack, done, seen = [list(equations)], [], set()
    while stack:
        basis = sp.groebner(stack.pop(), *variables, order="grevlex")
        if basis.exprs == [1] or tuple(basis.exprs) in seen:
            continue
        seen.add(tuple(basis.exprs))
        parts = _split(basis)
        if parts is None:
            done.append(basis)
        else:
            stack.extend(parts)
    return done


def _eliminant(exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol], last: sp.Symbol):
    """The univariate polynomial in ``last`` of a zero-dimensional ideal."""
    order = [v for v in variables if v != last] + [last]
    lex = sp.groebner(exprs, *order, order="grevlex").fglm("lex")
    return lex.exprs[-1], lex


def _shape_solutions(
    exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol], expr: sp.Expr | None = None
) -> Iterator[tuple[dict, sp.Expr | None]]:
    """Real solutions of a zero-dimensional system through the shape lemma.

    With a separating linear form ``u``, the lex basis (of the radical ideal, computed by
    Seidenberg's lemma only if needed) is ``v - q_v(u), …, p(u)``: the real solutions are
    ``v = q_v(r)`` at the real roots ``r`` of ``p``, which ``real_roots`` isolates exactly
    (as rationals, radicals or ``CRootOf``), so no solution is lost for lack of a
    radical formula.  A coordinate at a ``CRootOf`` is written as the root of its own
    eliminant that it equals (the nearest at 40 digits among exactly isolated roots).

    Yields ``(point, value)``: at a ``CRootOf`` point the value of ``expr`` is reduced
    exactly modulo the root's minimal polynomial (so the minima of a sum of squares come
    out as exactly 0); otherwise ``value`` is None.
    """
    shaped = _shape_basis(exprs, variables)
    if shaped is None:
        eliminants = {v: sp.sqf_part(_eliminant(exprs, variables, v)[0]) for v in variables}
        shaped = _shape_basis([*exprs, *eliminants.values()], variables)
    else:
        eliminants = {}
    if shaped is None:  # pragma: no cover - a separating form always exists among the tries
        raise NotImplementedError("no separating linear form found")
    p, shape, u = shaped
    roots: dict[sp.Symbol, list] = {}
    for r in sp.Poly(p, u).real_roots():
        if not r.has(sp.CRootOf):
            yield {v: _tidy(q.xreplace({u: r})) for v, q in shape.items()}, None
            continue
        at = r.evalf(40)
        point = {}
        for v in variables:
            if v not in roots:
                if v not in eliminants:
                    eliminants[v] = sp.sqf_part(_eliminant(exprs, variables, v)[0])
                roots[v] = _numbered_real_roots(eliminants[v], v)
            point[v] = _match(sp.Poly(shape[v], u).eval(at), roots[v])
        yield point, None if expr is None else _value_at_root(expr, shape, u, r)


def _value_at_root(expr: sp.Expr, shape: dict, u: sp.Symbol, r: sp.CRootOf) -> sp.Expr:
    """``expr`` at ``v = q_v(r)``, reduced modulo the minimal polynomial of ``r``."""
    minimal = sp.Poly(r.poly.as_expr().xreplace({r.poly.gen: u}), u)
    along = sp.Poly(sp.expand(expr.xreplace(shape)), u)
    remainder = along.rem(minimal)
    return remainder.as_expr() if remainder.degree() <= 0 else remainder.as_expr().xreplace({u: r})


def _shape_basis(exprs, variables):
    """``(p, {v: q_v}, u)`` for the first separating form that puts the lex basis in
    shape position, or None."""
    u = sp.Dummy("u")
    for coefficients in _separating_forms(len(variables)):
        linear = u - sum(c * v for c, v in zip(coefficients, variables, strict=True))
        p, lex = _eliminant([*exprs, linear], [*variables, u], u)
        shape = _shape(lex.exprs, variables, u)
        if shape is not None:
            return p, shape, u
        if len(variables) == 1:
            return None
    return None


def _numbered_real_roots(p: sp.Expr, v: sp.Symbol) -> list[tuple[sp.Expr, sp.Float]]:
    return [(_tidy(r), r.evalf(40)) for r in sp.Poly(p, v).real_roots()]


def _match(value: sp.Float, roots: list[tuple[sp.Expr, sp.Float]]) -> sp.Expr:
    """The exact root that ``value`` (40 digits) is: the nearest one."""
    exact, _ = min(roots, key=lambda pair: abs(pair[1] - value))
    return exact


def _separating_forms(n: int) -> Iterator[tuple[int, ...]]:
    yield tuple(range(1, n + 1))
    rng = np.random.default_rng(12345)
    for _ in range(3):
        yield tuple(int(c) for c in rng.integers(-9, 10, n))


def _shape(exprs, variables, u) -> dict[sp.Symbol, sp.Expr] | None:
    """``{v: q_v(u)}`` if the lex basis is ``v - q_v(u), …, p(u)``."""
    shape = {}
    for e in exprs[:-1]:
        others = e.free_symbols - {u}
        if len(others) != 1:
            return None
        (v,) = others
        poly = sp.Poly(e, v)
        if poly.degree() != 1 or poly.nth(1).free_symbols:
            return None
        shape[v] = sp.expand(-poly.nth(0) / poly.nth(1))
    return shape if set(shape) == set(variables) else None


def _tidy(value: sp.Expr) -> sp.Expr:
    """Radicals simplified; a ``CRootOf`` kept as it is."""
    if value.has(sp.CRootOf):
        return value
    return sp.radsimp(sp.expand(value))


def _polynomial_solutions(
    gradient: Sequence[sp.Expr], variables: Sequence[sp.Symbol], expr: sp.Expr
) -> Iterator[Found]:
    components = _components(gradient, variables)
    families: list[Family] = []
    points: list[tuple[dict, Any]] = []
    for basis in components:
        if basis.is_zero_dimensional:
            points.extend(_shape_solutions(basis.exprs, variables, expr))
            continue
        for solution in _family_solutions(basis, variables):
            if solution.kind == "family":
                families.append(solution.payload)
                yield solution
            else:
                points.append((solution.payload, None))
    values = {id(point): value for point, value in points}
    for point in _distinct([point for point, _ in points]):
        if not any(_on_family(point, family) for family in families):
            yield Found("point", point, values[id(point)])
    yield Found("complete", True)


def _family_solutions(basis: sp.GroebnerBasis, variables: Sequence[sp.Symbol]):
    """Positive-dimensional component: a trigonometric parametrisation for an ellipse,
    otherwise the branches of ``solve``."""
    ellipse = _ellipse(basis.exprs, variables)
    if ellipse is not None:
        yield Found("family", ellipse)
        return
    for solution in sp.solve(basis.exprs, list(variables), dict=True):
        yield from solution_items(solution, variables, tuple(basis.exprs))


def _ellipse(exprs: Sequence[sp.Expr], variables: Sequence[sp.Symbol]) -> Family | None:
    """``(v - c)ᵀA(v - c) = ρ`` with A positive definite in two variables, as
    ``v = c + √ρ·L⁻ᵀ(cos t, sin t)``, ``t ∈ [0, 2π)``, where ``A = LLᵀ``."""
    if len(exprs) != 1 or len(variables) != 2:
        return None
    p = sp.Poly(exprs[0], *variables)
    if p.total_degree() != 2:
        return None
    v = sp.Matrix(variables)
    A = sp.hessian(p.as_expr(), variables) / 2
    if A.free_symbols:
        return None
    if A[0, 0] < 0:
        A, p = -A, -p
    if not (A[0, 0] > 0 and A.det() > 0):
        return None
    b = sp.Matrix([p.as_expr().diff(x).subs(dict.fromkeys(variables, 0)) for x in variables])
    center = -A.inv() * b / 2
    rho = -p.as_expr().subs(dict(zip(variables, center, strict=True)))
    if not rho.is_positive:
        return None
    (t,) = _parameter_symbols(variables, 1)
    L = A.cholesky(hermitian=False)
    offset = sp.sqrt(rho) * L.T.inv() * sp.Matrix([sp.cos(t), sp.sin(t)])
    point = {x: sp.simplify(center[i] + offset[i]) for i, x in enumerate(v)}
    return Family(point, (t,), (t >= 0) & (t < 2 * sp.pi), tuple(exprs))


def _numerically_zero(value: sp.Expr) -> bool:
    """Zero to 50 digits: decides equality of the algebraic numbers the polynomial path
    produces (rational equations at algebraic points), without slow simplification."""
    approx = to_sympy(value).evalf(50)
    return approx.is_Number and abs(approx) < 1e-40


def _on_family(point: dict, family: Family) -> bool:
    return bool(family.equations) and all(
        _numerically_zero(e.xreplace(point)) for e in family.equations
    )


def _distinct(points: list[dict]) -> list[dict]:
    out: list[dict] = []
    for p in points:
        if not any(all(_numerically_zero(p[v] - q[v]) for v in p) for q in out):
            out.append(p)
    return sorted(out, key=lambda p: [float(value) for value in p.values()])


# -- other systems -----------------------------------------------------------------------------


def _periods(expr: sp.Expr, variables: Sequence[sp.Symbol]) -> dict[sp.Symbol, sp.Expr]:
    periods = {}
    for v in variables:
        if not expr.has(v):
            continue
        try:
            period = sp.periodicity(expr, v)
        except (NotImplementedError, ValueError, TypeError):
            period = None
        if period is not None and period != 0:
            periods[v] = period
    return periods


def _translates(point: dict, periods: dict, box: dict) -> Iterator[dict]:
    """The copies ``point + k·period`` (per periodic variable) inside the box."""
    choices = []
    for v, value in point.items():
        if v not in periods or value.free_symbols:
            choices.append([value])
            continue
        period, (lo, hi) = periods[v], box[v]
        k_lo = int(np.floor(float((lo - value) / period))) - 1
        k_hi = int(np.ceil(float((hi - value) / period))) + 1
        shifted = [sp.simplify(value + k * period) for k in range(k_lo, k_hi + 1)]
        choices.append([s for s in shifted if (s - lo) >= 0 and (hi - s) >= 0])
    for values in itertools.product(*choices):
        yield dict(zip(point, values, strict=True))


def _univariate_items(gradient: sp.Expr, x: sp.Symbol, box: dict) -> Iterator[Found]:
    """``solveset`` over the reals, which is complete when it answers with finite sets,
    periodic ``ImageSet``s (listed in the box) and intervals (families)."""
    solutions = sp.solveset(gradient, x, sp.S.Reals)
    parts = solutions.args if isinstance(solutions, sp.Union) else (solutions,)
    complete, periodic = True, False
    for part in parts:
        if isinstance(part, sp.FiniteSet):
            for value in part:
                if _is_real_number(value):
                    yield Found("point", {x: _real_part(value)})
        elif isinstance(part, sp.ImageSet):
            periodic = True
            found = part.intersect(sp.Interval(*box[x]))
            if not isinstance(found, sp.FiniteSet):
                raise NotImplementedError(f"cannot list {part} in the box")
            for value in sorted(found, key=float):
                yield Found("point", {x: value})
        elif isinstance(part, sp.Interval):
            (t,) = _parameter_symbols([x], 1)
            yield Found("family", Family({x: t}, (t,), part.as_relational(t), ()))
        else:
            complete = False
    if complete:
        yield Found("box-complete" if periodic else "complete", True)


def symbolic_solutions(
    expr: sp.Expr,
    variables: Sequence[sp.Symbol],
    gradient: Sequence[sp.Expr],
    box: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] | None,
) -> Iterator[Found]:
    """All real solutions of ``∇f = 0`` that closed forms reach; run in a worker.

    Yields ``Found("periods", ...)`` first for periodic objectives (their solutions are
    then listed in the box), then points and families, then ``Found("complete", True)``
    when the list is provably complete.
    """
    variables = list(variables)
    nonzero = [g for g in gradient if g != 0]
    if not nonzero:  # f is constant: every point is critical
        yield from solution_items({}, variables)
        yield Found("complete", True)
        return
    if any(g.has(sp.Float) for g in nonzero):
        exact = [sp.nsimplify(g, rational=True) for g in nonzero]
        if _polynomial_over_rationals(exact, variables) is not None:
            yield Found("note", "float coefficients were read as the decimals they show")
            nonzero, expr = exact, sp.nsimplify(expr, rational=True)
    if _polynomial_over_rationals(nonzero, variables) is not None:
        yield Found("method", "Gröbner bases")
        yield from _polynomial_solutions(nonzero, variables, expr)
        return
    yield Found("method", "solveset" if len(variables) == 1 else "solve")
    periods = _periods(expr, variables)
    if periods:
        yield Found("periods", periods)
    box = full_box(variables, periods, box)
    if len(variables) == 1:
        yield from _univariate_items(gradient[0], variables[0], box)
        return
    for solution in sp.solve(nonzero, variables, dict=True):
        for item in solution_items(solution, variables):
            if item.kind == "point" and periods:
                for point in _translates(item.payload, periods, box):
                    yield Found("point", point)
            else:
                yield item


def full_box(variables, periods, box) -> dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]:
    """The user's box, or a period centred at 0 (periodic variables), or [-10, 10]."""
    full = {}
    for v in variables:
        if box is not None and v in box:
            full[v] = box[v]
        elif v in periods:
            full[v] = (-periods[v] / 2, periods[v] / 2)
        else:
            full[v] = (sp.Integer(-DEFAULT_HALF_WIDTH), sp.Integer(DEFAULT_HALF_WIDTH))
    return full


# -- non-differentiable points -----------------------------------------------------------------


def _kink_arguments(expr: sp.Expr) -> list[tuple[sp.Expr, str]]:
    """(expression whose zeros are kinks, which atom has them there)."""
    out = []
    for atom in expr.atoms(sp.Abs, sp.sign, sp.Heaviside):
        out.append((atom.args[0], f"{atom} has a kink where {atom.args[0]} = 0"))
    for atom in expr.atoms(sp.Max, sp.Min):
        for a, b in itertools.combinations(atom.args, 2):
            out.append((a - b, f"{atom} has a kink where {a} = {b}"))
    return sorted(out, key=lambda pair: sp.default_sort_key(pair[0]))


def nondifferentiable_sets(
    expr: sp.Expr, variables: Sequence[sp.Symbol], gradient: Sequence[sp.Expr]
) -> Iterator[tuple[Found, str]]:
    """Points (or families) where ``f`` is finite but not differentiable: kinks of
    ``|u|``, ``sign``, ``Max``/``Min`` and zeros of the gradient's denominators."""
    sources = _kink_arguments(expr)
    for g in gradient:
        denominator = sp.denom(sp.together(g))
        if denominator.free_symbols & set(variables):
            sources.append((denominator, f"the gradient has the denominator {denominator}"))
    seen = set()
    for equation, reason in sources:
        if equation in seen:
            continue
        seen.add(equation)
        try:
            solutions = sp.solve(equation, list(variables), dict=True)
        except (NotImplementedError, ValueError, TypeError):
            continue
        for solution in solutions:
            for item in solution_items(solution, variables, (equation,)):
                point = item.payload if item.kind == "point" else item.payload.point
                value = expr.xreplace(point)
                if not value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                    yield item, reason


# -- numeric search ----------------------------------------------------------------------------


def numeric_solutions(
    compiled: Any,
    box: np.ndarray,
    deadline: float,
    *,
    seed: int | None = 0,
    starts: int | None = None,
    max_steps: int = 200,
) -> np.ndarray:
    """Zeros of the gradient in ``box`` (shape ``(n, 2)``: low, high per variable) by
    Levenberg–Marquardt from many random starts at once; deduplicated, shape ``(k, n)``.

    Stops at ``deadline`` (:func:`time.monotonic`) with what has converged so far.
    """
    n = box.shape[0]
    count = starts if starts is not None else 60 + 60 * n
    rng = np.random.default_rng(seed)
    low, width = box[:, 0], box[:, 1] - box[:, 0]
    x = low + width * rng.random((count, n))
    damping = np.full(count, 1e-3)
    eye = np.eye(n)
    with np.errstate(all="ignore"):
        g = compiled.gradient(x)
        for _ in range(max_steps):
            if time.monotonic() >= deadline:
                break
            H = compiled.hessian(x)
            A = np.einsum("kij,kjl->kil", H, H) + damping[:, None, None] * eye
            rhs = -np.einsum("kij,kj->ki", H, g)
            ok = np.isfinite(A).all(axis=(1, 2)) & np.isfinite(rhs).all(axis=1)
            step = np.zeros_like(x)
            try:
                step[ok] = np.linalg.solve(A[ok], rhs[ok][..., None])[..., 0]
            except np.linalg.LinAlgError:
                step[ok] = np.einsum("kij,kj->ki", np.linalg.pinv(A[ok]), rhs[ok])
            trial = x + step
            g_trial = compiled.gradient(trial)
            better = np.linalg.norm(g_trial, axis=1) < np.linalg.norm(g, axis=1)
            better &= np.isfinite(g_trial).all(axis=1)
            x = np.where(better[:, None], trial, x)
            g = np.where(better[:, None], g_trial, g)
            damping = np.where(better, damping / 3, damping * 4).clip(1e-15, 1e15)
            if np.all(np.abs(step) <= 1e-13 * (1 + np.abs(x))):
                break
        H = compiled.hessian(x)
        finite = np.isfinite(g).all(axis=1) & np.isfinite(H).all(axis=(1, 2))
        H, g = np.where(finite[:, None, None], H, 0), np.where(finite[:, None], g, 0)
        newton = np.einsum("kij,kj->ki", np.linalg.pinv(H), g)
        scale = 1 + np.abs(H).max(axis=(1, 2))
        converged = finite & (np.linalg.norm(g, axis=1) <= 1e-8 * scale)
        # a tiny gradient far out on a flat tail is not a zero: the Newton step is not small
        converged &= np.linalg.norm(newton, axis=1) <= 1e-7 * (1 + np.linalg.norm(x, axis=1))
    slack = 1e-9 * width
    inside = np.all((x >= box[:, 0] - slack) & (x <= box[:, 1] + slack), axis=1)
    return _cluster(x[converged & inside], tolerance=1e-6 * max(1.0, float(width.max())))


def _cluster(points: np.ndarray, tolerance: float) -> np.ndarray:
    """One representative (the mean) per group of points closer than ``tolerance``."""
    kept: list[list[np.ndarray]] = []
    for p in points:
        for group in kept:
            if np.linalg.norm(group[0] - p) <= tolerance:
                group.append(p)
                break
        else:
            kept.append([p])
    means = [np.mean(group, axis=0) for group in kept]
    return np.array(sorted(means, key=tuple)).reshape(-1, points.shape[1])


# -- numeric → exact ---------------------------------------------------------------------------


def _closed_form(value: float) -> sp.Expr | None:
    """A short exact number within 1e-9 (relative) of ``value``: p/q, (p/q)·π or
    ±√(p/q) with small q, or None."""
    tolerance = 1e-9 * max(1.0, abs(value))
    if abs(value) < 1e-9:
        return sp.Integer(0)
    candidates = [
        (value, 1000, lambda q: q),
        (value / math.pi, 100, lambda q: q * sp.pi),
        (value * value, 1000, lambda q: (1 if value > 0 else -1) * sp.sqrt(q)),
    ]
    for target, limit, build in candidates:
        fraction = Fraction(target).limit_denominator(limit)
        guess = build(sp.Rational(fraction.numerator, fraction.denominator))
        if abs(float(guess) - value) <= tolerance:
            return guess
    return None


def identify(
    values: Sequence[float], variables: Sequence[sp.Symbol], gradient: Sequence[sp.Expr]
) -> dict[sp.Symbol, sp.Expr] | None:
    """A short closed form near ``values`` at which the gradient vanishes exactly.

    >>> x = sp.Symbol("x", real=True)
    >>> identify([1.5707963267948966], [x], [sp.cos(x)])
    {x: pi/2}
    """
    candidates = [_closed_form(float(v)) for v in values]
    if any(c is None for c in candidates):
        return None
    point = dict(zip(variables, candidates, strict=True))
    if all(is_zero(g.xreplace(point)) for g in gradient):
        return point
    return None


# -- the whole search: symbolic, then numeric cross-check --------------------------------------


@dataclass
class Solutions:
    """What :func:`find` found: exact points, families, numeric points (rows of a float
    array), non-differentiable points, and what is known about completeness."""

    points: list[dict]
    families: list[Family]
    numeric: np.ndarray
    kinks: list[tuple[Found, str]]
    complete: bool
    periods: dict
    box: dict
    notes: list[str]
    unverified: list[dict]
    values: dict[int, sp.Expr] = field(default_factory=dict)  # index in points -> f
    searched: bool = False  # the numeric search ran over the box


def _verified(point: dict, gradient: Sequence[sp.Expr]) -> bool | None:
    """True: ∇f = 0 proved; None: zero to 50 digits only; False: not a zero."""
    if any(p.has(sp.CRootOf) for p in point.values()):
        return True  # only the Gröbner/shape-lemma path makes these: exact by construction
    values = [g.xreplace(point) for g in gradient]
    if not all(_numerically_zero(v) for v in values):
        return False
    return True if all(is_zero(v) for v in values) else None


def _family_verified(family: Family, gradient: Sequence[sp.Expr]) -> bool:
    """∇f vanishes identically on the family."""
    point = inside(family)
    return all(is_zero(g.xreplace(point)) for g in gradient)


def inside(family: Family) -> dict[sp.Symbol, sp.Expr]:
    """The family's point with a single parameter restricted to an interval written
    through a positive symbol ``p`` (``t < 0`` as ``t = -p``), so that SymPy can use the
    restriction when it simplifies."""
    point = family.point
    if len(family.parameters) == 1 and family.conditions is not sp.true:
        (t,) = family.parameters
        try:
            where = family.conditions.as_set()
        except (NotImplementedError, TypeError, ValueError, AttributeError):
            where = None
        if isinstance(where, sp.Interval):
            p = sp.Symbol("p", positive=True)
            lo, hi = where.inf, where.sup
            inside = (
                hi - p
                if lo == -sp.oo and hi != sp.oo
                else lo + p
                if hi == sp.oo and lo != -sp.oo
                else lo + (hi - lo) * p / (1 + p)
                if lo != -sp.oo
                else t
            )
            point = {v: e.xreplace({t: inside}) for v, e in point.items()}
    return point


def _symbolic_stage(expr, variables, gradient, box) -> Iterator[Found]:
    """The worker: non-differentiable sets, then verified solutions of ∇f = 0."""
    from symopt.symbolic.derivatives import kinks

    for item, reason in nondifferentiable_sets(expr, variables, gradient):
        yield Found("kink", (item, reason))
    for item in symbolic_solutions(expr, variables, gradient, box):
        if item.kind == "point":
            bad = kinks(expr, item.payload)
            if bad:
                reason = f"{', '.join(map(str, bad))} has a kink here"
                yield Found("kink", (item, reason))
                continue
            verified = _verified(item.payload, gradient)
            if verified is False:
                continue
            if verified is None:
                item = Found("unverified", item.payload)
        elif item.kind == "family":
            if not _family_verified(item.payload, gradient):
                yield Found(
                    "note",
                    f"dropped a family that solve returned but that does not "
                    f"solve ∇f = 0: {item.payload.point}",
                )
                continue
        yield item


def find(
    objective: Any,
    box: dict | None,
    deadline: float,
    *,
    numeric: bool | None = None,
    seed: int | None = 0,
    starts: int | None = None,
) -> Solutions:
    """Solve ``∇f = 0`` by the symbolic worker until ``deadline``'s first part, then
    search numerically in the box unless the symbolic list is provably complete."""
    start = time.monotonic()
    expr, variables = objective.expr, objective.variables
    gradient = list(objective.gradient)
    symbolic_deadline = start + 0.6 * (deadline - start)
    outcome = run_killable(
        _symbolic_stage, expr, variables, gradient, box, deadline=symbolic_deadline
    )
    found = Solutions([], [], np.zeros((0, len(variables))), [], False, {}, {}, [], [])
    method = "closed forms"
    for item in outcome.items:
        if item.kind == "point":
            if item.value is not None:
                found.values[len(found.points)] = item.value
            found.points.append(item.payload)
        elif item.kind == "unverified":
            found.unverified.append(item.payload)
        elif item.kind == "family":
            found.families.append(item.payload)
        elif item.kind == "kink":
            found.kinks.append(item.payload)
        elif item.kind == "periods":
            found.periods = item.payload
        elif item.kind in ("complete", "box-complete"):
            found.complete = bool(item.payload)
        elif item.kind == "note":
            found.notes.append(item.payload)
        elif item.kind == "method":
            method = item.payload
    found.box = full_box(variables, found.periods, box)
    if outcome.timed_out:
        found.notes.append(
            f"symbolic solving stopped after {symbolic_deadline - start:.1f} s (time budget)"
        )
        found.complete = False
    elif outcome.error:
        found.notes.append(f"symbolic solving failed ({outcome.error.splitlines()[0][:120]})")
        found.complete = False
    else:
        found.notes.append(f"∇f = 0 solved symbolically ({method})")
    if found.unverified:
        found.notes.append(
            f"{len(found.unverified)} closed-form solution(s) satisfy ∇f = 0 to 50 digits "
            "but not provably: kept with exact=False"
        )
    if numeric is False or (numeric is None and found.complete):
        return found
    _numeric_stage(
        objective, found, deadline=start + 0.8 * (deadline - start), seed=seed, starts=starts
    )
    return found


def _numeric_stage(objective, found: Solutions, deadline: float, seed, starts) -> None:
    variables = objective.variables
    try:
        compiled = objective.compile()
    except (ValueError, TypeError, NameError, KeyError) as error:
        found.notes.append(f"no numeric search: the objective does not compile ({error})")
        return
    box = np.array([[float(lo), float(hi)] for lo, hi in found.box.values()])
    found.searched = True
    points = numeric_solutions(compiled, box, deadline, seed=seed, starts=starts)
    known = [np.array([float(p[v]) for v in variables]) for p in found.points + found.unverified]
    new = []
    for x in points:
        scale = 1e-5 * (1 + np.abs(x).max())
        if any(np.abs(x - k).max() <= scale for k in known):
            continue
        at = dict(zip(variables, map(sp.Float, x), strict=True))
        if any(_near_zero_set(family.equations, at) for family in found.families):
            continue
        if any(_near_zero_set(_kink_equations(item), at) for item, _ in found.kinks):
            continue  # the search creeps up to kinks, where the gradient jumps over 0
        new.append(x)
    if len(new) > MAX_NUMERIC_POINTS:
        found.notes.append(
            f"the numeric search found {len(new)} distinct zeros of ∇f: the critical points "
            f"probably form curves or regions (f constant there?); {MAX_NUMERIC_POINTS} shown"
        )
        new = new[:: -(-len(new) // MAX_NUMERIC_POINTS)]
    found.numeric = np.array(new).reshape(-1, len(variables))
    box_text = " × ".join(f"[{sp.sstr(lo)}, {sp.sstr(hi)}]" for lo, hi in found.box.values())
    found.notes.append(
        f"numeric search (Levenberg–Marquardt from many starts) in the box {box_text}: "
        f"{len(points)} point(s), {len(new)} not found symbolically"
    )


def _kink_equations(item: Found) -> tuple[sp.Expr, ...]:
    if item.kind == "family":
        return item.payload.equations
    return tuple(v - value for v, value in item.payload.items())


def _near_zero_set(equations: Sequence[sp.Expr], at: dict) -> bool:
    if not equations:
        return False
    try:
        return all(abs(complex(e.xreplace(at).evalf())) < 1e-6 for e in equations)
    except (TypeError, ValueError):
        return False
