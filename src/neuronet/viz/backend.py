"""The lazy matplotlib import shared by the plots, and writing a figure atomically as PNG."""

from neuronet.io import atomic_write
from neuronet.optional import import_optional

PLOT_INSTALL_HINT = "pip install neuronet[plot]"


class PlotsUnavailable(ImportError):
    """matplotlib cannot be imported; the message says how to install it."""


def new_figure(**kwargs):
    """A matplotlib Figure drawn on the Agg canvas (no display, no pyplot global state)."""
    figure = import_optional("matplotlib.figure", "plotting", PLOT_INSTALL_HINT, PlotsUnavailable)
    return figure.Figure(**kwargs)


def save_png(fig, path):
    """Write `fig` to `path` as PNG, atomically (a reader never sees half an image)."""
    with atomic_write(path) as f:
        fig.savefig(f, format="png", dpi=100)
    return path
