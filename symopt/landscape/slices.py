"""Loss landscapes: filter-normalised random slices and the plane of an optimization path.

After Li, Xu, Taylor, Studer and Goldstein, "Visualizing the loss landscape of neural
nets" (NeurIPS 2018, arXiv:1712.09913).  A model is a loss over a flat parameter vector
``θ`` of length ``P``; its layout is a list of tensor shapes whose sizes add up to ``P``
(e.g. :attr:`symopt.landscape.mlp.MLP.shapes`).  The contract::

    d = random_direction(θ, shapes)              # Gaussian, filter-normalised, shape (P,)
    slice_1d(loss, θ, d, alphas)[i]       == loss(θ + alphas[i] d)
    slice_2d(loss, θ, d1, d2, a, b)[i, j] == loss(θ + a[i] d1 + b[j] d2)
    d1, d2, explained = pca_directions(path)   # path: iterates, shape (T, P)
    plane = path_plane(loss, path)             # the loss around the path in that plane
    roughness(values)                          # local minima, share of negative curvature

Filter normalisation rescales every slice along the first axis of a weight tensor (a
neuron's incoming weights, a convolution filter) to the norm of the matching slice of
``θ``, so that a step of 1 along ``d`` changes every filter by as much as its own size:
plots of differently scaled networks become comparable.

``loss`` is a callable on ``θ``, or anything with ``.value`` (a compiled
:class:`symopt.Objective`, an empirical risk, :meth:`symopt.landscape.mlp.MLP.objective`); an
:class:`symopt.Objective` is compiled.  If it
accepts a stack of points ``(B, P)`` and returns ``(B,)``, the grid is evaluated in
chunks of such stacks; otherwise point by point.

>>> import numpy as np
>>> theta = np.array([3.0, 4.0, 1.0])          # a 1x2 weight matrix and one bias
>>> d = random_direction(theta, [(1, 2), (1,)], seed=0)
>>> float(np.linalg.norm(d[:2])), float(d[2])  # the filter's norm, the bias ignored
(5.0, 0.0)
>>> slice_1d(lambda t: np.sum(t**2, axis=-1), theta, d, [0.0]).tolist()
[26.0]
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple, get_args

import numpy as np

from symopt._typing import Ignore, Normalization
from symopt.errors import (
    ArgumentTypeError,
    ChoiceError,
    DegenerateError,
    HyperparameterError,
    ShapeError,
)

__all__ = [
    "PCADirections",
    "PathPlane",
    "Roughness",
    "path_plane",
    "pca_directions",
    "project",
    "random_direction",
    "roughness",
    "slice_1d",
    "slice_2d",
]

# Grid points per axis on [-1, 1] when none are given (Li et al. use 51).
_DEFAULT_POINTS = 51
# Evaluate at most about this many bytes of stacked parameter vectors at once.
_CHUNK_BYTES = 32 * 2**20

Loss = Callable[[np.ndarray], Any]


# -- directions -----------------------------------------------------------------------


def random_direction(
    weights: Any,
    shapes: Sequence[Sequence[int]],
    normalization: Normalization | None = "filter",
    ignore: Ignore | None = "biasbn",
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    """A random Gaussian direction in parameter space, normalised to the weights.

    Parameters
    ----------
    weights : array_like, shape (P,)
        The flat parameter vector the direction is attached to.
    shapes : sequence of tuples
        The layout of ``weights``: one shape per tensor, in order; sizes add up to ``P``.
    normalization : "filter", "layer" or None
        ``"filter"``: each slice along the first axis of a tensor with more than one axis
        gets the norm of the matching slice of the weights (Li et al.);  ``"layer"``: each
        whole tensor gets the norm of its weights;  ``None``: the raw Gaussian.
    ignore : "biasbn", None or "copy"
        What to do with 1-D tensors (biases, normalisation parameters): ``"biasbn"`` sets
        them to zero (the paper's default);  ``None`` keeps them, normalised as one filter;
        ``"copy"`` sets them to the weights themselves (the paper's code without
        ``biasbn``).
    seed : int or numpy.random.Generator, optional
        For :func:`numpy.random.default_rng`.

    Returns
    -------
    ndarray, shape (P,)

    Examples
    --------
    >>> import numpy as np
    >>> w = np.array([1.0, 0.0, 0.0, 2.0, 7.0, 7.0])   # W = diag(1, 2), b = (7, 7)
    >>> d = random_direction(w, [(2, 2), (2,)], seed=1)
    >>> np.linalg.norm(d[:4].reshape(2, 2), axis=1), d[4:]
    (array([1., 2.]), array([0., 0.]))
    >>> d = random_direction(w, [(2, 2), (2,)], ignore="copy", seed=1)
    >>> d[4:]
    array([7., 7.])
    """
    w = _vector(weights, "weights")
    layout = _layout(shapes, w.size)
    _check_choice("normalization", normalization, (*get_args(Normalization), None))
    _check_choice("ignore", ignore, (*get_args(Ignore), None))
    d = np.random.default_rng(seed).standard_normal(w.size)
    for shape, part in layout:
        if len(shape) <= 1 and ignore == "biasbn":
            d[part] = 0.0
        elif len(shape) <= 1 and ignore == "copy":
            d[part] = w[part]
        elif normalization is not None:
            rows = shape[0] if normalization == "filter" and len(shape) > 1 else 1
            d[part] = _match_norms(d[part].reshape(rows, -1), w[part].reshape(rows, -1)).ravel()
    return d


def _match_norms(d: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rescale each row of ``d`` to the norm of the same row of ``w`` (0 where ``w`` is 0)."""
    dn, wn = np.linalg.norm(d, axis=1), np.linalg.norm(w, axis=1)
    scale = np.divide(wn, dn, out=np.zeros_like(wn), where=dn > 0)
    return d * scale[:, None]


def _layout(shapes: Any, size: int) -> list[tuple[tuple[int, ...], slice]]:
    """Each shape with the slice of the flat vector it occupies; sizes must add up."""
    try:
        tuples = [tuple(int(k) for k in np.atleast_1d(s)) for s in shapes]
    except (TypeError, ValueError):
        raise ShapeError(
            f"shapes must be a list of tensor shapes such as [(16, 64), (16,)], got {shapes!r}"
        ) from None
    if any(k <= 0 for s in tuples for k in s):
        raise ShapeError(f"shapes must have positive sizes, got {tuples}")
    sizes = [math.prod(s) for s in tuples]
    if sum(sizes) != size:
        raise ShapeError(
            f"shapes {tuples} hold {sum(sizes)} parameters but weights has {size}: give the "
            "layout of the flat parameter vector (e.g. MLP.shapes)"
        )
    ends = np.cumsum(sizes)
    return [(s, slice(e - n, e)) for s, n, e in zip(tuples, sizes, ends, strict=True)]


# -- slices ---------------------------------------------------------------------------


def slice_1d(
    loss: Any,
    weights: Any,
    direction: Any,
    alphas: Any = None,
    *,
    batched: bool | None = None,
    chunk: int | None = None,
) -> np.ndarray:
    """The loss along a line: ``values[i] = loss(weights + alphas[i] * direction)``.

    For the linear interpolation between two solutions ``θa`` and ``θb`` take
    ``weights=θa`` and ``direction=θb - θa``: ``α = 0`` is ``θa``, ``α = 1`` is ``θb``
    (Goodfellow et al. 2015; Li et al. use ``α ∈ [-0.5, 1.5]``).

    Parameters
    ----------
    loss : callable or object with ``.value``
        The loss of a flat parameter vector of shape ``(P,)``.
    weights, direction : array_like, shape (P,)
    alphas : array_like, shape (A,), optional
        Default: 51 points on [-1, 1].
    batched : bool, optional
        Whether ``loss`` accepts a stack ``(B, P)`` and returns ``(B,)``.  ``None`` tries
        a stack of two points and checks it against single evaluations.
    chunk : int, optional
        Points per stacked evaluation (default: about 32 MB of parameter vectors).

    Returns
    -------
    ndarray, shape (A,)

    Examples
    --------
    >>> import numpy as np
    >>> a, b = np.array([0.0, 1.0]), np.array([2.0, 1.0])
    >>> slice_1d(lambda t: np.sum(t**2, axis=-1), a, b - a, [-0.5, 0.0, 1.0, 1.5])
    array([ 2.,  1.,  5., 10.])
    """
    w = _vector(weights, "weights")
    d = _vector(direction, "direction", w.size)
    a = _grid(alphas, "alphas")
    return _evaluate(loss, w, _GridOffsets(a, np.zeros(1), d, d), batched, chunk)


def slice_2d(
    loss: Any,
    weights: Any,
    d1: Any,
    d2: Any,
    alphas: Any = None,
    betas: Any = None,
    *,
    batched: bool | None = None,
    chunk: int | None = None,
) -> np.ndarray:
    """The loss on a plane: ``values[i, j] = loss(weights + alphas[i] d1 + betas[j] d2)``.

    Parameters as in :func:`slice_1d`; ``betas`` has shape ``(B,)`` (both default to 51
    points on [-1, 1], the grid of Li et al.).  Note the axis
    order ``(alpha, beta)``: matplotlib's ``contour(alphas, betas, Z)`` wants ``Z =
    values.T`` (:func:`symopt.plot.plot_slice_2d` does that).

    Returns
    -------
    ndarray, shape (A, B)

    Examples
    --------
    >>> import numpy as np
    >>> values = slice_2d(lambda t: np.sum(t**2, axis=-1), [0.0, 0.0], [1.0, 0.0],
    ...                   [0.0, 1.0], [-1.0, 0.0, 1.0], [0.0, 2.0])
    >>> values
    array([[1., 5.],
           [0., 4.],
           [1., 5.]])
    """
    w = _vector(weights, "weights")
    u = _vector(d1, "d1", w.size)
    v = _vector(d2, "d2", w.size)
    a, b = _grid(alphas, "alphas"), _grid(betas, "betas")
    # offsets, one per grid point, in (alpha, beta) order: built chunk by chunk
    offsets = _GridOffsets(a, b, u, v)
    return _evaluate(loss, w, offsets, batched, chunk).reshape(a.size, b.size)


class _GridOffsets:
    """``a[i] u + b[j] v`` for the flat grid index ``k = i * len(b) + j``, made lazily
    so that only one chunk of the (A·B, P) stack exists at a time."""

    def __init__(self, a: np.ndarray, b: np.ndarray, u: np.ndarray, v: np.ndarray):
        self.a, self.b, self.u, self.v = a, b, u, v
        self.shape = (a.size * b.size, u.size)

    def __getitem__(self, rows: slice) -> np.ndarray:
        k = np.arange(self.shape[0])[rows]
        i, j = np.divmod(k, self.b.size)
        return self.a[i, None] * self.u + self.b[j, None] * self.v


def _evaluate(
    loss: Any, w: np.ndarray, offsets: Any, batched: bool | None, chunk: int | None
) -> np.ndarray:
    """``loss(w + offsets[k])`` for every row k, stacked in chunks where ``loss`` allows."""
    f = _loss_function(loss)
    n, size = offsets.shape
    if chunk is None:
        chunk = max(1, _CHUNK_BYTES // (8 * size))
    elif isinstance(chunk, bool) or not isinstance(chunk, int | np.integer) or chunk < 1:
        raise HyperparameterError("chunk", chunk, "None or an int >= 1")
    batched = _resolve_batched(f, w, offsets, batched)
    out = np.empty(n)
    for start in range(0, n, chunk):
        points = w + offsets[start : start + chunk]
        out[start : start + len(points)] = (
            _stacked(f, points) if batched else [_scalar(f(p)) for p in points]
        )
    return out


def _resolve_batched(f: Loss, w: np.ndarray, offsets: Any, batched: bool | None) -> bool:
    if batched is not None:
        return bool(batched)
    if offsets.shape[0] == 0:
        return True
    if _accepts_stack(f, w + offsets[:2]):
        return True
    warnings.warn(
        f"the loss does not evaluate a stack of parameter vectors (B, P) -> (B,), so "
        f"{offsets.shape[0]} points are evaluated one by one; make it batched for speed, "
        "or pass batched=False to silence this note",
        stacklevel=4,
    )
    return False


def _loss_function(loss: Any) -> Loss:
    if callable(getattr(loss, "value", None)):
        return loss.value
    if callable(getattr(loss, "compile", None)):  # a symopt.Objective
        return loss.compile().value
    if callable(loss):
        return loss
    raise ArgumentTypeError(
        f"loss must be a callable on a flat parameter vector or have .value(theta), got "
        f"{type(loss).__name__}"
    )


def _accepts_stack(f: Loss, points: np.ndarray) -> bool:
    """Does ``f`` map a stack (B, P) to (B,), agreeing with one-by-one evaluation?"""
    try:
        stacked = np.asarray(f(points), dtype=float)
    except (ValueError, TypeError, IndexError):
        return False
    if stacked.shape != (len(points),):
        return False
    single = np.array([_scalar(f(p)) for p in points])
    return bool(np.allclose(stacked, single, rtol=1e-9, atol=1e-12, equal_nan=True))


def _stacked(f: Loss, points: np.ndarray) -> np.ndarray:
    values = np.asarray(f(points), dtype=float)
    if values.shape != (len(points),):
        raise ShapeError(
            f"the loss returned shape {values.shape} for a stack of {len(points)} points: "
            "with batched=True it must map (B, P) to (B,); pass batched=False otherwise"
        )
    return values


def _scalar(value: Any) -> float:
    value = np.asarray(value, dtype=float)
    if value.size != 1:
        raise ShapeError(
            f"the loss returned shape {value.shape} for one parameter vector: it must return "
            "a single number"
        )
    return float(value.reshape(()))


# -- the plane of an optimization path ------------------------------------------------


class PCADirections(NamedTuple):
    """The first two principal directions of a path and the variance each explains."""

    d1: np.ndarray
    d2: np.ndarray
    explained: np.ndarray  # fractions of the total variance, shape (2,)


def pca_directions(path: Any, *, center: bool = True) -> PCADirections:
    """The first two principal components of ``θ_i − θ_final`` over saved iterates.

    As in Li et al.'s code (which fits scikit-learn's ``PCA`` to these differences, and so
    also centres them by their mean), the directions are orthonormal and
    ``explained`` holds each one's share of the total variance.  Signs are chosen so
    that the first iterate has non-negative coordinates.

    Parameters
    ----------
    path : array_like, shape (T, P)
        Iterates in order, the last row the final point; ``T >= 3``.
    center : bool
        Subtract the mean difference before the decomposition (PCA); ``False`` decomposes
        the differences from the final point as they are.

    Returns
    -------
    PCADirections
        ``(d1, d2, explained)``, unpackable as a tuple.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0.0, 1.0, 11)
    >>> path = np.stack([3 * t, np.sin(3 * t), 0 * t], axis=1)  # in the plane z = 0
    >>> d1, d2, explained = pca_directions(path)
    >>> round(float(explained.sum()), 12), float(abs(d1[2]) + abs(d2[2]))
    (1.0, 0.0)
    """
    x = np.asarray(path, dtype=float)
    if x.ndim != 2 or x.shape[0] < 3 or x.shape[1] < 2:
        raise ShapeError(
            f"path must have shape (T, P) with at least 3 iterates and 2 parameters, got "
            f"{x.shape}: record the run's iterates (e.g. Trajectory.x) and stack them"
        )
    if not np.all(np.isfinite(x)):
        raise ShapeError("path contains NaN or infinity: drop the diverged iterates first")
    diffs = x - x[-1]
    if center:
        diffs = diffs - diffs.mean(axis=0)
    _, s, vt = np.linalg.svd(diffs, full_matrices=False)
    total = float(s @ s)
    if total == 0.0:
        raise DegenerateError("the path does not move: all iterates are equal, so it has no plane")
    directions = vt[:2] * np.where(vt[:2] @ (x[0] - x[-1]) < 0, -1.0, 1.0)[:, None]
    return PCADirections(directions[0], directions[1], s[:2] ** 2 / total)


def project(path: Any, d1: Any, d2: Any, origin: Any) -> np.ndarray:
    """Coordinates of ``path - origin`` along orthonormal ``d1`` and ``d2``, shape (T, 2).

    >>> project([[2.0, 3.0, 9.0]], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [1.0, 1.0, 1.0])
    array([[1., 2.]])
    """
    x = np.asarray(path, dtype=float)
    o = _vector(origin, "origin")
    if x.ndim != 2 or x.shape[1] != o.size:
        raise ShapeError(f"path must have shape (T, {o.size}), got {x.shape}")
    return (x - o) @ np.stack([_vector(d1, "d1", o.size), _vector(d2, "d2", o.size)], axis=1)


class PathPlane(NamedTuple):
    """An optimization path drawn in its PCA plane over the loss there
    (:func:`path_plane`; plotted by :func:`symopt.plot.plot_path_pca`)."""

    origin: np.ndarray  # the final point, shape (P,)
    d1: np.ndarray
    d2: np.ndarray
    explained: np.ndarray  # shape (2,)
    coords: np.ndarray  # the path in the plane, shape (T, 2)
    alphas: np.ndarray  # grid along d1, shape (A,)
    betas: np.ndarray  # grid along d2, shape (B,)
    values: np.ndarray  # loss on the grid, shape (A, B)
    path_values: np.ndarray  # the loss at the iterates themselves, shape (T,)


def path_plane(
    loss: Any,
    path: Any,
    *,
    n: int = 51,
    margin: float = 0.2,
    batched: bool | None = None,
    chunk: int | None = None,
) -> PathPlane:
    """The loss in the PCA plane of ``path`` around its final point, with the path in it.

    The grid covers the projected path plus ``margin`` times its extent on each side,
    with ``n`` points per axis.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0.0, 1.0, 20)[::-1, None]
    >>> path = np.hstack([2 * t, t**2, 0 * t])
    >>> plane = path_plane(lambda x: np.sum(x**2, axis=-1), path, n=5)
    >>> plane.values.shape, bool(np.allclose(plane.path_values, np.sum(path**2, axis=1)))
    ((5, 5), True)
    """
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 2:
        raise HyperparameterError("n", n, "an int >= 2 (grid points per axis)")
    if not np.isfinite(margin) or margin < 0:
        raise HyperparameterError("margin", margin, "a finite number >= 0")
    x = np.asarray(path, dtype=float)
    d1, d2, explained = pca_directions(x)
    origin = x[-1]
    coords = project(x, d1, d2, origin)
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    pad = margin * np.maximum(hi - lo, 1e-12)
    alphas = np.linspace(lo[0] - pad[0], hi[0] + pad[0], n)
    betas = np.linspace(lo[1] - pad[1], hi[1] + pad[1], n)
    f = _loss_function(loss)
    batched = _resolve_batched(f, origin, x - origin, batched)
    values = slice_2d(f, origin, d1, d2, alphas, betas, batched=batched, chunk=chunk)
    path_values = _evaluate(f, origin, x - origin, batched, chunk)
    return PathPlane(origin, d1, d2, explained, coords, alphas, betas, values, path_values)


# -- how rough is a slice ------------------------------------------------------------


class Roughness(NamedTuple):
    """Numbers for "smooth" or "chaotic" on a 2-D grid of losses (:func:`roughness`)."""

    local_minima: int  # interior grid points lower than all 8 neighbours
    negative_curvature: float  # fraction of interior points whose in-plane Hessian has λ < 0
    ratio: float  # largest over smallest value


def roughness(values: Any) -> Roughness:
    """Count local minima and the share of points with negative curvature in a 2-D slice.

    The in-plane Hessian at an interior grid point is taken from central differences;
    whether it has a negative eigenvalue does not depend on the grid spacing, so only the
    values are needed.  A convex bowl has one local minimum and no negative curvature;
    Li et al.'s "chaotic" landscapes have many of both.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.linspace(-1, 1, 21)
    >>> roughness(1 + g[:, None] ** 2 + 2 * g[None, :] ** 2)
    Roughness(local_minima=1, negative_curvature=0.0, ratio=4.0)
    """
    z = np.asarray(values, dtype=float)
    if z.ndim != 2 or min(z.shape) < 3:
        raise ShapeError(f"values must be a 2-D grid of at least 3x3, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ShapeError("values contains NaN or infinity")
    mid = z[1:-1, 1:-1]
    zaa = z[2:, 1:-1] - 2 * mid + z[:-2, 1:-1]
    zbb = z[1:-1, 2:] - 2 * mid + z[1:-1, :-2]
    zab = (z[2:, 2:] - z[2:, :-2] - z[:-2, 2:] + z[:-2, :-2]) / 4
    # a symmetric 2x2 matrix has a negative eigenvalue iff det < 0 or its diagonal is < 0
    negative = (zaa * zbb - zab * zab < 0) | (zaa < 0) | (zbb < 0)
    rows, cols = z.shape
    neighbours = [
        z[1 + i : rows - 1 + i, 1 + j : cols - 1 + j]
        for i in (-1, 0, 1)
        for j in (-1, 0, 1)
        if (i, j) != (0, 0)
    ]
    minima = np.all([mid < n for n in neighbours], axis=0)
    low, high = float(z.min()), float(z.max())
    ratio = high / low if low > 0 else float("inf")
    return Roughness(int(minima.sum()), float(negative.mean()), ratio)


# -- checks ---------------------------------------------------------------------------


def _vector(value: Any, name: str, size: int | None = None) -> np.ndarray:
    try:
        v = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise ShapeError(
            f"{name} must be a 1-D array of numbers, got {type(value).__name__}"
        ) from None
    if v.ndim != 1 or (size is not None and v.size != size):
        want = "(P,)" if size is None else f"({size},)"
        raise ShapeError(f"{name} has shape {v.shape}, expected {want}: give a flat vector")
    if not np.all(np.isfinite(v)):
        raise ShapeError(f"{name} contains NaN or infinity")
    return v


def _grid(values: Any, name: str) -> np.ndarray:
    return np.linspace(-1.0, 1.0, _DEFAULT_POINTS) if values is None else _vector(values, name)


def _check_choice(name: str, value: Any, valid: tuple) -> None:
    if not any(value is v or (isinstance(v, str) and value == v) for v in valid):
        raise ChoiceError(name, value, valid)
