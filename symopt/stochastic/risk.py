"""Empirical risk: a per-example loss, written once, averaged over N examples.

The lecture's risk ``L(θ) = E[l(θ; z)]`` is approximated by the empirical risk over ``N``
examples and, for a step of SGD, by the mean over a mini-batch of ``K ≪ N`` of them::

    L̂(θ) = 1/N Σ_i l(θ; z_i)            EmpiricalRisk.value / .gradient
    L̃(θ) = 1/K Σ_{i∈batch} l(θ; z_i)    EmpiricalRisk.batch_value / .batch_gradient

The user writes ``l(θ; z)`` once (SymPy or text), says which symbols are the parameters
``θ`` and which are data, and gives the data as arrays.  A mini-batch is then one
vectorised evaluation, never a Python loop over examples:

* **linear forms** (used whenever they fit in memory): the loss is rewritten as
  ``g(u, z)`` where each ``u_k = Σ_j A_kj(z) θ_j + b_k(z)`` is a maximal subexpression
  affine in ``θ`` (for logistic regression ``u = y·(w·x + b)``, for a polynomial model
  ``u = Σ_k w_k x^k``).  The coefficients ``A(z)`` and offsets ``b(z)`` are evaluated on
  the data once, so a batch is a gather of rows, a matrix-vector product ``u = A θ``, the
  elementwise ``∂g/∂u`` and a second product ``Aᵀ ∂g/∂u``.  Terms with no data (a
  penalty ``λ|w|²``) are compiled on their own and added once.  When ``g`` is a
  polynomial of degree <= 2 in ``u`` (least squares) the full risk is a quadratic in
  ``θ`` whose coefficients are the data's moments, computed once: then ``value`` and
  ``gradient`` cost ``O(P²)``, not a pass over the ``N`` examples.
* **per example** (the fall-back): the loss and its gradient in ``θ`` are lambdified and
  evaluated on the batch columns with ``θ`` broadcast against them.
* **a model** (non-symbolic): any object with ``value(theta, batch)`` and
  ``gradient(theta, batch)``, the mean over a batch given as a dict of columns.

``theta`` may carry batch axes, ``(..., P)``: values come back as ``(...)``, gradients as
``(..., P)``.  ``log(1 + exp(a))`` and ``1/(1 + exp(a))`` are evaluated in a form that
cannot overflow (:func:`symopt.numeric.lambdify.stable`, the same as ``compile()``).

>>> import numpy as np
>>> data = {"x": np.array([0.0, 1.0, 2.0]), "y": np.array([1.0, 3.0, 5.0])}
>>> risk = EmpiricalRisk("(y - a*x - b)^2", "a b", data)
>>> risk.value([2.0, 1.0]), risk.gradient([0.0, 0.0])
(0.0, array([-8.66666667, -6.        ]))
>>> risk.batch_gradient([[2.0, 1.0], [0.0, 0.0]], [2])
array([[  0.,   0.],
       [-20., -10.]])
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import sympy as sp

from symopt.errors import ChoiceError, DataError, ShapeError
from symopt.numeric.lambdify import lambdify, sigmoid, softplus, stable
from symopt.symbolic.derivatives import Derivatives

__all__ = ["EmpiricalRisk", "sigmoid", "softplus", "stable"]

# Largest linear-forms coefficient matrix (N × forms × P entries) kept in memory.
_MAX_COEFFICIENTS = 2**25
# Full-risk passes go over the examples in chunks of at most _CHUNK (run × example) rows
# and _CHUNK_ROWS examples: moderate matrix products are much faster on a busy machine
# than one threaded BLAS product over all of N.
_CHUNK, _CHUNK_ROWS = 2**20, 2**14
# Rows named in a NaN error message.
_SHOWN_ROWS = 8


# -- symbols and data -------------------------------------------------------------------


def _names(what: str, value: Any) -> list[str]:
    """Symbol names from ``"w1 w2 b"``, ``"w1, b"`` or a sequence of symbols / names."""
    if isinstance(value, str):
        names = [v for v in re.split(r"[\s,]+", value) if v]
    elif isinstance(value, sp.Symbol):
        names = [value.name]
    elif isinstance(value, Sequence | np.ndarray):
        names = [v.name if isinstance(v, sp.Symbol) else v for v in value]
    else:
        raise DataError(
            f"{what} must be names like 'w1 w2 b' or a sequence of symbols, not {value!r}"
        )
    for name in names:
        if not isinstance(name, str) or not name.isidentifier():
            raise DataError(f"{what} must be symbols or names, but got {name!r}")
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise DataError(f"{what} repeats {', '.join(repeated)}: name each symbol once")
    return names


def _key(name: Any) -> str:
    if isinstance(name, sp.Symbol):
        return name.name
    if isinstance(name, str):
        return name
    raise DataError(f"data keys must be names or symbols, not {name!r}")


def _data_columns(data: Any, names: list[str] | None) -> dict[str, np.ndarray]:
    """The data as named float columns of one length.

    ``data`` is a mapping ``name -> (N,)`` array, where an ``(N, d)`` array under ``"x"``
    supplies the columns ``x1 ... xd``; or one ``(N, c)`` array whose columns are the
    data symbols in order (then ``names`` must be given).
    """
    if isinstance(data, np.ndarray | list | tuple) and not isinstance(data, Mapping):
        arr = np.asarray(data, dtype=float)
        if names is None:
            raise DataError(
                "data is an array, so say which symbol each column is: "
                "data_symbols='x1 x2 y' (in column order)"
            )
        if arr.ndim != 2 or arr.shape[1] != len(names):
            raise DataError(
                f"data has shape {arr.shape} but data_symbols names {len(names)} columns "
                f"({' '.join(names)}): give an array of shape (N, {len(names)})"
            )
        return {name: np.ascontiguousarray(arr[:, j]) for j, name in enumerate(names)}
    if not isinstance(data, Mapping) or not data:
        raise DataError(
            "data must be a non-empty mapping of data symbol -> array of length N "
            "(e.g. a symopt.stochastic.data.Dataset), or an (N, c) array"
        )
    columns: dict[str, np.ndarray] = {}
    for key, value in data.items():
        name = _key(key)
        try:
            arr = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise DataError(f"data[{name!r}] is not an array of numbers") from None
        if arr.ndim == 1:
            columns[name] = arr
        elif arr.ndim == 2:
            columns.update({f"{name}{j + 1}": arr[:, j] for j in range(arr.shape[1])})
        else:
            raise DataError(
                f"data[{name!r}] has shape {arr.shape}: give (N,) for one column or "
                f"(N, d) for the columns {name}1 ... {name}d"
            )
    lengths = {k: len(v) for k, v in columns.items()}
    if len(set(lengths.values())) != 1:
        raise DataError(f"data columns have different lengths {lengths}: give one length N")
    if next(iter(lengths.values())) == 0:
        raise DataError("data has no examples (N = 0)")
    return columns


def _unknown_symbols(names: list[str], data: Any, columns: dict[str, np.ndarray]) -> DataError:
    """The error for symbols of the loss that are neither parameters nor data columns,
    naming an ``(N, d)`` block with too few columns when that is the cause."""
    if isinstance(data, Mapping):
        for key, value in data.items():
            shape, name = np.shape(value), _key(key)
            if len(shape) == 2 and any(re.fullmatch(rf"{re.escape(name)}\d+", m) for m in names):
                return DataError(
                    f"wrong number of data columns: data[{name!r}] has {shape[1]} columns "
                    f"({name}1 ... {name}{shape[1]}) but the loss uses {', '.join(names)}: "
                    "give an array with a column for each, or a loss that matches the data"
                )
    in_columns = [n for n in names if n in columns]
    if in_columns:
        return DataError(
            f"the loss uses {', '.join(in_columns)}, which data_symbols does not name: "
            "add it to data_symbols (or params), or substitute a number for it"
        )
    return DataError(
        f"the loss uses {', '.join(names)}, which is neither a parameter nor a data column: "
        "add a column to data, add it to params, or substitute a number for it"
    )


def _check_finite(columns: dict[str, np.ndarray], what: str = "data column") -> None:
    """Name the rows where a column is NaN or inf."""
    for name, col in columns.items():
        bad = ~np.isfinite(col)
        if bad.any():
            rows = np.flatnonzero(bad)
            shown = ", ".join(map(str, rows[:_SHOWN_ROWS]))
            shown += ", ..." if len(rows) > _SHOWN_ROWS else ""
            raise DataError(
                f"{what} {name} has NaN or inf in {len(rows)} row(s): {shown}; drop or fill "
                f"those rows, e.g. keep = np.isfinite(X).all(axis=1)"
            )


# -- linear forms -----------------------------------------------------------------------


def _is_affine(e: sp.Expr, params: frozenset[sp.Symbol]) -> bool:
    """Is ``e`` affine in ``params``, judged from its structure (no expansion)?"""
    if e in params:
        return True
    if not e.has(*params):
        return True
    if isinstance(e, sp.Add):
        return all(_is_affine(a, params) for a in e.args)
    if isinstance(e, sp.Mul):
        varying = [a for a in e.args if a.has(*params)]
        return len(varying) == 1 and _is_affine(varying[0], params)
    return False


class _Forms:
    """``expr = g(u, z)`` with ``u_k`` the maximal subexpressions affine in the params."""

    def __init__(self, expr: sp.Expr, params: Sequence[sp.Symbol]):
        self.params = tuple(params)
        self._set = frozenset(params)
        self.forms: dict[sp.Expr, sp.Dummy] = {}
        self.g = self._replace(expr)

    def _replace(self, e: sp.Expr) -> sp.Expr:
        if not e.has(*self._set):
            return e
        if _is_affine(e, self._set):
            if e not in self.forms:
                self.forms[e] = sp.Dummy(f"u{len(self.forms)}")
            return self.forms[e]
        return e.func(*[self._replace(a) for a in e.args])

    def coefficients(self, form: sp.Expr) -> tuple[list[sp.Expr], sp.Expr]:
        """``(A_k1 ... A_kP, b_k)`` of ``form = Σ_j A_kj θ_j + b_k``."""
        zero = {p: 0 for p in self.params}
        return [sp.expand(form.diff(p)) for p in self.params], form.xreplace(zero)


class _LinearForms:
    """Batches as gather + ``A θ`` + elementwise ``∂g/∂u`` + ``Aᵀ(∂g/∂u)``.

    One matrix ``M`` holds, per example, the coefficients of the data forms (form-major,
    ``m·P`` columns), their offsets (``m`` columns, if any is nonzero) and the data columns
    ``g`` still needs, so a batch is a single gather ``M[rows]``.  Forms whose coefficients
    hold no data (``w1`` in ``y - exp(w1)·x``) are the same for every example and are
    evaluated once per call (``C θ + c``).
    """

    def __init__(self, forms: _Forms, data_symbols: list[sp.Symbol], columns, n_params):
        self.P = n_params
        data_set = set(data_symbols)
        self.data_forms = [f for f in forms.forms if f.free_symbols & data_set]
        self.const_forms = [f for f in forms.forms if not f.free_symbols & data_set]
        self.m = len(self.data_forms)
        g_data = sorted(forms.g.free_symbols & data_set, key=lambda s: s.name)
        blocks, self.has_offset = self._coefficient_blocks(forms, data_symbols, columns)
        blocks += [columns[s.name] for s in g_data]
        self.M = np.empty((len(columns[data_symbols[0].name]), len(blocks)))
        for j, col in enumerate(blocks):
            self.M[:, j] = col
        _check_finite(
            {f"{j}": self.M[:, j] for j in range(len(blocks))},
            "the loss is not finite on the data (log or sqrt of a data value <= 0?): column",
        )
        self.z_at = self.m * self.P + (self.m if self.has_offset else 0)
        self.n_z = len(g_data)
        const = [forms.coefficients(f) for f in self.const_forms]
        self.C = np.array([[float(a) for a in coef] for coef, _ in const]).reshape(-1, self.P)
        self.c = np.array([float(b) for _, b in const])
        u_data = [forms.forms[f] for f in self.data_forms]
        u_const = [forms.forms[f] for f in self.const_forms]
        args = [*u_data, *u_const, *g_data]
        derivs = [forms.g.diff(u) for u in u_data + u_const]
        self._loss = _LossAndDerivatives(args, forms.g, derivs)
        self.quadratic = self._moments(forms.g, u_data, g_data, columns)

    def _moments(self, g, u, g_data, columns) -> tuple[np.ndarray, np.ndarray, float] | None:
        """``(Q, q, q0)`` with ``L̂(θ) = θᵀQθ + qᵀθ + q0`` when ``g`` is a polynomial of
        degree <= 2 in the data forms (least squares): the full risk then costs O(P²)
        instead of a pass over the N examples."""
        if self.const_forms or not self.m:
            return None
        try:
            poly = sp.Poly(g, *u)
        except sp.PolynomialError:
            return None
        if poly.total_degree() > 2 or any(c.has(*u) for c in poly.coeffs()):
            return None
        m, P, n = self.m, self.P, self.M.shape[0]
        monomials = [(), *((k,) for k in range(m))]
        monomials += [(k, l) for k in range(m) for l in range(k, m)]
        exprs = []
        for mono in monomials:
            powers = [0] * m
            for k in mono:
                powers[k] += 1
            exprs.append(poly.coeff_monomial(tuple(powers)))
        values = lambdify(g_data, exprs)(*[columns[s.name] for s in g_data])
        c = iter(np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in values)
        c0 = next(c)
        lin = [next(c) for _ in range(m)]
        C = [[None] * m for _ in range(m)]
        for k in range(m):
            for l in range(k, m):
                C[k][l] = C[l][k] = next(c) if k == l else next(c) / 2
        A = [self.M[:, k * P : (k + 1) * P] for k in range(m)]
        b = [self.M[:, m * P + k] if self.has_offset else np.zeros(n) for k in range(m)]
        Q, q, q0 = np.zeros((P, P)), np.zeros(P), float(np.sum(c0))
        for k in range(m):
            q0 += float(lin[k] @ b[k])
            weight = lin[k].copy()
            for l in range(m):
                Q += (A[k] * C[k][l][:, None]).T @ A[l]
                weight += 2 * C[k][l] * b[l]
                q0 += float(b[k] @ (C[k][l] * b[l]))
            q += A[k].T @ weight
        return (Q + Q.T) / (2 * n), q / n, q0 / n

    def _coefficient_blocks(self, forms, data_symbols, columns):
        blocks, offsets = [], []
        args = list(data_symbols)
        values = [columns[s.name] for s in data_symbols]
        n = len(values[0])
        for form in self.data_forms:
            coef, offset = forms.coefficients(form)
            with np.errstate(all="ignore"):  # non-finite entries are reported just below
                out = lambdify(args, [*coef, offset])(*values)
            blocks += [np.broadcast_to(np.asarray(a, dtype=float), (n,)) for a in out[:-1]]
            offsets.append(np.broadcast_to(np.asarray(out[-1], dtype=float), (n,)))
        has_offset = any(np.any(b != 0) for b in offsets)
        return blocks + (offsets if has_offset else []), has_offset

    @staticmethod
    def fits(forms: _Forms, data_symbols, n_examples: int, n_params: int) -> bool:
        data_set = set(data_symbols)
        m = sum(1 for f in forms.forms if f.free_symbols & data_set)
        return n_examples * max(m, 1) * (n_params + 1) <= _MAX_COEFFICIENTS

    def sums(self, theta: np.ndarray, rows: Any, value: bool, grad: bool):
        """Sums over ``rows`` of the loss ``(...)`` and its gradient ``(..., P)``."""
        # take() gathers rows several times faster than fancy indexing
        Mb = self.M[rows] if isinstance(rows, slice) else self.M.take(rows, axis=0)
        per_run = Mb.ndim > 2
        m, P = self.m, self.P
        K = Mb.shape[-2]
        args = []
        if m:
            A = Mb[..., : m * P].reshape(*Mb.shape[:-2], K * m, P)
            u = (A @ theta[..., None])[..., 0] if per_run else theta @ A.T
            if self.has_offset:
                u = u + Mb[..., m * P : m * P + m].reshape(*Mb.shape[:-2], K * m)
            args += [u] if m == 1 else [u[..., k::m] for k in range(m)]
            shape = args[0].shape
        else:
            shape = (*np.broadcast_shapes(theta.shape[:-1], Mb.shape[:-2]), K)
        if len(self.c):
            uc = theta @ self.C.T + self.c
            args += [uc[..., k, None] for k in range(len(self.c))]
        args += [Mb[..., self.z_at + k] for k in range(self.n_z)]
        total, derivs = self._loss(args, shape, value, grad)
        if derivs is None:
            return total, None
        g = None
        if m:
            if m == 1:
                D = derivs[0]
                if np.shape(D) != shape:
                    D = np.broadcast_to(D, shape)
            else:
                D = np.stack([np.broadcast_to(d, shape) for d in derivs[:m]], axis=-1)
                D = D.reshape(*shape[:-1], K * m)
            g = (D[..., None, :] @ A)[..., 0, :] if per_run else D @ A
        if len(self.c):
            dc = np.stack([_sum_last(d, shape) for d in derivs[m:]], axis=-1) @ self.C
            g = dc if g is None else g + dc
        return total, g


class _LossAndDerivatives:
    """A per-example loss and its derivatives, lambdified in the same arguments; a call
    evaluates only what is asked for (sharing subexpressions when both are)."""

    def __init__(self, args: list, loss: sp.Expr, derivs: list):
        self._value = lambdify(args, [loss])
        self._grad = lambdify(args, derivs)
        self._both = lambdify(args, [loss, *derivs])

    def __call__(self, values: list, shape: tuple[int, ...], value: bool, grad: bool):
        """``(sum of the loss over the examples or None, per-example derivatives or None)``."""
        if value and grad:
            out = self._both(*values)
            return _sum_last(out[0], shape), out[1:]
        if value:
            return _sum_last(self._value(*values)[0], shape), None
        return None, self._grad(*values)


def _sum_last(v: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Sum over the example axis of ``v`` broadcast to ``shape`` (cheap for scalars)."""
    v = np.asarray(v, dtype=float)
    if v.shape == shape:
        return v.sum(axis=-1)
    if v.ndim == 0 or v.shape[-1] == 1:
        return np.broadcast_to(v[..., 0] if v.ndim else v, shape[:-1]) * shape[-1]
    return np.broadcast_to(v, shape).sum(axis=-1)


class _PerExample:
    """The loss and its gradient lambdified in ``(θ, z)`` and broadcast over a batch."""

    def __init__(self, expr: sp.Expr, params, data_symbols, columns):
        self.P = len(params)
        used = sorted(expr.free_symbols & set(data_symbols), key=lambda s: s.name)
        self.Z = np.column_stack([columns[s.name] for s in used]) if used else None
        gradient = Derivatives(expr, params).gradient
        self.nonzero = [j for j, d in enumerate(gradient) if d != 0]
        args = [*params, *used]
        derivs = [gradient[j] for j in self.nonzero]
        self._loss = _LossAndDerivatives(args, expr, derivs)
        self.n = len(next(iter(columns.values())))

    def sums(self, theta: np.ndarray, rows: Any, value: bool, grad: bool):
        if self.Z is None:
            K = len(np.arange(self.n)[rows]) if isinstance(rows, slice) else np.shape(rows)[-1]
            zs, batch = [], np.shape(rows)[:-1] if not isinstance(rows, slice) else ()
        else:
            Zb = self.Z[rows]
            K, batch = Zb.shape[-2], Zb.shape[:-2]
            zs = [Zb[..., k] for k in range(Zb.shape[-1])]
        # per-run rows (..., K) need θ as (..., 1); shared rows (K,) too
        args = [theta[..., j, None] for j in range(self.P)] + zs
        shape = (*np.broadcast_shapes(theta.shape[:-1], batch), K)
        total, derivs = self._loss(args, shape, value, grad)
        if derivs is None:
            return total, None
        g = np.zeros((*shape[:-1], self.P))
        for j, d in zip(self.nonzero, derivs, strict=True):
            g[..., j] = _sum_last(d, shape)
        return total, g


class _PerExampleHessian:
    """The per-example Hessian lambdified in ``(θ, z)``, averaged over the examples."""

    def __init__(self, expr: sp.Expr, params, columns: dict[str, np.ndarray]):
        self.P = len(params)
        used = sorted(expr.free_symbols - set(params), key=lambda s: s.name)
        self.columns = [columns[s.name] for s in used]
        entries = Derivatives(expr, params).hessian  # upper triangle, (i, j) with i <= j
        self.where = list(entries)
        self._fn = lambdify([*params, *used], list(entries.values()))

    def __call__(self, theta: np.ndarray, n: int) -> np.ndarray:
        chunk = min(_CHUNK_ROWS, max(64, _CHUNK // max(1, theta.size // self.P)))
        H = np.zeros((*theta.shape, self.P))
        args = [theta[..., j, None] for j in range(self.P)]
        for start in range(0, n, chunk):
            rows = slice(start, min(n, start + chunk))
            shape = (*theta.shape[:-1], rows.stop - rows.start)
            values = self._fn(*args, *[c[rows] for c in self.columns])
            for (i, j), v in zip(self.where, values, strict=True):
                H[..., i, j] += _sum_last(v, shape)
        for i, j in self.where:
            H[..., j, i] = H[..., i, j]
        return H / n


class _Model:
    """A non-symbolic model: ``value(theta, batch)`` and ``gradient(theta, batch)``, the
    means over a batch given as a dict of columns ``(K,)`` or ``(..., K)``."""

    def __init__(self, model: Any, columns: dict[str, np.ndarray], n_params: int):
        self.model, self.columns, self.P = model, columns, n_params

    def sums(self, theta: np.ndarray, rows: Any, value: bool, grad: bool):
        batch = {k: v[rows] for k, v in self.columns.items()}
        K = next(iter(batch.values())).shape[-1]
        total = np.asarray(self.model.value(theta, batch), dtype=float) * K if value else None
        g = np.asarray(self.model.gradient(theta, batch), dtype=float) * K if grad else None
        if g is not None and g.shape[-1:] != (self.P,):
            raise ShapeError(
                f"the model's gradient has shape {g.shape}; expected (..., {self.P}) for "
                f"{self.P} parameters"
            )
        return total, g


# -- the public surface -----------------------------------------------------------------


class EmpiricalRisk:
    """The mean of a per-example loss over ``N`` examples, and over mini-batches.

    Parameters
    ----------
    loss : str, sympy.Expr or model
        The per-example loss ``l(θ; z)``, as text (parsed safely) or SymPy; or an object
        with ``value(theta, batch)`` and ``gradient(theta, batch)`` returning the mean
        over a batch (a dict of data columns, each ``(K,)`` or ``(..., K)``).
    params : str or sequence of symbols / names, or int
        The parameters ``θ`` in order, e.g. ``"w1 w2 b"``; for a model, their number or
        names.
    data : mapping or ndarray
        ``name -> array of shape (N,)`` (an ``(N, d)`` array under ``"x"`` gives the
        columns ``x1 ... xd``), e.g. a :class:`symopt.stochastic.data.Dataset`; or an ``(N, c)``
        array whose columns are ``data_symbols`` in order.
    data_symbols : str or sequence, optional
        Which symbols are data; by default every column of ``data``.
    structure : {"auto", "linear", "general"}
        How batches are evaluated (see the module docstring); ``"auto"`` uses linear
        forms when their coefficient matrix fits in memory.

    Raises
    ------
    DataError
        Data with missing columns, rows with NaN or inf, a loss that does not depend on
        the parameters, a symbol that is both a parameter and data, or a symbol that is
        neither.

    Examples
    --------
    >>> import numpy as np, sympy as sp
    >>> from symopt.stochastic.data import logistic_regression
    >>> ds = logistic_regression(10_000, 3, seed=0)
    >>> w, x = sp.symbols("w1:4"), sp.symbols("x1:4")
    >>> u = sum(wj * xj for wj, xj in zip(w, x)) + sp.Symbol("b")
    >>> risk = EmpiricalRisk(sp.log(1 + sp.exp(-sp.Symbol("y") * u)), [*w, "b"], ds)
    >>> risk.n_examples, risk.n_params, risk.structure
    (10000, 4, 'linear')
    >>> round(float(risk.value(np.zeros(4))), 6)  # log 2
    0.693147
    >>> risk.gradient(np.zeros((5, 2, 4))).shape
    (5, 2, 4)
    """

    def __init__(
        self,
        loss: Any,
        params: Any,
        data: Any,
        data_symbols: Any = None,
        *,
        structure: str = "auto",
    ):
        if structure not in ("auto", "linear", "general"):
            raise ChoiceError("structure", structure, ("auto", "linear", "general"))
        self._data_names = None if data_symbols is None else _names("data_symbols", data_symbols)
        columns = _data_columns(data, self._data_names)
        if _is_model(loss):
            self._init_model(loss, params, columns)
            return
        expr = _as_loss(loss)
        self.loss = expr
        by_name = {s.name: s for s in expr.free_symbols}
        param_names = _names("params", params)
        data_names = self._data_names if self._data_names is not None else list(columns)
        both = sorted(set(param_names) & set(data_names))
        if both:
            raise DataError(
                f"{', '.join(both)} is named both as a parameter and as data: a symbol is one "
                "or the other; rename the data column or drop it from params"
            )
        self.params = tuple(by_name.get(n, sp.Symbol(n, real=True)) for n in param_names)
        if not expr.free_symbols & set(self.params):
            raise DataError(
                f"the loss {expr} does not depend on the parameters "
                f"{', '.join(param_names)}: check params=... names the symbols of the loss"
            )
        used_data = sorted(expr.free_symbols - set(self.params), key=lambda s: s.name)
        unknown = [s.name for s in used_data if s.name not in columns or s.name not in data_names]
        if unknown:
            raise _unknown_symbols(unknown, data, columns)
        self.data_symbols = tuple(used_data)
        self._columns = {s.name: columns[s.name] for s in used_data}
        _check_finite(self._columns)
        self.n_examples = len(next(iter(columns.values())))
        self.n_params = len(self.params)
        self._build(stable(expr), structure)

    def _init_model(self, model: Any, params: Any, columns: dict[str, np.ndarray]) -> None:
        if isinstance(params, numbers.Integral) and not isinstance(params, bool) and params > 0:
            names = [f"theta{j + 1}" for j in range(int(params))]
        else:
            names = _names("params", params)
        self.loss = model
        self.params = tuple(sp.Symbol(n, real=True) for n in names)
        names_of_data = self._data_names or list(columns)
        missing = [n for n in names_of_data if n not in columns]
        if missing:
            raise DataError(
                f"data_symbols names {', '.join(missing)}, which data has no column for"
            )
        self.data_symbols = tuple(sp.Symbol(n, real=True) for n in names_of_data)
        self._columns = {s.name: columns[s.name] for s in self.data_symbols}
        _check_finite(self._columns)
        self.n_examples = len(next(iter(columns.values())))
        self.n_params = len(names)
        self.structure = "model"
        self._engine = _Model(model, self._columns, self.n_params)
        self._penalty = None

    def _build(self, expr: sp.Expr, structure: str) -> None:
        data_set = set(self.data_symbols)
        terms = sp.Add.make_args(expr)
        penalty = sp.Add(*[t for t in terms if not t.free_symbols & data_set])
        per_example = sp.Add(*[t for t in terms if t.free_symbols & data_set])
        self._penalty = None
        if penalty.has(*self.params):
            from symopt.numeric.compile import CompiledObjective

            self._penalty = CompiledObjective(penalty, self.params)
        elif penalty != 0:
            per_example = per_example + penalty  # a constant: keep it in the mean
        if not per_example.has(*self.params) or structure == "general":
            self._general(per_example)
            return
        forms = _Forms(per_example, self.params)
        if structure == "auto" and not _LinearForms.fits(
            forms, self.data_symbols, self.n_examples, self.n_params
        ):
            self._general(per_example)
            return
        self.structure = "linear"
        self._engine = _LinearForms(forms, list(self.data_symbols), self._columns, self.n_params)

    def _general(self, expr: sp.Expr) -> None:
        self.structure = "general"
        symbols = self.data_symbols or ()
        columns = self._columns or {"_": np.zeros(self.n_examples)}
        self._engine = _PerExample(expr, self.params, list(symbols), columns)

    def __repr__(self) -> str:
        names = " ".join(s.name for s in self.params)
        return (
            f"EmpiricalRisk({self.loss}; params {names}; {self.n_examples} examples; "
            f"{self.structure})"
        )

    # -- evaluation -----------------------------------------------------------------

    def _theta(self, theta: Any) -> np.ndarray:
        t = np.asarray(theta, dtype=float)
        if t.ndim == 0 or t.shape[-1] != self.n_params:
            names = " ".join(s.name for s in self.params)
            raise ShapeError(
                f"theta has shape {t.shape}, but the risk has {self.n_params} parameters "
                f"({names}): give shape ({self.n_params},) or (..., {self.n_params})"
            )
        return t

    def _rows(self, idx: Any) -> np.ndarray:
        rows = np.asarray(idx)
        if rows.ndim == 0 or rows.shape[-1] == 0 or not np.issubdtype(rows.dtype, np.integer):
            raise DataError(
                f"idx must be a non-empty integer array of example indices (K,) or (..., K), "
                f"got {rows.dtype} of shape {rows.shape}"
            )
        if rows.min() < 0 or rows.max() >= self.n_examples:
            raise DataError(f"idx has indices outside 0 ... {self.n_examples - 1}")
        return rows

    def _full(self, theta: np.ndarray, value: bool, grad: bool):
        """Means over all examples, in chunks so no (runs × N) temporary gets big."""
        quadratic = getattr(self._engine, "quadratic", None)
        if quadratic is not None:
            Q, q, q0 = quadratic
            Qt = theta @ Q
            total = (Qt * theta).sum(axis=-1) + theta @ q + q0 if value else None
            return self._mean(theta, total, 2 * Qt + q if grad else None, 1)
        runs = max(1, theta.size // self.n_params)
        chunk = min(_CHUNK_ROWS, max(64, _CHUNK // runs))
        total = np.zeros(theta.shape[:-1]) if value else None
        g = np.zeros(theta.shape) if grad else None
        for start in range(0, self.n_examples, chunk):
            v, d = self._engine.sums(theta, slice(start, start + chunk), value, grad)
            if value:
                total += v
            if grad:
                g += d
        return self._mean(theta, total, g, self.n_examples)

    def _mean(self, theta, total, g, count):
        if total is not None:
            total = total / count
            if self._penalty is not None:
                total = total + self._penalty.value(theta)
        if g is not None:
            g = g / count
            if self._penalty is not None:
                g = g + self._penalty.gradient(theta)
        return total, g

    def value(self, theta: Any) -> np.ndarray:
        """The empirical risk ``1/N Σ_i l(θ; z_i)``; ``theta (..., P)`` gives ``(...)``."""
        return _scalar(self._full(self._theta(theta), True, False)[0])

    def gradient(self, theta: Any) -> np.ndarray:
        """The gradient of the empirical risk, shape ``(..., P)``."""
        return self._full(self._theta(theta), False, True)[1]

    def value_and_gradient(self, theta: Any) -> tuple[np.ndarray, np.ndarray]:
        """Both in one pass over the data."""
        v, g = self._full(self._theta(theta), True, True)
        return _scalar(v), g

    def hessian(self, theta: Any) -> np.ndarray:
        """The Hessian of the empirical risk, shape ``(..., P, P)``.

        Least squares uses its moments (``2Q``, exact and ``O(P²)``); any other symbolic
        loss its per-example Hessian, derived once by SymPy and summed over the examples;
        a model its own ``hessian(theta, batch)``, if it has one.

        >>> data = {"x": np.array([0.0, 1.0, 2.0]), "y": np.array([1.0, 3.0, 5.0])}
        >>> EmpiricalRisk("(y - a*x - b)^2", "a b", data).hessian([0.0, 0.0])  # 2·mean[x², x; x, 1]
        array([[3.33333333, 2.        ],
               [2.        , 2.        ]])
        """
        theta = self._theta(theta)
        if self.structure == "model":
            hessian = getattr(self.loss, "hessian", None)
            if not callable(hessian):
                from symopt.errors import NotDifferentiableError

                raise NotDifferentiableError(
                    f"the model {type(self.loss).__name__} has no hessian(theta, batch): add "
                    "one (the mean over the batch, shape (..., P, P)) or use a symbolic loss"
                )
            return np.asarray(hessian(theta, self._columns), dtype=float)
        quadratic = getattr(self._engine, "quadratic", None)
        if quadratic is not None:
            H = np.broadcast_to(2 * quadratic[0], (*theta.shape, self.n_params)).copy()
            return H if self._penalty is None else H + self._penalty.hessian(theta)
        if getattr(self, "_second", None) is None:
            self._second = _PerExampleHessian(stable(self.loss), self.params, self._columns)
        return self._second(theta, self.n_examples)

    def _batch(self, theta: Any, idx: Any, value: bool, grad: bool):
        theta, rows = self._theta(theta), self._rows(idx)
        if rows.ndim > 1:
            try:
                np.broadcast_shapes(theta.shape[:-1], rows.shape[:-1])
            except ValueError:
                raise ShapeError(
                    f"idx of shape {rows.shape} gives one batch per run, but theta has batch "
                    f"shape {theta.shape[:-1]}: give idx of shape (K,) or (..., K) matching it"
                ) from None
        total, g = self._engine.sums(theta, rows, value, grad)
        return self._mean(theta, total, g, rows.shape[-1])

    def batch_value(self, theta: Any, idx: Any) -> np.ndarray:
        """The mini-batch risk ``1/K Σ_{i ∈ idx} l(θ; z_i)``.

        ``idx`` of shape ``(K,)`` is one batch for every run; of shape ``(..., K)`` one
        batch per run (its leading axes broadcast against those of ``theta``).
        """
        return _scalar(self._batch(theta, idx, True, False)[0])

    def batch_gradient(self, theta: Any, idx: Any) -> np.ndarray:
        """The gradient of the mini-batch risk, shape ``(..., P)``."""
        return self._batch(theta, idx, False, True)[1]

    def batch_value_and_gradient(self, theta: Any, idx: Any) -> tuple[np.ndarray, np.ndarray]:
        """Both at once (the runner's step: the batch loss comes almost for free)."""
        v, g = self._batch(theta, idx, True, True)
        return _scalar(v), g

    def _fast(self, value: bool) -> Callable[[np.ndarray, Any], Any]:
        """The runner's hot path: ``(theta, rows) -> (value or None, gradient)`` without
        input checks (the runner checked theta and makes the rows itself)."""
        sums, mean = self._engine.sums, self._mean

        def step(theta: np.ndarray, rows: Any) -> tuple[Any, np.ndarray]:
            total, g = sums(theta, rows, value, True)
            return mean(theta, total, g, rows.shape[-1])

        return step

    def with_data(self, data: Any) -> EmpiricalRisk:
        """The same loss and parameters on other data (e.g. the test set)."""
        names = None if self._data_names is None else " ".join(self._data_names)
        if self.structure == "model":
            params = " ".join(s.name for s in self.params)
            return EmpiricalRisk(self.loss, params, data, names)
        structure = "general" if self.structure == "general" else "auto"
        return EmpiricalRisk(self.loss, self.params, data, names, structure=structure)


def _is_model(loss: Any) -> bool:
    return callable(getattr(loss, "value", None)) and callable(getattr(loss, "gradient", None))


def _as_loss(loss: Any) -> sp.Expr:
    if isinstance(loss, str):
        from symopt.symbolic.parsing import parse

        return parse(loss)
    if isinstance(loss, sp.Expr):
        return loss.xreplace(
            {s: sp.Symbol(s.name, real=True) for s in loss.free_symbols if not s.is_real}
        )
    raise DataError(
        f"loss must be text, a SymPy expression, or a model with value(theta, batch) and "
        f"gradient(theta, batch), not {type(loss).__name__}"
    )


def _scalar(v: Any) -> Any:
    """0-d arrays as Python floats, like SymPy-free scalar results elsewhere."""
    return float(v) if v is not None and np.ndim(v) == 0 else v
