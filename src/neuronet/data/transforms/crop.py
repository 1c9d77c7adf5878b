"""Random crops and shifts: a window of each (padded) image at a random position.

    RandomCrop(32, padding=4)   # CIFAR-style: pad 4 pixels of zeros, crop 32 x 32 back
    RandomShift(3)              # move each image by up to 3 pixels each way, same size

The windows are a strided view of the padded batch, gathered with one fancy index (no per-image
loop). Padding as torchvision's RandomCrop: an int (all sides), (left/right, top/bottom) or
(left, top, right, bottom); padding_mode 'constant' (with `fill`), 'edge', 'reflect' (edge
pixel not repeated) or 'symmetric' (repeated).
"""

import numbers

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from neuronet.data.transforms.augment import RandomTransform

PADDING_MODES = ("constant", "edge", "reflect", "symmetric")


def _ints(value, lengths, who, name, low):
    """An int or a sequence of one of `lengths` ints, each >= low, as a tuple."""
    values = (value,) if isinstance(value, numbers.Integral) else value
    if (isinstance(values, (tuple, list)) and len(values) in lengths
            and all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in values)
            and all(v >= low for v in values)):
        return tuple(int(v) for v in values)
    counts = " or ".join(str(n) for n in lengths if n > 1)
    raise ValueError(f"{who}: {name} must be an int >= {low} or a sequence of {counts} such "
                     f"ints, got {value!r}")


def _check_fill(fill, padding_mode, who):
    if padding_mode not in PADDING_MODES:
        raise ValueError(f"{who}: unknown padding_mode {padding_mode!r}; the modes are: "
                         f"{', '.join(PADDING_MODES)}")
    if not isinstance(fill, numbers.Real) or isinstance(fill, bool):
        raise ValueError(f"{who}: fill must be a number, got {fill!r}")


def pad_batch(batch, padding, fill, padding_mode):
    """batch (N, C, H, W) padded by (left, top, right, bottom) pixels."""
    left, top, right, bottom = padding
    widths = ((0, 0), (0, 0), (top, bottom), (left, right))
    if padding_mode == "constant":
        return np.pad(batch, widths, constant_values=fill)
    return np.pad(batch, widths, mode=padding_mode)


def random_windows(batch, size, rng, who):
    """One (h, w) window of each image of batch (N, C, H, W) at a uniformly random position:
    (N, C, h, w)."""
    N, _, H, W = batch.shape
    h, w = size
    if h > H or w > W:
        raise ValueError(f"{who}: crop size {(h, w)} is larger than the (padded) image "
                         f"{(H, W)}")
    tops = rng.integers(0, H - h + 1, size=N)
    lefts = rng.integers(0, W - w + 1, size=N)
    windows = sliding_window_view(batch, (h, w), axis=(2, 3))  # (N, C, H-h+1, W-w+1, h, w)
    return windows[np.arange(N), :, tops, lefts]


class RandomCrop(RandomTransform):
    """A size (h, w) window of each image, padded first by `padding`, at a random position
    (every position equally likely)."""

    def __init__(self, size, padding=0, fill=0, padding_mode="constant", generator=None):
        super().__init__(generator)
        size = _ints(size, (1, 2), "RandomCrop", "size", 1)
        self.size = size * 2 if len(size) == 1 else size
        pads = _ints(padding, (1, 2, 4), "RandomCrop", "padding", 0)
        self.padding = {1: pads * 4, 2: pads * 2, 4: pads}[len(pads)]  # (l, t, r, b)
        _check_fill(fill, padding_mode, "RandomCrop")
        self.fill, self.padding_mode = fill, padding_mode

    def apply(self, batch, rng):
        padded = pad_batch(batch, self.padding, self.fill, self.padding_mode)
        return random_windows(padded, self.size, rng, "RandomCrop")

    def __repr__(self):
        return (f"RandomCrop(size={self.size}, padding={self.padding}, fill={self.fill}, "
                f"padding_mode={self.padding_mode!r})")


class RandomShift(RandomTransform):
    """Translate each image by a random whole number of pixels, from -max_shift to max_shift
    down and (independently) across, keeping its size; the uncovered border is filled as
    RandomCrop pads."""

    def __init__(self, max_shift, fill=0, padding_mode="constant", generator=None):
        super().__init__(generator)
        (self.max_shift,) = _ints(max_shift, (1,), "RandomShift", "max_shift", 0)
        _check_fill(fill, padding_mode, "RandomShift")
        self.fill, self.padding_mode = fill, padding_mode

    def apply(self, batch, rng):
        padded = pad_batch(batch, (self.max_shift,) * 4, self.fill, self.padding_mode)
        return random_windows(padded, batch.shape[2:], rng, "RandomShift")

    def __repr__(self):
        return (f"RandomShift(max_shift={self.max_shift}, fill={self.fill}, "
                f"padding_mode={self.padding_mode!r})")
