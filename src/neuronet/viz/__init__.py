"""Plots of training runs (needs the plotting extra: `pip install neuronet[plot]`).

    plot_history(history, "curves.png")                        # loss and accuracy per epoch
    plot_confusion_matrix(cm, classes, "confusion.png")        # heat map of a confusion matrix
    plot_hidden_states(signal, states, "hidden.png")           # a recurrent net over a sequence

matplotlib is imported only when a plot is drawn, with its non-interactive Agg canvas, so
importing neuronet never needs it; without it the functions raise PlotsUnavailable.
"""

from neuronet.viz.backend import PLOT_INSTALL_HINT, PlotsUnavailable
from neuronet.viz.confusion import plot_confusion_matrix
from neuronet.viz.curves import plot_history
from neuronet.viz.sequence import plot_hidden_states

__all__ = ["PLOT_INSTALL_HINT", "PlotsUnavailable", "plot_confusion_matrix", "plot_history",
           "plot_hidden_states"]
