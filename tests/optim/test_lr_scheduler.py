"""Learning-rate schedulers against torch.optim.lr_scheduler: the lr of every group after
every step over 45+ epochs (two groups with different lrs), chained schedulers, resuming,
state_dict round trips, warnings and errors."""

import json
import warnings

import numpy as np
import pytest

import neuronet as nt
from neuronet import optim
from neuronet.optim import lr_scheduler as sched
from oracle import needs_torch

LRS = (0.1, 0.02)
EPOCHS = 45


def our_optimizer(lrs=LRS):
    return optim.SGD([{"params": [nt.zeros(1, requires_grad=True)], "lr": lr} for lr in lrs])


def torch_optimizer(lrs=LRS):
    torch = needs_torch()
    return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)], "lr": lr}
                            for lr in lrs])


def lr_sequence(opt, schedulers, epochs=EPOCHS, metrics=None):
    """The group lrs after construction and after each epoch's scheduler steps."""
    seq = [[g["lr"] for g in opt.param_groups]]
    for epoch in range(epochs):
        opt.step()  # no gradients: changes nothing, but the schedulers expect it first
        for s in schedulers:
            s.step(metrics[epoch]) if metrics is not None else s.step()
        seq.append([g["lr"] for g in opt.param_groups])
        assert schedulers[-1].get_last_lr() == seq[-1]
    return seq


def assert_same_lrs(ours, theirs):
    np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-13, atol=0)


# each case: a function making the schedulers from (module, optimizer)
CASES = {
    "StepLR": lambda m, o: [m.StepLR(o, step_size=7, gamma=0.5)],
    "MultiStepLR": lambda m, o: [m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)],
    "ExponentialLR": lambda m, o: [m.ExponentialLR(o, gamma=0.93)],
    "Cosine-past-T_max": lambda m, o: [m.CosineAnnealingLR(o, T_max=10, eta_min=0.001)],
    "Cosine-odd-T_max": lambda m, o: [m.CosineAnnealingLR(o, T_max=7)],
    "LambdaLR": lambda m, o: [m.LambdaLR(o, lambda e: 1.0 / (1 + e))],
    "LambdaLR-per-group": lambda m, o: [m.LambdaLR(o, [lambda e: 0.95**e, lambda e: e % 3])],
    "Step+Exponential": lambda m, o: [m.StepLR(o, 4), m.ExponentialLR(o, 0.9)],
    "Cosine+MultiStep": lambda m, o: [m.CosineAnnealingLR(o, 6), m.MultiStepLR(o, [9, 20])],
}


@pytest.mark.parametrize("case", list(CASES))
def test_schedule_matches_torch(case):
    torch = needs_torch()
    opt, topt = our_optimizer(), torch_optimizer()
    ours = lr_sequence(opt, CASES[case](sched, opt))
    theirs = lr_sequence(topt, CASES[case](torch.optim.lr_scheduler, topt))
    assert_same_lrs(ours, theirs)
    assert len(set(map(tuple, ours))) > 3  # the schedule really moved
    for group in opt.param_groups:
        assert group["initial_lr"] in LRS


# a scripted metric: falls, plateaus with noise, falls again, rises
METRICS = list(np.concatenate([
    np.linspace(1.0, 0.5, 8), 0.5 + 0.001 * np.sin(np.arange(15)), np.linspace(0.49, 0.2, 6),
    0.2 + 0.00001 * np.arange(12), np.linspace(0.2, 0.6, 9),
]))

PLATEAU_CASES = [
    {},
    {"patience": 2},
    {"patience": 1, "factor": 0.5, "min_lr": [0.01, 0.005]},
    {"patience": 2, "threshold": 0.05, "threshold_mode": "abs", "cooldown": 3},
    {"mode": "max", "patience": 2, "cooldown": 1, "factor": 0.3},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 0},
    {"patience": 0, "factor": 0.9, "eps": 0.005, "min_lr": 0.003},
]


@pytest.mark.parametrize("kwargs", PLATEAU_CASES, ids=lambda kw: ",".join(map(str, kw.items())))
def test_reduce_lr_on_plateau_matches_torch(kwargs):
    torch = needs_torch()
    metrics = METRICS if kwargs.get("mode") != "max" else [-m for m in METRICS]
    opt, topt = our_optimizer(), torch_optimizer()
    ours_s = sched.ReduceLROnPlateau(opt, **kwargs)
    theirs_s = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **kwargs)
    ours = lr_sequence(opt, [ours_s], len(metrics), metrics)
    theirs = lr_sequence(topt, [theirs_s], len(metrics), metrics)
    assert_same_lrs(ours, theirs)
    assert ours[-1] != ours[0]
    for key in ("best", "num_bad_epochs", "cooldown_counter", "last_epoch"):
        assert getattr(ours_s, key) == getattr(theirs_s, key), key


def test_reduce_lr_on_plateau_takes_tensors_and_round_trips():
    opt = our_optimizer()
    s = sched.ReduceLROnPlateau(opt, patience=1)
    for m in METRICS[:20]:
        s.step(nt.tensor(m))
    saved = json.loads(json.dumps(s.state_dict()))
    s2 = sched.ReduceLROnPlateau(our_optimizer(), patience=1)
    s2.load_state_dict(saved)
    for m in METRICS[20:]:
        s.step(m)
        s2.step(m)
        assert s.num_bad_epochs == s2.num_bad_epochs and s.best == s2.best


@pytest.mark.parametrize("case", ["StepLR", "MultiStepLR", "Cosine-past-T_max", "LambdaLR",
                                  "Step+Exponential"])
def test_state_dict_round_trip_continues_identically(case):
    opt = our_optimizer()
    full = lr_sequence(opt, CASES[case](sched, opt), 40)
    opt = our_optimizer()
    schedulers = CASES[case](sched, opt)
    lr_sequence(opt, schedulers, 17)
    saved_opt = opt.state_dict()
    saved = [json.loads(json.dumps(s.state_dict())) for s in schedulers]
    new_opt = our_optimizer()
    new_schedulers = CASES[case](sched, new_opt)
    new_opt.load_state_dict(saved_opt)
    for s, state in zip(new_schedulers, saved):
        s.load_state_dict(state)
    rest = lr_sequence(new_opt, new_schedulers, 23)
    assert rest == full[17:]


def test_resuming_with_last_epoch_matches_torch():
    torch = needs_torch()
    opt, topt = our_optimizer(), torch_optimizer()
    for group in opt.param_groups:
        group["initial_lr"] = group["lr"]
    for group in topt.param_groups:
        group["initial_lr"] = group["lr"]
    ours = lr_sequence(opt, [sched.CosineAnnealingLR(opt, T_max=8, last_epoch=5)], 20)
    theirs = lr_sequence(topt, [torch.optim.lr_scheduler.CosineAnnealingLR(topt, 8, last_epoch=5)],
                         20)
    assert_same_lrs(ours, theirs)


def test_resuming_without_initial_lr_is_a_key_error():
    with pytest.raises(KeyError, match=r"needs 'initial_lr' in param_groups\[0\]"):
        sched.StepLR(our_optimizer(), step_size=3, last_epoch=4)


def test_warns_when_stepped_before_the_optimizer():
    opt = our_optimizer()
    s = sched.StepLR(opt, 2)
    with pytest.warns(UserWarning, match="before optimizer.step"):
        s.step()
    opt2 = our_optimizer()
    s2 = sched.StepLR(opt2, 2)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s2.step()


def test_lambda_state_dict_saves_callable_objects_not_functions():
    class Warmup:
        def __init__(self, epochs):
            self.epochs = epochs

        def __call__(self, epoch):
            return min(1.0, (epoch + 1) / self.epochs)

    opt = our_optimizer()
    s = sched.LambdaLR(opt, [Warmup(5), lambda e: 1.0])
    state = s.state_dict()
    assert state["lr_lambdas"] == [{"epochs": 5}, None]
    other = Warmup(99)
    s2 = sched.LambdaLR(our_optimizer(), [other, lambda e: 1.0])
    s2.load_state_dict(state)
    assert other.epochs == 5


@pytest.mark.parametrize("make,error,match", [
    (lambda o: sched.StepLR(o, step_size=0), ValueError,
     "StepLR: step_size must be a positive integer, got 0"),
    (lambda o: sched.StepLR(o, step_size=2.5), ValueError, "positive integer, got 2.5"),
    (lambda o: sched.MultiStepLR(o, [3, "7"]), TypeError, "milestones must be integers"),
    (lambda o: sched.ExponentialLR(o, gamma="0.9"), TypeError, "gamma must be a real number"),
    (lambda o: sched.CosineAnnealingLR(o, T_max=0), ValueError, "T_max must be > 0, got 0"),
    (lambda o: sched.LambdaLR(o, [lambda e: 1.0]), ValueError, "expected 2 lr_lambdas"),
    (lambda o: sched.LambdaLR(o, 0.5), TypeError, "lr_lambda must be callable"),
    (lambda o: sched.StepLR("opt", 3), TypeError, "StepLR: expected an Optimizer, got str"),
    (lambda o: sched.ReduceLROnPlateau(o, factor=1.0), ValueError,
     r"factor must be in \[-inf, 1\), got 1.0"),
    (lambda o: sched.ReduceLROnPlateau(o, mode="avg"), ValueError, "'min' or 'max', got 'avg'"),
    (lambda o: sched.ReduceLROnPlateau(o, threshold_mode="pct"), ValueError, "'rel' or 'abs'"),
    (lambda o: sched.ReduceLROnPlateau(o, min_lr=[0.1]), ValueError, "expected 2 min_lrs"),
    (lambda o: sched.ReduceLROnPlateau(o, patience=-1), ValueError, "patience must be in"),
])
def test_invalid_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make(our_optimizer())


def test_load_state_dict_of_another_scheduler_is_refused():
    opt = our_optimizer()
    state = sched.StepLR(opt, 3).state_dict()
    with pytest.raises(ValueError, match="another kind of scheduler"):
        sched.CosineAnnealingLR(our_optimizer(), 5).load_state_dict(state)
