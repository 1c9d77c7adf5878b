"""The Hopfield network: a content-addressable memory of bipolar (+1/-1) patterns.

Weights are symmetric with a zero diagonal, learned by the Hebbian rule
`W = (1/N) sum_p x_p x_p^T` or by Storkey's incremental rule (higher capacity). Recall updates
the state until nothing changes: asynchronously (one neuron at a time, in a fresh random order
each sweep; the energy `-1/2 s^T W s` never rises) or synchronously (all at once; this can end
in a 2-cycle, which is detected). A neuron whose local field is exactly zero keeps its state,
so states are always +1/-1.
"""

import numpy as np

from neuronet.classic.base import (
    ClassicModel,
    check_array,
    check_binary,
    check_fitted,
    lookup,
)
from neuronet.random import get_generator


def _hebbian(patterns):
    n = patterns.shape[1]
    W = patterns.T @ patterns / n
    np.fill_diagonal(W, 0)
    return W


def _storkey(patterns):
    """Storkey (1997): dW_ij = (x_i x_j - x_i h_ji - h_ij x_j) / n, h_ij = sum_{k!=i,j} w_ik x_k."""
    n = patterns.shape[1]
    W = np.zeros((n, n), dtype=patterns.dtype)
    for x in patterns:  # the rule is incremental: each pattern sees the weights of the previous
        field = W @ x
        # h[i, j] = field_i - w_ii x_i - w_ij x_j (w_ii = 0)
        h = field[:, None] - W * x[None, :]
        W += (np.outer(x, x) - x[:, None] * h.T - h * x[None, :]) / n
        np.fill_diagonal(W, 0)
    return W


_RULES = {"hebbian": _hebbian, "storkey": _storkey}
_UPDATES = ("async", "sync")


def _sign(field, previous):
    """+1/-1 by the sign of the field; a zero field keeps the previous state."""
    return np.where(field > 0, 1, np.where(field < 0, -1, previous)).astype(previous.dtype)


def to_bipolar(X):
    """(M, N) real rows -> (M, N) of +1/-1: +1 where an entry is above its own row's mean
    (e.g. the dark strokes of an image), so each row becomes a pattern a Hopfield net stores."""
    X = check_array("to_bipolar", X)
    return np.where(X > X.mean(axis=1, keepdims=True), 1.0, -1.0).astype(X.dtype)


class Hopfield(ClassicModel):
    """A Hopfield network.

    learning_rule: 'hebbian' or 'storkey'. update: 'async' or 'sync'. max_iter: sweeps
    (async) or steps (sync) before recall gives up. random_state: int seed or Generator for the
    asynchronous update order.

    fit(X): X (P, N) of +1/-1, P <= N. Learned: weights_ (N, N) symmetric, zero diagonal.
    """

    _arrays = ("weights_",)

    def __init__(self, learning_rule="hebbian", update="async", max_iter=100, random_state=None):
        self.learning_rule = learning_rule
        self.update = update
        self.max_iter = max_iter
        self.random_state = random_state

    def _check_states(self, X, n_features=None):
        X = np.asarray(X)
        single = X.ndim == 1
        X = check_array("Hopfield", X[None] if single else X, n_features=n_features)
        check_binary("Hopfield", X, values=(-1, 1))
        return X, single

    def fit(self, X, y=None):
        rule = lookup("Hopfield", "learning_rule", self.learning_rule, _RULES)
        lookup("Hopfield", "update", self.update, dict.fromkeys(_UPDATES))
        X, _ = self._check_states(X)
        if X.shape[0] > X.shape[1]:
            raise ValueError(f"Hopfield: {X.shape[0]} patterns for {X.shape[1]} neurons; a "
                             "Hopfield network cannot store more patterns than it has neurons")
        self.weights_ = rule(X)
        self._fitted = True
        return self

    def energy(self, state):
        """state: (N,) or (M, N) of +1/-1 -> energy -1/2 s^T W s, a float or (M,)."""
        check_fitted(self)
        S, single = self._check_states(state, self.weights_.shape[0])
        S = S.astype(self.weights_.dtype, copy=False)
        e = -0.5 * np.einsum("mi,ij,mj->m", S, self.weights_, S)
        return float(e[0]) if single else e

    def recall(self, pattern, return_status=False):
        """Run the dynamics from `pattern` ((N,) or (M, N) of +1/-1) to a fixed point.

        Returns (state, steps): the final state(s), same shape as `pattern`, and the number of
        sweeps (async) or steps (sync) that changed something (an int, or (M,) ints). With
        return_status=True also a status per state: 'fixed_point', '2-cycle' (sync only; the
        state returned is the last one) or 'max_iter'.
        """
        check_fitted(self)
        S, single = self._check_states(pattern, self.weights_.shape[0])
        S = S.astype(self.weights_.dtype)  # a copy: the caller's array is never changed
        run = self._recall_async if self.update == "async" else self._recall_sync
        S, steps, status = run(S)
        if single:
            S, steps, status = S[0], int(steps[0]), status[0]
        return (S, steps, status) if return_status else (S, steps)

    def update_unit(self, state, i):
        """One asynchronous step: neuron i of `state` ((N,) of +1/-1, changed in place) takes
        the sign of its local field `weights_[i] @ state` (kept when the field is zero).
        Returns True when it flipped. recall() runs such steps until nothing changes."""
        check_fitted(self)
        new = _sign(state @ self.weights_[i], state[i])
        flipped = bool(new != state[i])
        state[i] = new
        return flipped

    def predict(self, X):
        """The recalled states for X: (M, N) -> (M, N)."""
        return self.recall(X)[0]

    def _recall_async(self, S):
        gen = get_generator(self.random_state)
        W = self.weights_
        steps = np.zeros(len(S), dtype=np.int64)
        active = np.ones(len(S), dtype=bool)  # states still changing
        for _ in range(self.max_iter):
            changed = np.zeros(len(S), dtype=bool)
            for i in gen.permutation(W.shape[0]):  # one neuron at a time, all states at once
                new = _sign(S[active] @ W[i], S[active, i])
                changed[active] |= new != S[active, i]
                S[active, i] = new
            steps += changed
            active &= changed
            if not active.any():
                break
        status = np.where(active, "max_iter", "fixed_point")
        return S, steps, list(status)

    def _recall_sync(self, S):
        W = self.weights_
        steps = np.zeros(len(S), dtype=np.int64)
        status = np.full(len(S), "max_iter", dtype=object)
        previous = np.full_like(S, np.nan)  # the state two steps back, for 2-cycle detection
        for _ in range(self.max_iter):
            active = status == "max_iter"
            if not active.any():
                break
            new = _sign(S[active] @ W, S[active])
            same = (new == S[active]).all(axis=1)
            cycle = ~same & (new == previous[active]).all(axis=1)
            idx = np.flatnonzero(active)
            status[idx[same]] = "fixed_point"
            status[idx[cycle]] = "2-cycle"
            steps[idx[~same]] += 1
            previous[idx] = S[idx]
            S[idx] = new
        return S, steps, list(status)


def capacity_curve(n_neurons, n_patterns, learning_rule="hebbian", trials=5, noise=0.0,
                   min_overlap=0.95, random_state=None):
    """The fraction of stored random patterns recalled, for each count in `n_patterns`.

    For each count P, `trials` networks of `n_neurons` store P random +1/-1 patterns; each is
    recalled (asynchronously) from itself with a fraction `noise` of bits flipped, and counts as
    recalled when the final overlap `s . x / N` is at least `min_overlap`. Hebbian recall breaks
    down near P = 0.14 N; Storkey's rule holds out further. Returns (len(n_patterns),) floats.
    """
    gen = get_generator(random_state)
    rates = []
    for p in n_patterns:
        hits = 0
        for _ in range(trials):
            X = gen.choice(np.array([-1.0, 1.0]), size=(p, n_neurons))
            net = Hopfield(learning_rule, "async", random_state=gen).fit(X)
            probe = np.where(gen.random(X.shape) < noise, -X, X)
            recalled = net.predict(probe)
            hits += int(np.sum((recalled * X).mean(axis=1) >= min_overlap))
        rates.append(hits / (p * trials))
    return np.array(rates)
