"""Hessian-vector products ``v -> H(θ) v`` for every loss symopt knows, as one operator.

A loss is one of

* an :class:`~symopt.landscape.mlp.MLPObjective` (or anything with ``hvp(θ, v)``): the
  exact product by Pearlmutter's R-operator through the hand-written backprop, about the
  cost of two gradients, never forming ``H``;
* an :class:`~symopt.stochastic.EmpiricalRisk`, a compiled objective (or a
  :class:`symopt.Objective`, compiled here), or anything with ``hessian(θ)``: the Hessian
  is known, so it is formed once at ``θ`` and multiplied.

:func:`operator` returns the product at one ``θ`` as a :class:`HessianOperator` (what
Lanczos, the density and the trace use); :func:`hvp` is the one-shot product, batched over
leading axes like the gradient.  Every product is checked to be finite, and
:func:`operator` checks the operator is symmetric on a random pair of vectors.

>>> import numpy as np, symopt
>>> f = symopt.Objective("x**2 + 3*x*y + 5*y**2")   # H = [[2, 3], [3, 10]]
>>> hvp(f, [0.0, 0.0], [1.0, 1.0])
array([ 5., 13.])
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symopt.errors import DegenerateError, NotDifferentiableError, ShapeError

__all__ = ["HessianOperator", "hvp", "operator"]

# |u·Hw − w·Hu| above this times |u||Hw| + |w||Hu| is not a Hessian (roundoff is ~1e-15).
_SYMMETRY_TOL = 1e-6


@dataclass
class HessianOperator:
    """``H v`` at one point: ``matvec(V)`` takes ``(n,)`` or ``(K, n)`` and counts products.

    ``n`` is the size of the (block of the) parameter vector the operator acts on.
    """

    n: int
    _product: Callable[[np.ndarray], np.ndarray] = field(repr=False)
    products: int = 0

    def matvec(self, V: Any) -> np.ndarray:
        V = np.asarray(V, dtype=float)
        out = np.asarray(self._product(V), dtype=float)
        self.products += 1 if V.ndim == 1 else len(V)
        return _finite(out)

    def dense(self, chunk: int = 256) -> np.ndarray:
        """The full ``n × n`` matrix, from ``n`` products (small models only)."""
        eye = np.eye(self.n)
        return np.concatenate([self.matvec(eye[k : k + chunk]) for k in range(0, self.n, chunk)])

    def check_symmetric(self, rng: np.random.Generator) -> None:
        """Raise :class:`DegenerateError` unless ``u·Hw = w·Hu`` on a random pair."""
        u, w = rng.standard_normal((2, self.n))
        Hu, Hw = self.matvec(np.stack([u, w]))
        gap = abs(u @ Hw - w @ Hu)
        scale = np.linalg.norm(u) * np.linalg.norm(Hw) + np.linalg.norm(w) * np.linalg.norm(Hu)
        if gap > _SYMMETRY_TOL * scale + 1e-300:
            raise DegenerateError(
                f"the operator is not symmetric: u·Hw − w·Hu = {gap:.3g} on random vectors "
                f"(relative {gap / scale:.2g}), so it is no Hessian and has no real spectrum: "
                "check the loss's hvp(θ, v) or hessian(θ)"
            )


def operator(loss: Any, params: Any, *, block: Any = None) -> HessianOperator:
    """The Hessian of ``loss`` at ``params`` (shape ``(n,)``) as an operator.

    ``block`` (a slice or index array of parameter positions, e.g. one layer of
    :meth:`~symopt.landscape.mlp.MLP.blocks`) restricts it to that diagonal block.

    >>> import symopt
    >>> op = operator(symopt.Objective("x**2 * y"), [1.0, 2.0])   # H = [[2y, 2x], [2x, 0]]
    >>> op.matvec([[1.0, 0.0], [0.0, 1.0]])
    array([[4., 2.],
           [2., 0.]])
    """
    loss = _numeric(loss)
    theta = _params(loss, params)
    if theta.ndim != 1:
        raise ShapeError(
            f"params has shape {theta.shape}: the spectrum is of one point, give shape "
            f"({theta.shape[-1]},) (loop over the runs of a batch)"
        )
    if callable(getattr(loss, "hessian_operator", None)):
        product = loss.hessian_operator(theta)
    elif callable(getattr(loss, "hvp", None)):

        def product(V: np.ndarray) -> np.ndarray:
            return loss.hvp(theta, V)

    else:
        H = _hessian(loss, theta)

        def product(V: np.ndarray) -> np.ndarray:
            return V @ H.T

    n = len(theta)
    if block is None:
        return HessianOperator(n, product)
    index = np.arange(n)[block]
    if index.ndim != 1 or index.size == 0:
        raise ShapeError(f"block {block!r} selects no parameters of {n}: give a slice or indices")

    def restricted(V: np.ndarray) -> np.ndarray:
        full = np.zeros((*V.shape[:-1], n))
        full[..., index] = V
        return product(full)[..., index]

    return HessianOperator(len(index), restricted)


def hvp(loss: Any, params: Any, v: Any) -> np.ndarray:
    """The Hessian of ``loss`` at ``params`` times ``v``, exactly.

    Parameters
    ----------
    loss : MLPObjective, EmpiricalRisk, Objective or compiled objective
        See the module docstring.
    params, v : array_like, shape (..., n)
        Points and directions; their leading axes broadcast (one point with a stack of
        directions, or a direction per run).

    Returns
    -------
    ndarray, shape (..., n)

    Raises
    ------
    NotDifferentiableError
        The loss has no second derivatives (no ``hvp`` and no ``hessian``), or the product
        is not finite.
    """
    loss = _numeric(loss)
    theta = _params(loss, params)
    v = np.asarray(v, dtype=float)
    if v.shape[-1:] != theta.shape[-1:]:
        raise ShapeError(
            f"v has shape {v.shape} but params has {theta.shape[-1]} entries: give (..., "
            f"{theta.shape[-1]})"
        )
    if theta.ndim == 1:
        return operator(loss, theta).matvec(v)
    if callable(getattr(loss, "hvp", None)):
        out = loss.hvp(theta, v)
    else:
        out = (_hessian(loss, theta) @ v[..., None])[..., 0]
    return _finite(np.asarray(out, dtype=float))


def _finite(out: np.ndarray) -> np.ndarray:
    if not np.all(np.isfinite(out)):
        raise NotDifferentiableError(
            "the Hessian-vector product is not finite here (an overflow, or a loss that is "
            "not twice differentiable at these parameters): check the parameters are finite "
            "and moderate, or move off the singular point"
        )
    return out


def _numeric(loss: Any) -> Any:
    """A symbolic objective compiled; anything else as it is."""
    return loss.compile() if callable(getattr(loss, "compile", None)) else loss


def _params(loss: Any, params: Any) -> np.ndarray:
    theta = np.asarray(params, dtype=float)
    n = getattr(loss, "n_params", getattr(loss, "n", None))
    if theta.ndim == 0 or (isinstance(n, int) and theta.shape[-1] != n):
        raise ShapeError(
            f"params has shape {theta.shape}, but the loss has {n} parameters: give ({n},)"
        )
    if not np.all(np.isfinite(theta)):
        raise ShapeError("params contains NaN or infinity: give finite parameters")
    return theta


def _hessian(loss: Any, theta: np.ndarray) -> np.ndarray:
    hessian = getattr(loss, "hessian", None)
    if not callable(hessian):
        raise NotDifferentiableError(
            f"{type(loss).__name__} has no second derivatives: give a loss with hvp(θ, v) "
            "(an MLP objective) or hessian(θ) (an EmpiricalRisk, a symopt.Objective)"
        )
    H = np.asarray(hessian(theta), dtype=float)
    n = theta.shape[-1]
    if H.shape != (*theta.shape, n):
        raise ShapeError(f"hessian(θ) has shape {H.shape}; expected {(*theta.shape, n)}")
    return H
