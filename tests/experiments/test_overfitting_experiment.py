"""Experiment 5 (overfitting): a large net learns 200 images by heart; weight decay keeps the
weights small, augmentation and more data narrow the train/test gap; wider nets fit the
training set better while the test accuracy levels off."""

import numpy as np
import pytest

from neuronet.experiments.overfitting import SHIFT, augmented


def test_augmented_images_are_shifted_or_mirrored_copies():
    rng = np.random.default_rng(0)
    x = rng.random((4, 784)).astype(np.float32)
    dataset = augmented(x, np.arange(4))
    image, label = dataset[2]
    assert image.shape == (784,) and label == 2
    original = x[2].reshape(28, 28)
    padded = np.pad(original, SHIFT)
    candidates = [padded[dy:dy + 28, dx:dx + 28] for dy in range(2 * SHIFT + 1)
                  for dx in range(2 * SHIFT + 1)]
    candidates += [c[:, ::-1] for c in candidates]
    assert any(np.array_equal(np.asarray(image).reshape(28, 28), c) for c in candidates)


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("overfitting", ("train_vs_test.png", "hidden_units.png"))


def test_overfitting_and_cures(results):
    s = results["settings"]
    assert s["baseline"]["train"] > 0.95 and s["baseline"]["gap"] > 0.2  # learned by heart
    assert s["L2 weight decay"]["weight_norm"] < 0.9 * s["baseline"]["weight_norm"]
    assert s["augmentation"]["gap"] < s["baseline"]["gap"] - 0.05
    assert s["10x more data"]["test"] > s["baseline"]["test"] + 0.03
    assert s["10x more data"]["gap"] < s["baseline"]["gap"]


def test_hidden_units_sweep(results):
    sweep = {int(width): numbers for width, numbers in results["hidden_units"].items()}
    widths = sorted(sweep)
    assert sweep[widths[-1]]["train"] > 0.99  # the widest net fits the training set
    assert sweep[widths[-1]]["train"] > sweep[4]["train"] + 0.3
    assert sweep[1]["test"] < 0.3  # one unit cannot separate ten classes
    assert sweep[widths[-1]]["test"] - sweep[64]["test"] < 0.05  # test accuracy levels off
