"""The ONNX operators of the layers that neuronet.onnx.export writes as a formula or a node of
their own: Erf, Pow (GELU), Softplus, Greater, Where (Softplus's beta and threshold), LRN
(LocalResponseNorm), Resize (Upsample); and Gelu (opset 20, which torch.onnx.export writes).
Each is registered in onnx_ops.OPS, with the same contract: fn(node, *inputs) -> value, on
neuronet's differentiable ops.

    OPS["Erf"](node, x) -> erf(x)
"""

import math

import numpy as np

import neuronet
from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor
from neuronet.nn import functional as F
from neuronet.nn.functional.activation import erfc
from neuronet.nn.functional.lrn import local_response_norm
from neuronet.onnx.onnx_ops import CONSTANT_INPUTS, OPS, as_tensor, constant_ints, is_constant

_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


class Erf(Function):
    """erf(x) = 1 - erfc(x), with the erfc of GELU; its derivative 2 / sqrt(pi) exp(-x^2)."""

    def forward(self, x):
        self.x = x
        return (1 - erfc(x)).astype(x.dtype)

    def backward(self, g):
        return g * (_TWO_OVER_SQRT_PI * np.exp(-self.x * self.x))


def _array(value):
    return value.data if isinstance(value, Tensor) else value


def power(node, base, exponent):
    if is_constant(base) and is_constant(exponent):
        return np.power(base, exponent)
    return neuronet.pow(as_tensor(base), exponent)


def greater(node, a, b):
    """a > b: a comparison has no gradient, so its result is a constant (a numpy array)."""
    return np.greater(_array(a), _array(b))


def where(node, condition, a, b):
    condition = _array(condition)
    if condition.dtype != np.bool_:
        raise node.error(f"condition must be boolean, got {condition.dtype}")
    if is_constant(a) and is_constant(b):
        return np.where(condition, a, b)
    return neuronet.where(condition, as_tensor(a), as_tensor(b))


def softplus(node, x):
    """log(1 + exp(x)) by F.softplus: x itself above its threshold 20, where the two differ
    by log(1 + exp(-x)) < 2.1e-9, below float32's rounding of x."""
    return F.softplus(as_tensor(x))


def lrn(node, x):
    """x / (bias + alpha / size * the sum of squares over `size` channels) ** beta; odd sizes
    only: for an even one ONNX centres the window otherwise than F.local_response_norm
    (one more channel after c, not before) and onnxruntime refuses it."""
    size = node.attrs.get("size")
    if not isinstance(size, int) or size < 1 or size % 2 == 0:
        raise node.error(f"size must be a positive odd integer, got {size!r}")
    return local_response_norm(as_tensor(x), size, node.attrs.get("alpha", 1e-4),
                               node.attrs.get("beta", 0.75), node.attrs.get("bias", 1.0))


# (mode, coordinate_transformation_mode) -> F.interpolate's align_corners
_RESIZE_MODES = {("nearest", "asymmetric"): None, ("linear", "align_corners"): True,
                 ("linear", "half_pixel"): False, ("linear", "pytorch_half_pixel"): False}


def _check_resize_attrs(node):
    """(mode, coordinate transformation) when F.interpolate computes them, else an error."""
    attrs = node.attrs
    for name, allowed in (("antialias", 0), ("exclude_outside", 0),
                          ("keep_aspect_ratio_policy", "stretch")):
        if attrs.get(name, allowed) != allowed:
            raise node.error(f"attribute {name}={attrs[name]!r} is not supported")
    if "axes" in attrs:
        raise node.error("the axes attribute is not supported: give scales or sizes for "
                         "every axis")
    mode = attrs.get("mode", "nearest")
    transform = attrs.get("coordinate_transformation_mode", "half_pixel")
    if (mode, transform) not in _RESIZE_MODES:
        raise node.error(f"mode {mode!r} with coordinate_transformation_mode {transform!r} is "
                         "not supported; supported: nearest with asymmetric, linear with "
                         "align_corners, half_pixel or pytorch_half_pixel")
    nearest_mode = attrs.get("nearest_mode", "round_prefer_floor")
    if mode == "nearest" and nearest_mode != "floor":
        raise node.error(f"nearest_mode {nearest_mode!r} is not supported (only 'floor', "
                         "torch's nearest)")
    return mode, transform


def _resize_target(node, x, scales, sizes):
    """(size, scale_factor) of the spatial axes, one of them None, from sizes or scales."""
    if sizes is not None and sizes.size:
        target, what = constant_ints(node, sizes, "sizes"), "sizes"
        if len(target) == x.ndim and target[:2] == list(x.shape[:2]):
            return tuple(target[2:]), None
    elif scales is not None and scales.size:
        if not is_constant(scales) or scales.dtype.kind != "f":
            raise node.error("scales must be constant floats")
        target, what = [float(s) for s in scales.reshape(-1)], "scales"
        if len(target) == x.ndim and target[:2] == [1.0, 1.0]:
            return None, tuple(target[2:])
    else:
        raise node.error("needs scales or sizes")
    raise node.error(f"{what} {target} must have one entry per axis of the input of shape "
                     f"{tuple(x.shape)} and keep its first two (N, C): only the spatial axes "
                     "are resized")


def resize(node, x, roi=None, scales=None, sizes=None):
    """F.interpolate of (N, C, L) or (N, C, H, W): nearest with coordinate transformation
    'asymmetric' and nearest_mode 'floor' (torch's nearest); linear with 'align_corners'
    (align_corners=True) or 'half_pixel' (False); 'pytorch_half_pixel' too, but for an
    output size of 1, where it takes coordinate 0 and torch the middle."""
    x = as_tensor(x)
    mode, transform = _check_resize_attrs(node)
    if x.ndim not in (3, 4):
        raise node.error(f"only inputs (N, C, L) and (N, C, H, W) are resized, got shape "
                         f"{tuple(x.shape)}")
    size, factor = _resize_target(node, x, scales, sizes)
    out = size or [math.floor(n * f) for n, f in zip(x.shape[2:], factor)]
    if transform == "pytorch_half_pixel" and 1 in out:
        raise node.error(f"pytorch_half_pixel to an output size of 1 ({list(out)}) takes the "
                         "first pixel, not the middle one torch's interpolation takes: not "
                         "supported")
    align_corners = _RESIZE_MODES[mode, transform]
    if mode == "linear" and x.ndim == 4:
        mode = "bilinear"
    return F.interpolate(x, size, factor, mode, align_corners)


OPS.update({
    "Erf": lambda node, x: Erf.apply(as_tensor(x)),
    "Gelu": lambda node, x: F.gelu(as_tensor(x), node.attrs.get("approximate", "none")),
    "Pow": power,
    "Greater": greater,
    "Where": where,
    "Softplus": softplus,
    "LRN": lrn,
    "Resize": resize,
})
CONSTANT_INPUTS["Resize"] = (1, 2)  # roi, scales
