"""`Function`: one differentiable operation, with forward and backward on NumPy arrays.

A subclass writes the math of one op and nothing else:

    class Exp(Function):
        def forward(self, x):
            self.y = np.exp(x)
            return self.y

        def backward(self, grad):
            return grad * self.y

`Exp.apply(t)` runs `forward` on the arrays inside the tensor arguments and, when a gradient
is wanted, records the call in the graph. Keyword arguments are passed to `forward` unchanged
(axes, flags); positional arguments that are Tensors are the differentiable inputs, and any
other positional argument (a Python number, a NumPy array) is a constant.

`backward` receives the gradient of the loss with respect to each output (one array per
output) and returns one gradient per positional input, in order (None where there is none).
Gradients may have the broadcast shape of the output: the engine sums them back to each
input's shape. `self.needs_input_grad[i]` tells whether input i wants a gradient, so an op can
skip work nobody needs. `backward` must not change its incoming gradient in place, and returns
new arrays or views of that gradient, never an array it saved in `forward` (the engine may
keep a returned array as a `.grad` without copying it).
"""

import numpy as np

from neuronet.autograd.anomaly import check_finite, is_anomaly_enabled
from neuronet.autograd.grad_mode import is_grad_enabled
from neuronet.autograd.tensor import Tensor


class Function:
    """Base class of all differentiable operations (see the module docstring)."""

    def forward(self, *arrays, **params):
        raise NotImplementedError

    def backward(self, *grads):
        raise NotImplementedError

    @classmethod
    def apply(cls, *inputs, **params):
        fn = cls()
        arrays = [x.data if isinstance(x, Tensor) else x for x in inputs]
        out = fn.forward(*arrays, **params)
        multiple = isinstance(out, tuple)
        outs = out if multiple else (out,)
        if is_anomaly_enabled():
            check_finite(outs, cls.__name__, "forward")
        needs = tuple(isinstance(x, Tensor) and x.requires_grad for x in inputs)
        record = is_grad_enabled() and any(needs)
        if record:
            fn.inputs = inputs
            fn.needs_input_grad = needs
            fn.n_outputs = len(outs)
            if multiple:
                fn.output_meta = [(o.shape, o.dtype) for o in outs]
            fn.released = False
        results = tuple(
            Tensor._make(o, fn if record else None, i) for i, o in enumerate(outs)
        )
        return results if multiple else results[0]

    def release(self):
        """Drop inputs and saved arrays once backward has run (unless the graph is retained)."""
        self.__dict__.clear()
        self.released = True

    @property
    def name(self):
        return type(self).__name__

    def __repr__(self):
        return f"<{self.name}Backward>"


def unbroadcast(grad, shape):
    """Sum `grad` over the axes along which an input of `shape` was broadcast."""
    if grad.shape == shape:
        return grad
    extra = grad.ndim - len(shape)
    axes = tuple(range(extra)) + tuple(
        extra + i for i, n in enumerate(shape) if n == 1 and grad.shape[extra + i] != 1
    )
    out = grad.sum(axis=axes, keepdims=True) if axes else grad
    if extra:
        out = out.reshape(out.shape[extra:])
    return out.reshape(shape) if out.shape != shape else out


def as_array(x):
    """A NumPy view of a Tensor or array-like (no copy when it already is one)."""
    return x.data if isinstance(x, Tensor) else np.asarray(x)
