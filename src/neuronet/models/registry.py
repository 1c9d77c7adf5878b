"""The model zoo by name: each name builds a network for a given input shape and class count.

    build_model("mlp", input_shape=(1, 28, 28), num_classes=10)   # MLP([784, 256, 128, 10])
    build_model("mlp", (40,), 10, hidden=[64])                      # MLP([40, 64, 10])
    register_model("lenet5", build_lenet5, default_config={}, default_input=(1, 28, 28),
                   description="LeNet-5 ...")

A builder is `fn(input_shape, num_classes, **config) -> Module`; its default config (JSON-able)
is what `neuronet train` writes to config.json, so a run can be rebuilt from that file alone.
"""

import dataclasses
import math

from neuronet.models.alexnet import build_alexnet
from neuronet.models.cnn1d import build_cnn1d
from neuronet.models.googlenet import build_googlenet
from neuronet.models.lenet import build_lenet5
from neuronet.models.mlp import MLP
from neuronet.models.resnet import resnet_builder
from neuronet.models.simple_cnn import build_simple_cnn
from neuronet.models.vgg import vgg_builder
from neuronet.registry import lookup


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    """One registered model: its builder, its default options and the input it is made for."""

    name: str
    builder: object
    default_config: dict
    default_input: tuple
    description: str


_MODELS = {}


def register_model(name, builder, default_config=None, default_input=(1, 28, 28),
                   description=""):
    """Make `builder(input_shape, num_classes, **config)` available as `name`."""
    if name in _MODELS:
        raise ValueError(f"register_model: a model named {name!r} is already registered")
    _MODELS[name] = ModelSpec(name, builder, dict(default_config or {}), tuple(default_input),
                              description)


def model_names():
    return sorted(_MODELS)


def get_model_spec(name):
    return lookup("model", name, _MODELS, model_names())


def model_config(name, **overrides):
    """The full configuration of model `name`: its defaults updated with `overrides`."""
    spec = get_model_spec(name)
    unknown = sorted(set(overrides) - set(spec.default_config))
    if unknown:
        raise ValueError(f"model {name!r} has no option {', '.join(unknown)}; its options are: "
                         f"{', '.join(sorted(spec.default_config)) or 'none'}")
    return {**spec.default_config, **overrides}


def build_model(name, input_shape=None, num_classes=10, **config):
    """A fresh model `name` for inputs of `input_shape` (no batch dim; default: the model's own)
    and `num_classes` outputs, with its default options updated by `config`."""
    spec = get_model_spec(name)
    shape = spec.default_input if input_shape is None else tuple(input_shape)
    return spec.builder(shape, num_classes, **model_config(name, **config))


def count_parameters(model):
    """The number of scalar parameters in `model`."""
    return sum(p.data.size for p in model.parameters())


def _build_mlp(input_shape, num_classes, hidden=(256, 128), dropout=0.0):
    return MLP([math.prod(input_shape), *hidden, num_classes], dropout=dropout)


register_model("mlp", _build_mlp, {"hidden": [256, 128], "dropout": 0.0},
               description="multilayer perceptron: flattened input, ReLU hidden layers "
                           "(default 256-128)")
register_model("lenet5", build_lenet5, {"activation": "relu", "pooling": "max"},
               description="LeNet-5: 2 conv 5x5 + 2 pool + 3 fc (61,706 parameters at 32x32; "
                           "28x28 padded by the first conv)")
register_model("simplecnn", build_simple_cnn,
               {"channels": [32, 64], "convs_per_stage": 1, "hidden": 128, "dropout": 0.25},
               description="small VGG-style net: (conv 3x3 + BN + ReLU) stages with max-pool, "
                           "fc + BN, dropout")
register_model("cnn1d", build_cnn1d, {"channels": [32, 64, 128], "kernel_size": 5},
               default_input=(40,),
               description="1-D CNN for signals (MNIST-1D): conv1d + BN + ReLU stages, global "
                           "average pooling, fc")
register_model("alexnet", build_alexnet, {"dropout": 0.5, "pool_size": 1, "hidden": 1024},
               default_input=(3, 64, 64),
               description="AlexNet's 5 conv layers (images >= 63x63) with a light head; "
                           "models.AlexNet() is torchvision's (61,100,840 at 224x224)")
for _depth in (11, 16):
    register_model(f"vgg{_depth}_bn", vgg_builder(_depth, True),
                   {"dropout": 0.5, "pool_size": 1, "hidden": 512}, default_input=(3, 32, 32),
                   description=f"VGG-{_depth} with batch norm (images >= 32x32), light 512-512 "
                               f"head; models.vgg{_depth}_bn() is torchvision's")
for _depth in (18, 34, 50):
    register_model(f"resnet{_depth}", resnet_builder(_depth), {"zero_init_residual": False},
                   description=f"ResNet-{_depth} as torchvision's "
                               f"({'bottleneck' if _depth == 50 else 'basic'} blocks)")
register_model("googlenet", build_googlenet, {"dropout": 0.2},
               description="GoogLeNet (Inception v1, BN) as torchvision's, no auxiliary heads")
