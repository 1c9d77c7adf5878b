"""`Parameter`: a tensor that a `Module` registers as one of its learnable weights.

Assigning a Parameter to a module attribute (`self.weight = Parameter(...)`) is what makes it
show up in `module.parameters()`, in `state_dict()` and hence in the optimizer. Otherwise it
is an ordinary leaf `Tensor` that requires grad; results of ops on it are plain Tensors.
"""

import numpy as np

from neuronet.autograd.tensor import Tensor, _to_array
from neuronet.dtypes import get_default_dtype


class Parameter(Tensor):
    """A learnable tensor: `Parameter(data=None, requires_grad=True)`.

    data: a Tensor or a NumPy array (shared, not copied, dtype kept, as PyTorch shares a
    tensor's storage), or other data `neuronet.tensor` accepts (copied; floats become the
    default dtype); None gives an empty float tensor.
    """

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            array = np.empty(0, dtype=get_default_dtype())
        elif isinstance(data, Tensor):
            array = data.data
        elif isinstance(data, np.ndarray):
            array = data
        else:
            array = _to_array(data)
        self.data = array
        self.grad = None
        self._ctx = None
        self._index = 0
        self._requires_grad = False
        self.requires_grad = requires_grad

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()
