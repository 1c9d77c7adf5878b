"""Neural-network building blocks, with PyTorch's names: `Module`, `Parameter`, layers,
activations and losses as modules, `init` (weight initialization), `functional` (the same
operations as plain functions), `utils` (gradient clipping, penalties) and `summary` (a
per-layer table of a model).

    from neuronet import nn
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))
    loss = nn.CrossEntropyLoss()(model(x), y)
"""

from neuronet.nn import functional, init, utils
from neuronet.nn.modules.activation import (
    ELU,
    GELU,
    SELU,
    LeakyReLU,
    LogSoftmax,
    ReLU,
    Sigmoid,
    Softmax,
    Softplus,
    Tanh,
)
from neuronet.nn.modules.container import ModuleDict, ModuleList, Sequential
from neuronet.nn.modules.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from neuronet.nn.modules.dropout import Dropout
from neuronet.nn.modules.dropout2d import Dropout2d
from neuronet.nn.modules.embedding import Embedding
from neuronet.nn.modules.flatten import Flatten
from neuronet.nn.modules.linear import Identity, Linear
from neuronet.nn.modules.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    L1Loss,
    MSELoss,
    MultiMarginLoss,
    NLLLoss,
    SmoothL1Loss,
)
from neuronet.nn.modules.module import IncompatibleKeys, Module, RemovableHandle, StateDictError
from neuronet.nn.modules.norm import BatchNorm1d, BatchNorm2d, LayerNorm, LocalResponseNorm
from neuronet.nn.modules.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from neuronet.nn.modules.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell
from neuronet.nn.modules.upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d
from neuronet.nn.parameter import Parameter
from neuronet.nn.summary import ModelSummary, summary

__all__ = [
    "ELU",
    "GELU",
    "SELU",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "CrossEntropyLoss",
    "Dropout",
    "Embedding",
    "GRU",
    "GRUCell",
    "LSTM",
    "LSTMCell",
    "RNN",
    "RNNBase",
    "RNNCell",
    "Flatten",
    "HuberLoss",
    "Identity",
    "IncompatibleKeys",
    "L1Loss",
    "LayerNorm",
    "LeakyReLU",
    "Linear",
    "LogSoftmax",
    "MSELoss",
    "ModelSummary",
    "Module",
    "ModuleDict",
    "ModuleList",
    "MultiMarginLoss",
    "NLLLoss",
    "Parameter",
    "ReLU",
    "RemovableHandle",
    "Sequential",
    "Sigmoid",
    "SmoothL1Loss",
    "Softmax",
    "Softplus",
    "StateDictError",
    "Tanh",
    "functional",
    "init",
    "summary",
    "utils",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "BatchNorm2d",
    "Conv1d",
    "Conv2d",
    "ConvTranspose1d",
    "ConvTranspose2d",
    "Dropout2d",
    "LocalResponseNorm",
    "MaxPool1d",
    "MaxPool2d",
    "Upsample",
    "UpsamplingBilinear2d",
    "UpsamplingNearest2d",
]
