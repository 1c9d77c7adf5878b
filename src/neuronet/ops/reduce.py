"""Reductions over any axes, with `keepdim` (PyTorch's argument names: `dim`, `keepdim`).

sum, mean, amax/amin, max/min (all elements, or values and indices along one dim), var/std,
logsumexp, argmax/argmin. `dim` may be None (all axes), an int or a tuple of ints, and is
negative-friendly; an empty tuple also means all axes, as in PyTorch.
"""

import builtins
from collections import namedtuple

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor
from neuronet.ops import elementwise, indexing
from neuronet.ops.dims import normalize_dim, normalize_dims

# What `x.max(dim)` returns, like torch.return_types.max: `values, indices = x.max(1)`.
ValuesIndices = namedtuple("ValuesIndices", ["values", "indices"])


def expand_reduced(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to `shape` (re-inserting the reduced axes)."""
    if not keepdim and dims:
        g = np.expand_dims(g, dims)
    return np.broadcast_to(g, shape)


def _require_float(x, op):
    if x.dtype.kind != "f":
        raise TypeError(f"{op}: needs a floating point tensor, got dtype {x.dtype}")


def _require_nonempty(x, dims, op):
    for d in dims:
        if x.shape[d] == 0:
            raise IndexError(f"{op}: reduction dim {d} has size 0 (tensor shape {x.shape})")


class Sum(Function):
    def forward(self, x, dims, keepdim):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        return np.sum(x, axis=dims, keepdims=keepdim)

    def backward(self, g):
        return expand_reduced(g, self.shape, self.dims, self.keepdim)


class Mean(Function):
    def forward(self, x, dims, keepdim):
        self.shape, self.dims, self.keepdim = x.shape, dims, keepdim
        self.count = int(np.prod([x.shape[d] for d in dims]))
        return np.mean(x, axis=dims, keepdims=keepdim)

    def backward(self, g):
        return expand_reduced(g / self.count, self.shape, self.dims, self.keepdim)


class Extreme(Function):
    """amax/amin: the gradient is shared evenly among the elements that tie for the extreme
    (PyTorch does the same, and so does its max()/min() over all elements)."""

    def forward(self, x, dims, keepdim, pick):
        self.x, self.dims, self.keepdim = x, dims, keepdim
        self.y = pick(x, axis=dims, keepdims=True)
        return self.y if keepdim else np.squeeze(self.y, axis=dims)

    def backward(self, g):
        winners = self.x == self.y
        count = winners.sum(axis=self.dims, keepdims=True, dtype=g.dtype)
        g = g if self.keepdim else np.expand_dims(g, self.dims)
        return winners * (g / count)


class Var(Function):
    """Variance sum((x - mean)^2) / max(0, N - correction), or its square root (`root`)."""

    def forward(self, x, dims, keepdim, correction, root):
        self.shape, self.dims, self.keepdim, self.root = x.shape, dims, keepdim, root
        n = int(np.prod([x.shape[d] for d in dims]))
        self.dof = builtins.max(0, n - correction)
        self.centered = x - np.mean(x, axis=dims, keepdims=True)
        with np.errstate(divide="ignore", invalid="ignore"):
            y = np.sum(self.centered * self.centered, axis=dims, keepdims=keepdim) / self.dof
        if root:
            y = np.sqrt(y)
        self.y = y
        return y

    def backward(self, g):
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.root:
                # d std = d var / (2 std); PyTorch takes it as 0 where std == 0
                g = np.where(self.y == 0, 0, g / (2 * self.y))
            g = expand_reduced(g, self.shape, self.dims, self.keepdim)
            return g * (2 / self.dof if self.dof else np.inf) * self.centered


class LogSumExp(Function):
    """log(sum(exp(x))) computed as m + log(sum(exp(x - m))) with m the max: no overflow."""

    def forward(self, x, dims, keepdim):
        self.x, self.dims, self.keepdim = x, dims, keepdim
        m = np.max(x, axis=dims, keepdims=True, initial=-np.inf)
        m = np.where(np.isfinite(m), m, 0).astype(x.dtype, copy=False)  # all -inf: keep -inf
        with np.errstate(divide="ignore"):
            self.y = np.log(np.sum(np.exp(x - m), axis=dims, keepdims=True)) + m
        return self.y if keepdim else np.squeeze(self.y, axis=dims)

    def backward(self, g):
        g = g if self.keepdim else np.expand_dims(g, self.dims)
        with np.errstate(invalid="ignore"):
            return g * np.exp(self.x - self.y)


def sum(x, dim=None, keepdim=False):
    """Sum over `dim` (None: all axes)."""
    return Sum.apply(x, dims=normalize_dims(dim, x.ndim, "sum"), keepdim=keepdim)


def mean(x, dim=None, keepdim=False):
    """Mean over `dim` (None: all axes)."""
    _require_float(x, "mean")
    return Mean.apply(x, dims=normalize_dims(dim, x.ndim, "mean"), keepdim=keepdim)


def amax(x, dim=None, keepdim=False):
    """Largest value over `dim` (None, int or tuple); ties share the gradient evenly."""
    dims = normalize_dims(dim, x.ndim, "amax")
    _require_nonempty(x, dims, "amax")
    return Extreme.apply(x, dims=dims, keepdim=keepdim, pick=np.max)


def amin(x, dim=None, keepdim=False):
    """Smallest value over `dim` (None, int or tuple); ties share the gradient evenly."""
    dims = normalize_dims(dim, x.ndim, "amin")
    _require_nonempty(x, dims, "amin")
    return Extreme.apply(x, dims=dims, keepdim=keepdim, pick=np.min)


def _extreme_along(x, dim, keepdim, op, arg, pick):
    """max/min as PyTorch has them: all elements (no dim), an elementwise pair (a tensor as
    the second argument) or (values, indices) along one dim, the gradient going only to the
    returned index."""
    if isinstance(dim, Tensor):
        return (elementwise.maximum if op == "max" else elementwise.minimum)(x, dim)
    if dim is None:
        if x.data.size == 0:
            raise RuntimeError(f"{op}: the tensor is empty (shape {x.shape}); give a dim")
        return Extreme.apply(x, dims=tuple(range(x.ndim)), keepdim=False, pick=pick)
    d = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:  # the only element is both the value and index 0
        values = Extreme.apply(x, dims=(), keepdim=keepdim, pick=pick)
        return ValuesIndices(values, Tensor._make(np.zeros((), dtype=np.int64)))
    _require_nonempty(x, (d,), op)
    index = arg(x.data, axis=d, keepdims=True)
    key = indexing.along_dim_key(index, d)
    if not keepdim:
        key, index = tuple(k.squeeze(d) for k in key), index.squeeze(d)
    values = indexing.Index.apply(x, key=key, accumulate=False)
    return ValuesIndices(values, Tensor._make(index))


def max(x, dim=None, keepdim=False):
    """Max of all elements (dim None), or `(values, indices)` along `dim`; `max(a, b)` with
    a tensor `b` is the elementwise maximum."""
    return _extreme_along(x, dim, keepdim, "max", np.argmax, np.max)


def min(x, dim=None, keepdim=False):
    """Min of all elements (dim None), or `(values, indices)` along `dim`; `min(a, b)` with
    a tensor `b` is the elementwise minimum."""
    return _extreme_along(x, dim, keepdim, "min", np.argmin, np.min)


def _variance(x, dim, keepdim, correction, unbiased, op, root):
    _require_float(x, op)
    if unbiased is not None:
        correction = int(bool(unbiased))
    dims = normalize_dims(dim, x.ndim, op)
    return Var.apply(x, dims=dims, keepdim=keepdim, correction=correction, root=root)


def var(x, dim=None, keepdim=False, correction=1, *, unbiased=None):
    """Variance over `dim`, dividing by N - correction (1: unbiased, 0: population).
    `unbiased=True/False` is PyTorch's older spelling of correction=1/0."""
    return _variance(x, dim, keepdim, correction, unbiased, "var", root=False)


def std(x, dim=None, keepdim=False, correction=1, *, unbiased=None):
    """Standard deviation: sqrt(var(x, dim, keepdim, correction)); gradient 0 where it is 0."""
    return _variance(x, dim, keepdim, correction, unbiased, "std", root=True)


def logsumexp(x, dim, keepdim=False):
    """log(sum(exp(x), dim)), finite for inputs of any size (+-1e4 included)."""
    _require_float(x, "logsumexp")
    dims = normalize_dims(dim, x.ndim, "logsumexp")
    return LogSumExp.apply(x, dims=dims, keepdim=keepdim)


def _arg_extreme(x, dim, keepdim, op, arg):
    data = x.data
    if dim is None:
        if data.size == 0:
            raise RuntimeError(f"{op}: the tensor is empty (shape {x.shape}); give a dim")
        flat = arg(data.reshape(-1))
        out = np.full((1,) * x.ndim if keepdim else (), flat, dtype=np.int64)
        return Tensor._make(out)
    d = normalize_dim(dim, x.ndim, op)
    if x.ndim == 0:
        return Tensor._make(np.zeros((), dtype=np.int64))
    _require_nonempty(x, (d,), op)
    return Tensor._make(arg(data, axis=d, keepdims=keepdim).astype(np.int64, copy=False))


def argmax(x, dim=None, keepdim=False):
    """Index of the largest value (of the flattened tensor when dim is None); int64, no grad."""
    return _arg_extreme(x, dim, keepdim, "argmax", np.argmax)


def argmin(x, dim=None, keepdim=False):
    """Index of the smallest value (of the flattened tensor when dim is None); int64, no grad."""
    return _arg_extreme(x, dim, keepdim, "argmin", np.argmin)
