"""All parameters as one flat vector and back, as `torch.nn.utils.parameters_to_vector` /
`vector_to_parameters` (handy for line searches, second-order methods, weight averaging).

    vec = parameters_to_vector(model.parameters())        # (total_numel,)
    vector_to_parameters(vec * 0.5, model.parameters())   # write it back
"""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor
from neuronet.nn.utils.clip_grad import tensor_list


class FlattenConcat(Function):
    """Every input raveled and joined end to end: shapes s_i -> (sum of numel(s_i),)."""

    def forward(self, *arrays):
        self.shapes = [a.shape for a in arrays]
        return np.concatenate([a.reshape(-1) for a in arrays])

    def backward(self, grad):
        grads, start = [], 0
        for needed, shape in zip(self.needs_input_grad, self.shapes):
            stop = start + int(np.prod(shape))
            grads.append(grad[start:stop].reshape(shape) if needed else None)
            start = stop
        return tuple(grads)


def parameters_to_vector(parameters):
    """The parameters raveled and concatenated, in order: a 1-D Tensor in the graph."""
    params = tensor_list(parameters, "parameters_to_vector")
    if not params:
        raise ValueError("parameters_to_vector: got no parameters")
    return FlattenConcat.apply(*params)


def vector_to_parameters(vec, parameters):
    """Copy consecutive slices of the 1-D `vec` into the parameters, in place (no graph).

    vec must hold exactly as many entries as the parameters together. Unlike PyTorch, which
    makes each parameter a view of vec, the values are copied, so vec and the parameters do
    not share memory afterwards.
    """
    what = "vector_to_parameters"
    if not isinstance(vec, Tensor):
        raise TypeError(f"{what}: vec must be a Tensor, got {type(vec).__name__}")
    if vec.ndim != 1:
        raise ValueError(f"{what}: vec must be 1-D, got shape {vec.shape}")
    params = tensor_list(parameters, what)
    total = sum(p.numel() for p in params)
    if vec.numel() != total:
        raise ValueError(
            f"{what}: vec has {vec.numel()} entries but the parameters have {total} together"
        )
    start = 0
    with no_grad():
        for p in params:
            stop = start + p.numel()
            p.data[...] = vec.data[start:stop].reshape(p.shape)
            start = stop
