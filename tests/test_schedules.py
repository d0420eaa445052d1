"""symopt.optim.schedules against closed forms and torch.optim.lr_scheduler."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from symopt import HyperparameterError
from symopt.optim import schedules

T = np.arange(40)


def values(schedule, ts=T):
    return np.array([float(schedule(int(t))) for t in ts])


CLOSED_FORMS = {
    "constant": (schedules.constant(0.3), lambda t: 0.3),
    "step": (schedules.step(0.5, step_size=7, gamma=0.3), lambda t: 0.5 * 0.3 ** (t // 7)),
    "exponential": (schedules.exponential(0.2, 0.9), lambda t: 0.2 * 0.9**t),
    "inverse_time": (schedules.inverse_time(1.0, 0.5), lambda t: 1 / (1 + 0.5 * t)),
    "inverse_time_sqrt": (
        schedules.inverse_time(2.0, 0.1, power=0.5),
        lambda t: 2 / math.sqrt(1 + 0.1 * t),
    ),
    "cosine": (
        schedules.cosine(0.1, steps=25, v_min=0.01),
        lambda t: 0.01 + 0.09 * (1 + math.cos(math.pi * min(t, 25) / 25)) / 2,
    ),
    "warmup": (
        schedules.warmup(schedules.exponential(1.0, 0.5), warmup_steps=4, start=0.2),
        lambda t: 0.2 + 0.8 * t / 4 if t < 4 else 0.5 ** (t - 4),
    ),
    "join": (
        schedules.join([0.1, schedules.exponential(0.05, 0.5), 0.001], boundaries=[10, 20]),
        lambda t: 0.1 if t < 10 else 0.05 * 0.5 ** (t - 10) if t < 20 else 0.001,
    ),
    "product": (
        schedules.product(0.1, schedules.inverse_time(1.0, 1.0), schedules.step(1.0, 5, 0.5)),
        lambda t: 0.1 / (1 + t) * 0.5 ** (t // 5),
    ),
}


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_closed_form(name):
    schedule, closed = CLOSED_FORMS[name]
    expected = [closed(int(t)) for t in T]
    np.testing.assert_allclose(values(schedule), expected, rtol=1e-14, atol=1e-16)
    # vectorised over t: the same numbers from one call
    np.testing.assert_allclose(schedule(T), expected, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_array_parameters_are_per_run(name):
    # a per-run v0 of shape (3,): t -> (3,), t of shape (40,) -> (40, 3); each column is the
    # schedule built with that run's scalar v0
    v0 = np.array([0.1, 0.2, 0.4])
    build = {
        "constant": lambda v: schedules.constant(v),
        "step": lambda v: schedules.step(v, 7, 0.3),
        "exponential": lambda v: schedules.exponential(v, 0.9),
        "inverse_time": lambda v: schedules.inverse_time(v, 0.5),
        "inverse_time_sqrt": lambda v: schedules.inverse_time(1.0, v, power=0.5),
        "cosine": lambda v: schedules.cosine(v, 25, v_min=0.01),
        "warmup": lambda v: schedules.warmup(schedules.exponential(v, 0.5), 4, start=0.2),
        "join": lambda v: schedules.join([v, 0.5, schedules.exponential(v, 0.5)], [10, 20]),
        "product": lambda v: schedules.product(schedules.step(v, 5, 0.5), 0.1),
    }[name]
    together = build(v0)
    assert np.shape(together(3)) == (3,)
    table = together(T)
    assert table.shape == (40, 3)
    for i, v in enumerate(v0):
        np.testing.assert_allclose(table[:, i], build(float(v))(T), rtol=1e-14)
        np.testing.assert_allclose(np.asarray(together(17))[i], build(float(v))(17), rtol=1e-14)


def test_two_dimensional_per_run_parameters():
    s = schedules.exponential(np.array([[1.0], [2.0]]), np.array([0.5, 0.25, 0.1]))
    assert s(2).shape == (2, 3)
    np.testing.assert_allclose(s(np.arange(4)).shape, (4, 2, 3))
    np.testing.assert_allclose(s(2), [[0.25, 0.0625, 0.01], [0.5, 0.125, 0.02]])


def test_warmup_of_a_value_and_zero_warmup():
    np.testing.assert_allclose(values(schedules.warmup(2.0, 4), range(6)), [0, 0.5, 1, 1.5, 2, 2])
    s = schedules.exponential(1.0, 0.5)
    assert schedules.warmup(s, 0) is s


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: schedules.step(1.0, 0), "step_size=0 is invalid: expected an integer >= 1."),
        (lambda: schedules.step(1.0, 2.5), "step_size=2.5 is invalid"),
        (lambda: schedules.exponential(1.0, -0.5), "gamma=-0.5 is invalid"),
        (lambda: schedules.exponential(np.nan, 0.5), "v0=nan is invalid"),
        (lambda: schedules.cosine(1.0, 0), "steps=0 is invalid"),
        (lambda: schedules.inverse_time(1.0, -1.0), "decay=-1.0 is invalid"),
        (lambda: schedules.warmup(1.0, -1), "warmup_steps=-1 is invalid"),
        (lambda: schedules.join([1.0, 2.0], [0]), "boundaries[0]=0 is invalid"),
        (lambda: schedules.join([1.0, 2.0, 3.0], [5, 5]), "boundaries=[5, 5] is invalid"),
        (lambda: schedules.join([1.0, 2.0], []), "boundaries=[] is invalid"),
        (lambda: schedules.constant([1.0, np.inf]), "value=inf is invalid"),
    ],
)
def test_invalid(build, message):
    with pytest.raises(HyperparameterError) as e:
        build()
    assert str(e.value).startswith(message), str(e.value)


# --- torch.optim.lr_scheduler --------------------------------------------------------------


def torch_lrs(make_scheduler, lr0, steps):
    torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr0)
    scheduler = make_scheduler(torch.optim.lr_scheduler, opt)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "scheduler.step() before optimizer.step()"
        for _ in range(steps):
            out.append(scheduler.get_last_lr()[0])
            opt.step()
            scheduler.step()
    return np.array(out)


def test_step_matches_torch_steplr():
    theirs = torch_lrs(lambda s, o: s.StepLR(o, step_size=7, gamma=0.3), 0.5, 40)
    np.testing.assert_allclose(values(schedules.step(0.5, 7, 0.3)), theirs, rtol=1e-12)


def test_exponential_matches_torch_exponentiallr():
    theirs = torch_lrs(lambda s, o: s.ExponentialLR(o, gamma=0.9), 0.2, 40)
    np.testing.assert_allclose(values(schedules.exponential(0.2, 0.9)), theirs, rtol=1e-12)


def test_cosine_matches_torch_cosineannealinglr_up_to_steps():
    # torch's schedule is periodic after T_max; ours stays at v_min, so compare t <= steps
    theirs = torch_lrs(lambda s, o: s.CosineAnnealingLR(o, T_max=25, eta_min=0.01), 0.1, 26)
    ours = values(schedules.cosine(0.1, 25, v_min=0.01), range(26))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
