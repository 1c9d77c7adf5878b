"""Activations of neuronet.nn.functional: finite differences, the torch oracle, stability."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import functional as F
from oracle import check_op, compare_with_torch, needs_torch, torch

SHAPES = [(7,), (2, 3, 4), (1, 1), (1, 5)]


def tf():
    return needs_torch().nn.functional


ELEMENTWISE = {
    "sigmoid": (F.sigmoid, lambda x: tf().sigmoid(x)),
    "tanh": (F.tanh, lambda x: tf().tanh(x)),
    "relu": (F.relu, lambda x: tf().relu(x)),
    "leaky_relu": (F.leaky_relu, lambda x: tf().leaky_relu(x)),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: tf().leaky_relu(x, 0.2)),
    "elu": (F.elu, lambda x: tf().elu(x)),
    "elu_alpha": (lambda x: F.elu(x, alpha=0.7), lambda x: tf().elu(x, alpha=0.7)),
    "selu": (F.selu, lambda x: tf().selu(x)),
    "gelu": (F.gelu, lambda x: tf().gelu(x)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: tf().gelu(x, approximate="tanh")),
    "softplus": (F.softplus, lambda x: tf().softplus(x)),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.5, threshold=3.0),
                      lambda x: tf().softplus(x, beta=2.5, threshold=3.0)),
}


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_activation(name, shape, rng):
    ours, theirs = ELEMENTWISE[name]
    check_op(ours, theirs, [shape], rng)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_wide_range_and_kinks(name):
    """Far tails (overflow paths, erf tails) and the kink points 0, thresholds."""
    if torch is None:
        pytest.skip("needs torch")
    ours, theirs = ELEMENTWISE[name]
    x = np.array([-40.0, -12.0, -6.5, -1.0, 0.0, 1e-3, 1.2, 7.9, 8.1, 19.9, 20.1, 35.0, 800.0])
    compare_with_torch(ours, theirs, [x])


@pytest.mark.parametrize("dim", [0, 1, -1])
@pytest.mark.parametrize("shape", [(3, 4), (2, 3, 5), (1, 6)])
def test_softmax_and_log_softmax(shape, dim, rng):
    check_op(lambda x: F.softmax(x, dim), lambda x: tf().softmax(x, dim), [shape], rng)
    check_op(lambda x: F.log_softmax(x, dim), lambda x: tf().log_softmax(x, dim), [shape], rng)


@pytest.mark.parametrize("fn", ["softmax", "log_softmax", "sigmoid", "softplus", "gelu", "elu"])
def test_extreme_logits_finite_and_equal_to_torch(fn):
    x = np.array([[-1e4, 0.0, 1e4], [1e4, 1e4, -1e4], [-1e4, -1e4, -1e4]])
    ours = nt.tensor(x, dtype=nt.float64, requires_grad=True)
    kwargs = {"dim": 1} if "softmax" in fn else {}
    y = getattr(F, fn)(ours, **kwargs)
    up = np.random.default_rng(0).standard_normal(x.shape)
    (y * nt.tensor(up, dtype=nt.float64)).sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(ours.grad.data))
    if torch is not None:
        compare_with_torch(lambda t: getattr(F, fn)(t, **kwargs),
                           lambda t: getattr(tf(), fn)(t, **kwargs), [x])


def test_float32_stays_float32(rng):
    x = nt.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    for y in (F.gelu(x), F.elu(x), F.selu(x), F.softplus(x), F.leaky_relu(x),
              F.softmax(x, 1), F.log_softmax(x, 1), F.gelu(x, approximate="tanh")):
        assert y.dtype == np.float32
        y.sum().backward()
        assert x.grad.dtype == np.float32


def test_softmax_dtype_casts_first(rng):
    x = nt.tensor(rng.standard_normal((2, 3)), requires_grad=True)
    for fn in (F.softmax, F.log_softmax):
        y = fn(x, 1, dtype=nt.float64)
        assert y.dtype == np.float64
        y.sum().backward()
        assert x.grad.dtype == np.float32
        np.testing.assert_allclose(y.data, fn(x, 1).data, rtol=1e-6, atol=1e-6)


def test_softmax_needs_dim():
    with pytest.raises(TypeError, match="softmax: dim is required"):
        F.softmax(nt.zeros(2, 3))
    with pytest.raises(TypeError, match="log_softmax: dim is required"):
        F.log_softmax(nt.zeros(2, 3))
    with pytest.raises(IndexError, match="softmax: dim 2 is out of range"):
        F.softmax(nt.zeros(2, 3), 2)
    with pytest.raises(TypeError, match="log_softmax: dim must be an int, got float"):
        F.log_softmax(nt.zeros(2, 3), 1.0)


def test_softmax_of_0d_tensor_is_one():
    x = nt.tensor(3.0, requires_grad=True)
    y = F.softmax(x, 0)
    assert y.item() == 1.0
    y.backward()
    assert x.grad.item() == 0.0


def test_gelu_rejects_unknown_approximation():
    with pytest.raises(ValueError, match="gelu: approximate must be 'none' or 'tanh', got 'fast'"):
        F.gelu(nt.zeros(3), approximate="fast")


def test_inplace_flag_is_accepted_and_returns_result():
    x = nt.tensor([-1.0, 2.0])
    np.testing.assert_array_equal(F.relu(x, inplace=True).data, [0.0, 2.0])
    np.testing.assert_allclose(F.leaky_relu(x, 0.5, True).data, [-0.5, 2.0])


@pytest.mark.parametrize("slope", [0.01, 0.2, 0.0, 1.0, -0.3, 2.5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_leaky_relu_special_values_and_slopes_match_torch(slope, dtype):
    """Values and gradients equal torch's bit for bit, also at NaN, +-0 and +-inf and for
    slopes outside [0, 1] (where the max(x, slope * x) shortcut does not apply)."""
    th = needs_torch()
    x = np.array([np.nan, 0.0, -0.0, -1.5, 2.0, np.inf, -np.inf, -3e-39, 7.25], dtype=dtype)
    g = np.arange(1.0, 10.0, dtype=dtype)
    ours = nt.tensor(x, dtype=dtype, requires_grad=True)
    y = F.leaky_relu(ours, slope)
    y.backward(nt.tensor(g, dtype=dtype))
    ref = th.tensor(x, requires_grad=True)
    y_ref = tf().leaky_relu(ref, slope)
    y_ref.backward(th.tensor(g))
    assert y.dtype == x.dtype and ours.grad.dtype == x.dtype
    np.testing.assert_array_equal(y.data, y_ref.detach().numpy())
    np.testing.assert_array_equal(ours.grad.data, ref.grad.numpy())
