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

from neuronet.models.mlp import MLP


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
    if name not in _MODELS:
        raise ValueError(f"unknown model {name!r}; the models are: {', '.join(model_names())}")
    return _MODELS[name]


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
