"""`to_dot(tensor)`: the computation graph that produced a tensor, as Graphviz `dot` text.

    x = neuronet.tensor(-2.0, requires_grad=True)
    f = (x + 5) * -4
    print(to_dot(f, names={"x": x}))       # render: dot -Tpng graph.dot -o graph.png

The forward pass recorded one op node per `Function` call; edges run the way the data flowed,
from the leaves (boxes: parameters and inputs that require grad, grey when they do not,
plain text for constants) through the ops (ellipses) to the output. Each op is labelled
"backward #k": the k-th op `backward()` visits, the same reverse topological order the
engine uses. One-element tensors show their value, and leaves that hold a `.grad` show it
(call `backward(retain_graph=True)` first to see the gradients: a graph freed by backward
cannot be drawn).
"""

import numpy as np

from neuronet.autograd.engine import _topological_order
from neuronet.autograd.tensor import Tensor


def _quote(text):
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _number(array):
    return f"{float(array.reshape(())):.4g}"


def _describe(t):
    """A tensor's value when it has one element, else its shape."""
    return _number(t.data) if t.data.size == 1 else str(tuple(t.shape))


class _Writer:
    """Collects the nodes and edges of one graph: one node per op and per tensor (by id),
    a new node for every use of a constant."""

    def __init__(self, names):
        self.names = {id(t): name for name, t in (names or {}).items()}
        # an op may have received a named tensor's raw array as a constant
        self.names.update({id(t.data): name for name, t in (names or {}).items()
                           if isinstance(t, Tensor)})
        self.ids, self.lines, self.count = {}, [], 0

    def node(self, obj, label, style):
        key = None if obj is None else id(obj)
        if key is None or key not in self.ids:
            node_id, self.count = f"n{self.count}", self.count + 1
            self.lines.append(f"  {node_id} [label={_quote(label)}, {style}];")
            if key is None:
                return node_id
            self.ids[key] = node_id
        return self.ids[key]

    def leaf(self, t):
        label = self.names.get(id(t), "")
        label = f"{label} = {_describe(t)}" if label and t.data.size == 1 else \
            f"{label}\n{_describe(t)}".strip()
        if t.grad is not None:
            label += f"\ngrad {_describe(t.grad)}"
        style = ('shape=box, style=filled, fillcolor="#cfe3f6"' if t.requires_grad
                 else 'shape=box, style=filled, fillcolor="#e8e8e8"')
        return self.node(t, label, style)

    def constant(self, value):
        """A number, or an array (e.g. the targets a loss received as raw data)."""
        array = np.asarray(value)
        if array.dtype.kind not in "biuf":
            label = type(value).__name__
        elif array.size == 1:
            label = _number(array)
        else:
            label = f"{self.names.get(id(value), 'array')}\n{array.shape}"
        return self.node(None, label, "shape=plaintext")

    def edge(self, source, target, label=""):
        extra = f" [label={_quote(label)}]" if label else ""
        self.lines.append(f"  {source} -> {target}{extra};")


def _ops(tensor, who):
    if not isinstance(tensor, Tensor):
        raise TypeError(f"{who}: expected a neuronet Tensor, got {type(tensor).__name__}")
    if tensor.grad_fn is None:
        raise ValueError(
            f"{who}: the tensor of shape {tuple(tensor.shape)} has no graph (grad_fn is None): "
            "it is a leaf or was computed under no_grad(); build it from tensors with "
            "requires_grad=True")
    try:
        return _topological_order(tensor.grad_fn)
    except RuntimeError:
        raise RuntimeError(f"{who}: backward() already freed this graph; call {who} before "
                           "backward, or pass backward(retain_graph=True)") from None


def backward_order(tensor):
    """The ops (Functions) that computed `tensor`, in the order backward() visits them: each
    op after every op that used its outputs, `tensor.grad_fn` first.

    Raises ValueError when `tensor` has no recorded graph (a leaf, or computed under
    no_grad) and RuntimeError when backward already freed the graph.
    """
    return _ops(tensor, "backward_order")


def to_dot(tensor, names=None, title=None):
    """Graphviz `dot` text of the graph that computed `tensor`.

    names: optional {name: Tensor} to label leaves, e.g. dict(model.named_parameters()) plus
    the inputs; the output is labelled by its name there too. title: a graph label.
    Errors: as backward_order.
    """
    order = _ops(tensor, "to_dot")
    writer = _Writer(names)
    for step, fn in enumerate(order, 1):
        writer.node(fn, f"{fn.name}\nbackward #{step}", 'shape=ellipse, style=filled, '
                                                       'fillcolor="#fde2b8"')
    for fn in reversed(order):  # forward order: the nodes appear as the pass created them
        target = writer.ids[id(fn)]
        for value in fn.inputs:
            if value is None:
                continue
            if isinstance(value, Tensor) and value.grad_fn is not None:
                writer.edge(writer.ids[id(value.grad_fn)], target, _describe(value))
            elif isinstance(value, Tensor):
                writer.edge(writer.leaf(value), target)
            else:
                writer.edge(writer.constant(value), target)
    name = writer.names.get(id(tensor), "output")
    out = writer.node(tensor, f"{name}\n{_describe(tensor)}",
                      'shape=doubleoctagon, style=filled, fillcolor="#d5f0d0"')
    writer.edge(writer.ids[id(tensor.grad_fn)], out)
    head = ["digraph computation_graph {", "  rankdir=LR;",
            '  node [fontname="Helvetica", fontsize=11];', '  edge [fontsize=9];']
    if title:
        head.append(f"  label={_quote(title)}; labelloc=t;")
    return "\n".join(head + writer.lines + ["}"]) + "\n"
