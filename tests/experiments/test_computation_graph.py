"""Experiment 10 (computation_graph): the sigmoid neuron's gradients read off the graph equal
the closed form, the MLP graph holds every parameter, backward walks the ops in reverse."""

import json

import pytest

from neuronet.experiments import run_experiment
from neuronet.viz.graph import graphviz_available


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("computation_graph")
    results = run_experiment("computation_graph", out, quick=True, seed=0)
    assert json.loads((out / "results.json").read_text())["results"] == results
    return out, results


def test_sigmoid_neuron_numbers(run):
    _, results = run
    expression = results["expression"]
    assert round(expression["f"], 2) == 0.73
    assert {k: round(v, 2) for k, v in expression["grads"].items()} == {
        "w0": -0.2, "w1": -0.39, "w2": 0.2, "x0": 0.39, "x1": -0.59}
    assert expression["max_grad_error"] < 1e-12
    # backward starts at the division that produced f and ends at the first products
    assert expression["backward_order"][:3] == ["Div", "Add", "Exp"]
    assert expression["backward_order"][-2:] == ["Mul", "Mul"]


def test_dot_files_hold_both_graphs(run):
    out, results = run
    expression = (out / "expression.dot").read_text()
    assert expression.startswith("digraph") and expression.rstrip().endswith("}")
    for label in ("w0 = 2\\ngrad -0.1966", "x1 = -2\\ngrad -0.5898", "f\\n0.7311",
                  "Exp\\nbackward #3"):
        assert label in expression, label
    mlp = (out / "mlp_loss.dot").read_text()
    assert results["mlp_loss"]["parameters"] == ["1.weight", "1.bias", "3.weight", "3.bias"]
    for name in ("1.weight\\n(8, 4)", "3.bias\\n(3,)", "x\\n(5, 4)", "y\\n(5,)"):
        assert name in mlp, name
    assert results["mlp_loss"]["backward_order"] == ["CrossEntropy", "Linear", "Relu", "Linear"]
    assert results["rendered_png"] == graphviz_available()
    for stem in ("expression", "mlp_loss"):
        png = out / f"{stem}.png"
        assert png.exists() == graphviz_available()
        if png.exists():
            assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
