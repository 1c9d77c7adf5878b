"""Experiment 2: the initial weight scale decides what the activations of a deep net look like.

A 5-layer, 100-unit net on random input (1000 samples of N(0, 1) in 100 dimensions):
- sigmoid, weight std 1: the pre-activations are large, the activations pile up at 0 and 1,
  where the sigmoid's slope vanishes (no gradient flows back);
- sigmoid, std 0.01: every activation is ~0.5, all units say the same thing;
- sigmoid, Xavier (std 1/sqrt(100)): a broad spread in every layer;
- ReLU, std 0.01: the activations shrink by ~14x per layer; ReLU, Xavier: by ~1.4x per layer;
- ReLU, He (std sqrt(2/100)): the spread stays the same through the layers.
Then the same six nets (with a 10-way output layer) train on Fashion-MNIST with plain SGD.
"""

import numpy as np

from neuronet import optim
from neuronet.experiments.common import fashion_mnist, hidden_activations, mlp, smooth, train
from neuronet.experiments.registry import experiment
from neuronet.viz.backend import new_figure, save_png

LAYERS, WIDTH = 5, 100
CONFIGS = {  # label -> (activation, init)
    "sigmoid, std 1": ("sigmoid", 1.0),
    "sigmoid, std 0.01": ("sigmoid", 0.01),
    "sigmoid, Xavier": ("sigmoid", "xavier"),
    "ReLU, std 0.01": ("relu", 0.01),
    "ReLU, Xavier": ("relu", "xavier"),
    "ReLU, He": ("relu", "he"),
}
SATURATED = 0.02  # a sigmoid output within this of 0 or 1 has slope < 0.02 (vs 0.25 at most)


def layer_numbers(activation, outputs):
    """Per layer: mean and std of the activations, and the share that is saturated (sigmoid:
    within SATURATED of 0 or 1) or exactly zero (ReLU)."""
    numbers = {"mean": [float(a.mean()) for a in outputs],
               "std": [float(a.std()) for a in outputs]}
    if activation == "sigmoid":
        numbers["saturated"] = [float(np.mean((a < SATURATED) | (a > 1 - SATURATED)))
                                for a in outputs]
    else:
        numbers["zero"] = [float(np.mean(a == 0)) for a in outputs]
    return numbers


def plot_histograms(activations, labels, value_range, path, note):
    fig = new_figure(figsize=(14, 2.6 * len(labels)), layout="constrained")
    axes = fig.subplots(len(labels), LAYERS, squeeze=False)
    for row, label in zip(axes, labels):
        for layer, (ax, values) in enumerate(zip(row, activations[label]), 1):
            ax.hist(values.ravel(), bins=30, range=value_range, color="tab:blue")
            ax.set_title(f"{label}: layer {layer}", fontsize=9)
            ax.set_yticks([])
            ax.tick_params(labelsize=8)
    fig.suptitle(f"activations of a {LAYERS}-layer, {WIDTH}-unit net on random input{note}")
    save_png(fig, path)


def plot_training(losses, window, path):
    fig = new_figure(figsize=(12, 4.5), layout="constrained")
    for ax, activation in zip(fig.subplots(1, 2), ("sigmoid", "relu")):
        for label, values in losses.items():
            if CONFIGS[label][0] == activation:
                ax.plot(np.arange(1, len(values) + 1), smooth(values, window), label=label)
        ax.set_xlabel("iteration (batch of 128)")
        ax.set_ylabel(f"training loss (moving average of {window})")
        ax.grid(alpha=0.3)
        ax.legend()
    fig.suptitle("Fashion-MNIST, 5 hidden layers of 100 units, SGD lr 0.1: the initialization "
                 "decides whether and how fast it learns")
    save_png(fig, path)


@experiment("initialization", "activation histograms of a 5-layer net for sigmoid/ReLU with "
                              "weight std 1, 0.01, Xavier, He, and the training that follows")
def run(out_dir, *, quick=False, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((200 if quick else 1000, WIDTH)).astype(np.float32)
    activations, numbers = {}, {}
    for label, (activation, init) in CONFIGS.items():
        model = mlp([WIDTH] * (LAYERS + 1) + [10], activation, init, generator=rng)
        activations[label] = hidden_activations(model, x)
        numbers[label] = layer_numbers(activation, activations[label])
    sigmoids = [label for label in CONFIGS if CONFIGS[label][0] == "sigmoid"]
    plot_histograms(activations, sigmoids, (0, 1), out_dir / "activations_sigmoid.png", "")
    relus = [label for label in CONFIGS if CONFIGS[label][0] == "relu"]
    plot_histograms(activations, relus, (1e-9, 2), out_dir / "activations_relu.png",
                    " (the zeros, about half, left out)")

    n_train, epochs = (3000, 1) if quick else (60000, 2)
    data, test = fashion_mnist(n_train, 1000 if quick else 10000, rng)
    losses, training = {}, {}
    for label, (activation, init) in CONFIGS.items():
        model = mlp([784] + [WIDTH] * LAYERS + [10], activation, init, generator=rng)
        history, losses[label] = train(model, optim.SGD(model.parameters(), lr=0.1), data,
                                       epochs, 128, np.random.default_rng(seed), val=test)
        training[label] = {"first_loss": losses[label][0],
                           "final_loss": float(smooth(losses[label], 20)[-1]),
                           "test_accuracy": history.last("val_accuracy")}
    plot_training(losses, 5 if quick else 20, out_dir / "training_curves.png")
    return {"activations": numbers, "training": training,
            "training_setup": {"train_samples": n_train, "epochs": epochs, "batch_size": 128,
                               "optimizer": "SGD lr 0.1", "loss_window": 20}}
