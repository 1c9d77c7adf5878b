"""Experiment 5: overfitting, and four cures.

A large net (6 hidden layers of 100 ReLU units, ~120k weights) trained long on 300 Fashion-MNIST
images learns them by heart: training accuracy reaches 100% while test accuracy stalls far
below. The same net and training again, each time with one change:
- L2 weight decay (SGD weight_decay, i.e. + decay/2 * ||w||^2 in the loss): small weights,
  smoother functions;
- dropout after every hidden layer: no unit can rely on a particular other one;
- augmentation: every epoch shows each image shifted by up to 2 pixels and, half of the
  time, mirrored left-right (neuronet.data.transforms.RandomShift, RandomHorizontalFlip);
- ten times more data.
Measured here (docs/gallery.md): the first three narrow the gap mostly by lowering the training
accuracy, not by raising the test accuracy; only more data raises the test accuracy.
Then the capacity sweep: one hidden layer of 1 .. 1024 units on the 300 images; training
accuracy climbs to 100% with the width, test accuracy levels off long before.
"""

import numpy as np

from neuronet import optim
from neuronet.data import ArrayDataset
from neuronet.data.transforms import Compose, Flatten, RandomHorizontalFlip, RandomShift
from neuronet.experiments.common import fashion_mnist, linear_layers, mlp, train
from neuronet.experiments.registry import experiment
from neuronet.train import evaluate
from neuronet.viz.backend import new_figure, save_png

HIDDEN = [100] * 6
LR, BATCH, WEIGHT_DECAY, DROPOUT, SHIFT = 0.01, 100, 0.05, 0.2, 2
SETTINGS = ("baseline", "L2 weight decay", "dropout", "augmentation", "10x more data")


def augmented(x, y):
    """The images x (N, 784) as a dataset that shifts and mirrors each one anew every epoch."""
    images = x.reshape(-1, 1, 28, 28)
    return ArrayDataset(images, y, transform=Compose([RandomShift(SHIFT),
                                                      RandomHorizontalFlip(), Flatten()]))


def accuracy(model, x, y):
    """Accuracy on (x, y) in eval mode (no dropout) on the clean images."""
    return evaluate(model, [(x, y)])["accuracy"]


def plot_settings(histories, final, path):
    """One panel of train/test accuracy per epoch for each setting, then a bar chart of the
    final accuracies and gaps."""
    fig = new_figure(figsize=(12, 6.5), layout="constrained")
    axes = fig.subplots(2, 3).ravel()
    for ax, (name, history) in zip(axes, histories.items()):
        ax.plot(history.epoch, history.history["accuracy"], label="train")
        ax.plot(history.epoch, history.history["val_accuracy"], label="test")
        ax.set_title(name)
        ax.set_xlabel("epoch")
        ax.set_ylim(0, 1.02)
        ax.grid(alpha=0.3)
    axes[0].legend(loc="lower right")
    bars = axes[-1]
    positions = np.arange(len(final))
    for offset, key in ((-0.2, "train"), (0.2, "test")):
        bars.bar(positions + offset, [f[key] for f in final.values()], 0.4, label=key)
    for i, numbers in enumerate(final.values()):
        bars.text(i, numbers["train"] + 0.02, f"gap\n{numbers['gap']:.2f}", ha="center",
                  fontsize=8)
    bars.set_xticks(positions, [name.replace(" ", "\n", 1) for name in final], fontsize=8)
    bars.set_ylim(0, 1.2)
    bars.set_title("after training (eval mode, clean images)")
    bars.legend(loc="lower right", fontsize=8)
    fig.suptitle("6 hidden layers of 100 ReLU units on 300 Fashion-MNIST images (training "
                 "accuracy of each epoch as measured while training)")
    save_png(fig, path)


def plot_sweep(widths, sweep, path):
    fig = new_figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for key in ("train", "test"):
        ax.plot(widths, [sweep[str(w)][key] for w in widths], "o-", label=key)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("hidden units (one hidden layer)")
    ax.set_ylabel("accuracy")
    ax.set_title("capacity vs accuracy, 300 Fashion-MNIST training images")
    ax.grid(alpha=0.3)
    ax.legend()
    save_png(fig, path)


@experiment("overfitting", "a large net on 300 Fashion-MNIST images, then with L2 weight decay, "
                           "dropout, augmentation, more data; hidden units vs accuracy")
def run(out_dir, *, quick=False, seed=0):
    rng = np.random.default_rng(seed)
    n_small, n_more, n_test, epochs = (200, 1000, 1000, 40) if quick else (300, 3000, 10000, 200)
    (x_all, y_all), test = fashion_mnist(n_more, n_test, rng)
    small = (x_all[:n_small], y_all[:n_small])
    histories, final = {}, {}
    for name in SETTINGS:
        # the same initial weights in every setting (dropout layers draw none)
        model = mlp([784, *HIDDEN, 10], "relu", "he", dropout=DROPOUT if name == "dropout" else 0,
                    generator=np.random.default_rng([seed, 1]))
        optimizer = optim.SGD(model.parameters(), lr=LR, momentum=0.9,
                              weight_decay=WEIGHT_DECAY if name == "L2 weight decay" else 0)
        data = {"augmentation": augmented(*small), "10x more data": (x_all, y_all)}.get(name, small)
        histories[name], _ = train(model, optimizer, data, epochs, BATCH,
                                   np.random.default_rng(seed), val=test)
        train_xy = (x_all, y_all) if name == "10x more data" else small
        final[name] = {"train": accuracy(model, *train_xy), "test": accuracy(model, *test)}
        final[name]["gap"] = final[name]["train"] - final[name]["test"]
        final[name]["weight_norm"] = float(np.sqrt(sum(np.sum(layer.weight.data ** 2)
                                                        for layer in linear_layers(model))))
    plot_settings(histories, final, out_dir / "train_vs_test.png")

    widths = [1, 4, 16, 64, 256] if quick else [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
    sweep = {}
    for width in widths:
        model = mlp([784, width, 10], "relu", "he", generator=rng)
        train(model, optim.Adam(model.parameters(), lr=1e-3), small, epochs, BATCH,
              np.random.default_rng(seed))
        sweep[str(width)] = {"train": accuracy(model, *small), "test": accuracy(model, *test)}
    plot_sweep(widths, sweep, out_dir / "hidden_units.png")
    return {"settings": final, "hidden_units": sweep,
            "setup": {"train_samples": n_small, "more_data_samples": n_more,
                      "test_samples": n_test, "epochs": epochs, "batch_size": BATCH,
                      "optimizer": f"SGD lr {LR} momentum 0.9", "weight_decay": WEIGHT_DECAY,
                      "dropout": DROPOUT, "max_shift": SHIFT,
                      "sweep_optimizer": "Adam lr 0.001"}}
