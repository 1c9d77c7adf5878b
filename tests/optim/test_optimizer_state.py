"""Optimizer base behaviour: state_dict round trips (also through JSON and from torch's own
state dict), zero_grad, closures, skipped parameters, and the errors for bad arguments."""

import json
import math

import numpy as np
import pytest
from optim_oracle import Problem, assert_same_trajectory, run_ours, run_torch

import neuronet as nt
from neuronet import optim
from oracle import assert_close, needs_torch

CONFIGS = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.1, "initial_accumulator_value": 0.3}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True}),
    ("Adam", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.05, "betas": (0.5, 0.9)}),
]
CONFIG_IDS = [f"{name}-{i}" for i, (name, _) in enumerate(CONFIGS)]
GROUPS = [([0, 2], {}), ([1], {"lr": 0.02})]


def fresh_params(problem, dtype=np.float64, values=None):
    values = problem.init if values is None else values
    return [nt.tensor(a, dtype=dtype, requires_grad=True) for a in values]


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_state_dict_round_trip_mid_run_continues_identically(name, kwargs):
    cls, problem = getattr(optim, name), Problem(1)
    full, _, _ = run_ours(cls, kwargs, problem, steps=30, groups=GROUPS)
    first, params, opt = run_ours(cls, kwargs, problem, steps=12, groups=GROUPS)
    saved = opt.state_dict()
    # the saved dict is a snapshot: further steps of the old optimizer must not change it
    run_ours(cls, kwargs, problem, steps=3, start=12, params=params, opt=opt)
    new_params = fresh_params(problem, values=first[-1])
    new_opt = cls([{"params": [new_params[i] for i in idx], **extra} for idx, extra in GROUPS],
                  lr=123.0)  # a wrong lr, overwritten by the load
    new_opt.load_state_dict(saved)
    rest, _, _ = run_ours(cls, {}, problem, steps=18, start=12, params=new_params, opt=new_opt)
    for t, (a, b) in enumerate(zip(full[12:], rest)):
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y, err_msg=f"step {12 + t}")


def _to_json_ready(value):
    if isinstance(value, dict):
        return {k: _to_json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_to_json_ready(v) for v in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    assert value is None or isinstance(value, (bool, int, float, str)), type(value)
    return value


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_state_dict_survives_json(name, kwargs):
    """Only numbers, strings, lists and arrays: JSON (string keys, lists) loads back."""
    cls, problem = getattr(optim, name), Problem(2)
    full, _, _ = run_ours(cls, kwargs, problem, steps=20)
    first, _, opt = run_ours(cls, kwargs, problem, steps=7)
    text = json.dumps(_to_json_ready(opt.state_dict()))
    new_params = fresh_params(problem, values=first[-1])
    new_opt = cls(new_params)
    new_opt.load_state_dict(json.loads(text))
    rest, _, _ = run_ours(cls, {}, problem, steps=13, start=7, params=new_params, opt=new_opt)
    assert_same_trajectory(rest, full[7:], rtol=0, atol=0)


def _torch_state_as_numpy(state_dict):
    torch = needs_torch()
    return {
        "state": {
            i: {k: v.numpy() if isinstance(v, torch.Tensor) else v for k, v in s.items()}
            for i, s in state_dict["state"].items()
        },
        "param_groups": state_dict["param_groups"],
    }


@pytest.mark.parametrize("name,kwargs", CONFIGS, ids=CONFIG_IDS)
def test_state_dict_layout_equals_torch_and_loads_torchs(name, kwargs):
    needs_torch()
    cls, problem = getattr(optim, name), Problem(4)
    _, _, opt = run_ours(cls, kwargs, problem, steps=9, groups=GROUPS)
    theirs, tparams, topt = run_torch(name, kwargs, problem, steps=9, groups=GROUPS)
    ours_sd, their_sd = opt.state_dict(), _torch_state_as_numpy(topt.state_dict())
    assert sorted(ours_sd["state"]) == sorted(their_sd["state"])
    for i, state in their_sd["state"].items():
        assert list(ours_sd["state"][i]) == list(state), f"state keys of parameter {i}"
        for key, value in state.items():
            assert_close(ours_sd["state"][i][key], value, what=f"state {i} {key}")
    for ours_group, their_group in zip(ours_sd["param_groups"], their_sd["param_groups"]):
        for key, value in ours_group.items():
            assert value == their_group[key], f"param group entry {key}"
    # torch's state dict (as NumPy) loads into ours and training continues the same
    params = fresh_params(problem, values=theirs[-1])
    ours_opt = cls([{"params": [params[i] for i in idx], **extra} for idx, extra in GROUPS])
    ours_opt.load_state_dict(their_sd)
    rest, _, _ = run_ours(cls, {}, problem, steps=10, start=9, params=params, opt=ours_opt)
    trest, _, _ = run_torch(name, {}, problem, steps=10, start=9, params=tparams, opt=topt)
    assert_same_trajectory(rest, trest)


def test_adagrad_state_missing_from_a_loaded_dict_starts_fresh():
    """Torch's Adagrad keeps state from construction on; a dict without it still trains."""
    problem = Problem(5)
    full, _, _ = run_ours(optim.Adagrad, {"initial_accumulator_value": 0.2}, problem, steps=6)
    params = fresh_params(problem)
    opt = optim.Adagrad(params, initial_accumulator_value=0.2)
    saved = opt.state_dict()
    saved["state"] = {}
    opt.load_state_dict(saved)
    rest, _, _ = run_ours(None, {}, problem, steps=6, params=params, opt=opt)
    assert_same_trajectory(rest, full, rtol=0, atol=0)


def test_load_state_dict_casts_to_parameter_dtype_and_copies():
    problem = Problem(0)
    _, _, opt64 = run_ours(optim.Adam, {"lr": 0.05}, problem, steps=3)
    saved = opt64.state_dict()
    params32 = fresh_params(problem, dtype=np.float32)
    opt32 = optim.Adam(params32)
    opt32.load_state_dict(saved)
    for state in opt32.state.values():
        assert state["exp_avg"].dtype == np.float32 and isinstance(state["step"], float)
    saved["state"][0]["exp_avg"][...] = 99.0
    assert not np.any(opt32.state[params32[0]]["exp_avg"] == 99.0)


def test_state_dict_keeps_scheduler_entries_and_skips_empty_state():
    p = nt.zeros(3, requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    p.grad = nt.ones(3)
    opt.step()
    optim.lr_scheduler.StepLR(opt, 2)
    saved = opt.state_dict()
    assert saved["state"] == {}  # plain SGD keeps no state, as in torch
    assert saved["param_groups"][0]["initial_lr"] == 0.1
    assert saved["param_groups"][0]["params"] == [0]


@pytest.mark.parametrize("change,match", [
    (lambda sd: sd["param_groups"].append(dict(sd["param_groups"][0], params=[])),
     "2 parameter groups, this optimizer has 1"),
    (lambda sd: sd["param_groups"][0]["params"].pop(), "group 0 has 2 parameters in the saved"),
    (lambda sd: sd["state"].__setitem__(0, dict(sd["state"][0], exp_avg=np.zeros((4, 3)))),
     r"'exp_avg' of parameter 0 has shape \(4, 3\) but the parameter has shape \(3, 4\)"),
    (lambda sd: sd["state"].__setitem__(7, {}), "entry for parameter 7"),
    (lambda sd: sd.pop("state"), r"lacks \['state'\]"),
    (lambda sd: sd["param_groups"][0].pop("params"), "group 0 has no 'params' list"),
    (lambda sd: sd["param_groups"][0].__setitem__("betas", (0.9, 1.5)),
     r"Adam: betas\[1\] must be in \[0, 1\), got 1.5"),
])
def test_load_state_dict_errors(change, match):
    problem = Problem(0)
    _, _params, opt = run_ours(optim.Adam, {}, problem, steps=2)
    saved = opt.state_dict()
    change(saved)
    before = opt.state_dict()
    with pytest.raises(ValueError, match=match):
        opt.load_state_dict(saved)
    after = opt.state_dict()  # a failed load changes nothing
    assert after["param_groups"] == before["param_groups"]
    np.testing.assert_array_equal(after["state"][0]["exp_avg"], before["state"][0]["exp_avg"])


# ----- stepping ----------------------------------------------------------------------------
def test_zero_grad_sets_none_or_zero():
    p, q = nt.ones(3, requires_grad=True), nt.ones(2, requires_grad=True)
    opt = optim.SGD([p, q], lr=0.1)
    (p * 3).sum().backward()
    opt.zero_grad(set_to_none=False)
    np.testing.assert_array_equal(p.grad.data, np.zeros(3))
    assert q.grad is None
    opt.zero_grad()
    assert p.grad is None


def test_parameters_without_grad_are_skipped_and_get_no_state():
    p, q = nt.ones(3, requires_grad=True), nt.ones(2, requires_grad=True)
    opt = optim.Adam([p, q], lr=0.1, weight_decay=0.5)
    p.grad = nt.ones(3)
    opt.step()
    np.testing.assert_array_equal(q.data, np.ones(2))
    assert q not in opt.state and p in opt.state
    assert not np.allclose(p.data, 1.0)


def test_step_returns_the_closure_loss_computed_with_grad():
    x = nt.tensor([1.0, -2.0], requires_grad=True)
    opt = optim.SGD([x], lr=0.25)

    def closure():
        opt.zero_grad()
        loss = (x * x).sum()
        loss.backward()
        return loss

    with nt.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_allclose(x.data, [0.5, -1.0])  # x - 0.25 * 2x


def test_lr_changed_in_group_is_used():
    p = nt.tensor([1.0], requires_grad=True)
    opt = optim.SGD([p], lr=0.1)
    opt.param_groups[0]["lr"] = np.float64(0.5)
    p.grad = nt.tensor([1.0])
    opt.step()
    assert p.dtype == np.float32 and p.data[0] == np.float32(0.5)


def test_repr_lists_groups():
    text = repr(optim.SGD([nt.zeros(1, requires_grad=True)], lr=0.3, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "lr: 0.3" in text


# ----- bad arguments -----------------------------------------------------------------------
BAD_HYPERPARAMETERS = [
    ("SGD", {"lr": -0.1}, r"SGD: lr must be in \[0, inf\), got -0.1"),
    ("SGD", {"momentum": -0.5}, r"SGD: momentum must be in \[0, inf\), got -0.5"),
    ("SGD", {"weight_decay": -1e-4}, "SGD: weight_decay must be in"),
    ("SGD", {"nesterov": True}, ("SGD: nesterov=True needs momentum > 0 and dampening = 0, "
                                 "got momentum=0, dampening=0")),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, "dampening=0.1"),
    ("Adagrad", {"lr_decay": -1.0}, r"Adagrad: lr_decay must be in \[0, inf\), got -1.0"),
    ("Adagrad", {"initial_accumulator_value": -1}, "Adagrad: initial_accumulator_value"),
    ("Adagrad", {"eps": -1e-10}, "Adagrad: eps"),
    ("RMSprop", {"alpha": -0.1}, r"RMSprop: alpha must be in \[0, inf\), got -0.1"),
    ("RMSprop", {"momentum": -0.9}, "RMSprop: momentum"),
    ("RMSprop", {"eps": -1.0}, "RMSprop: eps"),
    ("Adam", {"betas": (1.0, 0.999)}, r"Adam: betas\[0\] must be in \[0, 1\), got 1.0"),
    ("Adam", {"betas": (0.9, -0.1)}, r"Adam: betas\[1\] must be in \[0, 1\), got -0.1"),
    ("Adam", {"eps": -1e-8}, "Adam: eps"),
    ("AdamW", {"weight_decay": -0.01}, r"AdamW: weight_decay must be in \[0, inf\)"),
    ("AdamW", {"lr": math.nan}, "AdamW: lr must be in .*got nan"),
]


@pytest.mark.parametrize("name,kwargs,match", BAD_HYPERPARAMETERS,
                         ids=[f"{n}-{next(iter(k))}" for n, k, _ in BAD_HYPERPARAMETERS])
def test_invalid_hyperparameters(name, kwargs, match):
    cls = getattr(optim, name)
    with pytest.raises(ValueError, match=match):
        cls([nt.zeros(2, requires_grad=True)], **kwargs)
    # the same value set in a later group is refused too
    opt = cls([nt.zeros(2, requires_grad=True)])
    with pytest.raises(ValueError, match=match):
        opt.add_param_group({"params": [nt.zeros(1, requires_grad=True)], **kwargs})
    assert len(opt.param_groups) == 1


@pytest.mark.parametrize("make,error,match", [
    (lambda p: optim.SGD(p, lr=0.1), TypeError, "single Tensor"),
    (lambda p: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
    (lambda p: optim.SGD([p, np.zeros(2)]), TypeError, ("SGD: can only optimize Tensors, got "
                                                        "ndarray")),
    (lambda p: optim.Adam([p * 2]), ValueError, "Adam: can't optimize a non-leaf tensor"),
    (lambda p: optim.Adam([nt.tensor([1, 2])]), TypeError, "floating point .* int64"),
    (lambda p: optim.SGD([p, p]), ValueError, "same tensor twice"),
    (lambda p: optim.SGD([{"params": [p]}, {"params": [p]}]), ValueError, "more than one"),
    (lambda p: optim.SGD({p}), TypeError, "not a set"),
    (lambda p: optim.SGD([{"params": [p]}, [p]]), TypeError, "must be a dict, got list"),
    (lambda p: optim.SGD([{"lr": 0.1}]), ValueError, "needs a 'params' entry"),
    (lambda p: optim.SGD([p], lr="0.1"), TypeError, "SGD: lr must be a real number, got str"),
    (lambda p: optim.Adam([p], betas=0.9), TypeError, r"betas must be a pair"),
])
def test_invalid_parameters(make, error, match):
    with pytest.raises(error, match=match):
        make(nt.zeros(2, requires_grad=True))


def test_gradient_of_wrong_shape_is_reported():
    p = nt.zeros(3, requires_grad=True)
    opt = optim.Adam([p])
    p.grad = nt.zeros(4)
    with pytest.raises(ValueError, match=r"Adam.step: a parameter of shape \(3,\) has a "
                                         r"gradient of shape \(4,\)"):
        opt.step()
