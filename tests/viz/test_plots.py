"""The plots: valid PNGs with the expected layout, clear errors, and a clean message without
matplotlib."""

import sys

import numpy as np
import pytest

from neuronet.train import History
from neuronet.viz import PlotsUnavailable, plot_confusion_matrix, plot_history

Image = pytest.importorskip("PIL.Image")
pytest.importorskip("matplotlib")


def _history(names=("loss", "accuracy", "val_loss", "val_accuracy", "lr"), epochs=3):
    history = History()
    for epoch in range(1, epochs + 1):
        history.append(epoch, {name: 1.0 / (epoch + i) for i, name in enumerate(names)})
    return history


def _image(path):
    with open(path, "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        return np.asarray(image.convert("L"))


def test_history_plot_has_one_panel_per_quantity(tmp_path):
    # loss and accuracy (lr is not plotted): two panels of 5 inches at 100 dpi
    two = _image(plot_history(_history(), tmp_path / "curves.png"))
    assert two.shape == (400, 1000)
    assert two.std() > 10  # something is drawn
    one = _image(plot_history(_history(("loss",)), tmp_path / "loss.png"))
    assert one.shape == (400, 500)


def test_history_plot_skips_missing_epochs(tmp_path):
    history = History()
    history.append(1, {"loss": 1.0})
    history.append(2, {"loss": 0.5, "val_loss": 0.7})  # val_loss is None at epoch 1
    _image(plot_history(history, tmp_path / "c.png"))


def test_empty_history_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="plot_history: the history holds no logged values"):
        plot_history(History(), tmp_path / "c.png")
    assert not (tmp_path / "c.png").exists()


def test_confusion_matrix_plot(tmp_path):
    cm = np.array([[50, 2, 0], [5, 40, 5], [0, 0, 9]])
    pixels = _image(plot_confusion_matrix(cm, ["cat", "dog", "bird"], tmp_path / "cm.png"))
    assert pixels.shape[0] > 200 and pixels.std() > 10


@pytest.mark.parametrize("cm, classes, message", [
    (np.zeros((2, 3)), ["a", "b"], r"square \(C, C\) matrix, got \(2, 3\)"),
    (np.zeros(4), ["a"], r"square \(C, C\) matrix, got \(4,\)"),
    (np.zeros((2, 2)), ["a", "b", "c"], "3 class names for a 2x2 matrix"),
])
def test_confusion_matrix_bad_input(tmp_path, cm, classes, message):
    with pytest.raises(ValueError, match=message):
        plot_confusion_matrix(cm, classes, tmp_path / "cm.png")


def test_without_matplotlib_plots_raise_with_install_hint(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    for draw in (lambda: plot_history(_history(), tmp_path / "c.png"),
                 lambda: plot_confusion_matrix(np.eye(2), ["a", "b"], tmp_path / "cm.png")):
        with pytest.raises(PlotsUnavailable, match=r"pip install neuronet\[plot\]"):
            draw()
    assert list(tmp_path.iterdir()) == []
