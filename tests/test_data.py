"""Data generators, the split and the breast cancer loader (symopt.stochastic.data)."""

import sys

import numpy as np
import pytest

from symopt.errors import DataError, DependencyError, HyperparameterError
from symopt.stochastic.data import (
    Dataset,
    linear_regression,
    load_breast_cancer,
    logistic_regression,
    polynomial_regression,
    train_test_split,
)


def test_a_seed_gives_the_same_set_and_another_seed_another():
    a, b = linear_regression(50, 3, seed=7), linear_regression(50, 3, seed=7)
    c = linear_regression(50, 3, seed=8)
    assert all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["y"], c["y"])


def test_linear_regression_least_squares_recovers_the_truth():
    ds = linear_regression(20_000, 4, noise=0.5, seed=0)
    X1 = np.column_stack([ds.X, np.ones(ds.n_examples)])
    fit, *_ = np.linalg.lstsq(X1, ds.y, rcond=None)
    # standard error of each coefficient ≈ noise / sqrt(N) = 0.0035; allow ~6 of them
    assert np.allclose(fit[:-1], ds.truth["w"], atol=0.02)
    assert fit[-1] == pytest.approx(ds.truth["b"], abs=0.02)
    residual = ds.y - X1 @ fit
    assert residual.std() == pytest.approx(0.5, rel=0.02)


def test_logistic_labels_follow_the_logistic_probability():
    ds = logistic_regression(200_000, 2, seed=1, labels=(0, 1))
    assert set(np.unique(ds.y)) == {0.0, 1.0}
    u = ds.X @ ds.truth["w"] + ds.truth["b"]
    p = 1 / (1 + np.exp(-u))
    # bin by predicted probability: the observed frequency of 1 matches it
    for lo, hi in [(0.1, 0.2), (0.45, 0.55), (0.8, 0.9)]:
        sel = (p > lo) & (p < hi)
        assert sel.sum() > 1000
        assert ds.y[sel].mean() == pytest.approx(p[sel].mean(), abs=0.03)


def test_polynomial_regression_is_the_polynomial_plus_noise():
    ds = polynomial_regression(500, degree=4, noise=0.0, seed=3)
    c = ds.truth["c"]
    x = ds["x"]
    expected = sum(ck * x**k for k, ck in enumerate(c))
    assert np.allclose(ds["y"], expected)
    assert x.min() >= -1 and x.max() <= 1
    noisy = polynomial_regression(20_000, degree=4, noise=0.2, seed=3)
    resid = noisy["y"] - sum(ck * noisy["x"] ** k for k, ck in enumerate(noisy.truth["c"]))
    assert resid.std() == pytest.approx(0.2, rel=0.03)


def test_a_million_examples():
    ds = logistic_regression(10**6, 2, seed=0)
    assert ds.n_examples == 10**6 and ds.X.shape == (10**6, 2)


def test_dataset_is_a_mapping_of_columns():
    ds = linear_regression(10, 2, seed=0)
    assert list(ds) == ["x1", "x2", "y"] and len(ds) == 3 and ds.features == ("x1", "x2")
    assert dict(ds)["x2"] is ds["x2"]
    assert "10 examples" in repr(ds)
    assert ds.take([0, 3]).n_examples == 2
    with pytest.raises(DataError):
        Dataset({"x": np.zeros(3), "y": np.zeros(4)})


def test_split_is_a_partition():
    ds = linear_regression(101, 2, seed=0)
    train, test = train_test_split(ds, test_fraction=0.3, seed=4)
    assert isinstance(train, Dataset) and (train.n_examples, test.n_examples) == (71, 30)
    merged = np.sort(np.r_[train["x1"], test["x1"]])
    assert np.array_equal(merged, np.sort(ds["x1"]))
    # rows stay together
    lookup = dict(zip(ds["x1"].tolist(), ds["y"].tolist(), strict=True))
    assert all(lookup[a] == b for a, b in zip(test["x1"], test["y"], strict=True))
    again = train_test_split(ds, test_fraction=0.3, seed=4)[1]
    assert np.array_equal(again["y"], test["y"])
    tr, te = train_test_split({"a": np.arange(4), "b": np.arange(4) * 2}, 0.5, seed=0)
    assert isinstance(tr, dict) and np.array_equal(te["b"], 2 * te["a"])


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda: linear_regression(0, 2), HyperparameterError),
        (lambda: linear_regression(10, 0), HyperparameterError),
        (lambda: linear_regression(10, 2, noise=-1), HyperparameterError),
        (lambda: logistic_regression(10, 2, labels=(1, 1)), HyperparameterError),
        (lambda: polynomial_regression(10, degree=-1), HyperparameterError),
        (lambda: train_test_split({"x": np.arange(5)}, 1.0), HyperparameterError),
        (lambda: train_test_split({"x": np.arange(5), "y": np.arange(4)}), DataError),
        (lambda: train_test_split({"x": np.arange(1)}), DataError),
    ],
)
def test_bad_arguments_say_what_is_valid(call, error):
    with pytest.raises(error):
        call()


def test_breast_cancer_ships_with_scikit_learn():
    pytest.importorskip("sklearn", reason="scikit-learn is the optional examples extra")
    ds = load_breast_cancer(labels=(0, 1))
    assert ds.n_examples == 569 and len(ds.features) == 30
    assert np.allclose(ds.X.mean(axis=0), 0, atol=1e-12)
    assert np.allclose(ds.X.std(axis=0), 1)
    assert int(ds.y.sum()) == 357  # benign tumours in the Wisconsin set
    assert ds.truth["feature_names"][0] == "mean radius"


def test_breast_cancer_without_scikit_learn_says_how_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(DependencyError, match=r"pip install scikit-learn"):
        load_breast_cancer()
