"""Convolution layers: `Conv1d`, `Conv2d`, `ConvTranspose1d`, `ConvTranspose2d`, with
PyTorch's arguments, parameter shapes, default initialization and repr."""

import math
import numbers

import numpy as np

from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.nn import functional as F
from neuronet.nn import init
from neuronet.nn.functional.conv import as_tuple
from neuronet.nn.modules.module import Module
from neuronet.nn.parameter import Parameter
from neuronet.ops.shape import pad

PADDING_MODES = ("zeros", "reflect", "replicate", "circular")


def run_layer(module, fn, input, *args, **kwargs):
    """fn(input, ...) with any ValueError/TypeError prefixed by the layer that called it."""
    module._check_input(input)
    try:
        return fn(input, *args, **kwargs)
    except (ValueError, TypeError) as error:
        raise type(error)(f"{module._describe()}: {error}") from None


class _ConvNd(Module):
    """Shared by all convolution layers; n is the number of spatial dims.

    weight: (out_channels, in_channels / groups, *kernel_size), or (in_channels,
    out_channels / groups, *kernel_size) when transposed; bias: (out_channels,).
    Initialized as PyTorch: weight ~ kaiming_uniform_(a=sqrt(5)), i.e.
    U(-1/sqrt(fan_in), 1/sqrt(fan_in)), and bias ~ U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with
    fan_in = weight.shape[1] * prod(kernel_size).
    """

    def __init__(self, n, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 transposed, output_padding, groups, bias, padding_mode, dtype):
        super().__init__()
        name = self._get_name()
        for arg, value in (("in_channels", in_channels), ("out_channels", out_channels),
                           ("groups", groups)):
            if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name}: {arg} must be a positive integer, got {value!r}")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: groups={groups} must divide in_channels={in_channels} "
                             f"and out_channels={out_channels}")
        if padding_mode not in PADDING_MODES:
            raise ValueError(f"{name}: padding_mode must be one of {list(PADDING_MODES)}, got "
                             f"{padding_mode!r}")
        if transposed and padding_mode != "zeros":
            raise ValueError(f"{name}: only 'zeros' padding_mode is supported, got "
                             f"{padding_mode!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = as_tuple(kernel_size, n, "kernel_size", name, 1)
        self.stride = as_tuple(stride, n, "stride", name, 1)
        self.dilation = as_tuple(dilation, n, "dilation", name, 1)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(f"{name}: padding must be 'same', 'valid', an int or a tuple, "
                                 f"got {padding!r}")
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided "
                                 f"convolutions (stride={self.stride})")
            self.padding = padding
        else:
            self.padding = as_tuple(padding, n, "padding", name, 0)
        self.output_padding = as_tuple(output_padding, n, "output_padding", name, 0)
        self.transposed, self.groups, self.padding_mode = transposed, int(groups), padding_mode
        self._reversed_padding_repeated_twice = self._explicit_padding()
        shape = ((self.in_channels, self.out_channels // self.groups) if transposed
                 else (self.out_channels, self.in_channels // self.groups)) + self.kernel_size
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        self.weight = Parameter(np.empty(shape, dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_channels, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _explicit_padding(self):
        """Padding per side as F.pad takes it (last dim first), for the non-zeros modes."""
        sides = []
        for k, d, p in zip(reversed(self.kernel_size), reversed(self.dilation),
                           reversed(self.padding if not isinstance(self.padding, str)
                                    else (None,) * len(self.kernel_size))):
            if self.padding == "valid":
                sides += [0, 0]
            elif self.padding == "same":
                total = d * (k - 1)
                sides += [total // 2, total - total // 2]
            else:
                sides += [p, p]
        return tuple(sides)

    def reset_parameters(self):
        """Draw fresh weights from the default distribution (uses the global generator)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init.calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def extra_repr(self):
        n = len(self.kernel_size)
        s = (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
             f"stride={self.stride}")
        if self.padding != (0,) * n:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * n:
            s += f", dilation={self.dilation}"
        if self.output_padding != (0,) * n:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class _Conv(_ConvNd):
    """Conv1d / Conv2d: the subclass names the functional op."""

    _op = None

    def __init__(self, n, in_channels, out_channels, kernel_size, stride, padding, dilation,
                 groups, bias, padding_mode, dtype):
        super().__init__(n, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         False, 0, groups, bias, padding_mode, dtype)

    def forward(self, input):
        op = type(self)._op
        if self.padding_mode == "zeros":
            return run_layer(self, op, input, self.weight, self.bias, self.stride,
                             self.padding, self.dilation, self.groups)
        padded = run_layer(self, pad, input, self._reversed_padding_repeated_twice,
                           mode=self.padding_mode)
        return run_layer(self, op, padded, self.weight, self.bias, self.stride, 0,
                         self.dilation, self.groups)


class Conv2d(_Conv):
    """2-D convolution over (N, C_in, H, W) (or unbatched (C_in, H, W)) -> (N, C_out, OH, OW);
    see F.conv2d for the output size. padding: int, pair, 'same' or 'valid'; padding_mode:
    'zeros', 'reflect', 'replicate' or 'circular'."""

    _op = staticmethod(F.conv2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype)


class Conv1d(_Conv):
    """1-D convolution over (N, C_in, L) (or (C_in, L)) -> (N, C_out, L_out); see F.conv1d."""

    _op = staticmethod(F.conv1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0, dilation=1,
                 groups=1, bias=True, padding_mode="zeros", device=None, dtype=None):
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         groups, bias, padding_mode, dtype)


class _ConvTranspose(_ConvNd):
    """ConvTranspose1d / ConvTranspose2d: forward(input, output_size=None), where
    output_size picks the output_padding that gives that size (as PyTorch)."""

    _op = None

    def __init__(self, n, in_channels, out_channels, kernel_size, stride, padding,
                 output_padding, groups, bias, dilation, padding_mode, dtype):
        if isinstance(padding, str):
            raise ValueError(f"{type(self).__name__}: padding must be an int or a tuple, got "
                             f"{padding!r}")
        super().__init__(n, in_channels, out_channels, kernel_size, stride, padding, dilation,
                         True, output_padding, groups, bias, padding_mode, dtype)

    def _output_padding(self, input, output_size):
        if output_size is None:
            return self.output_padding
        n = len(self.kernel_size)
        output_size = tuple(output_size)[-n:]
        spatial = tuple(input.shape[-n:])
        extra = []
        for i, size in enumerate(output_size):
            smallest = ((spatial[i] - 1) * self.stride[i] - 2 * self.padding[i]
                        + self.dilation[i] * (self.kernel_size[i] - 1) + 1)
            if not 0 <= size - smallest < max(self.stride[i], self.dilation[i]):
                raise ValueError(
                    f"{self._describe()}: requested output size {output_size} is not reachable "
                    f"from input of shape {tuple(input.shape)} (dimension {i} must be in "
                    f"[{smallest}, {smallest + max(self.stride[i], self.dilation[i]) - 1}])"
                )
            extra.append(size - smallest)
        return tuple(extra)

    def forward(self, input, output_size=None):
        self._check_input(input, min_ndim=len(self.kernel_size) + 1)
        return run_layer(self, type(self)._op, input, self.weight, self.bias, self.stride,
                         self.padding, self._output_padding(input, output_size), self.groups,
                         self.dilation)


class ConvTranspose2d(_ConvTranspose):
    """2-D transposed convolution (N, C_in, H, W) -> (N, C_out, H_out, W_out); see
    F.conv_transpose2d. weight: (C_in, C_out / groups, KH, KW)."""

    _op = staticmethod(F.conv_transpose2d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(2, in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, dtype)


class ConvTranspose1d(_ConvTranspose):
    """1-D transposed convolution (N, C_in, L) -> (N, C_out, L_out); see F.conv_transpose1d."""

    _op = staticmethod(F.conv_transpose1d)

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0,
                 output_padding=0, groups=1, bias=True, dilation=1, padding_mode="zeros",
                 device=None, dtype=None):
        super().__init__(1, in_channels, out_channels, kernel_size, stride, padding,
                         output_padding, groups, bias, dilation, padding_mode, dtype)
