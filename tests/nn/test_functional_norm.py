"""batch_norm and layer_norm: finite differences, the torch oracle, running statistics, errors."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import functional as F
from oracle import assert_close, check_gradients, compare_with_torch, needs_torch, torch

BN_SHAPES = [(5, 3), (2, 4), (1, 4, 3), (2, 3, 4), (2, 3, 2, 2)]


def tf():
    return needs_torch().nn.functional


def check(ours, theirs, arrays):
    check_gradients(ours, arrays)
    if torch is not None:
        compare_with_torch(ours, theirs, arrays)


def _affine(affine, c, rng):
    return [rng.uniform(0.5, 1.5, c), rng.uniform(-1, 1, c)] if affine else []


@pytest.fixture(params=["serial", "threads"])
def channel_ranges(request, monkeypatch):
    """Batch norm as usual, or (even on tiny inputs) in channel ranges on 3 threads."""
    from neuronet import parallel
    from neuronet.nn.functional import norm

    if request.param == "serial":
        yield
        return
    if not parallel._blas():
        pytest.skip("BLAS threads cannot be controlled here: parallel regions run serially")
    threads = parallel.get_num_threads()
    monkeypatch.setattr(norm, "_PARALLEL_BYTES", 0)
    parallel.set_num_threads(3)
    assert len(norm._channel_parts(np.zeros((2, 4, 3)))) == 3
    yield
    parallel.set_num_threads(threads)


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_training(shape, affine, rng, channel_ranges):
    arrays = [rng.uniform(-2, 2, shape)] + _affine(affine, shape[1], rng)
    check(lambda x, *wb: F.batch_norm(x, None, None, *wb, training=True, eps=1e-3),
          lambda x, *wb: tf().batch_norm(x, None, None, *wb, training=True, eps=1e-3),
          arrays)


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape", BN_SHAPES)
def test_batch_norm_eval_uses_running_stats(shape, affine, rng, channel_ranges):
    c = shape[1]
    mean, var = rng.standard_normal(c), rng.uniform(0.5, 2.0, c)
    ours_stats = [nt.tensor(a, dtype=nt.float64) for a in (mean, var)]
    torch_stats = [torch.tensor(a) for a in (mean, var)] if torch is not None else None
    arrays = [rng.uniform(-2, 2, shape)] + _affine(affine, c, rng)
    check(lambda x, *wb: F.batch_norm(x, *ours_stats, *wb, training=False),
          lambda x, *wb: tf().batch_norm(x, *torch_stats, *wb, training=False),
          arrays)


@pytest.mark.parametrize("momentum", [0.1, 0.35])
@pytest.mark.parametrize("shape", [(6, 3), (4, 2, 5), (3, 2, 2, 3)])
def test_batch_norm_running_stats_follow_torch(shape, momentum, rng, channel_ranges):
    th = needs_torch()
    c = shape[1]
    ours = [nt.zeros(c, dtype=nt.float64), nt.ones(c, dtype=nt.float64)]
    theirs = [th.zeros(c, dtype=th.float64), th.ones(c, dtype=th.float64)]
    w, b = rng.uniform(0.5, 1.5, c), rng.uniform(-1, 1, c)
    for _ in range(4):
        x = rng.normal(1.5, 3.0, shape)
        y = F.batch_norm(nt.tensor(x, dtype=nt.float64), *ours, nt.tensor(w, dtype=nt.float64),
                         nt.tensor(b, dtype=nt.float64), training=True, momentum=momentum)
        ref = tf().batch_norm(th.tensor(x), *theirs, th.tensor(w), th.tensor(b), training=True,
                              momentum=momentum)
        assert_close(y, ref, what="training output")
    assert_close(ours[0], theirs[0], what="running_mean")
    assert_close(ours[1], theirs[1], what="running_var")
    x = rng.normal(1.5, 3.0, shape)
    compare_with_torch(lambda t: F.batch_norm(t, *ours, training=False),
                       lambda t: tf().batch_norm(t, *theirs, training=False), [x])


def test_batch_norm_float32_running_stats_stay_float32(rng):
    mean, var = nt.zeros(3), nt.ones(3)
    y = F.batch_norm(nt.tensor(rng.standard_normal((4, 3))), mean, var, training=True)
    assert y.dtype == mean.dtype == var.dtype == np.float32


def test_batch_norm_errors():
    x = nt.zeros(4, 3)
    with pytest.raises(ValueError, match=(r"batch_norm: running_mean must have shape \(3,\), got "
                                          r"\(2,\)")):
        F.batch_norm(x, nt.zeros(2), nt.ones(2))
    with pytest.raises(ValueError, match=r"batch_norm: weight must have shape \(3,\), got \(4,\)"):
        F.batch_norm(x, None, None, nt.ones(4), training=True)
    with pytest.raises(ValueError, match="give both running_mean and running_var"):
        F.batch_norm(x, nt.zeros(3), None, training=True)
    with pytest.raises(ValueError, match="training=False needs running_mean and running_var"):
        F.batch_norm(x, None, None)
    with pytest.raises(ValueError, match="expected more than 1 value per channel when training"):
        F.batch_norm(nt.zeros(1, 3), None, None, training=True)
    with pytest.raises(ValueError, match=r"batch_norm: input must be \(N, C, \*\)"):
        F.batch_norm(nt.zeros(3), None, None, training=True)
    with pytest.raises(TypeError, match="batch_norm: input must be a floating point Tensor"):
        F.batch_norm(nt.tensor([[1, 2], [3, 4]]), None, None, training=True)


@pytest.mark.parametrize("affine", [False, True])
@pytest.mark.parametrize("shape,normalized", [
    ((4, 5), 5), ((4, 5), (5,)), ((2, 3, 4), (3, 4)), ((1, 6), [6]), ((3, 1, 4), 4), ((7,), 7),
])
def test_layer_norm(shape, normalized, affine, rng):
    ns = (normalized,) if isinstance(normalized, int) else tuple(normalized)
    arrays = [rng.uniform(-2, 2, shape)]
    if affine:
        arrays += [rng.uniform(0.5, 1.5, ns), rng.uniform(-1, 1, ns)]
    check(lambda x, *wb: F.layer_norm(x, normalized, *wb, eps=1e-4),
          lambda x, *wb: tf().layer_norm(x, ns, *wb, eps=1e-4),
          arrays)


def test_layer_norm_errors():
    with pytest.raises(ValueError, match=(r"layer_norm: the input's last dimensions must equal "
                                          r"normalized_shape \(4,\)")):
        F.layer_norm(nt.zeros(2, 3), 4)
    with pytest.raises(ValueError, match=r"layer_norm: the input's last dimensions .* \(2, 3, 4\)"):
        F.layer_norm(nt.zeros(3, 4), (2, 3, 4))
    with pytest.raises(ValueError, match=r"layer_norm: weight must have shape \(3,\), got \(2,\)"):
        F.layer_norm(nt.zeros(2, 3), 3, nt.ones(2))


@pytest.mark.parametrize("training", [True, False])
def test_batch_norm_5d_input(training, rng, channel_ranges):
    # (N, C, D, H, W), as BatchNorm3d: every axis but 1 is averaged over
    shape = (2, 3, 2, 3, 2)
    ours_stats = [nt.tensor(a, dtype=nt.float64)
                  for a in (rng.standard_normal(3), rng.uniform(0.5, 2.0, 3))]
    torch_stats = [torch.tensor(s.data) for s in ours_stats] if torch is not None else None
    check(lambda x, *wb: F.batch_norm(x, *ours_stats, *wb, training=training),
          lambda x, *wb: tf().batch_norm(x, *torch_stats, *wb, training=training),
          [rng.uniform(-2, 2, shape)] + _affine(True, 3, rng))


def test_float32_in_float32_out_with_gradients(rng):
    x = nt.tensor(rng.standard_normal((4, 3, 2, 2)), dtype=nt.float32, requires_grad=True)
    w = nt.tensor(rng.uniform(0.5, 1.5, 3), dtype=nt.float32, requires_grad=True)
    b = nt.tensor(rng.uniform(-1, 1, 3), dtype=nt.float32, requires_grad=True)
    for training in (True, False):
        y = F.batch_norm(x, nt.zeros(3), nt.ones(3), w, b, training=training)
        (y * y).sum().backward()
    y2 = F.layer_norm(x, (2, 2), nt.ones(2, 2, requires_grad=True), nt.zeros(2, 2))
    y2.sum().backward()
    assert y.dtype == y2.dtype == np.float32
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


def test_batch_norm_float32_keeps_precision_when_the_mean_dwarfs_the_spread(rng):
    # x = 1000 + N(0, 1) per channel: E[x^2] - E[x]^2 would lose every digit of the variance
    # in float32; centring first (the two-pass formula) keeps it
    th = needs_torch()
    x = (1000 + rng.standard_normal((16, 3, 4, 4))).astype(np.float32)
    g = rng.standard_normal(x.shape).astype(np.float32)
    ours = nt.tensor(x, requires_grad=True)
    F.batch_norm(ours, None, None, training=True).backward(nt.tensor(g))
    ref = th.tensor(x.astype(np.float64), requires_grad=True)
    y_ref = th.nn.functional.batch_norm(ref, None, None, training=True)
    y_ref.backward(th.tensor(g.astype(np.float64)))
    y = F.batch_norm(nt.tensor(x), None, None, training=True)
    assert_close(y, y_ref, rtol=1e-3, atol=1e-3, what="output")
    assert_close(ours.grad, ref.grad, rtol=1e-3, atol=1e-3, what="input gradient")
