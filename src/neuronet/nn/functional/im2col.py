"""The machinery of convolution: im2col, one GEMM per chunk of samples and group, col2im.

A 2-D convolution of x: (N, C, H, W) with weight: (O, C/G, KH, KW) in G groups is, for every
output position, a dot product between the weight and the input patch under it. Copying the
patches into a matrix ("im2col") turns the layer into one matrix product per group:

    cols:   (G, K, N*L)      K = Cg*KH*KW patch values in (c, kh, kw) order, L positions
    weight: (G, Og, K)       the weight's own memory order: a reshape, no copy (Og = O / G)
    y^T     = cols[g]^T @ weight[g]^T      (N*L, Og), put back in NCHW order with the bias

The backward pass needs two more products, with dy in the same channels-last (N*L, Og) rows:

    dW^T    = cols[g] @ dy[:, g]                             (K, Og)
    dcols   = weight[g]^T @ dy[:, g]^T                        (K, N*L)
    dx      = col2im(dcols): for each kernel offset (kh, kw), add dcols[c, kh, kw] into the
              strided slice of the (padded) input it came from: KH*KW slice-adds

Input gradient by the adjoint convolution. With stride 1, dx is itself a convolution: of dy,
padded by d*(k-1) - p on each side, with the weight rotated 180 degrees in space and its in
and out channels swapped within each group (dx[i] = sum over k of dy[i + p - d*k] w[k]). That
convolution runs the forward path above (im2col copies and the forward product) instead of
the dcols product and col2im's KH*KW strided adds: a 3x3, 64-channel layer on a batch of 32
32x32 images, 18-19 against 24 ms. It is used when its patch matrix is no larger than
dcols (_ADJOINT_RATIO): with more outputs than inputs (LeNet-5's second layer, 6 -> 16
channels, no padding: 4.8 times larger, and ResNet block + LeNet-5 ran 282 against 169 ms)
the copies and a product with few outputs lose. Strided convolutions, and the rare padding
larger than the dilated kernel, keep col2im too. With an adjoint, the weight gradient comes
from the adjoint's patches as well (see gradients): forward needs no patches of its own kept
or rebuilt, only x, and one im2col per chunk of dy serves both backward products.

Input gradient over whole planes. Without an adjoint, at stride 1, the dcols product gets one
column per position of the whole padded plane (Hp*Wp per sample, dy zero in the junk rows and
columns), not per output row. Then the values under kernel offset (kh, kw) land at a fixed
shift kh*d*Wp + kw*d of the plane, for every sample at once: col2im is KH*KW adds of one
contiguous run per channel, over the whole chunk, instead of one short run per sample and
channel. A valid position never lands outside its own sample's plane; what spills into the
next plane is junk, zero, and each chunk's adds stop at its last plane, so chunks on threads
never write the same memory. LeNet-5's second layer (6 -> 16 channels, 14x14, batch 128):
1.95 against 3.15 ms, with 40% more product columns.

Sample-major layout, for short patches (K < _THIN_K, such as a first layer on 1 or 3
channels). Each output value then costs few multiply-adds, and moving the tall (N*L, Og)
products into NCHW order (and dy out of it) costs as much as the products themselves. So
these layers keep one patch matrix per sample, cols (N, G, K, L), and run one product per
sample on NCHW-ordered rows, with no transposition on either side:

    y[n]    = weight @ cols[n]                    (G, Og, L): already y's NCHW layout
    dW      = sum over n of dy[n] @ cols[n]^T     (G, Og, K): the weight's own layout
    dcols[n] = weight^T @ dy[n]                   (G, K, L)

(LeNet-5's first layer, K = 25, 6 channels, batch 128, fwd + dW: 3.5 against 5.5 ms; with
K = 150 or more the per-sample products lose: 5.2 against 3.9 ms for LeNet's second layer.)

Orientation. Forward and dW produce tall, narrow results (many rows, Og or K columns);
two-thread OpenBLAS is several times slower and far more erratic on a loaded machine for the
transposed, wide orientation (median of 40 products of a 64x576 by 576x6528 shape under
load ~8: 40 ms wide against 18 ms tall, dW 240 ms against 16 ms), and one product per chunk
rather than per sample keeps the number of threaded calls (each a chance to stall) small.
The exception: the forward product of a layer that runs serially (see Threads) with few
outputs, Og <= _WIDE_OG, runs wide, weight (Og, K) @ cols (K, n*L), whose (O, n, OH, R)
result is put in NCHW order in runs of OW values rather than gathered O values apart.
Medians of 30 products with one core busy elsewhere: 16x150 by 150x17920 (LeNet-5's second
layer) 1.3 ms wide against 5.7 tall, 32x288 by 288x12000 5.9 against 6.6, but 64x576 by
576x6528 22.6 against 13.2; LeNet-5, 10 steps, same-run A/B: 165-184 -> 160-169 ms.

Wide rows. NumPy copies and adds strided slices one innermost run at a time, and an output
row is short (10 values in LeNet's second layer), so im2col and above all col2im would spend
their time in per-run overhead. With a horizontal stride of 1 the GEMMs instead use output
rows as wide as the padded input (R = Wp columns, of which the last Wp - OW are junk): then
the patch values for one kernel offset are one contiguous run of OH*Wp values of the padded
input plane, and col2im adds one contiguous run per offset. The junk columns cost (Wp - OW) /
OW more GEMM work; forward drops them, and the backward products multiply them by zeros
(dy is widened with zero columns), so they never reach a result. With a horizontal stride
> 1, R = OW (no junk, no widening); so too for sample-major layers whose output rows hold at
least _NARROW_OW values: copying runs that long costs about as much as the one long run
(LeNet-5's first layer: im2col 0.73 against 0.70 ms, against 0.41 / 0.32 ms with 16 values),
and then the product is y itself and dy needs no widening at all. The padded input is one
row per sample: its C padded planes, then `slack` zeros, as many as the largest offset; the
values under kernel offset (kh, kw) are each sample's row read from offset kh*d*Wp + kw*d
on, reshaped to planes and sliced, so a view never leaves its own sample's row. (One
difference a non-finite input shows: an inf that only junk columns reach adds 0 * inf = NaN
to dW, where torch's dW has inf or NaN only in the entries that inf reaches.)

cols is KH*KW times larger than the input (75 MB for a 3x3, 64-channel layer on a batch of
32 32x32 images; gigabytes for VGG on 224x224 images), so it is never built for the whole
batch: every product runs over chunks of a few samples whose patch matrix (~8 MB) sits in
one buffer reused across the chunks, and backward keeps only the padded input, rebuilding
each chunk's cols for dW. Only for small layers (such as LeNet's: a whole patch matrix of at
most _KEEP_BYTES) does forward build the whole matrix and keep it for dW, saving an im2col
per step.

Threads. The chunks are independent, so they run on neuronet.parallel's threads (BLAS at one
thread each meanwhile), each thread with its own chunk buffer: im2col, GEMM and col2im all
run in parallel, not only the GEMMs. A batch whose patch matrix passes _PARALLEL_BYTES is cut
into a multiple of the thread count of equal chunks of at most _THREAD_CHUNK_BYTES (smaller
than a serial chunk: they measured faster on threads); smaller ones run serially, with BLAS
threads as usual (LeNet-5's layers ran slower on threads: 305 against 232 ms per 10 steps).
Each chunk's col2im writes only its own samples' rows (the slack keeps the wide rows' spill
inside them), so threads never write the same memory; dW sums one partial product per
thread, in thread order.

Scratch memory. Patch matrices and the other large buffers that live for one op come from a
small pool (scratch.py) and go back to it when the op is done: fresh memory would page-fault.

The transposed convolution is the adjoint of this map, so it uses the same pieces with the
roles of input and output swapped (see conv.py).
"""

import functools
import math

import numpy as np

from neuronet.nn.functional.scratch import give, take
from neuronet.parallel import get_num_threads, parallel_map

_CHUNK_BYTES = 16 << 20  # size of one chunk's patch matrix (see the module docstring)
_THREAD_CHUNK_BYTES = 4 << 20  # the same for chunks on threads (measured: 455 vs 472 ms)
_KEEP_BYTES = 16 << 20  # forward keeps whole patch matrices up to this size for dW
_PARALLEL_BYTES = 32 << 20  # smaller patch matrices run serially (measured: threads lose)
_THIN_K = 64  # shorter patches use the sample-major layout (see the module docstring)
_WIDE_OG = 32  # serial layers with at most this many outputs per group: wide forward
_NARROW_OW = 24  # sample-major layers with output rows this long skip the junk columns
_ADJOINT_RATIO = 1  # input gradients by the adjoint up to this patch-size ratio (see there)


class ConvGeometry:
    """Shapes of one convolution: input (N, C, H, W) -> output (N, O, OH, OW).

    padding is (top, bottom, left, right), which allows the asymmetric padding of 'same' with
    an even kernel; stride and dilation are (h, w) pairs. `output_hw` keeps only the first
    (OH, OW) output positions (the transposed convolution needs this with a large
    output_padding).
    """

    def __init__(self, input_shape, weight_shape, stride, padding, dilation, groups,
                 output_hw=None):
        self.N, self.C, self.H, self.W = input_shape
        self.O, self.Cg, self.KH, self.KW = weight_shape
        self.stride, self.padding, self.dilation, self.G = stride, padding, dilation, groups
        self.Og = self.O // groups
        top, bottom, left, right = padding
        self.Hp, self.Wp = self.H + top + bottom, self.W + left + right
        self.OH = (self.Hp - dilation[0] * (self.KH - 1) - 1) // stride[0] + 1
        self.OW = (self.Wp - dilation[1] * (self.KW - 1) - 1) // stride[1] + 1
        if output_hw is not None:
            self.OH, self.OW = output_hw
        self.K = self.Cg * self.KH * self.KW  # length of one patch (per group)
        self.sample_major = self.K < _THIN_K
        narrow = stride[1] > 1 or (self.sample_major and self.OW >= _NARROW_OW)
        self.R = self.OW if narrow else self.Wp  # GEMM row width (see Wide rows)
        self.L = self.OH * self.R  # GEMM columns per sample, junk ones included
        self._kept = None  # (padded buffer, its whole patch matrix) from forward, see below
        self.slack = (self.KH - 1) * dilation[0] * self.Wp + (self.KW - 1) * dilation[1]
        self.planes = self.C * self.Hp * self.Wp  # one sample's padded values

    @property
    def output_shape(self):
        return (self.N, self.O, self.OH, self.OW)

    def chunks(self, itemsize):
        """(start, stop) sample ranges, as equal as can be, whose patch matrices are about
        _CHUNK_BYTES at most; when the whole patch matrix passes _PARALLEL_BYTES, about
        _THREAD_CHUNK_BYTES at most and a multiple of the thread count of them."""
        if self._parallel(itemsize):
            threads = get_num_threads()
            per_thread = math.ceil(self._patch_bytes(itemsize) / (_THREAD_CHUNK_BYTES * threads))
            count = max(1, per_thread) * threads
        else:
            count = max(1, math.ceil(self._patch_bytes(itemsize) / _CHUNK_BYTES))
        count = min(count, self.N)
        bounds = [self.N * i // count for i in range(count + 1)] if count else [0]
        return list(zip(bounds[:-1], bounds[1:]))

    def _patch_bytes(self, itemsize):
        """Size of the whole batch's patch matrix."""
        return self.N * self.G * self.K * self.L * itemsize

    def _parallel(self, itemsize):
        """Whether the chunks run on threads: for patch matrices of _PARALLEL_BYTES or more."""
        return self._patch_bytes(itemsize) >= _PARALLEL_BYTES

    def _map(self, work, chunks, itemsize):
        """work(thread, chunk) for each chunk, on threads for large layers (see _parallel)."""
        if self._parallel(itemsize):
            return parallel_map(work, chunks)
        return [work(0, chunk) for chunk in chunks]

    def _planes(self, buffer):
        """The (N, C, Hp, Wp) padded input held by a padded buffer (N, planes + slack), one
        row per sample: its C padded planes, then `slack` zeros (see _rows): a view."""
        return buffer[:, :self.planes].reshape(self.N, self.C, self.Hp, self.Wp)

    def _interior(self, buffer):
        """The (N, C, H, W) input inside the padding of a padded buffer: a view."""
        top, _, left, _ = self.padding
        return self._planes(buffer)[:, :, top:top + self.H, left:left + self.W]

    def pad(self, x, scratch=False):
        """x: (N, C, H, W) -> the zero-padded copy all patches are cut from: a padded buffer
        (N, planes + slack); from the scratch pool if `scratch` (then give it back)."""
        shape = (self.N, self.planes + self.slack)
        buffer = take(shape, x.dtype) if scratch else np.empty(shape, x.dtype)
        self._fill(buffer, self._interior(buffer), x)
        return buffer

    def _fill(self, whole, dst, src):
        """whole[...] = 0, then dst[...] = src, dst being a view into whole and samples on
        axis 0; chunks of samples on threads, each zeroing its own samples (np.zeros would
        clear or fault in all of the memory in the caller, one thread)."""
        def chunk(thread, bounds):
            samples = slice(*bounds)
            if whole is not None:
                whole[samples] = 0
            np.copyto(dst[samples], src[samples])

        self._map(chunk, self.chunks(src.itemsize), src.itemsize)

    def _rows(self, buffer, start, stop, kh, kw):
        """(n, C, OH, R) view of samples start:stop of a padded buffer under kernel offset
        (kh, kw): each sample's row read from that offset on as (C, Hp, Wp) planes, so a wide
        row runs on into the next row (or plane, or the sample's slack). Plain slicing and
        reshaping: ~1 us, where as_strided costs ~15 us, and this runs KH*KW times per
        product."""
        (s0, s1), (d0, d1) = self.stride, self.dilation
        begin = kh * d0 * self.Wp + kw * d1
        shifted = buffer[start:stop, begin:begin + self.planes].reshape(
            stop - start, self.C, self.Hp, self.Wp)
        return shifted[:, :, :(self.OH - 1) * s0 + 1:s0, :(self.R - 1) * s1 + 1:s1]

    def _cols_shape(self, n):
        """Shape of the patch matrix of n samples: (n, G, K, L) sample-major, else
        (G, K, n*L)."""
        if self.sample_major:
            return (n, self.G, self.K, self.L)
        return (self.G, self.K, n * self.L)

    def _cols_of(self, cols, start, stop):
        """Samples start:stop of a whole-batch patch matrix: a view."""
        if self.sample_major:
            return cols[start:stop]
        return cols[:, :, start * self.L:stop * self.L]

    def _by_offset(self, cols, n):
        """The patch matrix of n samples as (n, C, KH, KW, OH, R), sample axis first: a
        view."""
        if self.sample_major:
            return cols.reshape(n, self.C, self.KH, self.KW, self.OH, self.R)
        return cols.reshape(self.C, self.KH, self.KW, n, self.OH, self.R).transpose(
            3, 0, 1, 2, 4, 5)

    def im2col(self, buffer, start, stop, cols):
        """Copy the patches of samples start:stop of a padded buffer into cols (see
        _cols_shape; a chunk buffer from _chunk_cols, or a slice of a whole-batch one)."""
        by_offset = self._by_offset(cols, stop - start)
        for kh in range(self.KH):
            for kw in range(self.KW):
                by_offset[:, :, kh, kw] = self._rows(buffer, start, stop, kh, kw)
        return cols

    def col2im(self, cols, buffer, start, stop):
        """The adjoint of im2col: add the patches cols (see _cols_shape) of samples
        start:stop into their positions in a padded buffer, in place."""
        by_offset = self._by_offset(cols, stop - start)
        for kh in range(self.KH):
            for kw in range(self.KW):
                self._rows(buffer, start, stop, kh, kw)[...] += by_offset[:, :, kh, kw]

    def widen(self, a, scratch=False):
        """An output-shaped array a (N, O, OH, OW), such as dy, in the GEMMs' layout: on the
        wide rows, zeros in the junk columns, channels last (N, OH, R, O), or (N, O, OH, R)
        when sample-major (then without junk columns a itself, made contiguous). From the
        scratch pool if `scratch` (then give it back with _give_widened)."""
        if self._widened_is_a():
            return np.ascontiguousarray(a)
        shape = (len(a), self.O, self.OH, self.R) if self.sample_major else (
            len(a), self.OH, self.R, self.O)
        wide = take(shape, a.dtype) if scratch else np.empty(shape, a.dtype)
        junk = None if self.R == self.OW else wide
        if self.sample_major:
            self._fill(junk, wide[..., :self.OW], a)
        else:
            self._fill(junk, wide[:, :, :self.OW], a.transpose(0, 2, 3, 1))
        return wide

    def _widened_is_a(self):
        """Whether widen returns its argument (made contiguous) rather than a new array."""
        return self.sample_major and self.R == self.OW

    def _give_widened(self, wide):
        """Give back a widen(..., scratch=True) result unless it is widen's argument."""
        if not self._widened_is_a():
            give(wide)

    def _chunk_rows(self, dy, start, stop):
        """Samples start:stop of a widened dy as (n, G, Og, L) when sample-major, else
        (n*L, G, Og): a view."""
        if self.sample_major:
            return dy[start:stop].reshape(stop - start, self.G, self.Og, self.L)
        return dy[start:stop].reshape((stop - start) * self.L, self.G, self.Og)

    def _threads(self, chunks, itemsize):
        """How many threads _map runs the chunks on."""
        if not self._parallel(itemsize):
            return 1
        return max(1, min(get_num_threads(), len(chunks)))

    def _chunk_buffers(self, chunks, dtype, columns=None):
        """Flat memory for the largest chunk's patch matrix, one per thread; `columns` per
        sample (default L)."""
        size = max((b - a for a, b in chunks), default=0) * self.G * self.K * (columns or self.L)
        return [take((size,), dtype) for _ in range(self._threads(chunks, dtype.itemsize))]

    def _chunk_cols(self, buffer, start, stop):
        """A chunk buffer's first values as the patch matrix of start:stop."""
        shape = self._cols_shape(stop - start)
        return buffer[:math.prod(shape)].reshape(shape)

    def _output(self, cols, wm, bias, y):
        """y (n, O, OH, OW) = the product of a chunk's patches cols and wm (G, Og, K), plus
        bias (None or (O, 1, 1)), added in the pass that puts the product in NCHW order."""
        n = len(y)
        if self.sample_major and self.R == self.OW:  # no junk: the product is y
            np.matmul(wm, cols, out=y.reshape(n, self.G, self.Og, self.L))
            if bias is not None:
                y += bias
            return
        # the product, junk columns included, in scratch memory (fresh pages would fault:
        # DCGAN's first layer, batch 128, forward 5.9 against 1.8 ms)
        product = take((n * self.O * self.L,), cols.dtype)
        if self.sample_major:
            np.matmul(wm, cols, out=product.reshape(n, self.G, self.Og, self.L))
            out = product.reshape(n, self.O, self.OH, self.R)[..., :self.OW]
        elif self.Og <= _WIDE_OG and not self._parallel(cols.itemsize):  # see Orientation
            np.matmul(wm, cols, out=product.reshape(self.G, self.Og, n * self.L))
            out = product.reshape(self.O, n, self.OH, self.R)
            out = out[..., :self.OW].transpose(1, 0, 2, 3)
        else:
            rows = product.reshape(n * self.L, self.G, self.Og)
            for g in range(self.G):
                np.matmul(cols[g].T, wm[g].T, out=rows[:, g])
            out = rows.reshape(n, self.OH, self.R, self.O)[:, :, :self.OW].transpose(0, 3, 1, 2)
        if bias is None:
            np.copyto(y, out)
        else:
            np.add(out, bias, out=y)
        give(product)

    def _add_weight_product(self, cols, rows, dw):
        """dw (G, Og, K) += the weight gradient of one chunk: patches cols, dy rows (see
        _chunk_rows)."""
        if self.sample_major:
            dw += np.matmul(rows, cols.transpose(0, 1, 3, 2)).sum(axis=0)
            return
        for g in range(self.G):
            dw[g] += (cols[g] @ rows[:, g]).T  # tall (K, Og): see Orientation

    def _input_product(self, rows, wm, dcols):
        """dcols = the patch gradients of one chunk from dy rows (see _chunk_rows)."""
        if self.sample_major:
            np.matmul(wm.transpose(0, 2, 1), rows, out=dcols)
            return
        for g in range(self.G):
            np.matmul(wm[g].T, rows[:, g].T, out=dcols[g])

    def forward(self, padded, weight, bias=None, keep=True, dy=None):
        """y = conv(x, weight) + bias: (N, O, OH, OW), from x's padded buffer (see pad);
        bias (O,) or None, added in the pass that puts each chunk's result in place. Small
        patch matrices are kept for weight_grad unless `keep` is False. Given dy, a gradient
        of y in the GEMMs' layout (see widen), returns (y, weight_grad(dy, padded)), the
        weight gradient from the same patches as y."""
        wm = weight.reshape(self.G, self.Og, self.K)
        bias = None if bias is None else bias.reshape(-1, 1, 1)
        y = np.empty(self.output_shape, padded.dtype)
        chunks = self.chunks(padded.itemsize)
        whole = keep and dy is None and self._patch_bytes(padded.itemsize) <= _KEEP_BYTES
        if whole:  # small enough to keep for weight_grad: one patch matrix, chunk by chunk
            kept = take(self._cols_shape(self.N), padded.dtype)
            self._kept = (padded, kept)
        else:
            buffers = self._chunk_buffers(chunks, padded.dtype)
        partial = None if dy is None else self._partial_sums(chunks, padded.itemsize, dy.dtype)

        def chunk(thread, bounds):
            start, stop = bounds
            cols = self.im2col(padded, start, stop, self._cols_of(kept, start, stop)
                               if whole else self._chunk_cols(buffers[thread], start, stop))
            self._output(cols, wm, bias, y[start:stop])
            if partial is not None:
                self._add_weight_product(cols, self._chunk_rows(dy, start, stop),
                                         partial[thread])

        self._map(chunk, chunks, padded.itemsize)
        for buffer in [] if whole else buffers:
            give(buffer)
        return y if dy is None else (y, self._weight_sum(partial))

    def _partial_sums(self, chunks, itemsize, dtype):
        """Zeroed (G, Og, K) weight-gradient sums, one per thread _map runs the chunks on."""
        return [np.zeros((self.G, self.Og, self.K), dtype)
                for _ in range(self._threads(chunks, itemsize))]

    def _weight_sum(self, partial):
        """dL/dweight (O, Cg, KH, KW): the per-thread sums added in thread order."""
        dw = partial[0]
        for more in partial[1:]:
            dw += more
        return dw.reshape(self.O, self.Cg, self.KH, self.KW)

    def release(self):
        """Give back the patch matrix forward kept for weight_grad, if it is still kept."""
        kept, self._kept = self._kept, None
        if kept is not None:
            give(kept[1])

    def weight_grad(self, dy, padded):
        """dL/dweight (O, Cg, KH, KW) from dL/dy in the GEMMs' layout (see widen) and x's
        padded buffer."""
        kept, self._kept = self._kept, None
        reuse = kept is not None and kept[0] is padded
        if kept is not None and not reuse:
            give(kept[1])
        chunks = self.chunks(padded.itemsize)
        buffers = None if reuse else self._chunk_buffers(chunks, padded.dtype)
        partial = self._partial_sums(chunks, padded.itemsize, dy.dtype)

        def chunk(thread, bounds):
            start, stop = bounds
            cols = (self._cols_of(kept[1], start, stop) if reuse else
                    self.im2col(padded, start, stop, self._chunk_cols(buffers[thread], start,
                                                                       stop)))
            self._add_weight_product(cols, self._chunk_rows(dy, start, stop), partial[thread])

        self._map(chunk, chunks, padded.itemsize)
        for buffer in [kept[1]] if reuse else buffers:
            give(buffer)
        return self._weight_sum(partial)

    @functools.cached_property
    def adjoint(self):
        """The convolution taking dL/dy (N, O, OH, OW) to dL/dx (N, C, H, W), with the
        weight from _flipped (see Input gradient by the adjoint convolution), or None when
        there is none (a stride above 1, a padding larger than the dilated kernel) or its
        patch matrix would be more than _ADJOINT_RATIO times the size of dcols."""
        (d0, d1), (top, bottom, left, right) = self.dilation, self.padding
        reach_h, reach_w = d0 * (self.KH - 1), d1 * (self.KW - 1)
        padding = (reach_h - top, reach_h - bottom, reach_w - left, reach_w - right)
        if self.stride != (1, 1) or min(padding) < 0:
            return None
        adjoint = ConvGeometry(self.output_shape, (self.C, self.Og, self.KH, self.KW),
                               (1, 1), padding, self.dilation, self.G)
        if (adjoint.output_shape != (self.N, self.C, self.H, self.W)
                or adjoint._patch_bytes(1) > _ADJOINT_RATIO * self._patch_bytes(1)):
            return None
        return adjoint

    def _flipped(self, weight):
        """weight (O, Cg, KH, KW) -> the adjoint's (C, Og, KH, KW): in each group, in and out
        channels swapped and the kernel rotated 180 degrees."""
        w = weight.reshape(self.G, self.Og, self.Cg, self.KH, self.KW)[..., ::-1, ::-1]
        return np.ascontiguousarray(w.transpose(0, 2, 1, 3, 4)).reshape(
            self.C, self.Og, self.KH, self.KW)

    def input_grad(self, dy, weight, wide=None):
        """dL/dx (N, C, H, W) from dL/dy (N, O, OH, OW): by the adjoint convolution when
        there is one, else over whole planes (stride 1), else per chunk one GEMM per group,
        then col2im, on dy in the GEMMs' layout (`wide`, from widen, if the caller has it)."""
        adjoint = self.adjoint
        if adjoint is not None:
            padded = adjoint.pad(dy, scratch=True)
            dx = adjoint.forward(padded, self._flipped(weight), keep=False)
            give(padded)
            return dx
        if self.stride == (1, 1) and not self.sample_major:
            return self._input_grad_by_planes(dy, weight)
        dy = self.widen(dy) if wide is None else wide
        wm = weight.reshape(self.G, self.Og, self.K)
        chunks = self.chunks(dy.itemsize)
        buffers = self._chunk_buffers(chunks, dy.dtype)
        # scratch, zeroed chunk by chunk on the threads (np.zeros would fault in fresh pages)
        padded = take((self.N, self.planes + self.slack), dy.dtype)
        interior = self._interior(padded)
        dx = np.empty((self.N, self.C, self.H, self.W), dy.dtype)

        def chunk(thread, bounds):
            start, stop = bounds
            dcols = self._chunk_cols(buffers[thread], start, stop)
            self._input_product(self._chunk_rows(dy, start, stop), wm, dcols)
            padded[start:stop] = 0
            self.col2im(dcols, padded, start, stop)
            dx[start:stop] = interior[start:stop]  # while these samples are in cache

        self._map(chunk, chunks, dy.itemsize)
        for buffer in buffers + [padded]:
            give(buffer)
        return dx

    def _input_grad_by_planes(self, dy, weight):
        """input_grad at stride 1 with GEMM columns for whole padded planes (see Input
        gradient over whole planes): dy (N, O, OH, OW) -> dL/dx (N, C, H, W)."""
        plane, (d0, d1) = self.Hp * self.Wp, self.dilation
        rows = np.empty((self.N, self.Hp, self.Wp, self.O), dy.dtype)
        self._fill(rows, rows[:, :self.OH, :self.OW], dy.transpose(0, 2, 3, 1))
        rows = rows.reshape(self.N * plane, self.G, self.Og)
        wm = weight.reshape(self.G, self.Og, self.K)
        chunks = self.chunks(dy.itemsize)
        buffers = self._chunk_buffers(chunks, dy.dtype, plane)
        summed = take((self.G, self.Cg, self.N * plane), dy.dtype)  # the padded dx, by channel
        planes = summed.reshape(self.C, self.N, self.Hp, self.Wp)
        top, _, left, _ = self.padding
        dx = np.empty((self.N, self.C, self.H, self.W), dy.dtype)

        def chunk(thread, bounds):
            start, stop = bounds
            columns = (stop - start) * plane
            dcols = buffers[thread][:self.G * self.K * columns].reshape(self.G, self.K, columns)
            self._input_product(rows[start * plane:stop * plane], wm, dcols)
            by_offset = dcols.reshape(self.G, self.Cg, self.KH, self.KW, columns)
            summed[:, :, start * plane:stop * plane] = 0
            for kh in range(self.KH):
                for kw in range(self.KW):
                    shift = kh * d0 * self.Wp + kw * d1
                    summed[:, :, start * plane + shift:stop * plane] += (
                        by_offset[:, :, kh, kw, :columns - shift])
            dx[start:stop] = planes[:, start:stop, top:top + self.H,
                                    left:left + self.W].transpose(1, 0, 2, 3)

        self._map(chunk, chunks, dy.itemsize)
        for buffer in buffers + [summed]:
            give(buffer)
        return dx

    def convolve(self, x, weight, bias=None):
        """(y, saved): conv2d's output (N, O, OH, OW) from x (N, C, H, W), and what
        `gradients` needs from the forward pass: x itself when the gradients come from the
        adjoint, else x's padded buffer (from which large layers rebuild their patches)."""
        if self.adjoint is not None:
            padded = self.pad(x, scratch=True)
            y = self.forward(padded, weight, bias, keep=False)
            give(padded)
            return y, x
        padded = self.pad(x)
        return self.forward(padded, weight, bias), padded

    def gradients(self, dy, weight, saved, need_x, need_w):
        """(dL/dx, dL/dweight), None where not needed, from dL/dy (N, O, OH, OW) and what
        convolve saved.

        With an adjoint, both come from the adjoint's patches of dy: dx is its forward
        product, and dweight, flipped back, its weight gradient for an output gradient x
        (dW[o, c, kh, kw] is a sum of dy[o] times x[c] shifted by the offset, which is what
        the adjoint's dW[c, o, KH-1-kh, KW-1-kw] sums): one im2col per chunk serves both, and
        x's patches are never built again."""
        adjoint = self.adjoint
        if adjoint is None or not need_w:
            if not need_w:
                return self.input_grad(dy, weight) if need_x else None, None
            wide = self.widen(dy, scratch=True)  # fresh pages would fault (see scratch.py)
            gx = self.input_grad(dy, weight, wide) if need_x else None
            gw = self.weight_grad(wide, saved)
            self._give_widened(wide)
            return gx, gw
        padded = adjoint.pad(dy, scratch=True)
        x_rows = adjoint.widen(saved, scratch=True)
        if need_x:
            gx, gw = adjoint.forward(padded, self._flipped(weight), keep=False, dy=x_rows)
        else:
            gx, gw = None, adjoint.weight_grad(x_rows, padded)
        give(padded)
        adjoint._give_widened(x_rows)
        return gx, adjoint._flipped(gw)
