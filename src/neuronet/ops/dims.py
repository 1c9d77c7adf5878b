"""Checking and normalizing `dim` arguments (shared by every op that takes an axis)."""

import numpy as np


def normalize_dim(dim, ndim, op):
    """One axis as a non-negative int; `ndim` is the number of valid axes (0-d counts as 1)."""
    size = max(ndim, 1)
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{op}: dim must be an int, got {type(dim).__name__}")
    if not -size <= dim < size:
        raise IndexError(
            f"{op}: dim {dim} is out of range for a tensor with {ndim} dimensions "
            f"(expected a value in [{-size}, {size - 1}])"
        )
    return int(dim) % size


def normalize_dims(dim, ndim, op):
    """`dim` (None, int or tuple) as a sorted tuple of non-negative axes; checks the range."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
    out = [normalize_dim(d, ndim, op) for d in dims]
    if len(set(out)) != len(out):
        raise ValueError(f"{op}: dim {dim} names the same axis twice")
    return tuple(sorted(out)) if ndim else ()
