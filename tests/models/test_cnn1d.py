"""CNN1D: (N, L) and (N, C, L) input, torch's numbers, finite differences, errors."""

import numpy as np
import pytest

import neuronet
from neuronet.models import CNN1D
from neuronet.models.registry import build_model
from oracle import check_finite_differences, needs_torch, step_both


def test_signals_with_and_without_a_channel_axis():
    model = build_model("cnn1d", (40,), 10)
    x = neuronet.randn(3, 40)
    model.eval()
    np.testing.assert_array_equal(model(x).data, model(x.unsqueeze(1)).data)
    assert build_model("cnn1d", (2, 17), 4)(neuronet.randn(5, 2, 17)).shape == (5, 4)


def test_matches_torch():
    torch = needs_torch()
    tnn = torch.nn
    theirs = tnn.Module()
    theirs.features = tnn.Sequential(
        tnn.Conv1d(2, 3, 3, padding=1, bias=False), tnn.BatchNorm1d(3), tnn.ReLU(),
        tnn.MaxPool1d(2),
        tnn.Conv1d(3, 4, 3, padding=1, bias=False), tnn.BatchNorm1d(4), tnn.ReLU())
    theirs.fc = tnn.Linear(4, 5)
    theirs.forward = lambda x: theirs.fc(theirs.features(x).mean(2))
    theirs.double()
    ours = CNN1D(5, 2, (3, 4), kernel_size=3).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    step_both(ours, theirs, np.random.default_rng(0).standard_normal((4, 2, 11)),
              what="CNN1D (train mode)")


def test_finite_differences():
    model = CNN1D(3, 1, (2, 3), kernel_size=3).double()
    check_finite_differences(model, np.random.default_rng(1).standard_normal((3, 1, 8)))


def test_errors():
    with pytest.raises(ValueError, match=r"CNN1D: expected input \(N, 2, L\), got shape "
                                         r"\(3, 40\)"):
        CNN1D(in_channels=2)(neuronet.randn(3, 40))
    with pytest.raises(ValueError, match=r"CNN1D: expected input \(N, 1, L\) or \(N, L\), got "
                                         r"shape \(2, 3, 40\)"):
        CNN1D()(neuronet.randn(2, 3, 40))
    with pytest.raises(ValueError, match=r"cnn1d: needs signal inputs \(L,\) or \(C, L\), got "
                                         r"input shape \(1, 28, 28\)"):
        build_model("cnn1d", (1, 28, 28), 10)
