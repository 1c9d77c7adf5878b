"""nn.init: gains and fans equal torch's; sample statistics of every random init match the
distribution torch's formula defines (and torch's own samples); reproducibility; errors."""

import math

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.nn import init
from oracle import needs_torch

FAN_SHAPES = [(3, 4), (7, 1), (16, 3, 5, 5), (2, 3, 4, 5, 6), (6, 2, 3), (0, 4)]
NONLINEARITIES = [
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "sigmoid",
    "tanh",
    "relu",
    "leaky_relu",
    "selu",
]
BIG = (400, 250)  # 100,000 samples: the sample std is within ~0.5% of the true one


@pytest.mark.parametrize("nonlinearity", NONLINEARITIES)
def test_calculate_gain_equals_torch(nonlinearity):
    torch = needs_torch()
    assert init.calculate_gain(nonlinearity) == pytest.approx(
        torch.nn.init.calculate_gain(nonlinearity), rel=1e-15
    )


@pytest.mark.parametrize("slope", [0, 0.2, 1, 3.5])
def test_leaky_relu_gain_uses_the_slope(slope):
    torch = needs_torch()
    assert init.calculate_gain("leaky_relu", slope) == pytest.approx(
        torch.nn.init.calculate_gain("leaky_relu", slope), rel=1e-15
    )


def test_calculate_gain_errors():
    with pytest.raises(ValueError, match="unsupported nonlinearity 'swish'.*valid: linear"):
        init.calculate_gain("swish")
    with pytest.raises(ValueError, match="negative_slope True"):
        init.calculate_gain("leaky_relu", True)


@pytest.mark.parametrize("shape", FAN_SHAPES)
def test_fans_equal_torch(shape):
    torch = needs_torch()
    ours = init.calculate_fan_in_and_fan_out(neuronet.zeros(*shape))
    assert ours == torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    assert init._calculate_fan_in_and_fan_out is init.calculate_fan_in_and_fan_out


def test_fans_need_two_dimensions():
    with pytest.raises(ValueError, match="fewer than 2 dimensions \\(got shape \\(5,\\)\\)"):
        init.calculate_fan_in_and_fan_out(neuronet.zeros(5))


def _uniform_bound(torch, name, shape, **kw):
    """The bound torch's formula gives, computed here from torch's own fans and gains."""
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(torch.zeros(shape))
    if name == "xavier_uniform_":
        return kw.get("gain", 1.0) * math.sqrt(6.0 / (fan_in + fan_out))
    fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
    gain = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
    return gain * math.sqrt(3.0 / fan)


UNIFORM_CASES = [
    ("xavier_uniform_", BIG, {}),
    ("xavier_uniform_", (100, 40, 5, 5), {"gain": 5 / 3}),
    ("kaiming_uniform_", BIG, {}),
    ("kaiming_uniform_", BIG, {"a": math.sqrt(5)}),
    ("kaiming_uniform_", (40, 25, 10, 10), {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_uniform_", BIG, {"a": 0.1, "mode": "FAN_OUT"}),
]


@pytest.mark.parametrize("name,shape,kw", UNIFORM_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_uniform_inits_match_torch_bounds_and_statistics(name, shape, kw, dtype):
    torch = needs_torch()
    w = neuronet.zeros(*shape, dtype=dtype)
    array = w.data
    assert getattr(init, name)(w, **kw) is w and w.data is array and w.dtype == dtype
    bound = _uniform_bound(
        torch, name, shape, **{k: v.lower() if isinstance(v, str) else v for k, v in kw.items()}
    )
    values = w.data.astype(np.float64)
    assert values.min() >= -bound * (1 + 1e-6) and values.max() <= bound * (1 + 1e-6)
    assert values.min() < -0.999 * bound and values.max() > 0.999 * bound
    assert abs(values.mean()) < 5 * bound / math.sqrt(3 * values.size)
    assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    theirs = getattr(torch.nn.init, name)(torch.zeros(shape, dtype=torch.float64), **kw)
    assert values.std() == pytest.approx(float(theirs.std()), rel=0.02)


NORMAL_CASES = [
    ("xavier_normal_", BIG, {}),
    ("xavier_normal_", (100, 40, 5, 5), {"gain": 2.0}),
    ("kaiming_normal_", BIG, {}),
    ("kaiming_normal_", BIG, {"mode": "fan_out", "nonlinearity": "relu"}),
    ("kaiming_normal_", (20, 50, 10, 10), {"a": 0.3}),
]


@pytest.mark.parametrize("name,shape,kw", NORMAL_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_inits_match_torch_statistics(name, shape, kw, dtype):
    torch = needs_torch()
    w = neuronet.zeros(*shape, dtype=dtype)
    getattr(init, name)(w, **kw)
    assert w.dtype == dtype
    theirs = getattr(torch.nn.init, name)(torch.zeros(shape, dtype=torch.float64), **kw)
    fan_in, fan_out = torch.nn.init._calculate_fan_in_and_fan_out(theirs)
    if name == "xavier_normal_":
        std = kw.get("gain", 1.0) * math.sqrt(2.0 / (fan_in + fan_out))
    else:
        gain = torch.nn.init.calculate_gain(kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0))
        std = gain / math.sqrt(fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out)
    values = w.data.astype(np.float64)
    assert abs(values.mean()) < 5 * std / math.sqrt(values.size)
    assert values.std() == pytest.approx(std, rel=0.01)
    assert values.std() == pytest.approx(float(theirs.std()), rel=0.02)
    # a normal sample of 100,000 reaches beyond 3.5 sigma; a uniform one never would
    assert np.abs(values).max() > 3.5 * std


def test_uniform_and_normal_with_arguments():
    w = init.uniform_(neuronet.zeros(*BIG), -2.0, 3.0)
    assert w.data.min() >= -2 and w.data.max() <= 3
    assert w.data.mean() == pytest.approx(0.5, abs=0.03)
    assert w.data.std() == pytest.approx(5 / math.sqrt(12), rel=0.01)
    n = init.normal_(neuronet.zeros(*BIG, dtype="float64"), mean=1.5, std=0.2)
    assert n.data.mean() == pytest.approx(1.5, abs=0.003)
    assert n.data.std() == pytest.approx(0.2, rel=0.01)


def test_small_random_is_uniform_in_half_unit_by_default():
    w = init.small_random_(neuronet.zeros(*BIG))
    assert w.data.min() >= -0.5 and w.data.max() <= 0.5
    assert w.data.min() < -0.499 and w.data.max() > 0.499
    assert w.data.std() == pytest.approx(1 / math.sqrt(12), rel=0.01)
    narrow = init.small_random_(neuronet.zeros(1000), low=-0.05, high=0.1)
    assert narrow.data.min() >= -0.05 and narrow.data.max() <= 0.1


def test_constant_zeros_ones():
    w = neuronet.zeros(2, 3)
    assert np.all(init.constant_(w, 0.25).data == 0.25)
    assert np.all(init.ones_(w).data == 1)
    assert np.all(init.zeros_(w).data == 0)


def test_generator_makes_draws_reproducible():
    a = init.kaiming_normal_(neuronet.zeros(5, 4), generator=np.random.default_rng(3))
    b = init.kaiming_normal_(neuronet.zeros(5, 4), generator=np.random.default_rng(3))
    c = init.kaiming_normal_(neuronet.zeros(5, 4), generator=4)
    np.testing.assert_array_equal(a.data, b.data)
    assert not np.array_equal(a.data, c.data)
    neuronet.manual_seed(11)
    d = init.xavier_uniform_(neuronet.zeros(5, 4))
    neuronet.manual_seed(11)
    np.testing.assert_array_equal(d.data, init.xavier_uniform_(neuronet.zeros(5, 4)).data)


def test_init_works_on_parameters_without_recording_a_graph():
    p = nn.Parameter(neuronet.zeros(3, 4))
    init.kaiming_uniform_(p)
    init.normal_(p)
    init.constant_(p, 2.0)
    assert p.is_leaf and p.requires_grad and np.all(p.data == 2)


def test_init_errors_are_clear():
    with pytest.raises(TypeError, match="uniform_: expected a neuronet Tensor, got ndarray"):
        init.uniform_(np.zeros(3))
    with pytest.raises(
        TypeError, match="normal_: expected a floating point tensor, got dtype int64"
    ):
        init.normal_(neuronet.tensor([1, 2]))
    with pytest.raises(ValueError, match="expected a <= b, got a=1, b=0"):
        init.uniform_(neuronet.zeros(2), 1, 0)
    with pytest.raises(ValueError, match="expected std >= 0"):
        init.normal_(neuronet.zeros(2), std=-1)
    with pytest.raises(ValueError, match="mode 'fan_avg' not supported"):
        init.kaiming_uniform_(neuronet.zeros(2, 2), mode="fan_avg")
    with pytest.raises(ValueError, match="fewer than 2 dimensions"):
        init.xavier_normal_(neuronet.zeros(4))


def test_kaiming_on_an_empty_tensor_warns_and_does_nothing():
    with pytest.warns(UserWarning, match="zero-element"):
        w = init.kaiming_uniform_(neuronet.zeros(0, 3))
    assert w.shape == (0, 3)
