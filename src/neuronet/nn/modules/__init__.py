"""The layers: `Module` and containers, Linear, Flatten, Dropout, normalization,
activations and losses (one file per topic)."""

from neuronet.nn.modules.module import IncompatibleKeys, Module, RemovableHandle, StateDictError
from neuronet.nn.modules.container import ModuleDict, ModuleList, Sequential
from neuronet.nn.modules.linear import Identity, Linear
from neuronet.nn.modules.flatten import Flatten
from neuronet.nn.modules.dropout import Dropout
from neuronet.nn.modules.norm import BatchNorm1d, LayerNorm
from neuronet.nn.modules.activation import (
    ELU, GELU, SELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh,
)
from neuronet.nn.modules.loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, MultiMarginLoss,
    NLLLoss, SmoothL1Loss,
)

__all__ = [
    "IncompatibleKeys", "Module", "RemovableHandle", "StateDictError", "ModuleDict", "ModuleList",
    "Sequential", "Identity", "Linear", "Flatten", "Dropout", "BatchNorm1d", "LayerNorm", "ELU",
    "GELU", "SELU", "LeakyReLU", "LogSoftmax", "ReLU", "Sigmoid", "Softmax", "Softplus", "Tanh",
    "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "HuberLoss", "L1Loss", "MSELoss",
    "MultiMarginLoss", "NLLLoss", "SmoothL1Loss",
]
