"""Convolutions: conv2d, conv1d, conv_transpose2d/1d and their layers, by finite differences
and against torch (float64, rtol 1e-10) over randomized shapes, strides, paddings,
dilations and groups; module parameters, init and repr as torch's; errors that name the op,
the layer and the shapes."""

import math

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.nn import functional as F
from oracle import (
    assert_close,
    check_finite_differences,
    check_op,
    needs_torch,
    step_both,
    torch,
    twins,
)

if torch is not None:
    import torch.nn.functional as TF


CONV2D = [  # (input shape, weight shape, bias, keyword arguments)
    ((2, 3, 7, 6), (4, 3, 3, 3), True, {}),
    ((1, 2, 5, 5), (3, 2, 1, 1), True, {}),  # 1x1, batch 1
    ((2, 4, 9, 8), (6, 2, 3, 2), True, dict(stride=2, padding=1, groups=2)),
    ((3, 3, 7, 9), (3, 1, 3, 3), False, dict(padding=1, groups=3)),  # depthwise
    ((2, 3, 6, 6), (6, 1, 3, 3), True, dict(groups=3, stride=(2, 1))),  # depth multiplier 2
    ((1, 2, 9, 11), (2, 2, 3, 3), True, dict(dilation=2, padding=(2, 1))),
    ((2, 2, 6, 7), (3, 2, 4, 2), True, dict(padding="same")),  # even kernel: asymmetric
    ((2, 2, 6, 7), (3, 2, 2, 3), False, dict(padding="same", dilation=(2, 3))),
    ((2, 2, 6, 7), (3, 2, 3, 3), True, dict(padding="valid", stride=(1, 3))),
    ((1, 1, 3, 3), (2, 1, 3, 3), True, {}),  # kernel as large as the input: 1x1 output
    ((2, 5, 8, 5), (4, 5, 2, 5), True, dict(stride=(3, 2), padding=(0, 2), dilation=(2, 1))),
    ((3, 4, 7), (2, 3, 3, 2), True, dict(padding=1)),  # unbatched (C, H, W)
]


@pytest.mark.filterwarnings("ignore:Using padding='same'")  # torch's note on its own speed
@pytest.mark.parametrize("x_shape,w_shape,bias,kw", CONV2D)
def test_conv2d_matches_torch_and_finite_differences(rng, x_shape, w_shape, bias, kw):
    shapes = [x_shape, w_shape] + ([(w_shape[0],)] if bias else [])
    check_op(lambda *t: F.conv2d(*t, **kw), lambda *t: TF.conv2d(*t, **kw) if torch else None,
             shapes, rng)


def _random_conv2d(rng):
    """A random valid conv2d configuration: (input shape, weight shape, keyword arguments)."""
    groups = int(rng.choice([1, 1, 2, 3]))
    c_in, c_out = groups * int(rng.integers(1, 3)), groups * int(rng.integers(1, 3))
    k = tuple(int(v) for v in rng.integers(1, 4, 2))
    d = tuple(int(v) for v in rng.integers(1, 3, 2))
    s = tuple(int(v) for v in rng.integers(1, 4, 2))
    p = tuple(int(v) for v in rng.integers(0, 3, 2))
    hw = tuple(int(dd * (kk - 1) + 1 - 2 * pp + rng.integers(0, 6)) for kk, dd, pp in
               zip(k, d, p))
    hw = tuple(max(v, 1) for v in hw)
    n = int(rng.integers(1, 4))
    return (n, c_in, *hw), (c_out, c_in // groups, *k), dict(stride=s, padding=p, dilation=d,
                                                            groups=groups)


@pytest.mark.parametrize("seed", range(12))
def test_conv2d_random_configurations(seed):
    rng = np.random.default_rng(seed)
    x_shape, w_shape, kw = _random_conv2d(rng)
    check_op(lambda x, w, b: F.conv2d(x, w, b, **kw),
             lambda x, w, b: TF.conv2d(x, w, b, **kw) if torch else None,
             [x_shape, w_shape, (w_shape[0],)], rng)


def _transposed_kwargs(kw, rng):
    """Turn a conv2d configuration into one of conv_transpose2d (a valid output_padding)."""
    out = dict(kw)
    out["output_padding"] = tuple(int(rng.integers(0, max(s, d))) for s, d in
                                  zip(kw["stride"], kw["dilation"]))
    return out


@pytest.mark.parametrize("seed", range(10))
def test_conv_transpose2d_random_configurations(seed):
    rng = np.random.default_rng(100 + seed)
    x_shape, w_shape, kw = _random_conv2d(rng)
    kw = _transposed_kwargs(kw, rng)
    # the transposed op's weight is (C_in, C_out / groups, KH, KW): C_in = x's channels
    g = kw["groups"]
    w_t = (x_shape[1], w_shape[0] // g, *w_shape[2:])
    # large enough that the output is not empty: (H - 1) * stride >= 2 * padding
    x_t = (x_shape[0], x_shape[1], *(1 + -(-2 * p // s) + int(rng.integers(0, 4))
                                     for p, s in zip(kw["padding"], kw["stride"])))
    check_op(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
             lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw) if torch else None,
             [x_t, w_t, (w_t[1] * g,)], rng)


@pytest.mark.parametrize("x_shape,w_shape,kw", [
    ((2, 3, 4, 5), (3, 2, 3, 3), dict(stride=2, padding=1, output_padding=1)),  # GAN-style
    ((1, 4, 3, 3), (4, 1, 4, 4), dict(stride=2, padding=1, groups=2)),
    ((2, 2, 3, 2), (2, 3, 2, 3), dict(stride=(1, 2), dilation=(3, 1), output_padding=(2, 1))),
    ((3, 5, 5), (3, 2, 3, 3), dict(padding=1)),  # unbatched
])
def test_conv_transpose2d_cases(rng, x_shape, w_shape, kw):
    check_op(lambda x, w: F.conv_transpose2d(x, w, **kw),
             lambda x, w: TF.conv_transpose2d(x, w, **kw) if torch else None,
             [x_shape, w_shape], rng)


def test_conv_transpose2d_is_the_adjoint_of_conv2d(rng):
    """<conv2d(x, w), y> == <x, conv_transpose2d(y, w)> for the same geometry."""
    x = rng.standard_normal((2, 4, 9, 8))
    w = rng.standard_normal((6, 2, 3, 3))
    y = F.conv2d(nt.tensor(x, dtype=nt.float64), nt.tensor(w, dtype=nt.float64), stride=2,
                 padding=1, groups=2, dilation=(1, 2))
    r = rng.standard_normal(y.shape)
    back = F.conv_transpose2d(nt.tensor(r, dtype=nt.float64), nt.tensor(w, dtype=nt.float64),
                              stride=2, padding=1, groups=2,
                              dilation=(1, 2), output_padding=(0, 1))
    assert back.shape == x.shape
    assert math.isclose(float((y.data * r).sum()), float((x * back.data).sum()), rel_tol=1e-10)


@pytest.mark.parametrize("x_shape,w_shape,kw", [
    ((2, 3, 11), (4, 3, 3), {}),
    ((1, 2, 9), (4, 1, 4), dict(stride=2, padding=2, groups=2)),
    ((3, 2, 10), (2, 2, 3), dict(dilation=3, padding="same")),
    ((2, 4, 6), (4, 1, 2), dict(padding="same", groups=4)),
    ((3, 8), (2, 3, 3), dict(stride=(3,), padding=(1,))),  # unbatched (C, L)
])
def test_conv1d_matches_torch(rng, x_shape, w_shape, kw):
    check_op(lambda x, w, b: F.conv1d(x, w, b, **kw),
             lambda x, w, b: TF.conv1d(x, w, b, **kw) if torch else None,
             [x_shape, w_shape, (w_shape[0],)], rng)


def test_conv_transpose1d_matches_torch(rng):
    kw = dict(stride=3, padding=1, output_padding=2)
    check_op(lambda x, w, b: F.conv_transpose1d(x, w, b, **kw),
             lambda x, w, b: TF.conv_transpose1d(x, w, b, **kw) if torch else None,
             [(2, 3, 5), (3, 2, 4), (2,)], rng)


def test_float32_stays_float32_forward_and_backward(rng):
    x = nt.tensor(rng.standard_normal((2, 3, 6, 6)), requires_grad=True)
    w = nt.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    b = nt.tensor(rng.standard_normal(4), requires_grad=True)
    y = F.conv2d(x, w, b, padding=1)
    z = F.conv_transpose2d(y, w, b[:3], stride=1, padding=1)
    assert y.dtype == np.float32 and z.dtype == np.float32
    z.sum().backward()
    assert x.grad.dtype == w.grad.dtype == b.grad.dtype == np.float32


# ----- errors -----------------------------------------------------------------------------
def _t(*shape):
    return nt.zeros(*shape)


@pytest.mark.parametrize("call,match", [
    (lambda: F.conv2d(_t(3, 8, 8), _t(2, 3, 3)), r"conv2d: expected a 4-D weight"),
    (lambda: F.conv2d(_t(8, 8), _t(2, 1, 3, 3)), r"conv2d: expected 3-D .* or 4-D .* \(8, 8\)"),
    (lambda: F.conv2d(_t(1, 2, 8, 8), _t(4, 3, 3, 3)),
     r"conv2d: weight of shape \(4, 3, 3, 3\) .* expects input with 3 channels, got input of "
     r"shape \(1, 2, 8, 8\)"),
    (lambda: F.conv2d(_t(1, 3, 2, 8), _t(4, 3, 3, 3)),
     r"conv2d: input of shape \(1, 3, 2, 8\) is smaller than the kernel: padded size \(2 x 8\)"),
    (lambda: F.conv2d(_t(1, 4, 8, 8), _t(3, 2, 3, 3), groups=2),
     r"groups=2 must divide the 3 output channels"),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(3, 1, 3, 3), groups=2),
     r"groups=2 must divide the 3 input channels"),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), stride=2, padding="same"),
     r"padding='same' is not supported for strided"),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), padding="full"), r"'valid', 'same'"),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), _t(3)), r"bias must have shape \(4,\)"),
    (lambda: F.conv2d(_t(1, 3, 8, 8), _t(4, 3, 3, 3), stride=0), r"stride must be >= 1"),
    (lambda: F.conv1d(_t(1, 3, 2), _t(4, 3, 3)), r"conv1d: input of shape"),
    (lambda: F.conv1d(_t(1, 3, 8), _t(4, 3, 3, 3)), r"conv1d: expected a 3-D weight"),
    (lambda: F.conv_transpose2d(_t(1, 3, 4, 4), _t(2, 3, 3, 3)),
     r"conv_transpose2d: weight of shape \(2, 3, 3, 3\) .* expects input with 2 channels"),
    (lambda: F.conv_transpose2d(_t(1, 2, 4, 4), _t(2, 3, 3, 3), stride=2, output_padding=2),
     r"output_padding \(2, 2\) must be smaller than either stride"),
    (lambda: F.conv_transpose2d(_t(1, 2, 1, 1), _t(2, 3, 1, 1), padding=1), r"empty output"),
])
def test_bad_arguments_name_the_op_and_shapes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_type_errors():
    with pytest.raises(TypeError, match=r"conv2d: input must be a floating point Tensor"):
        F.conv2d(np.zeros((1, 1, 3, 3)), _t(1, 1, 1, 1))
    with pytest.raises(TypeError, match=r"conv2d: input, weight and bias must have the same "
                                        r"dtype, got float64, float32"):
        F.conv2d(nt.zeros(1, 1, 3, 3, dtype=nt.float64), _t(1, 1, 1, 1))
    with pytest.raises(TypeError, match=r"conv2d: stride must be an int or a tuple of 2 ints"):
        F.conv2d(_t(1, 1, 3, 3), _t(1, 1, 1, 1), stride=1.5)
    with pytest.raises(TypeError, match=r"conv2d: padding must be an int or a tuple of 2 ints"):
        F.conv2d(_t(1, 1, 3, 3), _t(1, 1, 1, 1), padding=(1, 2, 3))


def test_layer_errors_name_the_layer():
    conv = nn.Conv2d(3, 8, 5)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8, kernel_size=\(5, 5\).*\): conv2d: "
                                         r"weight .* expects input with 3 channels, got input "
                                         r"of shape \(2, 1, 28, 28\)"):
        conv(nt.zeros(2, 1, 28, 28))
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8.*smaller than the kernel"):
        conv(nt.zeros(2, 3, 4, 4))
    with pytest.raises(ValueError, match=r"Conv2d\(3, 8.*expected 3-D .* or 4-D"):
        conv(nt.zeros(3, 28))
    with pytest.raises(TypeError, match=r"Conv2d\(3, 8.*expected a Tensor input"):
        conv(np.zeros((1, 3, 8, 8)))
    with pytest.raises(ValueError, match=r"Conv2d: groups=2 must divide in_channels=3"):
        nn.Conv2d(3, 4, 3, groups=2)
    with pytest.raises(ValueError, match=r"Conv2d: padding='same' is not supported"):
        nn.Conv2d(3, 4, 3, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"Conv1d: padding_mode must be one of"):
        nn.Conv1d(3, 4, 3, padding_mode="mirror")
    with pytest.raises(ValueError, match=r"ConvTranspose2d: in_channels must be a positive"):
        nn.ConvTranspose2d(0, 4, 3)
    with pytest.raises(ValueError, match=r"ConvTranspose2d\(2, 3.*requested output size "
                                         r"\(9, 9\) is not reachable"):
        nn.ConvTranspose2d(2, 3, 3, stride=2)(nt.zeros(1, 2, 3, 3), output_size=(9, 9))


# ----- layers -----------------------------------------------------------------------------
LAYERS = [
    (lambda lib: lib.Conv2d(3, 4, 3), (2, 3, 7, 6)),
    (lambda lib: lib.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2, bias=False),
     (1, 4, 8, 7)),
    (lambda lib: lib.Conv2d(2, 3, 4, padding="same", dilation=(1, 2)), (2, 2, 7, 8)),
    (lambda lib: lib.Conv2d(2, 3, 3, padding=(1, 2), padding_mode="reflect"), (2, 2, 5, 6)),
    (lambda lib: lib.Conv2d(2, 3, 2, padding="same", padding_mode="circular"), (2, 2, 5, 6)),
    (lambda lib: lib.Conv2d(2, 3, 3, padding=1, padding_mode="replicate"), (2, 5, 6)),
    (lambda lib: lib.Conv1d(3, 5, 4, stride=2, padding=1), (2, 3, 9)),
    (lambda lib: lib.Conv1d(2, 2, 3, padding="same", padding_mode="reflect"), (2, 2, 9)),
    (lambda lib: lib.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1,
                                     groups=2), (2, 4, 3, 4)),
    (lambda lib: lib.ConvTranspose1d(3, 2, 4, stride=2, bias=False), (2, 3, 5)),
]


@pytest.mark.parametrize("build,shape", LAYERS)
def test_layers_match_torch(rng, build, shape):
    ours, theirs = twins(build)
    x = rng.standard_normal(shape)
    step_both(ours, theirs, x, what=repr(ours))
    assert repr(ours) == repr(theirs)
    check_finite_differences(ours, x)


def test_conv_transpose_output_size_argument_matches_torch(rng):
    th = needs_torch()
    ours, theirs = twins(lambda lib: lib.ConvTranspose2d(2, 3, 3, stride=2, padding=1))
    x = rng.standard_normal((1, 2, 4, 5))
    out = ours(nt.tensor(x, dtype=nt.float64), output_size=(8, 10))
    ref = theirs(th.tensor(x), output_size=(8, 10))
    assert_close(out, ref)


@pytest.mark.parametrize("build", [
    lambda lib: lib.Conv2d(6, 16, 5),
    lambda lib: lib.Conv2d(4, 8, (3, 2), groups=2, bias=False),
    lambda lib: lib.Conv1d(3, 7, 5),
    lambda lib: lib.ConvTranspose2d(8, 4, 4, groups=2),
    lambda lib: lib.ConvTranspose1d(3, 6, 2),
])
def test_parameters_and_default_init_as_torch(build):
    """Same state_dict keys and shapes; weight and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in))
    with torch's fan_in (weight.shape[1] * kernel area, also for the transposed layers)."""
    th = needs_torch()
    th.manual_seed(0)
    ours, theirs = build(nn), build(th.nn)
    ours_sd, their_sd = ours.state_dict(), theirs.state_dict()
    assert list(ours_sd) == list(their_sd)
    for key in ours_sd:
        assert tuple(ours_sd[key].shape) == tuple(their_sd[key].shape), key
    assert ours.weight.dtype == np.float32
    w = ours.weight.data
    bound = 1 / math.sqrt(w.shape[1] * int(np.prod(w.shape[2:])))
    for mine, theirs_p in [(ours.weight, theirs.weight), (ours.bias, theirs.bias)]:
        if mine is None:
            continue
        assert np.abs(theirs_p.detach().numpy()).max() <= bound  # the bound is torch's
        values = mine.data
        assert np.abs(values).max() <= bound
        if values.size >= 100:  # spread over the whole interval, as a uniform draw
            assert np.abs(values).max() > 0.9 * bound
            assert abs(values.std() - bound / math.sqrt(3)) < 0.15 * bound


def test_same_seed_same_weights():
    nt.manual_seed(3)
    a = nn.Conv2d(2, 4, 3).weight.data.copy()
    nt.manual_seed(3)
    assert np.array_equal(a, nn.Conv2d(2, 4, 3).weight.data)


def test_lenet_style_stack_matches_torch(rng):
    """Conv, pooling, batch norm and linear layers composed, as the model zoo will."""
    def build(lib):
        return lib.Sequential(
            lib.Conv2d(1, 4, 5, padding=2), lib.BatchNorm2d(4), lib.ReLU(), lib.MaxPool2d(2),
            lib.Conv2d(4, 6, 3), lib.ReLU(), lib.AvgPool2d(2), lib.Flatten(),
            lib.Linear(6 * 2 * 2, 5),
        )
    ours, theirs = twins(build)
    step_both(ours, theirs, rng.standard_normal((3, 1, 12, 12)))


def test_chunks_of_one_sample_give_the_same_results(rng, monkeypatch):
    """The GEMMs run a few samples at a time: force one sample per chunk (and dW from
    patches rebuilt per chunk, not kept from forward)."""
    from neuronet.nn.functional import im2col

    monkeypatch.setattr(im2col, "_CHUNK_BYTES", 1)
    monkeypatch.setattr(im2col, "_KEEP_BYTES", 0)
    kw = dict(stride=(2, 1), padding=1, groups=2)
    check_op(lambda x, w: F.conv2d(x, w, **kw),
             lambda x, w: TF.conv2d(x, w, **kw) if torch else None,
             [(3, 4, 6, 5), (6, 2, 3, 3)], rng)
    check_op(lambda x, w: F.conv_transpose2d(x, w, **kw),
             lambda x, w: TF.conv_transpose2d(x, w, **kw) if torch else None,
             [(3, 4, 3, 5), (4, 3, 3, 3)], rng)


@pytest.mark.parametrize("sample_major", [True, False])
@pytest.mark.parametrize("keep", [True, False])
@pytest.mark.parametrize("kw", [dict(padding=1), dict(padding=0), dict(padding=(0, 2),
                                dilation=(1, 2), groups=3), dict(stride=(1, 2), padding=1)])
def test_chunks_on_threads_give_the_same_results(rng, monkeypatch, kw, keep, sample_major):
    """Chunks on 3 threads (even tiny patch matrices), in either patch layout: outputs and
    gradients as torch's and by finite differences. Without padding the wide rows of a
    chunk's last sample reach the next sample's first values, and over whole planes (the
    channel-major input gradient at stride 1) its junk reaches the next plane; each thread
    must still write only its own samples."""
    from neuronet import parallel
    from neuronet.nn.functional import im2col

    if not parallel._blas():
        pytest.skip("BLAS threads cannot be controlled here: parallel regions run serially")
    threads = parallel.get_num_threads()
    monkeypatch.setattr(im2col, "_THIN_K", 1 << 30 if sample_major else 0)
    monkeypatch.setattr(im2col, "_PARALLEL_BYTES", 0)
    monkeypatch.setattr(im2col, "_THREAD_CHUNK_BYTES", 1)
    monkeypatch.setattr(im2col, "_KEEP_BYTES", 1 << 30 if keep else 0)
    parallel.set_num_threads(3)
    try:
        assert im2col.ConvGeometry((7, 3, 6, 5), (6, 1, 3, 3), (1, 1), (1, 1, 1, 1), (1, 1),
                                   3).chunks(8) == [(i, i + 1) for i in range(7)]
        check_op(lambda x, w: F.conv2d(x, w, **kw),
                 lambda x, w: TF.conv2d(x, w, **kw) if torch else None,
                 [(7, 3, 6, 5), (6, 3 // kw.get("groups", 1), 3, 3)], rng)
        check_op(lambda x, w: F.conv_transpose2d(x, w, **kw),
                 lambda x, w: TF.conv_transpose2d(x, w, **kw) if torch else None,
                 [(7, 6, 4, 3), (6, 3 // kw.get("groups", 1), 3, 3)], rng)
    finally:
        parallel.set_num_threads(threads)


def test_empty_batch_gives_empty_outputs_and_gradients():
    x = nt.zeros(0, 3, 8, 8, requires_grad=True)
    w = nt.zeros(4, 3, 3, 3, requires_grad=True)
    y = F.conv2d(x, w, padding=1)
    z = F.conv_transpose2d(y, w, stride=2)
    assert y.shape == (0, 4, 8, 8) and z.shape == (0, 3, 17, 17)
    z.sum().backward()
    assert x.grad.shape == (0, 3, 8, 8) and np.all(w.grad.data == 0)
    w4 = nt.zeros(4, 3, 4, 4, requires_grad=True)  # run over phases
    down = F.conv2d(x, w4, stride=2, padding=1)
    up = F.conv_transpose2d(down, w4, stride=2, padding=1)
    assert down.shape == (0, 4, 4, 4) and up.shape == (0, 3, 8, 8)
    up.sum().backward()
    assert np.all(w4.grad.data == 0)


@pytest.mark.parametrize("kw", [dict(padding=1), dict(padding=(0, 2), dilation=(1, 2)),
                                dict(stride=(1, 2), padding=1)])
def test_uneven_chunks_give_the_same_results(rng, monkeypatch, kw):
    """Chunks of 1, 2 and 2 samples. With a horizontal stride of 1 the GEMMs run on wide rows
    whose patches reach past each sample's padded input (into the next sample, or the zeros
    after the last one): none of it may leak into outputs or gradients."""
    from neuronet.nn.functional import im2col

    x_shape, w_shape = (5, 3, 6, 5), (4, 3, 3, 3)
    padding = (kw["padding"],) * 2 if isinstance(kw["padding"], int) else kw["padding"]
    geometry = im2col.ConvGeometry(x_shape, w_shape, kw.get("stride", (1, 1)),
                                   (padding[0], padding[0], padding[1], padding[1]),
                                   kw.get("dilation", (1, 1)), 1)
    monkeypatch.setattr(im2col, "_CHUNK_BYTES", 2 * geometry.K * geometry.L * 8)
    monkeypatch.setattr(im2col, "_KEEP_BYTES", 0)
    assert geometry.chunks(8) == [(0, 1), (1, 3), (3, 5)]
    check_op(lambda x, w: F.conv2d(x, w, **kw),
             lambda x, w: TF.conv2d(x, w, **kw) if torch else None, [x_shape, w_shape], rng)
    # the transposed convolution runs the same pieces the other way round (col2im forward)
    check_op(lambda x, w: F.conv_transpose2d(x, w, **kw),
             lambda x, w: TF.conv_transpose2d(x, w, **kw) if torch else None,
             [(5, 4, 4, 3), (4, 3, 3, 3)], rng)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("sample_major,narrow,wide", [
    (True, False, False), (True, True, False), (False, False, True), (False, False, False)])
@pytest.mark.parametrize("chunk_bytes,keep", [(16 << 20, True), (1, False)])
def test_both_patch_layouts_match_torch(rng, monkeypatch, sample_major, narrow, wide,
                                        chunk_bytes, keep):
    """Short patches use the sample-major layout, longer ones the channel-major one;
    sample-major layers with long output rows drop the junk columns, and channel-major ones
    with few outputs run the forward product wide (see im2col.py): force each on every
    conv2d case and on the transposed convolution, with the whole patch matrix kept for dW
    or one sample per chunk rebuilt."""
    from neuronet.nn.functional import im2col

    monkeypatch.setattr(im2col, "_THIN_K", 1 << 30 if sample_major else 0)
    monkeypatch.setattr(im2col, "_NARROW_OW", 0 if narrow else 1 << 30)
    monkeypatch.setattr(im2col, "_WIDE_OG", 1 << 30 if wide else 0)
    monkeypatch.setattr(im2col, "_CHUNK_BYTES", chunk_bytes)
    monkeypatch.setattr(im2col, "_KEEP_BYTES", 1 << 30 if keep else 0)
    geometry = im2col.ConvGeometry((1, 3, 5, 5), (2, 3, 3, 3), (1, 1), (0,) * 4, (1, 1), 1)
    assert geometry.sample_major == sample_major and (geometry.R == 3) == narrow
    for x_shape, w_shape, bias, kw in CONV2D:
        test_conv2d_matches_torch_and_finite_differences(rng, x_shape, w_shape, bias, kw)
    kw = dict(stride=(2, 1), padding=1, groups=2, output_padding=(1, 0))
    check_op(lambda x, w, b: F.conv_transpose2d(x, w, b, **kw),
             lambda x, w, b: TF.conv_transpose2d(x, w, b, **kw) if torch else None,
             [(3, 4, 3, 5), (4, 3, 3, 3), (6,)], rng)


@pytest.mark.filterwarnings("ignore:Using padding='same'")
@pytest.mark.parametrize("adjoint", [True, False])
def test_input_gradient_by_the_adjoint_or_by_col2im_matches_torch(rng, monkeypatch, adjoint):
    """With stride 1 the input gradient may run as the adjoint convolution (flipped weight,
    swapped channels) or as the dcols product and col2im (see im2col.py): force each on every
    conv2d case, random configurations, and the transposed convolution (whose forward is
    that input gradient)."""
    from neuronet.nn.functional import im2col

    monkeypatch.setattr(im2col, "_ADJOINT_RATIO", math.inf if adjoint else 0)
    geometry = im2col.ConvGeometry((2, 3, 6, 7), (5, 3, 2, 3), (1, 1), (0, 1, 2, 0), (2, 1), 1)
    assert (geometry.adjoint is not None) == adjoint
    strided = im2col.ConvGeometry((2, 3, 6, 7), (5, 3, 2, 3), (1, 2), (0,) * 4, (1, 1), 1)
    too_padded = im2col.ConvGeometry((2, 3, 6, 7), (5, 3, 1, 1), (1, 1), (1,) * 4, (1, 1), 1)
    assert strided.adjoint is None and too_padded.adjoint is None
    for x_shape, w_shape, bias, kw in CONV2D:
        test_conv2d_matches_torch_and_finite_differences(rng, x_shape, w_shape, bias, kw)
    for _ in range(8):  # random ones at stride 1, where the choice is open
        x_shape, w_shape, kw = _random_conv2d(rng)
        kw["stride"] = (1, 1)
        check_op(lambda x, w, b, kw=kw: F.conv2d(x, w, b, **kw),
                 lambda x, w, b, kw=kw: TF.conv2d(x, w, b, **kw) if torch else None,
                 [x_shape, w_shape, (w_shape[0],)], rng)
        kw = _transposed_kwargs(kw, rng)
        w_t = (x_shape[1], w_shape[0] // kw["groups"], *w_shape[2:])
        check_op(lambda x, w, kw=kw: F.conv_transpose2d(x, w, **kw),
                 lambda x, w, kw=kw: TF.conv_transpose2d(x, w, **kw) if torch else None,
                 [(x_shape[0], x_shape[1], 2 + 2 * kw["padding"][0], 3 + 2 * kw["padding"][1]),
                  w_t],
                 rng)


@pytest.mark.parametrize("need_x,need_w", [(True, False), (False, True), (True, True)])
def test_adjoint_gradients_when_one_or_both_are_wanted(rng, need_x, need_w):
    """With an adjoint, dx and dW come from one pass over its patches when both are wanted,
    from its forward or its weight gradient alone otherwise (see ConvGeometry.gradients)."""
    torch = needs_torch()
    x, w = rng.standard_normal((3, 4, 7, 6)), rng.standard_normal((4, 2, 3, 3))
    up = rng.standard_normal((3, 4, 7, 6))
    kw = dict(padding=(1, 2), dilation=(1, 2), groups=2)
    xo = nt.tensor(x, dtype="float64", requires_grad=need_x)
    wo = nt.tensor(w, dtype="float64", requires_grad=need_w)
    xt, wt = torch.tensor(x, requires_grad=need_x), torch.tensor(w, requires_grad=need_w)
    y = F.conv2d(xo, wo, **kw)
    assert y.grad_fn.geometry.adjoint is not None
    (y * nt.tensor(up, dtype="float64")).sum().backward()
    (TF.conv2d(xt, wt, **kw) * torch.tensor(up)).sum().backward()
    for ours, theirs, needed in [(xo, xt, need_x), (wo, wt, need_w)]:
        if needed:
            assert_close(ours.grad, theirs.grad)
        else:
            assert ours.grad is None


PHASED = [  # strided convolutions whose stride divides the kernel: run over phases
    ((2, 3, 8, 8), (4, 3, 4, 4), True, dict(stride=2, padding=1)),  # DCGAN's
    ((2, 4, 7, 9), (6, 2, 2, 4), True, dict(stride=2, padding=(0, 1), groups=2)),  # last row
    ((1, 2, 8, 5), (3, 2, 3, 2), False, dict(stride=(3, 1), padding=(2, 1))),  # unread
    ((3, 2, 5, 6), (2, 2, 2, 2), True, dict(stride=2)),
]


@pytest.mark.parametrize("x_shape,w_shape,bias,kw", PHASED)
def test_strided_convolutions_over_phases_match_torch(rng, x_shape, w_shape, bias, kw):
    """conv2d and conv_transpose2d with a stride that divides the kernel run as a stride-1
    convolution over the input's phases (see phases.py), with and without the adjoint."""
    from neuronet.nn.functional import im2col
    from neuronet.nn.functional.phases import PhaseGeometry

    y = F.conv2d(nt.tensor(rng.standard_normal(x_shape), requires_grad=True),
                 nt.tensor(rng.standard_normal(w_shape)), **kw)
    assert isinstance(y.grad_fn.geometry, PhaseGeometry)
    for ratio in (1, 0):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(im2col, "_ADJOINT_RATIO", ratio)
            test_conv2d_matches_torch_and_finite_differences(rng, x_shape, w_shape, bias, kw)
            groups = kw.get("groups", 1)
            w_t = (x_shape[1], w_shape[0] // groups, *w_shape[2:])
            x_t = (x_shape[0], x_shape[1], 3, 4)
            y_t = F.conv_transpose2d(nt.tensor(rng.standard_normal(x_t), requires_grad=True),
                                     nt.tensor(rng.standard_normal(w_t)), **kw)
            assert isinstance(y_t.grad_fn.geometry, PhaseGeometry)
            shapes = [x_t, w_t] + ([(w_t[1] * groups,)] if bias else [])
            check_op(lambda *t: F.conv_transpose2d(*t, **kw),
                     lambda *t: TF.conv_transpose2d(*t, **kw) if torch else None, shapes, rng)


def test_patch_matrices_come_back_to_the_scratch_pool_and_stay_private(rng, monkeypatch):
    """Forward's kept patch matrix goes back to the pool after backward (also when only the
    input gradient is wanted) and the next forward takes it; a graph kept for a second
    backward rebuilds its patches rather than read a buffer another conv has overwritten."""
    from neuronet.nn.functional import scratch

    monkeypatch.setattr(scratch, "_pool", [])
    x = nt.tensor(rng.standard_normal((4, 3, 9, 9)), requires_grad=True)
    w = nt.tensor(rng.standard_normal((5, 3, 3, 3)), requires_grad=True)
    g = nt.tensor(rng.standard_normal((4, 5, 9, 9)))
    def pooled():
        return [b.ctypes.data for b in scratch._pool]

    y = F.conv2d(x, w, padding=1)
    kept = y.grad_fn.geometry._kept[1]
    assert kept.ctypes.data not in pooled()  # the kept matrix is out
    y.backward(g, retain_graph=True)
    assert kept.ctypes.data in pooled()
    first = (x.grad.data.copy(), w.grad.data.copy())
    before = pooled()
    other = F.conv2d(nt.tensor(rng.standard_normal((4, 3, 9, 9)), requires_grad=True),
                     w.detach(), padding=1)
    assert other.grad_fn.geometry._kept[1].ctypes.data in before  # it took a pooled one
    y.backward(g)
    assert_close(x.grad, 2 * first[0], rtol=1e-12)
    assert_close(w.grad, 2 * first[1], rtol=1e-12)
    frozen = F.conv2d(x, w.detach(), padding=1)
    kept = frozen.grad_fn.geometry._kept[1].ctypes.data
    assert kept not in pooled()
    frozen.backward(g)  # no dW: the kept matrix still comes back
    assert kept in pooled()


def test_scratch_pool_holds_at_most_its_budget(rng, monkeypatch):
    from neuronet.nn.functional import scratch

    monkeypatch.setattr(scratch, "_pool", [])
    budget = 3 * 27 * 2 * 8 * 8 * 8  # bytes of a few patch matrices below
    monkeypatch.setattr(scratch, "_POOL_BYTES", budget)
    w = nt.tensor(rng.standard_normal((4, 3, 3, 3)), requires_grad=True)
    for n in (1, 2, 3, 2):
        F.conv2d(nt.tensor(rng.standard_normal((n, 3, 6, 6)), requires_grad=True), w,
                 padding=1).sum().backward()
        assert sum(b.nbytes for b in scratch._pool) <= budget
    assert scratch._pool  # the most recent ones stay
