"""interpolate (nearest, linear, bilinear) and Upsample against torch (float64, rtol 1e-10)
and finite differences: sizes, integer and fractional scale factors, align_corners,
recompute_scale_factor; torch's float32 nearest-index rule; repr; errors."""

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

CASES = [  # (input shape, keyword arguments)
    ((2, 3, 4, 5), dict(scale_factor=2)),
    ((1, 2, 5, 4), dict(size=(7, 3))),
    ((1, 2, 5, 4), dict(scale_factor=(1.7, 0.6))),
    ((2, 1, 3, 3), dict(scale_factor=2.5, recompute_scale_factor=True)),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear")),
    ((2, 3, 4, 5), dict(scale_factor=2, mode="bilinear", align_corners=True)),
    ((1, 2, 5, 4), dict(size=(3, 9), mode="bilinear", align_corners=False)),
    ((1, 2, 5, 4), dict(scale_factor=(0.7, 1.3), mode="bilinear")),
    ((1, 2, 5, 4), dict(size=(1, 4), mode="bilinear", align_corners=True)),
    ((1, 1, 1, 3), dict(size=(2, 3), mode="bilinear")),
    ((2, 3, 7), dict(scale_factor=1.5)),  # 3-D: nearest along L
    ((2, 3, 7), dict(size=12, mode="linear")),
    ((2, 3, 7), dict(scale_factor=0.5, mode="linear", align_corners=True)),
]


@pytest.mark.parametrize("shape,kw", CASES)
def test_interpolate_matches_torch(rng, shape, kw):
    check_op(lambda x: F.interpolate(x, **kw),
             lambda x: TF.interpolate(x, **kw) if torch else None, [shape], rng)


@pytest.mark.parametrize("n,out", [(3, 10), (7, 3), (5, 13), (9, 20)])
def test_nearest_uses_torch_float32_index_rule(n, out):
    """Nearest's source index is floor(i * (n / out)) computed in float32 by torch: where
    float64 would round differently the pixels chosen must still be torch's."""
    th = needs_torch()
    x = np.arange(n * n, dtype=np.float64).reshape(1, 1, n, n)
    assert_close(F.interpolate(nt.tensor(x, dtype=nt.float64), size=(out, out)),
                 TF.interpolate(th.tensor(x), size=(out, out)))


def test_nearest_keeps_inf_and_nan_in_place():
    x = np.array([[[[1.0, np.inf], [np.nan, 2.0]]]])
    y = F.interpolate(nt.tensor(x, dtype=nt.float64), scale_factor=2).data
    assert np.isinf(y[0, 0, :2, 2:]).all() and np.isnan(y[0, 0, 2:, :2]).all()
    assert (y[0, 0, :2, :2] == 1).all() and (y[0, 0, 2:, 2:] == 2).all()


def test_float32_stays_float32(rng):
    x = nt.tensor(rng.standard_normal((1, 2, 3, 4)), requires_grad=True)
    y = F.interpolate(x, scale_factor=1.5, mode="bilinear").sum() + F.interpolate(x, size=5).sum()
    y.backward()
    assert y.dtype == np.float32 and x.grad.dtype == np.float32


LAYERS = [
    (lambda lib: lib.Upsample(scale_factor=2), (2, 3, 3, 4)),
    (lambda lib: lib.Upsample(size=(5, 7), mode="bilinear"), (1, 2, 3, 4)),
    (lambda lib: lib.Upsample(scale_factor=(2.0, 1.5), mode="bilinear", align_corners=True),
     (1, 2, 3, 4)),
    (lambda lib: lib.UpsamplingNearest2d(scale_factor=3), (1, 2, 2, 3)),
    (lambda lib: lib.UpsamplingBilinear2d(size=(4, 4)), (1, 2, 2, 3)),
]


@pytest.mark.parametrize("build,shape", LAYERS)
def test_layers_match_torch(rng, build, shape):
    ours, theirs = twins(build)
    x = rng.standard_normal(shape)
    step_both(ours, theirs, x)
    assert repr(ours) == repr(theirs)
    check_finite_differences(ours, x)


@pytest.mark.parametrize("call,match", [
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4)), r"exactly one of size or scale_factor"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), size=2, scale_factor=2), r"exactly one"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), size=2, mode="cubic"), r"mode 'cubic' is not"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4), size=2, mode="bilinear"), r"expects 4-D input"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), size=2, mode="linear"), r"expects 3-D input"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), size=2, align_corners=True),
     r"align_corners option can only be set"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), size=(2, 0)), r"size must be a positive int"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), scale_factor=0.1), r"gives an empty output"),
    (lambda: F.interpolate(nt.zeros(1, 1, 4, 4), scale_factor=(2, 2, 2)), r"tuple of 2"),
    (lambda: F.interpolate(nt.zeros(4, 4), size=2), r"interpolate: expected 3-D"),
    (lambda: nn.Upsample(size=2, mode="bilinear")(nt.zeros(1, 4, 4)),
     r"Upsample\(size=2, mode='bilinear'\): interpolate: mode 'bilinear' expects 4-D"),
])
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
