"""Experiment 4 (batchnorm): with batch norm the net trains from any initial weight scale,
without it only from a narrow band."""

import pytest


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("batchnorm", ("training_curves.png", "final_accuracy.png"))


def test_batch_norm_trains_whatever_the_scale(results):
    scales = results["weight_std"]
    plain = dict(zip(scales, results["train_accuracy"]["plain"]))
    normed = dict(zip(scales, results["train_accuracy"]["batch_norm"]))
    assert plain[1.0] is None  # std 1 without batch norm: the activations overflow (NaN)
    for scale in (0.01, 0.001):  # tiny weights: the signal dies out, nothing is learned ...
        assert plain[scale] < 0.2, scale
        assert normed[scale] > 0.5, scale  # ... unless batch norm rescales every layer
    assert all(value is not None for value in normed.values())
    learned = [s for s in scales if normed[s] > (plain[s] or 0.1) + 0.2]
    assert len(learned) >= 2
