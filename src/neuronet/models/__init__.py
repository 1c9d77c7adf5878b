"""The model zoo: ready-made networks built from `neuronet.nn` layers."""

from neuronet.models.mlp import MLP

__all__ = ["MLP"]
