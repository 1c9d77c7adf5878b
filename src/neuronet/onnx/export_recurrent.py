"""Recurrent layers to ONNX RNN/LSTM/GRU nodes, and the sequence classifier of the zoo.

One node per layer of an nn.RNN/LSTM/GRU (both directions in one node when bidirectional).
ONNX takes time-major X (L, N, in) (a batch-first input is transposed first), W (D, G*H, in),
R (D, G*H, H), B (D, 2*G*H) = [bias_ih, bias_hh], and stacks the gates in its own order: the
LSTM's (i, o, f, c) and the GRU's (z, r, h) where torch has (i, f, g, o) and (r, z, n); the
blocks are reordered with the inverse of the mapping the loader uses (load_layers.py). A
GRU is written with linear_before_reset=1, which is torch's GRU. A layer's output Y
(L, D, N, H) becomes the next layer's (L, N, D*H) input; h_n stacks every layer's Y_h.
"""

import numpy as np

from neuronet import nn
from neuronet.models.rnn import SequenceClassifier
from neuronet.onnx.export_graph import Value, emitter, joined
from neuronet.onnx.export_layers import reshape, transpose, unsqueeze
from neuronet.onnx.load_layers import GRU_TO_TORCH, LSTM_TO_TORCH, reorder_gates
from neuronet.ops.shape import cat

_ONNX_OPS = {"RNN_TANH": "RNN", "RNN_RELU": "RNN", "LSTM": "LSTM", "GRU": "GRU"}
# ONNX's gate blocks taken from torch's: the inverse of the loader's torch-from-ONNX order
_TO_ONNX = {"RNN_TANH": (0,), "RNN_RELU": (0,), "LSTM": tuple(np.argsort(LSTM_TO_TORCH)),
            "GRU": tuple(np.argsort(GRU_TO_TORCH))}


def onnx_weights(module, k):
    """(W, R, B or None) of layer k in ONNX's layout and gate order."""
    suffixes = ("_l%d" % k, "_l%d_reverse" % k)[:2 if module.bidirectional else 1]

    def stacked(name):
        return np.stack([getattr(module, name + s).data for s in suffixes])

    order = _TO_ONNX[module.mode]
    W = reorder_gates(stacked("weight_ih"), order)
    R = reorder_gates(stacked("weight_hh"), order)
    if not module.bias:
        return W, R, None
    biases = [reorder_gates(stacked(name)[..., None], order)[..., 0]
              for name in ("bias_ih", "bias_hh")]
    return W, R, np.concatenate(biases, axis=1)


def _attributes(module):
    directions = 2 if module.bidirectional else 1
    attrs = dict(hidden_size=module.hidden_size,
                 direction="bidirectional" if module.bidirectional else "forward")
    if module.mode == "GRU":
        attrs["linear_before_reset"] = 1
    elif module.mode.startswith("RNN"):
        attrs["activations"] = ["Relu" if module.mode == "RNN_RELU" else "Tanh"] * directions
    return attrs


@emitter(nn.RNN, nn.LSTM, nn.GRU)
def _recurrent(g, module, x):
    """x: (N, L, in) batch-first or (L, N, in) -> (output, h_n) or (output, (h_n, c_n))."""
    if x.data.ndim != 3:
        raise g.unsupported(module, f"only batched inputs of 3 dimensions are exported, got "
                                    f"shape {tuple(x.data.shape)}")
    path = g.path(module) or "rnn"
    lstm = module.mode == "LSTM"
    outputs = ("Y", "Y_h", "Y_c") if lstm else ("Y", "Y_h")
    sequence = transpose(g, x.name, (1, 0, 2), f"{path}.time_major") if module.batch_first \
        else x.name
    finals = [[] for _ in outputs[1:]]
    for k in range(module.num_layers):
        W, R, B = onnx_weights(module, k)
        inputs = [sequence, g.initializer(W, f"{path}.l{k}.W"),
                  g.initializer(R, f"{path}.l{k}.R")]
        if B is not None:
            inputs.append(g.initializer(B, f"{path}.l{k}.B"))
        y, *states = g.node(_ONNX_OPS[module.mode], inputs, f"{path}.l{k}", outputs,
                            **_attributes(module))
        for final, state in zip(finals, states):
            final.append(state)
        joined = transpose(g, y, (0, 2, 1, 3), f"{path}.l{k}.Y_t")
        sequence = g.node("Reshape", [joined, g.ints([0, 0, -1], f"{path}.l{k}.shape")],
                          f"{path}.l{k}.out")
    if module.batch_first:
        sequence = transpose(g, sequence, (1, 0, 2), f"{path}.batch_major")
    states = [f[0] if len(f) == 1 else g.node("Concat", f, f"{path}.{name}", axis=0)
              for f, name in zip(finals, ("h_n", "c_n"))]
    y_data, h_data = module(x.data)
    if lstm:
        return Value(sequence, y_data), tuple(Value(s, d) for s, d in zip(states, h_data))
    return Value(sequence, y_data), Value(states[0], h_data)


@emitter(SequenceClassifier)
def _sequence_classifier(g, module, x):
    """fc of the top layer's final state(s): h_n[-D:] (D, N, H) -> (N, D*H)."""
    path = g.path(module)
    if x.data.ndim == 2:
        x = unsqueeze(g, x, 2, joined(path, "features"))
    _, h_n = g.module(module.rnn, x)
    h_n = h_n[0] if isinstance(h_n, tuple) else h_n
    D = 2 if module.rnn.bidirectional else 1
    layers, top = h_n.data.shape[0], joined(path, "top")
    sliced = g.node("Slice", [h_n.name, g.ints([layers - D], f"{top}.starts"),
                              g.ints([layers], f"{top}.ends"), g.ints([0], f"{top}.axes")], top)
    batch_major = transpose(g, sliced, (1, 0, 2), f"{top}.batch_major")
    data = cat([h_n.data[-2], h_n.data[-1]], dim=1) if D == 2 else h_n.data[-1]
    return g.module(module.fc, reshape(g, batch_major, [0, -1], joined(path, "last"), data))
