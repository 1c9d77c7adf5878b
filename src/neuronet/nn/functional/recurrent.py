"""Recurrent layers over a whole sequence, one direction at a time, with a hand-derived
backward through time.

Each layer is one `Function` whose forward runs all time steps:

    a = W_ih x_t + b_ih                        one batched GEMM for every step at once
    for t: a_t += W_hh h + b_hh                one GEMM per step for the recurrence
           h, c = cell(a_t, h, c)

and whose backward walks the steps in reverse, collecting the gate gradients of every step
in one array, so that dW_ih, dW_hh and dx are again single GEMMs over all steps. Gate
layouts follow PyTorch: RNN one block, LSTM (i, f, g, o), GRU (r, z, n) with
n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

Layout: inside a layer every array is feature-major, a state is (H, n) and a step's
pre-activations (G*H, n), so each gate is one contiguous (H, n) block of rows: NumPy's
elementwise loops and tanh run several times faster on those than on column slices of an
(n, G*H) array. The batch is cut into independent parts (rows of the batch), one per thread,
each with its own arrays; a part's recurrence is its own sequence of small GEMMs and
elementwise steps, so the parts run side by side on the threads of neuronet.parallel, and
only the weight gradients are summed over the parts at the end.

Variable lengths: `mask` (T, N, 1), 1 where step t of sequence n is real and 0 on padding.
On a padded step the state is carried through unchanged and the output is 0, so the final
state of sequence n is its state after its last real step, in either direction (in reverse
the padded tail comes first and leaves the initial state untouched): exactly what running
each sequence alone gives.
"""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.parallel import get_num_threads, parallel_map

# a part of fewer rows leaves the GEMMs too thin to pay for a thread of its own
MIN_PART_ROWS = 32


def _sigmoid_from_tanh_(a):
    """sigmoid(z) in place from a = tanh(z / 2), as 0.5 + 0.5 tanh(z / 2): no overflow. The
    halving z / 2 is folded into the weights (see `_Recurrence.sigmoid_gates`)."""
    a *= 0.5
    a += 0.5
    return a


def batch_parts(n_rows, threads=None):
    """Row slices cutting a batch of n_rows into one part per thread, each of at least
    MIN_PART_ROWS rows (a single part when the batch is small or there is one thread)."""
    threads = get_num_threads() if threads is None else threads
    count = max(1, min(threads, n_rows // MIN_PART_ROWS))
    bounds = [n_rows * i // count for i in range(count + 1)]
    return [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])]


class _Part:
    """The arrays of one part of the batch (`rows`, n of them), feature-major: acts (T, G*H, n)
    pre-activations, overwritten step by step with the gate values; hs, cs (T + 1, H, n) the
    states in processing order (hs[k + 1] after step k, hs[0] the initial one); extra
    (T, H, n) a per-step value the cell's backward needs; mask (T, 1, n) or None."""

    def __init__(self, rows):
        self.rows = rows


class _Recurrence(Function):
    """Shared driver: projections, time loop, masking, the parts and the final GEMMs of the
    backward.

    A subclass sets `n_gates` and writes `_step` (one step forward of a part, from its
    pre-activations to hs[k + 1]), `_prepare_backward` (the gate derivatives of all steps at
    once, or buffers to compute them step by step) and `_step_backward` (one step's
    pre-activation gradients). Step k of the loop handles time t (t = k forward, t = T - 1 - k
    in reverse).

    Inputs: x (T, N, I), h0 (N, H), c0 (N, H) or None, w_ih (G*H, I), w_hh (G*H, H),
    b_ih, b_hh (G*H,) or None. Outputs: y (T, N, H), h_n (N, H) and, for the LSTM, c_n.
    """

    n_gates = 1
    has_cell = False
    # gate blocks that go through a sigmoid: their rows of W_ih, W_hh and the biases are halved
    # for the forward, so that one tanh over all gates gives sigmoid(z) = 0.5 + 0.5 tanh(z / 2)
    sigmoid_gates = ()

    def _split_bias(self, b_ih, b_hh):
        """(bias added to W_ih x once, bias added to W_hh h at every step or None): all of b_hh
        folds into the input projection except where a gate multiplies it (GRU)."""
        return b_ih + b_hh, None

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mask=None, reverse=False):
        T, N, _ = x.shape
        H = w_hh.shape[1]
        self.x, self.w_ih, self.w_hh, self.reverse = x, w_ih, w_hh, reverse
        self.has_bias = b_ih is not None
        scale = self._gate_scale(H, x.dtype)  # (G*H, 1) or None
        w_ih_s = w_ih * scale if scale is not None else w_ih
        # a C-ordered copy, always: BLAS is faster on it than on a view
        w_hh_s = w_hh * scale if scale is not None else np.array(w_hh, order="C")
        b_once = b_step = None
        if self.has_bias:
            b_once, b_step = self._split_bias(b_ih, b_hh)
            b_once = b_once[:, None] * (1 if scale is None else scale)
            if b_step is not None:
                b_step = b_step[:, None] * (1 if scale is None else scale[-len(b_step) :])
        y = np.empty((T, N, H), x.dtype)
        h_n = np.empty((N, H), x.dtype)
        c_n = np.empty((N, H), x.dtype) if self.has_cell else None
        self.parts = [_Part(rows) for rows in batch_parts(N)]

        def run(thread, p):
            self._forward_part(p, x, h0, c0, mask, (w_ih_s, w_hh_s, b_once, b_step))
            y[:, p.rows] = self._by_time(p.hs[1:]).transpose(0, 2, 1)
            if mask is not None:
                y[:, p.rows] *= mask[:, p.rows]
            h_n[p.rows] = p.hs[T].T
            if self.has_cell:
                c_n[p.rows] = p.cs[T].T

        parallel_map(run, self.parts)
        return (y, h_n, c_n) if self.has_cell else (y, h_n)

    def _forward_part(self, p, x, h0, c0, mask, weights):
        w_ih_s, w_hh_s, b_once, b_step = weights
        T, H = x.shape[0], w_hh_s.shape[1]
        xt = np.ascontiguousarray(x[:, p.rows].transpose(0, 2, 1))  # (T, I, n)
        n = xt.shape[2]
        p.acts = np.matmul(w_ih_s, xt)  # (T, G*H, n)
        if b_once is not None:
            p.acts += b_once
        p.hs = np.empty((T + 1, H, n), x.dtype)
        p.hs[0] = h0[p.rows].T
        if self.has_cell:
            p.cs = np.empty((T + 1, H, n), x.dtype)
            p.cs[0] = c0[p.rows].T
        if self.n_gates > 1:
            p.extra = np.empty((T, H, n), x.dtype)
        p.mask = None if mask is None else mask[:, p.rows].transpose(0, 2, 1)  # (T, 1, n)
        hw = np.empty((w_hh_s.shape[0], n), x.dtype)
        for k, t in enumerate(self._order(T)):
            np.matmul(w_hh_s, p.hs[k], out=hw)
            if b_step is not None:
                hw[-len(b_step) :] += b_step
            self._step(p, k, p.acts[t], hw)
            if p.mask is not None:  # padded columns keep their state
                pad = p.mask[t] == 0
                np.copyto(p.hs[k + 1], p.hs[k], where=pad)
                if self.has_cell:
                    np.copyto(p.cs[k + 1], p.cs[k], where=pad)

    def _gate_scale(self, H, dtype):
        """(G*H, 1) factors of the rows of W_ih x and W_hh h: 0.5 on sigmoid gates, or None."""
        if not self.sigmoid_gates:
            return None
        scale = np.ones((self.n_gates, H), dtype)
        scale[list(self.sigmoid_gates)] = 0.5
        return scale.reshape(-1, 1)

    def _order(self, T):
        return range(T - 1, -1, -1) if self.reverse else range(T)

    def _by_time(self, per_step):
        """An array indexed by step k, viewed as indexed by time t."""
        return per_step[::-1] if self.reverse else per_step

    def backward(self, dy, dh_n, dc_n=None):
        x = self.x
        dx = np.empty_like(x) if self.needs_input_grad[0] else None
        dh0 = np.empty_like(dh_n)
        dc0 = np.empty_like(dc_n) if self.has_cell else None

        def run(thread, p):
            dh, dc, partial = self._backward_part(p, dy, dh_n, dc_n, dx)
            dh0[p.rows] = dh.T
            if self.has_cell:
                dc0[p.rows] = dc.T
            return partial

        partials = parallel_map(run, self.parts)
        dw_ih, dw_hh, db_ih, db_hh = (None if p[0] is None else sum(p[1:], p[0])
                                      for p in zip(*partials))
        return dx, dh0, dc0, dw_ih, dw_hh, db_ih, db_hh

    def _backward_part(self, p, dy, dh_n, dc_n, dx):
        """One part's way back through time: (dh0, dc0) as (H, n), and its share of
        (dW_ih, dW_hh, db_ih, db_hh), None where not wanted. Fills dx[:, p.rows]."""
        T, GH, n = p.acts.shape
        dyt = np.ascontiguousarray(dy[:, p.rows].transpose(0, 2, 1))  # (T, H, n)
        self._prepare_backward(p)
        da_x = np.empty_like(p.acts)  # gradient of the input projection a_t ...
        # ... and of the recurrent projection W_hh h: the same array except in the GRU
        da_h = np.empty_like(p.acts) if self.n_gates == 3 else da_x
        dh = np.ascontiguousarray(dh_n[p.rows].T)
        dc = np.ascontiguousarray(dc_n[p.rows].T) if self.has_cell else None
        for k, t in reversed(list(enumerate(self._order(T)))):
            dh_new = dh + dyt[t]
            if p.mask is not None:  # a padded step passes the carried gradients straight on
                keep = p.mask[t]
                dh_new *= keep
                dh_skip = dh * (1 - keep)
                if self.has_cell:
                    dc, dc_skip = dc * keep, dc * (1 - keep)
            dh, dc = self._step_backward(p, t, k, dh_new, dc, da_x[t], da_h[t])
            if p.mask is not None:
                dh += dh_skip
                if self.has_cell:
                    dc += dc_skip
        # (G*H, T*n) with columns in (time, row) order, matching x[:, rows] as (T*n, I)
        flat_x = da_x.transpose(1, 0, 2).reshape(GH, T * n)
        flat_h = flat_x if da_h is da_x else da_h.transpose(1, 0, 2).reshape(GH, T * n)
        dw_ih = dw_hh = db_ih = db_hh = None
        if dx is not None:
            dx[:, p.rows] = (flat_x.T @ self.w_ih).reshape(T, n, -1)
        if self.needs_input_grad[3]:
            dw_ih = flat_x @ self.x[:, p.rows].reshape(T * n, -1)
        if self.needs_input_grad[4]:
            prev = self._by_time(p.hs[:T])  # the state entering time t, (T, H, n)
            dw_hh = flat_h @ prev.transpose(1, 0, 2).reshape(-1, T * n).T
        if self.has_bias:
            db_ih = flat_x.sum(axis=1)
            db_hh = flat_h.sum(axis=1)
        return dh, dc, (dw_ih, dw_hh, db_ih, db_hh)


class RNNTanhLayer(_Recurrence):
    """h = tanh(W_ih x + b_ih + W_hh h + b_hh)."""

    def _step(self, p, k, a, hw):
        a += hw
        np.tanh(a, out=a)
        p.hs[k + 1] = a

    def _prepare_backward(self, p):
        p.deriv = 1 - p.acts * p.acts

    def _step_backward(self, p, t, k, dh, dc, da_x, da_h):
        np.multiply(dh, p.deriv[t], out=da_x)
        return self.w_hh.T @ da_x, None


class RNNReluLayer(RNNTanhLayer):
    """h = relu(W_ih x + b_ih + W_hh h + b_hh)."""

    def _step(self, p, k, a, hw):
        a += hw
        np.maximum(a, 0, out=a)
        p.hs[k + 1] = a

    def _prepare_backward(self, p):
        p.deriv = (p.acts > 0).astype(p.acts.dtype)


class LSTMLayer(_Recurrence):
    """Gates (i, f, g, o): c = f c_prev + i g, h = o tanh(c); extra[k] keeps tanh(c)."""

    n_gates = 4
    has_cell = True
    sigmoid_gates = (0, 1, 3)

    def _step(self, p, k, a, hw):
        H = hw.shape[0] // 4
        a += hw
        np.tanh(a, out=a)  # g is tanh(z); i, f, o are tanh(z / 2) here ...
        _sigmoid_from_tanh_(a[: 2 * H])  # ... and sigmoid(z) after these two
        _sigmoid_from_tanh_(a[3 * H :])
        i, f, g, o = a[:H], a[H : 2 * H], a[2 * H : 3 * H], a[3 * H :]
        c = p.cs[k + 1]
        np.multiply(f, p.cs[k], out=c)
        c += i * g
        np.tanh(c, out=p.extra[k])
        np.multiply(o, p.extra[k], out=p.hs[k + 1])

    def _prepare_backward(self, p):
        # derivatives are computed step by step into these buffers: measured faster than whole
        # (T, 4H, n) arrays, which are fresh memory and fall out of cache
        p.deriv = np.empty_like(p.acts[0])
        p.dtanh_c = np.empty_like(p.extra[0])

    def _step_backward(self, p, t, k, dh, dc, da, da_h):
        H = dh.shape[0]
        act, deriv, dtanh_c, tanh_c = p.acts[t], p.deriv, p.dtanh_c, p.extra[k]
        i, f, g, o = act[:H], act[H : 2 * H], act[2 * H : 3 * H], act[3 * H :]
        np.subtract(1, act, out=deriv)
        deriv *= act  # sigmoid' of i, f, o ...
        dg = deriv[2 * H : 3 * H]
        np.multiply(g, g, out=dg)
        np.subtract(1, dg, out=dg)  # ... and tanh' of g
        np.multiply(tanh_c, tanh_c, out=dtanh_c)
        np.subtract(1, dtanh_c, out=dtanh_c)
        dc_total = dh * o
        dc_total *= dtanh_c
        dc_total += dc
        np.multiply(dc_total, g, out=da[:H])
        np.multiply(dc_total, p.cs[k], out=da[H : 2 * H])
        np.multiply(dc_total, i, out=da[2 * H : 3 * H])
        np.multiply(dh, tanh_c, out=da[3 * H :])
        da *= deriv
        dc_total *= f
        return self.w_hh.T @ da, dc_total


class GRULayer(_Recurrence):
    """Gates (r, z, n): n = tanh(a_n + r (W_hn h + b_hn)), h = (1 - z) n + z h_prev;
    extra[k] keeps W_hn h + b_hn."""

    n_gates = 3
    sigmoid_gates = (0, 1)

    def _split_bias(self, b_ih, b_hh):
        H = len(b_hh) // 3
        once = b_ih.copy()
        once[: 2 * H] += b_hh[: 2 * H]
        return once, b_hh[2 * H :]

    def _step(self, p, k, a, hw):
        H = hw.shape[0] // 3
        rz = a[: 2 * H]
        rz += hw[: 2 * H]
        _sigmoid_from_tanh_(np.tanh(rz, out=rz))
        r, z, n = a[:H], a[H : 2 * H], a[2 * H :]
        p.extra[k] = hw[2 * H :]
        n += r * p.extra[k]
        np.tanh(n, out=n)
        h = p.hs[k + 1]
        np.subtract(p.hs[k], n, out=h)
        h *= z
        h += n

    def _prepare_backward(self, p):
        T, H = p.acts.shape[0], p.extra.shape[1]
        r, z, n = p.acts[:, :H], p.acts[:, H : 2 * H], p.acts[:, 2 * H :]
        p.d_r = r * (1 - r)
        p.d_z = self._by_time(p.hs[:T]) - n  # dh/dz = h_prev - n ...
        p.d_z *= z * (1 - z)  # ... times sigmoid'
        p.d_n = (1 - z) * (1 - n * n)  # dh/dn times tanh'

    def _step_backward(self, p, t, k, dh, dc, da_x, da_h):
        H = dh.shape[0]
        r, z = p.acts[t, :H], p.acts[t, H : 2 * H]
        dan = np.multiply(dh, p.d_n[t], out=da_x[2 * H :])
        np.multiply(dan, p.extra[k], out=da_x[:H])
        da_x[:H] *= p.d_r[t]
        np.multiply(dh, p.d_z[t], out=da_x[H : 2 * H])
        da_h[: 2 * H] = da_x[: 2 * H]
        np.multiply(dan, r, out=da_h[2 * H :])
        dh_prev = self.w_hh.T @ da_h
        dh_prev += dh * z
        return dh_prev, None


LAYERS = {"RNN_TANH": RNNTanhLayer, "RNN_RELU": RNNReluLayer, "LSTM": LSTMLayer, "GRU": GRULayer}
