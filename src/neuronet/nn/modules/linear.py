"""`Linear` (y = x W^T + b) and `Identity` (y = x)."""

import math

import numpy as np

from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.nn import functional as F
from neuronet.nn import init
from neuronet.nn.modules.module import Module
from neuronet.nn.parameter import Parameter


class Identity(Module):
    """Returns its input unchanged (a placeholder; any constructor arguments are ignored)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """Fully connected layer: y = x @ weight.T + bias.

    weight: (out_features, in_features); bias: (out_features,) unless `bias=False`.
    Input (*, in_features) -> output (*, out_features).
    Initialized as in PyTorch: weight ~ kaiming_uniform_(a=sqrt(5)), i.e.
    U(-1/sqrt(in_features), 1/sqrt(in_features)), and bias ~ U(-1/sqrt(in), 1/sqrt(in)).
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        super().__init__()
        for name, value in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Linear: {name} must be a non-negative integer, got {value!r}")
        self.in_features = int(in_features)
        self.out_features = int(out_features)
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        self.weight = Parameter(np.empty((self.out_features, self.in_features), dtype))
        if bias:
            self.bias = Parameter(np.empty(self.out_features, dtype))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """Draw fresh weights from the default distribution (uses the global generator)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            bound = 1 / math.sqrt(self.in_features) if self.in_features > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        self._check_input(input, min_ndim=1)
        if input.shape[-1] != self.in_features:
            raise ValueError(
                f"{self._describe()}: expected input with last dimension {self.in_features}, "
                f"got shape {tuple(input.shape)}"
            )
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
