"""BatchNorm2d, Dropout2d and LocalResponseNorm: torch oracle (float64, rtol 1e-10: outputs,
gradients, running statistics over several steps, eval mode), finite differences,
state_dict and repr as torch's, channel-wise dropout's statistics, errors."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.nn import functional as F
from oracle import check_finite_differences, check_op, needs_torch, step_both, torch, twins

if torch is not None:
    import torch.nn.functional as TF


@pytest.mark.parametrize("build,shape", [
    (lambda lib: lib.BatchNorm2d(3), (4, 3, 5, 6)),
    (lambda lib: lib.BatchNorm2d(2, momentum=0.3, eps=1e-3), (1, 2, 3, 4)),  # batch 1
    (lambda lib: lib.BatchNorm2d(4, momentum=None), (2, 4, 3, 3)),
    (lambda lib: lib.BatchNorm2d(3, affine=False), (3, 3, 2, 5)),
    (lambda lib: lib.BatchNorm2d(3, track_running_stats=False), (3, 3, 2, 5)),
])
def test_batch_norm_2d_matches_torch_in_training_and_eval(rng, build, shape):
    # the conv has no bias: batch norm cancels it, so its gradient is exactly zero
    ours, theirs = twins(lambda lib: lib.Sequential(
        lib.Conv2d(shape[1], shape[1], 3, padding=1, bias=False), build(lib)))
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)
    for step in range(3):
        step_both(ours, theirs, rng.standard_normal(shape) * (step + 1) + step, step,
                  f"step {step}")
    ours.eval()
    theirs.eval()
    step_both(ours, theirs, rng.standard_normal(shape), what="eval")
    ours.train()
    check_finite_differences(ours, rng.standard_normal(shape))


def test_batch_norm_2d_errors():
    bn = nn.BatchNorm2d(3)
    with pytest.raises(ValueError, match=r"BatchNorm2d\(3, .*\): expected 4-D input of shape "
                                         r"\(N, 3, H, W\), got shape \(2, 3, 5\)"):
        bn(nt.zeros(2, 3, 5))
    with pytest.raises(ValueError, match=r"got shape \(2, 4, 5, 5\)"):
        bn(nt.zeros(2, 4, 5, 5))
    with pytest.raises(ValueError, match=r"more than 1 value per channel"):
        bn(nt.zeros(1, 3, 1, 1))
    with pytest.raises(ValueError, match=r"BatchNorm2d: num_features must be a positive"):
        nn.BatchNorm2d(0)
    with pytest.raises(ValueError, match=r"BatchNorm1d\(3.*\): expected input of shape"):
        nn.BatchNorm1d(3)(nt.zeros(2, 3, 4, 4))


def test_dropout2d_zeros_whole_channels_and_rescales():
    nt.manual_seed(0)
    x = nt.ones(200, 50, 3, 4, requires_grad=True)
    y = F.dropout2d(x, p=0.3)
    per_channel = y.data.reshape(200, 50, -1)
    assert np.all(per_channel.min(-1) == per_channel.max(-1))  # constant within a channel
    assert set(np.unique(per_channel)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((per_channel[..., 0] == 0).mean() - 0.3) < 0.02
    assert y.dtype == np.float32
    y.sum().backward()
    assert np.array_equal(x.grad.data, y.data)  # the gradient is the same mask


def test_dropout2d_layer_modes_seed_and_repr():
    layer = nn.Dropout2d(0.4)
    assert repr(layer) == "Dropout2d(p=0.4, inplace=False)"
    x = nt.tensor(np.random.default_rng(0).standard_normal((4, 6, 2, 2)))
    nt.manual_seed(5)
    a = layer(x).data
    nt.manual_seed(5)
    assert np.array_equal(a, layer(x).data)
    layer.eval()
    assert layer(x) is x
    assert F.dropout2d(x, 0.0) is x
    assert np.all(F.dropout2d(x, 1.0).data == 0)


def test_dropout2d_three_d_input_warns_and_drops_channels_of_length_l():
    nt.manual_seed(1)
    with pytest.warns(UserWarning, match="3-D input"):
        y = F.dropout2d(nt.ones(30, 20, 5), 0.5).data
    assert np.all(y.min(-1) == y.max(-1))


def test_dropout2d_errors():
    with pytest.raises(ValueError, match=r"dropout2d: probability p must be between 0 and 1"):
        F.dropout2d(nt.ones(1, 2, 3, 3), 1.5)
    with pytest.raises(ValueError, match=r"dropout2d: expected 4-D input .* got shape \(2, 3\)"):
        F.dropout2d(nt.ones(2, 3))
    with pytest.raises(ValueError, match=r"Dropout2d: probability p has to be between"):
        nn.Dropout2d(-0.1)


@pytest.mark.parametrize("shape,kw", [
    ((2, 7, 4, 5), dict(size=5)),
    ((2, 6, 3), dict(size=2, alpha=0.1, beta=0.5, k=2.0)),  # 3-D, even size
    ((1, 4, 2, 3, 2), dict(size=3, alpha=1.0)),  # 5-D
    ((2, 3, 4, 4), dict(size=9, alpha=0.5)),  # window wider than the channels
])
def test_local_response_norm_matches_torch(rng, shape, kw):
    check_op(lambda x: F.local_response_norm(x, **kw),
             lambda x: TF.local_response_norm(x, **kw) if torch else None, [shape], rng)


def test_local_response_norm_layer(rng):
    ours, theirs = twins(lambda lib: lib.LocalResponseNorm(3, alpha=0.5, beta=0.7, k=1.5))
    assert repr(ours) == repr(theirs)
    step_both(ours, theirs, rng.standard_normal((2, 5, 3, 3)))
    with pytest.raises(ValueError, match=r"LocalResponseNorm\(3, .*at least 3 dimension"):
        ours(nt.zeros(2, 5))
    with pytest.raises(ValueError, match=r"local_response_norm: size must be a positive int"):
        F.local_response_norm(nt.zeros(2, 5, 3), 0)
    needs_torch()
