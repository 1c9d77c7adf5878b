"""Pooling with torch.nn.functional's names and arguments: max_pool2d, avg_pool2d,
max_pool1d, avg_pool1d (NCHW / NCL).

Both directions loop over the KH*KW kernel offsets, never over pixels: the values under one
offset in every window form one strided (N, C, OH, OW) view of the padded input, so forward is
a running max or sum of KH*KW views and backward is KH*KW strided slice-adds. (Reducing a
(N, C, OH, OW, KH, KW) window view instead makes NumPy copy it and loop over tiny windows:
several times slower.) Max pooling routes each output's gradient to the first maximum of its
window (in row-major window order), as PyTorch does on ties; in a window holding NaNs, to the
last NaN (torch's scan takes every NaN it meets).

The common 2x2, stride-2 max-pool has a faster path: a max over column pairs, then over row
pairs of those, remembering which of each pair won. Only the first pass reads every other
value; the second reads whole rows. (LeNet-5's first pool, batch 128: forward 0.68 against
1.61 ms, backward 0.72 against 0.93 ms.)
(adaptive_avg_pool2d is a separable linear map: see resample.py.)
"""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.nn.functional.conv import _as_2d, _unbatched, as_tuple, check_batched


class PoolGeometry:
    """Windows of size (KH, KW) with stride, padding and dilation over (N, C, H, W), with
    PyTorch's output size (ceil_mode lets a last window start inside the padded input and
    run past it; the extra rows/columns it reads are padded too)."""

    def __init__(self, shape, kernel, stride, padding, dilation, ceil_mode):
        self.N, self.C, self.H, self.W = shape
        self.kernel, self.stride, self.padding, self.dilation = kernel, stride, padding, dilation
        self.out = tuple(
            _output_size(n, k, s, p, d, ceil_mode)
            for n, k, s, p, d in zip((self.H, self.W), kernel, stride, padding, dilation)
        )
        # padded extent: the windows' reach, at least the input plus its padding
        self.padded = tuple(
            max(n + 2 * p, (o - 1) * s + d * (k - 1) + 1)
            for n, o, k, s, p, d in zip((self.H, self.W), self.out, kernel, stride, padding,
                                        dilation)
        )

    @property
    def halves(self):
        """True for 2x2 windows at stride 2 with no padding, dilation or window past the
        input: the common downsampling, which has a fast path (see MaxPool2d)."""
        return (self.kernel == (2, 2) and self.stride == (2, 2) and self.padding == (0, 0)
                and self.dilation == (1, 1) and self.out == (self.H // 2, self.W // 2))

    @property
    def disjoint(self):
        """True when no two windows share an input position."""
        return all(s >= d * (k - 1) + 1 for s, d, k in zip(self.stride, self.dilation,
                                                            self.kernel))

    def pad(self, x, value):
        (ph, pw), (Hp, Wp) = self.padding, self.padded
        if (Hp, Wp) == (self.H, self.W):
            return x
        padded = np.full((self.N, self.C, Hp, Wp), value, x.dtype)
        padded[:, :, ph:ph + self.H, pw:pw + self.W] = x
        return padded

    def offsets(self, padded):
        """For each kernel offset k = kh * KW + kw (row-major), the (N, C, OH, OW) strided view
        of padded holding the value at that offset of every window: yields (k, view)."""
        (s0, s1), (d0, d1) = self.stride, self.dilation
        (OH, OW), (_, KW) = self.out, self.kernel
        for k in range(self.kernel[0] * KW):
            h0, w0 = (k // KW) * d0, (k % KW) * d1
            yield k, padded[:, :, h0:h0 + s0 * (OH - 1) + 1:s0, w0:w0 + s1 * (OW - 1) + 1:s1]

    def scatter(self, add_at_offset, dtype):
        """The adjoint of `offsets`: a zero (N, C, H, W) gradient into whose strided view of
        every offset k add_at_offset(k, view) adds that offset's share in place."""
        (ph, pw) = self.padding
        padded = np.zeros((self.N, self.C, *self.padded), dtype)
        for k, view in self.offsets(padded):
            add_at_offset(k, view)
        if self.padded == (self.H, self.W):
            return padded  # no padding: the array itself, which the engine keeps uncopied
        return padded[:, :, ph:ph + self.H, pw:pw + self.W]


def _output_size(n, k, s, p, d, ceil_mode):
    span = n + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and (out - 1) * s >= n + p:
        out -= 1  # the last window must start inside the input or its left padding
    return out


def _first_wins(first, second, has_nan):
    """Where torch's scan of a window keeps the first of two candidates (arrays of one
    shape) over the second, which comes later: unless the second is larger, or a NaN."""
    wins = np.less_equal(second, first)
    if has_nan:  # NaN compares False: a NaN first beats a number, a NaN second wins
        wins |= np.isnan(first)
        wins &= ~np.isnan(second)
    return wins


def _max_halving(x):
    """2x2 max-pool at stride 2 of x (N, C, H, W): y (N, C, H//2, W//2), top (where the
    window's winner is in its top row) and left (N, C, 2*(H//2), W//2) (where each row's
    winner is its left value). By columns first, so that the row choice comes last: the
    first row holding the maximum, then its first column, is row-major order's first."""
    OH, OW = x.shape[2] // 2, x.shape[3] // 2
    x = x[:, :, :2 * OH]
    a, b = x[..., 0:2 * OW:2], x[..., 1:2 * OW:2]
    rows = np.maximum(a, b)  # NaN wins, as torch
    above, below = rows[:, :, 0::2], rows[:, :, 1::2]
    y = np.maximum(above, below)
    has_nan = np.isnan(y).any()
    return y, _first_wins(above, below, has_nan), _first_wins(a, b, has_nan)


def _split(g, mask, first, second, finite):
    """first[...] = g where mask, else 0; second[...] = g where not mask, else 0."""
    if finite:
        np.multiply(g, mask, out=first)
        np.subtract(g, first, out=second)  # exact: g - g or g - 0
    else:  # inf * 0 would be NaN
        np.copyto(first, np.where(mask, g, 0))
        np.copyto(second, np.where(mask, 0, g))


def _route_halving(g, top, left, shape, finite):
    """The gradient (N, C, H, W) of _max_halving from g (N, C, OH, OW): each g to its
    window's winner, by rows then by columns."""
    N, C, H, W = shape
    OH, OW = g.shape[2:]
    rows = np.empty((N, C, OH, 2, OW), g.dtype)
    _split(g, top, rows[:, :, :, 0], rows[:, :, :, 1], finite)
    rows = rows.reshape(N, C, 2 * OH, OW)
    dx = (np.empty if (H, W) == (2 * OH, 2 * OW) else np.zeros)(shape, g.dtype)
    _split(rows, left, dx[:, :, :2 * OH, 0:2 * OW:2], dx[:, :, :2 * OH, 1:2 * OW:2], finite)
    return dx


class MaxPool2d(Function):
    def forward(self, x, geometry, return_indices):
        self.geometry = geo = geometry
        self.halving = geo.halves and not return_indices
        if self.halving:
            y, self.top, self.left = _max_halving(x)
            return y
        views = [view for _, view in geo.offsets(geo.pad(x, -np.inf))]
        y = views[0].copy()
        for view in views[1:]:
            np.maximum(y, view, out=y)  # NaN wins, as torch
        # winners[k]: windows whose first maximum (torch's choice on ties) is at offset k.
        # Boolean masks rather than an index array: building and using them is plain
        # elementwise work, where writing an index under a mask is several times slower.
        self.winners = np.empty((len(views),) + y.shape, bool)
        found = np.zeros(y.shape, bool)
        for k, view in enumerate(views):
            hit = view == y  # never in a NaN window: NaN is not == itself
            np.greater(hit, found, out=self.winners[k])  # a hit not found at an earlier k
            found |= hit
        if np.isnan(y).any():  # torch takes every NaN its scan meets: the last one wins
            found[...] = False
            for k in reversed(range(len(views))):
                hit = np.isnan(views[k])
                self.winners[k] |= hit > found
                found |= hit
        if not return_indices:
            return y
        kh, kw = np.divmod(self.winners.argmax(axis=0), geo.kernel[1])
        (OH, OW), (s0, s1), (d0, d1) = geo.out, geo.stride, geo.dilation
        h = np.arange(OH)[:, None] * s0 + kh * d0 - geo.padding[0]
        w = np.arange(OW) * s1 + kw * d1 - geo.padding[1]
        return y, h * geo.W + w

    def backward(self, g, *_):
        geo = self.geometry
        # g * mask routes g to the winners like np.where(mask, g, 0) at half the cost, but
        # only for finite g (inf * 0 is NaN); disjoint windows write each input once, so the
        # product can go straight into the (zero) gradient
        finite = np.isfinite(g).all()
        if self.halving:
            return _route_halving(g, self.top, self.left, (geo.N, geo.C, geo.H, geo.W), finite)

        def route(k, view):
            if not finite:
                view += np.where(self.winners[k], g, 0)
            elif geo.disjoint:
                np.multiply(g, self.winners[k], out=view)
            else:
                view += g * self.winners[k]

        return geo.scatter(route, g.dtype)


class AvgPool2d(Function):
    def forward(self, x, geometry, divisor):
        self.geometry, self.divisor = geometry, divisor
        views = (view for _, view in geometry.offsets(geometry.pad(x, 0)))
        y = next(views).copy()
        for view in views:
            y += view
        y /= divisor
        return y

    def backward(self, g):
        share = g / self.divisor
        return self.geometry.scatter(lambda k, view: np.add(view, share, out=view), g.dtype)


def _pool_arguments(input, kernel_size, stride, padding, dilation, ceil_mode, op):
    kernel = as_tuple(kernel_size, 2, "kernel_size", op, 1)
    stride = kernel if stride is None or stride == [] else as_tuple(stride, 2, "stride", op, 1)
    padding = as_tuple(padding, 2, "padding", op, 0)
    dilation = as_tuple(dilation, 2, "dilation", op, 1)
    if any(p > k // 2 for p, k in zip(padding, kernel)):  # torch's rule, whatever the dilation
        raise ValueError(f"{op}: padding {padding} should be at most half of the kernel size "
                         f"{kernel}")
    geo = PoolGeometry(tuple(input.shape), kernel, stride, padding, dilation, bool(ceil_mode))
    if min(geo.out) < 1:
        raise ValueError(f"{op}: input of shape {tuple(input.shape)} is too small for kernel "
                         f"{kernel} with padding {padding} and dilation {dilation}: output size "
                         f"{geo.out}")
    return geo


def _max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices,
                op="max_pool2d"):
    geo = _pool_arguments(input, kernel_size, stride, padding, dilation, ceil_mode, op)
    out = MaxPool2d.apply(input, geometry=geo, return_indices=bool(return_indices))
    return (out[0], out[1].detach()) if return_indices else out


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """Maximum over each window, as torch.nn.functional.max_pool2d.

    input: (N, C, H, W) or (C, H, W); stride defaults to kernel_size; padding (implicit -inf)
    at most half the kernel. Output (N, C, OH, OW) with
    OH = floor_or_ceil((H + 2*padding - dilation*(KH - 1) - 1) / stride) + 1.
    return_indices: also the flat index h * W + w of each maximum (int64).
    """
    check_batched(input, 2, "max_pool2d", "(N, C, H, W)")
    return _unbatched(_max_pool2d, input, 2, kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices)


def _avg_pool2d(input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                divisor_override, op="avg_pool2d"):
    geo = _pool_arguments(input, kernel_size, stride, padding, 1, ceil_mode, op)
    if divisor_override is not None:
        if divisor_override == 0:
            raise ValueError(f"{op}: divisor_override must not be zero")
        divisor = divisor_override
    else:
        # per output position: the window's cells inside the padded input (count_include_pad)
        # or inside the input itself; the extra cells of ceil_mode never count
        counts = []
        for n, o, k, s, p in zip((geo.H, geo.W), geo.out, geo.kernel, geo.stride, geo.padding):
            lo, hi = (0, n + 2 * p) if count_include_pad else (p, n + p)
            start = np.arange(o) * s
            counts.append(np.minimum(start + k, hi) - np.maximum(start, lo))
        divisor = (counts[0][:, None] * counts[1]).astype(input.dtype)
    return AvgPool2d.apply(input, geometry=geo, divisor=divisor)


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True, divisor_override=None):
    """Mean over each window, as torch.nn.functional.avg_pool2d.

    input: (N, C, H, W) or (C, H, W); stride defaults to kernel_size; zero padding of at most
    half the kernel, counted in the mean when count_include_pad. Output as max_pool2d's.
    """
    check_batched(input, 2, "avg_pool2d", "(N, C, H, W)")
    return _unbatched(_avg_pool2d, input, 2, kernel_size, stride, padding, ceil_mode,
                      count_include_pad, divisor_override)


def _stride_1d(stride):
    return None if stride is None or stride == [] else _as_2d(stride, 1)


def _max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices):
    out = _max_pool2d(input.unsqueeze(2), _as_2d(kernel_size, 1), _stride_1d(stride),
                      _as_2d(padding, 0), _as_2d(dilation, 1), ceil_mode, return_indices,
                      op="max_pool1d")
    return tuple(o.squeeze(2) for o in out) if return_indices else out.squeeze(2)


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
               return_indices=False):
    """max_pool2d over the last axis of (N, C, L) or (C, L) input."""
    check_batched(input, 1, "max_pool1d", "(N, C, L)")
    return _unbatched(_max_pool1d, input, 1, kernel_size, stride, padding, dilation, ceil_mode,
                      return_indices)


def _avg_pool1d(input, kernel_size, stride, padding, ceil_mode, count_include_pad):
    return _avg_pool2d(input.unsqueeze(2), _as_2d(kernel_size, 1), _stride_1d(stride),
                       _as_2d(padding, 0), ceil_mode, count_include_pad, None,
                       op="avg_pool1d").squeeze(2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False,
               count_include_pad=True):
    """avg_pool2d over the last axis of (N, C, L) or (C, L) input."""
    check_batched(input, 1, "avg_pool1d", "(N, C, L)")
    return _unbatched(_avg_pool1d, input, 1, kernel_size, stride, padding, ceil_mode,
                      count_include_pad)
