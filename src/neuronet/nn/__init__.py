"""Neural-network building blocks, with PyTorch's names: `Module`, `Parameter`, layers,
activations and losses as modules, `init` (weight initialization), `functional` (the same
operations as plain functions) and `summary` (a per-layer table of a model).

    from neuronet import nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    loss = nn.CrossEntropyLoss()(model(x), y)
"""

from neuronet.nn import functional, init
from neuronet.nn.parameter import Parameter
from neuronet.nn.modules import *  # noqa: F403  (the layer classes, listed in modules.__all__)
from neuronet.nn.modules import __all__ as _modules_all
from neuronet.nn.summary import ModelSummary, summary

__all__ = ["functional", "init", "Parameter", "summary", "ModelSummary", *_modules_all]
