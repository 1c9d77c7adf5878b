"""The base of the random augmentations, and the flips.

An augmentation takes one image (C, H, W) or a batch (N, C, H, W), as a Tensor or an ndarray,
and returns the same kind; in a batch every sample draws its own random choice, with a few
large NumPy operations for the whole batch (a dataset's get_batch can augment in one call,
which overlaps with training in the DataLoader's worker threads; per-sample Python calls are
serialized by the GIL).
"""

import numbers

import numpy as np

from neuronet.data.transforms.basic import _like, _unwrap
from neuronet.random import get_generator


class RandomTransform:
    """Base class: subclasses define `apply(batch, rng)` on an ndarray (N, C, H, W).

    generator: a numpy Generator or an int seed, kept for the transform's life; None (the
    default) draws from `neuronet.random.get_generator()` at each call: the global generator,
    or the DataLoader's per-batch generator inside its `generator_scope`.
    """

    def __init__(self, generator=None):
        self.generator = None if generator is None else get_generator(generator)

    def __call__(self, x):
        array = _unwrap(x)
        if array.ndim not in (3, 4):
            raise ValueError(f"{type(self).__name__}: expected an image (C, H, W) or a batch "
                             f"(N, C, H, W), got shape {array.shape}")
        batch = array if array.ndim == 4 else array[None]
        out = self.apply(batch, get_generator(self.generator))
        return _like(out if array.ndim == 4 else out[0], x)

    def apply(self, batch, rng):
        raise NotImplementedError(f"{type(self).__name__} must define apply(batch, rng)")


def check_probability(p, who):
    if not isinstance(p, numbers.Real) or isinstance(p, bool) or not 0 <= p <= 1:
        raise ValueError(f"{who}: p must be a probability in [0, 1], got {p!r}")
    return float(p)


class _RandomFlip(RandomTransform):
    axis = None  # the image axis reversed, counted from the end (-1: width, -2: height)

    def __init__(self, p=0.5, generator=None):
        super().__init__(generator)
        self.p = check_probability(p, type(self).__name__)

    def apply(self, batch, rng):
        flip = rng.random(len(batch)) < self.p
        out = batch.copy()
        out[flip] = np.flip(batch[flip], axis=self.axis)
        return out

    def __repr__(self):
        return f"{type(self).__name__}(p={self.p})"


class RandomHorizontalFlip(_RandomFlip):
    """Mirror each image left to right with probability p (its columns reversed)."""

    axis = -1


class RandomVerticalFlip(_RandomFlip):
    """Mirror each image top to bottom with probability p (its rows reversed)."""

    axis = -2
