"""GoogLeNet: torchvision's parameter counts and keys, an Inception module against torch,
the auxiliary heads in training and eval mode."""

import numpy as np
import pytest

import neuronet
from neuronet.models import GoogLeNet
from neuronet.models.googlenet import Inception
from neuronet.models.registry import build_model, count_parameters
from oracle import check_finite_differences, needs_torch, step_both


def torch_inception(in_channels, ch1, ch3r, ch3, ch5r, ch5, proj):
    torch = needs_torch()
    tnn = torch.nn

    def basic(cin, cout, k, padding=0):
        class BasicConv2d(tnn.Module):
            def __init__(self):
                super().__init__()
                self.conv = tnn.Conv2d(cin, cout, k, padding=padding, bias=False)
                self.bn = tnn.BatchNorm2d(cout, eps=0.001)

            def forward(self, x):
                return torch.relu(self.bn(self.conv(x)))

        return BasicConv2d()

    class TorchInception(tnn.Module):
        def __init__(self):
            super().__init__()
            self.branch1 = basic(in_channels, ch1, 1)
            self.branch2 = tnn.Sequential(basic(in_channels, ch3r, 1), basic(ch3r, ch3, 3, 1))
            self.branch3 = tnn.Sequential(basic(in_channels, ch5r, 1), basic(ch5r, ch5, 3, 1))
            self.branch4 = tnn.Sequential(tnn.MaxPool2d(3, 1, 1, ceil_mode=True),
                                          basic(in_channels, proj, 1))

        def forward(self, x):
            return torch.cat([self.branch1(x), self.branch2(x), self.branch3(x),
                              self.branch4(x)], 1)

    return TorchInception().double()


def test_torchvision_parameter_counts():
    assert count_parameters(GoogLeNet()) == 6_624_904
    assert count_parameters(GoogLeNet(aux_logits=True)) == 13_004_888


def test_torchvision_keys_and_shapes():
    shapes = {k: tuple(v.shape) for k, v in GoogLeNet(aux_logits=True).state_dict().items()}
    expected = {
        "conv1.conv.weight": (64, 3, 7, 7), "conv1.bn.running_mean": (64,),
        "conv2.conv.weight": (64, 64, 1, 1), "conv3.conv.weight": (192, 64, 3, 3),
        "inception3a.branch1.conv.weight": (64, 192, 1, 1),
        "inception3a.branch2.0.conv.weight": (96, 192, 1, 1),
        "inception3a.branch2.1.conv.weight": (128, 96, 3, 3),
        "inception3a.branch3.1.conv.weight": (32, 16, 3, 3),
        "inception3a.branch4.1.conv.weight": (32, 192, 1, 1),
        "inception5b.branch4.1.bn.bias": (128,),
        "aux1.conv.conv.weight": (128, 512, 1, 1), "aux1.fc1.weight": (1024, 2048),
        "aux2.fc2.weight": (1000, 1024), "fc.weight": (1000, 1024),
    }
    assert {k: shapes[k] for k in expected} == expected
    assert not any(k.startswith("aux") for k in GoogLeNet().state_dict())


def test_inception_module_matches_torch():
    theirs = torch_inception(5, 2, 3, 4, 2, 3, 2)
    ours = Inception(5, 2, 3, 4, 2, 3, 2).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((2, 5, 6, 7))
    step_both(ours, theirs, x, what="Inception (train mode)")
    out = ours(neuronet.tensor(x, dtype="float64"))
    assert out.shape == (2, 2 + 4 + 3 + 2, 6, 7)


def test_inception_finite_differences():
    module = Inception(3, 2, 2, 2, 1, 2, 1).double().eval()
    check_finite_differences(module, np.random.default_rng(1).standard_normal((1, 3, 4, 4)))


def test_auxiliary_heads_in_training_and_eval_mode():
    model = GoogLeNet(num_classes=4, in_channels=1, aux_logits=True)
    out = model(neuronet.randn(2, 1, 32, 32))
    assert out._fields == ("logits", "aux_logits2", "aux_logits1")
    assert [o.shape for o in out] == [(2, 4)] * 3
    assert not np.allclose(out.logits.data, out.aux_logits1.data)
    model.eval()
    assert model(neuronet.randn(2, 1, 32, 32)).shape == (2, 4)


def test_registry_and_errors():
    model = build_model("googlenet", (1, 28, 28), 10)
    assert model.aux1 is None and model(neuronet.randn(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match=r"googlenet: needs image inputs \(C, H, W\)"):
        build_model("googlenet", (28, 28), 10)
