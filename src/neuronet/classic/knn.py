"""k-nearest neighbours: the classifier that learns nothing and remembers everything.

`fit` stores the training set; `predict` finds, for each query, the k training samples at the
smallest distance and lets them vote. Distances (`metric`):

- 'euclidean' (or 'minkowski' with p=2): |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, one GEMM per
  chunk of queries (float32, or float64 for float64 data);
- 'manhattan' (or 'minkowski' with p=1): sum |a - b|. Training sets of 2048 rows or more
  take the exact pruned search of knn_l1.py (lower bounds from sums of feature groups skip
  most rows; same neighbours and distances as brute force); smaller ones the brute-force
  blocks, chunked over queries and training rows, exact integers for uint8 data (images);
- 'cosine': 1 - a.b / (|a| |b|), one GEMM of the normalized rows.

Selection is two-stage: `argpartition` keeps the few best candidates of each query by the
fast distance, then those candidates are re-ranked on distances recomputed exactly in float64
(so float32 rounding of the GEMM cannot reorder near neighbours).

Tie-break (documented, scikit-learn's where it has one): neighbours at equal distance are
ordered by training index (lower first); in the vote, classes with equal (weighted) votes go
to the smallest class label, as scikit-learn's `KNeighborsClassifier`. With
`weights='distance'` a query that coincides with training samples (distance 0) takes only
their votes, as scikit-learn.
"""

import numbers

import numpy as np

from neuronet.classic.base import (
    ClassicModel,
    Classifier,
    check_array,
    check_fitted,
    check_targets,
    lookup,
)
from neuronet.classic.knn_l1 import PrunedL1, exact_l1, l1_float, l1_int16, pad_to_lanes
from neuronet.data.splits import kfold_indices

_METRICS = {"euclidean": "l2", "l2": "l2", "manhattan": "l1", "l1": "l1", "cityblock": "l1",
            "cosine": "cosine", "minkowski": None}
_MINKOWSKI_P = {1: "l1", 2: "l2"}
_WEIGHTS = ("uniform", "distance")
_PRUNE_MIN_ROWS = 2048     # smaller training sets: brute-force L1 (pruning does not pay)
_EXTRA_CANDIDATES = 8      # candidates re-ranked exactly beyond 2k


def _as_features(model, X, n_features=None):
    """uint8 stays uint8 (exact integer L1 path); anything else becomes float32/float64."""
    dtype = np.uint8 if getattr(X, "dtype", None) == np.uint8 else None
    return check_array(model, X, n_features=n_features, dtype=dtype)


def _work_dtype(*arrays):
    return np.float64 if any(a.dtype == np.float64 for a in arrays) else np.float32


class _Prepared:
    """The training set plus what each metric precomputes for it once, at fit time."""

    def __init__(self, kind, X):
        self.kind, self.X = kind, X
        self.dtype = _work_dtype(X)
        if kind == "l2":
            self.Xw = X.astype(self.dtype, copy=False)
            self.sq = np.einsum("ij,ij->i", self.Xw, self.Xw)
        elif kind == "cosine":
            self.Xw = _unit_rows(X.astype(self.dtype, copy=False))
        elif X.dtype == np.uint8:
            self.Xw = pad_to_lanes(X.astype(np.int16))
        else:
            self.Xw = X.astype(self.dtype, copy=False)
        self.pruned = PrunedL1(X) if kind == "l1" and len(X) >= _PRUNE_MIN_ROWS else None

    def fast(self, Q):
        """(B, N) distances good enough to pick candidates: squared L2, L1 or cosine."""
        if self.kind == "l2":
            Qw = Q.astype(self.dtype, copy=False)
            D = Qw @ self.Xw.T
            D *= -2
            D += self.sq
            D += np.einsum("ij,ij->i", Qw, Qw)[:, None]
            return D
        if self.kind == "cosine":
            D = _unit_rows(Q.astype(self.dtype, copy=False)) @ self.Xw.T
            return np.subtract(1, D, out=D)
        if self.X.dtype == np.uint8 and Q.dtype == np.uint8:
            return l1_int16(pad_to_lanes(Q.astype(np.int16)), self.Xw)
        return l1_float(Q.astype(self.dtype, copy=False), self.Xw)

    def exact(self, Q, idx):
        """float64 distances from each query row to its candidates `idx` (B, m): the metric."""
        if self.kind == "l1":
            return exact_l1(self.X, Q, idx)
        Q = Q.astype(np.float64)
        if self.kind == "cosine":
            C = _unit_rows(self.X[idx].astype(np.float64), axis=2)
            return 1 - np.einsum("bmd,bd->bm", C, _unit_rows(Q))
        diff = self.X[idx].astype(np.float64)
        diff -= Q[:, None, :]
        return np.sqrt(np.einsum("bmd,bmd->bm", diff, diff))


def _unit_rows(A, axis=-1):
    norms = np.linalg.norm(A, axis=axis, keepdims=True)
    return A / np.where(norms == 0, 1, norms)  # a zero row stays zero: distance 1 to all


def _drop_self(dist, ind):
    """Remove each training row from its own k+1 neighbours: (B, k+1) -> (B, k).

    A row with duplicates at distance 0 may not find itself among them; then its first
    neighbour goes instead (scikit-learn's rule).
    """
    keep = ind != np.arange(len(ind))[:, None]
    keep[keep.all(axis=1), 0] = False
    shape = (len(ind), ind.shape[1] - 1)
    return dist[keep].reshape(shape), ind[keep].reshape(shape)


class KNeighborsClassifier(Classifier, ClassicModel):
    """k-nearest-neighbour vote, brute force, with scikit-learn's API.

    n_neighbors: k. weights: 'uniform' (one vote each) or 'distance' (vote 1/d).
    metric: 'minkowski' (with p = 1 or 2), 'euclidean'/'l2', 'manhattan'/'l1'/'cityblock',
    'cosine'. chunk_size: query rows per chunk; None picks it from max_memory (bytes used by
    the (chunk, N) distance and index blocks).

    Learned: classes_ (C,), n_features_in_, n_samples_fit_; fit keeps X and y.
    X: (N, n_features) numbers; y: (N,) labels of any sortable type.
    """

    _arrays = ("fit_X_", "fit_y_", "classes_")

    def __init__(self, n_neighbors=5, *, weights="uniform", metric="minkowski", p=2,
                 chunk_size=None, max_memory=256 * 2**20):
        self.n_neighbors = n_neighbors
        self.weights = weights
        self.metric = metric
        self.p = p
        self.chunk_size = chunk_size
        self.max_memory = max_memory

    @property
    def n_features_in_(self):
        return self.fit_X_.shape[1]

    @property
    def n_samples_fit_(self):
        return len(self.fit_X_)

    def _kind(self):
        kind = lookup(self._name, "metric", self.metric, _METRICS)
        return kind or lookup(self._name, "p (with metric='minkowski')", self.p, _MINKOWSKI_P)

    def _check_k(self, k, n_fit):
        if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
            raise ValueError(f"{self._name}: n_neighbors must be a positive integer, got {k!r}")
        if k > n_fit:
            raise ValueError(
                f"{self._name}: n_neighbors={k} is larger than the {n_fit} training samples; "
                f"with n_samples={n_fit}, n_neighbors can be at most {n_fit}"
            )

    def fit(self, X, y):
        """Remember X (N, n_features) and y (N,); return self."""
        kind = self._kind()
        lookup(self._name, "weights", self.weights, dict.fromkeys(_WEIGHTS))
        X = _as_features(self._name, X)
        self.classes_, self.fit_y_ = check_targets(self._name, y, len(X))
        self._check_k(self.n_neighbors, len(X))
        self.fit_X_ = X
        self._prepared = _Prepared(kind, X)
        self._fitted = True
        return self

    def _chunk_rows(self):
        if self.chunk_size is not None:
            if not isinstance(self.chunk_size, numbers.Integral) or self.chunk_size < 1:
                raise ValueError(
                    f"{self._name}: chunk_size must be a positive integer, got {self.chunk_size!r}"
                )
            return int(self.chunk_size)
        per_row = self.n_samples_fit_ * (4 + 8)  # distances + argpartition indices
        return max(1, int(self.max_memory // per_row))

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """The k nearest training samples of each query row, nearest first.

        X: (B, n_features); None queries the training samples themselves, each without
        itself as a neighbour (as scikit-learn). Returns (distances (B, k) float64,
        indices (B, k) int64), or only the indices when return_distance is False. Distances
        are the metric itself (Euclidean, not squared; 1 - cosine similarity for 'cosine').
        """
        check_fitted(self)
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if X is None:
            self._check_k(k + 1, self.n_samples_fit_)
            dist, ind = self._search(self.fit_X_, k + 1)
            dist, ind = _drop_self(dist, ind)
        else:
            self._check_k(k, self.n_samples_fit_)
            dist, ind = self._search(_as_features(self._name, X, self.n_features_in_), k)
        return (dist, ind) if return_distance else ind

    def _search(self, Q, k):
        """(distances, indices), each (B, k): the k nearest training rows of each row of Q."""
        if not hasattr(self, "_prepared"):  # a loaded model
            self._prepared = _Prepared(self._kind(), self.fit_X_)
        if self._prepared.pruned is not None and self._prepared.pruned.takes(Q):
            return self._prepared.pruned.kneighbors(Q, k)
        n_fit = self.n_samples_fit_
        m = min(n_fit, 2 * k + _EXTRA_CANDIDATES)
        dist = np.empty((len(Q), k))
        ind = np.empty((len(Q), k), np.int64)
        step = self._chunk_rows()
        for s in range(0, len(Q), step):
            q = Q[s:s + step]
            fast = self._prepared.fast(q)
            cand = np.argpartition(fast, m - 1, axis=1)[:, :m] if m < n_fit else \
                np.broadcast_to(np.arange(n_fit), fast.shape)
            dist[s:s + step], ind[s:s + step] = self._rerank(q, cand, k)
            if m == n_fit:
                continue
            # argpartition keeps an arbitrary few of the rows tied at its m-th distance: where
            # more rows than m are that near, re-rank all of them (same-valued rows have the
            # same fast distance), so that ties still go to the lower training index
            bound = np.take_along_axis(fast, cand, axis=1).max(axis=1, keepdims=True)
            for i in np.flatnonzero((fast <= bound).sum(axis=1) > m):
                near = np.flatnonzero(fast[i] <= bound[i])[None]
                dist[s + i], ind[s + i] = self._rerank(q[i:i + 1], near, k)
        return dist, ind

    def _rerank(self, q, cand, k):
        """(distances, indices) (B, k) of the k nearest of each query row's candidate
        training rows cand (B, m), by exact distance, then training index."""
        exact = self._prepared.exact(q, cand)
        order = np.lexsort((cand, exact), axis=1)[:, :k]
        return np.take_along_axis(exact, order, axis=1), np.take_along_axis(cand, order, axis=1)

    def _votes(self, dist, ind):
        """(B, C) vote totals from the neighbours' distances and indices (B, k)."""
        labels = self.fit_y_[ind]
        if self.weights == "uniform":
            w = np.ones(dist.shape)
        else:
            with np.errstate(divide="ignore"):
                w = 1 / dist
            exact_hit = (dist == 0).any(axis=1)
            w[exact_hit] = dist[exact_hit] == 0
        n_classes = len(self.classes_)
        slots = labels + n_classes * np.arange(len(labels))[:, None]
        return np.bincount(slots.ravel(), w.ravel(), len(labels) * n_classes).reshape(
            len(labels), n_classes)

    def predict_proba(self, X):
        """(B, C) share of the (weighted) votes of each class, columns in classes_ order."""
        votes = self._votes(*self.kneighbors(X))
        return votes / votes.sum(axis=1, keepdims=True)

    def predict(self, X):
        """(B,) the class with the most (weighted) votes; equal votes go to the smaller label."""
        votes = self._votes(*self.kneighbors(X))
        return self.classes_[np.argmax(votes, axis=1)]

class NearestNeighbor(KNeighborsClassifier):
    """The nearest-neighbour classifier of the classic texts: k = 1 with the L1 distance."""

    def __init__(self, *, chunk_size=None, max_memory=256 * 2**20):
        super().__init__(1, metric="manhattan", chunk_size=chunk_size, max_memory=max_memory)


def cross_validate_k(X, y, candidates=(1, 3, 5, 7, 9), *, n_folds=5, weights="uniform",
                     metric="minkowski", p=2, shuffle=True, generator=None):
    """Choose k by k-fold cross-validation on the training data (never the test set).

    Each fold is searched once with the largest candidate k; every smaller k reuses the
    first k of those sorted neighbours. Folds are stratified by label.
    Returns (best_k, mean_accuracy: dict k -> mean validation accuracy over the folds);
    equal accuracies go to the smaller k.
    """
    X = np.asarray(X)
    y = np.asarray(y)
    candidates = sorted(set(candidates))
    folds = kfold_indices(len(X), n_folds, shuffle=shuffle, generator=generator, stratify=y)
    scores = {k: [] for k in candidates}
    for train, val in folds:
        model = KNeighborsClassifier(candidates[-1], weights=weights, metric=metric, p=p)
        model.fit(X[train], y[train])
        dist, ind = model.kneighbors(X[val])
        truth = np.searchsorted(model.classes_, y[val])
        for k in candidates:
            model.n_neighbors = k
            guess = np.argmax(model._votes(dist[:, :k], ind[:, :k]), axis=1)
            scores[k].append(np.mean(guess == truth))
    mean = {k: float(np.mean(v)) for k, v in scores.items()}
    best = max(candidates, key=lambda k: (mean[k], -k))
    return best, mean
