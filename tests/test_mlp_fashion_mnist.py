"""Real data: the 784-256-128-10 MLP trained with this engine on Fashion-MNIST (issue: >= 0.87)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))


@pytest.mark.slow
def test_mlp_reaches_087_on_fashion_mnist_in_10_epochs():
    from mlp_fashion_mnist import train

    result = train(epochs=10, seed=0, progress=False)
    assert result["test_accuracy"] >= 0.87, result
