"""Winograd F(2x2, 3x3): 3x3 stride-1 convolutions with 2.25 times fewer multiplications.

Lavin and Gray (2016). Each 2x2 block of outputs (a "tile") depends on the 4x4 block of the
padded input under it, d, and on the 3x3 kernel g of each (out, in) channel pair through

    Y = A^T [ (G g G^T) * (B^T d B) ] A          (* elementwise, 16 values per tile)

          [1  0 -1  0]          [1    0    0 ]
    B^T = [0  1  1  0]      G = [1/2  1/2  1/2]      A^T = [1  1  1  0]
          [0 -1  1  0]          [1/2 -1/2  1/2]            [0  1 -1 -1]
          [0  1  0 -1]          [0    0    1 ]

Summed over input channels, each of the 16 transform points xi is one matrix product:
U[xi] = (G g G^T)[xi] is (O, C), V[xi] = (B^T d B)[xi] is (C, tiles), M[xi] = U[xi] @ V[xi]
is (O, tiles), and the output transform A^T M A gives the 2x2 outputs of every tile. That is
16 * O * C multiplications per tile against 36 * O * C for im2col's product, in products of
a friendly shape (O x C by C x tiles).

Backward runs the same pieces in reverse (each transform is linear, so its gradient is the
adjoint transform): dM = A dY A^T (the tile's 2x2 output gradient spread to 16 points),
dU[xi] = dM[xi] @ V[xi]^T and dV[xi] = U[xi]^T @ dM[xi], then dweight = G^T dU G and dx is
B dV B^T added back into the overlapping 4x4 input blocks (tiles step by 2, so each input
row and column gets contributions from two neighbouring tiles). V is rebuilt from x in
backward rather than kept (it is 4 times larger than x).

The transforms are separable: along rows, then along columns, each output a sum of strided
views (rows 2i + k of the padded input), so every step is a whole-array NumPy add over a
chunk of samples. Chunks are a few samples each, so their V and M (about 1 MB per sample for
64 channels on 32x32) stay in cache between the transform and the product; on large layers
they run on neuronet.parallel's threads, like im2col.py's chunks.

An odd output size is computed on one more row or column of tiles (the padded input gets
zero rows or columns at the bottom or right) and cropped. In float32 the transforms add
rounding error of the order of the product's own (the entries of B, G and A are 0, +-1 and
1/2); the tests compare with torch and with im2col.py, which stays the reference path.

Used (see `applies`) for 3x3 kernels at stride 1 without dilation or groups, when the layer
has enough channels and large enough planes for the products to dominate the transforms.
"""

import math

import numpy as np

from neuronet.nn.functional.scratch import give, take
from neuronet.parallel import get_num_threads, parallel_map

_CHUNK_BYTES = 2 << 20  # V of one chunk of samples: about this size
_PARALLEL_BYTES = 8 << 20  # V of the whole batch from this size on: chunks on threads ...
_PARALLEL_TILES = 144  # ... if each sample has this many tiles (see WinogradGeometry._plan)
_MIN_CHANNELS = 16  # fewer input or output channels: im2col (the transforms would dominate)
_MIN_OUTPUTS = 256  # smaller output planes: im2col (see applies)

_G = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]])


def applies(geometry):
    """Whether a ConvGeometry runs as Winograd F(2x2, 3x3): 3x3, stride 1, no dilation, one
    group, at least _MIN_CHANNELS channels in and out, its full output of at least
    _MIN_OUTPUTS positions per plane. Small planes lose: their junk row and column of tiles
    (see WinogradGeometry) is a large share, and the products are short. Measured on 2
    threads, Winograd against im2col time for forward + backward: 32x32 planes with 64
    channels 0.73, 28x28 with 16 0.85, 16x16 with 128 0.96, but 14x14 with 32 1.03, 8x8
    with 16 1.27, 4x4 with 512 2.33."""
    g = geometry
    return ((g.KH, g.KW, g.stride, g.dilation, g.G) == (3, 3, (1, 1), (1, 1), 1)
            and min(g.C, g.O) >= _MIN_CHANNELS and (g.OH, g.OW) == (g.Hp - 2, g.Wp - 2)
            and g.OH * g.OW >= _MIN_OUTPUTS)


def transform_weight(weight):
    """weight (O, C, 3, 3) -> U (16, O, C): G g G^T of every channel pair, point-major."""
    u = np.einsum("ak,ockl,bl->aboc", _G.astype(weight.dtype), weight, _G.astype(weight.dtype),
                  optimize=True)
    return np.ascontiguousarray(u).reshape(16, *weight.shape[:2])


def transform_weight_grad(du):
    """The adjoint of transform_weight: dU (16, O, C) -> dweight (O, C, 3, 3) = G^T dU G."""
    g = _G.astype(du.dtype)
    return np.einsum("ak,aboc,bl->ockl", g, du.reshape(4, 4, *du.shape[1:]), g,
                     optimize=True)


def _input_points(d, out):
    """out[a] = sum over k of B^T[a, k] d[k]: four arrays d (rows or columns k of the 4x4
    blocks) into four arrays out."""
    np.subtract(d[0], d[2], out=out[0])
    np.add(d[1], d[2], out=out[1])
    np.subtract(d[2], d[1], out=out[2])
    np.subtract(d[1], d[3], out=out[3])


def _input_points_adjoint(v, even, odd, temp, shift):
    """The adjoint of _input_points, with the overlap of neighbouring blocks: v holds four
    flat arrays of point gradients; block m puts its k = 0 and 1 into position m of the
    even and odd phase, its k = 2 and 3 into position m + 1, `shift` values further on.
    temp: scratch of v[0]'s size."""
    np.copyto(even, v[0])  # k = 0: v0; k = 2: -v0 + v1 + v2
    np.add(v[1], v[2], out=temp)
    np.subtract(temp, v[0], out=temp)
    np.add(even[shift:], temp[:-shift], out=even[shift:])
    np.subtract(v[1], v[2], out=odd)  # k = 1: v1 - v2 + v3; k = 3: -v3
    np.add(odd, v[3], out=odd)
    np.subtract(odd[shift:], v[3][:-shift], out=odd[shift:])


def _output_points(m, out):
    """out[p] = sum over a of A^T[p, a] m[a]: four arrays m into two arrays out."""
    np.add(m[0], m[1], out=out[0])
    np.add(out[0], m[2], out=out[0])
    np.subtract(m[1], m[2], out=out[1])
    np.subtract(out[1], m[3], out=out[1])


def _output_points_adjoint(e, out):
    """The adjoint of _output_points: two arrays e into four arrays out."""
    np.copyto(out[0], e[0])
    np.add(e[0], e[1], out=out[1])
    np.subtract(e[0], e[1], out=out[2])
    np.negative(e[1], out=out[3])


def _parities(length, before):
    """For the two parities p of a padded axis (`before` padding values, then `length`
    values): (p, slice of the values of that parity, index of the first in its phase)."""
    for p in range(2):
        first = (p - before) % 2
        if first < length:
            yield p, slice(first, length, 2), (first + before) // 2


class WinogradGeometry:
    """A ConvGeometry (3x3, stride 1, see `applies`) run as Winograd F(2x2, 3x3), with the
    methods Conv2d calls (convolve, gradients, release).

    Layout. Every array of a chunk of n samples is held as phases: the even and odd rows and
    columns of a plane apart, (2, 2, channels, n, R, Q) with R = th + 1 and Q = tw + 1
    positions per phase (th x tw tiles; the last row and column of each phase is junk). Tile
    (i, j) then reads its 4x4 block from positions (i, j) and (i + 1, j + 1) of the input's
    phases, which in the flat memory of a phase are the same position moved by 0, 1, Q or
    Q + 1 values: every transform step is one long contiguous NumPy op over the whole chunk
    (strided slices with rows of 16 values cost 5-10 times more per value), and V and M come
    out with (channels, n*R*Q) as the GEMMs want them. Junk positions hold finite values and
    only reach junk positions, except in the weight gradient's sum over positions, where dM
    is zero there; the copies into and out of phases at the ends crop them away.
    """

    def __init__(self, geometry):
        self.geometry = g = geometry
        self.th, self.tw = -(-g.OH // 2), -(-g.OW // 2)  # tiles per column and row
        self.R, self.Q = self.th + 1, self.tw + 1
        self.slack = self.Q + 1  # zeros after a phase buffer: the furthest a step reads on

    @property
    def output_shape(self):
        return self.geometry.output_shape

    def _plan(self, itemsize):
        """(chunks, threads): (start, stop) sample ranges whose V is about _CHUNK_BYTES,
        and how many threads run them: a multiple of the thread count of chunks when the
        whole batch's V passes _PARALLEL_BYTES and each sample has _PARALLEL_TILES tiles or
        more, else 1 (the chunks in turn, BLAS on its own threads). Measured on 2 threads,
        forward + backward: 32x32 planes, 64 channels, batch 32: 40 ms on threads against
        61 ms in turn; 16x16 planes, 128 channels: 60 against 47 ms."""
        g = self.geometry
        total = g.N * 16 * max(g.C, g.O) * self.R * self.Q * itemsize
        count = max(1, math.ceil(total / _CHUNK_BYTES))
        threads = 1
        if total >= _PARALLEL_BYTES and self.th * self.tw >= _PARALLEL_TILES:
            threads = get_num_threads()
        count = min(-(-count // threads) * threads, g.N)
        bounds = [g.N * i // count for i in range(count + 1)] if count else [0]
        return list(zip(bounds[:-1], bounds[1:])), max(1, min(threads, count))

    def _run(self, work, chunks, threads, dtype):
        """work(thread, bounds, scratch) for each chunk, on `threads` threads (0 <= thread <
        threads); scratch is a dict of
        flat arrays for the largest chunk (see _sizes), one dict per thread, from the
        scratch pool."""
        if not chunks:  # an empty batch
            return
        n = max(b - a for a, b in chunks)
        scratch = [{name: take((n * size + self.slack,), dtype)
                    for name, size in self._sizes().items()} for _ in range(threads)]
        try:
            if threads > 1:
                parallel_map(lambda thread, bounds: work(thread, bounds, scratch[thread]),
                             chunks)
            else:
                for bounds in chunks:
                    work(0, bounds, scratch[0])
        finally:
            for own in scratch:
                for array in own.values():
                    give(array)

    def _sizes(self):
        """Values per sample of the scratch arrays: phases (of x, dx, y or dy), work (the
        points between the two passes of a transform), v (V or dV) and m (M or dM)."""
        g, plane = self.geometry, self.R * self.Q
        return dict(phases=4 * max(g.C, g.O) * plane, work=max(8 * g.O, 9 * g.C) * plane,
                    v=16 * g.C * plane, m=16 * g.O * plane)

    def _phase_views(self, flat, channels, n):
        """flat memory as the phases (2, 2, channels, n, R, Q) of n samples, each seen as
        (n, channels, R, Q)."""
        phases = flat[:4 * channels * n * self.R * self.Q].reshape(
            2, 2, channels, n, self.R, self.Q)
        return phases.transpose(0, 1, 3, 2, 4, 5)

    def _to_phases(self, a, flat, before=(0, 0)):
        """Copy a (n, channels, rows, columns) into the phases held by flat (see
        _phase_views), with `before` (top, left) padding; all else zero, slack included.
        Returns the size of one phase."""
        n, channels, rows, columns = a.shape
        size = channels * n * self.R * self.Q
        flat[:4 * size + self.slack] = 0
        phases = self._phase_views(flat, channels, n)
        for p, a_rows, i in _parities(rows, before[0]):
            for q, a_columns, j in _parities(columns, before[1]):
                part = a[:, :, a_rows, a_columns]
                phases[p, q][:, :, i:i + part.shape[2], j:j + part.shape[3]] = part
        return size

    def _from_phases(self, flat, out, before=(0, 0), bias=None):
        """The inverse of _to_phases: out (n, channels, rows, columns) = the values of the
        phases in flat at its positions (plus bias (channels, 1, 1), if given)."""
        n, channels, rows, columns = out.shape
        phases = self._phase_views(flat, channels, n)
        for p, out_rows, i in _parities(rows, before[0]):
            for q, out_columns, j in _parities(columns, before[1]):
                part = out[:, :, out_rows, out_columns]
                values = phases[p, q][:, :, i:i + part.shape[2], j:j + part.shape[3]]
                if bias is None:
                    np.copyto(part, values)
                else:
                    np.add(values, bias, out=part)

    def _padding(self):
        g = self.geometry
        return g.padding[0], g.padding[2]

    def _input_transform(self, x, own, v):
        """v (16, C, n*R*Q) = B^T d B of every tile of the samples x (n, C, H, W)."""
        size = self._to_phases(x, own["phases"], self._padding())
        ph, Q = own["phases"], self.Q
        work = own["work"]
        rows = work[:8 * size].reshape(4, 2, size)
        work[8 * size] = 0  # the last column step reads one value on
        for q in range(2):  # combine rows: rows 2i + k are phase rows i and i + 1
            even, odd = ph[q * size:], ph[(2 + q) * size:]
            _input_points([even[:size], odd[:size], even[Q:Q + size], odd[Q:Q + size]],
                          rows[:, q])
        flat = work[:8 * size + 1]
        for a in range(4):  # combine columns: 2j + k are phase columns j and j + 1
            even, odd = flat[(2 * a) * size:], flat[(2 * a + 1) * size:]
            _input_points([even[:size], odd[:size], even[1:1 + size], odd[1:1 + size]],
                          v.reshape(4, 4, -1)[a])

    def _input_transform_adjoint(self, dv, own, dx):
        """dx (n, C, H, W) = B dV B^T of every tile added into its 4x4 block (then cropped
        to the padding's interior), from dv (16, C, n*R*Q)."""
        size = dv.shape[-1] * dv.shape[1]
        dv = dv.reshape(4, 4, size)
        work = own["work"]
        columns, temp = work[:8 * size].reshape(4, 2, size), work[8 * size:9 * size]
        for a in range(4):
            _input_points_adjoint(dv[a], columns[a, 0], columns[a, 1], temp, 1)
        ph = own["phases"][:4 * size].reshape(2, 2, size)
        for q in range(2):
            _input_points_adjoint(columns[:, q], ph[0, q], ph[1, q], temp, self.Q)
        self._from_phases(own["phases"], dx, self._padding())

    def _output_transform(self, m, own, y, bias):
        """y (n, O, OH, OW) = A^T M A of every tile, from m (16, O, n*R*Q), plus bias."""
        size = m.shape[1] * m.shape[2]
        m = m.reshape(4, 4, size)
        points = own["work"][:8 * size].reshape(2, 4, size)
        for b in range(4):
            _output_points(m[:, b], points[:, b])
        phases = own["phases"][:4 * size].reshape(2, 2, size)
        for p in range(2):
            _output_points(points[p], phases[p])
        self._from_phases(own["phases"], y, bias=None if bias is None else
                          bias.reshape(-1, 1, 1))

    def _output_transform_adjoint(self, dy, own, dm):
        """dm (16, O, n*R*Q) = A dY A^T of every tile of dy (n, O, OH, OW), zero at junk
        positions."""
        size = self._to_phases(dy, own["phases"])
        e = own["phases"][:4 * size].reshape(2, 2, size)
        points = own["work"][:8 * size].reshape(4, 2, size)
        for q in range(2):
            _output_points_adjoint(e[:, q], points[:, q])
        dm = dm.reshape(4, 4, size)
        for a in range(4):
            _output_points_adjoint(points[a], dm[a])

    def _points(self, flat, channels, n):
        """flat memory as (16, channels, n*R*Q): V, M or their gradients."""
        return flat[:16 * channels * n * self.R * self.Q].reshape(16, channels, -1)

    def convolve(self, x, weight, bias=None):
        """(y, x): conv2d's output (N, O, OH, OW) and what gradients needs (x itself)."""
        g = self.geometry
        u = transform_weight(weight)
        y = np.empty(g.output_shape, x.dtype)

        def chunk(thread, bounds, own):
            start, stop = bounds
            v, m = self._points(own["v"], g.C, stop - start), self._points(own["m"], g.O,
                                                                          stop - start)
            self._input_transform(x[start:stop], own, v)
            np.matmul(u, v, out=m)
            self._output_transform(m, own, y[start:stop], bias)

        self._run(chunk, *self._plan(x.itemsize), x.dtype)
        return y, x

    def gradients(self, dy, weight, x, need_x, need_w):
        """(dL/dx, dL/dweight), None where not needed, from dL/dy (N, O, OH, OW) and x."""
        g = self.geometry
        ut = transform_weight(weight).swapaxes(-1, -2)  # U^T, (16, C, O)
        dx = np.empty(x.shape, x.dtype) if need_x else None
        chunks, threads = self._plan(dy.itemsize)
        partial = [np.zeros((16, g.O, g.C), dy.dtype) for _ in range(threads)]

        def chunk(thread, bounds, own):
            start, stop = bounds
            dm, v = self._points(own["m"], g.O, stop - start), self._points(own["v"], g.C,
                                                                           stop - start)
            self._output_transform_adjoint(dy[start:stop], own, dm)
            if need_w:
                self._input_transform(x[start:stop], own, v)
                partial[thread] += np.matmul(dm, v.swapaxes(-1, -2))
            if need_x:
                np.matmul(ut, dm, out=v)
                self._input_transform_adjoint(v, own, dx[start:stop])

        self._run(chunk, chunks, threads, dy.dtype)
        du = partial[0]
        for more in partial[1:]:
            du += more
        return dx, transform_weight_grad(du) if need_w else None

    def release(self):
        """Nothing is kept between forward and backward besides x."""
