"""The machinery of convolution: im2col, one GEMM per group, col2im.

A 2-D convolution of x: (N, C, H, W) with weight: (O, C/G, KH, KW) in G groups is, for every
output position, a dot product between the weight and the input patch under it. Copying the
patches into a matrix ("im2col") turns the whole layer into one matrix product per group:

    cols:   (N*OH*OW, G, KH*KW*Cg)   one row per output position, patches in (kh, kw, c) order
    weight: (G, Og, KH*KW*Cg)        the same order, Og = O / G
    y = cols @ weight^T              (N*OH*OW, G, Og), reshaped to (N, O, OH, OW)

The patch order (kh, kw, c), with the channel last, is chosen for speed: the input is first
copied once to a zero-padded NHWC array, so each patch row is built from runs of C
contiguous values, and the gradient's col2im adds contiguous runs of C values too.

The backward pass needs two more products:

    dW    = (cols^T @ dy)^T                    (G, Og, KH*KW*Cg)
    dcols = dy @ weight                        (N*OH*OW, G, KH*KW*Cg)
    dx    = col2im(dcols): for each kernel offset (kh, kw), add dcols[..., kh, kw, :] into the
            strided slice of the (padded) input it came from: KH*KW slice-adds, no per-pixel loop

cols is KH*KW times larger than the input (75 MB for a 3x3, 64-channel layer on a batch of
32 32x32 images; gigabytes for VGG on 224x224 images), so it is never built for the whole
batch: every product runs over chunks of a few samples whose patch matrix (~16 MB) sits in
one buffer reused across the chunks, and backward keeps only the padded input, rebuilding
each chunk's cols for dW. The GEMMs are the same; the memory traffic and page faults of a
huge temporary per layer and step are gone. (16 MB measured best on the ResNet block of
benchmarks/cnn.py: 8 MB chunks were ~25% slower, one whole-batch chunk ~15%.)

The transposed convolution is the adjoint of this map, so it uses the same pieces with the
roles of input and output swapped (see conv.py).
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

_CHUNK_BYTES = 16 << 20  # size of one chunk's patch matrix (see the module docstring)


def _gemm(a, b, out=None):
    """a @ b for 2-D arrays. OpenBLAS is very slow on narrow products (a layer with 6 output
    channels, or 6 input channels in the gradient: ~10x), where NumPy's own einsum loop is
    fast; BLAS wins clearly from about 32 columns on (measured, see benchmarks/cnn.py)."""
    if min(a.shape[1], b.shape[1]) <= 16:
        return np.einsum("ij,jk->ik", a, b, out=out)
    return np.matmul(a, b, out=out)


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
        self.K = self.KH * self.KW * self.Cg  # length of one patch (per group)
        self.L = self.OH * self.OW  # output positions per sample

    @property
    def output_shape(self):
        return (self.N, self.O, self.OH, self.OW)

    def chunks(self, itemsize):
        """(start, stop) sample ranges whose patch matrix is about _CHUNK_BYTES."""
        step = max(1, _CHUNK_BYTES // max(1, self.L * self.G * self.K * itemsize))
        return [(i, min(i + step, self.N)) for i in range(0, self.N, step)]

    def pad(self, x):
        """x: (N, C, H, W) -> zero-padded NHWC copy (N, Hp, Wp, C), the source of all patches."""
        top, _, left, _ = self.padding
        padded = np.zeros((self.N, self.Hp, self.Wp, self.C), x.dtype)
        padded[:, top:top + self.H, left:left + self.W] = x.transpose(0, 2, 3, 1)
        return padded

    def _patch_view(self, padded):
        """(n, OH, OW, G, KH, KW, Cg) strided view of padded NHWC samples: no copy."""
        sn, sh, sw, sc = padded.strides
        (s0, s1), (d0, d1) = self.stride, self.dilation
        shape = (len(padded), self.OH, self.OW, self.G, self.KH, self.KW, self.Cg)
        strides = (sn, sh * s0, sw * s1, sc * self.Cg, sh * d0, sw * d1, sc)
        return as_strided(padded, shape, strides, writeable=False)

    def im2col(self, padded, out):
        """The patches of padded samples (n, Hp, Wp, C), copied into out[:n*OH*OW]: (n*L, G, K)."""
        cols = out[:len(padded) * self.L]
        np.copyto(cols.reshape(len(padded), self.OH, self.OW, self.G, self.KH, self.KW,
                               self.Cg), self._patch_view(padded))
        return cols

    def col2im(self, cols, padded):
        """The adjoint of im2col: add the patches cols (n*L, G, K) of n samples into their
        padded NHWC input positions, padded: (n, Hp, Wp, G, Cg), in place."""
        (s0, s1), (d0, d1) = self.stride, self.dilation
        cols = cols.reshape(len(padded), self.OH, self.OW, self.G, self.KH, self.KW, self.Cg)
        h_span, w_span = s0 * (self.OH - 1) + 1, s1 * (self.OW - 1) + 1
        for kh in range(self.KH):
            for kw in range(self.KW):
                h0, w0 = kh * d0, kw * d1
                padded[:, h0:h0 + h_span:s0, w0:w0 + w_span:s1] += cols[:, :, :, :, kh, kw]

    def _chunk_buffer(self, chunks, dtype):
        return np.empty((max((b - a for a, b in chunks), default=0) * self.L, self.G, self.K),
                        dtype)

    def weight_matrix(self, weight):
        """weight (O, Cg, KH, KW) -> (G, Og, K) in the patch order (kh, kw, c)."""
        w = weight.reshape(self.G, self.Og, self.Cg, self.KH, self.KW)
        return np.ascontiguousarray(w.transpose(0, 1, 3, 4, 2)).reshape(self.G, self.Og, self.K)

    def output_rows(self, y):
        """y (N, O, OH, OW) -> (N*L, G, Og), the layout of the GEMMs' results."""
        rows = y.reshape(self.N, self.O, self.L).transpose(0, 2, 1)
        return np.ascontiguousarray(rows).reshape(self.N * self.L, self.G, self.Og)

    # The products below are plain 2-D products, one per group, on strided (never copied)
    # group slices: NumPy's stacked 3-D matmul is not handed to BLAS for these layouts and
    # was ~10x slower for the weight gradient.

    def forward(self, padded, weight):
        """y = conv(x, weight): (N, O, OH, OW), from x's padded NHWC copy (see pad)."""
        wm = self.weight_matrix(weight)
        rows = np.empty((self.N * self.L, self.G, self.Og), padded.dtype)
        chunks = self.chunks(padded.itemsize)
        buffer = self._chunk_buffer(chunks, padded.dtype)
        for start, stop in chunks:
            cols = self.im2col(padded[start:stop], buffer)
            out = rows[start * self.L:stop * self.L]
            for g in range(self.G):
                _gemm(cols[:, g], wm[g].T, out=out[:, g])
        y = rows.reshape(self.N, self.L, self.O).transpose(0, 2, 1)
        return np.ascontiguousarray(y).reshape(self.output_shape)

    def weight_grad(self, grad_output, padded):
        """dL/dweight (O, Cg, KH, KW) from dL/dy (N, O, OH, OW) and x's padded NHWC copy."""
        rows = self.output_rows(grad_output)
        chunks = self.chunks(padded.itemsize)
        buffer = self._chunk_buffer(chunks, padded.dtype)
        # accumulated as (K, Og) = cols^T @ rows: BLAS is several times faster with the long
        # summed axis in this orientation than in rows^T @ cols
        acc = np.zeros((self.G, self.K, self.Og), grad_output.dtype)
        for start, stop in chunks:
            cols = self.im2col(padded[start:stop], buffer)
            part = rows[start * self.L:stop * self.L]
            for g in range(self.G):
                acc[g] += _gemm(cols[:, g].T, part[:, g])
        w = acc.reshape(self.G, self.KH, self.KW, self.Cg, self.Og).transpose(0, 4, 3, 1, 2)
        return np.ascontiguousarray(w).reshape(self.O, self.Cg, self.KH, self.KW)

    def input_grad(self, grad_output, weight):
        """dL/dx (N, C, H, W) from dL/dy (N, O, OH, OW): per chunk, one GEMM per group, then
        col2im."""
        rows, wm = self.output_rows(grad_output), self.weight_matrix(weight)
        chunks = self.chunks(grad_output.itemsize)
        buffer = self._chunk_buffer(chunks, grad_output.dtype)
        padded = np.zeros((self.N, self.Hp, self.Wp, self.G, self.Cg), grad_output.dtype)
        for start, stop in chunks:
            dcols = buffer[:(stop - start) * self.L]
            part = rows[start * self.L:stop * self.L]
            for g in range(self.G):
                _gemm(part[:, g], wm[g], out=dcols[:, g])
            self.col2im(dcols, padded[start:stop])
        top, _, left, _ = self.padding
        inner = padded[:, top:top + self.H, left:left + self.W].reshape(
            self.N, self.H, self.W, self.C)
        return np.ascontiguousarray(inner.transpose(0, 3, 1, 2))
