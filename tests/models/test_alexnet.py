"""AlexNet: torchvision's parameter count and keys, the light head for small images, errors."""

import pytest

import neuronet
from neuronet.models import AlexNet
from neuronet.models.registry import build_model, count_parameters


def test_torchvision_parameter_count_and_keys():
    model = AlexNet()
    assert count_parameters(model) == 61_100_840
    shapes = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    assert shapes == {
        "features.0.weight": (64, 3, 11, 11), "features.0.bias": (64,),
        "features.3.weight": (192, 64, 5, 5), "features.3.bias": (192,),
        "features.6.weight": (384, 192, 3, 3), "features.6.bias": (384,),
        "features.8.weight": (256, 384, 3, 3), "features.8.bias": (256,),
        "features.10.weight": (256, 256, 3, 3), "features.10.bias": (256,),
        "classifier.1.weight": (4096, 9216), "classifier.1.bias": (4096,),
        "classifier.4.weight": (4096, 4096), "classifier.4.bias": (4096,),
        "classifier.6.weight": (1000, 4096), "classifier.6.bias": (1000,),
    }


def test_small_images_through_the_registry():
    model = build_model("alexnet", (1, 63, 63), 10)
    assert model.classifier[1].weight.shape == (1024, 256)
    assert model(neuronet.randn(2, 1, 63, 63)).shape == (2, 10)
    with pytest.raises(ValueError, match="alexnet: needs images of at least 63x63, got 32x32"):
        build_model("alexnet", (3, 32, 32), 10)
