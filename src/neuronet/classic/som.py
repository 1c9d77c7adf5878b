"""Kohonen's self-organizing map on a rectangular or hexagonal grid.

Each unit u of an (m, n) grid has a weight vector w_u in input space. Training pulls the best
matching unit (BMU) of a sample x, and its grid neighbours, toward x:
`w_u += lr(t) * h(d_grid(u, bmu), sigma(t)) * (x - w_u)` (online, one sample at a time in a
random order), or sets each w_u to the h-weighted mean of the data (batch, Kohonen's batch
map). lr and sigma decay over training. Unit u sits at grid row u // n, column u % n; on a
hexagonal grid odd rows are shifted right by half a unit and rows are sqrt(3)/2 apart, so
each inner unit has six neighbours at distance 1.
"""

from collections import Counter

import numpy as np

from neuronet.classic.base import ClassicModel, Transformer, check_array, check_fitted, lookup
from neuronet.random import get_generator


def _gaussian(d, sigma):
    return np.exp(-(d * d) / (2 * sigma * sigma))


def _bubble(d, sigma):
    return (d < sigma).astype(d.dtype)


def _mexican_hat(d, sigma):
    r2 = (d * d) / (sigma * sigma)
    return (1 - r2) * np.exp(-r2 / 2)


NEIGHBORHOODS = {"gaussian": _gaussian, "bubble": _bubble, "mexican_hat": _mexican_hat}


def _asymptotic(value, t, total):
    return value / (1 + t / (total / 2))


def _linear(value, t, total):
    return value * (1 - t / total)


def _exponential(value, t, total):
    return value * 0.01 ** (t / total)  # down to 1% of the start value


DECAYS = {"asymptotic": _asymptotic, "linear": _linear, "exponential": _exponential}


def _euclidean(X, W):
    """X: (N, D), W: (U, D) -> (N, U) Euclidean distances."""
    sq = (X * X).sum(1)[:, None] - 2 * X @ W.T + (W * W).sum(1)[None, :]
    return np.sqrt(np.maximum(sq, 0))


def _manhattan(X, W):
    out = np.empty((len(X), len(W)), dtype=np.result_type(X, W))
    step = max(1, 2**22 // (W.size or 1))  # rows per chunk: keep the (rows, U, D) block small
    for start in range(0, len(X), step):
        out[start:start + step] = np.abs(X[start:start + step, None, :] - W[None]).sum(-1)
    return out


def _cosine(X, W):
    norms = np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(W, axis=1)[None, :]
    return 1 - (X @ W.T) / np.maximum(norms, np.finfo(X.dtype).tiny)


DISTANCES = {"euclidean": _euclidean, "manhattan": _manhattan, "cosine": _cosine}
TOPOLOGIES = ("rectangular", "hexagonal")
MODES = ("online", "batch")
INITS = ("sample", "pca")


def grid_positions(m, n, topology):
    """(m * n, 2) float64 positions (x, y) of the units in the plane, row-major."""
    rows, cols = np.divmod(np.arange(m * n), n)
    if topology == "hexagonal":
        return np.stack([cols + 0.5 * (rows % 2), rows * np.sqrt(3) / 2], axis=1)
    return np.stack([cols, rows], axis=1).astype(np.float64)


class SOM(Transformer, ClassicModel):
    """A self-organizing map.

    m, n: grid rows and columns. sigma, learning_rate: start values of the neighbourhood
    radius (in grid units) and of the learning rate. neighborhood: 'gaussian', 'bubble' or
    'mexican_hat'. topology: 'rectangular' or 'hexagonal'. distance: 'euclidean',
    'manhattan' or 'cosine' (picks the BMU and measures the quantization error). decay:
    'asymptotic' (x / (1 + 2t/T), MiniSom's default), 'linear' or 'exponential'; applies to
    both sigma and learning_rate. mode: 'online' (n_iter single-sample steps, samples in a
    fresh random order each pass) or 'batch' (n_iter batch-map epochs). init: 'sample'
    (random data rows) or 'pca' (a plane spanned by the two main principal components).

    Learned: weights_ (m, n, D), n_iter_ (steps or epochs run), labels_ (N,) the flat BMU
    index of each training sample (not saved). To scikit-learn the map is a clusterer with
    m * n clusters (predict: the BMU) and a transformer (transform: distances to the units),
    as its KMeans.
    """

    _arrays = ("weights_",)
    _scalars = ("n_iter_",)

    def __init__(self, m=10, n=10, sigma=1.0, learning_rate=0.5, neighborhood="gaussian",
                 topology="rectangular", distance="euclidean", decay="asymptotic",
                 mode="online", n_iter=1000, init="sample", random_state=None):
        self.m = m
        self.n = n
        self.sigma = sigma
        self.learning_rate = learning_rate
        self.neighborhood = neighborhood
        self.topology = topology
        self.distance = distance
        self.decay = decay
        self.mode = mode
        self.n_iter = n_iter
        self.init = init
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.estimator_type = "clusterer"
        return tags

    # --- set-up -------------------------------------------------------------------------

    def _check_options(self):
        for option, choices in (("neighborhood", NEIGHBORHOODS), ("distance", DISTANCES),
                                ("decay", DECAYS), ("topology", dict.fromkeys(TOPOLOGIES)),
                                ("mode", dict.fromkeys(MODES)), ("init", dict.fromkeys(INITS))):
            lookup("SOM", option, getattr(self, option), choices)
        if int(self.m) < 1 or int(self.n) < 1:
            raise ValueError(f"SOM: the grid must have at least one row and one column, got "
                             f"m={self.m}, n={self.n}")
        if self.sigma <= 0 or self.learning_rate <= 0 or self.n_iter < 1:
            raise ValueError(f"SOM: need sigma > 0, learning_rate > 0 and n_iter >= 1, got "
                             f"sigma={self.sigma}, learning_rate={self.learning_rate}, "
                             f"n_iter={self.n_iter}")
        if self.mode == "batch" and self.neighborhood == "mexican_hat":
            raise ValueError("SOM: batch mode needs a non-negative neighborhood ('gaussian' or "
                             "'bubble'); the mexican hat's negative weights do not give a mean")

    def _initial_weights(self, X, gen):
        k = self.m * self.n
        if self.init == "sample":
            return X[gen.integers(0, len(X), size=k)].copy()
        # a regular m x n lattice on the plane of the two main principal components
        mean = X.mean(0)
        _, s, vt = np.linalg.svd(X - mean, full_matrices=False)
        scale = s[:2, None] / np.sqrt(len(X)) * vt[:2]
        pcs = np.zeros((2, X.shape[1]), X.dtype)
        pcs[: len(scale)] = scale
        rows, cols = np.divmod(np.arange(k), self.n)
        a = np.linspace(-1, 1, self.m)[rows] if self.m > 1 else np.zeros(k)
        b = np.linspace(-1, 1, self.n)[cols] if self.n > 1 else np.zeros(k)
        return (mean + a[:, None] * pcs[0] + b[:, None] * pcs[1]).astype(X.dtype)

    @property
    def _positions(self):
        return grid_positions(self.m, self.n, self.topology)

    def _grid_distances(self):
        p = self._positions
        return np.linalg.norm(p[:, None] - p[None], axis=-1)

    # --- training -----------------------------------------------------------------------

    def fit(self, X, y=None):
        """X: (N, D). Trains from fresh weights; returns self."""
        self._check_options()
        X = check_array("SOM", X)
        gen = get_generator(self.random_state)
        W = self._initial_weights(X, gen)
        grid = self._grid_distances().astype(X.dtype)
        train = self._fit_online if self.mode == "online" else self._fit_batch
        self.weights_ = train(X, W, grid, gen).reshape(self.m, self.n, -1)
        self.n_iter_ = int(self.n_iter)
        self._fitted = True
        self.labels_ = self.predict(X)
        return self

    def fit_predict(self, X, y=None):
        """Train on X (N, D); returns labels_ (N,), each sample's BMU after training."""
        return self.fit(X).labels_

    def _schedule(self, t):
        decay = DECAYS[self.decay]
        # sigma floors at a small positive value so that 'linear' ends on the BMU alone
        sigma = max(decay(self.sigma, t, self.n_iter), 1e-3)
        return decay(self.learning_rate, t, self.n_iter), sigma

    def _fit_online(self, X, W, grid, gen):
        passes = -(-self.n_iter // len(X))
        order = np.concatenate([gen.permutation(len(X)) for _ in range(passes)])
        for t in range(self.n_iter):  # each step is sequential; it is vectorized over units
            self._online_update(W, X[order[t]], t, grid)
        return W

    def _online_update(self, W, x, t, grid):
        """Pull the BMU of x (D,) and its neighbours toward x, at step t: W (U, D) in place.
        grid: (U, U) grid distances. Returns the BMU's flat index."""
        bmu = int(np.argmin(DISTANCES[self.distance](x[None], W)[0]))
        lr, sigma = self._schedule(t)
        g = (lr * NEIGHBORHOODS[self.neighborhood](grid[bmu], sigma)).astype(W.dtype)
        W += g[:, None] * (x - W)
        return bmu

    def initialize(self, X):
        """Fresh weights from X (N, D) by `init`, without training; returns self. Then
        `step` trains one sample at a time (fit does all n_iter steps at once)."""
        self._check_options()
        X = check_array("SOM", X)
        self.weights_ = self._initial_weights(X, get_generator(self.random_state)).reshape(
            self.m, self.n, -1)
        self.n_iter_ = 0
        self._fitted = True
        return self

    def step(self, x, t):
        """One online update with sample x (D,) as step t of n_iter (t sets the learning
        rate and sigma by `decay`). Returns the flat index of x's BMU."""
        X, _ = self._check_X(x, single_ok=True)
        W = self._flat().copy()
        bmu = self._online_update(W, X[0], t, self._grid_distances().astype(W.dtype))
        self.weights_ = W.reshape(self.m, self.n, -1)
        self.n_iter_ = max(self.n_iter_, int(t) + 1)
        return bmu

    def _fit_batch(self, X, W, grid, gen):
        h = NEIGHBORHOODS[self.neighborhood]
        dist = DISTANCES[self.distance]
        for t in range(self.n_iter):
            bmu = np.argmin(dist(X, W), axis=1)
            _, sigma = self._schedule(t)
            H = h(grid[bmu], sigma).astype(X.dtype)  # (N, U): each sample's pull on each unit
            total = H.sum(0)
            covered = total > 1e-12  # units no sample reaches keep their weights
            W[covered] = (H.T @ X)[covered] / total[covered, None]
        return W

    # --- queries ------------------------------------------------------------------------

    def _flat(self):
        check_fitted(self)
        return self.weights_.reshape(self.m * self.n, -1)

    @property
    def n_features_in_(self):
        return self.weights_.shape[2]

    def _check_X(self, X, single_ok=False):
        """X (N, D) as an array of the weights' dtype, and whether it was one sample (D,)
        (allowed when single_ok)."""
        X = np.asarray(X) if single_ok else X
        single = single_ok and X.ndim == 1
        W = self._flat()
        X = check_array("SOM", X[None] if single else X, n_features=W.shape[1])
        return X.astype(W.dtype, copy=False), single

    def transform(self, X):
        """X: (N, D) -> (N, m * n) distances from each sample to each unit."""
        X, _ = self._check_X(X)
        return DISTANCES[self.distance](X, self._flat())

    def predict(self, X):
        """X: (N, D) -> (N,) flat index (row * n + column) of each sample's BMU."""
        return np.argmin(self.transform(X), axis=1)

    def winner(self, x):
        """The BMU's grid (row, column): a tuple for x of shape (D,), an (N, 2) array for (N, D)."""
        X, single = self._check_X(x, single_ok=True)
        rc = np.stack(np.divmod(self.predict(X), self.n), axis=1)
        return tuple(int(v) for v in rc[0]) if single else rc

    def quantization_error(self, X):
        """Mean distance from each sample to its BMU's weights."""
        return float(self.transform(X).min(axis=1).mean())

    def topographic_error(self, X):
        """Fraction of samples whose best and second-best units are not grid neighbours.

        Neighbours: the 8 around a unit on a rectangular grid (distance <= sqrt 2, as in
        MiniSom), the 6 around it on a hexagonal grid (distance 1).
        """
        if self.m * self.n < 2:
            raise ValueError("SOM: topographic_error needs at least two units")
        d = self.transform(X)
        best2 = np.argsort(d, axis=1)[:, :2]
        return float(np.mean(self._grid_distances()[best2[:, 0], best2[:, 1]] > self._reach))

    @property
    def _reach(self):
        return 1.0 + 1e-6 if self.topology == "hexagonal" else np.sqrt(2) + 1e-6

    def distance_map(self):
        """The U-matrix (m, n): each unit's mean weight distance to its grid neighbours,
        scaled so that the largest is 1 (all zeros when every unit is alike)."""
        W = self._flat().astype(np.float64)
        near = (self._grid_distances() <= self._reach) & ~np.eye(len(W), dtype=bool)
        gaps = np.linalg.norm(W[:, None] - W[None], axis=-1)
        u = (gaps * near).sum(1) / np.maximum(near.sum(1), 1)
        top = u.max()
        return (u / top if top > 0 else u).reshape(self.m, self.n)

    def labels_map(self, X, y):
        """{(row, column): Counter of the labels of the samples it wins}, for hit units only."""
        y = np.asarray(y)
        if y.shape[:1] != (len(np.atleast_2d(X)),) or y.ndim != 1:
            raise ValueError(f"SOM: labels_map needs one label per sample, got {y.shape} "
                             f"labels for {np.shape(X)} data")
        out = {}
        for (r, c), label in zip(self.winner(np.atleast_2d(X)).tolist(), y.tolist(),
                                 strict=True):
            out.setdefault((r, c), Counter())[label] += 1
        return out

    def activation_response(self, X):
        """(m, n) counts of how many samples each unit wins."""
        hits = np.bincount(self.predict(X), minlength=self.m * self.n)
        return hits.reshape(self.m, self.n)
