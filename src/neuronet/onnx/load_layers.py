"""ONNX nodes with weights, turned into neuronet's own layers so that the imported model trains.

    layer = build_layer(node, input_names, initializers, ranks)   # Layer or None
    outputs = layer.run(layer.module, node, input_values)

Gemm -> Linear (the usual transB=1, alpha=beta=1 form), Conv -> Conv1d/Conv2d, ConvTranspose
-> ConvTranspose1d/2d, BatchNormalization -> BatchNorm1d/2d (ONNX momentum m is torch's
1 - m), LayerNormalization -> LayerNorm, RNN/LSTM/GRU -> nn.RNN/LSTM/GRU (one layer, forward
or bidirectional; an RNN's activations Tanh or Relu) with the gate blocks put back in torch's
order: ONNX stacks the LSTM's gates as (i, o, f, c) and the GRU's as (z, r, h), torch as
(i, f, g, o) and (r, z, n); ONNX's bias B is [Wb, Rb] = [bias_ih, bias_hh]. Dropout ->
nn.Dropout (active in train(), as in torch). The initializers a layer
takes become its parameters and buffers (copied); `owned` maps each initializer's name to
the layer's attribute, so the model can name the layer as torch did ('layer1.0.conv1').
"""

from dataclasses import dataclass

import numpy as np

from neuronet import nn
from neuronet.onnx.onnx_ops import as_tensor, pool_geometry

LSTM_TO_TORCH = (0, 2, 3, 1)  # torch's (i, f, g, o) taken from ONNX's (i, o, f, c)
GRU_TO_TORCH = (1, 0, 2)  # torch's (r, z, n) taken from ONNX's (z, r, h)
_GATES = {"LSTM": (4, LSTM_TO_TORCH), "GRU": (3, GRU_TO_TORCH), "RNN": (1, (0,))}


@dataclass
class Layer:
    """module: the neuronet layer; owned: initializer name -> attribute of the module;
    run(module, node, inputs) -> the node's outputs (inputs: all of them, in order)."""

    module: nn.Module
    owned: dict
    run: object


def _initializer(node, names, index, initializers, what, optional=False):
    """The float initializer at input `index`, or a ValueError naming the node."""
    name = names[index] if index < len(names) else ""
    if not name:
        if optional:
            return None
        raise node.error(f"{what} (input {index}) is missing")
    if name not in initializers:
        raise node.error(f"{what} (input {index}, {name!r}) must be a float initializer; "
                         "weights computed inside the graph are not supported")
    return initializers[name]


def _shape_error(node, what, array, expected):
    return node.error(f"{what} must have shape {expected}, got {tuple(array.shape)}")


def _copy(target, array):
    target.data[...] = array


def _on_first_input(module, node, inputs):
    return module(as_tensor(inputs[0]))


def _with_weights(layer, names, weight, bias, run=_on_first_input):
    """The Layer of `layer`, its weight and bias (or None) copied from the node's inputs 1
    and 2."""
    _copy(layer.weight, weight)
    owned = {names[1]: "weight"}
    if bias is not None:
        _copy(layer.bias, bias)
        owned[names[2]] = "bias"
    return Layer(layer, owned, run)


def _linear(node, names, initializers, ranks):
    attrs = node.attrs
    if (attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0
            or attrs.get("beta", 1.0) != 1.0 or names[1] not in initializers):
        return None  # the general Gemm is evaluated as an op
    weight = initializers[names[1]]
    if weight.ndim != 2:
        raise _shape_error(node, "B", weight, "(K, M)")
    weight = weight if attrs.get("transB", 0) else weight.T
    bias = _initializer(node, names, 2, initializers, "C", optional=True)
    if bias is not None and bias.size != weight.shape[0]:
        return None  # a C broadcast over rows as well: not a Linear bias
    layer = nn.Linear(weight.shape[1], weight.shape[0], bias=bias is not None, dtype=weight.dtype)

    def run(module, node, inputs):
        x = as_tensor(inputs[0])
        if x.ndim != 2:
            raise node.error(f"expected A of 2 dimensions, got shape {tuple(x.shape)}")
        return module(x)
    return _with_weights(layer, names, weight, None if bias is None else bias.reshape(-1), run)


def _conv(node, names, initializers, ranks):
    weight = _initializer(node, names, 1, initializers, "W")
    bias = _initializer(node, names, 2, initializers, "B", optional=True)
    transposed = node.op_type == "ConvTranspose"
    if weight.ndim not in (3, 4):
        raise node.error(f"only 1-D and 2-D convolutions are supported: W must have 3 or 4 "
                         f"dimensions, got shape {tuple(weight.shape)}")
    spatial = weight.ndim - 2
    kernel = list(weight.shape[2:])
    if node.attrs.get("kernel_shape", kernel) != kernel:
        raise node.error(f"kernel_shape {node.attrs['kernel_shape']} does not match W of "
                         f"shape {tuple(weight.shape)}")
    _, strides, pads, dilations = pool_geometry(node, spatial)
    groups = node.attrs.get("group", 1)
    if groups < 1 or weight.shape[0] % groups:
        raise node.error(f"group {groups} must divide W's first dimension {weight.shape[0]}")
    if transposed:
        if "output_shape" in node.attrs:
            raise node.error("the output_shape attribute is not supported (use pads)")
        in_channels, out_channels = weight.shape[0], weight.shape[1] * groups
        cls = nn.ConvTranspose1d if spatial == 1 else nn.ConvTranspose2d
        extra = dict(output_padding=tuple(node.attrs.get("output_padding", [0] * spatial)))
    else:
        in_channels, out_channels = weight.shape[1] * groups, weight.shape[0]
        cls = nn.Conv1d if spatial == 1 else nn.Conv2d
        extra = {}
    if bias is not None and bias.shape != (out_channels,):
        raise _shape_error(node, "B", bias, (out_channels,))
    layer = cls(in_channels, out_channels, tuple(kernel), stride=tuple(strides),
                padding=tuple(pads), dilation=tuple(dilations), groups=groups,
                bias=bias is not None, dtype=weight.dtype, **extra)
    return _with_weights(layer, names, weight, bias)


def _batch_norm(node, names, initializers, ranks):
    parts = ("weight", "bias", "running_mean", "running_var")
    arrays = [_initializer(node, names, i + 1, initializers, what)
              for i, what in enumerate(("scale", "B", "input_mean", "input_var"))]
    channels = arrays[0].shape[0] if arrays[0].ndim == 1 else -1
    for what, array in zip(("scale", "B", "input_mean", "input_var"), arrays):
        if array.shape != (channels,):
            raise _shape_error(node, what, array, f"(C,) with C = {arrays[0].shape}")
    rank = ranks.get(names[0])
    cls = nn.BatchNorm1d if rank in (2, 3) else nn.BatchNorm2d
    # attributes are float32 (0.9 arrives as 0.89999998): round to its 7 significant digits
    eps, momentum = (float(f"{v:.7g}") for v in (node.attrs.get("epsilon", 1e-5),
                                                  1.0 - node.attrs.get("momentum", 0.9)))
    layer = cls(channels, eps=eps, momentum=momentum, dtype=arrays[0].dtype)
    for part, array in zip(parts, arrays):
        _copy(getattr(layer, part), array)
    owned = {name: part for name, part in zip(names[1:5], parts)}
    return Layer(layer, owned, _on_first_input)


def _layer_norm(node, names, initializers, ranks):
    """nn.LayerNorm over the axes from `axis` on, which Scale (and B) must cover exactly
    (no broadcasting). stash_type, the precision of the statistics, is not followed: ours
    are computed in the input's dtype."""
    scale = _initializer(node, names, 1, initializers, "Scale")
    bias = _initializer(node, names, 2, initializers, "B", optional=True)
    axis, rank = node.attrs.get("axis", -1), ranks.get(names[0])
    if axis >= 0 and rank is None:
        raise node.error(f"axis {axis} counts from the front of an input whose number of "
                         "dimensions shape inference does not know")
    count = -axis if axis < 0 else rank - axis
    if scale.ndim != count:
        raise _shape_error(node, "Scale", scale, f"the {count} normalized axes from axis {axis}")
    if bias is not None and bias.shape != scale.shape:
        raise _shape_error(node, "B", bias, tuple(scale.shape))
    eps = float(f"{node.attrs.get('epsilon', 1e-5):.7g}")  # a float32 attribute, as above
    layer = nn.LayerNorm(scale.shape, eps=eps, bias=bias is not None, dtype=scale.dtype)
    return _with_weights(layer, names, scale, bias)


def _dropout(node, names, initializers, ranks):
    ratio = node.attrs.get("ratio", 0.5)
    if len(names) > 1 and names[1]:
        if names[1] not in initializers:
            raise node.error("ratio must be an initializer")
        ratio = float(initializers[names[1]].reshape(-1)[0])
    return Layer(nn.Dropout(ratio), {}, _on_first_input)


def reorder_gates(array, order):
    """(D, G * H, ...) with ONNX's gate blocks -> the same with torch's order of blocks."""
    blocks = np.split(array, len(order), axis=1)
    return np.concatenate([blocks[i] for i in order], axis=1)


_ACTIVATIONS = {"LSTM": (("Sigmoid", "Tanh", "Tanh"),), "GRU": (("Sigmoid", "Tanh"),),
                "RNN": (("Tanh",), ("Relu",))}  # the activations neuronet's layers have


def _check_recurrent_attrs(node, directions):
    """The node's activations (one direction's), when neuronet's layer has them."""
    attrs = node.attrs
    choices = [list(a) * directions for a in _ACTIVATIONS[node.op_type]]
    activations = attrs.get("activations", choices[0])
    if activations not in choices:
        raise node.error(f"activations {activations} are not supported (only "
                         f"{' or '.join(map(str, choices))})")
    for name, allowed in (("clip", None), ("input_forget", 0), ("layout", 0)):
        if attrs.get(name, allowed) != allowed:
            raise node.error(f"attribute {name}={attrs[name]} is not supported")
    if node.op_type == "GRU" and attrs.get("linear_before_reset", 0) != 1:
        raise node.error("linear_before_reset=0 is not supported: torch's GRU (and ours) "
                         "applies the reset gate after the recurrent product "
                         "(linear_before_reset=1)")
    return activations[:len(activations) // directions]


def _recurrent(node, names, initializers, ranks):
    lstm = node.op_type == "LSTM"
    gates, order = _GATES[node.op_type]
    direction = node.attrs.get("direction", "forward")
    if direction not in ("forward", "bidirectional"):
        raise node.error(f"direction {direction!r} is not supported (forward or bidirectional)")
    directions = 2 if direction == "bidirectional" else 1
    activations = _check_recurrent_attrs(node, directions)
    for index, what in ((4, "sequence_lens"), (7, "P (peepholes)")):
        if index < len(names) and names[index]:
            raise node.error(f"input {what} is not supported")
    W = _initializer(node, names, 1, initializers, "W")
    R = _initializer(node, names, 2, initializers, "R")
    B = _initializer(node, names, 3, initializers, "B", optional=True)
    hidden = node.attrs.get("hidden_size", R.shape[-1] if R.ndim == 3 else -1)
    if W.ndim != 3 or W.shape[:2] != (directions, gates * hidden):
        raise _shape_error(node, "W", W, f"({directions}, {gates * hidden}, input_size)")
    if R.shape != (directions, gates * hidden, hidden):
        raise _shape_error(node, "R", R, (directions, gates * hidden, hidden))
    if B is not None and B.shape != (directions, 2 * gates * hidden):
        raise _shape_error(node, "B", B, (directions, 2 * gates * hidden))
    options = dict(bias=B is not None, bidirectional=directions == 2, dtype=W.dtype)
    if node.op_type == "RNN":
        options["nonlinearity"] = activations[0].lower()
    layer = getattr(nn, node.op_type)(W.shape[2], hidden, **options)
    W, R = reorder_gates(W, order), reorder_gates(R, order)
    if B is not None:
        bias_ih, bias_hh = (reorder_gates(b[..., None], order)[..., 0]
                            for b in np.split(B, 2, axis=1))
    for d, suffix in enumerate(("_l0", "_l0_reverse")[:directions]):
        _copy(getattr(layer, "weight_ih" + suffix), W[d])
        _copy(getattr(layer, "weight_hh" + suffix), R[d])
        if B is not None:
            _copy(getattr(layer, "bias_ih" + suffix), bias_ih[d])
            _copy(getattr(layer, "bias_hh" + suffix), bias_hh[d])
    owned = {name: what for name, what in zip(names[1:4], "WRB") if name}

    def run(module, node, inputs):
        x = as_tensor(inputs[0])
        if x.ndim != 3:
            raise node.error(f"expected X of shape (seq_length, batch, input_size), got "
                             f"{tuple(x.shape)}")
        given = [inputs[i] if i < len(inputs) else None for i in ((5, 6) if lstm else (5,))]
        hx = None
        if any(s is not None for s in given):
            zeros = np.zeros((directions, x.shape[1], hidden), x.dtype)
            states = [as_tensor(zeros if s is None else s) for s in given]
            hx = tuple(states) if lstm else states[0]
        y, h_n = module(x, hx)
        finals = list(h_n) if lstm else [h_n]
        y = y.reshape(x.shape[0], x.shape[1], directions, hidden).permute(0, 2, 1, 3)
        return (y, *finals)
    return Layer(layer, owned, run)


BUILDERS = {
    "Gemm": _linear,
    "Conv": _conv,
    "ConvTranspose": _conv,
    "BatchNormalization": _batch_norm,
    "Dropout": _dropout,
    "LSTM": _recurrent,
    "GRU": _recurrent,
    "RNN": _recurrent,
    "LayerNormalization": _layer_norm,
}


def build_layer(node, names, initializers, ranks):
    """The Layer for a node with weights, or None when the node is evaluated as a plain op.

    names: the node's input names; initializers: float initializer name -> array; ranks:
    value name -> number of dimensions, where shape inference knows it.
    """
    builder = BUILDERS.get(node.op_type)
    return None if builder is None else builder(node, names, initializers, ranks)

