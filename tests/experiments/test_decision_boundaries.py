"""Experiment 7 (decision_boundaries): a line cannot separate the spiral arms, hidden units
can; a stronger L2 penalty gives smaller weights and a looser fit."""

import numpy as np
import pytest

from neuronet.experiments.decision_boundaries import boundary_length


def test_boundary_length_counts_class_changes_between_neighbours():
    assert boundary_length(np.zeros((4, 4), int)) == 0
    halves = np.repeat([[0, 0, 1, 1]], 4, axis=0)  # one vertical boundary: 4 of 24 pairs
    assert boundary_length(halves) == pytest.approx(4 / 24)
    checkerboard = np.indices((4, 4)).sum(axis=0) % 2
    assert boundary_length(checkerboard) == 1.0


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("decision_boundaries", ["capacity.png", "regularization.png"])


def test_capacity(results):
    spiral = {name: n["train_accuracy"] for name, n in results["spiral"]["capacity"].items()}
    assert spiral["linear"] < 0.7  # three interleaved arms: a line gets about half right
    assert spiral["20 hidden units"] > 0.9
    assert spiral["linear"] < spiral["3 hidden units"] < spiral["20 hidden units"]
    moons = {name: n["train_accuracy"] for name, n in results["moons"]["capacity"].items()}
    assert moons["20 hidden units"] > moons["linear"] + 0.05


def test_l2_shrinks_the_weights_and_loosens_the_fit(results):
    for dataset in ("spiral", "moons"):
        runs = results[dataset]["l2"]
        assert list(runs) == ["0", "0.0001", "0.001", "0.01"]
        norms = [n["weight_sq_norm"] for n in runs.values()]
        assert all(a > b for a, b in zip(norms, norms[1:])), (dataset, norms)
        assert runs["0.01"]["train_accuracy"] < runs["0"]["train_accuracy"] - 0.05, dataset
