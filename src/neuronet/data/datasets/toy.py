"""Classic 2-D toy classification sets for demos and decision-boundary plots.

Each returns (X, y): X (N, 2) float32 points, y (N,) int64 labels, in random order. All draw
from `generator` (a numpy Generator or an int seed; None = the global generator), so the same
seed gives the same set. `noise` is the standard deviation of Gaussian noise added to each
coordinate (0 gives the exact underlying shapes).
"""

import numbers

import numpy as np

from neuronet.dtypes import get_default_dtype
from neuronet.random import get_generator


def _check(who, n_samples, noise, minimum=1):
    if not isinstance(n_samples, numbers.Integral) or n_samples < minimum:
        raise ValueError(f"{who}: n_samples must be an integer >= {minimum}, got {n_samples!r}")
    if noise < 0:
        raise ValueError(f"{who}: noise must be >= 0, got {noise}")


def _finish(points, labels, noise, rng):
    """Shuffle, add the noise, and give the documented dtypes."""
    order = rng.permutation(len(labels))
    points = points[order] + rng.normal(0.0, noise, size=points.shape) if noise else points[order]
    return points.astype(get_default_dtype()), labels[order].astype(np.int64)


def xor(n_samples=200, noise=0.25, generator=None):
    """Four Gaussian clusters at (+-1, +-1); label 1 where the two coordinates' signs differ."""
    _check("xor", n_samples, noise, minimum=4)
    rng = get_generator(generator)
    corners = np.array([[1.0, 1.0], [-1.0, -1.0], [1.0, -1.0], [-1.0, 1.0]])
    which = np.arange(n_samples) % 4
    return _finish(corners[which], (which >= 2).astype(np.int64), noise, rng)


def spiral(n_samples=300, n_classes=3, noise=0.2, generator=None):
    """`n_classes` interleaved spiral arms (as in CS231n); noise jitters the angle."""
    _check("spiral", n_samples, noise, minimum=n_classes)
    rng = get_generator(generator)
    labels = np.arange(n_samples) % n_classes
    points = np.empty((n_samples, 2))
    for cls in range(n_classes):
        members = np.flatnonzero(labels == cls)
        radius = np.linspace(0.0, 1.0, len(members))
        angle = np.linspace(cls * 4.0, (cls + 1) * 4.0, len(members))
        angle = angle + rng.normal(0.0, noise, size=len(members)) if noise else angle
        points[members] = radius[:, None] * np.stack([np.sin(angle), np.cos(angle)], axis=1)
    return _finish(points, labels, 0.0, rng)


def moons(n_samples=200, noise=0.1, generator=None):
    """Two interleaving half circles (as scikit-learn's make_moons): upper 0, lower 1."""
    _check("moons", n_samples, noise, minimum=2)
    rng = get_generator(generator)
    n_outer = n_samples // 2
    outer = np.linspace(0.0, np.pi, n_outer)
    inner = np.linspace(0.0, np.pi, n_samples - n_outer)
    points = np.concatenate([
        np.stack([np.cos(outer), np.sin(outer)], axis=1),
        np.stack([1.0 - np.cos(inner), 0.5 - np.sin(inner)], axis=1),
    ])
    labels = np.repeat([0, 1], [n_outer, n_samples - n_outer])
    return _finish(points, labels, noise, rng)


def circles(n_samples=200, noise=0.05, factor=0.5, generator=None):
    """A circle of radius 1 (label 0) around one of radius `factor` (label 1), as sklearn's."""
    _check("circles", n_samples, noise, minimum=2)
    if not 0 < factor < 1:
        raise ValueError(f"circles: factor must be in (0, 1), got {factor}")
    rng = get_generator(generator)
    n_outer = n_samples // 2
    outer = np.linspace(0.0, 2 * np.pi, n_outer, endpoint=False)
    inner = np.linspace(0.0, 2 * np.pi, n_samples - n_outer, endpoint=False)
    points = np.concatenate([
        np.stack([np.cos(outer), np.sin(outer)], axis=1),
        factor * np.stack([np.cos(inner), np.sin(inner)], axis=1),
    ])
    labels = np.repeat([0, 1], [n_outer, n_samples - n_outer])
    return _finish(points, labels, noise, rng)


def blobs(n_samples=300, centers=3, cluster_std=1.0, center_box=(-10.0, 10.0), generator=None):
    """Isotropic Gaussian clusters; label = cluster index.

    centers: how many (drawn uniformly in center_box) or a (K, 2) array of them. The samples
    are shared out evenly, the first n_samples % K clusters getting one more.
    """
    _check("blobs", n_samples, cluster_std)
    rng = get_generator(generator)
    if isinstance(centers, numbers.Integral):
        centers = rng.uniform(center_box[0], center_box[1], size=(int(centers), 2))
    centers = np.asarray(centers, dtype=np.float64)
    if centers.ndim != 2 or centers.shape[1] != 2 or len(centers) < 1:
        raise ValueError(f"blobs: centers must be a count or a (K, 2) array, got {centers.shape}")
    labels = np.arange(n_samples) % len(centers)
    return _finish(centers[labels], labels, cluster_std, rng)
