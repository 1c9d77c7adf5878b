"""Experiment 1 (optimizers): SGD zig-zags across the valley, the others do not; on
Fashion-MNIST momentum and the adaptive methods get further than plain SGD in the same steps."""

import numpy as np
import pytest

from neuronet import optim
from neuronet.experiments.optimizers import START, descend, valley


def test_sgd_path_follows_the_closed_form():
    # f = x^2/20 + y^2: SGD multiplies x by (1 - lr/10) and y by (1 - 2 lr) each step
    path = descend(lambda params: optim.SGD(params, lr=0.95), steps=10)
    k = np.arange(11)
    np.testing.assert_allclose(path[:, 0], START[0] * 0.905 ** k, rtol=1e-5)
    np.testing.assert_allclose(path[:, 1], START[1] * (-0.9) ** k, rtol=1e-5)


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("optimizers", ("optimizer_paths.png", "fashion_mnist_losses.png"))


def test_sgd_zigzags_and_the_others_do_not(results):
    paths = results["paths"]
    assert paths["SGD"]["y_sign_changes"] == 30  # crosses the valley floor at every step
    for name in ("Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"):
        assert paths[name]["y_sign_changes"] <= 6, name
        assert paths[name]["path_length"] < paths["SGD"]["path_length"] / 2, name
    for name, numbers in paths.items():  # everyone gets close to the minimum
        assert numbers["final_f"] < valley(*START) / 50, name


def test_fashion_mnist_losses(results):
    losses = results["fashion_mnist"]
    first = {numbers["first_loss"] for numbers in losses.values()}
    assert len(first) == 1  # the same initial weights and first batch for everyone
    for name, numbers in losses.items():
        assert numbers["final_loss"] < numbers["first_loss"], name
        assert numbers["test_accuracy"] > 0.3, name  # chance is 0.1
    for name in ("Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"):
        assert losses[name]["final_loss"] < losses["SGD"]["final_loss"] - 0.3, name
