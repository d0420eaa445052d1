"""symopt.optim against torch.optim (float64), the reference for every PyTorch-named optimizer.

Each case runs 20 random hyper-parameter settings at once: torch gets one param group per
setting (a (K, n) tensor each), symopt the same numbers as per-run arrays of shape (20, 1)
against params of shape (20, K, n), so the comparison also checks per-run broadcasting.

(a) Along PyTorch's own path: torch runs 300 steps; at every step symopt's ``update`` gets
    torch's gradient and torch's params (carrying symopt's own state), and its update must
    equal torch's step to 1e-12 relative.  torch's step is read off as x_{t+1} - x_t, which
    carries the round-off of torch's own additions into x (a few ulps of |x_{t+1}|), so the
    bound is 1e-12·|Δ| + 4ε·|x_{t+1}| elementwise.
(b) Closed loop: symopt alone for 25 steps from the same x0 agrees to 1e-10 relative.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from symopt import optim

torch = pytest.importorskip("torch", reason="torch not installed: pip install torch==2.13.0")

S, K, N = 20, 4, 3  # settings, runs per setting, dimension
STEPS, LOOP_STEPS = 300, 25
EPS = np.finfo(np.float64).eps

_rng = np.random.default_rng(0)
_Q = np.linalg.qr(_rng.standard_normal((N, N)))[0]
A = _Q @ np.diag([0.5, 1.0, 2.0]) @ _Q.T
B = _rng.standard_normal(N)


def grad(x: np.ndarray) -> np.ndarray:
    """Gradient of f(x) = ½ xᵀAx + bᵀx + 0.025 Σ x⁴: a smooth, non-quadratic bowl."""
    return x @ A + B + 0.1 * x**3


@pytest.fixture(autouse=True, scope="module")
def float64_default():
    # torch keeps scalar state (step, NAdam's mu_product) in the default dtype
    old, threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)  # tiny tensors: threads only add overhead
    yield
    torch.set_default_dtype(old)
    torch.set_num_threads(threads)


def U(lo: float, hi: float, zeros: float = 0.0, log: bool = False):
    """Sampler of S values uniform in [lo, hi] (log-uniform if log), a fraction set to 0."""

    def sample(rng):
        u = rng.uniform(np.log(lo), np.log(hi), S) if log else rng.uniform(lo, hi, S)
        v = np.exp(u) if log else u
        v[rng.random(S) < zeros] = 0.0
        return v

    return sample


BETAS = (U(0.0, 0.95), U(0.9, 0.9999))
EPS_ = U(1e-10, 1e-6, log=True)
WD = U(0.0, 0.1, zeros=0.3)


@dataclass
class Case:
    id: str
    sym: Any  # symopt factory
    torch_cls: str
    hypers: dict  # name -> sampler, or (sampler, sampler) for betas
    flags: dict = field(default_factory=dict)
    rename: dict = field(default_factory=dict)  # symopt name -> torch name
    torch_flags: dict = field(default_factory=dict)
    exact: bool = True


CASES = [
    Case("gd=SGD", optim.gd, "SGD", {"lr": U(0.01, 0.2)}),
    Case(
        "sgd",
        optim.sgd,
        "SGD",
        {
            "lr": U(0.01, 0.2),
            "momentum": U(0.0, 0.9, zeros=0.25),
            "dampening": U(0.0, 1.0, zeros=0.25),
            "weight_decay": WD,
        },
    ),
    Case(
        "sgd-nesterov",
        optim.sgd,
        "SGD",
        {"lr": U(0.01, 0.2), "momentum": U(0.1, 0.9), "weight_decay": WD},
        flags={"nesterov": True},
    ),
    Case(
        "sgd-maximize",
        optim.sgd,
        "SGD",
        {"lr": U(0.01, 0.2), "momentum": U(0.0, 0.9), "weight_decay": WD},
        flags={"maximize": True},
    ),
    Case(
        "adagrad",
        optim.adagrad,
        "Adagrad",
        {
            "lr": U(0.01, 0.5),
            "lr_decay": U(0.0, 0.1, zeros=0.3),
            "weight_decay": WD,
            "initial_accumulator_value": U(0.0, 1.0, zeros=0.3),
            "eps": EPS_,
        },
    ),
    Case(
        "adadelta",
        optim.adadelta,
        "Adadelta",
        {
            "lr": U(0.1, 1.0),
            "rho": U(0.5, 0.99),
            "eps": U(1e-8, 1e-4, log=True),
            "weight_decay": WD,
        },
    ),
    *(
        Case(
            f"rmsprop-centered={c}",
            optim.rmsprop,
            "RMSprop",
            {
                "lr": U(1e-3, 0.05),
                "alpha": U(0.8, 0.999),
                "eps": EPS_,
                "weight_decay": WD,
                "momentum": U(0.0, 0.9, zeros=0.3),
            },
            flags={"centered": c},
        )
        for c in (False, True)
    ),
    *(
        Case(
            f"{name}-amsgrad={a}",
            getattr(optim, name),
            cls,
            {"lr": U(1e-3, 0.1), "betas": BETAS, "eps": EPS_, "weight_decay": WD},
            flags={"amsgrad": a},
        )
        for name, cls in (("adam", "Adam"), ("adamw", "AdamW"))
        for a in (False, True)
    ),
    Case(
        "amsgrad=Adam(amsgrad)",
        optim.amsgrad,
        "Adam",
        {"lr": U(1e-3, 0.1), "betas": BETAS, "eps": EPS_},
        torch_flags={"amsgrad": True},
    ),
    Case(
        "adam-decoupled-maximize",
        optim.adam,
        "Adam",
        {"lr": U(1e-3, 0.1), "betas": BETAS, "eps": EPS_, "weight_decay": WD},
        flags={"decoupled_weight_decay": True, "maximize": True},
    ),
    Case(
        "adamax",
        optim.adamax,
        "Adamax",
        {"lr": U(1e-3, 0.1), "betas": BETAS, "eps": EPS_, "weight_decay": WD},
    ),
    *(
        Case(
            f"nadam-decoupled={d}",
            optim.nadam,
            "NAdam",
            {
                "lr": U(1e-3, 0.05),
                "betas": BETAS,
                "eps": EPS_,
                "weight_decay": WD,
                "momentum_decay": U(0.0, 1e-2, zeros=0.2),
            },
            flags={"decoupled_weight_decay": d},
        )
        for d in (False, True)
    ),
    *(
        Case(
            f"radam-decoupled={d}",
            optim.radam,
            "RAdam",
            # β₂ <= 2/3 never rectifies (ρ∞ <= 5): both branches occur across the settings
            {"lr": U(1e-3, 0.05), "betas": (U(0.0, 0.95), U(0.5, 0.999)), "weight_decay": WD},
            flags={"decoupled_weight_decay": d},
        )
        for d in (False, True)
    ),
    # The lecture's heavy ball v ← μv - ηg, x ← x + v equals torch's b ← μb + g,
    # x ← x - ηb (v = -ηb) only in exact arithmetic: the buffers round differently and
    # carry their round-off along, so these two compare at 1e-9 of the run's step scale.
    Case(
        "momentum~SGD(momentum)",
        optim.momentum,
        "SGD",
        {"lr": U(0.01, 0.2), "mu": U(0.0, 0.9)},
        rename={"mu": "momentum"},
        exact=False,
    ),
    Case(
        "nesterov~SGD(nesterov)",
        optim.nesterov,
        "SGD",
        {"lr": U(0.01, 0.2), "mu": U(0.1, 0.9)},
        rename={"mu": "momentum"},
        torch_flags={"nesterov": True},
        exact=False,
    ),
]


def sample(case: Case, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {
        k: tuple(s(rng) for s in v) if isinstance(v, tuple) else v(rng)
        for k, v in case.hypers.items()
    }


def hypers(group: dict) -> dict:
    return {k: v for k, v in group.items() if k != "params"}


def torch_run(case: Case, hp: dict, x0: np.ndarray, steps: int, sign: float):
    """torch's iterates (steps+1, S, K, N) and the gradients it was given (steps, S, K, N)."""
    flags = {**case.flags, **case.torch_flags}
    params = [torch.tensor(x0[s], requires_grad=True) for s in range(S)]
    groups = []
    for s, p in enumerate(params):
        group = {"params": [p]}
        for k, v in hp.items():
            value = tuple(float(b[s]) for b in v) if isinstance(v, tuple) else float(v[s])
            group[case.rename.get(k, k)] = value
        groups.append(group)
    cls = getattr(torch.optim, case.torch_cls)
    # torch checks its constructor defaults (nesterov) and reads Adagrad's
    # initial_accumulator_value from the constructor only: one optimizer per setting there
    per_setting = "initial_accumulator_value" in hp
    opts = [
        cls([g] if per_setting else groups, foreach=False, **hypers(g), **flags)
        for g in (groups if per_setting else groups[:1])
    ]
    xs, gs = [x0], []
    for _ in range(steps):
        g = sign * grad(xs[-1])
        for s, p in enumerate(params):
            p.grad = torch.from_numpy(g[s].copy())
        for opt in opts:
            opt.step()
        xs.append(np.stack([p.detach().numpy().copy() for p in params]))
        gs.append(g)
    return np.array(xs), np.array(gs)


def symopt_optimizer(case: Case, hp: dict):
    per_run = {
        k: tuple(b[:, None] for b in v) if isinstance(v, tuple) else v[:, None]
        for k, v in hp.items()
    }
    return case.sym(**per_run, **case.flags)


@pytest.fixture(scope="module", params=CASES, ids=[c.id for c in CASES])
def run(request):
    case = request.param
    seed = CASES.index(case)
    hp = sample(case, seed)
    x0 = np.random.default_rng(100 + seed).standard_normal((S, K, N))
    sign = -1.0 if case.flags.get("maximize") else 1.0  # maximize -f: same bowl
    xs, gs = torch_run(case, hp, x0, STEPS, sign)
    assert np.isfinite(xs).all()
    return case, hp, xs, gs, sign


def test_along_torch_path(run):
    case, hp, xs, gs, _ = run
    opt = symopt_optimizer(case, hp)
    state = opt.init(xs[0])
    steps = []
    for t in range(STEPS):
        u, state = opt.update(gs[t], state, xs[t])
        steps.append(u)
    delta, u = xs[1:] - xs[:-1], np.array(steps)
    err = np.abs(u - delta)
    if case.exact:
        bound = 1e-12 * np.abs(delta) + 4 * EPS * np.abs(xs[1:])
    else:
        bound = 1e-9 * np.abs(delta).max(axis=(0, 3), keepdims=True)
    worst = np.unravel_index(np.argmax(err / bound), err.shape)
    assert (err <= bound).all(), (
        f"{case.id}: step {worst[0]}, setting {worst[1]}: symopt {u[worst]!r} vs torch "
        f"{delta[worst]!r} ({err[worst] / bound[worst]:.3g}× the bound)"
    )


def test_closed_loop(run):
    case, hp, xs, _, sign = run
    opt = symopt_optimizer(case, hp)
    x = xs[0]
    state = opt.init(x)
    for _ in range(LOOP_STEPS):
        u, state = opt.update(sign * grad(x), state, x)
        x = x + u
    # round-off differences grow along a closed loop; measure them on the iterates' scale
    scale = np.abs(xs[: LOOP_STEPS + 1]).max()
    np.testing.assert_allclose(x, xs[LOOP_STEPS], rtol=1e-10, atol=1e-10 * scale)


TORCH_ONLY = {"params", "foreach", "capturable", "differentiable", "fused"}
OURS_ONLY = {"bias_correction"}


@pytest.mark.parametrize(
    ("name", "cls"),
    [
        ("sgd", "SGD"),
        ("adagrad", "Adagrad"),
        ("adadelta", "Adadelta"),
        ("rmsprop", "RMSprop"),
        ("adam", "Adam"),
        ("adamw", "AdamW"),
        ("adamax", "Adamax"),
        ("nadam", "NAdam"),
        ("radam", "RAdam"),
    ],
)
def test_same_arguments_and_defaults_as_torch(name, cls):
    ours = inspect.signature(getattr(optim, name)).parameters
    theirs = inspect.signature(getattr(torch.optim, cls).__init__).parameters
    assert set(ours) - OURS_ONLY == set(theirs) - TORCH_ONLY - {"self"}
    for arg in set(ours) - OURS_ONLY:
        assert ours[arg].default == theirs[arg].default, arg
    positional = [a for a, p in ours.items() if p.kind is p.POSITIONAL_OR_KEYWORD]
    assert positional == [a for a in theirs if a not in TORCH_ONLY | {"self"}][: len(positional)]
