"""Argument checks and reductions shared by every loss function."""

import numpy as np

from neuronet.autograd.function import as_array
from neuronet.autograd.tensor import Tensor
from neuronet.ops.reduce import mean, sum

REDUCTIONS = ("mean", "sum", "none")


def check_reduction(reduction, op):
    if reduction not in REDUCTIONS:
        raise ValueError(
            f"{op}: reduction must be one of {', '.join(map(repr, REDUCTIONS))}, got {reduction!r}"
        )


def reduce(loss, reduction):
    """Per-element losses -> the loss asked for (their mean, their sum, or themselves)."""
    if reduction == "mean":
        return mean(loss)
    if reduction == "sum":
        return sum(loss)
    return loss


def check_input(input, op):
    """The scores or predictions: a floating point Tensor."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.dtype.kind != "f":
        raise TypeError(f"{op}: input must be a floating point tensor, got dtype {input.dtype}")


def check_same_shape_target(input, target, op):
    """A float target that pairs elementwise with `input`: same shape and same dtype.

    Returns the target as the Tensor given (so that it can receive a gradient) or an array.
    """
    check_input(input, op)
    array = as_array(target)
    if array.shape != input.shape:
        raise ValueError(
            f"{op}: target must have the input's shape {input.shape}, got {array.shape}"
        )
    if array.dtype != input.dtype:
        raise TypeError(
            f"{op}: target must have the input's dtype {input.dtype}, got {array.dtype}"
        )
    return target if isinstance(target, Tensor) else array


def broadcast_weight(weight, shape, dtype, op, name="weight"):
    """An optional constant rescaling array that must broadcast to `shape` (None stays None)."""
    if weight is None:
        return None
    w = _weight_array(weight, dtype, op, name)
    try:
        fits = np.broadcast_shapes(w.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ValueError(
            f"{op}: {name} of shape {w.shape} does not broadcast to the input's {shape}"
        )
    return w


def class_weight(weight, n_classes, dtype, op):
    """A per-class weight: a float vector of length C (None stays None)."""
    if weight is None:
        return None
    w = _weight_array(weight, dtype, op, "weight")
    if w.shape != (n_classes,):
        raise ValueError(
            f"{op}: weight must have one entry per class, shape ({n_classes},), got {w.shape}"
        )
    return w


def _weight_array(weight, dtype, op, name):
    """Weights are constants (no gradient, as in PyTorch) of the input's dtype."""
    w = as_array(weight)
    if w.dtype != dtype:
        raise TypeError(f"{op}: {name} must have the input's dtype {dtype}, got {w.dtype}")
    return w
