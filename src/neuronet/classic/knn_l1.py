"""L1 (Manhattan) distances for k-NN: the brute-force blocks, and an exact pruned search.

Pruned search. Sum the features in consecutive groups (zeros pad the last one): by the
triangle inequality sum_G |sum_G(a) - sum_G(b)| <= |a - b|_1 for any grouping, so distances
between group sums are lower bounds of the L1 distance. For each query:
  1. bounds with groups of 16 features against every training row (16x fewer features);
  2. the exact distances of the few rows with the smallest bounds give tau, the k-th smallest
     of them, an upper bound of the true k-th distance;
  3. only rows whose bound is <= tau (plus a rounding margin) can be among the k nearest;
     their bounds with groups of 4 prune them again, and the rest get exact distances;
  4. the k nearest of those by (distance, training index), the brute-force order.
Nothing that brute force would pick is ever pruned, so the neighbours and their float64
distances are the brute-force ones. On Fashion-MNIST (60000 x 784 uint8) 2-5% of the
training rows pass the coarse bounds on average (a third for the odd query), and a tenth of
those the fine ones. Queries run in parts of 32 on the op threads (neuronet.parallel); the
memory per part is a few (32, N) arrays, whatever the model's chunk_size.
"""

import numpy as np

from neuronet.parallel import parallel_map

_BLOCK_BYTES = 1 << 20   # the difference block of the brute-force L1: stays in cache
_GROUPS = (16, 4)        # features per group of the coarse and the fine bounds
_SEEDS = 8               # rows with the smallest coarse bounds, beyond k, that set tau
_PART_ROWS = 32          # queries per part on a thread
_PAIR_BLOCK = 2048       # (query, row) pairs whose exact distance is computed at once
_MARGIN = 1e-4           # bounds count as <= tau within this share of |q|_1 + max |x|_1


def pad_to_lanes(A):
    """int16 rows padded with zeros to a multiple of 4 features (four int16 in a uint64)."""
    pad = -A.shape[1] % 4
    return np.pad(A, ((0, 0), (0, pad))) if pad else A


def l1_int16(Q, X, max_diff=255):
    """Exact L1 between int16 rows with |q - x| <= max_diff per feature: Q (B, d),
    X (N, d), d a multiple of 4 -> (B, N) float32.

    Viewing each row of int16 differences as uint64 words sums four features in one addition
    (four 16-bit lanes), several times faster than an int32 reduction. Features are taken
    4 * (65535 // max_diff) at a time, so that no lane overflows.
    """
    out = np.zeros((len(Q), len(X)), np.float32)
    step = 4 * (0xFFFF // max_diff)
    for f in range(0, Q.shape[1], step):
        q, x = Q[:, f:f + step], X[:, f:f + step]
        rows = max(1, _BLOCK_BYTES // (2 * q.shape[1] * len(q)))
        for s in range(0, len(x), rows):
            diff = q[:, None, :] - x[None, s:s + rows]
            np.abs(diff, out=diff)
            words = diff.view(np.uint64).sum(axis=2)
            lanes = (words & 0xFFFF) + ((words >> 16) & 0xFFFF) + ((words >> 32) & 0xFFFF)
            out[:, s:s + rows] += lanes + (words >> 48)
    return out


def l1_float(Q, X):
    """L1 between float rows: Q (B, d), X (N, d) -> (B, N), training rows in small blocks."""
    out = np.empty((len(Q), len(X)), Q.dtype)
    rows = max(1, _BLOCK_BYTES // (Q.itemsize * Q.shape[1] * len(Q)))
    ones = np.ones(Q.shape[1], Q.dtype)
    for s in range(0, len(X), rows):
        diff = Q[:, None, :] - X[None, s:s + rows]
        np.abs(diff, out=diff)
        out[:, s:s + rows] = diff @ ones  # a BLAS sum: faster than a pairwise reduction
    return out


def exact_l1(X, Q, idx):
    """float64 L1 from each row of Q (B, d) to its rows X[idx] (idx: (B, m)) -> (B, m)."""
    diff = X[idx].astype(np.float64)
    diff -= Q.astype(np.float64)[:, None, :]
    return np.abs(diff).sum(axis=2)


def _group_sums(A, size):
    """(n, d) -> (n, ceil(d / size)): sums of consecutive features (zeros pad the last)."""
    pad = -A.shape[1] % size
    A = np.pad(A, ((0, 0), (0, pad))) if pad else A
    return A.reshape(len(A), -1, size).sum(axis=2)


class PrunedL1:
    """Exact k nearest training rows under L1, pruned by group-sum lower bounds.

    X: (N, d) uint8 (bounds in exact integer arithmetic) or float32/float64 (bounds in that
    dtype, compared with a margin that covers their rounding).
    """

    def __init__(self, X):
        self.X = X
        self.integer = X.dtype == np.uint8
        # integer bounds and exact distances below 2^24 are exact in float32: no margin
        self.exact_bounds = self.integer and X.shape[1] * 255 < 2**24
        self.dtype = np.int32 if self.integer else X.dtype
        sums = [_group_sums(X.astype(self.dtype), size) for size in _GROUPS]
        self.coarse = self._coarse_rows(sums[0])
        self.fine = sums[1]
        self.norm_max = float(np.abs(X).sum(axis=1, dtype=np.float64).max())

    def _coarse_rows(self, sums):
        """Group sums as the coarse-bound routine takes them (int16 lanes for uint8 data)."""
        return pad_to_lanes(sums.astype(np.int16)) if self.integer else sums

    def _coarse_bounds(self, Q):
        """(B, N) float coarse lower bounds of the L1 distances."""
        sums = self._coarse_rows(_group_sums(Q.astype(self.dtype), _GROUPS[0]))
        if self.integer:
            return l1_int16(sums, self.coarse, max_diff=255 * _GROUPS[0])
        return l1_float(sums, self.coarse)

    def takes(self, Q):
        """Whether queries Q can be searched here (uint8 training rows need uint8 queries)."""
        return Q.dtype == np.uint8 or not self.integer

    def kneighbors(self, Q, k):
        """(distances (B, k) float64, indices (B, k) int64), nearest first, ties by index."""
        parts = [slice(s, s + _PART_ROWS) for s in range(0, len(Q), _PART_ROWS)]
        done = parallel_map(lambda thread, part: self._part(Q[part], k), parts)
        return (np.concatenate([d for d, _ in done]), np.concatenate([i for _, i in done]))

    def _part(self, Q, k):
        n = len(self.X)
        coarse = self._coarse_bounds(Q)
        seeds = min(n, k + _SEEDS)
        seed = np.argpartition(coarse, seeds - 1, axis=1)[:, :seeds] if seeds < n else \
            np.broadcast_to(np.arange(n), coarse.shape)
        tau = np.partition(exact_l1(self.X, Q, seed), k - 1, axis=1)[:, k - 1]
        norms = np.abs(Q).sum(axis=1, dtype=np.float64)
        tau += 0 if self.exact_bounds else _MARGIN * (norms + self.norm_max)
        query, row = np.nonzero(coarse <= tau[:, None])
        fine_q = _group_sums(Q.astype(self.dtype), _GROUPS[1])
        keep = np.zeros(len(query), bool)
        for s in range(0, len(query), _PAIR_BLOCK):
            q, r = query[s:s + _PAIR_BLOCK], row[s:s + _PAIR_BLOCK]
            bound = np.abs(fine_q[q] - self.fine[r]).sum(axis=1)
            keep[s:s + _PAIR_BLOCK] = bound <= tau[q]
        query, row = query[keep], row[keep]
        dist = np.empty(len(query))
        for s in range(0, len(query), _PAIR_BLOCK):
            q, r = query[s:s + _PAIR_BLOCK], row[s:s + _PAIR_BLOCK]
            dist[s:s + _PAIR_BLOCK] = exact_l1(self.X, Q[q], r[:, None])[:, 0]
        order = np.lexsort((row, dist, query))  # each query's pairs by distance, then index
        first = np.searchsorted(query[order], np.arange(len(Q)))
        take = order[first[:, None] + np.arange(k)]  # every query kept >= k pairs (its seeds)
        return dist[take], row[take]
