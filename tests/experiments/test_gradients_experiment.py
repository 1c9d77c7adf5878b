"""Experiment 3 (gradients): sigmoid nets' gradients vanish toward the input, too-large ReLU
weights make them explode, He init and batch norm keep them level; clipping rescues an RNN."""

import numpy as np
import pytest

from neuronet.experiments.gradients import DEPTH


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("gradients", ("gradient_norms.png", "rnn_clipping.png"))


def test_gradient_norms_per_layer(results):
    norms = {label: np.array(values) for label, values in results["weight_gradient_norms"].items()}
    assert all(len(values) == DEPTH + 1 for values in norms.values())
    ratio = results["first_to_last_hidden_ratio"]
    assert ratio["sigmoid, Xavier"] < 1e-3  # vanishing: each sigmoid layer divides by ~3
    assert np.all(np.diff(norms["sigmoid, Xavier"]) > 0)  # shrinking layer after layer
    assert ratio["sigmoid, Xavier + batch norm"] > 0.1
    hidden = norms["ReLU, He"][:DEPTH]
    assert hidden.max() / hidden.min() < 10  # level
    assert norms["ReLU, std 0.3 (too large)"].min() > 100 * norms["ReLU, He"].max()  # exploding
    assert norms["ReLU, std 0.3 + batch norm"].max() < 100


def test_clipping_lets_the_rnn_learn(results):
    plain, clipped = results["rnn"]["no clipping"], results["rnn"]["clipped to norm 1"]
    assert clipped["final_loss"] < plain["final_loss"] - 0.15
    assert clipped["test_accuracy"] > plain["test_accuracy"] + 0.08
    assert plain["final_loss"] > 2.2  # stuck near ln 10 = 2.30
