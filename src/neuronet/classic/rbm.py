"""The restricted Boltzmann machine with Bernoulli visible and hidden units.

Energy E(v, h) = -v.b - h.c - h W v with W: (n_hidden, n_visible) (scikit-learn's
`components_` layout), b the visible and c the hidden biases. Summing h out gives the free
energy F(v) = -v.b - sum_j softplus(c_j + W_j . v), and p(v) = exp(-F(v)) / Z.

Training follows the log-likelihood gradient <v h>_data - <v h>_model, with the model term
estimated by k steps of Gibbs sampling started at the data (CD-k) or from persistent chains
that live across updates (PCD). Momentum and L2 weight decay are optional.
"""

import itertools
import warnings

import numpy as np

from neuronet.classic.base import ClassicModel, Transformer, check_array, check_fitted
from neuronet.random import get_generator


def _sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * x))  # overflow-free logistic


def _softplus(x):
    return np.logaddexp(0, x)


def _free_energy(v, W, b, c):
    """v: (N, D), W: (H, D), b: (D,), c: (H,) -> (N,)."""
    return -v @ b - _softplus(v @ W.T + c).sum(1)


class BernoulliRBM(Transformer, ClassicModel):
    """A Bernoulli-Bernoulli RBM, trained with CD-k or persistent CD.

    n_components: hidden units. learning_rate: step on the batch-mean gradient. batch_size.
    n_iter: epochs. k: Gibbs steps per update. persistent: PCD (chains carried across updates,
    batch_size of them) instead of CD. momentum: velocity coefficient. weight_decay: L2
    coefficient on the weights (not the biases). random_state: int seed or Generator.

    fit(X): X (N, D) with values in [0, 1] (probabilities are allowed as data; other values
    are used as given, with a warning). Learned (names
    as in scikit-learn): components_ (H, D), intercept_hidden_ (H,), intercept_visible_ (D,),
    h_samples_ (batch_size, H) the persistent chains' hidden states, history_ (mean
    reconstruction error after each epoch).
    """

    _arrays = ("components_", "intercept_hidden_", "intercept_visible_", "h_samples_")
    _scalars = ("history_",)

    def __init__(self, n_components=256, learning_rate=0.1, batch_size=10, n_iter=10, k=1,
                 persistent=False, momentum=0.0, weight_decay=0.0, shuffle=True,
                 random_state=None):
        self.n_components = n_components
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.n_iter = n_iter
        self.k = k
        self.persistent = persistent
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.shuffle = shuffle
        self.random_state = random_state

    @property
    def n_features_in_(self):
        return self.components_.shape[1]

    # --- checks -------------------------------------------------------------------------

    def _check_X(self, X, fitted=True):
        n_features = self.components_.shape[1] if fitted else None
        dtype = self.components_.dtype if fitted else None
        X = check_array("BernoulliRBM", X, n_features=n_features, dtype=dtype)
        if X.min() < 0 or X.max() > 1:
            # a warning, not an error: scikit-learn's contract (and its RBM) takes any finite X
            warnings.warn(f"BernoulliRBM: visible values should lie in [0, 1] (they are "
                          f"Bernoulli probabilities), got values in [{X.min()}, {X.max()}]; "
                          "scale X first, e.g. with MinMaxScaler", UserWarning, stacklevel=3)
        return X

    def _check_params(self):
        for name in ("n_components", "batch_size", "n_iter", "k"):
            value = getattr(self, name)
            if not isinstance(value, (int, np.integer)) or value < 1:
                raise ValueError(f"BernoulliRBM: {name} must be a positive int, got {value!r}")
        if self.learning_rate <= 0 or not 0 <= self.momentum < 1 or self.weight_decay < 0:
            raise ValueError(f"BernoulliRBM: need learning_rate > 0, 0 <= momentum < 1 and "
                             f"weight_decay >= 0, got {self.learning_rate}, {self.momentum}, "
                             f"{self.weight_decay}")

    # --- conditionals and sampling ------------------------------------------------------

    def _hidden_probs(self, v):
        return _sigmoid(v @ self.components_.T + self.intercept_hidden_)

    def _visible_probs(self, h):
        return _sigmoid(h @ self.components_ + self.intercept_visible_)

    @staticmethod
    def _bernoulli(p, gen):
        return (gen.random(p.shape) < p).astype(p.dtype)

    def _gibbs_from_hidden(self, h, steps, gen):
        """`steps` rounds h -> v -> h; returns (v sample, h probabilities, h sample)."""
        for _ in range(steps):
            v = self._bernoulli(self._visible_probs(h), gen)
            h_prob = self._hidden_probs(v)
            h = self._bernoulli(h_prob, gen)
        return v, h_prob, h

    def gibbs(self, v, steps=1, generator=None):
        """Run `steps` full Gibbs rounds v -> h -> v from v (N, D); returns the v sample."""
        check_fitted(self)
        gen = get_generator(generator)
        v = self._check_X(v)
        h = self._bernoulli(self._hidden_probs(v), gen)
        return self._gibbs_from_hidden(h, steps, gen)[0]

    def sample(self, n_samples, steps=1000, generator=None):
        """Draw n_samples visible vectors by `steps` Gibbs rounds from uniform random noise."""
        check_fitted(self)
        gen = get_generator(generator)
        v0 = (gen.random((n_samples, self.components_.shape[1])) < 0.5)
        return self.gibbs(v0.astype(self.components_.dtype), steps, gen)

    # --- training -----------------------------------------------------------------------

    def _init_state(self, n_features, dtype, gen):
        H = self.n_components
        self.components_ = (0.01 * gen.standard_normal((H, n_features))).astype(dtype)
        self.intercept_hidden_ = np.zeros(H, dtype)
        self.intercept_visible_ = np.zeros(n_features, dtype)
        self.h_samples_ = np.zeros((self.batch_size, H), dtype)
        self._velocity = [np.zeros_like(p) for p in self._parameters()]
        self.history_ = []
        self._fitted = True

    def _parameters(self):
        return (self.components_, self.intercept_hidden_, self.intercept_visible_)

    def _update(self, v_pos, gen):
        """One CD-k / PCD step on the batch v_pos (B, D)."""
        h_pos = self._hidden_probs(v_pos)
        if self.persistent:
            start = self.h_samples_
        else:
            start = self._bernoulli(h_pos, gen)
        v_neg, h_neg, h_sample = self._gibbs_from_hidden(start, self.k, gen)
        if self.persistent:
            self.h_samples_ = h_sample
        B = len(v_pos)
        grads = (
            (h_pos.T @ v_pos) / B - (h_neg.T @ v_neg) / len(v_neg)
            - self.weight_decay * self.components_,
            h_pos.mean(0) - h_neg.mean(0),
            v_pos.mean(0) - v_neg.mean(0),
        )
        for p, vel, g in zip(self._parameters(), self._velocity, grads, strict=True):
            vel *= self.momentum
            vel += self.learning_rate * g
            p += vel

    def _epoch(self, X, gen):
        order = gen.permutation(len(X)) if self.shuffle else np.arange(len(X))
        for start in range(0, len(X), self.batch_size):
            self._update(X[order[start:start + self.batch_size]], gen)
        self.history_.append(self.reconstruction_error(X))

    def fit(self, X, y=None):
        """Train from fresh parameters for n_iter epochs; returns self."""
        self._check_params()
        X = self._check_X(X, fitted=False)
        gen = get_generator(self.random_state)
        self._init_state(X.shape[1], X.dtype, gen)
        for _ in range(self.n_iter):
            self._epoch(X, gen)
        return self

    def partial_fit(self, X, y=None, generator=None):
        """One more epoch over X (initializing on first use); returns self."""
        fitted = getattr(self, "_fitted", False)
        self._check_params()
        X = self._check_X(X, fitted=fitted)
        gen = get_generator(self.random_state if generator is None else generator)
        if not fitted:
            self._init_state(X.shape[1], X.dtype, gen)
        if not hasattr(self, "_velocity"):  # a loaded model starts with zero velocity
            self._velocity = [np.zeros_like(p) for p in self._parameters()]
        self._epoch(X, gen)
        return self

    # --- evaluation ---------------------------------------------------------------------

    def transform(self, X):
        """X: (N, D) -> (N, H) hidden unit probabilities p(h = 1 | v)."""
        check_fitted(self)
        return self._hidden_probs(self._check_X(X))

    def free_energy(self, X):
        """X: (N, D) -> (N,) free energy F(v)."""
        check_fitted(self)
        return _free_energy(self._check_X(X), *self._parameters_bvc())

    def _parameters_bvc(self):
        return self.components_, self.intercept_visible_, self.intercept_hidden_

    def reconstruction_error(self, X):
        """Mean squared error between X and p(v | h = p(h | X)), one deterministic pass."""
        check_fitted(self)
        X = self._check_X(X)
        return float(np.mean((X - self._visible_probs(self._hidden_probs(X))) ** 2))

    def pseudo_likelihood(self, X):
        """X: (N, D) binary -> (N,) sum_i log p(v_i | v_-i), computed exactly for every i.

        (scikit-learn's `score_samples` estimates the same sum from one random i per sample.)
        """
        check_fitted(self)
        X = self._check_X(X)
        W, b, c = self._parameters_bvc()
        pre = X @ W.T + c  # (N, H)
        base = -X @ b - _softplus(pre).sum(1)  # F(v)
        out = np.empty(len(X), dtype=X.dtype)
        step = max(1, 2**22 // W.size)  # rows per chunk for the (rows, D, H) block
        for s in range(0, len(X), step):
            flip = 1 - 2 * X[s:s + step]  # +1 where v_i = 0 turns on, -1 where it turns off
            flipped = (-(X[s:s + step] @ b)[:, None] - flip * b
                       - _softplus(pre[s:s + step, None, :] + flip[:, :, None] * W.T).sum(-1))
            # log p(v_i | v_-i) = log sigmoid(F(v with bit i flipped) - F(v))
            out[s:s + step] = -_softplus(-(flipped - base[s:s + step, None])).sum(1)
        return out

    def score_samples(self, X):
        """The pseudo-log-likelihood of each sample, (N,)."""
        return self.pseudo_likelihood(X)

    def score(self, X, y=None):
        """Mean pseudo-log-likelihood."""
        return float(self.pseudo_likelihood(X).mean())

    def log_partition(self):
        """Exact log Z by enumerating the smaller layer (at most 20 units)."""
        check_fitted(self)
        W, b, c = self._parameters_bvc()
        W, b, c = W.astype(np.float64), b.astype(np.float64), c.astype(np.float64)
        if W.shape[0] < W.shape[1]:  # enumerate hidden states: F(h) has the same form
            W, b, c = W.T, c, b
        n = W.shape[1]
        if n > 20:
            raise ValueError(f"BernoulliRBM: exact log Z enumerates 2^{n} states; only "
                             "layers of at most 20 units are allowed")
        states = np.array(list(itertools.product([0.0, 1.0], repeat=n)))
        return float(np.logaddexp.reduce(-_free_energy(states, W, b, c)))

    def log_likelihood(self, X):
        """Exact log p(v) = -F(v) - log Z for each row of X (tiny RBMs only)."""
        return -self.free_energy(X).astype(np.float64) - self.log_partition()
