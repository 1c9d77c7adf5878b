"""The run folder's plots, skipped with one line of advice when matplotlib is missing."""

from neuronet.viz import PlotsUnavailable, plot_confusion_matrix, plot_history


def write_plots(folder, history, confusion, classes):
    """Write curves.png and confusion.png into `folder`; False (and a printed line saying how
    to get them) when matplotlib cannot be imported."""
    try:
        plot_history(history, folder / "curves.png")
        plot_confusion_matrix(confusion, classes, folder / "confusion.png")
    except PlotsUnavailable as e:
        print(f"plots skipped: {e}")
        return False
    return True
