"""Experiment 4: batch normalization makes training insensitive to the initial weight scale.

The same 5-hidden-layer, 100-unit ReLU net trains on 1,000 Fashion-MNIST images with plain SGD,
with every weight drawn from N(0, scale^2) for scales from 1 down to 1e-4, once as is and once
with BatchNorm1d after each hidden Linear layer. Without batch norm only a narrow band of
scales trains: too small and the signal dies out layer by layer, too large and it blows up.
With batch norm each layer's pre-activations are rescaled to mean 0, variance 1 for every
batch, so the scale no longer matters and every run learns, and learns faster.
"""

import numpy as np

from neuronet import optim
from neuronet.experiments.common import fashion_mnist, mlp, train
from neuronet.experiments.registry import experiment
from neuronet.viz.backend import new_figure, save_png

SIZES = [784, 100, 100, 100, 100, 100, 10]
LR, BATCH = 0.01, 100


def plot_curves(curves, scales, path):
    cols = 4
    rows = -(-len(scales) // cols)
    fig = new_figure(figsize=(3.2 * cols, 2.5 * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for ax, scale in zip(axes, scales):
        for batchnorm, style in ((True, "-"), (False, "--")):
            values = curves[batchnorm][scale]
            ax.plot(np.arange(1, len(values) + 1), values, style,
                    label="with batch norm" if batchnorm else "without")
        ax.set_title(f"weight std {scale:.2g}", fontsize=9)
        ax.set_ylim(0, 1)
        ax.grid(alpha=0.3)
    for ax in axes[len(scales):]:
        ax.set_visible(False)
    axes[0].legend(fontsize=8)
    fig.supxlabel("epoch")
    fig.supylabel("training accuracy")
    fig.suptitle("5 hidden ReLU layers on 1,000 Fashion-MNIST images, SGD lr 0.01")
    save_png(fig, path)


def plot_final(final, scales, path):
    fig = new_figure(figsize=(7, 4.5), layout="constrained")
    ax = fig.subplots()
    for batchnorm, style in ((True, "o-"), (False, "s--")):
        ax.plot(scales, [np.nan if final[batchnorm][s] is None else final[batchnorm][s]
                         for s in scales], style,
                label="with batch norm" if batchnorm else "without")
        diverged = [s for s in scales if final[batchnorm][s] is None]
        if diverged:
            ax.plot(diverged, [0.02] * len(diverged), "rx", markersize=9,
                    label=f"diverged (NaN) {'with' if batchnorm else 'without'} batch norm")
    ax.set_xscale("log")
    ax.set_xlabel("initial weight std")
    ax.set_ylabel("training accuracy after the last epoch")
    ax.set_ylim(0, 1)
    ax.grid(alpha=0.3)
    ax.legend()
    save_png(fig, path)


@experiment("batchnorm", "training curves of a 5-layer net with and without batch norm "
                         "across initial weight scales 1 .. 1e-4 (Fashion-MNIST)")
def run(out_dir, *, quick=False, seed=0):
    rng = np.random.default_rng(seed)
    scales = [1.0, 0.1, 0.01, 0.001] if quick else [float(s) for s in np.logspace(0, -4, 16)]
    n_train, epochs = (500, 6) if quick else (1000, 20)
    data, test = fashion_mnist(n_train, 1000 if quick else 5000, rng)
    histories = {True: {}, False: {}}
    for scale in scales:
        for batchnorm in (True, False):
            model = mlp(SIZES, "relu", scale, batchnorm, generator=rng)
            # std ~1 without batch norm overflows float32 on purpose: a result, not a bug
            with np.errstate(over="ignore", invalid="ignore"):
                histories[batchnorm][scale], _ = train(
                    model, optim.SGD(model.parameters(), lr=LR), data, epochs, BATCH,
                    np.random.default_rng(seed), val=test, allow_divergence=True)

    def last(history, name):  # None for a run stopped by NaN/Inf
        return history.last(name) if len(history) == epochs else None

    curves = {b: {s: h.history.get("accuracy", []) for s, h in runs.items()}
              for b, runs in histories.items()}
    final = {b: {s: last(h, "accuracy") for s, h in runs.items()}
             for b, runs in histories.items()}
    plot_curves(curves, scales, out_dir / "training_curves.png")
    plot_final(final, scales, out_dir / "final_accuracy.png")
    label = {True: "batch_norm", False: "plain"}
    return {
        "weight_std": scales,
        "train_accuracy": {label[b]: [final[b][s] for s in scales] for b in histories},
        "test_accuracy": {label[b]: [last(histories[b][s], "val_accuracy") for s in scales]
                          for b in histories},
        "setup": {"train_samples": n_train, "epochs": epochs, "batch_size": BATCH,
                  "optimizer": f"SGD lr {LR}", "diverged": "null accuracy: the run hit NaN/Inf"},
    }
