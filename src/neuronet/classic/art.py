"""Adaptive resonance theory: ART1 for binary inputs and Fuzzy ART for inputs in [0, 1].

Both follow the same cycle for an input I (with |.| the L1 norm and ^ the element-wise min,
which is the logical AND on binary vectors):

- choice: every category j scores T_j = |I ^ w_j| / (alpha + |w_j|);
- vigilance: the best-scoring category whose match |I ^ w_j| / |I| is at least rho resonates
  (taking the best among those that pass is the same as searching in order of T and resetting
  the ones that fail);
- learning: w_j <- beta (I ^ w_j) + (1 - beta) w_j (beta = 1 is fast learning);
- no category passes: a new one is created with w = I.

Fuzzy ART complement-codes its input, I = [x, 1 - x], so that |I| = D for every x and
categories are hyper-boxes that only grow. ART1 uses the binary input as it is.
"""

import numpy as np

from neuronet.classic.base import ClassicModel, check_array, check_binary, check_fitted
from neuronet.random import get_generator


class FuzzyART(ClassicModel):
    """Fuzzy ART (Carpenter, Grossberg & Rosen 1991) with complement coding.

    vigilance (rho, in [0, 1]): higher means more, tighter categories. alpha (> 0): choice
    parameter. beta (in (0, 1]): learning rate. max_epochs: passes over the data; training
    stops earlier once a pass changes no weight. shuffle: a fresh random sample order each
    pass (random_state seeds it); the default presents samples in the order given.

    fit(X): X (N, D). Learned: weights_ (n_categories, D') with D' = 2D for Fuzzy ART, D for
    ART1; labels_ (N,) category of each sample in the last pass; n_iter_ passes run.
    """

    _arrays = ("weights_", "labels_")
    _scalars = ("n_iter_",)

    def __init__(self, vigilance=0.75, alpha=0.001, beta=1.0, max_epochs=10, shuffle=False,
                 random_state=None):
        self.vigilance = vigilance
        self.alpha = alpha
        self.beta = beta
        self.max_epochs = max_epochs
        self.shuffle = shuffle
        self.random_state = random_state

    @property
    def n_categories_(self):
        check_fitted(self)
        return len(self.weights_)

    def _encode(self, X, n_features=None):
        """Check X and return the coded input I: (N, 2D) [x, 1 - x]."""
        X = check_array(self._name, X, n_features=n_features)
        if X.min() < 0 or X.max() > 1:
            raise ValueError(f"{self._name}: inputs must lie in [0, 1], got values in "
                             f"[{X.min()}, {X.max()}]")
        return np.concatenate([X, 1 - X], axis=1)

    def _check_params(self):
        if not 0 <= self.vigilance <= 1 or self.alpha <= 0 or not 0 < self.beta <= 1:
            raise ValueError(f"{self._name}: need 0 <= vigilance <= 1, alpha > 0 and "
                             f"0 < beta <= 1, got vigilance={self.vigilance}, "
                             f"alpha={self.alpha}, beta={self.beta}")
        if self.max_epochs < 1:
            raise ValueError(f"{self._name}: max_epochs must be >= 1, got {self.max_epochs}")

    def _scores(self, I, W):
        """I: (N, D'), W: (C, D') -> choice T (N, C) and match (N, C)."""
        overlap = np.minimum(I[:, None, :], W[None]).sum(-1)
        choice = overlap / (self.alpha + W.sum(1))
        match = overlap / I.sum(1, keepdims=True)
        return choice, match

    def _resonate(self, I, W):
        """The category each row of I resonates with, or -1 where none passes vigilance."""
        out = np.full(len(I), -1)
        if len(W) == 0:
            return out
        step = max(1, 2**22 // W.size)  # rows per chunk: keeps the (rows, C, D') block small
        for s in range(0, len(I), step):
            choice, match = self._scores(I[s:s + step], W)
            choice = np.where(match >= self.vigilance - 1e-12, choice, -np.inf)
            best = np.argmax(choice, axis=1)
            found = np.isfinite(choice[np.arange(len(best)), best])
            out[s:s + step] = np.where(found, best, -1)
        return out

    def _learn_one(self, i, W):
        """Present one coded input i (D',); returns (category, weights, changed)."""
        j = int(self._resonate(i[None], W)[0])
        if j < 0:
            return len(W), np.vstack([W, i[None]]), True
        new = self.beta * np.minimum(i, W[j]) + (1 - self.beta) * W[j]
        changed = not np.array_equal(new, W[j])
        W[j] = new
        return j, W, changed

    def fit(self, X, y=None):
        self._check_params()
        I = self._encode(X)
        gen = get_generator(self.random_state)
        W = np.empty((0, I.shape[1]), dtype=I.dtype)
        labels = np.empty(len(I), dtype=np.int64)
        self.n_iter_ = 0
        while self.n_iter_ < self.max_epochs:
            self.n_iter_ += 1
            order = gen.permutation(len(I)) if self.shuffle else range(len(I))
            any_change = False
            for k in order:  # ART learns one input at a time; each step is vectorized over
                labels[k], W, changed = self._learn_one(I[k], W)  # the categories
                any_change |= changed
            if not any_change:
                break
        self.weights_, self.labels_ = W, labels
        self._fitted = True
        return self

    def partial_fit(self, X, y=None):
        """Present X (N, D) once more, learning as in fit; returns self."""
        if not getattr(self, "_fitted", False):
            return self.fit(X)
        I = self._encode(X, n_features=self._n_inputs)
        W = self.weights_.copy()
        for k in range(len(I)):
            _, W, _ = self._learn_one(I[k], W)
        self.weights_ = W
        return self

    @property
    def _n_inputs(self):
        return self.weights_.shape[1] // 2

    def predict(self, X):
        """X: (N, D) -> (N,) resonating category, -1 where none passes vigilance. No learning."""
        check_fitted(self)
        return self._resonate(self._encode(X, n_features=self._n_inputs), self.weights_)


class ART1(FuzzyART):
    """ART1 (Carpenter & Grossberg 1987) for binary 0/1 inputs, without complement coding.

    A category's weights are the AND of the inputs it has learned (with beta = 1). An all-zero
    input matches nothing and is rejected.
    """

    def _encode(self, X, n_features=None):
        X = check_array(self._name, X, n_features=n_features)
        check_binary(self._name, X)
        empty = np.flatnonzero(X.sum(1) == 0)
        if empty.size:
            raise ValueError(f"{self._name}: input row {empty[0]} is all zeros; ART1 cannot "
                             "match an empty pattern (use FuzzyART, which complement-codes)")
        return X

    @property
    def _n_inputs(self):
        return self.weights_.shape[1]
