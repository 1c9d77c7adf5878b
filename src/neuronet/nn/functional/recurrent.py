"""Recurrent layers over a whole sequence, one direction at a time, with a hand-derived
backward through time.

Each layer is one `Function` whose forward runs all time steps:

    xw = x @ W_ih.T + b_ih                     one GEMM for every step at once
    for t: a_t = xw[t] + h @ W_hh.T + b_hh     one GEMM per step for the recurrence
           h, c = cell(a_t, h, c)

and whose backward walks the steps in reverse, collecting the gate gradients of every step
in one array, so that dW_ih, dW_hh and dx are again single GEMMs over all steps. Gate
layouts follow PyTorch: RNN one block, LSTM (i, f, g, o), GRU (r, z, n) with
n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

Variable lengths: `mask` (T, N, 1), 1 where step t of sequence n is real and 0 on padding.
On a padded step the state is carried through unchanged and the output is 0, so the final
state of sequence n is its state after its last real step, in either direction (in reverse
the padded tail comes first and leaves the initial state untouched): exactly what running
each sequence alone gives.
"""

import numpy as np

from neuronet.autograd.function import Function


def _sigmoid_from_tanh_(a):
    """sigmoid(z) in place from a = tanh(z / 2), as 0.5 + 0.5 tanh(z / 2): no overflow. The
    halving z / 2 is folded into the weights (see `_Recurrence.sigmoid_gates`)."""
    a *= 0.5
    a += 0.5
    return a


class _Recurrence(Function):
    """Shared driver: projections, time loop, masking and the final GEMMs of the backward.

    A subclass sets `n_gates` and writes `_step` (one step forward, from its pre-activations
    to hs[k + 1]), `_prepare_backward` (the gate derivatives of all steps at once, as a few
    whole-array operations, or buffers to compute them step by step) and `_step_backward`
    (one step's pre-activation gradients).
    Step k of the loop handles time t (t = k forward, t = T - 1 - k in reverse).

    Inputs: x (T, N, I), h0 (N, H), c0 (N, H) or None, w_ih (G*H, I), w_hh (G*H, H),
    b_ih, b_hh (G*H,) or None. Outputs: y (T, N, H), h_n (N, H) and, for the LSTM, c_n.
    """

    n_gates = 1
    has_cell = False
    # gate blocks that go through a sigmoid: their rows of W_ih, W_hh and the biases are halved
    # for the forward, so that one tanh gives sigmoid(z) = 0.5 + 0.5 tanh(z / 2) (measured: NumPy's
    # tanh is several times faster on a whole contiguous (N, G*H) block than on column slices)
    sigmoid_gates = ()

    def _split_bias(self, b_ih, b_hh):
        """(bias added to x W_ih^T once, bias added to h W_hh^T at every step or None): all of
        b_hh folds into the input projection except where a gate multiplies it (GRU)."""
        return b_ih + b_hh, None

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mask=None, reverse=False):
        T, N, _ = x.shape
        H = w_hh.shape[1]
        self.x, self.w_ih, self.w_hh, self.mask, self.reverse = x, w_ih, w_hh, mask, reverse
        self.has_bias = b_ih is not None
        scale = self._gate_scale(H, x.dtype)
        xw = x.reshape(T * N, -1) @ (w_ih.T if scale is None else w_ih.T * scale)
        b_step = None
        if self.has_bias:
            b_once, b_step = self._split_bias(b_ih, b_hh)
            xw += b_once if scale is None else b_once * scale
            if b_step is not None and scale is not None:
                b_step = b_step * scale[-len(b_step) :]
        self.acts = xw.reshape(T, N, -1)  # overwritten step by step with the gate activations
        # hs[k + 1] is the state after step k (processing order); hs[0] = h0; same for cs
        self.hs = np.empty((T + 1, N, H), x.dtype)
        self.hs[0] = h0
        if self.has_cell:
            self.cs = np.empty((T + 1, N, H), x.dtype)
            self.cs[0] = c0
        self.extra = np.empty((T, N, H), x.dtype)  # per-step value a cell's backward needs
        hw = np.empty((N, w_hh.shape[0]), x.dtype)
        # a C-ordered copy, always (it is scaled in place): BLAS is faster on it than on a view
        w_hh_t = np.array(w_hh.T, order="C")
        if scale is not None:
            w_hh_t *= scale
        for k, t in enumerate(self._order(T)):
            np.matmul(self.hs[k], w_hh_t, out=hw)
            if b_step is not None:
                hw[:, -len(b_step) :] += b_step
            self._step(k, self.acts[t], hw)
            if mask is not None:  # padded rows keep their state
                pad = mask[t] == 0
                np.copyto(self.hs[k + 1], self.hs[k], where=pad)
                if self.has_cell:
                    np.copyto(self.cs[k + 1], self.cs[k], where=pad)
        states = self._by_time(self.hs[1:])
        y = states * mask if mask is not None else states.copy()
        outs = (y, self.hs[T].copy())
        return outs + (self.cs[T].copy(),) if self.has_cell else outs

    def _gate_scale(self, H, dtype):
        """(G*H,) factors of the columns of x W_ih^T and h W_hh^T: 0.5 on sigmoid gates, or None."""
        if not self.sigmoid_gates:
            return None
        scale = np.ones((self.n_gates, H), dtype)
        scale[list(self.sigmoid_gates)] = 0.5
        return scale.reshape(-1)

    def _order(self, T):
        return range(T - 1, -1, -1) if self.reverse else range(T)

    def _by_time(self, per_step):
        """An array indexed by step k, viewed as indexed by time t."""
        return per_step[::-1] if self.reverse else per_step

    def backward(self, dy, dh_n, dc_n=None):
        x, mask = self.x, self.mask
        T, N, _ = x.shape
        G = self.acts.shape[2]
        self._prepare_backward()
        da_x = np.empty((T, N, G), x.dtype)  # gradient of the input projection xw[t]
        # ... and of the recurrent projection hw[t]: the same array except in the GRU
        da_h = np.empty((T, N, G), x.dtype) if self.n_gates == 3 else da_x
        dh, dc = dh_n, dc_n
        for k, t in reversed(list(enumerate(self._order(T)))):
            dh_new = dh + dy[t]
            if mask is not None:  # a padded step passes the carried gradients straight on
                keep = mask[t]
                dh_new *= keep
                dh_skip = dh * (1 - keep)
                if self.has_cell:
                    dc, dc_skip = dc * keep, dc * (1 - keep)
            dh, dc = self._step_backward(t, k, dh_new, dc, da_x[t], da_h[t])
            if mask is not None:
                dh += dh_skip
                if self.has_cell:
                    dc += dc_skip
        dx = dw_ih = dw_hh = db_ih = db_hh = None
        flat_x = da_x.reshape(T * N, G)
        flat_h = da_h.reshape(T * N, G)
        if self.needs_input_grad[0]:
            dx = (flat_x @ self.w_ih).reshape(x.shape)
        if self.needs_input_grad[3]:
            dw_ih = flat_x.T @ x.reshape(T * N, -1)
        if self.needs_input_grad[4]:
            prev = np.ascontiguousarray(self._by_time(self.hs[:T]))  # state entering time t
            dw_hh = flat_h.T @ prev.reshape(T * N, -1)
        if self.has_bias:
            db_ih = flat_x.sum(axis=0)
            db_hh = flat_h.sum(axis=0)
        return dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh


class RNNTanhLayer(_Recurrence):
    """h = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def _step(self, k, a, hw):
        a += hw
        np.tanh(a, out=a)
        self.hs[k + 1] = a

    def _prepare_backward(self):
        self.deriv = 1 - self.acts * self.acts

    def _step_backward(self, t, k, dh, dc, da_x, da_h):
        np.multiply(dh, self.deriv[t], out=da_x)
        return da_x @ self.w_hh, None


class RNNReluLayer(RNNTanhLayer):
    """h = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def _step(self, k, a, hw):
        a += hw
        np.maximum(a, 0, out=a)
        self.hs[k + 1] = a

    def _prepare_backward(self):
        self.deriv = (self.acts > 0).astype(self.acts.dtype)


class LSTMLayer(_Recurrence):
    """Gates (i, f, g, o): c = f c_prev + i g, h = o tanh(c); extra[k] keeps tanh(c)."""

    n_gates = 4
    has_cell = True
    sigmoid_gates = (0, 1, 3)

    def _step(self, k, a, hw):
        H = hw.shape[1] // 4
        a += hw
        np.tanh(a, out=a)  # g is tanh(z); i, f, o are tanh(z / 2) here ...
        _sigmoid_from_tanh_(a[:, : 2 * H])  # ... and sigmoid(z) after these two
        _sigmoid_from_tanh_(a[:, 3 * H :])
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        c = self.cs[k + 1]
        np.multiply(f, self.cs[k], out=c)
        c += i * g
        np.tanh(c, out=self.extra[k])
        np.multiply(o, self.extra[k], out=self.hs[k + 1])

    def _prepare_backward(self):
        # derivatives are computed step by step into these buffers: measured faster than whole
        # (T, N, 4H) arrays, which are fresh memory and fall out of cache
        self.deriv = np.empty_like(self.acts[0])
        self.dtanh_c = np.empty_like(self.extra[0])

    def _step_backward(self, t, k, dh, dc, da, da_h):
        H = dh.shape[1]
        act, deriv, dtanh_c = self.acts[t], self.deriv, self.dtanh_c
        i, f, g, o = act[:, :H], act[:, H : 2 * H], act[:, 2 * H : 3 * H], act[:, 3 * H :]
        np.subtract(1, act, out=deriv)
        deriv *= act  # sigmoid' of i, f, o ...
        dg = deriv[:, 2 * H : 3 * H]
        np.multiply(g, g, out=dg)
        np.subtract(1, dg, out=dg)  # ... and tanh' of g
        np.multiply(self.extra[k], self.extra[k], out=dtanh_c)
        np.subtract(1, dtanh_c, out=dtanh_c)
        dc_total = dh * o
        dc_total *= dtanh_c
        dc_total += dc
        np.multiply(dc_total, g, out=da[:, :H])
        np.multiply(dc_total, self.cs[k], out=da[:, H : 2 * H])
        np.multiply(dc_total, i, out=da[:, 2 * H : 3 * H])
        np.multiply(dh, self.extra[k], out=da[:, 3 * H :])
        da *= deriv
        dc_total *= f
        return da @ self.w_hh, dc_total


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

    def _step(self, k, a, hw):
        H = hw.shape[1] // 3
        a[:, : 2 * H] += hw[:, : 2 * H]
        _sigmoid_from_tanh_(np.tanh(a[:, : 2 * H], out=a[:, : 2 * H]))
        r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
        self.extra[k] = hw[:, 2 * H :]
        n += r * self.extra[k]
        np.tanh(n, out=n)
        h = self.hs[k + 1]
        np.subtract(self.hs[k], n, out=h)
        h *= z
        h += n

    def _prepare_backward(self):
        H = self.extra.shape[2]
        r, z, n = self.acts[..., :H], self.acts[..., H : 2 * H], self.acts[..., 2 * H :]
        T = self.acts.shape[0]
        self.d_r = r * (1 - r)
        self.d_z = self._by_time(self.hs[:T]) - n  # dh/dz = h_prev - n ...
        self.d_z *= z * (1 - z)  # ... times sigmoid'
        self.d_n = (1 - z) * (1 - n * n)  # dh/dn times tanh'

    def _step_backward(self, t, k, dh, dc, da_x, da_h):
        H = dh.shape[1]
        r, z = self.acts[t, :, :H], self.acts[t, :, H : 2 * H]
        dan = np.multiply(dh, self.d_n[t], out=da_x[:, 2 * H :])
        np.multiply(dan, self.extra[k], out=da_x[:, :H])
        da_x[:, :H] *= self.d_r[t]
        np.multiply(dh, self.d_z[t], out=da_x[:, H : 2 * H])
        da_h[:, : 2 * H] = da_x[:, : 2 * H]
        np.multiply(dan, r, out=da_h[:, 2 * H :])
        dh_prev = da_h @ self.w_hh
        dh_prev += dh * z
        return dh_prev, None


LAYERS = {"RNN_TANH": RNNTanhLayer, "RNN_RELU": RNNReluLayer, "LSTM": LSTMLayer, "GRU": GRULayer}
