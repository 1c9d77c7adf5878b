"""The run folder's plots, skipped with one line of advice when matplotlib is missing."""

from neuronet.viz import PlotsUnavailable, plot_confusion_matrix, plot_history


def draw_or_advise(*draws):
    """Call each `draw()` (a function writing a PNG); False (and one printed line saying how
    to get the plots) when matplotlib cannot be imported."""
    try:
        for draw in draws:
            draw()
    except PlotsUnavailable as e:
        print(f"plots skipped: {e}")
        return False
    return True


def write_plots(folder, history, confusion, classes):
    """Write curves.png and confusion.png into `folder`; False when matplotlib is missing."""
    return draw_or_advise(
        lambda: plot_history(history, folder / "curves.png"),
        lambda: plot_confusion_matrix(confusion, classes, folder / "confusion.png"))
