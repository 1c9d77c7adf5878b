"""Recurrent layers with PyTorch's names, shapes, gate order and defaults.

Sequence layers `RNN` (tanh or relu), `LSTM`, `GRU`, and the one-step cells `RNNCell`,
`LSTMCell`, `GRUCell`. Parameters per layer k and direction (suffix `_reverse` for the
backward one): weight_ih_l{k} (G*H, in), weight_hh_l{k} (G*H, H), bias_ih_l{k},
bias_hh_l{k} (G*H,), with G = 1 (RNN), 4 (LSTM: i, f, g, o) or 3 (GRU: r, z, n); a cell's
are weight_ih, weight_hh, bias_ih, bias_hh. All start uniform in (-1/sqrt(H), 1/sqrt(H)).
The math is in nn/functional/recurrent.py: one fused Function per layer and direction
(a cell is that Function over one step).

Truncated backpropagation through time: feed the returned state back in after `.detach()`
(`h = h.detach()`, or each of `(h, c)` for the LSTM) every k steps.
"""

import math
import warnings

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.nn import functional as F
from neuronet.nn import init
from neuronet.nn.functional.recurrent import LAYERS
from neuronet.nn.modules.module import Module
from neuronet.nn.parameter import Parameter
from neuronet.nn.utils.rnn import PackedSequence
from neuronet.ops.shape import cat, stack

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _rnn_mode(nonlinearity, layer):
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(
            f"{layer}: unknown nonlinearity {nonlinearity!r}; choose 'tanh' or 'relu'"
        )
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _check_size(value, name, layer, minimum=1):
    if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{layer}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


class _RecurrentParams(Module):
    """Creates and initializes the four tensors of one layer and direction (a shared helper
    of the cells and the sequence layers)."""

    def _add_weights(self, suffix, input_size, hidden_size, gates, bias, dtype):
        shapes = {"weight_ih": (gates * hidden_size, input_size),
                  "weight_hh": (gates * hidden_size, hidden_size)}
        if bias:
            shapes.update(bias_ih=(gates * hidden_size,), bias_hh=(gates * hidden_size,))
        for name, shape in shapes.items():
            self.register_parameter(name + suffix, Parameter(np.empty(shape, dtype)))
        if not bias:
            self.register_parameter("bias_ih" + suffix, None)
            self.register_parameter("bias_hh" + suffix, None)

    def reset_parameters(self):
        """Every weight and bias uniform in (-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _check_features(self, x, expected_shape):
        """ValueError unless x's last dim is input_size, TypeError unless dtypes agree."""
        if x.shape[-1] != self.input_size:
            raise ValueError(
                f"{self._describe()}: expected input of shape {expected_shape} with "
                f"input_size={self.input_size} features last, got {tuple(x.shape)}"
            )
        dtype = next(self.parameters()).dtype
        if x.dtype != dtype:
            raise TypeError(
                f"{self._describe()}: input has dtype {x.dtype}, the weights have {dtype}"
            )

    def _check_state(self, state, shape, name, dtype):
        if not isinstance(state, Tensor):
            raise TypeError(
                f"{self._describe()}: {name} must be a Tensor, got {type(state).__name__}"
            )
        if tuple(state.shape) != shape:
            raise ValueError(
                f"{self._describe()}: expected {name} of shape {shape}, got {tuple(state.shape)}"
            )
        if state.dtype != dtype:
            raise TypeError(
                f"{self._describe()}: {name} has dtype {state.dtype}, the input has {dtype}"
            )


class RNNBase(_RecurrentParams):
    """The sequence layers' shared code; `mode` is 'RNN_TANH', 'RNN_RELU', 'LSTM' or 'GRU'.

    Input: (L, N, H_in), (N, L, H_in) with batch_first, unbatched (L, H_in), or a
    PackedSequence (nn.utils.rnn). State h0 (and c0): (D * num_layers, N, H) or, unbatched,
    (D * num_layers, H); zeros when omitted. Returns output (L, N, D * H) (batch-first when
    asked; a PackedSequence for one) and h_n, or (h_n, c_n) for the LSTM, shaped like h0.
    """

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None):
        super().__init__()
        layer = type(self).__name__
        self.mode = mode
        self.input_size = _check_size(input_size, "input_size", layer, 0)
        self.hidden_size = _check_size(hidden_size, "hidden_size", layer)
        self.num_layers = _check_size(num_layers, "num_layers", layer)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)) or not (
            0 <= dropout <= 1
        ):
            raise ValueError(f"{layer}: dropout must be a number in [0, 1], got {dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(
                f"{layer}: dropout acts after every recurrent layer but the last, so non-zero "
                f"dropout expects num_layers greater than 1, got dropout={dropout} and "
                "num_layers=1", UserWarning, stacklevel=3)
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        self.dropout, self.bidirectional = float(dropout), bool(bidirectional)
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        D = 2 if self.bidirectional else 1
        for k in range(self.num_layers):
            for suffix in ("", "_reverse")[:D]:
                self._add_weights(f"_l{k}{suffix}", self.input_size if k == 0 else D * hidden_size,
                                  hidden_size, _GATES[mode], self.bias, dtype)
        self.reset_parameters()

    def _layer_weights(self, k, reverse):
        s = f"_l{k}" + ("_reverse" if reverse else "")
        names = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        return [getattr(self, name + s) for name in names]

    def _split_input(self, input):
        """(time-major x (L, N, H_in), mask or None, how to shape the output back)."""
        if isinstance(input, PackedSequence):
            return input.padded, input.mask(), "packed"
        self._check_input(input)
        if input.ndim not in (2, 3):
            raise ValueError(
                f"{self._describe()}: expected input of 3 dimensions (batched) or 2 "
                f"(unbatched), got shape {tuple(input.shape)}"
            )
        if input.ndim == 2:
            return input.unsqueeze(1), None, "unbatched"
        return (input.transpose(0, 1) if self.batch_first else input), None, "batched"

    def forward(self, input, hx=None):
        x, mask, kind = self._split_input(input)
        self._check_features(x, "(L, N, input_size)")
        states = self._initial_states(hx, x, kind == "unbatched")
        D = 2 if self.bidirectional else 1
        finals = []  # per layer and direction: (h_n,) or (h_n, c_n)
        for k in range(self.num_layers):
            if k > 0 and self.training and self.dropout > 0:
                x = F.dropout(x, self.dropout, training=True)
            outs = []
            for d in range(D):
                init_states = [s[k * D + d] if s is not None else None for s in states]
                y, *final = self._run_layer(x, init_states, k, d == 1, mask)
                outs.append(y)
                finals.append(final)
            x = outs[0] if D == 1 else cat(outs, dim=2)
        h_n = [stack([f[i] for f in finals], dim=0) for i in range(len(finals[0]))]
        if kind == "unbatched":
            x, h_n = x.squeeze(1), [h.squeeze(1) for h in h_n]
        elif kind == "packed":
            x = PackedSequence(x, input.lengths)
        elif self.batch_first:
            x = x.transpose(0, 1)
        return x, (tuple(h_n) if self.mode == "LSTM" else h_n[0])

    def _run_layer(self, x, init_states, k, reverse, mask):
        zeros = np.zeros((x.shape[1], self.hidden_size), x.dtype)
        h0 = zeros if init_states[0] is None else init_states[0]
        c0 = None
        if self.mode == "LSTM":
            c0 = zeros if init_states[1] is None else init_states[1]
        return LAYERS[self.mode].apply(x, h0, c0, *self._layer_weights(k, reverse),
                                       mask=mask, reverse=reverse)

    def _initial_states(self, hx, x, unbatched):
        """[h0] or [h0, c0] as (D * num_layers, N, H) tensors, or [None] / [None, None]."""
        n_states = 2 if self.mode == "LSTM" else 1
        if hx is None:
            return [None] * n_states
        names = ("h0", "c0")
        if self.mode == "LSTM":
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{self._describe()}: hx must be a tuple (h0, c0), got "
                                f"{type(hx).__name__}")
            hx = list(hx)
        else:
            hx = [hx]
        D = 2 if self.bidirectional else 1
        shape = (D * self.num_layers,) + (() if unbatched else (x.shape[1],)) + (self.hidden_size,)
        for name, state in zip(names, hx):
            self._check_state(state, shape, name, x.dtype)
        return [s.unsqueeze(1) for s in hx] if unbatched else hx

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        for name, default in (("num_layers", 1), ("bias", True), ("batch_first", False),
                              ("dropout", 0.0), ("bidirectional", False)):
            if getattr(self, name) != default:
                text += f", {name}={getattr(self, name)}"
        return text


class RNN(RNNBase):
    """Elman network: h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True,
                 batch_first=False, dropout=0.0, bidirectional=False, dtype=None):
        super().__init__(_rnn_mode(nonlinearity, "RNN"), input_size, hidden_size, num_layers,
                         bias, batch_first, dropout, bidirectional, dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """Long short-term memory: gates (i, f, g, o), c = f c + i g, h = o tanh(c).
    forward(input, (h0, c0)=None) -> output, (h_n, c_n)."""

    def __init__(self, *args, **kwargs):
        super().__init__("LSTM", *args, **kwargs)


class GRU(RNNBase):
    """Gated recurrent unit: gates (r, z, n), n = tanh(W_in x + b_in + r (W_hn h + b_hn)),
    h = (1 - z) n + z h."""

    def __init__(self, *args, **kwargs):
        super().__init__("GRU", *args, **kwargs)


class RNNCellBase(_RecurrentParams):
    """One time step. Input (N, H_in) or unbatched (H_in,); state (N, H) or (H,), zeros when
    omitted. Returns h' (RNN, GRU) or (h', c') (LSTM), shaped like the state."""

    def __init__(self, mode, input_size, hidden_size, bias=True, dtype=None):
        super().__init__()
        layer = type(self).__name__
        self.mode = mode
        self.input_size = _check_size(input_size, "input_size", layer, 0)
        self.hidden_size = _check_size(hidden_size, "hidden_size", layer)
        self.bias = bool(bias)
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        self._add_weights("", self.input_size, self.hidden_size, _GATES[mode], self.bias, dtype)
        self.reset_parameters()

    def forward(self, input, hx=None):
        self._check_input(input)
        expected = "(N, input_size) or (input_size,)"
        if input.ndim not in (1, 2):
            raise ValueError(
                f"{self._describe()}: expected input of shape {expected}, got {tuple(input.shape)}"
            )
        self._check_features(input, expected)
        unbatched = input.ndim == 1
        x = input.reshape(1, 1, -1) if unbatched else input.unsqueeze(0)
        shape = (x.shape[1], self.hidden_size)
        names = ("h0", "c0") if self.mode == "LSTM" else ("hx",)
        if hx is None:
            states = [np.zeros(shape, x.dtype)] * len(names)
        else:
            if self.mode == "LSTM" and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
                raise TypeError(f"{self._describe()}: hx must be a tuple (h, c), got "
                                f"{type(hx).__name__}")
            states = list(hx) if self.mode == "LSTM" else [hx]
            for name, s in zip(names, states):
                self._check_state(s, shape[1:] if unbatched else shape, name, x.dtype)
            states = [s.reshape(shape) for s in states]
        c0 = states[1] if self.mode == "LSTM" else None
        weights = [self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh]
        _, *final = LAYERS[self.mode].apply(x, states[0], c0, *weights)
        final = [f.reshape(-1) if unbatched else f for f in final]
        return tuple(final) if self.mode == "LSTM" else final[0]

    def extra_repr(self):
        text = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            text += ", bias=False"
        if self.mode == "RNN_RELU":
            text += ", nonlinearity='relu'"
        return text


class RNNCell(RNNCellBase):
    """h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh), act 'tanh' or 'relu'."""

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", dtype=None):
        super().__init__(_rnn_mode(nonlinearity, "RNNCell"), input_size, hidden_size, bias, dtype)
        self.nonlinearity = nonlinearity


class LSTMCell(RNNCellBase):
    """One LSTM step: forward(x, (h, c)=None) -> (h', c')."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, bias, dtype)


class GRUCell(RNNCellBase):
    """One GRU step: forward(x, h=None) -> h'."""

    def __init__(self, input_size, hidden_size, bias=True, dtype=None):
        super().__init__("GRU", input_size, hidden_size, bias, dtype)
