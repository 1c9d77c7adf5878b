"""linear, dropout and one_hot of neuronet.nn.functional."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import functional as F
from oracle import check_gradients, compare_with_torch, needs_torch, torch


def tf():
    return needs_torch().nn.functional


# ----- linear ------------------------------------------------------------------------------
@pytest.mark.parametrize("with_bias", [True, False])
@pytest.mark.parametrize("x_shape,w_shape", [
    ((4, 3), (5, 3)), ((1, 3), (2, 3)), ((3,), (4, 3)), ((2, 3, 5), (4, 5)), ((2, 1, 2, 3), (1, 3)),
])
def test_linear(x_shape, w_shape, with_bias, rng):
    arrays = [rng.uniform(-2, 2, x_shape), rng.uniform(-1, 1, w_shape)]
    if with_bias:
        arrays.append(rng.uniform(-1, 1, w_shape[:1]))
    check_gradients(F.linear, arrays)
    if torch is not None:
        compare_with_torch(F.linear, tf().linear, arrays)


def test_linear_first_layer_computes_no_input_gradient(rng, monkeypatch):
    """The input of the first layer needs no gradient: that GEMM is skipped, the rest is right."""
    x = nt.tensor(rng.standard_normal((6, 4)), dtype=nt.float64)
    w = nt.tensor(rng.standard_normal((3, 4)), dtype=nt.float64, requires_grad=True)
    b = nt.tensor(rng.standard_normal(3), dtype=nt.float64, requires_grad=True)
    y = F.linear(x, w, b)
    assert y.grad_fn.needs_input_grad == (False, True, True)
    up = rng.standard_normal((6, 3))
    y.backward(nt.tensor(up, dtype=nt.float64))
    assert x.grad is None
    np.testing.assert_allclose(w.grad.data, up.T @ x.data, rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, up.sum(0), rtol=1e-12)


def test_linear_keeps_float32(rng):
    x = nt.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    w = nt.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    b = nt.zeros(3, requires_grad=True)
    y = F.linear(x, w, b)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_linear_errors():
    with pytest.raises(ValueError, match=(r"linear: expected input with in_features=3 in its last "
                                          r"dimension, got input of shape \(2, 4\)")):
        F.linear(nt.zeros(2, 4), nt.zeros(5, 3))
    with pytest.raises(ValueError, match=r"linear: expected bias of shape \(5,\), got \(3,\)"):
        F.linear(nt.zeros(2, 3), nt.zeros(5, 3), nt.zeros(3))
    with pytest.raises(ValueError, match=r"linear: weight must be 2-D"):
        F.linear(nt.zeros(2, 3), nt.zeros(3))
    with pytest.raises(TypeError, match=("linear: input, weight and bias must share one floating "
                                         "point dtype")):
        F.linear(nt.zeros(2, 3, dtype=nt.float64), nt.zeros(5, 3))
    with pytest.raises(TypeError, match="linear: input and weight must be Tensors"):
        F.linear(np.zeros((2, 3)), nt.zeros(5, 3))


# ----- dropout -----------------------------------------------------------------------------
def test_dropout_identity_when_not_training_or_p_zero():
    x = nt.randn(4, 5, requires_grad=True)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x


@pytest.mark.parametrize("p", [0.2, 0.5, 0.9])
def test_dropout_mask_scaling_and_mean(p):
    x = nt.ones(200, 500, requires_grad=True)
    y = F.dropout(x, p)
    kept = y.data != 0
    np.testing.assert_allclose(y.data[kept], 1 / (1 - p), rtol=1e-6)
    assert abs(kept.mean() - (1 - p)) < 0.01  # 100,000 draws: 4+ standard deviations
    assert abs(y.data.mean() - 1.0) < 0.05  # inverted dropout keeps the expected value
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, y.data)  # gradient passes through the same mask
    assert y.dtype == np.float32


def test_dropout_p_one_zeroes_everything():
    x = nt.ones(3, 4, requires_grad=True)
    y = F.dropout(x, 1.0)
    np.testing.assert_array_equal(y.data, 0)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, 0)


def test_dropout_reproducible():
    x = nt.ones(10, 10)
    nt.manual_seed(7)
    a = F.dropout(x, 0.5).data
    nt.manual_seed(7)
    b = F.dropout(x, 0.5).data
    c = F.dropout(x, 0.5).data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(b, c)
    d = F.dropout(x, 0.5, generator=np.random.default_rng(3)).data
    e = F.dropout(x, 0.5, generator=np.random.default_rng(3)).data
    np.testing.assert_array_equal(d, e)


def test_dropout_gradient_matches_finite_differences(rng):
    """With a fixed generator per call, dropout is a fixed linear map: check it numerically."""
    check_gradients(lambda x: F.dropout(x, 0.3, generator=5), [rng.standard_normal((4, 6))])


@pytest.mark.parametrize("p", [-0.1, 1.5])
def test_dropout_bad_p(p):
    with pytest.raises(ValueError, match=(f"dropout: probability p must be between 0 and 1, got "
                                          f"{p}")):
        F.dropout(nt.ones(3), p)


# ----- one_hot -----------------------------------------------------------------------------
@pytest.mark.parametrize("labels,num_classes", [
    ([0, 2, 1], -1), ([0, 2, 1], 5), ([[1, 0], [3, 3]], -1), (4, 6), ([], 3),
])
def test_one_hot_matches_torch(labels, num_classes):
    ours = F.one_hot(nt.tensor(np.array(labels, dtype=np.int64)), num_classes)
    assert ours.dtype == np.int64
    expected = np.eye(max(num_classes, int(np.max(labels, initial=0)) + 1), dtype=np.int64)[
        np.array(labels, dtype=np.int64)]
    np.testing.assert_array_equal(ours.data, expected)
    if torch is not None:
        ref = tf().one_hot(torch.tensor(labels, dtype=torch.int64), num_classes)
        np.testing.assert_array_equal(ours.data, ref.numpy())


def test_one_hot_errors():
    with pytest.raises(ValueError, match="one_hot: class values must be non-negative, got -1"):
        F.one_hot(nt.tensor([0, -1]))
    with pytest.raises(ValueError, match="one_hot: class value 3 is too large for num_classes=3"):
        F.one_hot(nt.tensor([0, 3]), 3)
    with pytest.raises(TypeError, match=("one_hot: expects an integer tensor of class indices, "
                                         "got dtype float32")):
        F.one_hot(nt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="one_hot: cannot infer num_classes from an empty tensor"):
        F.one_hot(nt.tensor(np.zeros(0, dtype=np.int64)))
    with pytest.raises(ValueError, match="one_hot: num_classes must be a positive int or -1"):
        F.one_hot(nt.tensor([0]), 0)


# ----- no silent float64 ---------------------------------------------------------------------
def _f32(rng, *shape):
    return nt.tensor(rng.uniform(0.1, 0.9, shape), requires_grad=True)


FLOAT32_CASES = {
    "cross_entropy": lambda r, t, w: F.cross_entropy(_f32(r, 4, 3), t, w, label_smoothing=0.2),
    "cross_entropy_none": lambda r, t, w: F.cross_entropy(_f32(r, 4, 3), t, reduction="none",
                                                          label_smoothing=0.1),
    "cross_entropy_probs": lambda r, t, w: F.cross_entropy(_f32(r, 4, 3), _f32(r, 4, 3), w,
                                                           label_smoothing=0.1),
    "nll_loss": lambda r, t, w: F.nll_loss(_f32(r, 4, 3), t, w),
    "multi_margin_loss": lambda r, t, w: F.multi_margin_loss(_f32(r, 4, 3), t.clamp(min=0), p=2,
                                                             weight=w),
    "bce": lambda r, t, w: F.binary_cross_entropy(_f32(r, 4, 3), _f32(r, 4, 3), w,
                                                  reduction="none"),
    "bce_logits": lambda r, t, w: F.binary_cross_entropy_with_logits(
        _f32(r, 4, 3), _f32(r, 4, 3), w, pos_weight=w, reduction="none"),
    "huber": lambda r, t, w: F.huber_loss(_f32(r, 4, 3), _f32(r, 4, 3), "none", delta=0.3),
    "smooth_l1": lambda r, t, w: F.smooth_l1_loss(_f32(r, 4, 3), _f32(r, 4, 3), beta=0.3,
                                                  reduction="none"),
    "gelu": lambda r, t, w: F.gelu(_f32(r, 4, 3)),
    "elu": lambda r, t, w: F.elu(_f32(r, 4, 3), alpha=0.5),
    "softplus": lambda r, t, w: F.softplus(_f32(r, 4, 3), beta=2),
    "batch_norm": lambda r, t, w: F.batch_norm(_f32(r, 4, 3), nt.zeros(3), nt.ones(3), w, w,
                                               training=True),
    "layer_norm": lambda r, t, w: F.layer_norm(_f32(r, 4, 3), 3, w, w),
}


@pytest.mark.parametrize("name", sorted(FLOAT32_CASES))
def test_float32_forward_and_backward_never_upcast(name, rng):
    """The engine would cast a float64 gradient back, hiding the cost: call backward directly
    (per-element reductions where a loss would otherwise end in the core `mean` op)."""
    y = FLOAT32_CASES[name](rng, nt.tensor([0, 1, -100, 2]), nt.tensor(rng.uniform(0.5, 2, 3)))
    assert y.dtype == np.float32
    grads = y.grad_fn.backward(np.ones(y.shape, np.float32))
    grads = grads if isinstance(grads, tuple) else (grads,)
    assert all(g is None or np.asarray(g).dtype == np.float32 for g in grads)
