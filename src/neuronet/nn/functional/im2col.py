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

Orientation. Forward and dW produce tall, narrow results (many rows, Og or K columns);
two-thread OpenBLAS is several times slower and far more erratic on a loaded machine for the
transposed, wide orientation (median of 40 products of a 64x576 by 576x6528 shape under
load ~8: 40 ms wide against 18 ms tall, dW 240 ms against 16 ms), and one product per chunk
rather than per sample keeps the number of threaded calls (each a chance to stall) small.

Wide rows. NumPy copies and adds strided slices one innermost run at a time, and an output
row is short (10 values in LeNet's second layer), so im2col and above all col2im would spend
their time in per-run overhead. With a horizontal stride of 1 the GEMMs instead use output
rows as wide as the padded input (R = Wp columns, of which the last Wp - OW are junk): then
the patch values for one kernel offset are one contiguous run of OH*Wp values of the padded
input plane, and col2im adds one contiguous run per offset. The junk columns cost (Wp - OW) /
OW more GEMM work; forward drops them, and the backward products multiply them by zeros
(dy is widened with zero columns), so they never reach a result. With a horizontal stride
> 1, R = OW (no junk, no widening). The padded input is one flat buffer, and the values
under kernel offset (kh, kw) are that buffer read from offset kh*d*Wp + kw*d on, reshaped
to planes and sliced: the buffer ends with `slack` zeros, as many as the largest offset, so
the last plane's view stays inside it. (One difference a non-finite input shows: an inf that
only junk columns reach adds 0 * inf = NaN to dW, where torch's dW has inf or NaN only in
the entries that inf reaches.)

cols is KH*KW times larger than the input (75 MB for a 3x3, 64-channel layer on a batch of
32 32x32 images; gigabytes for VGG on 224x224 images), so it is never built for the whole
batch: every product runs over chunks of a few samples whose patch matrix (~16 MB) sits in
one buffer reused across the chunks, and backward keeps only the padded input, rebuilding
each chunk's cols for dW. Only when the whole batch is one chunk (small layers such as
LeNet's, at most _CHUNK_BYTES) does the geometry keep forward's cols for dW, saving an
im2col per step.

The transposed convolution is the adjoint of this map, so it uses the same pieces with the
roles of input and output swapped (see conv.py).
"""

import numpy as np

_CHUNK_BYTES = 16 << 20  # size of one chunk's patch matrix (see the module docstring)


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
        self.R = self.Wp if stride[1] == 1 else self.OW  # GEMM row width (wide rows)
        self.L = self.OH * self.R  # GEMM columns per sample, junk ones included
        self._kept = None  # (padded buffer, its whole patch matrix) from forward, see below
        self.slack = (self.KH - 1) * dilation[0] * self.Wp + (self.KW - 1) * dilation[1]

    @property
    def output_shape(self):
        return (self.N, self.O, self.OH, self.OW)

    def chunks(self, itemsize):
        """(start, stop) sample ranges whose patch matrix is about _CHUNK_BYTES."""
        step = max(1, _CHUNK_BYTES // max(1, self.G * self.K * self.L * itemsize))
        return [(i, min(i + step, self.N)) for i in range(0, self.N, step)]

    def _zeros(self, dtype):
        """The padded-input buffer: N*C*Hp*Wp zeros followed by `slack` zeros (see _rows)."""
        return np.zeros(self.N * self.C * self.Hp * self.Wp + self.slack, dtype)

    def _planes(self, buffer):
        """The (N, C, Hp, Wp) padded input held by a buffer from _zeros."""
        return buffer[:self.N * self.C * self.Hp * self.Wp].reshape(
            self.N, self.C, self.Hp, self.Wp)

    def _interior(self, buffer):
        """The (N, C, H, W) input inside the padding of a buffer from _zeros: a view."""
        top, _, left, _ = self.padding
        return self._planes(buffer)[:, :, top:top + self.H, left:left + self.W]

    def pad(self, x):
        """x: (N, C, H, W) -> the zero-padded copy all patches are cut from, as the flat
        buffer that _zeros makes."""
        buffer = self._zeros(x.dtype)
        self._interior(buffer)[...] = x
        return buffer

    def _rows(self, buffer, start, stop, kh, kw):
        """(n, C, OH, R) view of samples start:stop of a padded buffer under kernel offset
        (kh, kw): the buffer read from that offset on as (n, C, Hp, Wp) planes, so a wide row
        runs on into the next row (or plane, or the slack after the last one). Plain slicing
        and reshaping: ~1 us, where as_strided costs ~15 us, and this runs KH*KW times per
        product."""
        (s0, s1), (d0, d1) = self.stride, self.dilation
        plane = self.Hp * self.Wp
        begin = start * self.C * plane + kh * d0 * self.Wp + kw * d1
        shifted = buffer[begin:begin + (stop - start) * self.C * plane].reshape(
            stop - start, self.C, self.Hp, self.Wp)
        return shifted[:, :, :(self.OH - 1) * s0 + 1:s0, :(self.R - 1) * s1 + 1:s1]

    def _by_offset(self, cols, n):
        """cols (G, K, n*L) as (n, C, KH, KW, OH, R), sample axis first: a view."""
        return cols.reshape(self.C, self.KH, self.KW, n, self.OH, self.R).transpose(
            3, 0, 1, 2, 4, 5)

    def im2col(self, buffer, start, stop, out):
        """The patches of samples start:stop of a padded buffer, copied into the flat chunk
        buffer out: (G, K, n*L)."""
        n = stop - start
        cols = out[:self.G * self.K * n * self.L].reshape(self.G, self.K, n * self.L)
        by_offset = self._by_offset(cols, n)
        for kh in range(self.KH):
            for kw in range(self.KW):
                by_offset[:, :, kh, kw] = self._rows(buffer, start, stop, kh, kw)
        return cols

    def col2im(self, cols, buffer, start, stop):
        """The adjoint of im2col: add the patches cols (G, K, n*L) of samples start:stop
        into their positions in a padded buffer, in place."""
        by_offset = self._by_offset(cols, stop - start)
        for kh in range(self.KH):
            for kw in range(self.KW):
                self._rows(buffer, start, stop, kh, kw)[...] += by_offset[:, :, kh, kw]

    def widen(self, a):
        """An output-shaped array a (N, O, OH, OW), such as dy, in the GEMMs' layout
        (N, OH, R, O): channels last, on the wide rows, zeros in the junk columns."""
        wide = (np.empty if self.R == self.OW else np.zeros)(
            (len(a), self.OH, self.R, self.O), a.dtype)
        wide[:, :, :self.OW] = a.transpose(0, 2, 3, 1)
        return wide

    def _chunk_rows(self, dy, start, stop):
        """Samples start:stop of a widened dy as (n*L, G, Og): a view."""
        return dy[start:stop].reshape((stop - start) * self.L, self.G, self.Og)

    def _chunk_buffer(self, chunks, dtype):
        """Flat memory for the largest chunk's (G, K, n*L) patch matrix."""
        return np.empty(max((b - a for a, b in chunks), default=0) * self.G * self.K * self.L,
                        dtype)

    def forward(self, padded, weight, bias=None):
        """y = conv(x, weight) + bias: (N, O, OH, OW), from x's padded buffer (see pad);
        bias (O,) or None, added in the pass that puts each chunk's result in place."""
        wm = weight.reshape(self.G, self.Og, self.K)
        bias = 0 if bias is None else bias.reshape(-1, 1, 1)
        y = np.empty(self.output_shape, padded.dtype)
        chunks = self.chunks(padded.itemsize)
        buffer = self._chunk_buffer(chunks, padded.dtype)
        for start, stop in chunks:
            cols = self.im2col(padded, start, stop, buffer)
            if len(chunks) == 1:
                self._kept = (padded, cols)  # one chunk: weight_grad reuses it
            out = np.empty((cols.shape[-1], self.G, self.Og), padded.dtype)
            for g in range(self.G):
                np.matmul(cols[g].T, wm[g].T, out=out[:, g])
            out = out.reshape(stop - start, self.OH, self.R, self.O)[:, :, :self.OW]
            np.add(out.transpose(0, 3, 1, 2), bias, out=y[start:stop])
        return y

    def weight_grad(self, dy, padded):
        """dL/dweight (O, Cg, KH, KW) from dL/dy in the GEMMs' layout (see widen) and x's
        padded buffer."""
        kept, self._kept = self._kept, None
        reuse = kept is not None and kept[0] is padded  # then there is one chunk
        chunks = self.chunks(padded.itemsize)
        buffer = None if reuse else self._chunk_buffer(chunks, padded.dtype)
        dw = np.zeros((self.G, self.K, self.Og), dy.dtype)  # transposed: see the docstring
        for start, stop in chunks:
            cols = kept[1] if reuse else self.im2col(padded, start, stop, buffer)
            rows = self._chunk_rows(dy, start, stop)
            for g in range(self.G):
                dw[g] += cols[g] @ rows[:, g]
        return dw.transpose(0, 2, 1).reshape(self.O, self.Cg, self.KH, self.KW)

    def input_grad(self, dy, weight):
        """dL/dx (N, C, H, W) from dL/dy in the GEMMs' layout (see widen): per chunk, one
        GEMM per group, then col2im."""
        wm = weight.reshape(self.G, self.Og, self.K)
        chunks = self.chunks(dy.itemsize)
        buffer = self._chunk_buffer(chunks, dy.dtype)
        padded = self._zeros(dy.dtype)
        for start, stop in chunks:
            rows = self._chunk_rows(dy, start, stop)
            dcols = buffer[:self.G * self.K * len(rows)].reshape(self.G, self.K, -1)
            for g in range(self.G):
                np.matmul(wm[g].T, rows[:, g].T, out=dcols[g])
            self.col2im(dcols, padded, start, stop)
        return np.ascontiguousarray(self._interior(padded))
