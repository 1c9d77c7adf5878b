"""Reverse-mode automatic differentiation: Tensor, Function, the backward engine, grad modes."""

from neuronet.autograd.anomaly import detect_anomaly, is_anomaly_enabled
from neuronet.autograd.grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from neuronet.autograd.tensor import Tensor, tensor
from neuronet.autograd.function import Function
from neuronet.autograd.gradcheck import gradcheck
from neuronet.autograd.dot import backward_order, to_dot

__all__ = [
    "Function", "Tensor", "tensor", "detect_anomaly", "is_anomaly_enabled", "enable_grad",
    "is_grad_enabled", "no_grad", "set_grad_enabled", "gradcheck",
    "backward_order", "to_dot",
]
