"""Real data, briefly: LeNet-5 on Fashion-MNIST and CNN1D on MNIST-1D train well above chance
in a fraction of the README runs (examples/cnn_classifier.py); the LeNet-5 pictures."""

import sys
from pathlib import Path

import numpy as np
import pytest

from neuronet.models import LeNet5

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples"))


def _fashion_mnist_or_skip():
    from neuronet.data.registry import get_dataset_spec

    if get_dataset_spec("fashion-mnist").locate() is None:
        pytest.skip("Fashion-MNIST is not on this machine")


@pytest.mark.slow
def test_lenet5_one_epoch_on_a_fifth_of_fashion_mnist():
    _fashion_mnist_or_skip()
    from cnn_classifier import train

    _, history, _ = train("lenet5", epochs=1, train_size=12_000)
    assert history.last("val_accuracy") >= 0.75, history.history  # chance: 0.10


@pytest.mark.slow
def test_cnn1d_three_epochs_on_mnist1d():
    pytest.importorskip("mnist1d")
    from cnn_classifier import train

    _, history, _ = train("cnn1d", epochs=3)
    assert history.last("val_accuracy") >= 0.75, history.history  # chance: 0.10


def test_lenet5_pictures_are_written(tmp_path):
    pytest.importorskip("matplotlib")
    from cnn_classifier import plot_lenet5
    from PIL import Image

    image = np.random.default_rng(0).random((1, 28, 28)).astype(np.float32)
    paths = plot_lenet5(LeNet5(padding=2), image, tmp_path / "plots")
    for path in paths:
        with Image.open(path) as png:
            assert png.format == "PNG" and min(png.size) > 100
