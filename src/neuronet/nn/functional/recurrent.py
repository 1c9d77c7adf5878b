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


def _sigmoid_(a):
    """Logistic sigmoid in place, as 0.5 + 0.5 tanh(a / 2): no overflow, three passes."""
    a *= 0.5
    np.tanh(a, out=a)
    a *= 0.5
    a += 0.5
    return a


class _Recurrence(Function):
    """Shared driver: projections, time loop, masking and the final GEMMs of the backward.

    Subclasses set `n_gates` and write `_step` (forward of one step from its pre-activations)
    and `_step_backward` (gradients of one step's pre-activations).

    Inputs: x (T, N, I), h0 (N, H), c0 (N, H) or None, w_ih (G*H, I), w_hh (G*H, H),
    b_ih, b_hh (G*H,) or None. Outputs: y (T, N, H), h_n (N, H) and, for the LSTM, c_n.
    """

    n_gates = 1
    has_cell = False

    def forward(self, x, h0, c0, w_ih, w_hh, b_ih, b_hh, mask=None, reverse=False):
        T, N, _ = x.shape
        H = w_hh.shape[1]
        self.x, self.w_ih, self.w_hh, self.mask, self.reverse = x, w_ih, w_hh, mask, reverse
        self.has_bias = b_ih is not None
        xw = x.reshape(T * N, -1) @ w_ih.T
        if b_ih is not None:
            xw += b_ih
        self.acts = xw.reshape(T, N, -1)  # overwritten step by step with the gate activations
        # states[t + 1] is the state after step t in processing order; states[0] = h0
        self.hs = np.empty((T + 1, N, H), x.dtype)
        self.hs[0] = h0
        if self.has_cell:
            self.cs = np.empty((T + 1, N, H), x.dtype)
            self.cs[0] = c0
        self.extra = np.empty((T, N, H), x.dtype)  # per-step value a cell's backward needs
        y = np.empty((T, N, H), x.dtype)
        for k, t in enumerate(self._order(T)):
            hw = self.hs[k] @ w_hh.T
            if b_hh is not None:
                hw += b_hh
            h = self._step(k, self.acts[t], hw)
            if mask is not None:
                m = mask[t]
                y[t] = h * m
                h = np.where(m > 0, h, self.hs[k])
                if self.has_cell:
                    self.cs[k + 1] = np.where(m > 0, self.cs[k + 1], self.cs[k])
            else:
                y[t] = h
            self.hs[k + 1] = h
        outs = (y, self.hs[T].copy())
        return outs + (self.cs[T].copy(),) if self.has_cell else outs

    def _order(self, T):
        return range(T - 1, -1, -1) if self.reverse else range(T)

    def backward(self, dy, dh_n, dc_n=None):
        x, mask = self.x, self.mask
        T, N, _ = x.shape
        G = self.acts.shape[2]
        da_x = np.empty((T, N, G), x.dtype)  # gradient of the input projection xw[t]
        # ... and of the recurrent projection hw[t]: the same array except in the GRU
        da_h = np.empty((T, N, G), x.dtype) if self.n_gates == 3 else da_x
        dh = dh_n.copy()
        dc = dc_n.copy() if self.has_cell else None
        for k, t in reversed(list(enumerate(self._order(T)))):
            dh_new = dh + dy[t]
            if mask is not None:
                m = mask[t]
                dh_new *= m
                dh_skip = dh * (1 - m)
                if self.has_cell:
                    dc_skip = dc * (1 - m)
                    dc = dc * m
            dh, dc = self._step_backward(k, self.acts[t], dh_new, dc, da_x[t], da_h[t])
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
            # the hidden state entering step k is hs[k], stored in processing order
            prev = self.hs[:T] if not self.reverse else self.hs[:T][::-1]
            dw_hh = flat_h.T @ np.ascontiguousarray(prev).reshape(T * N, -1)
        if self.has_bias:
            db_ih = flat_x.sum(axis=0)
            db_hh = flat_h.sum(axis=0)
        return dx, dh, dc, dw_ih, dw_hh, db_ih, db_hh


class RNNTanhLayer(_Recurrence):
    """h = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def _step(self, k, a, hw):
        a += hw
        return np.tanh(a, out=a)

    def _step_backward(self, k, act, dh, dc, da_x, da_h):
        np.multiply(dh, 1 - act * act, out=da_x)
        return da_x @ self.w_hh, None


class RNNReluLayer(_Recurrence):
    """h = relu(x W_ih^T + b_ih + h W_hh^T + b_hh)."""

    def _step(self, k, a, hw):
        a += hw
        return np.maximum(a, 0, out=a)

    def _step_backward(self, k, act, dh, dc, da_x, da_h):
        np.multiply(dh, act > 0, out=da_x)
        return da_x @ self.w_hh, None


class LSTMLayer(_Recurrence):
    """Gates (i, f, g, o): c = f c_prev + i g, h = o tanh(c); extra[k] keeps tanh(c)."""

    n_gates = 4
    has_cell = True

    def _step(self, k, a, hw):
        H = hw.shape[1] // 4
        a += hw
        _sigmoid_(a[:, : 2 * H])
        np.tanh(a[:, 2 * H : 3 * H], out=a[:, 2 * H : 3 * H])
        _sigmoid_(a[:, 3 * H :])
        i, f, g, o = a[:, :H], a[:, H : 2 * H], a[:, 2 * H : 3 * H], a[:, 3 * H :]
        c = f * self.cs[k]
        c += i * g
        self.cs[k + 1] = c
        tc = np.tanh(c, out=self.extra[k])
        return o * tc

    def _step_backward(self, k, act, dh, dc, da, da_h):
        H = dh.shape[1]
        i, f, g, o = act[:, :H], act[:, H : 2 * H], act[:, 2 * H : 3 * H], act[:, 3 * H :]
        tc = self.extra[k]
        dc = dc + dh * o * (1 - tc * tc)
        np.multiply(dh * tc, o * (1 - o), out=da[:, 3 * H :])
        np.multiply(dc * g, i * (1 - i), out=da[:, :H])
        np.multiply(dc * self.cs[k], f * (1 - f), out=da[:, H : 2 * H])
        np.multiply(dc * i, 1 - g * g, out=da[:, 2 * H : 3 * H])
        return da @ self.w_hh, dc * f


class GRULayer(_Recurrence):
    """Gates (r, z, n): n = tanh(a_n + r (W_hn h + b_hn)), h = (1 - z) n + z h_prev;
    extra[k] keeps W_hn h + b_hn."""

    n_gates = 3

    def _step(self, k, a, hw):
        H = hw.shape[1] // 3
        a[:, : 2 * H] += hw[:, : 2 * H]
        _sigmoid_(a[:, : 2 * H])
        r, z, n = a[:, :H], a[:, H : 2 * H], a[:, 2 * H :]
        self.extra[k] = hw[:, 2 * H :]
        n += r * self.extra[k]
        np.tanh(n, out=n)
        h = self.hs[k] - n
        h *= z
        h += n
        return h

    def _step_backward(self, k, act, dh, dc, da_x, da_h):
        H = dh.shape[1]
        r, z, n = act[:, :H], act[:, H : 2 * H], act[:, 2 * H :]
        dn = dh * (1 - z)
        dn *= 1 - n * n
        da_x[:, 2 * H :] = dn
        np.multiply(dn * self.extra[k], r * (1 - r), out=da_x[:, :H])
        np.multiply(dh * (self.hs[k] - n), z * (1 - z), out=da_x[:, H : 2 * H])
        da_h[:, : 2 * H] = da_x[:, : 2 * H]
        np.multiply(dn, r, out=da_h[:, 2 * H :])
        return da_h @ self.w_hh + dh * z, None


LAYERS = {"RNN_TANH": RNNTanhLayer, "RNN_RELU": RNNReluLayer, "LSTM": LSTMLayer, "GRU": GRULayer}
