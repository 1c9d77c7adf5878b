"""Weight initialization, in place, with PyTorch's names and formulas.

Every function overwrites `tensor.data` and returns the tensor; nothing is recorded in the
graph, so they may be called on parameters at any time. Random ones take `generator=` (a
`numpy.random.Generator` or an int seed; default: the global one set by `manual_seed`).

    init.kaiming_uniform_(layer.weight, a=math.sqrt(5))     # what Linear does by default
    init.xavier_normal_(w, gain=init.calculate_gain("tanh"))

Fans follow PyTorch: for a weight of shape (out, in, *kernel), fan_in = in * prod(kernel)
and fan_out = out * prod(kernel).
"""

import math
import warnings

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.random import get_generator

_LINEAR_GAINS = ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                 "conv_transpose2d", "conv_transpose3d", "sigmoid")


def calculate_gain(nonlinearity, param=None):
    """The recommended scale for weights feeding `nonlinearity` (PyTorch's table).

    linear/conv/sigmoid: 1; tanh: 5/3; relu: sqrt(2); leaky_relu: sqrt(2 / (1 + slope^2))
    with slope `param` (default 0.01); selu: 3/4.
    """
    if nonlinearity in _LINEAR_GAINS:
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            slope = 0.01
        elif isinstance(param, (int, float)) and not isinstance(param, bool):
            slope = param
        else:
            raise ValueError(f"calculate_gain: negative_slope {param!r} is not a valid number")
        return math.sqrt(2.0 / (1 + slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(
        f"calculate_gain: unsupported nonlinearity {nonlinearity!r}; valid: "
        f"{', '.join(_LINEAR_GAINS + ('tanh', 'relu', 'leaky_relu', 'selu'))}"
    )


def calculate_fan_in_and_fan_out(tensor):
    """(fan_in, fan_out) of a weight shaped (out, in, *kernel), as PyTorch computes them."""
    _check_tensor(tensor, "calculate_fan_in_and_fan_out")
    if tensor.ndim < 2:
        raise ValueError(
            f"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions "
            f"(got shape {tensor.shape})"
        )
    receptive_field = math.prod(tensor.shape[2:])
    return tensor.shape[1] * receptive_field, tensor.shape[0] * receptive_field


# PyTorch's (private) name, for code ported from it
_calculate_fan_in_and_fan_out = calculate_fan_in_and_fan_out


def _correct_fan(tensor, mode):
    if not isinstance(mode, str) or mode.lower() not in ("fan_in", "fan_out"):
        raise ValueError(f"mode {mode!r} not supported, please use one of fan_in, fan_out")
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode.lower() == "fan_in" else fan_out


def _check_tensor(tensor, name):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name}: expected a neuronet Tensor, got {type(tensor).__name__}")


def _fill(tensor, name, draw):
    """Overwrite `tensor` with `draw(generator_dtype)`, cast to the tensor's float dtype."""
    _check_tensor(tensor, name)
    dtype = tensor.data.dtype
    if dtype.kind != "f":
        raise TypeError(f"{name}: expected a floating point tensor, got dtype {dtype}")
    # the Generator draws float32 and float64 natively; other floats are drawn in float64
    draw_dtype = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)
    tensor.data[...] = draw(draw_dtype)
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with values drawn uniformly from [a, b)."""
    if a > b:
        raise ValueError(f"uniform_: expected a <= b, got a={a}, b={b}")
    gen = get_generator(generator)

    def draw(dtype):
        u = gen.random(tensor.shape, dtype=dtype)
        return dtype.type(a) + dtype.type(b - a) * u

    return _fill(tensor, "uniform_", draw)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with values drawn from the normal distribution N(mean, std^2)."""
    if std < 0:
        raise ValueError(f"normal_: expected std >= 0, got std={std}")
    gen = get_generator(generator)

    def draw(dtype):
        return dtype.type(mean) + dtype.type(std) * gen.standard_normal(tensor.shape, dtype=dtype)

    return _fill(tensor, "normal_", draw)


def constant_(tensor, val):
    """Fill with the value `val`."""
    _check_tensor(tensor, "constant_")
    tensor.data[...] = val
    return tensor


def zeros_(tensor):
    return constant_(tensor, 0)


def ones_(tensor):
    return constant_(tensor, 1)


def small_random_(tensor, low=-0.5, high=0.5, generator=None):
    """The classic texts' initialization: uniform in a small range, [-0.5, 0.5) by default.

    Used by the early perceptron and backpropagation literature before fan-scaled schemes.
    """
    return uniform_(tensor, low, high, generator=generator)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    bound = math.sqrt(3.0) * gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return uniform_(tensor, -bound, bound, generator=generator)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Glorot & Bengio (2010): N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out))."""
    fan_in, fan_out = calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return normal_(tensor, 0.0, std, generator=generator)


def _kaiming_std(tensor, a, mode, nonlinearity, name):
    """He et al. (2015): gain / sqrt(fan); None for an empty tensor (nothing to fill)."""
    _check_tensor(tensor, name)
    if tensor.data.size == 0:
        warnings.warn(f"{name}: initializing a zero-element tensor is a no-op", stacklevel=3)
        return None
    fan = _correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): U(-bound, bound) with bound = gain * sqrt(3 / fan).

    a: negative slope of the rectifier after this layer (leaky_relu only); mode: "fan_in"
    keeps the forward variance, "fan_out" the backward one.
    """
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_uniform_")
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator=generator)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """He et al. (2015): N(0, std^2) with std = gain / sqrt(fan) (see kaiming_uniform_)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity, "kaiming_normal_")
    if std is None:
        return tensor
    return normal_(tensor, 0.0, std, generator=generator)
