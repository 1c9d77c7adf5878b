"""ResNet: torchvision's parameter counts and keys, torch's numbers through ResNet-18 at a
small size, projection shortcuts, zero_init_residual."""

import re

import numpy as np
import pytest

import neuronet
from neuronet.models import resnet18, resnet34, resnet50
from neuronet.models.registry import build_model, count_parameters
from neuronet.models.resnet import BasicBlock, Bottleneck, ResNet, make_stage
from neuronet.nn import summary
from oracle import check_finite_differences, needs_torch, step_both


def torch_resnet(block_kind, layers, num_classes, in_channels):
    """ResNet written in torch with torchvision's module names (torchvision is not installed)."""
    torch = needs_torch()
    nn = torch.nn

    class Block(nn.Module):
        expansion = 4 if block_kind == "bottleneck" else 1

        def __init__(self, inplanes, planes, stride=1, downsample=None):
            super().__init__()
            bottleneck = block_kind == "bottleneck"  # torchvision's order of registration
            self.conv1 = nn.Conv2d(inplanes, planes, 1 if bottleneck else 3,
                                   1 if bottleneck else stride, 0 if bottleneck else 1,
                                   bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride if bottleneck else 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            if bottleneck:
                self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
                self.bn3 = nn.BatchNorm2d(planes * self.expansion)
            self.downsample = downsample

        def forward(self, x):
            out = torch.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            if block_kind == "bottleneck":
                out = self.bn3(self.conv3(torch.relu(out)))
            return torch.relu(out + (x if self.downsample is None else self.downsample(x)))

    class TorchResNet(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(in_channels, 64, 7, 2, 3, bias=False)
            self.bn1 = nn.BatchNorm2d(64)
            self.maxpool = nn.MaxPool2d(3, 2, 1)
            inplanes = 64
            for i, (planes, blocks) in enumerate(zip((64, 128, 256, 512), layers)):
                stride = 1 if i == 0 else 2
                down = None
                if stride != 1 or inplanes != planes * Block.expansion:
                    down = nn.Sequential(
                        nn.Conv2d(inplanes, planes * Block.expansion, 1, stride, bias=False),
                        nn.BatchNorm2d(planes * Block.expansion))
                stage = [Block(inplanes, planes, stride, down)]
                inplanes = planes * Block.expansion
                stage += [Block(inplanes, planes) for _ in range(1, blocks)]
                setattr(self, f"layer{i + 1}", nn.Sequential(*stage))
            self.fc = nn.Linear(512 * Block.expansion, num_classes)

        def forward(self, x):
            x = self.maxpool(torch.relu(self.bn1(self.conv1(x))))
            x = self.layer4(self.layer3(self.layer2(self.layer1(x))))
            return self.fc(x.mean((2, 3)))

    torch.manual_seed(0)
    model = TorchResNet().double()
    with torch.no_grad():  # non-trivial batch-norm affine parameters and running statistics
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                for t in (m.weight, m.bias, m.running_mean):
                    t.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
    return model


def test_torchvision_parameter_counts():
    assert count_parameters(resnet18()) == 11_689_512
    assert count_parameters(resnet50()) == 25_557_032
    assert count_parameters(resnet34()) == 21_797_672  # torchvision's resnet34


def test_torchvision_keys_and_shapes():
    shapes = {k: tuple(v.shape) for k, v in resnet50(num_classes=7).state_dict().items()}
    expected = {
        "conv1.weight": (64, 3, 7, 7), "bn1.running_var": (64,), "bn1.num_batches_tracked": (),
        "layer1.0.conv1.weight": (64, 64, 1, 1), "layer1.0.conv2.weight": (64, 64, 3, 3),
        "layer1.0.conv3.weight": (256, 64, 1, 1), "layer1.0.bn3.bias": (256,),
        "layer1.0.downsample.0.weight": (256, 64, 1, 1),
        "layer1.0.downsample.1.running_mean": (256,),
        "layer2.0.downsample.0.weight": (512, 256, 1, 1),
        "layer3.5.conv2.weight": (256, 256, 3, 3), "layer4.2.bn3.weight": (2048,),
        "fc.weight": (7, 2048), "fc.bias": (7,),
    }
    assert {k: shapes[k] for k in expected} == expected
    assert "layer1.1.downsample.0.weight" not in shapes and len(shapes) == 320
    keys = list(build_model("resnet18", (1, 28, 28), 10).state_dict())
    assert keys[:7] == ["conv1.weight", "bn1.weight", "bn1.bias", "bn1.running_mean",
                        "bn1.running_var", "bn1.num_batches_tracked", "layer1.0.conv1.weight"]
    # ResNet-18: projection shortcuts only where the stage halves the size and widens
    assert sorted({k.rsplit(".", 2)[0] for k in keys if "downsample" in k}) == [
        "layer2.0.downsample", "layer3.0.downsample", "layer4.0.downsample"]
    assert keys[-2:] == ["fc.weight", "fc.bias"]


def test_resnet18_matches_torch_at_small_size():
    theirs = torch_resnet("basic", [2, 2, 2, 2], 10, 1)
    ours = resnet18(num_classes=10, in_channels=1).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((4, 1, 20, 20))
    step_both(ours, theirs, x, what="ResNet-18 (train mode)")  # also the running statistics
    ours.eval()
    theirs.eval()
    step_both(ours, theirs, x[:3], seed=1, what="ResNet-18 (eval mode)")


def test_bottleneck_resnet_matches_torch():
    theirs = torch_resnet("bottleneck", [1, 1, 1, 1], 5, 3)
    ours = ResNet(Bottleneck, [1, 1, 1, 1], num_classes=5).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    step_both(ours, theirs, np.random.default_rng(1).standard_normal((2, 3, 17, 17)),
              what="bottleneck ResNet")


@pytest.mark.parametrize("block, inplanes, planes, stride", [
    (BasicBlock, 3, 3, 1), (BasicBlock, 2, 4, 2), (Bottleneck, 8, 2, 1), (Bottleneck, 3, 2, 2),
])
def test_blocks_finite_differences(block, inplanes, planes, stride):
    layer = make_stage(block, inplanes, planes, 1, stride)[0].double()
    assert (layer.downsample is None) == (stride == 1 and inplanes == planes * block.expansion)
    check_finite_differences(layer, np.random.default_rng(2).standard_normal((2, inplanes, 5, 5)))


def test_zero_init_residual_makes_each_block_an_identity_plus_shortcut():
    model = resnet18(num_classes=3, zero_init_residual=True).eval()
    block = model.layer1[0]
    assert np.all(block.bn2.weight.data == 0)
    x = neuronet.rand(1, 64, 6, 6)  # non-negative: what a block sees after a ReLU
    np.testing.assert_allclose(block(x).data, x.data, atol=1e-6)
    bottleneck = resnet50(zero_init_residual=True).layer2[1]
    assert np.all(bottleneck.bn3.weight.data == 0) and np.any(bottleneck.bn2.weight.data != 0)


def test_summary_lists_the_blocks_with_their_shapes():
    text = str(summary(build_model("resnet18", (1, 28, 28), 10), (1, 1, 28, 28)))
    assert re.search(r"layer2\.0\.downsample\.0 \(Conv2d\)\s+\(1, 128, 4, 4\)\s+8,192", text)
    assert re.search(r"fc \(Linear\)\s+\(1, 10\)\s+5,130", text)
    assert "Total params: 11,175,370" in text


def test_small_inputs_and_errors():
    model = build_model("resnet34", (1, 28, 28), 10)
    assert model(neuronet.randn(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match=r"resnet50: needs image inputs \(C, H, W\)"):
        build_model("resnet50", (40,), 10)
    with pytest.raises(ValueError, match=r"Conv2d\(3, 64, .*expects input with 3 channels, got "
                                         r"input of shape \(1, 1, 32, 32\)"):
        resnet18()(neuronet.randn(1, 1, 32, 32))
