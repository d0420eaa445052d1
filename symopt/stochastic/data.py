"""Data sets for empirical risks: seeded generators, a train/test split, one real set.

Every function returns a :class:`Dataset`: a read-only mapping from column names to
1-D arrays of one common length ``N`` (the examples), plus the true parameters of a
synthetic set in ``.truth``.  Because it is a mapping of columns it goes straight into
:class:`symopt.stochastic.EmpiricalRisk` as ``data``: feature columns are named
``x1 ... xd`` (as made by ``sympy.symbols("x1:21")``), the target ``y``.

Generators draw everything from ``numpy.random.default_rng(seed)``, so a seed gives the
same set on every machine; they are vectorised and fine up to ``N = 10**6``.

>>> ds = linear_regression(1000, 2, noise=0.1, seed=0)
>>> list(ds), ds.n_examples, ds.X.shape
(['x1', 'x2', 'y'], 1000, (1000, 2))
>>> train, test = train_test_split(ds, test_fraction=0.2, seed=0)
>>> train.n_examples, test.n_examples
(800, 200)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from symopt.errors import DataError, DependencyError, HyperparameterError

__all__ = [
    "Dataset",
    "linear_regression",
    "load_breast_cancer",
    "logistic_regression",
    "polynomial_regression",
    "train_test_split",
]


@dataclass(frozen=True, eq=False)
class Dataset(Mapping[str, np.ndarray]):
    """Named columns of ``N`` examples; a mapping ``name -> array of shape (N,)``.

    ``len(ds)`` is the number of *columns* (mapping semantics); the number of examples
    is ``ds.n_examples``.

    Attributes
    ----------
    columns : dict of str to ndarray
        The columns, each of shape ``(N,)``; features first, the target ``y`` last.
    truth : dict
        The parameters a synthetic set was drawn from (empty for real data).
    description : str
        One line saying what the set is.
    """

    columns: dict[str, np.ndarray]
    truth: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    def __post_init__(self) -> None:
        lengths = {name: np.shape(c) for name, c in self.columns.items()}
        if len({s for s in lengths.values()}) > 1 or any(len(s) != 1 for s in lengths.values()):
            raise DataError(f"every column must be 1-D of one common length, got {lengths}")

    def __getitem__(self, name: str) -> np.ndarray:
        return self.columns[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self.columns)

    def __len__(self) -> int:
        return len(self.columns)

    def __repr__(self) -> str:
        names = list(self.columns)
        shown = ", ".join(names if len(names) <= 6 else [*names[:3], "...", *names[-2:]])
        about = f"; {self.description}" if self.description else ""
        return f"Dataset({self.n_examples} examples; columns {shown}{about})"

    @property
    def n_examples(self) -> int:
        """The number of examples ``N``."""
        return len(next(iter(self.columns.values()))) if self.columns else 0

    @property
    def features(self) -> tuple[str, ...]:
        """The names of all columns but ``y``."""
        return tuple(name for name in self.columns if name != "y")

    @property
    def X(self) -> np.ndarray:
        """The feature columns stacked, shape ``(N, d)``."""
        return np.column_stack([self.columns[name] for name in self.features])

    @property
    def y(self) -> np.ndarray:
        """The target column, shape ``(N,)``."""
        return self.columns["y"]

    def take(self, rows: Any) -> Dataset:
        """The examples ``rows`` (indices, a slice or a boolean mask) as a new Dataset."""
        return Dataset({k: v[rows] for k, v in self.columns.items()}, self.truth, self.description)


def _count(name: str, value: Any, low: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise HyperparameterError(name, value, f"an int >= {low}")
    return int(value)


def _scale(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise HyperparameterError(name, value, "a finite number >= 0")
    if not np.isfinite(value) or value < 0:
        raise HyperparameterError(name, value, "a finite number >= 0")
    return float(value)


def _labels(labels: Any) -> tuple[float, float]:
    try:
        low, high = (float(v) for v in labels)
    except (TypeError, ValueError):
        raise HyperparameterError(
            "labels", labels, "a pair (negative, positive), e.g. (-1, 1)"
        ) from None
    if low == high:
        raise HyperparameterError("labels", labels, "two different values, e.g. (-1, 1) or (0, 1)")
    return low, high


def _features(X: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    columns = {f"x{j + 1}": np.ascontiguousarray(X[:, j]) for j in range(X.shape[1])}
    columns["y"] = y
    return columns


def linear_regression(n: int, d: int, noise: float = 0.1, seed: int | None = None) -> Dataset:
    """``y = w·x + b + noise·ε`` with ``x, ε ~ N(0, I)`` and ``w, b ~ N(0, 1)`` drawn once.

    The truth is in ``.truth["w"]`` (shape ``(d,)``) and ``.truth["b"]``; the least
    squares risk ``(y - w·x - b)²`` has its minimum ``noise²`` there (as ``N → ∞``).

    >>> ds = linear_regression(5, 3, seed=1)
    >>> ds.X.shape, ds.truth["w"].shape
    ((5, 3), (3,))
    """
    n, d, noise = _count("n", n), _count("d", d), _scale("noise", noise)
    rng = np.random.default_rng(seed)
    w, b = rng.standard_normal(d), float(rng.standard_normal())
    X = rng.standard_normal((n, d))
    y = X @ w + b + noise * rng.standard_normal(n)
    return Dataset(_features(X, y), {"w": w, "b": b, "noise": noise}, f"linear regression, d={d}")


def logistic_regression(
    n: int, d: int, seed: int | None = None, labels: tuple[float, float] = (-1, 1)
) -> Dataset:
    """Labels with ``P(y = positive | x) = 1 / (1 + exp(-(w·x + b)))``, ``x ~ N(0, I)``.

    ``w ~ N(0, I)`` and ``b ~ N(0, 1)`` are drawn once (``.truth``).  ``labels`` gives
    the (negative, positive) values: ``(-1, 1)`` suits the loss
    ``log(1 + exp(-y·(w·x + b)))``, ``(0, 1)`` the cross-entropy form.

    >>> ds = logistic_regression(1000, 4, seed=0)
    >>> sorted(set(ds.y.tolist()))
    [-1.0, 1.0]
    """
    n, d = _count("n", n), _count("d", d)
    low, high = _labels(labels)
    rng = np.random.default_rng(seed)
    w, b = rng.standard_normal(d), float(rng.standard_normal())
    X = rng.standard_normal((n, d))
    p = 0.5 * (1.0 + np.tanh(0.5 * (X @ w + b)))  # the logistic function, without overflow
    y = np.where(rng.random(n) < p, high, low)
    return Dataset(_features(X, y), {"w": w, "b": b}, f"logistic regression, d={d}")


def polynomial_regression(
    n: int, degree: int = 3, noise: float = 0.1, seed: int | None = None
) -> Dataset:
    """``y = Σ_k c_k x^k + noise·ε`` (``k = 0..degree``) with ``x`` uniform on ``[-1, 1]``.

    The coefficients ``c ~ N(0, 1)`` are drawn once (``.truth["c"]``, lowest power
    first).  Columns ``x`` and ``y``; fit it with a model of higher degree to watch a
    model learn the noise.

    >>> ds = polynomial_regression(30, degree=3, noise=0.0, seed=0)
    >>> c = ds.truth["c"]
    >>> bool(np.allclose(ds["y"], np.polynomial.polynomial.polyval(ds["x"], c)))
    True
    """
    n, degree, noise = _count("n", n), _count("degree", degree, 0), _scale("noise", noise)
    rng = np.random.default_rng(seed)
    c = rng.standard_normal(degree + 1)
    x = rng.uniform(-1.0, 1.0, n)
    y = np.polynomial.polynomial.polyval(x, c) + noise * rng.standard_normal(n)
    return Dataset(
        {"x": x, "y": y}, {"c": c, "noise": noise}, f"polynomial regression, degree {degree}"
    )


def train_test_split(
    data: Mapping[str, Any], test_fraction: float = 0.25, seed: int | None = None
) -> tuple[Any, Any]:
    """Shuffle the examples once and split them into a training and a test part.

    ``data`` is a :class:`Dataset` (two Datasets come back) or any mapping of equal-length
    arrays (two dicts come back).  The test part has ``round(test_fraction · N)`` examples,
    at least one, and so has the training part.

    >>> train, test = train_test_split({"x": np.arange(10.0)}, 0.3, seed=0)
    >>> len(train["x"]), len(test["x"]), sorted(np.r_[train["x"], test["x"]]) == list(range(10))
    (7, 3, True)
    """
    if not isinstance(data, Mapping) or not data:
        raise DataError("data must be a non-empty mapping of column name -> array")
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, int | float | np.number):
        raise HyperparameterError("test_fraction", test_fraction, "a number in (0, 1)")
    if not 0.0 < test_fraction < 1.0:
        raise HyperparameterError("test_fraction", test_fraction, "a number in (0, 1)")
    columns = {str(k): np.asarray(v) for k, v in data.items()}
    lengths = {k: len(v) if v.ndim else 0 for k, v in columns.items()}
    if len(set(lengths.values())) != 1:
        raise DataError(f"columns have different lengths {lengths}: give arrays of one length N")
    n = next(iter(lengths.values()))
    if n < 2:
        raise DataError(f"cannot split {n} example(s): give at least 2")
    n_test = min(max(1, round(test_fraction * n)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    parts = order[n_test:], order[:n_test]
    if isinstance(data, Dataset):
        return data.take(parts[0]), data.take(parts[1])
    return tuple({k: v[rows] for k, v in columns.items()} for rows in parts)


def load_breast_cancer(labels: tuple[float, float] = (-1, 1)) -> Dataset:
    """The Wisconsin breast cancer set (569 tumours, 30 features), from scikit-learn.

    The file ships inside scikit-learn (nothing is downloaded).  Features are
    standardised to mean 0 and standard deviation 1 over the whole set and named
    ``x1 ... x30`` (the original names are in ``.truth["feature_names"]``); ``y`` is
    ``labels[1]`` for a benign tumour and ``labels[0]`` for a malignant one.

    Raises
    ------
    DependencyError
        If scikit-learn is not installed (``pip install scikit-learn``).

    >>> ds = load_breast_cancer()
    >>> ds.n_examples, len(ds.features)
    (569, 30)
    """
    low, high = _labels(labels)
    try:
        from sklearn import datasets
    except ImportError:
        raise DependencyError(
            "load_breast_cancer needs scikit-learn, which ships the data file: "
            "pip install scikit-learn (or, in a symopt checkout, pip install -e '.[examples]')"
        ) from None
    raw = datasets.load_breast_cancer()
    X = np.asarray(raw.data, dtype=float)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    y = np.where(np.asarray(raw.target) == 1, high, low)
    truth = {"feature_names": tuple(str(s) for s in raw.feature_names)}
    return Dataset(_features(X, y), truth, "Wisconsin breast cancer (scikit-learn), standardised")
