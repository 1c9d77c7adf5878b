"""The median filter: every pixel becomes the median of the size x size window around it.

The windows are a strided view of the border-padded planes (no copy, no per-pixel loop);
each block of rows is copied into (C, rows, W, size * size) and np.partition picks the middle
element, which is the exact median since a window has an odd number of pixels.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from neuronet.vision.image import pad_planes

_BLOCK_ELEMENTS = 1 << 22  # window values copied at once (16 MB in float32)


def median_planes(planes, size, mode, op):
    """planes (C, H, W) -> (C, H, W) median over size x size windows (size odd), the border
    extended by `mode`."""
    C, H, W = planes.shape
    padded = pad_planes(planes, (size // 2, size // 2), mode, op)
    windows = sliding_window_view(padded, (size, size), axis=(1, 2))  # (C, H, W, size, size)
    area, middle = size * size, size * size // 2
    rows = max(1, _BLOCK_ELEMENTS // (C * W * area))
    out = np.empty_like(planes)
    for top in range(0, H, rows):
        block = windows[:, top:top + rows].reshape(C, -1, W, area)
        out[:, top:top + rows] = np.partition(block, middle, axis=-1)[..., middle]
    return out
