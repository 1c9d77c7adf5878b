"""Experiment 2 (initialization): what the weight scale does to the activations of a 5-layer
net, and to the training that follows."""

import numpy as np
import pytest

from neuronet.experiments.common import hidden_activations, mlp


def test_hidden_activations_are_each_layers_output():
    model = mlp([3, 4, 4, 2], "relu", 0.5, generator=np.random.default_rng(0))
    x = np.random.default_rng(1).standard_normal((5, 3)).astype(np.float32)
    first, second = hidden_activations(model, x)
    w1, b1 = model[0].weight.data, model[0].bias.data
    expected = np.maximum(x @ w1.T + b1, 0)
    np.testing.assert_allclose(first, expected, rtol=1e-6)
    np.testing.assert_allclose(second, np.maximum(expected @ model[2].weight.data.T, 0),
                               rtol=1e-5, atol=1e-7)


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("initialization", ("activations_sigmoid.png", "activations_relu.png",
                                        "training_curves.png"))


def test_sigmoid_activations(results):
    acts = results["activations"]
    # std 1: large pre-activations, most outputs pinned near 0 or 1 in every layer
    assert min(acts["sigmoid, std 1"]["saturated"]) > 0.4
    # std 0.01: everything ~0.5 — the units cannot tell inputs apart
    assert max(acts["sigmoid, std 0.01"]["std"]) < 0.03
    assert all(abs(m - 0.5) < 0.01 for m in acts["sigmoid, std 0.01"]["mean"])
    # Xavier: a broad spread, hardly any saturation
    assert min(acts["sigmoid, Xavier"]["std"]) > 0.05
    assert max(acts["sigmoid, Xavier"]["saturated"]) < 0.01


def test_relu_activations(results):
    acts = results["activations"]
    he = acts["ReLU, He"]["std"]
    assert 0.5 < he[-1] / he[0] < 2  # He keeps the spread level through the layers
    xavier = acts["ReLU, Xavier"]["std"]
    assert 0.1 < xavier[-1] / xavier[0] < 0.5  # Xavier loses ~1/sqrt(2) per layer
    tiny = acts["ReLU, std 0.01"]["std"]
    assert tiny[-1] / tiny[0] < 1e-3  # std 0.01 loses ~14x per layer
    for label in ("ReLU, std 0.01", "ReLU, Xavier", "ReLU, He"):
        assert all(0.3 < z < 0.7 for z in acts[label]["zero"]), label  # half the units off


def test_training_follows_the_initialization(results):
    training = results["training"]
    # std 0.01 ReLU: the signal (and the gradient) vanishes, the loss stays at ln 10
    assert abs(training["ReLU, std 0.01"]["final_loss"] - np.log(10)) < 0.05
    assert training["ReLU, He"]["final_loss"] < training["ReLU, std 0.01"]["final_loss"] - 0.4
    assert training["ReLU, He"]["test_accuracy"] > 0.2
