"""Convolutions with torch.nn.functional's names and arguments: conv2d, conv1d,
conv_transpose2d, conv_transpose1d (NCHW / NCL).

Each is one fused op built on im2col.py: conv2d is im2col + one GEMM per group, its input
gradient is a GEMM + col2im, or, with stride 1, the adjoint convolution (see im2col.py);
the transposed convolution is the adjoint map, so its forward is conv2d's input gradient
and its input gradient is conv2d's forward, on the same geometry. conv2d's 3x3 stride-1
layers with enough channels run as Winograd F(2x2, 3x3) instead (winograd.py), strided
kernels that the stride divides over phases (phases.py); im2col stays the reference.
The 1-D versions run the 2-D op on a height-1 image.
"""

import numbers

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor
from neuronet.nn.functional.im2col import ConvGeometry
from neuronet.nn.functional.phases import over_phases_if_it_applies
from neuronet.nn.functional.winograd import WinogradGeometry, applies


class Conv2d(Function):
    """y = conv(x, weight) + bias; x: (N, C, H, W), weight: (O, C/G, KH, KW), bias: (O,)."""

    def forward(self, x, weight, bias, geometry):
        self.geometry, self.weight = geometry, weight
        y, self.saved = geometry.convolve(x, weight, bias)
        return y

    def backward(self, g):
        geo = self.geometry
        gx, gw = geo.gradients(g, self.weight, self.saved, *self.needs_input_grad[:2])
        geo.release()  # forward's patch matrix, when weight_grad did not take it back
        gb = g.sum(axis=(0, 2, 3)) if self.needs_input_grad[2] else None
        return gx, gw, gb


class ConvTranspose2d(Function):
    """The adjoint of Conv2d: `geometry` describes the convolution that maps this op's
    output (N, C_out, H_out, W_out) back to its input x (N, C_in, H, W); weight (C_in,
    C_out/G, KH, KW) is that convolution's weight."""

    def forward(self, x, weight, bias, geometry):
        self.geometry, self.weight, self.x = geometry, weight, x
        y = geometry.input_grad(x, weight)
        if bias is not None:
            y += bias.reshape(1, -1, 1, 1)
        return y

    def backward(self, g):
        geo = self.geometry
        padded = geo.pad(g) if any(self.needs_input_grad[:2]) else None
        gx = geo.forward(padded, self.weight) if self.needs_input_grad[0] else None
        gw = geo.weight_grad(geo.widen(self.x), padded) if self.needs_input_grad[1] else None
        geo.release()
        gb = g.sum(axis=(0, 2, 3)) if self.needs_input_grad[2] else None
        return gx, gw, gb


def as_tuple(value, n, name, op, minimum):
    """An int or a sequence of n ints (each >= minimum) as a tuple of n ints."""
    values = (value,) * n if isinstance(value, numbers.Integral) else value
    if (not isinstance(values, (tuple, list)) or len(values) != n
            or not all(isinstance(v, numbers.Integral) and not isinstance(v, bool)
                       for v in values)):
        raise TypeError(f"{op}: {name} must be an int or a tuple of {n} ints, got {value!r}")
    if any(v < minimum for v in values):
        raise ValueError(f"{op}: {name} must be >= {minimum}, got {value!r}")
    return tuple(int(v) for v in values)


def check_float_tensor(t, op, name):
    if not isinstance(t, Tensor) or t.dtype.kind != "f":
        what = f"dtype {t.dtype}" if isinstance(t, Tensor) else type(t).__name__
        raise TypeError(f"{op}: {name} must be a floating point Tensor, got {what}")


def check_batched(input, spatial, op, expected):
    """ValueError unless input has `spatial` + 1 (unbatched) or + 2 (batched) dims."""
    check_float_tensor(input, op, "input")
    if input.ndim not in (spatial + 1, spatial + 2):
        raise ValueError(
            f"{op}: expected {spatial + 1}-D (unbatched) or {spatial + 2}-D (batched) input "
            f"{expected}, got shape {tuple(input.shape)}"
        )


def _conv_padding(padding, kernel, stride, dilation, op):
    """(top, bottom, left, right) from an int, a pair, 'valid' or 'same' (torch puts the extra
    row/column of an even kernel at the bottom/right)."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0, 0, 0)
        if padding != "same":
            raise ValueError(f"{op}: padding must be 'valid', 'same', an int or a pair, got "
                             f"{padding!r}")
        if stride != (1, 1):
            raise ValueError(f"{op}: padding='same' is not supported for strided convolutions "
                             f"(stride={stride})")
        sides = []
        for k, d in zip(kernel, dilation):
            total = d * (k - 1)
            sides += [total // 2, total - total // 2]
        return tuple(sides)
    ph, pw = as_tuple(padding, 2, "padding", op, 0)
    return (ph, ph, pw, pw)


def _check_operands(input, weight, bias, groups, op, in_channels_axis):
    """Shared checks of conv and conv_transpose: dtypes, weight rank, groups and channels."""
    check_float_tensor(weight, op, "weight")
    if weight.ndim != 4:
        raise ValueError(f"{op}: expected a 4-D weight, got shape {tuple(weight.shape)}")
    if input.dtype != weight.dtype or (bias is not None and bias.dtype != input.dtype):
        raise TypeError(f"{op}: input, weight and bias must have the same dtype, got "
                        f"{input.dtype}, {weight.dtype}"
                        + (f", {bias.dtype}" if bias is not None else ""))
    if not isinstance(groups, numbers.Integral) or groups < 1:
        raise ValueError(f"{op}: groups must be a positive int, got {groups!r}")
    C = input.shape[1]
    if C % groups:
        raise ValueError(f"{op}: groups={groups} must divide the {C} input channels "
                         f"(input shape {tuple(input.shape)})")
    expected = weight.shape[0] if in_channels_axis == 0 else weight.shape[1] * groups
    if C != expected:
        raise ValueError(
            f"{op}: weight of shape {tuple(weight.shape)} with groups={groups} expects input "
            f"with {expected} channels, got input of shape {tuple(input.shape)}"
        )


def _check_bias(bias, channels, op):
    if bias is None:
        return
    check_float_tensor(bias, op, "bias")
    if tuple(bias.shape) != (channels,):
        raise ValueError(f"{op}: bias must have shape ({channels},), got {tuple(bias.shape)}")


def _unbatched(fn, input, spatial, *args, **kwargs):
    """Run a batched op on an unbatched input (one fewer dim) by adding a batch of 1."""
    if input.ndim == spatial + 2:
        return fn(input, *args, **kwargs)
    out = fn(input.unsqueeze(0), *args, **kwargs)
    return tuple(o.squeeze(0) for o in out) if isinstance(out, tuple) else out.squeeze(0)


def _conv2d(input, weight, bias, stride, padding, dilation, groups, op):
    _check_operands(input, weight, bias, groups, op, in_channels_axis=1)
    O, _, KH, KW = weight.shape
    if O % groups:
        raise ValueError(f"{op}: groups={groups} must divide the {O} output channels "
                         f"(weight shape {tuple(weight.shape)})")
    _check_bias(bias, O, op)
    stride = as_tuple(stride, 2, "stride", op, 1)
    dilation = as_tuple(dilation, 2, "dilation", op, 1)
    padding = _conv_padding(padding, (KH, KW), stride, dilation, op)
    geo = ConvGeometry(tuple(input.shape), tuple(weight.shape), stride, padding, dilation,
                       int(groups))
    if geo.OH < 1 or geo.OW < 1:
        raise ValueError(
            f"{op}: input of shape {tuple(input.shape)} is smaller than the kernel: padded "
            f"size ({geo.Hp} x {geo.Wp}) < dilated kernel size "
            f"({dilation[0] * (KH - 1) + 1} x {dilation[1] * (KW - 1) + 1})"
        )
    geo = WinogradGeometry(geo) if applies(geo) else over_phases_if_it_applies(geo)
    return Conv2d.apply(input, weight, bias, geometry=geo)


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D cross-correlation, as torch.nn.functional.conv2d.

    input: (N, C, H, W) or (C, H, W); weight: (O, C/groups, KH, KW); bias: (O,) or None.
    padding: int, pair, 'valid' or 'same' (stride 1 only). Output (N, O, OH, OW) with
    OH = floor((H + 2*pad_h - dilation_h*(KH - 1) - 1) / stride_h) + 1 (same for W).
    """
    check_batched(input, 2, "conv2d", "(N, C, H, W)")
    return _unbatched(_conv2d, input, 2, weight, bias, stride, padding, dilation, groups,
                      "conv2d")


def _conv_transpose2d(input, weight, bias, stride, padding, output_padding, groups, dilation,
                      op):
    _check_operands(input, weight, bias, groups, op, in_channels_axis=0)
    N, C_in, H, W = input.shape
    _, Og, KH, KW = weight.shape
    _check_bias(bias, Og * groups, op)
    stride = as_tuple(stride, 2, "stride", op, 1)
    dilation = as_tuple(dilation, 2, "dilation", op, 1)
    ph, pw = as_tuple(padding, 2, "padding", op, 0)
    output_padding = as_tuple(output_padding, 2, "output_padding", op, 0)
    if any(p >= max(s, d) for p, s, d in zip(output_padding, stride, dilation)):
        raise ValueError(f"{op}: output_padding {output_padding} must be smaller than either "
                         f"stride {stride} or dilation {dilation}")
    out_h, out_w = ((n - 1) * s - 2 * p + d * (k - 1) + q + 1 for n, s, p, d, k, q in zip(
        (H, W), stride, (ph, pw), dilation, (KH, KW), output_padding))
    if out_h < 1 or out_w < 1:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} with weight "
                         f"{tuple(weight.shape)} gives an empty output ({out_h} x {out_w})")
    # the convolution from this op's output back to its input; with output_padding >= stride
    # (allowed when dilation is larger) it would have extra positions: keep the first H x W
    geo = ConvGeometry((N, Og * groups, out_h, out_w), tuple(weight.shape), stride,
                       (ph, ph, pw, pw), dilation, int(groups), output_hw=(H, W))
    return ConvTranspose2d.apply(input, weight, bias, geometry=over_phases_if_it_applies(geo))


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """2-D transposed convolution ("deconvolution"), as torch.nn.functional.conv_transpose2d:
    the gradient of conv2d with respect to its input.

    input: (N, C_in, H, W) or (C_in, H, W); weight: (C_in, C_out/groups, KH, KW); bias (C_out,).
    Output (N, C_out, H_out, W_out) with
    H_out = (H - 1)*stride - 2*padding + dilation*(KH - 1) + output_padding + 1.
    """
    check_batched(input, 2, "conv_transpose2d", "(N, C, H, W)")
    return _unbatched(_conv_transpose2d, input, 2, weight, bias, stride, padding, output_padding,
                      groups, dilation, "conv_transpose2d")


def _as_2d(value, fill):
    """A 1-D op's int-or-1-tuple argument as the 2-D op's (fill, value) pair."""
    if isinstance(value, (tuple, list)) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) else (fill, value)


def _check_1d_weight(weight, op):
    check_float_tensor(weight, op, "weight")
    if weight.ndim != 3:
        raise ValueError(f"{op}: expected a 3-D weight, got shape {tuple(weight.shape)}")


def _conv1d(input, weight, bias, stride, padding, dilation, groups):
    _check_1d_weight(weight, "conv1d")
    y = _conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, _as_2d(stride, 1),
                _as_2d(padding, 0), _as_2d(dilation, 1), groups, "conv1d")
    return y.squeeze(2)


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D cross-correlation, as torch.nn.functional.conv1d.

    input: (N, C, L) or (C, L); weight: (O, C/groups, K); bias: (O,) or None.
    Output (N, O, L_out), L_out = floor((L + 2*padding - dilation*(K - 1) - 1) / stride) + 1.
    """
    check_batched(input, 1, "conv1d", "(N, C, L)")
    return _unbatched(_conv1d, input, 1, weight, bias, stride, padding, dilation, groups)


def _conv_transpose1d(input, weight, bias, stride, padding, output_padding, groups, dilation):
    _check_1d_weight(weight, "conv_transpose1d")
    y = _conv_transpose2d(input.unsqueeze(2), weight.unsqueeze(2), bias, _as_2d(stride, 1),
                          _as_2d(padding, 0), _as_2d(output_padding, 0), groups,
                          _as_2d(dilation, 1), "conv_transpose1d")
    return y.squeeze(2)


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1,
                     dilation=1):
    """1-D transposed convolution, as torch.nn.functional.conv_transpose1d.

    input: (N, C_in, L) or (C_in, L); weight: (C_in, C_out/groups, K); bias: (C_out,).
    L_out = (L - 1)*stride - 2*padding + dilation*(K - 1) + output_padding + 1.
    """
    check_batched(input, 1, "conv_transpose1d", "(N, C, L)")
    return _unbatched(_conv_transpose1d, input, 1, weight, bias, stride, padding,
                      output_padding, groups, dilation)


__all__ = ["conv1d", "conv2d", "conv_transpose1d", "conv_transpose2d"]
