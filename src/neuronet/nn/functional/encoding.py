"""`one_hot`: class indices to indicator vectors."""

import numpy as np

from neuronet.autograd.function import as_array
from neuronet.autograd.tensor import Tensor


def one_hot(tensor, num_classes=-1):
    """Class indices (*) -> int64 indicators (*, num_classes), 1 at each index, 0 elsewhere.

    num_classes=-1 takes one more than the largest index. Not differentiable (as in PyTorch).
    """
    op = "one_hot"
    t = as_array(tensor)
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: expects an integer tensor of class indices, got dtype {t.dtype}")
    if num_classes == -1:
        if t.size == 0:
            raise ValueError(f"{op}: cannot infer num_classes from an empty tensor; pass it")
        num_classes = int(t.max()) + 1
    elif int(num_classes) != num_classes or num_classes < 1:
        raise ValueError(f"{op}: num_classes must be a positive int or -1, got {num_classes!r}")
    if t.size and t.min() < 0:
        raise ValueError(f"{op}: class values must be non-negative, got {int(t.min())}")
    if t.size and t.max() >= num_classes:
        raise ValueError(
            f"{op}: class value {int(t.max())} is too large for num_classes={num_classes}"
        )
    out = np.zeros(t.shape + (int(num_classes),), dtype=np.int64)
    np.put_along_axis(out, t[..., None].astype(np.intp), 1, axis=-1)
    return Tensor._make(out)
