"""Pooling: max/avg pool 1d/2d and adaptive average pooling against torch (float64, rtol
1e-10) and finite differences, over kernels, strides, paddings, dilations and ceil_mode;
max pooling's tie rule and indices as torch's; layers' repr; errors."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.nn import functional as F
from oracle import (
    assert_close,
    check_finite_differences,
    check_op,
    compare_with_torch,
    needs_torch,
    step_both,
    torch,
    twins,
)

if torch is not None:
    import torch.nn.functional as TF

MAX_POOL = [  # (input shape, keyword arguments)
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((1, 2, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 1, 9, 7), dict(kernel_size=(3, 2), stride=(2, 1), ceil_mode=True)),
    ((1, 2, 10, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((2, 2, 9, 10), dict(kernel_size=2, stride=1, dilation=(2, 3), padding=1)),
    ((3, 5, 5), dict(kernel_size=2, stride=1)),  # unbatched
]


def _both(name, **kw):
    return (lambda x: getattr(F, name)(x, **kw),
            lambda x: getattr(TF, name)(x, **kw) if torch else None)


@pytest.mark.parametrize("shape,kw", MAX_POOL)
def test_max_pool2d_matches_torch(rng, shape, kw):
    check_op(*_both("max_pool2d", **kw), [shape], rng)


@pytest.mark.parametrize("shape,kw", MAX_POOL[:5])
def test_max_pool2d_indices_match_torch(rng, shape, kw):
    th = needs_torch()
    x = rng.standard_normal(shape)
    out, idx = F.max_pool2d(nt.tensor(x, dtype=nt.float64), return_indices=True, **kw)
    ref, ref_idx = TF.max_pool2d(th.tensor(x), return_indices=True, **kw)
    assert_close(out, ref)
    assert idx.dtype == np.int64 and np.array_equal(idx.data, ref_idx.numpy())
    assert not idx.requires_grad


def test_max_pool_ties_route_the_gradient_to_the_first_maximum():
    """Constant windows (and ReLU zeros) tie everywhere: torch picks the first maximum in
    row-major window order; so must we, for overlapping windows too."""
    x = np.zeros((1, 1, 5, 6))
    x[0, 0, 2, 3] = x[0, 0, 2, 4] = x[0, 0, 3, 3] = 1.0
    for kw in [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)]:
        compare_with_torch(*_both("max_pool2d", **kw), [x])


def test_max_pool_propagates_nan_as_torch(rng):
    th = needs_torch()
    x = rng.standard_normal((1, 1, 4, 4))
    x[0, 0, 1, 0] = np.nan
    out = F.max_pool2d(nt.tensor(x, dtype=nt.float64), 2)
    ref = TF.max_pool2d(th.tensor(x), 2)
    assert np.array_equal(np.isnan(out.data), np.isnan(ref.numpy()))
    assert np.array_equal(out.data[~np.isnan(out.data)], ref.numpy()[~np.isnan(ref.numpy())])


@pytest.mark.parametrize("indices", [False, True])
@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)])
def test_max_pool_routes_the_gradient_to_the_last_nan_as_torch(kw, indices):
    """torch's scan takes every NaN it meets: in a window with several NaNs (and numbers)
    the last NaN in row-major order is the maximum's position (2x2 windows run the fast path
    unless indices are asked for)."""
    th = needs_torch()
    x = np.arange(36.0).reshape(1, 1, 6, 6)
    for h, w in [(0, 0), (1, 0), (1, 1), (0, 3), (3, 2), (2, 5), (5, 4), (4, 4)]:
        x[0, 0, h, w] = np.nan
    ours, theirs = nt.tensor(x, requires_grad=True), th.tensor(x, requires_grad=True)
    out, ref = (F.max_pool2d(ours, return_indices=indices, **kw),
                TF.max_pool2d(theirs, return_indices=indices, **kw))
    if indices:
        assert np.array_equal(out[1].data, ref[1].numpy())
        out, ref = out[0], ref[0]
    assert np.array_equal(out.data, ref.detach().numpy(), equal_nan=True)
    g = np.arange(1.0, 1.0 + out.data.size).reshape(out.shape)
    out.backward(nt.tensor(g))
    ref.backward(th.tensor(g))
    assert np.array_equal(ours.grad.data, theirs.grad.numpy())


@pytest.mark.parametrize("shape", [(2, 3, 8, 8), (2, 2, 7, 9), (1, 1, 2, 3)])
def test_two_by_two_fast_path_matches_torch(rng, shape):
    """2x2 windows at stride 2 take the fast path (odd sizes too: the last row or column is
    left out); ties at zero as after a ReLU go to the first maximum."""
    from neuronet.nn.functional.pooling import PoolGeometry

    assert PoolGeometry(shape, (2, 2), (2, 2), (0, 0), (1, 1), False).halves
    assert not PoolGeometry(shape, (2, 2), (2, 2), (0, 0), (1, 1), True).halves or (
        shape[2] % 2 == 0 and shape[3] % 2 == 0)
    check_op(*_both("max_pool2d", kernel_size=2), [shape], rng)
    x = np.maximum(rng.standard_normal(shape), 0)
    x[..., :2, :2] = 0.0  # an all-tied window
    compare_with_torch(*_both("max_pool2d", kernel_size=2), [x])


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=1, padding=1)])
def test_max_pool_routes_an_infinite_gradient_only_to_the_maximum(rng, kw):
    """An inf in the incoming gradient reaches its window's maximum and nothing else (a
    masked product inf * 0 would spread NaN over the window)."""
    th = needs_torch()
    x = rng.standard_normal((1, 2, 4, 4))
    ours, theirs = nt.tensor(x, requires_grad=True), th.tensor(x, requires_grad=True)
    out, ref = F.max_pool2d(ours, **kw), TF.max_pool2d(theirs, **kw)
    g = np.ones(out.shape)
    g[0, 1, 1, 1] = np.inf
    out.backward(nt.tensor(g))
    ref.backward(th.tensor(g))
    assert np.array_equal(ours.grad.data, theirs.grad.numpy())  # inf == inf, no NaN anywhere


AVG_POOL = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((1, 2, 7, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 7, 9), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((2, 1, 9, 8), dict(kernel_size=(3, 2), stride=2, padding=(1, 0), ceil_mode=True)),
    ((2, 1, 9, 8), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                        count_include_pad=False)),
    ((1, 2, 6, 6), dict(kernel_size=3, stride=1, divisor_override=5)),
    ((2, 5, 5), dict(kernel_size=2, stride=1)),  # unbatched
]


@pytest.mark.parametrize("shape,kw", AVG_POOL)
def test_avg_pool2d_matches_torch(rng, shape, kw):
    check_op(*_both("avg_pool2d", **kw), [shape], rng)


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 9), dict(kernel_size=2)),
    ((1, 2, 10), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((3, 7), dict(kernel_size=3, stride=1, dilation=2)),  # unbatched
])
def test_max_pool1d_matches_torch(rng, shape, kw):
    check_op(*_both("max_pool1d", **kw), [shape], rng)


def test_max_pool1d_indices_match_torch(rng):
    th = needs_torch()
    x = rng.standard_normal((2, 3, 11))
    _, idx = F.max_pool1d(nt.tensor(x), 3, 2, 1, return_indices=True)
    _, ref = TF.max_pool1d(th.tensor(x), 3, 2, 1, return_indices=True)
    assert np.array_equal(idx.data, ref.numpy())


@pytest.mark.parametrize("shape,kw", [
    ((2, 3, 9), dict(kernel_size=2)),
    ((1, 2, 10), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((3, 8), dict(kernel_size=(4,), stride=(3,), ceil_mode=True)),
])
def test_avg_pool1d_matches_torch(rng, shape, kw):
    check_op(*_both("avg_pool1d", **kw), [shape], rng)


@pytest.mark.parametrize("shape,size", [
    ((2, 3, 8, 8), 1),  # global average pooling
    ((1, 2, 7, 9), (3, 4)),  # bins of unequal size that overlap
    ((2, 1, 5, 6), (7, 6)),  # larger than the input: repeats
    ((1, 2, 6, 5), (None, 2)),
    ((3, 6, 6), (2, 3)),  # unbatched
])
def test_adaptive_avg_pool2d_matches_torch(rng, shape, size):
    check_op(*_both("adaptive_avg_pool2d", output_size=size), [shape], rng)


def test_adaptive_avg_pool1d_matches_torch(rng):
    check_op(*_both("adaptive_avg_pool1d", output_size=4), [(2, 3, 11)], rng)


def test_float32_stays_float32(rng):
    x = nt.tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    outs = [F.max_pool2d(x, 2), F.avg_pool2d(x, 3, 1, 1, count_include_pad=False),
            F.adaptive_avg_pool2d(x, 4)]
    assert all(o.dtype == np.float32 for o in outs)
    sum(o.sum() for o in outs).backward()
    assert x.grad.dtype == np.float32


LAYERS = [
    (lambda lib: lib.MaxPool2d(2), (2, 3, 6, 6)),
    (lambda lib: lib.MaxPool2d((3, 2), stride=1, padding=1, dilation=1, ceil_mode=True),
     (1, 2, 5, 6)),
    (lambda lib: lib.AvgPool2d(3, stride=2, padding=1), (2, 2, 7, 7)),
    (lambda lib: lib.AvgPool2d(2, ceil_mode=True, count_include_pad=False), (1, 2, 5, 5)),
    (lambda lib: lib.AdaptiveAvgPool2d((1, 1)), (2, 3, 5, 4)),
    (lambda lib: lib.AdaptiveAvgPool2d(3), (2, 3, 5, 4)),
    (lambda lib: lib.MaxPool1d(3, stride=2), (2, 3, 9)),
    (lambda lib: lib.AvgPool1d(2), (2, 3, 9)),
    (lambda lib: lib.AdaptiveAvgPool1d(2), (2, 3, 9)),
]


@pytest.mark.parametrize("build,shape", LAYERS)
def test_layers_match_torch(rng, build, shape):
    ours, theirs = twins(build)
    x = rng.standard_normal(shape)
    step_both(ours, theirs, x)
    assert repr(ours) == repr(theirs)
    check_finite_differences(ours, x)


def test_max_pool_layer_with_indices(rng):
    th = needs_torch()
    x = rng.standard_normal((1, 2, 6, 6))
    out, idx = nn.MaxPool2d(2, return_indices=True)(nt.tensor(x))
    _, ref = th.nn.MaxPool2d(2, return_indices=True)(th.tensor(x))
    assert np.array_equal(idx.data, ref.numpy())


@pytest.mark.parametrize("call,match", [
    (lambda: F.max_pool2d(nt.zeros(1, 1, 1, 4), 2),
     r"max_pool2d: input of shape \(1, 1, 1, 4\) is too small for kernel \(2, 2\)"),
    (lambda: F.max_pool2d(nt.zeros(8, 8), 2), r"max_pool2d: expected 3-D .* or 4-D .* \(8, 8\)"),
    (lambda: F.max_pool2d(nt.zeros(1, 1, 8, 8), 2, padding=2), r"at most half"),
    (lambda: F.max_pool2d(nt.zeros(1, 1, 9, 9), 2, 1, padding=2, dilation=3), r"at most half"),
    (lambda: F.avg_pool2d(nt.zeros(1, 1, 8, 8), 3, padding=2), r"avg_pool2d: padding .* half"),
    (lambda: F.avg_pool2d(nt.zeros(1, 1, 8, 8), 3, divisor_override=0), r"divisor_override"),
    (lambda: F.max_pool1d(nt.zeros(1, 1, 2), 3), r"max_pool1d: input of shape"),
    (lambda: F.avg_pool1d(nt.zeros(2, 3, 4, 5), 2), r"avg_pool1d: expected 2-D .* or 3-D"),
    (lambda: F.max_pool2d(nt.zeros(1, 1, 8, 8), 0), r"kernel_size must be >= 1"),
    (lambda: F.adaptive_avg_pool2d(nt.zeros(1, 1, 8, 8), 0), r"adaptive_avg_pool2d: output_size"),
    (lambda: F.adaptive_avg_pool2d(nt.zeros(1, 8), 2), r"adaptive_avg_pool2d: expected 3-D"),
    (lambda: nn.MaxPool2d(3)(nt.zeros(1, 1, 2, 2)), r"MaxPool2d\(kernel_size=3.*\): max_pool2d: "
                                                    r"input of shape \(1, 1, 2, 2\)"),
    (lambda: nn.AvgPool2d(2)(nt.zeros(4)), r"AvgPool2d\(kernel_size=2.*expected 3-D"),
])
def test_bad_input_names_the_op_and_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_non_float_input_is_a_type_error():
    with pytest.raises(TypeError, match=r"max_pool2d: input must be a floating point Tensor"):
        F.max_pool2d(nt.tensor(np.zeros((1, 1, 4, 4), np.int64)), 2)


def test_empty_batch_gives_empty_outputs_and_gradients():
    x = nt.zeros(0, 3, 8, 8, requires_grad=True)
    outs = [F.max_pool2d(x, 2), F.avg_pool2d(x, 2), F.adaptive_avg_pool2d(x, 2)]
    assert [tuple(o.shape) for o in outs] == [(0, 3, 4, 4), (0, 3, 4, 4), (0, 3, 2, 2)]
    sum(o.sum() for o in outs).backward()
    assert x.grad.shape == (0, 3, 8, 8)
