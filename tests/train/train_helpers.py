"""Helpers for the training tests: small models, an optimizer, weight snapshots."""

import neuronet
from neuronet import nn, optim
from neuronet.models import MLP


def make_mlp(sizes=(64, 32, 10), dropout=0.0, seed=0):
    """An MLP initialised from `seed` (the global generator is reseeded)."""
    neuronet.manual_seed(seed)
    return MLP(list(sizes), dropout=dropout)


def adam(model, lr=1e-2):
    return optim.Adam(model.parameters(), lr=lr)


def weights(model):
    """A copy of the model's state as {key: ndarray}."""
    return {k: v.data.copy() for k, v in model.state_dict().items()}


CE = nn.CrossEntropyLoss()
