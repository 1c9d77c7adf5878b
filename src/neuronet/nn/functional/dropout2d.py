"""`dropout2d`: channel-wise dropout (Tompson et al., 2015), for convolutional feature maps
whose neighbouring pixels are strongly correlated, so dropping single pixels does little."""

import warnings

import numpy as np

from neuronet.nn.functional.conv import check_float_tensor
from neuronet.random import get_generator


def dropout2d(input, p=0.5, training=True, inplace=False, *, generator=None):
    """Zero each whole channel with probability p and scale the others by 1 / (1 - p)
    (training); the input itself when not training or p = 0.

    input: (N, C, H, W), or (N, C, L) (1-D channel-wise dropout, with a warning, as torch).
    generator: a numpy Generator or int seed (default: the global one). `inplace` is
    accepted for PyTorch compatibility; the result is always a new tensor.
    """
    check_float_tensor(input, "dropout2d", "input")
    if not 0 <= p <= 1:
        raise ValueError(f"dropout2d: probability p must be between 0 and 1, got {p}")
    if input.ndim not in (3, 4):
        raise ValueError(f"dropout2d: expected 4-D input (N, C, H, W) (or 3-D (N, C, L)), got "
                         f"shape {tuple(input.shape)}")
    if input.ndim == 3:
        warnings.warn("dropout2d: received a 3-D input; treating it as (N, C, L) and dropping "
                      "whole channels of length L (as torch does)", UserWarning, stacklevel=2)
    if not training or p == 0:
        return input
    shape = tuple(input.shape[:2]) + (1,) * (input.ndim - 2)
    # the uniforms are drawn in the input's precision so float32 stays float32
    keep = get_generator(generator).random(shape, dtype=input.dtype.type) >= p
    return input * (keep * np.asarray(1 / (1 - p) if p < 1 else 0, dtype=input.dtype))
