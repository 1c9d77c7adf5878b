"""SimpleCNN: shapes, parameter count, torch's numbers, finite differences, errors."""

import numpy as np
import pytest

import neuronet
from neuronet.models import SimpleCNN
from neuronet.models.registry import build_model, count_parameters
from oracle import check_finite_differences, needs_torch, step_both


def test_default_is_the_two_conv_net_for_28x28():
    model = build_model("simplecnn", (1, 28, 28), 10)
    assert count_parameters(model) == 421_866
    assert model(neuronet.randn(3, 1, 28, 28)).shape == (3, 10)
    assert list(model.state_dict())[:2] == ["features.0.weight", "features.1.weight"]


def test_matches_torch():
    torch = needs_torch()
    tnn = torch.nn
    theirs = tnn.Module()
    theirs.features = tnn.Sequential(
        tnn.Conv2d(2, 3, 3, padding=1, bias=False), tnn.BatchNorm2d(3), tnn.ReLU(),
        tnn.Conv2d(3, 3, 3, padding=1, bias=False), tnn.BatchNorm2d(3), tnn.ReLU(),
        tnn.MaxPool2d(2),
        tnn.Conv2d(3, 4, 3, padding=1, bias=False), tnn.BatchNorm2d(4), tnn.ReLU(),
        tnn.Conv2d(4, 4, 3, padding=1, bias=False), tnn.BatchNorm2d(4), tnn.ReLU(),
        tnn.MaxPool2d(2))
    theirs.classifier = tnn.Sequential(
        tnn.Flatten(), tnn.Dropout(0.0), tnn.Linear(4 * 3 * 2, 5, bias=False),
        tnn.BatchNorm1d(5), tnn.ReLU(), tnn.Dropout(0.0), tnn.Linear(5, 3))
    theirs.forward = lambda x: theirs.classifier(theirs.features(x))
    theirs.double()
    ours = SimpleCNN(3, 2, (12, 9), (3, 4), convs_per_stage=2, hidden=5, dropout=0.0).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    step_both(ours, theirs, np.random.default_rng(0).standard_normal((4, 2, 12, 9)),
              what="SimpleCNN (train mode)")


def test_finite_differences():
    model = SimpleCNN(2, 1, (4, 4), (2,), hidden=3, dropout=0.0).double()
    check_finite_differences(model, np.random.default_rng(1).standard_normal((3, 1, 4, 4)))


def test_errors():
    with pytest.raises(ValueError, match="SimpleCNN: 3 pooling stages need inputs of at least "
                                         "8x8, got 4x4"):
        SimpleCNN(input_size=4, channels=(8, 8, 8))
    with pytest.raises(ValueError, match="simplecnn: needs images of at least 4x4, got 2x2"):
        build_model("simplecnn", (1, 2, 2), 10)
