"""Resampling an image to another size: adaptive_avg_pool2d / adaptive_avg_pool1d and
interpolate (nearest, linear, bilinear), with torch.nn.functional's names and arguments.

Each of these is a separable linear map: every output row mixes input rows with fixed
weights, and every output column mixes input columns, so with matrices
rows: (OH, H) and cols: (OW, W)

    y[n, c] = rows @ x[n, c] @ cols^T        and its gradient   dx[n, c] = rows^T @ dy @ cols

Adaptive average pooling averages the rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1 for output
row i; bilinear interpolation mixes the two nearest input rows; nearest picks one (its
forward pass gathers instead of multiplying, so that inf and nan stay where they are).
"""

import math
import numbers

import numpy as np

from neuronet.autograd.function import Function
from neuronet.nn.functional.conv import check_batched


def _apply(x, rows, cols):
    """rows @ x @ cols^T over the last two axes of x, as two GEMMs over the whole batch."""
    y = np.tensordot(np.tensordot(x, cols, axes=([3], [1])), rows, axes=([2], [1]))
    return np.ascontiguousarray(y.swapaxes(2, 3))


class SeparableMap(Function):
    """y[n, c] = rows @ x[n, c] @ cols^T; `gather` = (row index, column index) computes the
    same map when each matrix row is a single 1 (nearest neighbour) by indexing."""

    def forward(self, x, rows, cols, gather=None):
        self.rows, self.cols = rows, cols
        if gather is not None:
            return x[:, :, gather[0][:, None], gather[1]]
        return _apply(x, rows, cols)

    def backward(self, g):
        return _apply(g, self.rows.T, self.cols.T)


def _adaptive_matrix(n, out, dtype):
    """(out, n) averaging matrix of adaptive pooling (bins may overlap by one)."""
    m = np.zeros((out, n), dtype)
    for i in range(out):
        start, end = (i * n) // out, -((-(i + 1) * n) // out)
        m[i, start:end] = 1 / (end - start)
    return m


def _output_size_arg(output_size, n, op):
    sizes = (output_size,) * n if isinstance(output_size, numbers.Integral) or output_size is None \
        else tuple(output_size)
    if len(sizes) != n or not all(
            s is None or (isinstance(s, numbers.Integral) and s >= 1) for s in sizes):
        raise ValueError(f"{op}: output_size must be a positive int or a tuple of {n} of them "
                         f"(None keeps the input size), got {output_size!r}")
    return sizes


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (OH, OW), as torch's adaptive_avg_pool2d.

    input: (N, C, H, W) or (C, H, W); output_size: int or pair (None keeps that size).
    Output row i averages input rows floor(i*H/OH) .. ceil((i+1)*H/OH) - 1 (columns alike).
    adaptive_avg_pool2d(x, 1) is global average pooling.
    """
    op = "adaptive_avg_pool2d"
    check_batched(input, 2, op, "(N, C, H, W)")
    oh, ow = _output_size_arg(output_size, 2, op)
    H, W = input.shape[-2:]
    if H == 0 or W == 0:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} has an empty spatial size")
    x = input if input.ndim == 4 else input.unsqueeze(0)
    rows = _adaptive_matrix(H, H if oh is None else oh, input.dtype)
    cols = _adaptive_matrix(W, W if ow is None else ow, input.dtype)
    y = SeparableMap.apply(x, rows, cols)
    return y if input.ndim == 4 else y.squeeze(0)


def adaptive_avg_pool1d(input, output_size):
    """adaptive_avg_pool2d over the last axis of (N, C, L) or (C, L) input."""
    op = "adaptive_avg_pool1d"
    check_batched(input, 1, op, "(N, C, L)")
    (size,) = _output_size_arg(output_size, 1, op)
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, size)).squeeze(-2)


def _nearest_index(n, out, scale):
    """torch's nearest source index: floor(dst * scale) in float32, at most n - 1."""
    s = np.float32(1.0 / scale) if scale is not None else np.float32(n) / np.float32(out)
    return np.minimum(np.floor(np.arange(out, dtype=np.float32) * s).astype(np.int64), n - 1)


def _linear_matrix(n, out, scale, align_corners, dtype):
    """(out, n) matrix of linear interpolation with torch's source coordinates (computed in
    the input's precision, as torch does)."""
    dst = np.arange(out, dtype=dtype)
    if align_corners:
        src = dst * dtype((n - 1) / (out - 1) if out > 1 else 0)
    else:
        s = dtype(1.0 / scale) if scale is not None else dtype(n / out)
        src = np.maximum(s * (dst + dtype(0.5)) - dtype(0.5), 0)
    i0 = src.astype(np.int64)
    i1 = np.minimum(i0 + 1, n - 1)
    lam = np.clip(src - i0, 0, 1).astype(dtype)
    m = np.zeros((out, n), dtype)
    m[np.arange(out), i0] += 1 - lam
    m[np.arange(out), i1] += lam
    return m


def _interpolate_sizes(input, size, scale_factor, recompute_scale_factor, op):
    """Output sizes and the scales torch uses for the source coordinates (None: in/out)."""
    spatial = input.shape[2:]
    n = len(spatial)
    if (size is None) == (scale_factor is None):
        raise ValueError(f"{op}: give exactly one of size or scale_factor (got size={size!r}, "
                         f"scale_factor={scale_factor!r})")
    if size is not None:
        sizes = (size,) * n if isinstance(size, numbers.Integral) else tuple(size)
        if len(sizes) != n or not all(isinstance(s, numbers.Integral) and s >= 1 for s in sizes):
            raise ValueError(f"{op}: size must be a positive int or a tuple of {n} of them for "
                             f"input of shape {tuple(input.shape)}, got {size!r}")
        return tuple(int(s) for s in sizes), (None,) * n
    scales = (scale_factor,) * n if isinstance(scale_factor, numbers.Real) \
        else tuple(scale_factor)
    if len(scales) != n or not all(isinstance(s, numbers.Real) and s > 0 for s in scales):
        raise ValueError(f"{op}: scale_factor must be a positive number or a tuple of {n} of "
                         f"them for input of shape {tuple(input.shape)}, got {scale_factor!r}")
    sizes = tuple(math.floor(m * float(s)) for m, s in zip(spatial, scales))
    if min(sizes) < 1:
        raise ValueError(f"{op}: scale_factor {scale_factor!r} gives an empty output {sizes} "
                         f"for input of shape {tuple(input.shape)}")
    return sizes, (None,) * n if recompute_scale_factor else tuple(float(s) for s in scales)


_MODE_DIMS = {"nearest": (3, 4), "linear": (3,), "bilinear": (4,)}


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None,
                recompute_scale_factor=None, antialias=False):
    """Resize (N, C, L) or (N, C, H, W) input, as torch.nn.functional.interpolate.

    size or scale_factor (exactly one; output = floor(input_size * scale_factor)).
    mode: 'nearest' (3-D or 4-D), 'linear' (3-D), 'bilinear' (4-D). align_corners (linear
    modes only): map the corner pixels' centres onto each other; default False, where the
    source coordinate of output i is (i + 0.5) / scale - 0.5.
    """
    op = "interpolate"
    if mode not in _MODE_DIMS:
        raise ValueError(f"{op}: mode {mode!r} is not supported; choose one of "
                         f"{list(_MODE_DIMS)}")
    check_batched(input, 2, op, "(N, C, H, W) or (N, C, L)")
    if input.ndim not in _MODE_DIMS[mode]:
        raise ValueError(f"{op}: mode {mode!r} expects {' or '.join(map(str, _MODE_DIMS[mode]))}"
                         f"-D input, got shape {tuple(input.shape)}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError(f"{op}: align_corners option can only be set with the interpolating "
                         f"modes linear and bilinear, not {mode!r}")
    if antialias:
        raise ValueError(f"{op}: antialias is not supported")
    sizes, scales = _interpolate_sizes(input, size, scale_factor, recompute_scale_factor, op)
    x = input if input.ndim == 4 else input.unsqueeze(2)
    if input.ndim == 3:  # a height-1 image whose height stays put
        sizes, scales = (1, *sizes), (None, *scales)
    dtype = input.dtype.type
    in_sizes = x.shape[2:]
    if mode == "nearest":
        index = [_nearest_index(n, o, s) for n, o, s in zip(in_sizes, sizes, scales)]
        rows, cols = (np.eye(n, dtype=dtype)[i] for n, i in zip(in_sizes, index))
        y = SeparableMap.apply(x, rows, cols, gather=index)
    else:
        rows, cols = (_linear_matrix(n, o, s, bool(align_corners), dtype)
                      for n, o, s in zip(in_sizes, sizes, scales))
        y = SeparableMap.apply(x, rows, cols)
    return y if input.ndim == 4 else y.squeeze(2)
