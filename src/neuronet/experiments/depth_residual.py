"""Experiment 6, depth and residual connections (He et al. 2015, figure 1, on an MLP).

Plain nets of L fully connected layers (Linear -> BatchNorm -> ReLU, He-initialized) and
residual nets of the same L layers, where pairs of layers form a block
relu(x + BN(W2 relu(BN(W1 x)))), train on the same Fashion-MNIST sample with the same
optimizer and steps. The plain nets' training error rises with depth although a deeper net
could copy the shallower one and set the extra layers to the identity: the optimizer does
not find that solution. The residual blocks start as the identity (their branch's last
BatchNorm scale is 0) and only learn what to add, and their training error hardly rises.

training_error.png: final training error against depth; training_curves.png: the training
loss per step of each net.
"""

import numpy as np

from neuronet import nn, optim
from neuronet.experiments.common import fashion_mnist, init_linear_, mlp, smooth, train
from neuronet.experiments.registry import experiment
from neuronet.viz.backend import new_figure, save_png

WIDTH = 64


class ResidualBlock(nn.Module):
    """relu(x + BN(W2 relu(BN(W1 x)))); x: (N, width) -> (N, width)."""

    def __init__(self, width, generator=None):
        super().__init__()
        self.branch = nn.Sequential(nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(),
                                    nn.Linear(width, width), nn.BatchNorm1d(width))
        for layer in (self.branch[0], self.branch[3]):
            init_linear_(layer, "he", generator)
        # the branch's last BatchNorm scale starts at 0, so every block starts as the identity
        # on its (non-negative) input: a deep net starts as a shallow one (torchvision's
        # zero_init_residual, Goyal et al. 2017)
        nn.init.zeros_(self.branch[4].weight)
        self.relu = nn.ReLU()

    def forward(self, x):
        return self.relu(x + self.branch(x))


def residual_net(depth, generator=None):
    """`depth` Linear layers: 784 -> WIDTH (BN, ReLU), (depth - 2) / 2 residual blocks, -> 10."""
    stem = mlp([784, WIDTH, WIDTH], "relu", init="he", batchnorm=True, generator=generator)[:3]
    head = nn.Linear(WIDTH, 10)
    init_linear_(head, "he", generator)
    blocks = [ResidualBlock(WIDTH, generator) for _ in range((depth - 2) // 2)]
    return nn.Sequential(*stem, *blocks, head)


def plain_net(depth, generator=None):
    """`depth` Linear layers: 784 -> WIDTH -> ... -> WIDTH -> 10, BN and ReLU between."""
    return mlp([784] + [WIDTH] * (depth - 1) + [10], "relu", init="he", batchnorm=True,
               generator=generator)


BUILDERS = {"plain": plain_net, "residual": residual_net}


def plot_errors(errors, depths, path):
    fig = new_figure(figsize=(6, 4.5), layout="constrained")
    ax = fig.subplots()
    for kind, values in errors.items():
        ax.plot(depths, [100 * values[str(d)] for d in depths], "o-", label=kind)
    ax.set_xlabel("depth (Linear layers)")
    ax.set_ylabel("training error (%)")
    ax.set_xticks(depths)
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Fashion-MNIST training error after the same steps")
    save_png(fig, path)


def plot_curves(losses, depths, window, path):
    fig = new_figure(figsize=(11, 4.5), layout="constrained")
    axes = fig.subplots(1, 2, sharey=True)
    colours = {d: f"C{i}" for i, d in enumerate(depths)}
    for ax, (kind, curves) in zip(axes, losses.items()):
        for depth, values in curves.items():
            ax.plot(smooth(values, window), color=colours[int(depth)], label=f"{depth} layers")
        ax.set_title(f"{kind} nets")
        ax.set_xlabel("step")
        ax.set_yscale("log")
        ax.grid(alpha=0.3)
        ax.legend()
    axes[0].set_ylabel(f"training loss (moving average of {window})")
    save_png(fig, path)


@experiment("depth_residual", "training error of plain deep nets rising with depth, and of "
                              "residual nets of the same depth not rising (Fashion-MNIST)")
def run(out_dir, *, quick=False, seed=0):
    depths = (4, 16) if quick else (4, 10, 20, 30, 50)
    n_train, epochs, batch_size = (600, 3, 50) if quick else (5000, 6, 100)
    rng = np.random.default_rng(seed)
    (x, y), _ = fashion_mnist(n_train, 1, rng)
    errors = {kind: {} for kind in BUILDERS}
    losses = {kind: {} for kind in BUILDERS}
    for kind, build in BUILDERS.items():
        for depth in depths:
            model = build(depth, np.random.default_rng(seed))
            optimizer = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
            history, losses[kind][str(depth)] = train(
                model, optimizer, (x, y), epochs, batch_size, np.random.default_rng(seed),
                val=(x, y))
            errors[kind][str(depth)] = 1.0 - history.last("val_accuracy")
    window = 10 if quick else 25
    plot_errors(errors, depths, out_dir / "training_error.png")
    plot_curves(losses, depths, window, out_dir / "training_curves.png")
    return {
        "training_error": errors,
        "final_training_loss": {kind: {d: float(smooth(v, window)[-1]) for d, v in c.items()}
                                for kind, c in losses.items()},
        "setup": {"train_samples": n_train, "epochs": epochs, "batch_size": batch_size,
                  "width": WIDTH, "optimizer": "SGD lr 0.05 momentum 0.9"},
    }
