"""RandomErasing (Zhong et al. 2017, as torchvision's): blank out a random rectangle.

With probability p, a rectangle covering a fraction `scale` of the image, with aspect ratio
h / w in `ratio` (drawn on a log scale), at a random position, is set to `value`. As
torchvision, up to 10 tries find a rectangle that fits inside the image; if none does, the
image is left as it is. The tries of a whole batch are drawn at once.
"""

import numbers

import numpy as np

from neuronet.data.transforms.augment import RandomTransform, check_probability

_TRIES = 10


def _pair(value, name, low, high):
    if (not isinstance(value, (tuple, list)) or len(value) != 2
            or not all(isinstance(v, numbers.Real) and low < v <= high for v in value)
            or value[0] > value[1]):
        raise ValueError(f"RandomErasing: {name} must be a pair (low, high) with "
                         f"{low:g} < low <= high <= {high:g}, got {value!r}")
    return float(value[0]), float(value[1])


class RandomErasing(RandomTransform):
    """Set a random rectangle of each image to `value` (a number, or one per channel), with
    probability p; scale: its area as a fraction of the image's, ratio: its height / width."""

    def __init__(self, p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0, generator=None):
        super().__init__(generator)
        self.p = check_probability(p, "RandomErasing")
        self.scale = _pair(scale, "scale", 0, 1)
        self.ratio = _pair(ratio, "ratio", 0, np.inf)
        values = np.asarray(value)
        if values.ndim > 1 or values.dtype.kind not in "biuf" or not np.isfinite(values).all():
            raise ValueError(f"RandomErasing: value must be a number or one number per "
                             f"channel, got {value!r}")
        self.value = value

    def boxes(self, n, H, W, rng):
        """The rectangles of n images: (top, left, height, width) arrays (n,) and whether each
        image is erased at all."""
        area = H * W * rng.uniform(*self.scale, size=(n, _TRIES))
        aspect = np.exp(rng.uniform(*np.log(self.ratio), size=(n, _TRIES)))
        heights = np.rint(np.sqrt(area * aspect)).astype(np.int64)
        widths = np.rint(np.sqrt(area / aspect)).astype(np.int64)
        fits = (heights < H) & (widths < W)
        first = np.argmax(fits, axis=1)  # the first try that fits
        rows = np.arange(n)
        h, w = heights[rows, first], widths[rows, first]
        erased = fits.any(axis=1) & (rng.random(n) < self.p)
        h, w = np.where(erased, h, 0), np.where(erased, w, 0)
        top = rng.integers(0, H - h + 1)
        left = rng.integers(0, W - w + 1)
        return top, left, h, w, erased

    def apply(self, batch, rng):
        N, C, H, W = batch.shape
        values = np.asarray(self.value, dtype=batch.dtype)
        if values.ndim == 1 and len(values) not in (1, C):
            raise ValueError(f"RandomErasing: {len(values)} values for images with {C} "
                             f"channels (shape {batch.shape[1:]})")
        top, left, h, w, _ = self.boxes(N, H, W, rng)
        in_rows = (np.arange(H) >= top[:, None]) & (np.arange(H) < (top + h)[:, None])
        in_cols = (np.arange(W) >= left[:, None]) & (np.arange(W) < (left + w)[:, None])
        box = in_rows[:, None, :, None] & in_cols[:, None, None, :]  # (N, 1, H, W)
        return np.where(box, values.reshape(-1, 1, 1), batch)

    def __repr__(self):
        return (f"RandomErasing(p={self.p}, scale={self.scale}, ratio={self.ratio}, "
                f"value={self.value!r})")
