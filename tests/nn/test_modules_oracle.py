"""Modules against torch in float64: the torch twin's weights are copied in with
`load_state_dict` (as NumPy arrays), then outputs, input gradients, parameter gradients and
running statistics must agree to rtol 1e-10. Finite differences check the same modules."""

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.autograd.gradcheck import gradcheck
from oracle import assert_close, check_finite_differences, needs_torch, step_both, twins

RTOL = 1e-10


# ----- Linear and MLPs --------------------------------------------------------------------
@pytest.mark.parametrize(
    "x_shape,n_in,n_out,bias",
    [
        ((1, 3), 3, 2, True),
        ((7, 5), 5, 4, True),
        ((2, 3, 6), 6, 1, False),
        ((5,), 5, 3, True),
    ],
)
def test_linear_matches_torch(rng, x_shape, n_in, n_out, bias):
    ours, theirs = twins(lambda lib: lib.Linear(n_in, n_out, bias=bias))
    x = rng.standard_normal(x_shape)
    step_both(ours, theirs, x)
    check_finite_differences(ours, x)


ACTIVATIONS = [
    lambda lib: lib.Sigmoid(),
    lambda lib: lib.Tanh(),
    lambda lib: lib.ReLU(),
    lambda lib: lib.LeakyReLU(0.2),
    lambda lib: lib.ELU(alpha=0.7),
    lambda lib: lib.SELU(),
    lambda lib: lib.GELU(),
    lambda lib: lib.GELU(approximate="tanh"),
    lambda lib: lib.Softplus(beta=2.0, threshold=1.5),
    lambda lib: lib.Softmax(dim=1),
    lambda lib: lib.LogSoftmax(dim=-1),
    lambda lib: lib.Identity(),
]


@pytest.mark.parametrize("act", ACTIVATIONS)
@pytest.mark.parametrize("batch", [1, 6])
def test_mlp_with_each_activation_matches_torch(rng, act, batch):
    ours, theirs = twins(
        lambda lib: lib.Sequential(
            lib.Flatten(), lib.Linear(6, 7), act(lib), lib.Linear(7, 5), act(lib), lib.Linear(5, 3)
        )
    )
    x = rng.standard_normal((batch, 2, 3))
    step_both(ours, theirs, x, what=repr(ours[2]))
    check_finite_differences(ours, x)


def test_trained_torch_weights_give_same_outputs_after_float32_round_trip(rng):
    torch = needs_torch()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    ours = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    assert ours[0].weight.dtype == np.float32
    x = rng.standard_normal((3, 4)).astype(np.float32)
    assert_close(ours(neuronet.tensor(x)), theirs(torch.tensor(x)), rtol=1e-5, atol=1e-6)


# ----- normalization ----------------------------------------------------------------------
BATCH_NORMS = [
    (lambda lib: lib.BatchNorm1d(4), (8, 4)),
    (lambda lib: lib.BatchNorm1d(3, momentum=0.3, eps=1e-3), (5, 3, 7)),
    (lambda lib: lib.BatchNorm1d(4, momentum=None), (2, 4)),
    (lambda lib: lib.BatchNorm1d(4, affine=False), (6, 4)),
    (lambda lib: lib.BatchNorm1d(4, bias=False), (6, 4)),
    (lambda lib: lib.BatchNorm1d(4, track_running_stats=False), (6, 4, 3)),
]


@pytest.mark.parametrize("build,shape", BATCH_NORMS)
def test_batch_norm_matches_torch_in_training_and_eval(rng, build, shape):
    ours, theirs = twins(
        lambda lib: (
            lib.Sequential(lib.Linear(shape[-1], shape[-1]), lib.Tanh(), build(lib))
            if len(shape) == 2
            else build(lib)
        )
    )
    for step in range(3):  # running statistics after several steps
        step_both(
            ours, theirs, rng.standard_normal(shape) * (step + 1) + step, step, f"step {step}"
        )
    ours.eval()
    theirs.eval()
    step_both(ours, theirs, rng.standard_normal(shape), what="eval")
    ours.train()
    check_finite_differences(ours, rng.standard_normal(shape))


@pytest.mark.parametrize(
    "normalized,shape,affine",
    [
        (5, (4, 5), True),
        ((3, 4), (2, 3, 4), True),
        (6, (1, 6), False),
        (3, (2, 2, 3), True),
    ],
)
def test_layer_norm_matches_torch(rng, normalized, shape, affine):
    ours, theirs = twins(lambda lib: lib.LayerNorm(normalized, eps=1e-4, elementwise_affine=affine))
    if affine:  # make weight and bias non-trivial in both
        with neuronet.no_grad():
            values = {k: rng.standard_normal(v.shape) for k, v in ours.state_dict().items()}
        ours.load_state_dict(values)
        theirs.load_state_dict({k: needs_torch().tensor(v) for k, v in values.items()})
    x = rng.standard_normal(shape)
    step_both(ours, theirs, x)
    check_finite_differences(ours, x)


# ----- losses -----------------------------------------------------------------------------
def _classes(rng, n, c, ignore=None):
    t = rng.integers(0, c, size=n)
    if ignore is not None:
        t[0] = ignore
    return t


def loss_cases(rng):
    """(name, build(lib, torch_or_neuronet_tensor), input array, target array, input map)."""
    w3 = np.array([0.5, 2.0, 1.0])
    probs = rng.dirichlet(np.ones(3), size=5)
    return [
        ("mse", lambda lib, T: lib.MSELoss(), (4, 3), rng.standard_normal((4, 3)), None),
        (
            "mse sum",
            lambda lib, T: lib.MSELoss(reduction="sum"),
            (4, 3),
            rng.standard_normal((4, 3)),
            None,
        ),
        (
            "l1 none",
            lambda lib, T: lib.L1Loss(reduction="none"),
            (5,),
            rng.standard_normal(5),
            None,
        ),
        (
            "bce",
            lambda lib, T: lib.BCELoss(weight=T(np.linspace(0.5, 1.5, 3))),
            (4, 3),
            rng.uniform(0, 1, (4, 3)),
            "sigmoid",
        ),
        (
            "bce logits",
            lambda lib, T: lib.BCEWithLogitsLoss(pos_weight=T(np.array([1.0, 3.0, 0.5]))),
            (4, 3),
            rng.uniform(0, 1, (4, 3)),
            None,
        ),
        ("cross entropy", lambda lib, T: lib.CrossEntropyLoss(), (5, 3), _classes(rng, 5, 3), None),
        (
            "cross entropy weighted",
            lambda lib, T: lib.CrossEntropyLoss(weight=T(w3), ignore_index=1, label_smoothing=0.1),
            (6, 3),
            _classes(rng, 6, 3, 1),
            None,
        ),
        (
            "cross entropy probs",
            lambda lib, T: lib.CrossEntropyLoss(reduction="sum"),
            (5, 3),
            probs,
            None,
        ),
        (
            "nll",
            lambda lib, T: lib.NLLLoss(weight=T(w3), ignore_index=2),
            (7, 3),
            _classes(rng, 7, 3, 2),
            "log_softmax",
        ),
        ("multi margin", lambda lib, T: lib.MultiMarginLoss(), (4, 5), _classes(rng, 4, 5), None),
        (
            "multi margin p2",
            lambda lib, T: lib.MultiMarginLoss(p=2, margin=0.7, weight=T(np.arange(1.0, 6.0))),
            (4, 5),
            _classes(rng, 4, 5),
            None,
        ),
        (
            "huber",
            lambda lib, T: lib.HuberLoss(delta=0.5),
            (3, 4),
            rng.standard_normal((3, 4)),
            None,
        ),
        (
            "smooth l1",
            lambda lib, T: lib.SmoothL1Loss(beta=0.3, reduction="none"),
            (3, 4),
            rng.standard_normal((3, 4)),
            None,
        ),
    ]


@pytest.mark.parametrize("index", range(13))
def test_loss_modules_match_torch(rng, index):
    torch = needs_torch()
    name, build, shape, target, squash = loss_cases(rng)[index]
    ours = build(nn, lambda a: neuronet.tensor(a, dtype="float64"))
    theirs = build(torch.nn, lambda a: torch.tensor(a, dtype=torch.float64))
    x = rng.standard_normal(shape)
    xo = neuronet.tensor(x, dtype="float64", requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    squash_ours = {
        "sigmoid": lambda t: t.sigmoid(),
        "log_softmax": lambda t: nn.LogSoftmax(1)(t),
        None: lambda t: t,
    }[squash]
    squash_theirs = {
        "sigmoid": torch.sigmoid,
        "log_softmax": lambda t: t.log_softmax(1),
        None: lambda t: t,
    }[squash]
    to = (
        neuronet.tensor(target)
        if target.dtype.kind == "i"
        else neuronet.tensor(target, dtype="float64")
    )
    out, ref = ours(squash_ours(xo), to), theirs(squash_theirs(xt), torch.tensor(target))
    assert_close(out, ref, RTOL, what=f"{name} loss")
    up = np.random.default_rng(1).standard_normal(ref.shape)
    (out * neuronet.tensor(up, dtype="float64")).sum().backward()
    (ref * torch.tensor(up)).sum().backward()
    assert_close(xo.grad, xt.grad, RTOL, atol=1e-10, what=f"{name} input gradient")
    gradcheck(
        lambda inp: ours(squash_ours(inp), to),
        [neuronet.tensor(x, dtype="float64", requires_grad=True)],
    )
