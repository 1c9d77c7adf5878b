"""Rotation about the image centre, by whole batches: `rotate` and `RandomRotation`.

Each output pixel looks up where it comes from in the input (the inverse rotation of its
coordinates about the centre ((H - 1) / 2, (W - 1) / 2)) and takes the nearest pixel or the
bilinear mix of the four around it; what comes from outside the image is `fill` (in bilinear
mode the image's edge blends into `fill` over one pixel, as scipy.ndimage's 'grid-constant').
Positive angles turn the picture counter-clockwise, as torchvision and np.rot90.
"""

import numbers

import numpy as np

from neuronet.data.transforms.augment import RandomTransform

INTERPOLATIONS = ("nearest", "bilinear")


def _source_coordinates(angles, H, W):
    """Where output pixel (r, c) of each image comes from: (N, H, W) rows and columns."""
    theta = np.deg2rad(np.asarray(angles, dtype=np.float64))[:, None, None]
    cy, cx = (H - 1) / 2, (W - 1) / 2
    y, x = np.mgrid[0:H, 0:W].astype(np.float64)
    y, x = y - cy, x - cx
    cos, sin = np.cos(theta), np.sin(theta)
    coordinates = (cos * y + sin * x + cy, cos * x - sin * y + cx)
    # cos(90 degrees) is 6e-17, not 0: snap what is a rounding error away from a whole pixel
    return tuple(np.where(np.abs(c - np.rint(c)) < 1e-9, np.rint(c), c) for c in coordinates)


def _gather(batch, rows, cols):
    """batch[n, :, rows[n], cols[n]] for every image n: (N, C, H, W)."""
    n = np.arange(len(batch))[:, None, None]
    return batch.transpose(0, 2, 3, 1)[n, rows, cols].transpose(0, 3, 1, 2)


def _nearest(batch, src_r, src_c, fill):
    H, W = batch.shape[2:]
    r, c = np.rint(src_r).astype(np.intp), np.rint(src_c).astype(np.intp)
    inside = (r >= 0) & (r < H) & (c >= 0) & (c < W)
    values = _gather(batch, np.clip(r, 0, H - 1), np.clip(c, 0, W - 1))
    return np.where(inside[:, None], values, np.asarray(fill, batch.dtype))


def _bilinear(batch, src_r, src_c, fill):
    H, W = batch.shape[2:]
    work = batch.dtype if batch.dtype.kind == "f" else np.dtype(np.float32)
    # one pixel of fill around the image: the four neighbours of any point within a pixel of
    # the image exist, and those outside it are `fill`
    padded = np.pad(batch.astype(work, copy=False), ((0, 0), (0, 0), (1, 1), (1, 1)),
                    constant_values=fill)
    beyond = (src_r <= -1) | (src_r >= H) | (src_c <= -1) | (src_c >= W)
    src_r, src_c = np.clip(src_r + 1, 0, H + 1), np.clip(src_c + 1, 0, W + 1)
    r0 = np.minimum(np.floor(src_r).astype(np.intp), H)
    c0 = np.minimum(np.floor(src_c).astype(np.intp), W)
    dr, dc = (src_r - r0).astype(work)[:, None], (src_c - c0).astype(work)[:, None]
    out = ((1 - dr) * ((1 - dc) * _gather(padded, r0, c0) + dc * _gather(padded, r0, c0 + 1))
           + dr * ((1 - dc) * _gather(padded, r0 + 1, c0) + dc * _gather(padded, r0 + 1, c0 + 1)))
    out = np.where(beyond[:, None], np.asarray(fill, work), out)
    if batch.dtype.kind != "f":  # integer images: back to their dtype, rounded
        out = np.rint(out)
    return out.astype(batch.dtype, copy=False)


def rotate(x, angle, interpolation="nearest", fill=0):
    """x (C, H, W) turned by `angle` degrees counter-clockwise, or a batch (N, C, H, W) with
    one angle per image (a number or an (N,) array). Same shape and dtype."""
    if interpolation not in INTERPOLATIONS:
        raise ValueError(f"rotate: unknown interpolation {interpolation!r}; choose one of "
                         f"{', '.join(INTERPOLATIONS)}")
    array = np.asarray(x)
    if array.ndim not in (3, 4):
        raise ValueError(f"rotate: expected an image (C, H, W) or a batch (N, C, H, W), got "
                         f"shape {array.shape}")
    batch = array if array.ndim == 4 else array[None]
    angles = np.broadcast_to(np.asarray(angle, dtype=np.float64), (len(batch),))
    if not np.isfinite(angles).all():
        raise ValueError(f"rotate: angles must be finite, got {angle!r}")
    src_r, src_c = _source_coordinates(angles, *batch.shape[2:])
    sample = _nearest if interpolation == "nearest" else _bilinear
    out = sample(batch, src_r, src_c, fill)
    return out if array.ndim == 4 else out[0]


class RandomRotation(RandomTransform):
    """Turn each image by an angle drawn uniformly from degrees = (low, high), or from
    (-degrees, degrees) for one number; nearest or bilinear interpolation, `fill` outside."""

    def __init__(self, degrees, interpolation="nearest", fill=0, generator=None):
        super().__init__(generator)
        if isinstance(degrees, numbers.Real) and not isinstance(degrees, bool):
            degrees = (-degrees, degrees)
        if (not isinstance(degrees, (tuple, list)) or len(degrees) != 2
                or not all(isinstance(d, numbers.Real) and np.isfinite(d) for d in degrees)
                or degrees[0] > degrees[1]):
            raise ValueError(f"RandomRotation: degrees must be a number >= 0 or a pair (low, "
                             f"high) with low <= high, got {degrees!r}")
        if interpolation not in INTERPOLATIONS:
            raise ValueError(f"RandomRotation: unknown interpolation {interpolation!r}; choose "
                             f"one of {', '.join(INTERPOLATIONS)}")
        if not isinstance(fill, numbers.Real) or isinstance(fill, bool):
            raise ValueError(f"RandomRotation: fill must be a number, got {fill!r}")
        self.degrees = (float(degrees[0]), float(degrees[1]))
        self.interpolation, self.fill = interpolation, fill

    def apply(self, batch, rng):
        angles = rng.uniform(*self.degrees, size=len(batch))
        return rotate(batch, angles, self.interpolation, self.fill)

    def __repr__(self):
        return (f"RandomRotation(degrees={self.degrees}, interpolation={self.interpolation!r}, "
                f"fill={self.fill})")
