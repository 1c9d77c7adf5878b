"""`dropout`: inverted dropout, the regularizer of Srivastava et al. (2014)."""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.random import get_generator


class Dropout(Function):
    def forward(self, x, p, generator):
        # keep each element with probability 1 - p and scale it by 1 / (1 - p), so the
        # expected output equals the input and nothing needs rescaling at eval time
        uniform_dtype = np.float32 if x.dtype == np.float32 else np.float64
        keep = generator.random(x.shape, dtype=uniform_dtype) >= p
        self.mask = keep * np.asarray(1 / (1 - p) if p < 1 else 0, dtype=x.dtype)
        return x * self.mask

    def backward(self, g):
        return g * self.mask


def dropout(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Zero each element with probability p and scale the rest by 1 / (1 - p) (training);
    the input itself when not training or p = 0.

    input: any shape. generator: a numpy Generator or int seed (default: the global one,
    seeded by neuronet.manual_seed). `inplace` is accepted for PyTorch compatibility; the
    result is always a new tensor.
    """
    if not 0 <= p <= 1:
        raise ValueError(f"dropout: probability p must be between 0 and 1, got {p}")
    if not training or p == 0:
        return input
    return Dropout.apply(input, p=float(p), generator=get_generator(generator))
