"""Matrix products."""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor


class MatMul(Function):
    """a @ b with NumPy's rules: 1-D operands are promoted and the extra axis dropped again,
    leading (batch) axes broadcast."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return a @ b

    def backward(self, g):
        a, b = self.a, self.b
        if a.ndim == 1 and b.ndim == 1:  # dot product
            return g * b, g * a
        a2 = a[None, :] if a.ndim == 1 else a
        b2 = b[:, None] if b.ndim == 1 else b
        if a.ndim == 1:
            g = np.expand_dims(g, -2)
        if b.ndim == 1:
            g = np.expand_dims(g, -1)
        ga = gb = None
        if self.needs_input_grad[0]:
            ga = g @ np.swapaxes(b2, -1, -2)
            ga = ga.reshape(ga.shape[:-2] + (ga.shape[-1],)) if a.ndim == 1 else ga
        if self.needs_input_grad[1]:
            gb = np.swapaxes(a2, -1, -2) @ g
            gb = gb.reshape(gb.shape[:-2] + (gb.shape[-2],)) if b.ndim == 1 else gb
        return ga, gb


def matmul(a, b):
    """Matrix product. a: (..., n, k), b: (..., k, m) -> (..., n, m); 1-D operands allowed."""
    a = a if isinstance(a, Tensor) else Tensor(a)
    b = b if isinstance(b, Tensor) else Tensor(b)
    if a.ndim == 0 or b.ndim == 0:
        raise ValueError(
            f"matmul: both operands need at least 1 dimension, got shapes {a.shape} and {b.shape}"
        )
    k_a = a.shape[-1]
    k_b = b.shape[0] if b.ndim == 1 else b.shape[-2]
    if k_a != k_b:
        raise ValueError(
            f"matmul: shapes {a.shape} and {b.shape} do not fit: the last dimension of the "
            f"first ({k_a}) must equal the {'only' if b.ndim == 1 else 'second-to-last'} "
            f"dimension of the second ({k_b})"
        )
    if a.dtype != b.dtype:
        raise TypeError(
            f"matmul: both operands must have the same dtype, got {a.dtype} and {b.dtype}"
        )
    return MatMul.apply(a, b)
