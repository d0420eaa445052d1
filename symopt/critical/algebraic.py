"""Polynomial systems ∇f = 0 by Gröbner bases: every real solution, none lost.

The ideal of the gradient is split at every factorisable basis element (a factorising
Gröbner basis).  Each zero-dimensional part is solved through the shape lemma: a
separating linear form ``u`` and the real roots of its eliminant, isolated exactly (as
rationals, radicals or ``CRootOf``), so no root is lost because it has no radical form.
Each positive-dimensional part is parametrised: an ellipse by ``(cos t, sin t)``, anything
else by the branches of ``solve``.  The list ends with
:class:`~symopt.critical.messages.Complete`: it is provably every real solution.

>>> x, y = sp.symbols("x y", real=True)
>>> list(polynomial_solutions([2*x - 2, 2*y], [x, y], (x - 1)**2 + y**2))
[Solution(point={x: 1, y: 0}, value=None), Complete(in_box=False)]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np
import sympy as sp

from symopt.critical.closed_form import parameter_symbols, solution_items
from symopt.critical.messages import Complete, Family, Solution
from symopt.critical.verify import numerically_zero

__all__ = ["polynomial_over_rationals", "polynomial_solutions"]


def polynomial_over_rationals(equations: Sequence[sp.Expr], variables: Sequence[sp.Symbol]):
    """The equations as ``Poly`` objects with rational coefficients, or None."""
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
    forms = list(_separating_forms(len(variables)))
    shaped = _shape_basis(exprs, variables, forms[:1])  # a radical ideal, the first form
    if shaped is None:
        eliminants = {v: sp.sqf_part(_eliminant(exprs, variables, v)[0]) for v in variables}
        shaped = _shape_basis([*exprs, *eliminants.values()], variables, forms)
    else:
        eliminants = {}
    if shaped is None:  # pragma: no cover - about 1e-30 for a thousand zeros
        raise NotImplementedError(f"no separating linear form among {len(forms)} tries")
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


def _value_at_root(expr: sp.Expr, shape: dict, u: sp.Symbol, r: sp.Expr) -> sp.Expr:
    """``expr`` at ``v = q_v(r)``, reduced modulo the minimal polynomial of ``r`` (a real
    root of the eliminant: a ``CRootOf``, or an expression in one such as ``-CRootOf(...)``)."""
    minimal = sp.Poly(sp.minimal_polynomial(r, u), u)
    along = sp.Poly(sp.expand(expr.xreplace(shape)), u)
    remainder = along.rem(minimal)
    return remainder.as_expr() if remainder.degree() <= 0 else remainder.as_expr().xreplace({u: r})


def _shape_basis(exprs, variables, forms):
    """``(p, {v: q_v}, u)`` for the first of the linear ``forms`` (coefficient tuples)
    that puts the lex basis in shape position, or None."""
    u = sp.Dummy("u")
    for coefficients in forms:
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


SEPARATING_TRIES = 12  # random linear forms tried after 1, 2, …, n


def _separating_forms(n: int) -> Iterator[tuple[int, ...]]:
    """The coefficients of linear forms to try: ``1, 2, …, n``, then seeded random
    integers in ``[−B, B]`` with ``B = 10, 10, 100, 100, 1000, …`` (deterministic).

    A form fails to separate two zeros only if it is orthogonal to their difference: for
    each of the ``m(m − 1)/2`` pairs of ``m`` complex zeros that happens for at most one
    value of a coefficient, so a random form fails with probability at most
    ``m(m − 1)/(2(2B + 1))``.  Symmetric systems defeat small fixed forms (the 17 zeros
    of ``x³ = yz, y³ = xz, z³ = xy`` — the origin and ``(x, y, z)`` fourth roots of unity
    with ``xyz = 1`` — collide under ``x + 2y + 3z``), not growing random ones.
    """
    yield tuple(range(1, n + 1))
    rng = np.random.default_rng(12345)
    for k in range(SEPARATING_TRIES):
        bound = 10 ** (1 + k // 2)
        yield tuple(int(c) for c in rng.integers(-bound, bound + 1, n))


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


def polynomial_solutions(
    gradient: Sequence[sp.Expr], variables: Sequence[sp.Symbol], expr: sp.Expr
) -> Iterator[Solution | Family | Complete]:
    """Every real solution of ``gradient = 0`` (polynomials over the rationals): families,
    then distinct isolated points off the families, then :class:`Complete`."""
    components = _components(gradient, variables)
    families: list[Family] = []
    points: list[tuple[dict, Any]] = []
    for basis in components:
        if basis.is_zero_dimensional:
            points.extend(_shape_solutions(basis.exprs, variables, expr))
            continue
        for solution in _family_solutions(basis, variables):
            if isinstance(solution, Family):
                families.append(solution)
                yield solution
            else:
                points.append((solution.point, None))
    values = {id(point): value for point, value in points}
    for point in _distinct([point for point, _ in points]):
        if not any(_on_family(point, family) for family in families):
            yield Solution(point, values[id(point)])
    yield Complete()


def _family_solutions(
    basis: sp.GroebnerBasis, variables: Sequence[sp.Symbol]
) -> Iterator[Solution | Family]:
    """Positive-dimensional component: a trigonometric parametrisation for an ellipse,
    otherwise the branches of ``solve``."""
    ellipse = _ellipse(basis.exprs, variables)
    if ellipse is not None:
        yield ellipse
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
    (t,) = parameter_symbols(variables, 1)
    L = A.cholesky(hermitian=False)
    offset = sp.sqrt(rho) * L.T.inv() * sp.Matrix([sp.cos(t), sp.sin(t)])
    point = {x: sp.simplify(center[i] + offset[i]) for i, x in enumerate(v)}
    return Family(point, (t,), (t >= 0) & (t < 2 * sp.pi), tuple(exprs))


def _on_family(point: dict, family: Family) -> bool:
    return bool(family.equations) and all(
        numerically_zero(e.xreplace(point)) for e in family.equations
    )


def _distinct(points: list[dict]) -> list[dict]:
    out: list[dict] = []
    for p in points:
        if not any(all(numerically_zero(p[v] - q[v]) for v in p) for q in out):
            out.append(p)
    return sorted(out, key=lambda p: [float(value) for value in p.values()])
