"""The machinery of convolution: im2col, one GEMM per group, col2im.

A 2-D convolution of x: (N, C, H, W) with weight: (O, C/G, KH, KW) in G groups is, for every
output position, a dot product between the weight and the input patch under it. Copying the
patches into a matrix ("im2col") turns the whole layer into one matrix product per group:

    cols:   (N*OH*OW, G, KH*KW*Cg)   one row per output position, patches in (kh, kw, c) order
    weight: (G, Og, KH*KW*Cg)        the same order, Og = O / G
    y = cols @ weight^T              (G, N*OH*OW, Og), reshaped to (N, O, OH, OW)

The patch order (kh, kw, c), with the channel last, is chosen for speed: the input is first
copied once to NHWC, so each patch row is built from runs of C contiguous values, and the
gradient's col2im adds contiguous runs of C values too.

The backward pass needs two more products, which `ConvGeometry` also provides:

    dW    = dy^T @ cols                        (G, Og, KH*KW*Cg)
    dcols = dy @ weight                        (N*OH*OW, G, KH*KW*Cg)
    dx    = col2im(dcols): for each kernel offset (kh, kw), add dcols[..., kh, kw, :] into the
            strided slice of the (padded) input it came from: KH*KW slice-adds, no per-pixel loop
            (the last two run a few samples at a time, see input_grad)

The transposed convolution is the adjoint of this map, so it uses the same three pieces
with the roles of input and output swapped (see conv.py).
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

_CHUNK_BYTES = 8 << 20  # patch gradients handled per chunk of samples (see input_grad)


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
        self.M = self.N * self.OH * self.OW  # number of output positions

    @property
    def output_shape(self):
        return (self.N, self.O, self.OH, self.OW)

    def _patch_view(self, padded):
        """(N, OH, OW, G, KH, KW, Cg) strided view of a padded NHWC array: no copy."""
        sn, sh, sw, sc = padded.strides
        (s0, s1), (d0, d1) = self.stride, self.dilation
        shape = (self.N, self.OH, self.OW, self.G, self.KH, self.KW, self.Cg)
        strides = (sn, sh * s0, sw * s1, sc * self.Cg, sh * d0, sw * d1, sc)
        return as_strided(padded, shape, strides, writeable=padded.flags.writeable)

    def im2col(self, x):
        """x: (N, C, H, W) -> cols: (N*OH*OW, G, K), one contiguous copy of the patches."""
        top, _, left, _ = self.padding
        padded = np.zeros((self.N, self.Hp, self.Wp, self.C), x.dtype)
        padded[:, top:top + self.H, left:left + self.W] = x.transpose(0, 2, 3, 1)
        cols = np.empty((self.N, self.OH, self.OW, self.G, self.KH, self.KW, self.Cg), x.dtype)
        np.copyto(cols, self._patch_view(padded))
        return cols.reshape(self.M, self.G, self.K)

    def col2im(self, cols, padded):
        """The adjoint of im2col: add the patches cols (n*OH*OW, G, K) of n samples into
        their padded NHWC input positions, padded: (n, Hp, Wp, G, Cg), in place."""
        (s0, s1), (d0, d1) = self.stride, self.dilation
        cols = cols.reshape(len(padded), self.OH, self.OW, self.G, self.KH, self.KW, self.Cg)
        h_span, w_span = s0 * (self.OH - 1) + 1, s1 * (self.OW - 1) + 1
        for kh in range(self.KH):
            for kw in range(self.KW):
                h0, w0 = kh * d0, kw * d1
                padded[:, h0:h0 + h_span:s0, w0:w0 + w_span:s1] += cols[:, :, :, :, kh, kw]

    def weight_matrix(self, weight):
        """weight (O, Cg, KH, KW) -> (G, Og, K) in the patch order (kh, kw, c)."""
        w = weight.reshape(self.G, self.Og, self.Cg, self.KH, self.KW)
        return np.ascontiguousarray(w.transpose(0, 1, 3, 4, 2)).reshape(self.G, self.Og, self.K)

    def weight_from_matrix(self, wm):
        """The inverse of weight_matrix: (G, Og, K) -> (O, Cg, KH, KW)."""
        w = wm.reshape(self.G, self.Og, self.KH, self.KW, self.Cg).transpose(0, 1, 4, 2, 3)
        return np.ascontiguousarray(w).reshape(self.O, self.Cg, self.KH, self.KW)

    def output_rows(self, y):
        """y (N, O, OH, OW) -> (N*OH*OW, G, Og), the layout of the GEMMs' results."""
        rows = y.reshape(self.N, self.O, self.OH * self.OW).transpose(0, 2, 1)
        return np.ascontiguousarray(rows).reshape(self.M, self.G, self.Og)

    # The products below are plain 2-D matmuls, one per group, on strided (never copied)
    # group slices: NumPy's stacked 3-D matmul is not handed to BLAS for these layouts and
    # was ~10x slower for the weight gradient.

    def forward(self, cols, weight):
        """y = conv(x, weight) from x's cols: (N, O, OH, OW)."""
        wm = self.weight_matrix(weight)
        rows = np.empty((self.M, self.G, self.Og), cols.dtype)
        for g in range(self.G):
            np.matmul(cols[:, g], wm[g].T, out=rows[:, g])
        y = rows.reshape(self.N, self.OH * self.OW, self.O).transpose(0, 2, 1)
        return np.ascontiguousarray(y).reshape(self.output_shape)

    def weight_grad(self, grad_output, cols):
        """dL/dweight (O, Cg, KH, KW) from dL/dy (N, O, OH, OW) and x's cols."""
        rows = self.output_rows(grad_output)
        # (cols^T @ rows)^T rather than rows^T @ cols: BLAS is several times faster with the
        # long summed axis (N*OH*OW) in this orientation
        wm = np.stack([(cols[:, g].T @ rows[:, g]).T for g in range(self.G)])
        return self.weight_from_matrix(wm)

    def input_grad(self, grad_output, weight):
        """dL/dx (N, C, H, W) from dL/dy (N, O, OH, OW): one GEMM per group, then col2im.

        Done a few samples at a time: the patch gradients of a chunk (~8 MB) stay in memory
        NumPy reuses, where the whole batch's (KH*KW times the input) would be a fresh
        allocation each step; ~20% faster on a ResNet block."""
        rows, wm = self.output_rows(grad_output), self.weight_matrix(weight)
        L = self.OH * self.OW
        step = max(1, _CHUNK_BYTES // (L * self.G * self.K * grad_output.itemsize))
        dcols = np.empty((min(step, self.N) * L, self.G, self.K), grad_output.dtype)
        padded = np.zeros((self.N, self.Hp, self.Wp, self.G, self.Cg), grad_output.dtype)
        for start in range(0, self.N, step):
            stop = min(start + step, self.N)
            chunk = dcols[:(stop - start) * L]
            for g in range(self.G):
                np.matmul(rows[start * L:stop * L, g], wm[g], out=chunk[:, g])
            self.col2im(chunk, padded[start:stop])
        top, _, left, _ = self.padding
        inner = padded[:, top:top + self.H, left:left + self.W].reshape(
            self.N, self.H, self.W, self.C)
        return np.ascontiguousarray(inner.transpose(0, 3, 1, 2))
