"""Reductions over any axes, with `keepdim` (PyTorch's argument names: `dim`, `keepdim`)."""

import numpy as np

from neuronet.autograd.function import Function


def normalize_dims(dim, ndim, op):
    """`dim` (None, int or tuple) as a sorted tuple of non-negative axes; checks the range."""
    if dim is None:
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = []
    for d in dims:
        if not -max(ndim, 1) <= d < max(ndim, 1):
            raise IndexError(f"{op}: dim {d} is out of range for a tensor with {ndim} dimensions")
        out.append(int(d) % max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {dim} names the same axis twice")
    return tuple(sorted(out)) if ndim else ()


def expand_reduced(g, shape, dims, keepdim):
    """Broadcast a reduced gradient back to `shape` (re-inserting the reduced axes)."""
    if not keepdim and dims:
        g = np.expand_dims(g, dims)
    return np.broadcast_to(g, shape)


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


def sum(x, dim=None, keepdim=False):
    """Sum over `dim` (None: all axes)."""
    return Sum.apply(x, dims=normalize_dims(dim, x.ndim, "sum"), keepdim=keepdim)


def mean(x, dim=None, keepdim=False):
    """Mean over `dim` (None: all axes)."""
    if x.dtype.kind != "f":
        raise TypeError(f"mean: needs a floating point tensor, got dtype {x.dtype}")
    return Mean.apply(x, dims=normalize_dims(dim, x.ndim, "mean"), keepdim=keepdim)
