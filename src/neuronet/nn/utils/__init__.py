"""Helpers around parameters and gradients, as `torch.nn.utils`: gradient clipping, weight
penalties for the loss, and parameters as one flat vector."""

from neuronet.nn.utils.clip_grad import (
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from neuronet.nn.utils.convert_parameters import parameters_to_vector, vector_to_parameters
from neuronet.nn.utils.regularization import l1_penalty, l2_penalty
from neuronet.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pad_packed_sequence,
    pad_sequence,
)

__all__ = [
    "clip_grad_norm_", "clip_grad_value_", "clip_grads_with_norm_", "get_total_norm",
    "l1_penalty", "l2_penalty", "PackedSequence", "pack_padded_sequence",
    "pad_packed_sequence", "pad_sequence", "parameters_to_vector", "vector_to_parameters",
]
