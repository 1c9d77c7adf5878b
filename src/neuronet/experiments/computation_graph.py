"""Experiment 10, the computation graph: what the forward pass records and backward walks.

Two graphs, written as Graphviz `dot` text by neuronet.autograd.to_dot (and rendered to PNG
when the `dot` program is installed):

- expression.dot/.png: the sigmoid neuron f = 1 / (1 + exp(-(w0*x0 + w1*x1 + w2))) with
  w = (2, -3, -3), x = (-1, -2): every edge carries the value that flowed forward, every leaf
  the gradient that came back (f = 0.73; df/dw = (-0.20, -0.39, 0.20), df/dx = (0.39, -0.59)),
  checked against the closed form df/dw_i = x_i f (1 - f);
- mlp_loss.dot/.png: the cross-entropy loss of a 4-8-3 MLP on a batch of 5: the batch and
  targets (grey), the parameters (blue), the fused ops, and the order backward visits them.
"""

import numpy as np

import neuronet
from neuronet.autograd import backward_order, to_dot
from neuronet.experiments.registry import experiment
from neuronet.io import write_bytes
from neuronet.models import MLP
from neuronet.nn import functional as F
from neuronet.viz.graph import graphviz_available, render_dot

WEIGHTS = (2.0, -3.0, -3.0)
INPUTS = (-1.0, -2.0)


def _save(dot, out_dir, stem):
    write_bytes(out_dir / f"{stem}.dot", dot.encode())
    if graphviz_available():
        render_dot(dot, out_dir / f"{stem}.png")


def sigmoid_neuron():
    """The leaves {name: scalar float64 Tensor} and f, after backward (graph kept)."""
    leaves = {f"w{i}": neuronet.tensor(v, dtype=neuronet.float64, requires_grad=True)
              for i, v in enumerate(WEIGHTS)}
    leaves.update({f"x{i}": neuronet.tensor(v, dtype=neuronet.float64, requires_grad=True)
                   for i, v in enumerate(INPUTS)})
    z = leaves["w0"] * leaves["x0"] + leaves["w1"] * leaves["x1"] + leaves["w2"]
    f = 1 / (1 + neuronet.exp(-z))
    f.backward(retain_graph=True)
    return leaves, f


def mlp_loss(generator):
    """A 4-8-3 MLP's cross-entropy on 5 random samples: (model, names for to_dot, loss)."""
    model = MLP([4, 8, 3])
    x = neuronet.tensor(generator.standard_normal((5, 4)))
    y = neuronet.tensor(generator.integers(0, 3, size=5))
    loss = F.cross_entropy(model(x), y)
    return model, {**dict(model.named_parameters()), "x": x, "y": y, "loss": loss}, loss


@experiment("computation_graph", "the graphs of a sigmoid neuron and of an MLP's loss (dot "
                                 "text, PNG with Graphviz): forward recorded, backward reversed")
def run(out_dir, *, quick=False, seed=0):
    leaves, f = sigmoid_neuron()
    _save(to_dot(f, names={**leaves, "f": f}, title="f = 1 / (1 + exp(-(w0 x0 + w1 x1 + w2)))"),
          out_dir, "expression")
    fx = f.item()
    closed_form = {**{f"w{i}": x * fx * (1 - fx) for i, x in enumerate((*INPUTS, 1.0))},
                   **{f"x{i}": w * fx * (1 - fx) for i, w in enumerate(WEIGHTS[:2])}}
    grads = {name: t.grad.item() for name, t in leaves.items()}

    model, names, loss = mlp_loss(np.random.default_rng(seed))
    _save(to_dot(loss, names=names, title="cross-entropy loss of a 4-8-3 MLP on 5 samples"),
          out_dir, "mlp_loss")
    return {
        "expression": {
            "f": fx,
            "grads": grads,
            "closed_form_grads": closed_form,
            "max_grad_error": max(abs(grads[k] - closed_form[k]) for k in grads),
            "backward_order": [fn.name for fn in backward_order(f)],
        },
        "mlp_loss": {
            "loss": loss.item(),
            "backward_order": [fn.name for fn in backward_order(loss)],
            "parameters": [name for name, _ in model.named_parameters()],
        },
        "rendered_png": graphviz_available(),
    }
