"""The backward engine: chains, reuse, retained graphs, grad modes, anomalies, errors."""

import gc
import weakref

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd import Function
from oracle import assert_close, needs_torch


def test_long_chain_is_iterative():
    x = nt.tensor(1.0, dtype=nt.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    y.backward()
    assert x.grad.item() == 1.0


def test_tensor_used_many_times_accumulates():
    x = nt.tensor([2.0, -3.0], dtype=nt.float64, requires_grad=True)
    y = x * x + x * 3 + x  # d/dx = 2x + 4
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [8.0, -2.0])


def test_diamond_graph_matches_torch():
    th = needs_torch()
    a = np.array([0.3, -1.2, 2.0])
    x = nt.tensor(a, dtype=nt.float64, requires_grad=True)
    tx = th.tensor(a, requires_grad=True)
    for t, lib in ((x, nt), (tx, th)):
        h = lib.tanh(t)
        u, v = h * h, lib.exp(h)
        (u * v + u / (v + 1)).sum().backward()
    assert_close(x.grad, tx.grad, what="diamond gradient")


def test_grads_accumulate_across_backward_calls():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, 6.0])


def test_graph_is_freed_after_backward():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_retain_graph_allows_second_backward():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


def test_saved_arrays_are_released():
    x = nt.tensor(np.ones(1000), requires_grad=True)
    y = x.exp()
    ref = weakref.ref(y.grad_fn)
    fn = y.grad_fn
    y.sum().backward()
    assert fn.released and "y" not in fn.__dict__
    del y, fn
    gc.collect()
    assert ref() is None


def test_no_grad_and_enable_grad():
    x = nt.tensor([1.0], requires_grad=True)
    with nt.no_grad():
        y = x * 2
        with nt.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad
    assert nt.is_grad_enabled()

    @nt.no_grad()
    def f(t):
        return t * 2

    assert not f(x).requires_grad


def test_detach_shares_data_and_cuts_graph():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    d = (x * 2).detach()
    assert not d.requires_grad and d.grad_fn is None
    y = (x * d).sum()
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])


def test_retain_grad_on_intermediate():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    h = x * 3
    h.retain_grad()
    (h * h).sum().backward()
    np.testing.assert_array_equal(h.grad.data, [6.0, 12.0])
    assert h.grad.shape == h.shape


def test_backward_with_explicit_gradient():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    y.backward(nt.tensor([1.0, 0.0, -1.0]))
    np.testing.assert_array_equal(x.grad.data, [2.0, 0.0, -6.0])


def test_non_scalar_backward_without_gradient_is_a_clear_error():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"one-element output.*shape \(2,\)"):
        (x * 2).backward()


def test_backward_gradient_of_wrong_shape():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(ValueError, match=r"gradient has shape \(3,\)"):
        (x * 2).backward(nt.ones(3))


def test_backward_on_tensor_without_grad():
    with pytest.raises(RuntimeError, match="does not require grad"):
        nt.ones(2).sum().backward()


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="only floating point tensors can require gradients"):
        nt.tensor([1, 2, 3], requires_grad=True)


def test_gradients_keep_dtype():
    for dtype in (nt.float32, nt.float64):
        x = nt.tensor([1.0, 2.0], dtype=dtype, requires_grad=True)
        (x * 0.1).sum().backward()
        assert x.grad.dtype == dtype


def test_leaf_gradient_is_not_aliased_between_inputs():
    a = nt.tensor([1.0, 2.0], requires_grad=True)
    b = nt.tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()
    a.grad.data *= 10  # e.g. gradient clipping in place
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])


def test_detect_anomaly_names_the_forward_op():
    x = nt.tensor([-1.0, 1.0], requires_grad=True)
    with nt.detect_anomaly():
        with pytest.raises(FloatingPointError, match="Log produced NaN in its forward"):
            with np.errstate(invalid="ignore"):
                x.log()


def test_detect_anomaly_names_the_backward_op():
    x = nt.tensor([0.0, 1.0], requires_grad=True)
    with nt.detect_anomaly():
        y = x.sqrt()  # finite forward, infinite gradient at 0
        with pytest.raises(FloatingPointError, match="Sqrt produced Inf in its backward"):
            with np.errstate(divide="ignore"):
                y.sum().backward()


def test_anomaly_detection_is_off_by_default():
    x = nt.tensor([-1.0], requires_grad=True)
    with np.errstate(invalid="ignore"):
        assert np.isnan(x.log().item())


def test_multi_output_function():
    class SplitHalves(Function):
        def forward(self, x):
            n = x.shape[0] // 2
            return x[:n] * 2, x[n:] * 3

        def backward(self, ga, gb):
            return np.concatenate([ga * 2, gb * 3])

    x = nt.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    a, b = SplitHalves.apply(x)
    b.sum().backward()  # only one output used: the other gets a zero gradient
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 3.0, 3.0])


def test_manual_seed_is_reproducible():
    nt.manual_seed(7)
    a = nt.randn(5).data.copy()
    nt.manual_seed(7)
    np.testing.assert_array_equal(a, nt.randn(5).data)
    gen = np.random.default_rng(3)
    b = nt.rand(3, generator=gen)
    assert b.dtype == np.float32


def test_tensor_construction_defaults():
    assert nt.tensor([1.0, 2.0]).dtype == np.float32
    assert nt.tensor(np.zeros(2)).dtype == np.float32  # float64 arrays become the default
    assert nt.tensor([1.0], dtype=nt.float64).dtype == np.float64
    assert nt.tensor([1, 2]).dtype == np.int64
    assert nt.tensor([True]).dtype == np.bool_
    nt.set_default_dtype(nt.float64)
    try:
        assert nt.tensor([1.0]).dtype == np.float64
    finally:
        nt.set_default_dtype(nt.float32)


def test_tensor_basics():
    x = nt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.shape == (2, 2) and x.ndim == 2 and x.numel() == 4 and len(x) == 2
    assert x.T.shape == (2, 2) and x.T.data[0, 1] == 3.0
    assert nt.tensor(3.5).item() == 3.5
    with pytest.raises(RuntimeError, match="detach"):
        x.numpy()
    assert x.detach().numpy() is x.data
    assert "requires_grad=True" in repr(x)
    assert "grad_fn=<MulBackward>" in repr(x * 2)
    with pytest.raises(ValueError, match="item"):
        x.item()


@pytest.mark.parametrize("swap", [False, True])
def test_gradient_kept_without_copy_is_not_corrupted_by_later_accumulation(swap):
    # The same upstream array G reaches leaf `a` directly (through a + h) and also travels on
    # to exp(); another path then adds 3G into a.grad. If a.grad had been stored as G itself
    # and added to in place, exp's backward would read a corrupted G.
    a = nt.tensor([0.5, -1.0, 2.0], dtype=nt.float64, requires_grad=True)
    z = a + a.exp()
    w = a * 3.0
    out = ((w + z) if swap else (z + w)) * 1.0
    out.backward(nt.tensor([1.0, 2.0, 3.0], dtype=nt.float64))
    expected = np.array([1.0, 2.0, 3.0]) * (1 + np.exp(a.data) + 3)
    np.testing.assert_allclose(a.grad.data, expected, rtol=1e-12)


def test_two_leaves_never_share_one_gradient_array():
    a = nt.tensor([1.0, 2.0], requires_grad=True)
    b = nt.tensor([3.0, 4.0], requires_grad=True)
    ((a + b) * 2.0).sum().backward()
    assert not np.shares_memory(a.grad.data, b.grad.data)
    a.grad.data *= 10
    np.testing.assert_array_equal(b.grad.data, [2.0, 2.0])


def test_explicit_gradient_array_is_not_aliased():
    x = nt.tensor([1.0, 2.0], requires_grad=True)
    g = np.array([1.0, 1.0], dtype=np.float32)
    (x + 0.0).backward(g)
    (x + 0.0).backward(g)
    np.testing.assert_array_equal(g, [1.0, 1.0])
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])
