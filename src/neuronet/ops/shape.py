"""Shape ops: reshape/view, flatten, squeeze/unsqueeze, transpose/permute, expand, cat, stack,
split/chunk and pad, with PyTorch's argument conventions.

Outputs are NumPy views of the input whenever NumPy allows (reshape of a contiguous array,
transpose, expand, split), so these cost no copy in a training loop.
"""

import itertools

import numpy as np

from neuronet.autograd.function import Function, unbroadcast
from neuronet.autograd.tensor import Tensor
from neuronet.ops.dims import normalize_dim


def _sizes(args, op):
    """`f(x, 2, 3)` and `f(x, (2, 3))` both mean the sizes (2, 3), as in PyTorch."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    for a in args:
        if isinstance(a, bool) or not isinstance(a, (int, np.integer)):
            raise TypeError(f"{op}: sizes must be ints, got {args!r}")
    return tuple(int(a) for a in args)


# ----- reshape and friends (all one op: a new shape for the same elements) ----------------
class Reshape(Function):
    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, g):
        return g.reshape(self.in_shape)


def _reshape_to(x, shape):
    return x if x.shape == shape else Reshape.apply(x, shape=shape)


def reshape(x, *shape):
    """The same elements in a new shape; one entry may be -1 (inferred). `view` is the same."""
    shape = requested = _sizes(shape, "reshape")
    size = x.data.size
    if shape.count(-1) > 1 or any(n < -1 for n in shape):
        raise ValueError(f"reshape: invalid shape {shape}: only one -1 and no other negatives")
    known = int(np.prod([n for n in shape if n != -1]))
    if -1 in shape:
        if known == 0:
            raise ValueError(f"reshape: cannot infer -1 in {shape} for a tensor of {size} elements")
        shape = tuple(size // known if n == -1 else n for n in shape)
    if int(np.prod(shape)) != size:
        raise ValueError(
            f"reshape: shape {requested} is invalid for a tensor of shape {x.shape} "
            f"({size} elements)"
        )
    return _reshape_to(x, shape)


view = reshape


def flatten(x, start_dim=0, end_dim=-1):
    """Merge dims start_dim..end_dim (inclusive) into one; a 0-d tensor becomes shape (1,)."""
    if x.ndim == 0:
        return _reshape_to(x, (1,))
    start = normalize_dim(start_dim, x.ndim, "flatten")
    end = normalize_dim(end_dim, x.ndim, "flatten")
    if start > end:
        raise ValueError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim}")
    merged = int(np.prod(x.shape[start:end + 1]))
    return _reshape_to(x, x.shape[:start] + (merged,) + x.shape[end + 1:])


def squeeze(x, dim=None):
    """Drop size-1 dims: all of them (dim None), or those among `dim` (int or tuple) that are
    size 1 (others are left alone, as in PyTorch)."""
    if dim is None:
        dims = range(x.ndim)
    else:
        dims = (dim,) if isinstance(dim, (int, np.integer)) else tuple(dim)
        dims = [normalize_dim(d, x.ndim, "squeeze") for d in dims]
    drop = {d for d in dims if x.ndim and x.shape[d] == 1}
    return _reshape_to(x, tuple(n for d, n in enumerate(x.shape) if d not in drop))


def unsqueeze(x, dim):
    """Insert a size-1 dim at position `dim` (in [-ndim-1, ndim])."""
    d = normalize_dim(dim, x.ndim + 1, "unsqueeze")
    return _reshape_to(x, x.shape[:d] + (1,) + x.shape[d:])


# ----- axis order ------------------------------------------------------------------------
class Permute(Function):
    def forward(self, x, dims):
        self.inverse = tuple(np.argsort(dims))
        return np.transpose(x, dims)

    def backward(self, g):
        return np.transpose(g, self.inverse)


def permute(x, *dims):
    """Reorder the axes: output axis i is input axis dims[i] (a view)."""
    dims = _sizes(dims, "permute")
    if len(dims) != x.ndim:
        raise ValueError(f"permute: got {len(dims)} dims {dims} for a tensor of shape {x.shape}")
    dims = tuple(normalize_dim(d, x.ndim, "permute") for d in dims)
    if len(set(dims)) != len(dims):
        raise ValueError(f"permute: dims {dims} repeat an axis")
    if dims == tuple(range(x.ndim)):
        return x
    return Permute.apply(x, dims=dims)


def transpose(x, dim0, dim1):
    """Swap two axes (a view)."""
    d0, d1 = (normalize_dim(d, x.ndim, "transpose") for d in (dim0, dim1))
    if x.ndim == 0:
        return x
    dims = list(range(x.ndim))
    dims[d0], dims[d1] = d1, d0
    return permute(x, dims)


# ----- expand ----------------------------------------------------------------------------
class Expand(Function):
    def forward(self, x, shape):
        self.in_shape = x.shape
        return np.broadcast_to(x, shape)

    def backward(self, g):
        return unbroadcast(g, self.in_shape)


def expand(x, *sizes):
    """A read-only broadcast view with size-1 dims repeated to `sizes` (-1 keeps a size; new
    leading dims may be added)."""
    sizes = _sizes(sizes, "expand")
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise ValueError(f"expand: {len(sizes)} sizes {sizes} for a tensor of shape {x.shape}")
    shape = []
    for i, n in enumerate(sizes):
        old = x.shape[i - lead] if i >= lead else None
        if n == -1:
            if old is None:
                raise ValueError(f"expand: -1 is not allowed for the new leading dim {i}")
            n = old
        if n < 0 or (old is not None and old != 1 and old != n):
            raise ValueError(
                f"expand: cannot expand shape {x.shape} to {sizes} (dim {i}: size {old} to {n})"
            )
        shape.append(n)
    shape = tuple(shape)
    return x if shape == x.shape else Expand.apply(x, shape=shape)


# ----- joining and splitting -------------------------------------------------------------
class Cat(Function):
    def forward(self, *arrays, dim):
        self.dim = dim
        self.offsets = np.cumsum([a.shape[dim] for a in arrays])[:-1]
        return np.concatenate(arrays, axis=dim)

    def backward(self, g):
        parts = np.split(g, self.offsets, axis=self.dim)
        return tuple(p if need else None for p, need in zip(parts, self.needs_input_grad))


class Stack(Function):
    def forward(self, *arrays, dim):
        self.dim = dim
        return np.stack(arrays, axis=dim)

    def backward(self, g):
        parts = np.moveaxis(g, self.dim, 0)  # parts[i] is a view of input i's gradient
        return tuple(p if need else None for p, need in zip(parts, self.needs_input_grad))


class Split(Function):
    """Several outputs: consecutive pieces of `sizes` along `dim` (views of the input)."""

    def forward(self, x, sizes, dim):
        self.dim = dim
        bounds = np.cumsum((0,) + tuple(sizes))
        lead = (slice(None),) * dim
        return tuple(x[lead + (slice(a, b),)] for a, b in itertools.pairwise(bounds))

    def backward(self, *grads):
        return np.concatenate(grads, axis=self.dim)


def _check_sequence(tensors, op):
    if isinstance(tensors, Tensor) or not isinstance(tensors, (list, tuple)) or not tensors:
        raise TypeError(f"{op}: expected a non-empty list or tuple of tensors")
    return [t if isinstance(t, Tensor) else np.asarray(t) for t in tensors]


def cat(tensors, dim=0):
    """Join tensors along an existing dim; all other sizes must match."""
    tensors = _check_sequence(tensors, "cat")
    first = tensors[0]
    if first.ndim == 0:
        raise ValueError("cat: zero-dimensional tensors cannot be concatenated; use stack")
    d = normalize_dim(dim, first.ndim, "cat")
    for i, t in enumerate(tensors):
        if t.ndim != first.ndim:
            raise ValueError(
                f"cat: tensors must have the same number of dims: tensor 0 has shape "
                f"{first.shape}, tensor {i} has shape {t.shape}"
            )
        if t.shape[:d] + t.shape[d + 1:] != first.shape[:d] + first.shape[d + 1:]:
            raise ValueError(
                f"cat: sizes must match except in dim {d}: tensor 0 has shape {first.shape}, "
                f"tensor {i} has shape {t.shape}"
            )
    return Cat.apply(*tensors, dim=d)


def stack(tensors, dim=0):
    """Join equally shaped tensors along a new dim `dim` (in [-ndim-1, ndim])."""
    tensors = _check_sequence(tensors, "stack")
    for i, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise ValueError(
                f"stack: all tensors must have the same shape: tensor 0 has shape "
                f"{tensors[0].shape}, tensor {i} has shape {t.shape}"
            )
    return Stack.apply(*tensors, dim=normalize_dim(dim, tensors[0].ndim + 1, "stack"))


def split(x, split_size_or_sections, dim=0):
    """Cut along `dim` into pieces of `split_size` (the last may be smaller) or of the listed
    sizes; returns a tuple of tensors (views of x)."""
    if x.ndim == 0:
        raise ValueError("split: cannot split a 0-d tensor")
    d = normalize_dim(dim, x.ndim, "split")
    n = x.shape[d]
    if isinstance(split_size_or_sections, (int, np.integer)):
        step = int(split_size_or_sections)
        if step < 0 or (step == 0 and n > 0):
            raise ValueError(f"split: split_size must be positive, got {step} for dim size {n}")
        sizes = [min(step, n - s) for s in range(0, n, step)] if n else [0]
    else:
        sizes = [int(s) for s in split_size_or_sections]
        if sum(sizes) != n or any(s < 0 for s in sizes):
            raise ValueError(
                f"split: sizes {sizes} must be non-negative and add up to {n}, the size of "
                f"dim {d} of shape {x.shape}"
            )
    return Split.apply(x, sizes=sizes, dim=d)


def chunk(x, chunks, dim=0):
    """Split into `chunks` pieces of ceil(size / chunks) (fewer if the size runs out)."""
    if chunks <= 0:
        raise ValueError(f"chunk: chunks must be positive, got {chunks}")
    if x.ndim == 0:
        raise ValueError("chunk: cannot chunk a 0-d tensor")
    n = x.shape[normalize_dim(dim, x.ndim, "chunk")]
    if n == 0:
        return split(x, [0] * chunks, dim)
    return split(x, -(-n // chunks), dim)


# ----- pad -------------------------------------------------------------------------------
PAD_MODES = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}


def _fold_into(h, axis, lo, hi, mode):
    """The adjoint of padding one axis by (lo, hi) in `mode`, in place on the gradient `h`:
    each padded entry's gradient is added onto the entry it was copied from; returns the view
    of `h` without the padding. (Sources and targets never overlap, given the size limits.)"""

    def at(start, stop, step=None):
        return (slice(None),) * axis + (slice(start, stop, step),)

    n = h.shape[axis] - lo - hi
    if mode == "replicate":
        h[at(lo, lo + 1)] += h[at(0, lo)].sum(axis=axis, keepdims=True)
        h[at(lo + n - 1, lo + n)] += h[at(lo + n, None)].sum(axis=axis, keepdims=True)
    elif mode == "reflect":  # left entry i copies lo - i, right entry lo + n + j copies n - 2 - j
        h[at(lo + 1, 2 * lo + 1)] += h[at(0, lo)][at(None, None, -1)]
        h[at(lo + n - 1 - hi, lo + n - 1)] += h[at(lo + n, None)][at(None, None, -1)]
    else:  # circular: left entry i copies n - lo + i, right entry lo + n + j copies j
        h[at(n, lo + n)] += h[at(0, lo)]
        h[at(lo, lo + hi)] += h[at(lo + n, None)]
    return h[at(lo, lo + n)]


class Pad(Function):
    """Crop by the negative widths (`crop`: a key of slices), then pad by the positive ones
    (`widths`: one (before, after) pair per axis), as torch.nn.functional.pad does."""

    def forward(self, x, crop, widths, mode, value):
        self.in_shape, self.crop, self.widths, self.mode = x.shape, crop, widths, mode
        x = x[crop]
        self.inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(widths, x.shape))
        if mode != "constant":
            return np.pad(x, widths, mode=PAD_MODES[mode])
        shape = tuple(n + lo + hi for (lo, hi), n in zip(widths, x.shape))
        out = np.full(shape, value, dtype=x.dtype)  # faster than np.pad for this case
        out[self.inner] = x
        return out

    def backward(self, g):
        if self.mode == "constant":
            g = g[self.inner]
        else:
            g = g.copy()  # one copy, folded in place (the incoming gradient may be shared)
            for axis, (lo, hi) in enumerate(self.widths):
                if lo or hi:
                    g = _fold_into(g, axis, lo, hi, self.mode)
        if g.shape == self.in_shape:
            return g
        out = np.zeros(self.in_shape, dtype=g.dtype)
        out[self.crop] = g
        return out


def _check_pad_width(mode, lo, hi, n, axis, shape):
    """The limits of PyTorch's non-constant modes (each padded entry must have a source)."""
    too_big = {
        "reflect": max(lo, hi) >= n,
        "circular": max(lo, hi) > n,
        "replicate": n == 0 and (lo or hi),
    }.get(mode, False)
    if too_big:
        raise ValueError(
            f"pad: padding ({lo}, {hi}) is too large for dim {axis} of size {n} "
            f"(shape {shape}) in mode {mode!r}"
        )


def pad(x, pad, mode="constant", value=None):
    """Pad (or crop, with negative widths) the last len(pad) // 2 dims, like
    torch.nn.functional.pad: pad = (last_before, last_after, 2nd_last_before, ...).
    Modes: 'constant' (fill with `value`, default 0), 'reflect' (mirror, edge excluded),
    'replicate' (repeat the edge), 'circular' (wrap around). Unlike PyTorch, the
    non-constant modes work on any number of dims."""
    if mode not in PAD_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; choose one of {list(PAD_MODES)}")
    if mode != "constant" and value not in (None, 0):
        raise ValueError(f"pad: mode {mode!r} does not take a value (got {value})")
    pad = _sizes(tuple(pad), "pad")
    if len(pad) % 2 or len(pad) // 2 > x.ndim:
        raise ValueError(
            f"pad: the pad tuple needs an even length of at most 2 * ndim = {2 * x.ndim}, got "
            f"{pad} for a tensor of shape {x.shape}"
        )
    crop, widths = [], []
    for axis, n in enumerate(x.shape):
        k = x.ndim - 1 - axis  # pad lists the last dim first
        lo, hi = (pad[2 * k], pad[2 * k + 1]) if 2 * k < len(pad) else (0, 0)
        cut_lo, cut_hi = max(0, -lo), max(0, -hi)
        if n - cut_lo - cut_hi < 0:
            raise ValueError(f"pad: cropping ({lo}, {hi}) removes more than dim {axis} of size {n}")
        _check_pad_width(mode, max(0, lo), max(0, hi), n - cut_lo - cut_hi, axis, x.shape)
        crop.append(slice(cut_lo, n - cut_hi))
        widths.append((max(0, lo), max(0, hi)))
    if not any(pad):
        return x
    return Pad.apply(x, crop=tuple(crop), widths=tuple(widths), mode=mode, value=value or 0)
