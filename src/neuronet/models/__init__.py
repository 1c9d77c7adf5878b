"""The model zoo: ready-made networks built from `neuronet.nn` layers."""

from neuronet.models.autoencoder import Autoencoder, DenoisingAutoencoder
from neuronet.models.mlp import MLP

__all__ = ["MLP", "Autoencoder", "DenoisingAutoencoder"]
