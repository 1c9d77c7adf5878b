"""The model zoo: ready-made networks built from `neuronet.nn` layers."""

from neuronet.models.autoencoder import Autoencoder, DenoisingAutoencoder
from neuronet.models.mlp import MLP
from neuronet.models.rnn import SequenceClassifier

__all__ = ["MLP", "SequenceClassifier", "Autoencoder", "DenoisingAutoencoder"]
