"""Experiment 3: vanishing and exploding gradients, and what keeps them in check.

Part 1: the gradient norm of each layer's weights in a 10-hidden-layer, 100-unit net, for one
batch of Fashion-MNIST images, before training. Backpropagation multiplies the error signal by
each layer's weights and activation slope; with sigmoids (slope <= 1/4) it shrinks layer after
layer toward the input (vanishing); with ReLU and weights too large it is multiplied by ~2 per
layer (exploding); ReLU with He initialization keeps it level, and batch norm rescales every
layer so that the weight scale no longer matters.

Part 2: an Elman RNN (tanh, 64 units) whose recurrent weights are a little too large, trained
on MNIST-1D (40 steps per sequence) with SGD + momentum, with and without clipping the total
gradient norm to 1 (neuronet.nn.utils.clip_grad_norm_). Without clipping, the early large
gradients throw the weights into the saturated region of tanh, where nothing is learned.
"""

import numpy as np

from neuronet import nn, optim
from neuronet.creation import from_numpy
from neuronet.data.registry import get_dataset_spec
from neuronet.experiments.common import fashion_mnist, linear_layers, mlp, smooth
from neuronet.experiments.registry import experiment
from neuronet.models.rnn import SequenceClassifier
from neuronet.nn import functional as F
from neuronet.nn.utils import clip_grad_norm_
from neuronet.random import generator_scope
from neuronet.train import evaluate
from neuronet.viz.backend import new_figure, save_png

DEPTH, WIDTH = 10, 100
DEEP_NETS = {  # label -> (activation, init, batch norm)
    "sigmoid, Xavier": ("sigmoid", "xavier", False),
    "sigmoid, Xavier + batch norm": ("sigmoid", "xavier", True),
    "ReLU, He": ("relu", "he", False),
    "ReLU, He + batch norm": ("relu", "he", True),
    "ReLU, std 0.3 (too large)": ("relu", 0.3, False),
    "ReLU, std 0.3 + batch norm": ("relu", 0.3, True),
}
RNN_HIDDEN, RNN_GAIN, RNN_LR, CLIP = 64, 1.5, 0.02, 1.0


def weight_gradient_norms(model, x, y):
    """The Frobenius norm of d(loss)/d(weight) of each Linear layer, input side first."""
    model.zero_grad()
    F.cross_entropy(model(from_numpy(x)), from_numpy(y)).backward()
    return [float(np.linalg.norm(layer.weight.grad.numpy())) for layer in linear_layers(model)]


def plot_norms(norms, path):
    fig = new_figure(figsize=(9, 5.5), layout="constrained")
    ax = fig.subplots()
    for label, values in norms.items():
        style = "--" if DEEP_NETS[label][2] else "-"
        ax.plot(np.arange(1, len(values) + 1), values, style, marker="o", label=label)
    ax.set_yscale("log")
    ax.set_xlabel(f"layer (1 = next to the input, {DEPTH + 1} = the output layer)")
    ax.set_ylabel("norm of the weight gradient")
    ax.set_title(f"{DEPTH} hidden layers of {WIDTH} units, one Fashion-MNIST batch, before "
                 "training")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    save_png(fig, path)


def train_rnn(x, y, steps, clip, seed):
    """Train the RNN classifier for `steps` SGD steps (batches of 64 drawn with `seed`),
    clipping the gradient norm to `clip` (None = no clipping).

    Returns (model, per-step losses, per-step gradient norms before clipping).
    """
    rng = np.random.default_rng(seed)
    with generator_scope(rng):  # the same initial weights whatever the clipping
        model = SequenceClassifier(1, RNN_HIDDEN, 10, kind="rnn")
    nn.init.normal_(model.rnn.weight_hh_l0, 0.0, RNN_GAIN / np.sqrt(RNN_HIDDEN), generator=rng)
    optimizer = optim.SGD(model.parameters(), lr=RNN_LR, momentum=0.9)
    losses, norms = [], []
    for _ in range(steps):
        batch = rng.choice(len(y), size=64, replace=False)
        loss = F.cross_entropy(model(from_numpy(x[batch])), from_numpy(y[batch]))
        optimizer.zero_grad()
        loss.backward()
        norms.append(float(clip_grad_norm_(model.parameters(), np.inf if clip is None else clip)))
        losses.append(loss.item())
        optimizer.step()
    return model, losses, norms


def plot_rnn(runs, window, path):
    fig = new_figure(figsize=(12, 4.5), layout="constrained")
    loss_ax, norm_ax = fig.subplots(1, 2)
    for label, (losses, norms) in runs.items():
        steps = np.arange(1, len(losses) + 1)
        loss_ax.plot(steps, smooth(losses, window), label=label)
        norm_ax.plot(steps, norms, linewidth=0.6, label=label)
    loss_ax.set_ylabel(f"training loss (moving average of {window})")
    norm_ax.set_ylabel("gradient norm before clipping")
    norm_ax.set_yscale("log")
    norm_ax.axhline(CLIP, color="black", linewidth=0.8, linestyle=":")
    for ax in (loss_ax, norm_ax):
        ax.set_xlabel("step (batch of 64)")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle(f"Elman RNN ({RNN_HIDDEN} tanh units, recurrent weight std {RNN_GAIN}/sqrt("
                 f"{RNN_HIDDEN})) on MNIST-1D, SGD lr {RNN_LR} momentum 0.9")
    save_png(fig, path)


@experiment("gradients", "weight-gradient norm per layer of deep sigmoid/ReLU nets with and "
                         "without batch norm; gradient clipping on an RNN")
def run(out_dir, *, quick=False, seed=0):
    rng = np.random.default_rng(seed)
    (x, y), _ = fashion_mnist(256, 1, rng)
    norms = {}
    for label, (activation, init, batchnorm) in DEEP_NETS.items():
        model = mlp([784] + [WIDTH] * DEPTH + [10], activation, init, batchnorm, generator=rng)
        norms[label] = weight_gradient_norms(model, x, y)
    plot_norms(norms, out_dir / "gradient_norms.png")

    spec = get_dataset_spec("mnist1d")
    (x, y), test = spec.load("train"), spec.load("test")
    steps = 400 if quick else 2000
    runs, rnn = {}, {}
    for label, clip in (("no clipping", None), (f"clipped to norm {CLIP:g}", CLIP)):
        model, losses, step_norms = train_rnn(x, y, steps, clip, seed)
        runs[label] = (losses, step_norms)
        rnn[label] = {"final_loss": float(smooth(losses, 50)[-1]),
                      "max_gradient_norm": max(step_norms),
                      "median_gradient_norm": float(np.median(step_norms)),
                      "test_accuracy": evaluate(model, [test])["accuracy"]}
    plot_rnn(runs, 50, out_dir / "rnn_clipping.png")
    return {"weight_gradient_norms": norms,
            "first_to_last_hidden_ratio": {label: values[0] / values[DEPTH - 1]
                                           for label, values in norms.items()},
            "rnn": rnn, "rnn_setup": {"steps": steps, "batch_size": 64, "loss_window": 50}}
