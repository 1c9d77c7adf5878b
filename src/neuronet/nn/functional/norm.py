"""Normalization: batch_norm (over the batch, per channel) and layer_norm (per sample),
each one fused op with a hand-derived backward.

Both compute x_hat = (x - mean) / sqrt(var + eps) over some axes (biased variance), then
y = weight * x_hat + bias. With n the number of values averaged and g_hat = dL/dx_hat,

    dL/dx = inv_std * (g_hat - mean(g_hat) - x_hat * mean(g_hat * x_hat))

(the two means come from the batch mean and variance depending on every x); when batch_norm
uses fixed running statistics (eval) they do not, and dL/dx = inv_std * g_hat.
"""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor


def _sum_of_products(a, b, axes):
    """(a * b).sum(axes, keepdims=True) in one pass, without the product array (einsum)."""
    letters = "abcdefghijklmnopqrstuvwxyz"[:a.ndim]
    kept = "".join(c for i, c in enumerate(letters) if i not in axes)
    total = np.einsum(f"{letters},{letters}->{kept}", a, b)
    return total.reshape([1 if i in axes else n for i, n in enumerate(a.shape)])


def _normalize(x, axes, eps):
    """x_hat and 1 / sqrt(var + eps) over `axes` (kept as size-1 axes)."""
    mean = x.mean(axis=axes, keepdims=True)
    x_hat = x - mean
    var = _sum_of_products(x_hat, x_hat, axes) / (x.size // mean.size)
    inv_std = 1 / np.sqrt(var + eps)
    x_hat *= inv_std
    return x_hat, inv_std, mean, var


def _normalize_grad(g, x_hat, scale, g_sum, gx_sum):
    """dL/dx = scale * (g - mean(g) - x_hat * mean(g * x_hat)), the means over the axes
    along which g_sum = g.sum and gx_sum = (g * x_hat).sum were taken (kept as size-1 axes).

    g is dL/dx_hat and scale 1 / sqrt(var + eps); batch norm passes dL/dy and folds its
    per-channel weight into scale instead (constant over the axes, it factors out). Four
    passes over the data, the sums coming from the caller, who needs them too.
    """
    n = g.size // g_sum.size
    gx = x_hat * (gx_sum / n)
    gx += g_sum / n
    np.subtract(g, gx, out=gx)
    gx *= scale
    return gx


class BatchNorm(Function):
    """x: (N, C, *) normalized per channel over the batch and all positions (every axis but 1)."""

    def forward(self, x, weight, bias, running_mean, running_var, training, momentum, eps):
        self.axes = axes = (0,) + tuple(range(2, x.ndim))
        self.channel_shape = shape = (1, -1) + (1,) * (x.ndim - 2)
        self.training = training
        if training:
            x_hat, self.inv_std, mean, var = _normalize(x, axes, eps)
            if running_mean is not None:
                n = x.size // x.shape[1]
                # torch's rule: the running variance is the unbiased one
                running_mean *= 1 - momentum
                running_mean += momentum * mean.reshape(-1)
                running_var *= 1 - momentum
                running_var += (momentum * n / (n - 1)) * var.reshape(-1)
        else:
            self.inv_std = (1 / np.sqrt(running_var + eps)).reshape(shape)
            x_hat = (x - running_mean.reshape(shape)) * self.inv_std
        self.x_hat = x_hat
        self.weight = None if weight is None else weight.reshape(shape)
        if weight is None:
            return x_hat if bias is None else x_hat + bias.reshape(shape)
        y = x_hat * self.weight
        if bias is not None:
            y += bias.reshape(shape)
        return y

    def backward(self, g):
        need_x, need_w, need_b = self.needs_input_grad
        batch_stats = need_x and self.training  # dL/dx goes through the batch mean and var
        g_sum = g.sum(axis=self.axes, keepdims=True) if need_b or batch_stats else None
        gx_sum = (_sum_of_products(g, self.x_hat, self.axes) if need_w or batch_stats
                  else None)
        gx = None
        if need_x:
            scale = self.inv_std if self.weight is None else self.inv_std * self.weight
            gx = _normalize_grad(g, self.x_hat, scale, g_sum, gx_sum) if batch_stats else (
                g * scale)
        gw = gx_sum.reshape(-1) if need_w else None
        gb = g_sum.reshape(-1) if need_b else None
        return gx, gw, gb


class LayerNorm(Function):
    """x: (*, *normalized_shape) normalized per sample over its last len(normalized_shape) axes."""

    def forward(self, x, weight, bias, n_axes, eps):
        self.axes = tuple(range(x.ndim - n_axes, x.ndim))
        self.x_hat, self.inv_std, _, _ = _normalize(x, self.axes, eps)
        self.weight = weight
        y = self.x_hat if weight is None else self.x_hat * weight
        return y if bias is None else y + bias

    def backward(self, g):
        gx = None
        if self.needs_input_grad[0]:
            g_hat = g if self.weight is None else g * self.weight
            gx = _normalize_grad(g_hat, self.x_hat, self.inv_std,
                                 g_hat.sum(axis=self.axes, keepdims=True),
                                 _sum_of_products(g_hat, self.x_hat, self.axes))
        # weight and bias broadcast over the leading axes: the engine sums them back
        gw = g * self.x_hat if self.needs_input_grad[1] else None
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
