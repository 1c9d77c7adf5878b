"""A confusion matrix as a heat map with the counts written in the cells."""

import numpy as np

from neuronet.viz.backend import new_figure, save_png


def plot_confusion_matrix(cm, classes, path, title="confusion matrix"):
    """Save the heat map of `cm` (C, C) (rows: true class, columns: predicted) to `path`.

    Colours show each row normalized to sum 1 (so rare classes are as readable as common ones);
    the cells show the raw counts. classes: C names for the axes. Returns `path`.
    """
    cm = np.asarray(cm)
    if cm.ndim != 2 or cm.shape[0] != cm.shape[1]:
        raise ValueError(f"plot_confusion_matrix: expected a square (C, C) matrix, got {cm.shape}")
    if len(classes) != len(cm):
        raise ValueError(
            f"plot_confusion_matrix: {len(classes)} class names for a {len(cm)}x{len(cm)} matrix"
        )
    rates = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    size = 2 + 0.6 * len(cm)
    fig = new_figure(figsize=(size + 1, size), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(rates, cmap="Blues", vmin=0, vmax=1)
    fig.colorbar(image, ax=ax, label="fraction of the true class")
    ticks = np.arange(len(cm))
    ax.set_xticks(ticks, labels=classes, rotation=45, ha="right")
    ax.set_yticks(ticks, labels=classes)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title)
    for i, j in np.ndindex(cm.shape):
        ax.text(j, i, f"{cm[i, j]:g}", ha="center", va="center", fontsize=8,
                color="white" if rates[i, j] > 0.5 else "black")
    return save_png(fig, path)
