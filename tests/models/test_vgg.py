"""VGG: torchvision's parameter counts (worked out from the configs and checked against built
models with light heads: the full VGG-16 is 550 MB and a minute to initialize), keys, the
small-image head, errors."""

import numpy as np
import pytest

import neuronet
from neuronet.models import VGG, vgg11, vgg11_bn, vgg16_bn, vgg19
from neuronet.models.registry import build_model, count_parameters
from neuronet.models.vgg import vgg_parameter_count
from oracle import needs_torch, step_both


def test_torchvision_parameter_counts():
    assert vgg_parameter_count(16) == 138_357_544
    # torchvision's other published counts
    assert vgg_parameter_count(11) == 132_863_336
    assert vgg_parameter_count(11, batch_norm=True) == 132_868_840
    assert vgg_parameter_count(13) == 133_047_848
    assert vgg_parameter_count(16, batch_norm=True) == 138_365_992
    assert vgg_parameter_count(19) == 143_667_240
    assert vgg_parameter_count(19, batch_norm=True) == 143_678_248


@pytest.mark.parametrize("build, depth, bn", [(vgg11, 11, False), (vgg16_bn, 16, True),
                                              (vgg19, 19, False)])
def test_built_models_have_the_counted_parameters(build, depth, bn):
    kwargs = dict(num_classes=7, in_channels=1, pool_size=2, hidden=16)
    assert count_parameters(build(**kwargs)) == vgg_parameter_count(depth, bn, **kwargs)


def test_torchvision_keys_and_shapes():
    model = vgg16_bn(pool_size=1, hidden=8)  # torchvision's keys; the light head's shapes
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    expected = {
        "features.0.weight": (64, 3, 3, 3), "features.0.bias": (64,),
        "features.1.weight": (64,), "features.1.running_var": (64,),
        "features.3.weight": (64, 64, 3, 3), "features.7.weight": (128, 64, 3, 3),
        "features.40.weight": (512, 512, 3, 3), "features.41.num_batches_tracked": (),
        "classifier.0.weight": (8, 512), "classifier.3.weight": (8, 8),
        "classifier.6.weight": (1000, 8), "classifier.6.bias": (1000,),
    }
    assert {k: shapes[k] for k in expected} == expected
    assert len(model.features) == 44 and len(model.classifier) == 7
    plain = vgg11(pool_size=1, hidden=8).state_dict()
    assert [k for k in plain if k.startswith("features")][-2:] == ["features.18.weight",
                                                                     "features.18.bias"]


def test_torch_numbers_through_a_small_vgg():
    torch = needs_torch()
    tnn = torch.nn
    layers = [tnn.Conv2d(2, 4, 3, padding=1), tnn.BatchNorm2d(4), tnn.ReLU(), tnn.MaxPool2d(2),
              tnn.Conv2d(4, 8, 3, padding=1), tnn.BatchNorm2d(8), tnn.ReLU(), tnn.MaxPool2d(2)]

    class TorchVGG(tnn.Module):
        def __init__(self):
            super().__init__()
            self.features = tnn.Sequential(*layers)
            self.avgpool = tnn.AdaptiveAvgPool2d((2, 2))
            self.classifier = tnn.Sequential(
                tnn.Linear(32, 6), tnn.ReLU(), tnn.Dropout(), tnn.Linear(6, 6), tnn.ReLU(),
                tnn.Dropout(), tnn.Linear(6, 3))

        def forward(self, x):
            return self.classifier(self.avgpool(self.features(x)).flatten(1))

    theirs = TorchVGG().double().eval()
    ours = VGG([4, "M", 8, "M"], True, num_classes=3, in_channels=2, pool_size=2,
               hidden=6).double().eval()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    step_both(ours, theirs, np.random.default_rng(0).standard_normal((2, 2, 12, 12)),
              what="small VGG (eval)")


def test_torchvision_initialization():
    model = vgg11_bn(num_classes=10, pool_size=1, hidden=256)
    conv = model.features[0].weight.data
    assert np.all(model.features[0].bias.data == 0) and np.all(model.features[1].weight.data == 1)
    # kaiming normal, fan_out = 64 * 9, gain sqrt(2)
    assert abs(conv.std() - np.sqrt(2 / (64 * 9))) < 0.2 * np.sqrt(2 / (64 * 9))
    fc = model.classifier[0].weight.data
    assert abs(fc.std() - 0.01) < 0.001 and np.all(model.classifier[0].bias.data == 0)


def test_registry_small_images_and_errors():
    model = build_model("vgg11_bn", (1, 32, 32), 10)
    assert model(neuronet.randn(2, 1, 32, 32)).shape == (2, 10)
    assert model.classifier[0].weight.shape == (512, 512)
    with pytest.raises(ValueError, match="vgg16_bn: needs images of at least 32x32, got 28x28"):
        build_model("vgg16_bn", (1, 28, 28), 10)
    with pytest.raises(ValueError, match=r"VGG: config must be one of \['A', 'B', 'D', 'E'\]"):
        VGG("C")
