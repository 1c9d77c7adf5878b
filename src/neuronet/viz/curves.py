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
    panels = [(name, [(name, "train"), (f"val_{name}", "validation")]) for name in names]
    return plot_history_panels(history, panels, path, title, panel_size=(5, 4),
                               ylabel=True)


def plot_history_panels(history, panels, path, title=None, panel_size=(4.5, 3.8),
                        ylabel=False):
    """Save one panel per (panel title, [(history key, label)]) with a curve per key over the
    epochs (None entries and missing keys skipped). Returns `path`."""
    width, height = panel_size
    fig = new_figure(figsize=(width * len(panels), height), layout="constrained")
    for ax, (name, curves) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        for key, label in curves:
            points = [(e, v) for e, v in zip(history.epoch, history.history.get(key) or [])
                      if v is not None]
            if points:
                ax.plot(*zip(*points), marker="o", label=label)
        ax.set_xlabel("epoch")
        ax.xaxis.get_major_locator().set_params(integer=True)
        if ylabel:
            ax.set_ylabel(name)
        ax.set_title(name)
        ax.grid(alpha=0.3)
        ax.legend()
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
