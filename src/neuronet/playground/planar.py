"""The playground's 2-D data: neuronet's toy sets scaled onto the square [-6, 6]^2, the input
features computed from a point, and the grid the heat maps are drawn on.

    x, y = points("spiral", 400, noise=0.2, generator=rng)    # x (400, 2) float32, y (400,)
    inputs = features(x, ["x1", "x2", "sin(x1)"])              # (400, 3) float32
"""

import base64

import numpy as np

from neuronet.data.datasets.toy import blobs, circles, moons, spiral, xor
from neuronet.dtypes import get_default_dtype

EXTENT = 6.0  # the plane shown on the page is [-EXTENT, EXTENT]^2

# name -> (make(n, noise, rng), scale onto the plane); noise is a fraction in [0, 0.5] of the
# set's own size, turned into the toy function's noise argument here
DATASETS = {
    "circle": (lambda n, noise, rng: circles(n, noise=0.6 * noise, factor=0.5, generator=rng),
               5.0),
    "xor": (lambda n, noise, rng: xor(n, noise=0.15 + 1.2 * noise, generator=rng), 3.0),
    "gauss": (lambda n, noise, rng: blobs(n, centers=[[-1.0, -1.0], [1.0, 1.0]],
                                          cluster_std=0.25 + 1.2 * noise, generator=rng), 2.5),
    "spiral": (lambda n, noise, rng: spiral(n, n_classes=2, noise=noise, generator=rng), 5.0),
    "moons": (lambda n, noise, rng: _centred_moons(n, noise, rng), 3.0),
}

FEATURES = {
    "x1": lambda x: x[:, 0] / 3.0,
    "x2": lambda x: x[:, 1] / 3.0,
    "x1^2": lambda x: (x[:, 0] / 3.0) ** 2,
    "x2^2": lambda x: (x[:, 1] / 3.0) ** 2,
    "x1x2": lambda x: x[:, 0] * x[:, 1] / 9.0,
    "sin(x1)": lambda x: np.sin(x[:, 0]),
    "sin(x2)": lambda x: np.sin(x[:, 1]),
}


def _centred_moons(n, noise, rng):
    x, y = moons(n, noise=0.6 * noise, generator=rng)
    return x - np.array([0.5, 0.25], dtype=x.dtype), y


def points(name, n, noise, generator):
    """n points of dataset `name` on the plane: x (n, 2) float32 clipped to the plane, y (n,)
    int64 in {0, 1}."""
    make, scale = DATASETS[name]
    x, y = make(n, noise, generator)
    return np.clip(x * scale, -EXTENT, EXTENT).astype(get_default_dtype()), y


def features(x, names):
    """x: (N, 2) points -> (N, len(names)) float32, the network's inputs.

    The coordinates are divided by 3 (so the inputs are of order 1); sin() sees the raw
    coordinate, so it oscillates about twice across the plane.
    """
    return np.stack([FEATURES[n](x.astype(np.float64)) for n in names], axis=1).astype(
        get_default_dtype())


def grid(size):
    """(size * size, 2) cell centres of the plane, row by row from the top (y = +EXTENT) down
    and left to right, the order the page paints them in."""
    centres = (np.arange(size) + 0.5) / size * 2 * EXTENT - EXTENT
    ys, xs = np.meshgrid(centres[::-1], centres, indexing="ij")
    return np.stack([xs.ravel(), ys.ravel()], axis=1)


def split(x, y, train_ratio, generator):
    """A random split: ((x_train, y_train), (x_test, y_test)), at least one point in each."""
    n_train = min(max(int(round(train_ratio * len(y))), 1), len(y) - 1)
    order = generator.permutation(len(y))
    return ((x[order[:n_train]], y[order[:n_train]]),
            (x[order[n_train:]], y[order[n_train:]]))


def encode_map(values):
    """Values in [-1, 1] (any shape; clipped, NaN as 0) as base64 of uint8
    round((v + 1) * 127.5): the compact form the page decodes into heat maps."""
    values = np.clip(np.nan_to_num(values, nan=0.0), -1.0, 1.0)
    codes = np.round((values + 1.0) * 127.5).astype(np.uint8)
    return base64.b64encode(codes.tobytes()).decode("ascii")
