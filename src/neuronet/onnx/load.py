"""`load(path)`: an .onnx graph as a trainable neuronet Module.

    model = neuronet.onnx.load("resnet18.onnx")
    logits = model(x)                    # x: the graph's input, e.g. (N, 3, 224, 224)
    loss.backward(); optimizer.step()    # model.parameters() are the graph's weights

Nodes with weights become neuronet's layers (load_layers.py): Gemm -> Linear, Conv ->
Conv2d, BatchNormalization -> BatchNorm2d, RNN/LSTM/GRU -> nn.RNN/LSTM/GRU, ... A layer is named
after its initializers when torch named them ('layer1.0.conv1.weight' puts the layer at
model.get_submodule('layer1.0.conv1'), so state_dict keys match torch's), else after its
node. Other float initializers become Parameters too; integer and one-value ones stay
constants, and so do those an operator reads as settings (Resize's scales: CONSTANT_INPUTS).
forward evaluates the nodes in topological order with neuronet's differentiable ops
(onnx_ops.py, onnx_ops_layers.py), so gradients flow back to every parameter; train()/eval()
switch BatchNorm and Dropout as in torch. The file is read with load_tensors.py (no external
data outside the model's folder, no allocation the file's bytes do not back). An operator we
do not have, a malformed graph or an input of the wrong shape is a ValueError naming the
node or input.
"""

import os
import re

import numpy as np

from neuronet import nn
from neuronet.autograd.tensor import Tensor
from neuronet.onnx import onnx_ops_layers  # noqa: F401 (registers its operators in OPS)
from neuronet.onnx.load_layers import BUILDERS, build_layer
from neuronet.onnx.load_tensors import read_model, tensor_to_array
from neuronet.onnx.onnx_ops import CONSTANT_INPUTS, OPS, OnnxNode, as_tensor

_DEFAULT_DOMAINS = ("", "ai.onnx")
_PATH_PART = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|[0-9]+")


def load(path):
    """The ONNX model at `path` as an `OnnxModel` (a neuronet Module); see the module doc."""
    model = read_model(path)
    return OnnxModel(model, os.path.dirname(os.path.abspath(os.fspath(path))))


def supported_ops():
    return sorted(set(OPS) | set(BUILDERS))


def _opset(model):
    for entry in model.opset_import:
        if entry.domain in _DEFAULT_DOMAINS:
            return int(entry.version)
    raise ValueError("onnx.load: the model imports no version of the default ONNX opset")


def _attributes(proto, node_name, folder):
    """A node's attributes as Python values (tensors as numpy arrays, strings as str)."""
    import onnx

    attrs = {}
    for attribute in proto.attribute:
        what = f"ONNX node {node_name!r} attribute {attribute.name!r}"
        if attribute.type == onnx.AttributeProto.TENSOR:
            attrs[attribute.name] = tensor_to_array(attribute.t, folder, what)
            continue
        if attribute.type in (onnx.AttributeProto.GRAPH, onnx.AttributeProto.GRAPHS,
                              onnx.AttributeProto.SPARSE_TENSOR, onnx.AttributeProto.TENSORS):
            raise ValueError(f"{what}: attributes of this type are not supported")
        value = onnx.helper.get_attribute_value(attribute)
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        elif isinstance(value, list) and value and isinstance(value[0], bytes):
            value = [v.decode("utf-8", "replace") for v in value]
        attrs[attribute.name] = value
    return attrs


def _parse_nodes(graph, opset, folder):
    """[(OnnxNode, input names, output names)] in file order; unsupported ops are refused."""
    known = set(OPS) | set(BUILDERS)
    nodes = []
    for index, proto in enumerate(graph.node):
        name = proto.name or f"{proto.op_type}_{index}"
        if proto.domain not in _DEFAULT_DOMAINS:
            raise ValueError(f"onnx.load: node {name!r}: operator {proto.op_type!r} of domain "
                             f"{proto.domain!r} is not supported (only the default ONNX domain)")
        if proto.op_type not in known:
            raise ValueError(f"onnx.load: node {name!r}: operator type {proto.op_type!r} is not "
                             f"supported; supported: {', '.join(supported_ops())}")
        node = OnnxNode(name, proto.op_type, _attributes(proto, name, folder), opset)
        nodes.append((node, list(proto.input), list(proto.output)))
    return nodes


def _topological_order(nodes, available):
    """The nodes so that each comes after the producers of its inputs (Kahn's algorithm)."""
    producer = {}
    for i, (node, _, outputs) in enumerate(nodes):
        for name in outputs:
            if not name:
                continue
            if name in producer or name in available:
                raise ValueError(f"onnx.load: value {name!r} is produced twice (by {node.name!r}"
                                 " and by an earlier node, input or initializer)")
            producer[name] = i
    waiting = []
    for node, inputs, _ in nodes:
        for name in inputs:
            if name and name not in available and name not in producer:
                raise ValueError(f"onnx.load: {node.describe()} reads {name!r}, which no node, "
                                 "graph input or initializer produces")
        waiting.append({producer[n] for n in inputs if n in producer})
    order, done = [], set()
    ready = [i for i, needs in enumerate(waiting) if not needs]
    users = [[] for _ in nodes]
    for i, needs in enumerate(waiting):
        for j in needs:
            users[j].append(i)
    while ready:
        i = ready.pop(0)
        order.append(i)
        done.add(i)
        for user in users[i]:
            waiting[user].discard(i)
            if not waiting[user] and user not in done and user not in ready:
                ready.append(user)
    if len(order) != len(nodes):
        stuck = [nodes[i][0].name for i in range(len(nodes)) if i not in done]
        raise ValueError(f"onnx.load: the graph has a cycle through nodes {stuck[:5]}")
    return [nodes[i] for i in order]


def _copy_identities(nodes, arrays):
    """Drop the Identity nodes that read an initializer, adding their output to `arrays` as
    a copy: torch.onnx.export stores equal tensors once (an untrained BatchNorm's weight and
    running_var are both ones) and aliases the others this way, while each is a parameter or
    buffer of its own in the layer."""
    kept = []
    for node, inputs, outputs in nodes:
        if node.op_type == "Identity" and inputs and inputs[0] in arrays:
            arrays[outputs[0]] = arrays[inputs[0]].copy()
        else:
            kept.append((node, inputs, outputs))
    return kept


def _value_ranks(model):
    """Value name -> number of dimensions, from ONNX shape inference where it succeeds."""
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:  # ranks are only a hint (BatchNorm1d or 2d): the graph is checked later
        return {}
    ranks = {}
    for info in list(inferred.graph.value_info) + list(inferred.graph.input):
        if info.type.HasField("tensor_type") and info.type.tensor_type.HasField("shape"):
            ranks[info.name] = len(info.type.tensor_type.shape.dim)
    return ranks


def _declared_shape(info):
    """A graph input's declared dims: an int per static axis, None per symbolic one."""
    tensor_type = info.type.tensor_type
    if not tensor_type.HasField("shape"):
        return None
    return [d.dim_value if d.HasField("dim_value") else None for d in tensor_type.shape.dim]


def _attach(root, path, value, taken):
    """Register `value` (a Module or Parameter) at dotted `path` under root; False if that
    path is not a valid, free name (the caller then picks another)."""
    parts = path.split(".")
    if path in taken or not all(_PATH_PART.fullmatch(p) for p in parts):
        return False
    parent = root
    for part in parts[:-1]:
        child = parent._modules.get(part)
        if child is None:
            if hasattr(parent, part) or parent._is_registered(part):
                return False
            child = nn.Module()
            parent.add_module(part, child)
        elif type(child) is not nn.Module:
            return False
        parent = child
    last = parts[-1]
    if hasattr(parent, last) or parent._is_registered(last):
        return False
    if isinstance(value, nn.Parameter):
        parent.register_parameter(last, value)
    else:
        parent.add_module(last, value)
    taken.add(path)
    return True


def _fallback_name(name, taken):
    base = re.sub(r"[^0-9A-Za-z_]+", "_", name).strip("_") or "node"
    base = base if base[0].isalpha() else "n_" + base
    candidate, k = base, 2
    while candidate in taken:
        candidate, k = f"{base}_{k}", k + 1
    return candidate


def _torch_path(owned):
    """'fc' when the initializers are named 'fc.weight', 'fc.bias' as the layer's parts."""
    prefixes = set()
    for name, part in owned.items():
        if not name.endswith("." + part):
            return None
        prefixes.add(name[: -len(part) - 1])
    return prefixes.pop() if len(prefixes) == 1 else None


class OnnxModel(nn.Module):
    """An ONNX graph as a Module: forward(*inputs) takes the graph's inputs in order (Tensors
    or arrays, shapes as declared) and returns its output, or a tuple of them."""

    def __init__(self, model, folder):
        super().__init__()
        graph = model.graph
        if len(graph.sparse_initializer):
            raise ValueError("onnx.load: sparse initializers are not supported")
        arrays = {}
        for tensor in graph.initializer:
            if tensor.name in arrays:
                raise ValueError(f"onnx.load: initializer {tensor.name!r} appears twice")
            arrays[tensor.name] = tensor_to_array(tensor, folder, "initializer")
        self._inputs = [(info.name, _declared_shape(info)) for info in graph.input
                        if info.name not in arrays]
        self._outputs = [info.name for info in graph.output]
        nodes = _parse_nodes(graph, _opset(model), folder)
        available = set(arrays) | {name for name, _ in self._inputs} | {""}
        self._nodes = _copy_identities(_topological_order(nodes, available), arrays)
        produced = {name for _, _, outputs in self._nodes for name in outputs} | available
        for name in self._outputs:
            if name not in produced:
                raise ValueError(f"onnx.load: graph output {name!r} is produced by no node")
        self._build(arrays, _value_ranks(model))

    def _build(self, arrays, ranks):
        floats = {name: a for name, a in arrays.items() if a.dtype.kind == "f"}
        # outside a layer, a float initializer of one value is an exporter's constant (the 0
        # that an LSTM's initial state is expanded from, a scale), not a weight to learn
        self._constants = {name: a for name, a in arrays.items()
                           if name not in floats or a.size <= 1}
        self._parameters_of, self._layers = {}, []  # _layers: a Layer or None per node
        taken, owner = set(), {}
        for node, inputs, _ in self._nodes:
            layer = build_layer(node, inputs, floats, ranks)
            self._layers.append(layer)
            if layer is None:
                continue
            for name in layer.owned:
                if name in owner:
                    raise ValueError(f"onnx.load: initializer {name!r} is the weight of both "
                                     f"{owner[name]!r} and {node.name!r}; shared weights are "
                                     "not supported")
                owner[name] = node.name
            path = _torch_path(layer.owned)
            if path is None or not _attach(self, path, layer.module, taken):
                path = _fallback_name(node.name, taken)
                _attach(self, path, layer.module, taken)
        for (node, inputs, _), layer in zip(self._nodes, self._layers):
            if layer is not None:
                continue
            for index, name in enumerate(inputs):
                if name in floats and index in CONSTANT_INPUTS.get(node.op_type, ()):
                    self._constants[name] = floats[name]
                elif name in floats and name not in self._constants and (
                        name not in self._parameters_of):
                    if name in owner:
                        raise ValueError(f"onnx.load: initializer {name!r} is the weight of "
                                         f"{owner[name]!r} and also an input of "
                                         f"{node.describe()}; shared weights are not supported")
                    param = nn.Parameter(floats[name].copy())
                    if not _attach(self, name, param, taken):
                        _attach(self, _fallback_name(name, taken), param, taken)
                    self._parameters_of[name] = param

    def _check_inputs(self, values):
        if len(values) != len(self._inputs):
            raise TypeError(f"OnnxModel: expected {len(self._inputs)} input(s) "
                            f"{[name for name, _ in self._inputs]}, got {len(values)}")
        tensors = []
        for (name, shape), value in zip(self._inputs, values):
            value = value if isinstance(value, Tensor) else as_tensor(np.asarray(value))
            if shape is not None and (len(shape) != value.ndim or any(
                    d is not None and d > 0 and d != s for d, s in zip(shape, value.shape))):
                expected = tuple("?" if d is None else d for d in shape)
                raise ValueError(f"OnnxModel: input {name!r} must have shape {expected}, got "
                                 f"{tuple(value.shape)}")
            tensors.append(value)
        return tensors

    def forward(self, *inputs):
        values = dict(self._constants)
        values.update(self._parameters_of)
        values.update(zip((name for name, _ in self._inputs), self._check_inputs(inputs)))
        for (node, names, outputs), layer in zip(self._nodes, self._layers):
            args = [values.get(name) for name in names]  # a layer holds its own weights
            try:
                result = (layer.run(layer.module, node, args) if layer is not None
                          else OPS[node.op_type](node, *args))
            except (ValueError, TypeError, IndexError) as error:
                text = str(error)
                if not text.startswith(node.describe()):
                    text = f"{node.describe()}: {text}"
                raise type(error)(text) from None
            result = result if isinstance(result, tuple) else (result,)
            wanted = [(i, name) for i, name in enumerate(outputs) if name]
            for i, name in wanted:
                if i >= len(result):
                    raise ValueError(f"{node.describe()}: output {i} ({name!r}) is not "
                                     "supported")
                values[name] = result[i]
        results = tuple(as_tensor(values[name]) for name in self._outputs)
        return results[0] if len(results) == 1 else results

    def extra_repr(self):
        return (f"inputs={[name for name, _ in self._inputs]}, outputs={self._outputs}, "
                f"nodes={len(self._nodes)}")
