"""symopt.landscape.mlp: losses and backprop against finite differences and torch autograd."""

from __future__ import annotations

import numpy as np
import pytest

import symopt
from symopt import optim
from symopt.errors import ChoiceError, DataError, HyperparameterError, ShapeError
from symopt.landscape.mlp import MLP, load_digits

CONFIGS = [
    (activation, skip, loss)
    for activation in ("relu", "tanh")
    for skip in (False, True)
    for loss in ("cross_entropy", "mse")
]


def _data(net: MLP, n: int = 9, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, net.sizes[0]))
    if net.loss_name == "cross_entropy":
        return X, rng.integers(0, net.sizes[-1], n)
    return X, rng.normal(size=(n, net.sizes[-1]))


def _theta(net: MLP, seed: int = 1) -> np.ndarray:
    # random biases too, so that every parameter matters (init() sets them to zero)
    return net.init(seed) + 0.3 * np.random.default_rng(seed).normal(size=net.size)


@pytest.mark.parametrize(("activation", "skip", "loss"), CONFIGS)
def test_gradient_matches_central_differences(activation, skip, loss):
    net = MLP([4, 5, 5, 5, 3], activation=activation, skip=skip, loss=loss)
    X, y = _data(net)
    theta = _theta(net)
    grad = net.gradient(theta, X, y)
    h = 1e-6
    steps = h * np.eye(net.size)
    # (L(θ + h e_i) - L(θ - h e_i)) / 2h for every i at once: a stack of 2P parameter vectors
    fd = (net.loss(theta + steps, X, y) - net.loss(theta - steps, X, y)) / (2 * h)
    np.testing.assert_allclose(grad, fd, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize(("activation", "skip", "loss"), CONFIGS)
def test_loss_and_gradient_match_torch_autograd(activation, skip, loss):
    torch = pytest.importorskip("torch", reason="torch is the autograd reference")
    net = MLP([6, 7, 7, 7, 4], activation=activation, skip=skip, loss=loss)
    X, y = _data(net, n=11)
    theta = _theta(net)

    t = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    tensors, offset = [], 0
    for shape in net.shapes:  # W1, b1, W2, b2, ... in nn.Linear's (out, in) layout
        size = int(np.prod(shape))
        tensors.append(t[offset : offset + size].reshape(shape))
        offset += size
    act = torch.relu if activation == "relu" else torch.tanh
    h = torch.tensor(X)
    weights, biases = tensors[0::2], tensors[1::2]
    for i, (W, b) in enumerate(zip(weights[:-1], biases[:-1], strict=True)):
        s = act(torch.nn.functional.linear(h, W, b))
        h = h + s if skip and i > 0 else s  # the hidden layers all have width 7
    z = torch.nn.functional.linear(h, weights[-1], biases[-1])
    if loss == "cross_entropy":
        reference = torch.nn.functional.cross_entropy(z, torch.tensor(y))
    else:
        reference = torch.nn.functional.mse_loss(z, torch.tensor(y))
    reference.backward()

    value, grad = net.value_and_gradient(theta, X, y)
    assert float(value) == pytest.approx(reference.item(), rel=1e-12)
    np.testing.assert_allclose(grad, t.grad.numpy(), rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(net.outputs(theta, X), z.detach().numpy(), rtol=1e-12)


def test_a_stack_of_parameters_equals_one_by_one_evaluation():
    net = MLP([3, 6, 6, 2], activation="tanh", skip=True)
    X, y = _data(net, n=10)
    stack = np.stack([_theta(net, seed=s) for s in range(6)]).reshape(2, 3, net.size)
    values, grads = net.value_and_gradient(stack, X, y)
    assert values.shape == (2, 3) and grads.shape == (2, 3, net.size)
    for idx in np.ndindex(2, 3):
        v, g = net.value_and_gradient(stack[idx], X, y)
        assert values[idx] == pytest.approx(float(v), rel=1e-13)
        np.testing.assert_allclose(grads[idx], g, rtol=1e-12, atol=1e-15)
    assert net.predict(stack, X).shape == (2, 3, 10)


def test_large_stacks_are_chunked_without_changing_results(monkeypatch):
    import symopt.landscape.mlp as mlp

    net = MLP([3, 8, 8, 2], skip=True)
    X, y = _data(net, n=40)
    stack = np.stack([_theta(net, seed=s) for s in range(7)])
    whole = net.loss(stack, X, y)
    monkeypatch.setattr(mlp, "_CHUNK_BYTES", 1)  # one parameter vector per chunk
    np.testing.assert_allclose(net.loss(stack, X, y), whole, rtol=1e-14)


def test_layout_init_and_skip_blocks():
    net = MLP([64, 16, 16, 16, 10], skip=True, seed=3)
    assert net.shapes == [(16, 64), (16,), (16, 16), (16,), (16, 16), (16,), (10, 16), (10,)]
    assert net.size == 64 * 16 + 16 + 2 * (16 * 16 + 16) + 16 * 10 + 10
    assert net.residual == (False, True, True)  # the first layer changes the width
    theta = net.init()
    np.testing.assert_array_equal(theta, net.init())  # the net's seed
    W1, b1, W2 = net.unflatten(theta)[:3]
    assert np.all(b1 == 0)
    # He initialisation: variance 2 / fan-in; the 2 residual blocks share it: 2 / (16 · 2)
    assert np.var(W1) == pytest.approx(2 / 64, rel=0.15)
    assert np.var(W2) == pytest.approx(2 / 16 / 2, rel=0.3)
    # a block wherever a hidden layer keeps the width of the one before
    assert MLP([4, 8, 8, 6, 6, 2], skip=True).residual == (False, True, False, True)


def test_skip_needs_two_hidden_layers_of_equal_width():
    with pytest.raises(HyperparameterError, match="skip"):
        MLP([4, 8, 6, 2], skip=True)


def test_accuracy_and_predict_by_hand():
    net = MLP([2, 2])
    theta = np.array([1.0, 0.0, 0.0, 1.0, 0.0, 0.0])  # W = I, b = 0: the label is argmax x
    X = np.array([[2.0, 1.0], [0.0, 3.0], [5.0, 4.0], [1.0, 2.0]])
    y = np.array([0, 1, 1, 1])
    np.testing.assert_array_equal(net.predict(theta, X), [0, 1, 0, 1])
    assert float(net.accuracy(theta, X, y)) == 0.75
    # cross-entropy of logits z: log(sum exp z) - z_y, e.g. log(e² + e) - 2 for the first
    expected = np.mean(np.log(np.exp(X).sum(axis=1)) - X[np.arange(4), y])
    assert float(net.loss(theta, X, y)) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"sizes": [3]}, "sizes"),
        ({"sizes": [3, 0, 2]}, "sizes"),
        ({"sizes": [3, 2], "activation": "sigmoid"}, "activation"),
        ({"sizes": [3, 2], "loss": "hinge"}, "loss"),
    ],
)
def test_bad_hyperparameters_are_named(kwargs, name):
    with pytest.raises(HyperparameterError) as err:
        MLP(**kwargs)
    assert err.value.name == name


def test_a_label_that_is_not_a_choice_lists_the_choices():
    with pytest.raises(ChoiceError) as err:
        MLP([3, 2], activation="sigmoid")
    assert err.value.choices == ("relu", "tanh")
    assert str(err.value) == "activation='sigmoid' is invalid: expected one of 'relu', 'tanh'."


def test_bad_data_and_parameters_are_refused():
    net = MLP([3, 4, 2])
    theta = net.init(0)
    X = np.zeros((5, 3))
    with pytest.raises(ShapeError, match="parameters"):
        net.loss(theta[:-1], X, np.zeros(5, dtype=int))
    with pytest.raises(DataError, match="X has shape"):
        net.loss(theta, np.zeros((5, 4)), np.zeros(5, dtype=int))
    with pytest.raises(DataError, match="labels"):
        net.loss(theta, X, np.full(5, 2))
    with pytest.raises(DataError, match="integer"):
        net.loss(theta, X, np.zeros(5))
    with pytest.raises(DataError, match="NaN"):
        net.loss(theta, np.full((5, 3), np.nan), np.zeros(5, dtype=int))
    with pytest.raises(HyperparameterError):
        MLP([3, 1], loss="mse").accuracy(MLP([3, 1]).init(0), X, np.zeros(5))


def test_no_overflow_warning_for_huge_logits():
    net = MLP([1, 2])
    theta = np.array([1e4, -1e4, 0.0, 0.0])  # logits ±1e4
    value, grad = net.value_and_gradient(theta, [[1.0], [-1.0]], [0, 0])
    assert np.isfinite(value) and np.all(np.isfinite(grad))
    assert float(value) == pytest.approx(0.5 * 2e4)  # one sample right, one off by 2e4


def test_objective_trains_with_minimize_full_and_mini_batch():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)  # XOR of the signs: needs a hidden layer
    net = MLP([2, 16, 16, 2], activation="tanh", skip=True, seed=0)
    f = net.objective(X, y)
    theta0 = net.init()
    full = symopt.minimize(f, optim.adam(lr=0.03), theta0, steps=300, record="last")
    mini = symopt.minimize(
        f, optim.adam(lr=0.01), theta0, epochs=20, batch_size=20, seed=0, record="epoch"
    )
    for traj in (full, mini):
        assert traj.values[-1] < 0.3 * traj.values[0]
        assert float(net.accuracy(traj.final_x, X, y)) > 0.9
    np.testing.assert_allclose(f.batch_value(theta0, np.arange(200)), f.value(theta0))
    with pytest.raises(DataError, match="idx"):
        f.batch_gradient(theta0, np.zeros((2, 3), dtype=int))


def test_digits_are_scikit_learns_scaled_to_the_unit_interval():
    datasets = pytest.importorskip("sklearn.datasets", reason="digits ship with scikit-learn")
    X, y = load_digits()
    reference_X, reference_y = datasets.load_digits(return_X_y=True)
    assert X.shape == (1797, 64) and y.dtype.kind == "i"
    np.testing.assert_array_equal(X * 16, reference_X)
    np.testing.assert_array_equal(y, reference_y)
