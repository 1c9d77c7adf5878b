"""`linear`: y = x @ W.T + b as one fused op, the hot path of every MLP."""

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor


class Linear(Function):
    """x: (*, in), W: (out, in), b: (out,) or None -> (*, out).

    Leading axes are folded into one batch axis so every product is a single 2-D GEMM;
    `W.T` is a transposed view (BLAS reads it as is, no copy) and the bias is added in place.
    """

    def forward(self, x, w, b):
        self.x, self.w = x, w
        x2 = x.reshape(-1, x.shape[-1])
        y = x2 @ w.T
        if b is not None:
            y += b
        return y.reshape(x.shape[:-1] + (w.shape[0],))

    def backward(self, g):
        g2 = g.reshape(-1, g.shape[-1])
        gx = gw = gb = None
        if self.needs_input_grad[0]:  # skipped for the first layer: its input needs no grad
            gx = (g2 @ self.w).reshape(self.x.shape)
        if self.needs_input_grad[1]:
            gw = g2.T @ self.x.reshape(-1, self.x.shape[-1])
        if self.needs_input_grad[2]:
            gb = g2.sum(axis=0)
        return gx, gw, gb


def linear(input, weight, bias=None):
    """Affine map y = input @ weight.T + bias.

    input: (*, in_features); weight: (out_features, in_features); bias: (out_features,) or None.
    Returns (*, out_features).
    """
    if not isinstance(input, Tensor) or not isinstance(weight, Tensor):
        raise TypeError(
            f"linear: input and weight must be Tensors, got {type(input).__name__} and "
            f"{type(weight).__name__}"
        )
    if weight.ndim != 2:
        raise ValueError(
            f"linear: weight must be 2-D (out_features, in_features), got shape {weight.shape}"
        )
    out_features, in_features = weight.shape
    if input.ndim == 0 or input.shape[-1] != in_features:
        raise ValueError(
            f"linear: expected input with in_features={in_features} in its last dimension, "
            f"got input of shape {input.shape} (weight shape {weight.shape})"
        )
    if bias is not None and bias.shape != (out_features,):
        raise ValueError(
            f"linear: expected bias of shape ({out_features},), got {bias.shape}"
        )
    dtypes = {input.dtype, weight.dtype} | ({bias.dtype} if bias is not None else set())
    if len(dtypes) != 1 or input.dtype.kind != "f":
        raise TypeError(
            "linear: input, weight and bias must share one floating point dtype, got "
            f"{input.dtype}, {weight.dtype}" + (f", {bias.dtype}" if bias is not None else "")
        )
    return Linear.apply(input, weight, bias)

