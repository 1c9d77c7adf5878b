"""Experiment 6 (depth_residual): a deeper plain net ends with a higher training error than a
shallow one, and than a residual net of the same depth; both kinds have the depth claimed."""

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.experiments.depth_residual import ResidualBlock, plain_net, residual_net


@pytest.mark.parametrize("depth", [4, 10, 16])
def test_plain_and_residual_nets_have_the_same_layers(depth):
    for build in (plain_net, residual_net):
        model = build(depth)
        assert sum(isinstance(m, nn.Linear) for m in model.modules()) == depth
        assert sum(isinstance(m, nn.BatchNorm1d) for m in model.modules()) == depth - 1
    assert sum(isinstance(m, ResidualBlock) for m in residual_net(depth).modules()) == \
        (depth - 2) // 2
    assert sum(p.numel() for p in plain_net(depth).parameters()) == \
        sum(p.numel() for p in residual_net(depth).parameters())


def test_a_new_residual_block_is_the_identity_on_relu_outputs():
    block = ResidualBlock(5)
    x = neuronet.tensor(np.random.default_rng(0).uniform(0, 2, size=(8, 5)).astype(np.float32))
    np.testing.assert_array_equal(block(x).data, x.data)  # training mode: batch statistics
    assert block.branch[4].weight.data.tolist() == [0.0] * 5


def test_a_residual_block_adds_its_input():
    block = ResidualBlock(3).eval()
    for layer in (block.branch[0], block.branch[3]):  # a zero branch: the block is relu(x)
        nn.init.zeros_(layer.weight)
        nn.init.zeros_(layer.bias)
    x = neuronet.tensor([[1.0, -2.0, 3.0]])
    assert block(x).data.tolist() == [[1.0, 0.0, 3.0]]


@pytest.fixture(scope="module")
def results(run_quick):
    return run_quick("depth_residual", ["training_error.png", "training_curves.png"])


def test_plain_training_error_rises_with_depth_and_residual_stays_lower(results):
    plain, residual = results["training_error"]["plain"], results["training_error"]["residual"]
    assert plain["16"] > plain["4"] + 0.2
    assert plain["16"] > residual["16"] + 0.1
    assert abs(plain["4"] - residual["4"]) < 0.05  # shallow: the skips hardly matter
