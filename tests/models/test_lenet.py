"""LeNet5: the classic parameter count, torch's numbers through the same architecture, finite
differences, the 28x28 variant and clear errors."""

import numpy as np
import pytest

import neuronet
from neuronet.autograd.gradcheck import gradcheck
from neuronet.models import LeNet5
from neuronet.models.registry import build_model, count_parameters
from oracle import needs_torch, step_both


def torch_lenet5(padding, activation, pooling):
    """The same network in torch, with the same attribute names."""
    torch = needs_torch()
    nn = torch.nn
    act = {"relu": nn.ReLU, "tanh": nn.Tanh}[activation]
    pool = {"max": nn.MaxPool2d, "avg": nn.AvgPool2d}[pooling]

    class TorchLeNet5(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 6, 5, padding=padding)
            self.conv2 = nn.Conv2d(6, 16, 5)
            self.fc1 = nn.Linear(400, 120)
            self.fc2 = nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = pool(2)(act()(self.conv2(pool(2)(act()(self.conv1(x))))))
            x = act()(self.fc2(act()(self.fc1(x.flatten(1)))))
            return self.fc3(x)

    return TorchLeNet5().double()


def test_parameter_count_and_keys():
    model = LeNet5()
    assert count_parameters(model) == 61_706
    assert {k: tuple(v.shape) for k, v in model.state_dict().items()} == {
        "conv1.weight": (6, 1, 5, 5), "conv1.bias": (6,),
        "conv2.weight": (16, 6, 5, 5), "conv2.bias": (16,),
        "fc1.weight": (120, 400), "fc1.bias": (120,),
        "fc2.weight": (84, 120), "fc2.bias": (84,),
        "fc3.weight": (10, 84), "fc3.bias": (10,),
    }
    assert count_parameters(LeNet5(num_classes=3, in_channels=3)) == 61_706 + 2 * 150 - 7 * 85


@pytest.mark.parametrize("padding, size, activation, pooling", [
    (0, 32, "relu", "max"), (2, 28, "tanh", "avg"),
])
def test_matches_torch(padding, size, activation, pooling):
    theirs = torch_lenet5(padding, activation, pooling)
    ours = LeNet5(padding=padding, activation=activation, pooling=pooling).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((3, 1, size, size))
    step_both(ours, theirs, x, what=f"LeNet5 {size}x{size} {activation}/{pooling}")


def test_finite_differences_with_respect_to_the_input():
    # the parameters' gradients are checked against torch above (61,706 of them would take
    # minutes of finite differences)
    model = LeNet5(padding=2, activation="tanh", pooling="avg").double()
    x = neuronet.tensor(np.random.default_rng(1).standard_normal((1, 1, 28, 28)),
                        dtype="float64", requires_grad=True)
    gradcheck(model, [x])


def test_feature_maps_are_the_forward_pass_stages():
    model = LeNet5(padding=2)
    x = neuronet.randn(2, 1, 28, 28)
    first, second = model.features(x)
    assert first.shape == (2, 6, 28, 28) and second.shape == (2, 16, 10, 10)
    assert first.data.min() >= 0  # after the ReLU
    np.testing.assert_allclose(model.fc3(model.act4(model.fc2(model.act3(model.fc1(
        model.pool2(second).flatten(1)))))).data, model(x).data)


def test_registry_pads_28x28_and_rejects_other_shapes():
    model = build_model("lenet5", (1, 28, 28), 10)
    assert model.conv1.padding == (2, 2) and model(neuronet.randn(2, 1, 28, 28)).shape == (2, 10)
    assert build_model("lenet5", (3, 32, 32), 5, activation="tanh").conv1.padding == (0, 0)
    with pytest.raises(ValueError, match="lenet5: needs square images of even side up to 32"):
        build_model("lenet5", (1, 28, 30), 10)
    with pytest.raises(ValueError, match=r"lenet5: needs image inputs \(C, H, W\), got input "
                                         r"shape \(40,\)"):
        build_model("lenet5", (40,), 10)


def test_bad_arguments_and_input():
    with pytest.raises(ValueError, match=r"LeNet5: activation must be one of \['relu', 'tanh'\], "
                                         "got 'sigmoid'"):
        LeNet5(activation="sigmoid")
    with pytest.raises(ValueError, match=r"LeNet5: pooling must be one of \['avg', 'max'\]"):
        LeNet5(pooling="min")
    with pytest.raises(ValueError, match=r"LeNet5: expected input \(N, 1, 28, 28\) \(padding=2\), "
                                         r"got shape \(2, 1, 32, 32\)"):
        LeNet5(padding=2)(neuronet.randn(2, 1, 32, 32))
    with pytest.raises(ValueError, match=r"expected input \(N, 1, 32, 32\) \(padding=0\), got "
                                         r"shape \(1, 32, 32\)"):
        LeNet5()(neuronet.randn(1, 32, 32))
