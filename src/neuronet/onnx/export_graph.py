"""The graph an export builds: ONNX nodes and initializers, each value beside the neuronet
tensor it stands for.

    g = GraphBuilder(model, opset=17)
    x = g.add_input("x", example)                # Value: an ONNX name and a neuronet Tensor
    y = g.module(model, x)                       # the model's nodes; y.data == model(example)
    proto = g.model_proto(y)

An emitter writes the nodes of one kind of module: `@emitter(nn.Linear)` registers
`fn(g, module, *values) -> Value` (or the module's own structure of Values, such as an LSTM's
(output, (h_n, c_n))). It also computes, with neuronet's own layers, the value each output
stands for, so that export can check that the graph composes the layers as the model's
forward does, and later emitters can read shapes (an adaptive pool's input size). `module`
dispatches on the module's class, its base classes in turn; a class without an emitter is a
ValueError naming the layer. Initializers are named after the module's path in the model
('layer1.0.conv1.weight', as in its state_dict), nodes after the module.
"""

from dataclasses import dataclass

import numpy as np

from neuronet.autograd.tensor import Tensor

EMITTERS = {}  # module class -> fn(g, module, *values)


@dataclass
class Value:
    """name: the ONNX value; data: the neuronet Tensor it equals."""

    name: str
    data: Tensor


def emitter(*classes):
    """Decorator: `fn(g, module, *values)` writes the nodes of modules of `classes`."""
    def register(fn):
        for cls in classes:
            EMITTERS[cls] = fn
        return fn
    return register


def supported_layers():
    return sorted(cls.__name__ for cls in EMITTERS)


def joined(path, name):
    """'path.name', or 'name' at the model's root (path '')."""
    return f"{path}.{name}" if path else name


class GraphBuilder:
    """Collects the nodes, initializers and inputs of one exported graph (see the module doc).

    model: the module being exported (its paths name nodes and initializers); opset: the
    default-domain opset the nodes are written for.
    """

    def __init__(self, model, opset):
        self.opset = opset
        self.nodes, self.initializers, self.inputs = [], [], []
        self._paths = {id(m): path for path, m in model.named_modules()}
        self._taken = set()

    def path(self, module):
        """The module's dotted path in the model ('' for the model itself)."""
        return self._paths.get(id(module), type(module).__name__)

    def describe(self, module):
        path = self.path(module)
        return f"layer {path!r} ({type(module).__name__})" if path else (
            f"the model ({type(module).__name__})")

    def unsupported(self, module, why):
        return ValueError(f"onnx.export: {self.describe(module)}: {why}")

    def fresh(self, base):
        """`base`, or `base_2`, `base_3`, ... : a name no value, node or initializer has yet."""
        name, k = base, 1
        while name in self._taken:
            k += 1
            name = f"{base}_{k}"
        self._taken.add(name)
        return name

    def module(self, module, *values):
        """Emit `module` applied to `values` with the emitter of its class."""
        for cls in type(module).__mro__:
            if cls in EMITTERS:
                return EMITTERS[cls](self, module, *values)
        raise self.unsupported(module, f"no ONNX exporter for this layer type; the layer types "
                                       f"exported are: {', '.join(supported_layers())}")

    def add_input(self, name, tensor):
        """A graph input named `name`, of `tensor`'s dtype and shape with a dynamic batch."""
        from onnx import helper

        name = self.fresh(name)
        self.inputs.append(helper.make_tensor_value_info(
            name, helper.np_dtype_to_tensor_dtype(tensor.data.dtype),
            ["batch", *tensor.shape[1:]]))
        return Value(name, tensor)

    def initializer(self, array, name):
        """An initializer holding a copy of `array`; returns its (unique) name."""
        from onnx import numpy_helper

        name = self.fresh(name)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def weight(self, module, attr, array=None):
        """Initializer '<module path>.<attr>' holding `array` (default: the module's attr)."""
        array = getattr(module, attr).data if array is None else array
        return self.initializer(array, joined(self.path(module), attr))

    def scalar(self, value, like, name):
        """A one-value initializer of the dtype of `like` (a Value), a constant of a formula
        (GELU's 0.5, Softplus's beta), named after its use."""
        return self.initializer(np.asarray(value, like.data.dtype), name)

    def ints(self, values, name):
        """An int64 initializer (a shape, axes, starts...) named after its use."""
        return self.initializer(np.asarray(values, np.int64), name)

    def node(self, op_type, inputs, name, outputs=("",), **attrs):
        """Add node `op_type(inputs)`; returns its output name (a list for several outputs:
        one per entry of `outputs`, each the node's name with that suffix)."""
        from onnx import helper

        name = self.fresh(name)
        names = [name if not suffix else self.fresh(f"{name}.{suffix}") for suffix in outputs]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=name, **attrs))
        return names[0] if len(names) == 1 else names

    def op(self, op_type, inputs, name, data, **attrs):
        """A one-output node as a Value standing for `data`."""
        return Value(self.node(op_type, inputs, name, **attrs), data)

    def layer(self, module, op_type, inputs, x, **attrs):
        """The node of a one-node layer (named after the module), standing for module(x)."""
        return self.op(op_type, inputs, self.path(module) or op_type, module(x.data), **attrs)

    def model_proto(self, output, name):
        """The ModelProto whose graph output is `output` (renamed 'output'), dynamic batch."""
        from onnx import helper

        if output.name in {i.name for i in self.inputs}:  # the model returns its input as is
            output = self.op("Identity", [output.name], "identity", output.data)
        final = self.fresh("output")
        for node in self.nodes:
            for i, value in enumerate(node.output):
                if value == output.name:
                    node.output[i] = final
            for i, value in enumerate(node.input):
                if value == output.name:
                    node.input[i] = final
        data = output.data.data
        out = helper.make_tensor_value_info(final, helper.np_dtype_to_tensor_dtype(data.dtype),
                                            ["batch", *data.shape[1:]])
        graph = helper.make_graph(self.nodes, name, self.inputs, [out], self.initializers)
        return helper.make_model(graph, producer_name="neuronet",
                                 opset_imports=[helper.make_opsetid("", self.opset)])
