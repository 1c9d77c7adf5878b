"""Every optimizer and every combination of its options against torch.optim: 30 steps on the
same float64 parameters and gradients, the whole trajectory at rtol 1e-10; float32 stays
float32; several parameter groups; gradients from our autograd."""

import itertools

import numpy as np
import pytest
from optim_oracle import Problem, compare, run_ours

import neuronet as nt
from neuronet import optim
from oracle import assert_close, needs_torch

pytestmark = pytest.mark.torch


def grid(**options):
    """All combinations of the option values, as kwargs dicts."""
    names = list(options)
    return [dict(zip(names, values)) for values in itertools.product(*options.values())]


def ids(kwargs):
    return ",".join(f"{k}={v}" for k, v in kwargs.items())


SGD_CASES = [
    kw for kw in grid(lr=[0.05], momentum=[0, 0.9], dampening=[0, 0.3], nesterov=[False, True],
                      weight_decay=[0, 0.1], maximize=[False, True])
    if not (kw["nesterov"] and (kw["momentum"] == 0 or kw["dampening"] != 0))
]
ADAGRAD_CASES = grid(lr=[0.1], lr_decay=[0, 0.1], weight_decay=[0, 0.1],
                     initial_accumulator_value=[0, 0.5], eps=[1e-10, 1e-3],
                     maximize=[False, True])
RMSPROP_CASES = grid(lr=[0.01], alpha=[0.99, 0.8], eps=[1e-8], weight_decay=[0, 0.1],
                     momentum=[0, 0.9], centered=[False, True], maximize=[False, True])
# betas (0.3, 0.6): 1 - beta1 >= 0.5 takes the other branch of PyTorch's lerp
ADAM_CASES = grid(lr=[0.05], betas=[(0.9, 0.999), (0.3, 0.6)], weight_decay=[0, 0.1],
                  amsgrad=[False, True], maximize=[False, True])


ORACLE_CASES = [
    pytest.param(cls, kw, id=f"{cls.__name__}[{ids(kw)}]")
    for cls, cases in [(optim.SGD, SGD_CASES), (optim.Adagrad, ADAGRAD_CASES),
                       (optim.RMSprop, RMSPROP_CASES), (optim.Adam, ADAM_CASES),
                       (optim.AdamW, ADAM_CASES)]
    for kw in cases
]


@pytest.mark.parametrize("cls,kwargs", ORACLE_CASES)
def test_every_option_combination_matches_torch(cls, kwargs):
    compare(cls, kwargs)


def test_adam_decoupled_weight_decay_is_adamw():
    compare(optim.Adam, {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True})


def test_defaults_match_torch():
    torch = needs_torch()
    for name in ("SGD", "Adagrad", "RMSprop", "Adam", "AdamW"):
        ours = getattr(optim, name)([nt.zeros(2, requires_grad=True)]).param_groups[0]
        theirs = getattr(torch.optim, name)([torch.zeros(2, requires_grad=True)]).param_groups[0]
        for key, value in ours.items():
            if key != "params":
                assert value == theirs[key], f"{name} default {key}: ours {value} vs {theirs[key]}"


# ----- several parameter groups ---------------------------------------------------------
GROUP_CASES = [
    ("SGD", {"lr": 0.05, "momentum": 0.9}, [([0], {}), ([1, 2], {"lr": 0.01, "nesterov": True})]),
    ("SGD", {"lr": 0.05}, [([2], {"momentum": 0.5, "dampening": 0.2}), ([0, 1], {})]),
    ("Adagrad", {"lr": 0.1}, [([0, 2], {"lr_decay": 0.05}), ([1], {"lr": 0.3})]),
    ("RMSprop", {"lr": 0.01}, [([0], {"centered": True, "momentum": 0.5}), ([1, 2], {})]),
    ("Adam", {"lr": 0.05}, [([1], {"betas": (0.5, 0.9), "amsgrad": True}), ([0, 2], {})]),
    ("AdamW", {"lr": 0.05}, [([0], {"weight_decay": 0.2}), ([1, 2], {"lr": 0.02})]),
]


@pytest.mark.parametrize("name,kwargs,groups", GROUP_CASES, ids=[c[0] for c in GROUP_CASES])
def test_param_groups_match_torch(name, kwargs, groups):
    compare(getattr(optim, name), kwargs, groups=groups)


def test_group_added_mid_run_matches_torch():
    torch = needs_torch()
    problem = Problem(3)
    ours = [nt.tensor(a, dtype=nt.float64, requires_grad=True) for a in problem.init]
    theirs = [torch.tensor(a, requires_grad=True) for a in problem.init]
    opt = optim.Adam(ours[:2], lr=0.05)
    topt = torch.optim.Adam(theirs[:2], lr=0.05)
    for t in range(20):
        if t == 8:
            opt.add_param_group({"params": ours[2], "lr": 0.2, "amsgrad": True})
            topt.add_param_group({"params": theirs[2], "lr": 0.2, "amsgrad": True})
        for k, (p, q) in enumerate(zip(ours, theirs)):
            g = problem.grad(k, p.data, t)
            p.grad = None if g is None else nt.tensor(g, dtype=nt.float64)
            q.grad = None if g is None else torch.tensor(problem.grad(k, q.detach().numpy(), t))
        opt.step()
        topt.step()
    for p, q in zip(ours, theirs):
        assert_close(p, q)


# ----- float32 ---------------------------------------------------------------------------
ALL_ON = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "maximize": True}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.1,
                 "initial_accumulator_value": 0.5}),
    ("RMSprop", {"lr": 0.01, "weight_decay": 0.1, "momentum": 0.9, "centered": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "amsgrad": True, "maximize": True}),
    ("AdamW", {"lr": 0.05, "amsgrad": True}),
]


@pytest.mark.parametrize("name,kwargs", ALL_ON, ids=[c[0] for c in ALL_ON])
def test_float32_stays_float32_and_matches_torch(name, kwargs):
    cls = getattr(optim, name)
    compare(cls, kwargs, dtype=np.float32, rtol=1e-4, atol=1e-5)
    # hyper-parameters given as NumPy float64 scalars must not upcast anything either
    np_kwargs = {k: np.float64(v) if isinstance(v, float) else v for k, v in kwargs.items()}
    trajectory, params, opt = run_ours(cls, np_kwargs, Problem(0), dtype=np.float32)
    assert all(p.dtype == np.float32 for p in params)
    for state in opt.state.values():
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, f"{name} state {key} is {value.dtype}"
    reference, _, _ = run_ours(cls, kwargs, Problem(0), dtype=np.float32)
    np.testing.assert_array_equal(trajectory[-1][0], reference[-1][0])


# ----- gradients from autograd -----------------------------------------------------------
def rosenbrock(x, y):
    """sum (1 - x)^2 + 5 (y - x^2)^2 over entries: works for both frameworks' tensors."""
    return ((1 - x) * (1 - x) + 5 * (y - x * x) * (y - x * x)).sum()


@pytest.mark.parametrize("name,kwargs", [
    ("SGD", {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("Adagrad", {"lr": 0.2}),
    ("AdamW", {"lr": 0.05, "weight_decay": 0.1}),
])
def test_training_with_autograd_matches_torch(name, kwargs, rng):
    torch = needs_torch()
    x0, y0 = rng.uniform(-1.5, 1.5, size=(2, 7))
    ours = [nt.tensor(v, dtype=nt.float64, requires_grad=True) for v in (x0, y0)]
    theirs = [torch.tensor(v, requires_grad=True) for v in (x0, y0)]
    opt = getattr(optim, name)(ours, **kwargs)
    topt = getattr(torch.optim, name)(theirs, **kwargs)
    losses = []
    for step in range(40):
        for o in (opt, topt):
            o.zero_grad()
        loss, tloss = rosenbrock(*ours), rosenbrock(*theirs)
        loss.backward()
        tloss.backward()
        assert_close(loss, tloss, what=f"loss at step {step}")
        opt.step()
        topt.step()
        losses.append(loss.item())
    for p, q in zip(ours, theirs):
        assert_close(p, q, what=f"{name} parameters after 40 steps")
    assert losses[-1] < losses[0]
