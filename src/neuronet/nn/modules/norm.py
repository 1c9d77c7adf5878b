"""Normalization layers: `BatchNorm1d`, `BatchNorm2d` (over the batch), `LayerNorm` (over the
features) and `LocalResponseNorm` (across neighbouring channels)."""

import numbers

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.nn import functional as F
from neuronet.nn import init
from neuronet.nn.functional.lrn import local_response_norm
from neuronet.nn.modules.module import Module
from neuronet.nn.parameter import Parameter


def _affine_parameters(module, shape, dtype, weight, bias):
    """Register `weight` (ones) and `bias` (zeros) of `shape`, or None where switched off."""
    with_bias = weight and bias
    module.register_parameter("weight", Parameter(np.ones(shape, dtype)) if weight else None)
    module.register_parameter("bias", Parameter(np.zeros(shape, dtype)) if with_bias else None)


def _reset_affine(module):
    """weight back to ones, bias back to zeros (where they exist)."""
    if module.weight is not None:
        init.ones_(module.weight)
    if module.bias is not None:
        init.zeros_(module.bias)


class _BatchNorm(Module):
    """Batch normalization (Ioffe & Szegedy, 2015) per channel C of (N, C, *) input.

    Training: normalize with the batch mean and (biased) variance over N (and L), and update
    running_mean / running_var with `momentum` (their unbiased variance, as PyTorch;
    momentum=None means a cumulative average). Evaluation: normalize with the running
    statistics. Then y = weight * x_hat + bias when `affine`.
    State: weight, bias (C,); buffers running_mean, running_var (C,), num_batches_tracked ().
    """

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True,
                 track_running_stats=True, dtype=None, *, bias=True):
        super().__init__()
        if not isinstance(num_features, (int, np.integer)) or num_features < 1:
            raise ValueError(
                f"{self._get_name()}: num_features must be a positive integer, got "
                f"{num_features!r}"
            )
        self.num_features = int(num_features)
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        _affine_parameters(self, self.num_features, dtype, affine, bias)
        if track_running_stats:
            self.register_buffer("running_mean", Tensor._make(np.zeros(self.num_features, dtype)))
            self.register_buffer("running_var", Tensor._make(np.ones(self.num_features, dtype)))
            self.register_buffer("num_batches_tracked", Tensor._make(np.array(0, np.int64)))
        else:
            for name in ("running_mean", "running_var", "num_batches_tracked"):
                self.register_buffer(name, None)

    def reset_running_stats(self):
        if self.track_running_stats:
            init.zeros_(self.running_mean)
            init.ones_(self.running_var)
            init.zeros_(self.num_batches_tracked)

    def reset_parameters(self):
        self.reset_running_stats()
        _reset_affine(self)

    def forward(self, input):
        self._check_input(input)
        self._check_input_dim(input)
        if self.training and input.data.size == self.num_features:
            raise ValueError(
                f"{self._describe()}: expected more than 1 value per channel when training, got "
                f"input of shape {tuple(input.shape)} (use a larger batch, or eval())"
            )
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked.data += 1
            if self.momentum is None:
                factor = 1.0 / int(self.num_batches_tracked.data)
        # batch statistics in training, and also in eval when no running ones are kept
        use_batch_stats = self.training or self.running_mean is None
        return F.batch_norm(input, self.running_mean, self.running_var, self.weight, self.bias,
                            use_batch_stats, factor, self.eps)

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, bias={self.bias is not None}, "
                f"track_running_stats={self.track_running_stats}")


class BatchNorm1d(_BatchNorm):
    """Batch normalization of (N, C) or (N, C, L) input per channel C (see _BatchNorm)."""

    def _check_input_dim(self, input):
        if input.ndim not in (2, 3) or input.shape[1] != self.num_features:
            raise ValueError(
                f"{self._describe()}: expected input of shape (N, {self.num_features}) or "
                f"(N, {self.num_features}, L), got shape {tuple(input.shape)}"
            )


class BatchNorm2d(_BatchNorm):
    """Batch normalization of (N, C, H, W) images per channel C, over N, H and W (see
    _BatchNorm)."""

    def _check_input_dim(self, input):
        if input.ndim != 4 or input.shape[1] != self.num_features:
            raise ValueError(
                f"{self._describe()}: expected 4-D input of shape (N, {self.num_features}, H, W),"
                f" got shape {tuple(input.shape)}"
            )


class LayerNorm(Module):
    """Layer normalization (Ba et al., 2016) over the last dimensions `normalized_shape`.

    Input (*, *normalized_shape): each sample is normalized with its own mean and (biased)
    variance over those dimensions, then y = weight * x_hat + bias when `elementwise_affine`
    (weight and bias have shape normalized_shape).
    """

    def __init__(self, normalized_shape, eps=1e-5, elementwise_affine=True, bias=True, dtype=None):
        super().__init__()
        if isinstance(normalized_shape, numbers.Integral):
            normalized_shape = (normalized_shape,)
        self.normalized_shape = tuple(int(n) for n in normalized_shape)
        self.eps = eps
        self.elementwise_affine = elementwise_affine
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        _affine_parameters(self, self.normalized_shape, dtype, elementwise_affine, bias)

    def reset_parameters(self):
        _reset_affine(self)

    def forward(self, input):
        self._check_input(input)
        n = len(self.normalized_shape)
        if tuple(input.shape[input.ndim - n:]) != self.normalized_shape or input.ndim < n:
            raise ValueError(
                f"{self._describe()}: expected input whose last dimensions are "
                f"{self.normalized_shape}, got shape {tuple(input.shape)}"
            )
        return F.layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)

    def extra_repr(self):
        return (f"{self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine}, bias={self.bias is not None}")


class LocalResponseNorm(Module):
    """Local response normalization across channels (AlexNet): input (N, C, *) ->
    x / (k + alpha / size * sum of x^2 over `size` neighbouring channels) ** beta."""

    def __init__(self, size, alpha=1e-4, beta=0.75, k=1.0):
        super().__init__()
        self.size, self.alpha, self.beta, self.k = size, alpha, beta, k

    def forward(self, input):
        self._check_input(input, min_ndim=3)
        return local_response_norm(input, self.size, self.alpha, self.beta, self.k)

    def extra_repr(self):
        return f"{self.size}, alpha={self.alpha}, beta={self.beta}, k={self.k}"
