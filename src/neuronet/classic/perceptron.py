"""The McCulloch-Pitts neuron and Rosenblatt's perceptron (with Gallant's pocket variant).

The perceptron learns by the rule `w += eta * (t - o) * x` (and `b += eta * (t - o)`), one
sample at a time, until a whole epoch passes without a mistake. On data that no line separates
(XOR) it never gets there: it stops at `max_iter` epochs, sets `converged_ = False` and warns.
A two-layer network trained by backprop solves XOR (see examples/classic_perceptron.py).
"""

import warnings

import numpy as np

from neuronet.classic.base import (
    ClassicModel,
    Classifier,
    check_array,
    check_binary,
    check_fitted,
    check_targets,
)
from neuronet.random import get_generator


class ConvergenceWarning(UserWarning):
    """A learning rule stopped at its iteration limit without meeting its stopping test."""


def learning_step(w, b, x, t, eta):
    """The perceptron rule on one sample: o = [x @ w + b > 0], delta = t - o,
    w += eta * delta * x (in place), b += eta * delta.

    w: (D,) float64, b: float, x: (D,), t: the target, 0 or 1. Returns (b, delta).
    """
    delta = t - float(x @ w + b > 0)
    if delta != 0:
        w += eta * delta * x
        b += eta * delta
    return b, delta


class MPNeuron:
    """A McCulloch-Pitts threshold unit with fixed weights: no learning.

    Fires (outputs 1) when `x @ weights >= threshold` and no inhibitory input is active
    (absolute inhibition, as in the 1943 paper). `inhibitory` is a boolean mask of inputs.
    X: (N, n_inputs) of 0/1 -> (N,) int64 of 0/1.
    """

    def __init__(self, weights, threshold, inhibitory=None):
        self.weights = np.asarray(weights, dtype=np.float64)
        if self.weights.ndim != 1 or self.weights.size == 0:
            raise ValueError(f"MPNeuron: weights must be a non-empty 1-D array, got shape "
                             f"{self.weights.shape}")
        n = self.weights.size
        self.inhibitory = (np.zeros(n, bool) if inhibitory is None
                           else np.asarray(inhibitory, dtype=bool))
        if self.inhibitory.shape != (n,):
            raise ValueError(f"MPNeuron: inhibitory must have shape ({n},), got "
                             f"{self.inhibitory.shape}")
        self.threshold = float(threshold)

    def predict(self, X):
        X = check_array("MPNeuron", X, n_features=self.weights.size, dtype=np.float64)
        check_binary("MPNeuron", X)
        excited = X @ self.weights >= self.threshold
        inhibited = (X[:, self.inhibitory] > 0).any(axis=1)
        return (excited & ~inhibited).astype(np.int64)


class Perceptron(Classifier, ClassicModel):
    """Rosenblatt's perceptron for two classes.

    eta: learning rate. max_iter: epoch limit. shuffle: visit samples in a fresh random order
    each epoch. pocket: keep ("pocket") the weights with the fewest training mistakes seen so
    far, checked after every update, and end with those (Gallant 1990) — the useful answer on
    non-separable data. random_state: int seed or numpy Generator (see neuronet.random).

    Learned: coef_ (n_features,), intercept_ (float), classes_ (the two labels; classes_[1] is
    the positive one), n_iter_ (epochs run), converged_ (an epoch had no mistakes),
    errors_ (list: mistakes made during each epoch).
    """

    _arrays = ("coef_", "classes_")
    _binary_only = True
    _scalars = ("intercept_", "n_iter_", "converged_", "errors_")

    def __init__(self, eta=1.0, max_iter=100, shuffle=True, pocket=False, random_state=None):
        self.eta = eta
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.pocket = pocket
        self.random_state = random_state

    def fit(self, X, y):
        """X: (N, n_features), y: (N,) with exactly two distinct labels (or one)."""
        X = check_array("Perceptron", X, dtype=np.float64)
        self.classes_, encoded = check_targets("Perceptron", y, len(X))
        if self.classes_.size > 2:
            raise ValueError(f"Perceptron: Only binary classification is supported; y must have "
                             f"at most two classes, got {self.classes_.size}: "
                             f"{self.classes_[:5]}")
        if self.eta <= 0 or self.max_iter < 1:
            raise ValueError(f"Perceptron: need eta > 0 and max_iter >= 1, got eta={self.eta}, "
                             f"max_iter={self.max_iter}")
        t = (encoded == self.classes_.size - 1).astype(np.float64)
        if self.classes_.size == 1:  # one label: it is the positive class
            self.classes_ = np.array([self.classes_[0], self.classes_[0]])
        gen = get_generator(self.random_state)
        w, b = np.zeros(X.shape[1]), 0.0
        best = (np.inf, w.copy(), b)
        self.errors_, self.converged_ = [], False
        for _ in range(self.max_iter):
            order = gen.permutation(len(X)) if self.shuffle else np.arange(len(X))
            mistakes = 0
            for i in order:  # the rule is sequential: each update sees the previous one
                b, delta = learning_step(w, b, X[i], t[i], self.eta)
                if delta != 0:
                    mistakes += 1
                    if self.pocket:
                        wrong = int(np.sum((X @ w + b > 0) != t))
                        if wrong < best[0]:
                            best = (wrong, w.copy(), b)
            self.errors_.append(mistakes)
            if mistakes == 0:
                self.converged_ = True
                break
        self.n_iter_ = len(self.errors_)
        if self.pocket and not self.converged_ and best[0] < np.inf:
            _, w, b = best
        self.coef_, self.intercept_ = w, float(b)
        self._fitted = True
        if not self.converged_:
            warnings.warn(
                f"Perceptron: no epoch without mistakes after max_iter={self.max_iter} epochs; "
                "the data may not be linearly separable (e.g. XOR)", ConvergenceWarning,
                stacklevel=2)
        return self

    @property
    def n_features_in_(self):
        return self.coef_.size

    def decision_function(self, X):
        """X: (N, n_features) -> (N,) `X @ coef_ + intercept_`; > 0 means classes_[1]."""
        check_fitted(self)
        X = check_array("Perceptron", X, n_features=self.n_features_in_, dtype=np.float64)
        return X @ self.coef_ + self.intercept_

    def predict(self, X):
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.int64)]
