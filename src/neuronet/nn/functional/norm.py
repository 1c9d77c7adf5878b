"""Normalization: batch_norm (over the batch, per channel) and layer_norm (per sample),
each one fused op with a hand-derived backward.

Both centre x over some axes, xc = x - mean, and scale it, x_hat = xc * inv_std with
inv_std = 1 / sqrt(var + eps) (biased variance, taken from xc: the two-pass formula, which
keeps its precision when the mean is large), then y = weight * x_hat + bias. With n the
number of values averaged and g_hat = dL/dx_hat,

    dL/dx = inv_std * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))

(the two means come from the batch mean and variance depending on every x); when batch_norm
uses fixed running statistics (eval) they do not, and dL/dx = inv_std * g_hat.

Batch norm runs on activations of many megabytes, where each pass over the array costs about
as much as all the arithmetic, so it folds every per-channel constant into as few passes as
it can: y = xc * (weight * inv_std) + bias, and x_hat is never stored (xc and the
per-channel inv_std are).
"""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor
from neuronet.parallel import get_num_threads, parallel_map

_PARALLEL_BYTES = 4 << 20  # batch norm on smaller inputs runs on one thread


def _sum_over(axes, *arrays):
    """The sum over `axes` of one array, or of the product of two arrays of the same shape,
    kept as size-1 axes: one pass, no product array (einsum, which also sums faster than
    ndarray.sum over the batch and spatial axes of NCHW)."""
    letters = "abcdefghijklmnopqrstuvwxyz"[:arrays[0].ndim]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    total = np.einsum(",".join([letters] * len(arrays)) + "->" + kept, *arrays)
    return total.reshape([1 if i in axes else n for i, n in enumerate(arrays[0].shape)])


def _centre(x, axes, out=None):
    """xc = x - mean over `axes` (into `out` if given) and the biased variance mean(xc ** 2)
    (size-1 axes kept)."""
    total = _sum_over(axes, x)
    n = x.size // total.size
    mean = total / n
    xc = np.subtract(x, mean, out=out)
    return xc, mean, _sum_over(axes, xc, xc) / n


def _normalize_grad(g, c, k, g_mean, scale, out=None):
    """dL/dx = scale * (g - g_mean - c * k), in four passes over the data, into `out` (a new
    array if None).

    Layer norm passes c = x_hat, k = mean(g_hat * x_hat), scale = inv_std; batch norm folds
    inv_std into k and its weight into scale, so that c is the centred x it keeps.
    """
    gx = np.multiply(c, k, out=out)
    gx += g_mean
    np.subtract(g, gx, out=gx)
    gx *= scale
    return gx


def _channel_parts(x):
    """Channel ranges of x (N, C, *), one per thread when x has _PARALLEL_BYTES or more:
    batch norm treats every channel on its own, so the ranges run on threads with the same
    results as one pass."""
    parts = get_num_threads() if x.nbytes >= _PARALLEL_BYTES else 1
    parts = max(1, min(parts, x.shape[1]))
    bounds = [x.shape[1] * i // parts for i in range(parts + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


def _on_channels(work, parts):
    """work(channels) for each channel range, on threads when there are several."""
    parallel_map(lambda thread, channels: work(channels), parts)


class BatchNorm(Function):
    """x: (N, C, *) normalized per channel over the batch and all positions (every axis but 1).

    Forward is y = centred * scale + shift with per-channel scale = weight * inv_std: in
    training centred = xc (kept for backward) and shift = bias; in eval centred = x and the
    running mean is folded into shift = bias - running_mean * scale (two passes). Large
    inputs run in channel ranges on threads (see _channel_parts).
    """

    def forward(self, x, weight, bias, running_mean, running_var, training, momentum, eps):
        self.axes = axes = (0,) + tuple(range(2, x.ndim))
        shape = (1, -1) + (1,) * (x.ndim - 2)
        self.training = training
        self.parts = _channel_parts(x)
        y = np.empty_like(x)
        self.centred = np.empty_like(x) if training else x
        # per channel, (1, C, 1, ...): the mean, 1 / sqrt(var + eps) and weight / sqrt(var + eps)
        self.mean, self.inv_std, self.scale = np.empty(
            (3, 1, x.shape[1]) + (1,) * (x.ndim - 2), x.dtype)

        def channels(c):
            if training:
                centred, mean, var = _centre(x[:, c], axes, out=self.centred[:, c])
                if running_mean is not None:
                    n = centred.size // centred.shape[1]
                    # torch's rule: the running variance is the unbiased one
                    running_mean[c] *= 1 - momentum
                    running_mean[c] += momentum * mean.reshape(-1)
                    running_var[c] *= 1 - momentum
                    running_var[c] += (momentum * n / (n - 1)) * var.reshape(-1)
            else:
                centred, mean, var = x[:, c], running_mean[c].reshape(shape), \
                    running_var[c].reshape(shape)
            inv_std = 1 / np.sqrt(var + eps)
            scale = inv_std if weight is None else inv_std * weight[c].reshape(shape)
            shift = None if bias is None else bias[c].reshape(shape)
            if not training:
                shift = -mean * scale if shift is None else shift - mean * scale
            out = np.multiply(centred, scale, out=y[:, c])
            if shift is not None:
                out += shift
            self.mean[:, c], self.inv_std[:, c], self.scale[:, c] = mean, inv_std, scale

        _on_channels(channels, self.parts)
        return y

    def backward(self, g):
        need_x, need_w, need_b = self.needs_input_grad
        batch_stats = need_x and self.training  # dL/dx goes through the batch mean and var
        gx = np.empty_like(g) if need_x else None
        gw = np.empty(g.shape[1], g.dtype) if need_w else None
        gb = np.empty(g.shape[1], g.dtype) if need_b else None

        def channels(c):
            gc, inv_std, scale = g[:, c], self.inv_std[:, c], self.scale[:, c]
            g_sum = _sum_over(self.axes, gc) if need_b or batch_stats else None
            gxc_sum = None
            if need_w or batch_stats:
                # eval keeps x, not xc: the weight's gradient centres it here, once
                xc = self.centred[:, c] if self.training else self.centred[:, c] - self.mean[:, c]
                gxc_sum = _sum_over(self.axes, gc, xc)
            if batch_stats:
                n = gc.size // g_sum.size
                _normalize_grad(gc, xc, inv_std * inv_std * (gxc_sum / n), g_sum / n, scale,
                                out=gx[:, c])
            elif need_x:
                np.multiply(gc, scale, out=gx[:, c])
            if need_w:
                gw[c] = (gxc_sum * inv_std).reshape(-1)
            if need_b:
                gb[c] = g_sum.reshape(-1)

        _on_channels(channels, self.parts)
        return gx, gw, gb


class LayerNorm(Function):
    """x: (*, *normalized_shape) normalized per sample over its last len(normalized_shape) axes."""

    def forward(self, x, weight, bias, n_axes, eps):
        self.axes = tuple(range(x.ndim - n_axes, x.ndim))
        x_hat, _, var = _centre(x, self.axes)
        self.inv_std = 1 / np.sqrt(var + eps)
        x_hat *= self.inv_std
        self.x_hat, self.weight = x_hat, weight
        if weight is None:
            return x_hat if bias is None else x_hat + bias
        y = x_hat * weight
        if bias is not None:
            y += bias
        return y

    def backward(self, g):
        x_hat = self.x_hat
        leading = tuple(range(x_hat.ndim - len(self.axes)))
        gx = None
        if self.needs_input_grad[0]:
            g_hat = g if self.weight is None else g * self.weight
            n = x_hat.size // self.inv_std.size
            gx = _normalize_grad(g_hat, x_hat, _sum_over(self.axes, g_hat, x_hat) / n,
                                 _sum_over(self.axes, g_hat) / n, self.inv_std)
        gw = (_sum_over(leading, g, x_hat).reshape(x_hat.shape[len(leading):])
              if self.needs_input_grad[1] else None)
        # the bias broadcasts over the leading axes: the engine sums it back
        gb = g if self.needs_input_grad[2] else None
        return gx, gw, gb


def _check_input(input, op):
    if not isinstance(input, Tensor) or input.dtype.kind != "f":
        what = f"dtype {input.dtype}" if isinstance(input, Tensor) else type(input).__name__
        raise TypeError(f"{op}: input must be a floating point Tensor, got {what}")


def _check_param(t, shape, op, name):
    if t is not None and tuple(t.shape) != tuple(shape):
        raise ValueError(f"{op}: {name} must have shape {tuple(shape)}, got {tuple(t.shape)}")


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False,
               momentum=0.1, eps=1e-5):
    """Batch normalization over every axis but the channel axis 1.

    input: (N, C), (N, C, L) or (N, C, H, W). running_mean, running_var: (C,) tensors or None.
    weight, bias: (C,) or None. training=True normalizes with the batch's statistics and, when
    running stats are given, updates them in place:
        running = (1 - momentum) * running + momentum * batch_stat
    (the batch variance entering running_var is the unbiased one, as PyTorch). training=False
    normalizes with the running statistics.
    """
    op = "batch_norm"
    _check_input(input, op)
    if input.ndim < 2:
        raise ValueError(f"{op}: input must be (N, C, *), got shape {input.shape}")
    channels = input.shape[1]
    for t, name in ((running_mean, "running_mean"), (running_var, "running_var"),
                    (weight, "weight"), (bias, "bias")):
        _check_param(t, (channels,), op, name)
    if (running_mean is None) != (running_var is None):
        raise ValueError(f"{op}: give both running_mean and running_var, or neither")
    if training and input.numel() // max(channels, 1) <= 1:
        raise ValueError(
            f"{op}: expected more than 1 value per channel when training, got input of shape "
            f"{input.shape}"
        )
    if not training and running_mean is None:
        raise ValueError(f"{op}: training=False needs running_mean and running_var")
    return BatchNorm.apply(
        input, weight, bias,
        running_mean=None if running_mean is None else running_mean.data,
        running_var=None if running_var is None else running_var.data,
        training=bool(training), momentum=momentum, eps=eps,
    )


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Layer normalization over the last dimensions, which must equal `normalized_shape`.

    input: (*, *normalized_shape); weight, bias: normalized_shape or None.
    """
    op = "layer_norm"
    _check_input(input, op)
    shape = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) else tuple(
        normalized_shape
    )
    if not shape or input.shape[input.ndim - len(shape):] != shape or input.ndim < len(shape):
        raise ValueError(
            f"{op}: the input's last dimensions must equal normalized_shape {shape}, got input "
            f"of shape {input.shape}"
        )
    _check_param(weight, shape, op, "weight")
    _check_param(bias, shape, op, "bias")
    return LayerNorm.apply(input, weight, bias, n_axes=len(shape), eps=eps)
