"""Winograd F(2x2, 3x3) convolutions (winograd.py): output, input, weight and bias gradients
against the im2col reference path, torch and finite differences, over odd sizes, paddings
0/1/2 and asymmetric, batch 1, odd channel counts, chunks on threads and empty batches;
float32 error no larger than im2col's; which layers take the fast path."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import parallel
from neuronet.nn import functional as F
from neuronet.nn.functional import winograd
from neuronet.nn.functional.im2col import ConvGeometry
from neuronet.nn.functional.winograd import WinogradGeometry, applies
from oracle import assert_close, check_op, needs_torch, step_both, torch, twins

if torch is not None:
    import torch.nn.functional as TF

CASES = [  # (input shape, output channels, padding (top, bottom, left, right))
    ((2, 3, 7, 6), 5, (1, 1, 1, 1)),  # odd height: one row of tiles half cropped
    ((1, 4, 5, 5), 2, (0, 0, 0, 0)),  # batch 1, no padding, 3x3 output
    ((3, 17, 8, 9), 19, (1, 1, 1, 1)),
    ((1, 5, 3, 3), 3, (0, 0, 0, 0)),  # a 1x1 output
    ((2, 6, 10, 11), 7, (2, 0, 1, 2)),  # asymmetric, a padding of 2
    ((2, 1, 1, 1), 3, (1, 1, 1, 1)),  # one pixel, one channel
    ((1, 2, 4, 7), 1, (1, 1, 0, 0)),
]


def _reference(x, w, b, dy, padding):
    """(y, dx, dw) by the im2col path."""
    geometry = ConvGeometry(x.shape, w.shape, (1, 1), padding, (1, 1), 1)
    y, saved = geometry.convolve(x, w, b)
    dx, dw = geometry.gradients(dy, w, saved, True, True)
    geometry.release()
    return y, dx, dw


@pytest.mark.parametrize("x_shape,out_channels,padding", CASES)
def test_matches_the_im2col_path(rng, x_shape, out_channels, padding):
    x = rng.standard_normal(x_shape)
    w = rng.standard_normal((out_channels, x_shape[1], 3, 3))
    b = rng.standard_normal(out_channels)
    geometry = WinogradGeometry(ConvGeometry(x.shape, w.shape, (1, 1), padding, (1, 1), 1))
    y, saved = geometry.convolve(x, w, b)
    dy = rng.standard_normal(y.shape)
    ref_y, ref_dx, ref_dw = _reference(x, w, b, dy, padding)
    assert y.shape == ref_y.shape == geometry.output_shape
    np.testing.assert_allclose(y, ref_y, rtol=1e-12, atol=1e-12)
    dx, dw = geometry.gradients(dy, w, saved, True, True)
    np.testing.assert_allclose(dx, ref_dx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dw, ref_dw, rtol=1e-12, atol=1e-12)
    only_dx, none = geometry.gradients(dy, w, saved, True, False)
    none_too, only_dw = geometry.gradients(dy, w, saved, False, True)
    assert none is None and none_too is None
    np.testing.assert_array_equal(only_dx, dx)
    np.testing.assert_array_equal(only_dw, dw)


@pytest.fixture
def every_3x3(monkeypatch):
    """Winograd for every 3x3 stride-1 convolution, however few its channels and small its
    planes; yields the list of geometries it ran forward on."""
    monkeypatch.setattr(winograd, "_MIN_CHANNELS", 1)
    monkeypatch.setattr(winograd, "_MIN_OUTPUTS", 1)
    ran = []
    convolve = WinogradGeometry.convolve

    def spy(self, *args):
        ran.append(self)
        return convolve(self, *args)

    monkeypatch.setattr(WinogradGeometry, "convolve", spy)
    return ran


@pytest.mark.parametrize("x_shape,w_shape,kw", [
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding=1)),
    ((1, 2, 5, 8), (3, 2, 3, 3), {}),
    ((3, 5, 6, 5), (2, 5, 3, 3), dict(padding=(2, 0))),
    ((2, 2, 4, 3), (5, 2, 3, 3), dict(padding="same")),
    ((4, 3), (2, 1, 3, 3), dict(padding=1)),  # unbatched 1-channel (C, H, W) = (1, 4, 3)
])
def test_conv2d_matches_torch_and_finite_differences(rng, every_3x3, x_shape, w_shape, kw):
    if len(x_shape) == 2:
        x_shape = (1, *x_shape)
    check_op(lambda x, w, b: F.conv2d(x, w, b, **kw),
             lambda x, w, b: TF.conv2d(x, w, b, **kw) if torch else None,
             [x_shape, w_shape, (w_shape[0],)], rng)
    assert every_3x3, "the Winograd path did not run"


def test_chunks_on_threads_give_the_same_results(rng, monkeypatch):
    """One sample per chunk, 7 chunks on 3 threads: each thread sums its own weight
    gradient and writes only its own samples."""
    if not parallel._blas():
        pytest.skip("BLAS threads cannot be controlled here: parallel regions run serially")
    monkeypatch.setattr(winograd, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(winograd, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(winograd, "_PARALLEL_TILES", 0)
    threads = parallel.get_num_threads()
    parallel.set_num_threads(3)
    try:
        x, w, b = (rng.standard_normal(s) for s in [(7, 6, 5, 9), (5, 6, 3, 3), (5,)])
        geometry = WinogradGeometry(ConvGeometry(x.shape, w.shape, (1, 1), (1, 1, 1, 1),
                                                 (1, 1), 1))
        assert geometry._plan(8) == ([(i, i + 1) for i in range(7)], 3)
        y, saved = geometry.convolve(x, w, b)
        dy = rng.standard_normal(y.shape)
        dx, dw = geometry.gradients(dy, w, saved, True, True)
    finally:
        parallel.set_num_threads(threads)
    for ours, ref in zip((y, dx, dw), _reference(x, w, b, dy, (1, 1, 1, 1))):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_uneven_chunks_give_the_same_results(rng, monkeypatch):
    """Chunks of 1 and 2 samples: the phases of a smaller chunk are laid out differently
    in the same scratch memory, whose zeros must be laid out again."""
    x, w = rng.standard_normal((3, 4, 6, 7)), rng.standard_normal((2, 4, 3, 3))
    geometry = WinogradGeometry(ConvGeometry(x.shape, w.shape, (1, 1), (1, 1, 1, 1), (1, 1),
                                             1))
    per_sample = 16 * 4 * geometry.R * geometry.Q * 8  # bytes of V
    monkeypatch.setattr(winograd, "_CHUNK_BYTES", per_sample * 3 // 2)
    assert geometry._plan(8) == ([(0, 1), (1, 3)], 1)
    y, saved = geometry.convolve(x, w, None)
    dy = rng.standard_normal(y.shape)
    dx, dw = geometry.gradients(dy, w, saved, True, True)
    for ours, ref in zip((y, dx, dw), _reference(x, w, None, dy, (1, 1, 1, 1))):
        np.testing.assert_allclose(ours, ref, rtol=1e-12, atol=1e-12)


def test_empty_batch(every_3x3):
    x = nt.zeros(0, 3, 5, 5, requires_grad=True)
    w = nt.ones(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    y.sum().backward()
    assert y.shape == (0, 4, 5, 5) and x.grad.shape == (0, 3, 5, 5)
    assert np.all(w.grad.data == 0) and every_3x3


@pytest.mark.parametrize("shape,channels", [((4, 64, 16, 16), 64), ((2, 128, 8, 8), 256),
                                            ((3, 16, 9, 7), 24)])
def test_float32_error_is_that_of_im2col_and_torch(rng, every_3x3, shape, channels):
    """float32 results against float64 torch: the largest error, relative to the largest
    value, of each of y, dx, dweight and dbias within 2e-6 (measured: at most 9.1e-7,
    im2col 7.4e-7, torch's own float32 1.2e-6), and within 1e-5 of torch's float32."""
    th = needs_torch()
    x = rng.standard_normal(shape)
    w = rng.standard_normal((channels, shape[1], 3, 3)) * np.sqrt(2 / (9 * shape[1]))
    b = rng.standard_normal(channels)
    dy = rng.standard_normal((shape[0], channels, *shape[2:]))
    ours = [nt.tensor(a.astype(np.float32), requires_grad=True) for a in (x, w, b)]
    y = F.conv2d(*ours, padding=1)
    (y * nt.tensor(dy.astype(np.float32))).sum().backward()
    results = [y] + [t.grad for t in ours]
    for dtype, bound in ((th.float64, 2e-6), (th.float32, 1e-5)):
        theirs = [th.tensor(a, dtype=dtype, requires_grad=True) for a in (x, w, b)]
        ref = TF.conv2d(*theirs, padding=1)
        (ref * th.tensor(dy, dtype=dtype)).sum().backward()
        for what, a, r in zip(("y", "dx", "dweight", "dbias"), results,
                              [ref] + [t.grad for t in theirs]):
            r = r.detach().double().numpy()
            assert a.dtype == np.float32
            assert_close(a, r, rtol=0, atol=bound * np.abs(r).max(), what=f"{what} ({dtype})")
    assert every_3x3, "the Winograd path did not run"


def test_layers_of_a_residual_stage_match_torch(rng):
    """nn.Conv2d layers that take the fast path by themselves (16 and 24 channels, 16x16
    and 17x16 planes, with and without bias), between batch norm and ReLU as in ResNet:
    output, input and parameter gradients as torch's (float64, rtol 1e-10)."""
    def build(lib):
        return lib.Sequential(
            lib.Conv2d(16, 24, 3, padding=1, bias=False), lib.BatchNorm2d(24), lib.ReLU(),
            lib.Conv2d(24, 16, 3, padding=1), lib.ReLU(),
        )

    ran = []
    convolve = WinogradGeometry.convolve

    def spy(self, *args):
        ran.append(self)
        return convolve(self, *args)

    ours, theirs = twins(build)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(WinogradGeometry, "convolve", spy)
        for shape in [(2, 16, 16, 16), (3, 16, 17, 16)]:
            step_both(ours, theirs, rng.standard_normal(shape))
    assert len(ran) == 4


def _geometry(x_shape, w_shape, stride=(1, 1), padding=(1, 1, 1, 1), dilation=(1, 1),
              groups=1):
    return ConvGeometry(x_shape, w_shape, stride, padding, dilation, groups)


def test_which_convolutions_take_it():
    """3x3 at stride 1, no dilation, one group, >= 16 channels in and out, output planes
    of >= 256 positions: ResNet's 3x3 layers on 32x32 and 16x16 planes; not strided,
    dilated, grouped, other kernels, few channels, small planes or the cropped geometry of
    a transposed convolution's large output_padding."""
    assert applies(_geometry((32, 64, 32, 32), (64, 64, 3, 3)))
    assert applies(_geometry((1, 128, 16, 16), (128, 128, 3, 3)))
    assert applies(_geometry((1, 16, 18, 18), (17, 16, 3, 3), padding=(0, 0, 0, 0)))
    assert not applies(_geometry((1, 16, 17, 17), (17, 16, 3, 3), padding=(0, 0, 0, 0)))
    assert not applies(_geometry((1, 256, 8, 8), (256, 256, 3, 3)))
    assert not applies(_geometry((1, 64, 32, 32), (64, 64, 3, 3), stride=(2, 2)))
    assert not applies(_geometry((1, 64, 32, 32), (64, 64, 3, 3), dilation=(2, 2)))
    assert not applies(_geometry((1, 64, 32, 32), (64, 32, 3, 3), groups=2))
    assert not applies(_geometry((1, 64, 32, 32), (64, 64, 5, 5)))
    assert not applies(_geometry((1, 3, 32, 32), (64, 3, 3, 3)))
    assert not applies(_geometry((1, 64, 32, 32), (8, 64, 3, 3)))
    cropped = ConvGeometry((1, 64, 32, 32), (64, 64, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1), 1,
                           output_hw=(31, 31))
    assert not applies(cropped)
