"""Learning curves: loss and each metric per epoch, training next to validation."""

from neuronet.viz.backend import new_figure, save_png


def _panels(history):
    """The base names to plot ("loss", "accuracy", ...), each logged for training or val_."""
    names = []
    for name in history.history:
        base = name.removeprefix("val_")
        if base not in names and base != "lr":
            names.append(base)
    return names


def plot_history(history, path, title=None):
    """Save one panel per quantity (loss first) with its training and validation curves.

    history: a neuronet.train.History (per-epoch lists in `history.history`, epoch numbers in
    `history.epoch`). Returns `path`.
    """
    names = _panels(history)
    if not names:
        raise ValueError("plot_history: the history holds no logged values to plot")
    fig = new_figure(figsize=(5 * len(names), 4), layout="constrained")
    axes = fig.subplots(1, len(names), squeeze=False)[0]
    for ax, name in zip(axes, names):
        for key, label in ((name, "train"), (f"val_{name}", "validation")):
            values = history.history.get(key)
            if values and any(v is not None for v in values):
                points = [(e, v) for e, v in zip(history.epoch, values) if v is not None]
                ax.plot(*zip(*points), marker="o", label=label)
        ax.set_xlabel("epoch")
        ax.set_ylabel(name)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
