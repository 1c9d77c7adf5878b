"""to_dot / backward_order: the dot text is the recorded graph (every op, leaf and edge, with
values and gradients), in the engine's backward order; clear errors for graphs that are not
there."""

import re

import numpy as np
import pytest

import neuronet
from neuronet.autograd import backward_order, to_dot
from neuronet.models import MLP
from neuronet.nn import functional as F


def parse(dot):
    """{node id: label} and [(source, target, label)] of to_dot's output."""
    nodes = dict(re.findall(r'^  (n\d+) \[label="((?:[^"\\]|\\.)*)"', dot, re.M))
    edges = [(a, b, label or "") for a, b, label in
             re.findall(r'^  (n\d+) -> (n\d+)(?: \[label="([^"]*)"\])?;', dot, re.M)]
    return nodes, edges


def scalar(value):
    return neuronet.tensor(value, dtype=neuronet.float64, requires_grad=True)


def test_expression_graph_nodes_edges_values_and_grads():
    x, y, z = scalar(-2.0), scalar(5.0), scalar(-4.0)
    q = x + y
    f = q * z
    f.backward(retain_graph=True)
    nodes, edges = parse(to_dot(f, names={"x": x, "y": y, "z": z, "f": f}))
    by_label = {label: node for node, label in nodes.items()}
    mul, add = by_label["Mul\\nbackward #1"], by_label["Add\\nbackward #2"]
    leaf_x, leaf_y, leaf_z = (by_label["x = -2\\ngrad -4"], by_label["y = 5\\ngrad -4"],
                              by_label["z = -4\\ngrad 3"])
    out = by_label["f\\n-12"]
    assert sorted(edges) == sorted([(leaf_x, add, ""), (leaf_y, add, ""), (add, mul, "3"),
                                    (leaf_z, mul, ""), (mul, out, "")])
    assert len(nodes) == 6


def test_a_tensor_used_twice_is_one_node_with_two_edges():
    x = scalar(3.0)
    nodes, edges = parse(to_dot(x * x))
    leaf = next(n for n, label in nodes.items() if label == "3")
    assert [(source, label) for source, _, label in edges if source == leaf] == [(leaf, "")] * 2
    assert not any(label.startswith("3\\ngrad") for label in nodes.values())  # no backward yet


def test_constants_are_separate_nodes_and_named_raw_arrays_keep_their_name():
    x = scalar(0.5)
    nodes, _ = parse(to_dot(1 / (1 + neuronet.exp(-x))))
    assert sorted(nodes.values()).count("1") == 2  # the two 1s of the formula, not one shared
    model, inputs = MLP([3, 4, 2]), neuronet.randn(6, 3, generator=np.random.default_rng(0))
    targets = neuronet.tensor([0, 1, 1, 0, 1, 0])
    loss = F.cross_entropy(model(inputs), targets)
    nodes, edges = parse(to_dot(loss, names={**dict(model.named_parameters()), "x": inputs,
                                             "y": targets}))
    labels = set(nodes.values())
    assert {"1.weight\\n(4, 3)", "1.bias\\n(4,)", "3.weight\\n(2, 4)", "3.bias\\n(2,)",
            "x\\n(6, 3)", "y\\n(6,)"} <= labels
    assert ("(6, 4)" in {e[2] for e in edges}) and ("(6, 2)" in {e[2] for e in edges})


def test_backward_order_is_the_engines_reverse_topological_order():
    model = MLP([3, 4, 2])
    loss = F.cross_entropy(model(neuronet.randn(2, 3)), neuronet.tensor([0, 1]))
    assert [fn.name for fn in backward_order(loss)] == ["CrossEntropy", "Linear", "Relu",
                                                        "Linear"]
    # a diamond: both uses of h must come before h's own op
    x = scalar(1.0)
    h = neuronet.exp(x)
    order = [fn.name for fn in backward_order(h * neuronet.tanh(h))]
    assert order.index("Exp") > order.index("Tanh") and order[0] == "Mul"


def test_the_graph_is_valid_dot():
    import shutil
    import subprocess

    if shutil.which("dot") is None:
        pytest.skip("Graphviz 'dot' is not installed")
    x = scalar(2.0)
    dot = to_dot(neuronet.tanh(x) * x, names={'w"eird\\name': x}, title='a "quoted" title')
    done = subprocess.run(["dot", "-Tplain"], input=dot.encode(), capture_output=True)
    assert done.returncode == 0, done.stderr
    plain = done.stdout.decode()
    assert plain.count("\nnode ") == 4 and plain.count("\nedge ") == 4
    assert 'w\\"eird\\\\name = 2' in plain  # dot read the quote and backslash as text


def test_errors():
    with pytest.raises(TypeError, match="to_dot: expected a neuronet Tensor, got ndarray"):
        to_dot(np.ones(2))
    with pytest.raises(ValueError, match="to_dot: the tensor of shape \\(2,\\) has no graph"):
        to_dot(neuronet.ones(2, requires_grad=True))
    with neuronet.no_grad():
        y = scalar(1.0) * 2
    with pytest.raises(ValueError, match="backward_order: the tensor of shape \\(\\) has no"):
        backward_order(y)
    y = scalar(1.0) * 2
    y.backward()
    with pytest.raises(RuntimeError, match="to_dot: backward\\(\\) already freed this graph"):
        to_dot(y)
