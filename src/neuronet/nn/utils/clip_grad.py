"""Gradient clipping, as `torch.nn.utils`: call between `loss.backward()` and `opt.step()`.

    total = clip_grad_norm_(model.parameters(), max_norm=1.0)   # rescale all grads together
    clip_grad_value_(model.parameters(), clip_value=0.5)         # clamp each entry

Gradients are changed in place, in their own dtype. Parameters whose `.grad` is None are left
out, as in PyTorch.
"""

import math

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.optim.optimizer import check_number


def tensor_list(tensors, what):
    """A single Tensor or an iterable of them, as a list; TypeError naming `what` otherwise."""
    tensors = [tensors] if isinstance(tensors, Tensor) else list(tensors)
    for t in tensors:
        if not isinstance(t, Tensor):
            raise TypeError(f"{what}: expected Tensors, got {type(t).__name__}")
    return tensors


def _grads(parameters, what):
    return [p.grad.data for p in tensor_list(parameters, what) if p.grad is not None]


def _vector_norm(a, norm_type):
    """The p-norm of all entries of `a` (p may be inf, -inf or 0), in a's dtype."""
    flat = a.reshape(-1)
    if flat.size == 0:
        return a.dtype.type(0)
    if norm_type == 2:
        return np.sqrt(np.dot(flat, flat))
    if norm_type == math.inf:
        return np.max(np.abs(flat))
    if norm_type == -math.inf:
        return np.min(np.abs(flat))
    if norm_type == 0:
        return a.dtype.type(np.count_nonzero(flat))
    if norm_type == 1:
        return np.sum(np.abs(flat))
    return np.sum(np.abs(flat) ** norm_type) ** (1 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False):
    """The p-norm of the norms of `tensors` (a Tensor or an iterable), as a 0-d Tensor.

    For finite p > 0 this is the norm of all entries put in one vector; like PyTorch, p = 0
    and p = -inf are taken over the per-tensor norms. An empty list gives 0.
    """
    what = "get_total_norm"
    check_number(what, "norm_type", norm_type)
    arrays = [t.data for t in tensor_list(tensors, what)]
    if not arrays:
        return Tensor(0.0)
    norms = np.array([_vector_norm(a, float(norm_type)) for a in arrays])
    total = _vector_norm(norms, float(norm_type))
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(
            f"{what}: the total norm of order {norm_type} of the gradients is {total}, so they "
            "cannot be clipped; pass error_if_nonfinite=False to scale them by it anyway"
        )
    return Tensor._make(np.asarray(total))


def clip_grads_with_norm_(parameters, max_norm, total_norm):
    """Scale every gradient by min(max_norm / (total_norm + 1e-6), 1), in place."""
    what = "clip_grads_with_norm_"
    check_number(what, "max_norm", max_norm, low=0.0)
    grads = _grads(parameters, what)
    total = total_norm.data if isinstance(total_norm, Tensor) else np.asarray(total_norm)
    coef = np.minimum(float(max_norm) / (total + 1e-6), 1.0)
    if coef == 1.0:  # multiplying by one changes nothing
        return
    with np.errstate(invalid="ignore"):  # inf * 0 = NaN for an infinite norm, as in torch
        for g in grads:
            g *= coef.astype(g.dtype)


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False):
    """Rescale the gradients so that their total p-norm is at most max_norm.

    parameters: a Tensor or an iterable of them. norm_type: p of the norm (inf allowed).
    error_if_nonfinite: raise RuntimeError when the total norm is NaN or infinite (else the
    gradients are scaled by it and become NaN/0, as in PyTorch).
    Returns the total norm before clipping, as a 0-d Tensor of the gradients' dtype. The
    factor is max_norm / (total + 1e-6) when that is below 1.
    """
    parameters = tensor_list(parameters, "clip_grad_norm_")
    grads = [p.grad for p in parameters if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    clip_grads_with_norm_(parameters, max_norm, total)
    return total


def clip_grad_value_(parameters, clip_value):
    """Clamp every gradient entry into [-clip_value, clip_value], in place."""
    what = "clip_grad_value_"
    check_number(what, "clip_value", clip_value, low=0.0)
    for g in _grads(parameters, what):
        np.clip(g, -clip_value, clip_value, out=g)
