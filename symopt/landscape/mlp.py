"""A small multilayer perceptron in NumPy: loss and hand-written backprop on a flat θ.

The built-in model for loss landscapes (:mod:`symopt.landscape`).  All parameters live in
one flat vector ``θ`` of length ``P``, laid out layer by layer as ``W1, b1, W2, b2, ...``
with ``W`` of shape ``(out, in)`` (PyTorch's ``nn.Linear`` layout, so a row of ``W`` is a
neuron's incoming weights: the "filter" of filter normalisation) and ``b`` of shape
``(out,)``; :attr:`MLP.shapes` lists them.  The network::

    h0 = x
    h1 = act(W1 h0 + b1)
    hl = act(Wl h(l-1) + bl)            plain layer, l = 2 .. L-1
    hl = h(l-1) + act(Wl h(l-1) + bl)   residual block (skip=True, equal widths)
    z  = WL h(L-1) + bL                 logits (cross-entropy) or outputs (mse)

Losses are means over the samples, as in PyTorch: ``cross_entropy`` takes integer labels
``y``, ``mse`` is ``mean((z - y)**2)`` over samples and outputs.

``hvp`` is the exact Hessian-vector product (Pearlmutter's R-operator through the same
backprop).  ``loss``, ``gradient``, ``hvp`` and ``predict`` are batched over leading axes
of ``θ``: a stack ``(..., P)`` of parameter vectors is evaluated at once (in chunks that
bound memory), which is what makes a 51×51 landscape grid cheap.

>>> import numpy as np
>>> net = MLP([2, 8, 8, 3], activation="tanh", skip=True, seed=0)
>>> net.shapes
[(8, 2), (8,), (8, 8), (8,), (3, 8), (3,)]
>>> theta = net.init()
>>> X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 2])
>>> net.loss(np.stack([theta, 2 * theta]), X, y).shape, net.gradient(theta, X, y).shape
((2,), (123,))
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import numpy as np

from symopt._typing import Activation, MLPLoss
from symopt.errors import ChoiceError, DataError, DependencyError, HyperparameterError, ShapeError

__all__ = ["MLP", "MLPObjective", "load_digits"]

# Stack so many parameter vectors that one layer's activations take about this many bytes:
# small enough for the CPU cache (measured about 2x faster than stacks of 16+ MB).
_CHUNK_BYTES = 2**19


class MLP:
    """A fully connected network with optional residual blocks, on a flat parameter vector.

    Parameters
    ----------
    sizes : sequence of int
        Widths ``[inputs, hidden..., outputs]``, at least two entries.
    activation : "relu" or "tanh"
    skip : bool
        Make every hidden-to-hidden layer of equal width a residual block
        ``h ← h + act(W h + b)``.
    loss : "cross_entropy" or "mse"
    seed : int, optional
        Default seed of :meth:`init`.

    Examples
    --------
    >>> net = MLP([64, 16, 16, 16, 10], skip=True)
    >>> net.size, net.residual
    (1754, (False, True, True))
    """

    def __init__(
        self,
        sizes: Sequence[int],
        activation: Activation = "relu",
        skip: bool = False,
        loss: MLPLoss = "cross_entropy",
        seed: int | None = None,
    ):
        sizes = list(sizes) if not isinstance(sizes, str) else []
        if len(sizes) < 2 or not all(
            isinstance(k, int | np.integer) and not isinstance(k, bool) and k > 0 for k in sizes
        ):
            raise HyperparameterError("sizes", sizes, "a list of >= 2 positive ints")
        if activation not in get_args(Activation):
            raise ChoiceError("activation", activation, get_args(Activation))
        if loss not in get_args(MLPLoss):
            raise ChoiceError("loss", loss, get_args(MLPLoss))
        self.sizes = [int(k) for k in sizes]
        self.activation, self.skip, self.loss_name, self.seed = activation, bool(skip), loss, seed
        # one flag per hidden layer: is it a residual block?
        self.residual = tuple(
            self.skip and i > 0 and self.sizes[i] == self.sizes[i + 1]
            for i in range(len(self.sizes) - 2)
        )
        if self.skip and not any(self.residual):
            raise HyperparameterError(
                "skip", skip, "False, or sizes with two consecutive hidden layers of equal width"
            )
        self.shapes = [
            shape
            for n_in, n_out in zip(self.sizes[:-1], self.sizes[1:], strict=True)
            for shape in ((n_out, n_in), (n_out,))
        ]
        self.size = sum(math.prod(s) for s in self.shapes)

    def __repr__(self) -> str:
        return (
            f"MLP({self.sizes}, activation={self.activation!r}, skip={self.skip}, "
            f"loss={self.loss_name!r})"
        )

    # -- parameters -------------------------------------------------------------------

    def init(self, seed: int | np.random.Generator | None = None) -> np.ndarray:
        """Random parameters: ``W ~ N(0, gain / in)`` (He for relu, LeCun for tanh), ``b = 0``.

        The weights of the ``k`` residual blocks get variance ``gain / (in · k)`` instead, so
        the blocks together grow the signal by at most a factor ``e`` (with ``gain / in``
        every relu block would double its energy).

        >>> net = MLP([3, 4, 2], seed=0)
        >>> bool(np.all(net.init() == net.init())), net.init().shape
        (True, (26,))
        """
        rng = np.random.default_rng(self.seed if seed is None else seed)
        gain = 2.0 if self.activation == "relu" else 1.0
        blocks = max(1, sum(self.residual))
        residual = [*self.residual, False]  # the output layer is never a block
        parts = []
        for n_in, n_out, res in zip(self.sizes[:-1], self.sizes[1:], residual, strict=True):
            var = gain / n_in / (blocks if res else 1)
            parts += [rng.normal(0.0, math.sqrt(var), n_out * n_in), np.zeros(n_out)]
        return np.concatenate(parts)

    def unflatten(self, theta: Any) -> list[np.ndarray]:
        """The tensors of ``θ`` (shape ``(..., P)``) as views, each ``(..., *shape)``.

        >>> [t.shape for t in MLP([3, 4, 2]).unflatten(np.zeros((5, 26)))]
        [(5, 4, 3), (5, 4), (5, 2, 4), (5, 2)]
        """
        theta = self._theta(theta)
        ends = np.cumsum([math.prod(s) for s in self.shapes])
        return [
            theta[..., e - math.prod(s) : e].reshape(*theta.shape[:-1], *s)
            for s, e in zip(self.shapes, ends, strict=True)
        ]

    def blocks(self) -> dict[str, slice]:
        """Where each layer's ``W`` and ``b`` sit in ``θ``: ``{"layer 1": slice, ...}``, the
        diagonal blocks of per-layer Hessian spectra.

        >>> MLP([3, 4, 2]).blocks()
        {'layer 1': slice(0, 16, None), 'layer 2': slice(16, 26, None)}
        """
        ends = [0, *np.cumsum([math.prod(s) for s in self.shapes])[1::2]]
        return {f"layer {k}": slice(int(ends[k - 1]), int(ends[k])) for k in range(1, len(ends))}

    # -- evaluation -------------------------------------------------------------------

    def loss(self, theta: Any, X: Any, y: Any) -> np.ndarray:
        """The mean loss over the samples ``(X, y)``, shape ``θ.shape[:-1]``."""
        X, y = self._data(X, y)
        return self._chunked(theta, X, lambda t: (self._loss(t, X, y, grad=False)[0],))[0]

    def value_and_gradient(self, theta: Any, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """The loss and its gradient (by backprop), shapes ``(...)`` and ``(..., P)``."""
        X, y = self._data(X, y)
        value, grad = self._chunked(theta, X, lambda t: self._loss(t, X, y, grad=True))
        return value, grad

    def gradient(self, theta: Any, X: Any, y: Any) -> np.ndarray:
        """The gradient of :meth:`loss` with respect to ``θ``, shape ``(..., P)``."""
        return self.value_and_gradient(theta, X, y)[1]

    def outputs(self, theta: Any, X: Any) -> np.ndarray:
        """The network's outputs (logits), shape ``(..., N, outputs)``."""
        X = self._inputs(X)
        return self._chunked(theta, X, lambda t: (self._forward(t, X)[0],))[0]

    def predict(self, theta: Any, X: Any) -> np.ndarray:
        """Class labels ``(..., N)`` for cross-entropy, the outputs ``(..., N, out)`` for mse."""
        z = self.outputs(theta, X)
        return z.argmax(axis=-1) if self.loss_name == "cross_entropy" else z

    def accuracy(self, theta: Any, X: Any, y: Any) -> np.ndarray:
        """The fraction of correctly classified samples (cross-entropy), shape ``(...)``.

        >>> net = MLP([2, 2], seed=0)
        >>> theta = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 0.0])   # W = identity: label = argmax x
        >>> float(net.accuracy(theta, [[1.0, 0.0], [0.0, 1.0], [2.0, 3.0]], [0, 1, 0]))
        0.6666666666666666
        """
        if self.loss_name != "cross_entropy":
            raise HyperparameterError("loss", self.loss_name, '"cross_entropy" for accuracy')
        X, y = self._data(X, y)
        return np.mean(self.predict(theta, X) == y, axis=-1)

    def hvp(self, theta: Any, X: Any, y: Any, v: Any) -> np.ndarray:
        """The Hessian of :meth:`loss` times ``v``, exactly (Pearlmutter's R-operator).

        ``θ`` and ``v`` have shapes ``(..., P)`` whose leading axes broadcast: one θ with a
        stack of directions, or one direction per run of a stack of θ; the result has the
        broadcast shape.  The product is the directional derivative of the backprop
        gradient, so it costs about two gradients.  relu: its second derivative is taken as
        0 and its derivative at a kink (pre-activation exactly 0) as 0, as in the gradient
        and in PyTorch: the product is then the derivative of the branch ``s ≤ 0``, which is
        the exact Hessian everywhere off the kinks (a set of measure zero).

        >>> net = MLP([1, 1], loss="mse")   # z = w x + b, loss (w x + b - y)²
        >>> net.hvp([1.0, 0.0], [[2.0]], [[1.0]], [[1.0, 0.0], [0.0, 1.0]])  # 2 [[x², x], [x, 1]]
        array([[8., 4.],
               [4., 2.]])
        """
        X, y = self._data(X, y)
        theta, v = self._theta(theta), self._theta(v)
        if theta.ndim == 1:
            return self.hessian_operator(theta, X, y)(v)
        lead = np.broadcast_shapes(theta.shape[:-1], v.shape[:-1])
        flat_t = np.broadcast_to(theta, (*lead, self.size)).reshape(-1, self.size)
        flat_v = np.broadcast_to(v, (*lead, self.size)).reshape(-1, self.size)
        chunk = self._chunk(len(X))
        parts = [
            _Curvature(self, flat_t[k : k + chunk], X, y).product(flat_v[k : k + chunk])
            for k in range(0, len(flat_t), chunk)
        ]
        return np.concatenate(parts).reshape(*lead, self.size)

    def hessian_operator(self, theta: Any, X: Any, y: Any) -> Any:
        """``v -> H v`` at one ``θ`` (shape ``(P,)``), its forward and backward passes done
        once and reused for every direction ``v`` (shape ``(P,)`` or ``(K, P)``)."""
        X, y = self._data(X, y)
        theta = self._theta(theta)
        if theta.ndim != 1:
            raise ShapeError(
                f"hessian_operator needs one θ of shape ({self.size},), got {theta.shape}: "
                "use hvp() for a stack of θ"
            )
        curvature, chunk = _Curvature(self, theta, X, y), self._chunk(len(X))

        def product(v: Any) -> np.ndarray:
            v = self._theta(v)
            flat = v.reshape(-1, self.size)
            parts = [curvature.product(flat[k : k + chunk]) for k in range(0, len(flat), chunk)]
            return np.concatenate(parts).reshape(v.shape)

        return product

    def _chunk(self, n_samples: int) -> int:
        """How many parameter vectors (or directions) to stack per pass."""
        return max(1, _CHUNK_BYTES // (8 * n_samples * max(self.sizes[1:])))

    def objective(self, X: Any, y: Any) -> MLPObjective:
        """This network's loss on fixed data, as an objective for runs and landscapes."""
        return MLPObjective(self, X, y)

    # -- the computation --------------------------------------------------------------

    def _forward(self, theta: np.ndarray, X: np.ndarray) -> tuple[np.ndarray, list, list]:
        """Outputs ``z`` plus the inputs ``hs`` and activations ``acts`` of every layer."""
        tensors = self.unflatten(theta)
        weights, biases = tensors[0::2], tensors[1::2]
        h, hs, acts = X, [], []
        for W, b, residual in zip(weights[:-1], biases[:-1], self.residual, strict=True):
            hs.append(h)
            s = h @ np.swapaxes(W, -1, -2)
            s += b[..., None, :]
            self._act(s)
            acts.append(s)
            h = h + s if residual else s
        hs.append(h)
        z = h @ np.swapaxes(weights[-1], -1, -2) + biases[-1][..., None, :]
        return z, hs, acts

    def _loss(self, theta: np.ndarray, X: np.ndarray, y: np.ndarray, grad: bool) -> tuple:
        """``(loss,)`` or ``(loss, gradient)`` for a stack ``(B, P)`` of parameters."""
        z, hs, acts = self._forward(theta, X)
        if self.loss_name == "cross_entropy":
            shifted = z - z.max(axis=-1, keepdims=True)
            log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
            picked = _labels(y, z.shape)
            loss = -np.take_along_axis(log_p, picked, axis=-1).mean(axis=(-2, -1))
            if not grad:
                return (loss,)
            dz = np.exp(log_p)  # softmax minus one-hot, over N
            np.put_along_axis(dz, picked, np.take_along_axis(dz, picked, axis=-1) - 1.0, axis=-1)
            dz /= len(X)
        else:
            r = z - (y[:, None] if y.ndim == 1 else y)
            loss = np.mean(r * r, axis=(-2, -1))
            if not grad:
                return (loss,)
            dz = r * (2.0 / r[0].size)
        return loss, self._backward(theta, dz, hs, acts)

    def _backward(self, theta: np.ndarray, dz: np.ndarray, hs: list, acts: list) -> np.ndarray:
        """Backprop ``dL/dz`` through the network; the gradient as a flat ``(B, P)``."""
        weights = self.unflatten(theta)[0::2]
        layers = [(np.swapaxes(dz, -1, -2) @ hs[-1], dz.sum(axis=-2))]  # (dW, db), last first
        g = dz @ weights[-1]  # dL/d(input of the output layer)
        for i in range(len(acts) - 1, -1, -1):
            delta = g * self._act_grad(acts[i])  # dL/d(pre-activation of hidden layer i)
            layers.append((np.swapaxes(delta, -1, -2) @ hs[i], delta.sum(axis=-2)))
            if i > 0:  # through W_i, and around it along the skip connection
                g = delta @ weights[i] + g if self.residual[i] else delta @ weights[i]
        flat = [t.reshape(len(theta), -1) for pair in reversed(layers) for t in pair]
        return np.concatenate(flat, axis=-1)

    def _act(self, a: np.ndarray) -> None:
        """Apply the activation in place (the pre-activations are not needed again)."""
        if self.activation == "relu":
            np.maximum(a, 0.0, out=a)
        else:
            np.tanh(a, out=a)

    def _act_grad(self, s: np.ndarray) -> np.ndarray:
        """The activation's derivative, from its output ``s``."""
        return s > 0 if self.activation == "relu" else 1.0 - s * s

    # -- input checks and chunking ----------------------------------------------------

    def _chunked(self, theta: Any, X: np.ndarray, fn: Any) -> tuple[np.ndarray, ...]:
        """Apply ``fn`` (a stack ``(B, P)`` -> tuple of ``(B, ...)`` arrays) to chunks of
        ``θ`` (shape ``(..., P)``) that keep each layer's activations cache-sized."""
        theta = self._theta(theta)
        flat = theta.reshape(-1, self.size)
        chunk = self._chunk(len(X))
        parts = [fn(flat[k : k + chunk]) for k in range(0, len(flat), chunk)]
        return tuple(
            np.concatenate(p).reshape(theta.shape[:-1] + p[0].shape[1:])
            for p in zip(*parts, strict=True)
        )

    def _theta(self, theta: Any) -> np.ndarray:
        theta = np.asarray(theta, dtype=float)
        if theta.ndim == 0 or theta.shape[-1] != self.size:
            raise ShapeError(
                f"theta has shape {theta.shape}, but this MLP has {self.size} parameters: give "
                f"shape ({self.size},) or (..., {self.size}) (e.g. from MLP.init())"
            )
        return theta

    def _inputs(self, X: Any) -> np.ndarray:
        X = np.asarray(X, dtype=float)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise DataError(
                f"X has shape {X.shape}, expected (N, {self.sizes[0]}): one row per sample"
            )
        if not np.all(np.isfinite(X)):
            raise DataError("X contains NaN or infinity: clean or drop those rows")
        return X

    def _data(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        X = self._inputs(X)
        y = np.asarray(y)
        out = self.sizes[-1]
        if self.loss_name == "cross_entropy":
            if y.shape != (len(X),) or not np.issubdtype(y.dtype, np.integer):
                raise DataError(f"y must be {len(X)} integer class labels, got {y.shape} {y.dtype}")
            if y.size and (y.min() < 0 or y.max() >= out):
                raise DataError(f"labels must lie in 0..{out - 1} (the network has {out} outputs)")
            return X, y.astype(int)
        y = y.astype(float)
        if y.shape not in ((len(X), out), (len(X),) if out == 1 else None):
            raise DataError(f"y has shape {y.shape}, expected ({len(X)}, {out})")
        if not np.all(np.isfinite(y)):
            raise DataError("y contains NaN or infinity")
        return X, y


class _Curvature:
    """Pearlmutter's R-operator at fixed ``θ`` (shape ``(P,)`` or ``(B, P)``).

    The forward pass, the output's gradient and the backward deltas are computed once;
    :meth:`product` then pushes a direction ``V`` forward (``R{a}``, the change of every
    pre-activation) and back (``R{δ}``), which is the change of the gradient along ``V``.
    Leading axes of ``θ`` and ``V`` broadcast through the matrix products.
    """

    def __init__(self, net: MLP, theta: np.ndarray, X: np.ndarray, y: np.ndarray):
        self.net, self.n = net, len(X)
        tensors = net.unflatten(theta)
        self.W = tensors[0::2]
        z, self.hs, self.acts = net._forward(theta, X)
        if net.loss_name == "cross_entropy":
            shifted = z - z.max(axis=-1, keepdims=True)
            self.p = np.exp(shifted)
            self.p /= self.p.sum(axis=-1, keepdims=True)
            self.dz = self.p.copy()
            picked = _labels(y, z.shape)
            np.put_along_axis(
                self.dz, picked, np.take_along_axis(self.dz, picked, axis=-1) - 1.0, axis=-1
            )
            self.dz /= self.n
        else:
            self.dz = (z - (y[:, None] if y.ndim == 1 else y)) * (2.0 / z.shape[-1] / self.n)
        self.d = [net._act_grad(s) for s in self.acts]  # act'(a) from act(a)
        self.g, self.delta = [None] * len(self.acts), [None] * len(self.acts)
        g = self.dz @ self.W[-1]
        for i in range(len(self.acts) - 1, -1, -1):
            self.g[i], self.delta[i] = g, g * self.d[i]
            if i > 0:
                g = self.delta[i] @ self.W[i] + (g if net.residual[i] else 0.0)

    def product(self, V: np.ndarray) -> np.ndarray:
        """``H V`` for directions ``V`` of shape ``(..., P)`` (flat, broadcasting with θ)."""
        net, T = self.net, np.swapaxes
        tensors = net.unflatten(V)
        VW, Vb = tensors[0::2], tensors[1::2]
        Rh, Rhs, Rs_all = None, [], []
        for i in range(len(self.acts)):  # forward: R{h_i}, R{act(a_i)}
            Rhs.append(Rh)
            Ra = self.hs[i] @ T(VW[i], -1, -2) + Vb[i][..., None, :]
            if Rh is not None:
                Ra = Ra + Rh @ T(self.W[i], -1, -2)
            Rs = self.d[i] * Ra
            Rs_all.append(Rs)
            Rh = Rs + Rh if net.residual[i] and Rh is not None else Rs
        Rz = self.hs[-1] @ T(VW[-1], -1, -2) + Vb[-1][..., None, :]
        if Rh is not None:
            Rz = Rz + Rh @ T(self.W[-1], -1, -2)
        if net.loss_name == "cross_entropy":  # R{softmax(z)} / N
            Rdz = self.p * (Rz - (self.p * Rz).sum(axis=-1, keepdims=True)) / self.n
        else:
            Rdz = Rz * (2.0 / Rz.shape[-1] / self.n)
        layers = [(T(Rdz, -1, -2) @ self.hs[-1], Rdz.sum(axis=-2))]
        if Rh is not None:
            layers[0] = (layers[0][0] + T(self.dz, -1, -2) @ Rh, layers[0][1])
        Rg = Rdz @ self.W[-1] + self.dz @ VW[-1]
        for i in range(len(self.acts) - 1, -1, -1):  # backward: R{δ_i}, R{dW_i}, R{g}
            Rdelta = Rg * self.d[i]
            if net.activation == "tanh":  # act'' = -2 s act': R{act'(a)} = -2 s R{s}
                Rdelta = Rdelta - 2.0 * self.g[i] * self.acts[i] * Rs_all[i]
            RdW = T(Rdelta, -1, -2) @ self.hs[i]
            if Rhs[i] is not None:
                RdW = RdW + T(self.delta[i], -1, -2) @ Rhs[i]
            layers.append((RdW, Rdelta.sum(axis=-2)))
            if i > 0:
                Rg_next = Rdelta @ self.W[i] + self.delta[i] @ VW[i]
                Rg = Rg_next + Rg if net.residual[i] else Rg_next
        lead = np.broadcast_shapes(V.shape[:-1], self.dz.shape[:-2])
        flat = [t.reshape(*lead, -1) for pair in reversed(layers) for t in pair]
        return np.concatenate(flat, axis=-1)


def _labels(y: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Integer labels broadcast to index the class axis of ``(..., N, C)`` logits."""
    return np.broadcast_to(y[:, None], (*shape[:-1], 1))


class MLPObjective:
    """An :class:`MLP` on fixed data ``(X, y)``: the loss as a function of ``θ`` alone.

    ``value``/``gradient`` use all samples (the empirical risk); ``batch_value`` and
    ``batch_gradient`` the samples ``idx`` (shape ``(K,)``).  It is what
    :func:`symopt.minimize` needs, with ``epochs=...`` for a mini-batch run, and what
    :mod:`symopt.landscape` slices (``value`` evaluates stacks of ``θ`` at once).

    >>> import numpy as np
    >>> f = MLP([2, 3, 2], seed=0).objective([[0.0, 1.0], [1.0, 1.0]], [0, 1])
    >>> theta = f.net.init()
    >>> f.n_params, f.n_examples, bool(np.isclose(f.value(theta), f.batch_value(theta, [0, 1])))
    (17, 2, True)
    """

    def __init__(self, net: MLP, X: Any, y: Any):
        self.net = net
        self.X, self.y = net._data(X, y)
        self.n = self.n_params = net.size
        self.n_examples = len(self.X)

    def __repr__(self) -> str:
        return f"MLPObjective({self.net!r}, {self.n_examples} samples)"

    def value(self, theta: Any) -> np.ndarray:
        return self.net.loss(theta, self.X, self.y)

    def gradient(self, theta: Any) -> np.ndarray:
        return self.net.gradient(theta, self.X, self.y)

    def value_and_gradient(self, theta: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.net.value_and_gradient(theta, self.X, self.y)

    def hvp(self, theta: Any, v: Any) -> np.ndarray:
        """The Hessian of the loss times ``v`` (:meth:`MLP.hvp`), shape ``(..., P)``."""
        return self.net.hvp(theta, self.X, self.y, v)

    def hessian_operator(self, theta: Any) -> Any:
        """``v -> H v`` at one ``θ``, reusing its forward pass (:meth:`MLP.hessian_operator`)."""
        return self.net.hessian_operator(theta, self.X, self.y)

    def batch_value(self, theta: Any, idx: Any) -> np.ndarray:
        return self.net.loss(theta, *self._batch(idx))

    def batch_gradient(self, theta: Any, idx: Any) -> np.ndarray:
        return self.net.gradient(theta, *self._batch(idx))

    def batch_value_and_gradient(self, theta: Any, idx: Any) -> tuple[np.ndarray, np.ndarray]:
        return self.net.value_and_gradient(theta, *self._batch(idx))

    def _batch(self, idx: Any) -> tuple[np.ndarray, np.ndarray]:
        rows = np.asarray(idx)
        if rows.ndim != 1 or rows.size == 0 or not np.issubdtype(rows.dtype, np.integer):
            raise DataError(
                f"idx must be a non-empty 1-D array of sample indices, got shape {rows.shape}: "
                "every run of a batch of runs sees the same samples (independent=False)"
            )
        if rows.min() < -self.n_examples or rows.max() >= self.n_examples:
            raise DataError(f"idx has indices outside 0 ... {self.n_examples - 1}")
        return self.X[rows], self.y[rows]


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8×8 handwritten digits (1797 samples, 10 classes), pixels scaled to
    [0, 1]: ``X`` of shape (1797, 64), integer labels ``y`` of shape (1797,).

    The data ships inside scikit-learn (no download); install it with
    ``pip install scikit-learn``.  The file is read directly, which spares the
    seconds that importing scikit-learn (and SciPy) takes.
    """
    spec = importlib.util.find_spec("sklearn")
    if spec is None or spec.origin is None:
        raise DependencyError(
            "the digits data set ships with scikit-learn, which is not installed: "
            "pip install scikit-learn (or, in a symopt checkout, pip install -e '.[examples]')"
        )
    path = Path(spec.origin).parent / "datasets" / "data" / "digits.csv.gz"
    if path.is_file():
        table = np.loadtxt(path, delimiter=",")
        X, y = table[:, :-1], table[:, -1]
    else:  # the file moved in some scikit-learn release: ask scikit-learn itself
        from sklearn.datasets import load_digits as sklearn_digits

        X, y = sklearn_digits(return_X_y=True)
    return X / 16.0, y.astype(int)
