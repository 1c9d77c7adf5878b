"""A strided convolution as a stride-1 convolution over phases ("space to depth").

With stride (s0, s1), output position (i, j) reads the padded input at rows s0*i + kh and
columns s1*j + kw. Split the padded input into its s0*s1 phases, one per remainder (ph, pw):

    x'[n, (c, ph, pw), a, b] = x_padded[n, c, s0*a + ph, s1*b + pw]

and the kernel the same way, w'[o, (c, ph, pw), a, b] = w[o, c, s0*a + ph, s1*b + pw]: then
y = conv(x', w') with stride 1, no padding and a kernel (KH/s0, KW/s1), the same products in
another order. im2col of a strided convolution copies runs of single values (every s-th
one), and col2im adds them one by one, a NumPy call's overhead for every few values; over
phases every copy and add is a run of whole rows, and the stride-1 machinery (wide rows, the
adjoint input gradient) applies. The phases cost one copy of x (and of dx back).

Used for kernels that the stride divides, without dilation: DCGAN's 4x4 at stride 2 (its
discriminator's second layer, batch 64: strided im2col 2.0 ms and col2im 4.9 ms, against 0.7
and none over phases; benchmarks/gan.py, 3 steps, same-run A/B: 212/234 against 236/253 ms).
Other strided convolutions would multiply by zero taps (a 3x3 kernel at stride 2 becomes 4x4)
and keep the strided im2col.
PhaseGeometry wraps the stride-1 ConvGeometry with the interface Conv2d and ConvTranspose2d
use, moving inputs, weights and gradients in and out of phases.
"""

import numpy as np

from neuronet.nn.functional.im2col import ConvGeometry


def over_phases_if_it_applies(geometry):
    """A PhaseGeometry for a ConvGeometry that it applies to (see PhaseGeometry.applies),
    else the geometry itself."""
    return PhaseGeometry(geometry) if PhaseGeometry.applies(geometry) else geometry


def _axis_ranges(s, before, length, count):
    """Along one axis of stride s with `before` padding values ahead of `length` input
    values, phases of `count` values: for each phase p, (p, first phase index a0, the input
    index it holds, how many input values the phase holds from there)."""
    ranges = []
    for p in range(s):
        a0 = max(0, -((p - before) // s))  # first a with s*a + p >= before
        first = s * a0 + p - before
        n = max(0, min(count - a0, -(-(length - first) // s)))
        ranges.append((p, a0, first, n))
    return [r for r in ranges if r[3] > 0]


def _to_phases(a, s0, s1):
    """a (N, C, rows*s0, columns*s1) -> (N, C*s0*s1, rows, columns), channel order (c, ph,
    pw): the phases of a (a weight: no padding)."""
    N, C, rows, columns = a.shape[0], a.shape[1], a.shape[2] // s0, a.shape[3] // s1
    split = a.reshape(N, C, rows, s0, columns, s1).transpose(0, 1, 3, 5, 2, 4)
    return np.ascontiguousarray(split).reshape(N, C * s0 * s1, rows, columns)


def _from_phases(a, s0, s1):
    """The inverse of _to_phases: (N, C*s0*s1, rows, columns) -> (N, C, rows*s0,
    columns*s1)."""
    N, C, rows, columns = a.shape[0], a.shape[1] // (s0 * s1), a.shape[2], a.shape[3]
    merged = a.reshape(N, C, s0, s1, rows, columns).transpose(0, 1, 4, 2, 5, 3)
    return np.ascontiguousarray(merged).reshape(N, C, rows * s0, columns * s1)


class PhaseGeometry:
    """The strided convolution `strided` (a ConvGeometry) run as `phased`, a stride-1
    ConvGeometry over its input's phases (see the module docstring). Same methods as
    ConvGeometry where Conv2d and ConvTranspose2d call them, on the strided shapes."""

    def __init__(self, strided):
        self.strided = g = strided
        self.s0, self.s1 = g.stride
        kh, kw = g.KH // self.s0, g.KW // self.s1
        self.rows, self.columns = g.OH + kh - 1, g.OW + kw - 1  # of the phases
        self.phased = ConvGeometry(
            (g.N, g.C * self.s0 * self.s1, self.rows, self.columns),
            (g.O, g.Cg * self.s0 * self.s1, kh, kw), (1, 1), (0, 0, 0, 0), (1, 1), g.G)

    @staticmethod
    def applies(g):
        """Whether a ConvGeometry is better run over phases: strided, undilated, the stride
        dividing the kernel, and its full output (not a transposed convolution's cropped
        one)."""
        natural = ((g.Hp - g.KH) // g.stride[0] + 1, (g.Wp - g.KW) // g.stride[1] + 1)
        return (g.stride != (1, 1) and g.dilation == (1, 1) and g.KH % g.stride[0] == 0
                and g.KW % g.stride[1] == 0 and (g.OH, g.OW) == natural)

    @property
    def output_shape(self):
        return self.strided.output_shape

    def _phase_slices(self):
        """For each phase (ph, pw): (index into the (N, C, s0, s1, rows, columns) phases,
        index into x (N, C, H, W)) of the values the phase takes from x; padding and rows or
        columns no window reaches are in no phase."""
        g = self.strided
        top, _, left, _ = g.padding
        by_axis = [_axis_ranges(self.s0, top, g.H, self.rows),
                   _axis_ranges(self.s1, left, g.W, self.columns)]
        for ph, a0, h0, m in by_axis[0]:
            for pw, b0, w0, n in by_axis[1]:
                yield ((slice(None), slice(None), ph, pw, slice(a0, a0 + m), slice(b0, b0 + n)),
                       (slice(None), slice(None), slice(h0, h0 + self.s0 * (m - 1) + 1, self.s0),
                        slice(w0, w0 + self.s1 * (n - 1) + 1, self.s1)))

    def phases(self, x):
        """x (N, C, H, W) -> its padded phases (N, C*s0*s1, rows, columns): one strided copy
        per phase into zeros (the padding)."""
        g = self.strided
        out = np.zeros((g.N, g.C, self.s0, self.s1, self.rows, self.columns), x.dtype)
        for into, take in self._phase_slices():
            out[into] = x[take]
        return out.reshape(g.N, g.C * self.s0 * self.s1, self.rows, self.columns)

    def unphase(self, dx):
        """The adjoint of phases: a gradient over the phases -> dL/dx (N, C, H, W), zero
        where x is in no phase."""
        g = self.strided
        phased = dx.reshape(g.N, g.C, self.s0, self.s1, self.rows, self.columns)
        out = np.zeros((g.N, g.C, g.H, g.W), dx.dtype)
        for into, take in self._phase_slices():
            out[take] = phased[into]
        return out

    def weight(self, weight):
        """weight (O, Cg, KH, KW) -> the phased convolution's (O, Cg*s0*s1, KH/s0, KW/s1)."""
        return _to_phases(weight, self.s0, self.s1)

    def weight_back(self, dw):
        """The phased convolution's weight gradient -> dL/dweight (O, Cg, KH, KW)."""
        return None if dw is None else _from_phases(dw, self.s0, self.s1)

    def pad(self, x, scratch=False):
        return self.phased.pad(self.phases(x), scratch)

    def widen(self, a):
        return self.phased.widen(a)

    def forward(self, padded, weight, bias=None, keep=True, dy=None):
        out = self.phased.forward(padded, self.weight(weight), bias, keep, dy)
        return out if dy is None else (out[0], self.weight_back(out[1]))

    def weight_grad(self, dy, padded):
        return self.weight_back(self.phased.weight_grad(dy, padded))

    def input_grad(self, dy, weight, wide=None):
        return self.unphase(self.phased.input_grad(dy, self.weight(weight), wide))

    def convolve(self, x, weight, bias=None):
        return self.phased.convolve(self.phases(x), self.weight(weight), bias)

    def gradients(self, dy, weight, saved, need_x, need_w):
        gx, gw = self.phased.gradients(dy, self.weight(weight), saved, need_x, need_w)
        return None if gx is None else self.unphase(gx), self.weight_back(gw)

    def release(self):
        self.phased.release()
