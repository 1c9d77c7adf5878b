"""Experiment 9 (cnn_features): a briefly trained LeNet-5 is far above chance, its maps shrink
stage by stage as the architecture says, blur removes detail and sharpen/edges add it."""

import numpy as np
import pytest

from neuronet.experiments.cnn_features import neighbour_correlation
from neuronet.vision import filters


def test_neighbour_correlation_tells_smooth_kernels_from_noise():
    rng = np.random.default_rng(0)
    assert abs(neighbour_correlation(rng.standard_normal((50, 5, 5)))) < 0.1
    blob = np.outer(*[filters.gaussian_kernel1d(1.5, size=5)] * 2)
    ramp = np.tile(np.linspace(-1.0, 1.0, 5), (5, 1))  # an edge detector's smooth slope
    assert neighbour_correlation(np.stack([blob, -blob, ramp])) > 0.3
    checkerboard = (-1.0) ** np.indices((5, 5)).sum(axis=0)  # every neighbour flips sign
    assert neighbour_correlation(checkerboard[None]) < -0.9


@pytest.fixture(scope="module")
def run(run_quick):
    return run_quick("cnn_features", ["learned_filters.png", "feature_maps.png",
                                      "hand_kernels.png"])


def test_the_cnn_learns_and_its_maps_follow_lenet5(run):
    assert run["cnn"]["test_accuracy"] > 0.4  # chance is 0.1; 32 Adam steps on 2000 images
    assert run["map_shapes"] == {"conv1 + ReLU": [6, 28, 28], "max-pool 1": [6, 14, 14],
                                 "conv2 + ReLU": [16, 10, 10], "max-pool 2": [16, 5, 5]}
    for fraction in run["active_fraction"].values():
        assert 0.05 < fraction < 0.95  # ReLU switches some units off, not all


def test_hand_kernels_remove_or_add_detail(run):
    detail = run["detail_relative_to_original"]
    assert set(detail) == {"gaussian-blur", "sharpen", "emboss", "sobel"}
    assert detail["gaussian-blur"] < 0.5
    assert detail["sharpen"] > 1.5
    assert detail["emboss"] > 1.0 and detail["sobel"] > 1.0
