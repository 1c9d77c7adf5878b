"""Linear classifiers: the score function s = W x + b, trained by minibatch SGD.

Two losses, each a plain function returning the loss and its gradients, derived by hand and
vectorized over the batch (the tests compare them with our autograd engine and with finite
differences):

- the multiclass SVM (hinge) loss: sum over wrong classes j of max(0, s_j - s_y + margin);
- the softmax cross-entropy loss: -log softmax(s)_y;

both averaged over the batch, plus the L2 penalty `reg * |W|^2` (the bias is not penalized).
`LinearSVM` and `SoftmaxClassifier` are `LinearClassifier` with the loss fixed.
Shapes follow nn.Linear and scikit-learn: W = coef_ (C, D), b = intercept_ (C,).
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
from neuronet.random import get_generator


def _scores(W, b, X):
    return X @ W.T + b


def _with_penalty(loss, dscores, W, X, reg):
    """Add reg * |W|^2 and turn d loss / d scores (N, C) into (loss, dW, db)."""
    loss = loss + reg * np.sum(W * W)
    dW = dscores.T @ X + (2 * reg) * W
    return float(loss), dW, dscores.sum(axis=0)


def svm_loss(W, b, X, y, reg=0.0, margin=1.0):
    """Multiclass SVM loss and gradients.

    W: (C, D), b: (C,), X: (N, D), y: (N,) ints in [0, C). Returns (loss, dW (C, D), db (C,)):
    loss = mean over i of sum_{j != y_i} max(0, s_ij - s_iy_i + margin) + reg * |W|^2.
    """
    n, rows = len(X), np.arange(len(X))
    s = _scores(W, b, X)
    margins = s - s[rows, y][:, None] + margin
    np.maximum(margins, 0, out=margins)
    margins[rows, y] = 0
    # each violated margin pushes its class up and the true class down
    dscores = (margins > 0).astype(X.dtype)
    dscores[rows, y] = -dscores.sum(axis=1)
    dscores /= n
    return _with_penalty(margins.sum() / n, dscores, W, X, reg)


def softmax_loss(W, b, X, y, reg=0.0):
    """Softmax cross-entropy loss and gradients; arguments and result as `svm_loss`.

    loss = mean over i of (logsumexp(s_i) - s_iy_i) + reg * |W|^2; d loss / d s = p - onehot(y).
    """
    n, rows = len(X), np.arange(len(X))
    s = _scores(W, b, X)
    s -= s.max(axis=1, keepdims=True)  # exp cannot overflow
    p = np.exp(s)
    total = p.sum(axis=1, keepdims=True)
    p /= total
    loss = np.mean(np.log(total[:, 0]) - s[rows, y])
    p[rows, y] -= 1
    p /= n
    return _with_penalty(loss, p, W, X, reg)


class SGDLinearModel(Classifier, ClassicModel):
    """What the SGD-trained linear models share: input checks, the training loop, scores.

    reg: L2 strength. learning_rate, momentum: SGD with (heavy-ball) momentum.
    batch_size: samples per step. n_epochs: passes over the data (shuffled each time).
    lr_decay: the learning rate is multiplied by it after every epoch.
    random_state: int seed or numpy Generator (initial weights and shuffling).

    Subclasses set `_loss_and_grad(W, b, X, y, reg)` and `_n_outputs(n_classes)`.
    Learned: coef_ (C, D), intercept_ (C,), classes_, loss_history_ (mean loss per epoch).
    """

    _arrays = ("coef_", "intercept_", "classes_")

    def __init__(self, reg=1e-4, learning_rate=0.05, momentum=0.9, batch_size=200, n_epochs=20,
                 lr_decay=0.95, random_state=None):
        self.reg = reg
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.batch_size = batch_size
        self.n_epochs = n_epochs
        self.lr_decay = lr_decay
        self.random_state = random_state

    def _check_options(self):
        for option in ("batch_size", "n_epochs"):
            value = getattr(self, option)
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(
                    f"{self._name}: {option} must be a positive integer, got {value!r}"
                )
        for option in ("reg", "learning_rate", "momentum", "lr_decay"):
            value = getattr(self, option)
            if not isinstance(value, numbers.Real) or not np.isfinite(value) or value < 0:
                raise ValueError(f"{self._name}: {option} must be a finite number >= 0, "
                                 f"got {value!r}")

    def fit(self, X, y):
        """Minibatch SGD on X (N, D), y (N,); return self. Stops with an error on NaN loss."""
        self._check_options()
        X = check_array(self._name, X)
        self.classes_, t = check_targets(self._name, y, len(X))
        if len(self.classes_) < 2:
            raise ValueError(f"{self._name}: y needs at least 2 classes, got 1 class "
                             f"{self.classes_}")
        rng = get_generator(self.random_state)
        W = (0.001 * rng.standard_normal((self._n_outputs(len(self.classes_)), X.shape[1])))
        W = W.astype(X.dtype)
        b = np.zeros(len(W), X.dtype)
        vW, vb = np.zeros_like(W), np.zeros_like(b)
        lr = self.learning_rate
        self.loss_history_ = []
        for epoch in range(self.n_epochs):
            order = rng.permutation(len(X))
            losses = []
            for s in range(0, len(X), self.batch_size):
                batch = order[s:s + self.batch_size]
                loss, dW, db = self._loss_and_grad(W, b, X[batch], t[batch], self.reg)
                if not np.isfinite(loss):
                    raise FloatingPointError(
                        f"{self._name}: loss became {loss} in epoch {epoch}; lower learning_rate"
                    )
                losses.append(loss)
                vW *= self.momentum
                vW -= lr * dW
                vb *= self.momentum
                vb -= lr * db
                W += vW
                b += vb
            self.loss_history_.append(float(np.mean(losses)))
            lr *= self.lr_decay
        self.coef_, self.intercept_ = W, b
        self._fitted = True
        return self

    @property
    def n_features_in_(self):
        return self.coef_.shape[1]

    def _class_scores(self, X):
        """(N, outputs) W x + b of X (N, D), checked against the fitted model."""
        check_fitted(self)
        X = check_array(self._name, X, n_features=self.n_features_in_)
        return _scores(self.coef_, self.intercept_, X.astype(self.coef_.dtype, copy=False))

    def decision_function(self, X):
        """(N, C) class scores W x + b; for two classes (N,), as scikit-learn: the score of
        classes_[1] minus that of classes_[0] (the logit for one output), > 0 means classes_[1]."""
        s = self._class_scores(X)
        if s.shape[1] == 1:
            return s[:, 0]
        return s[:, 1] - s[:, 0] if s.shape[1] == 2 else s


_LOSSES = {"hinge": svm_loss, "softmax": softmax_loss}


class LinearClassifier(SGDLinearModel):
    """Multiclass linear classifier s = W x + b with loss 'hinge' (SVM) or 'softmax'.

    Other arguments as SGDLinearModel. predict_proba exists for the softmax loss only.
    """

    def __init__(self, loss="softmax", reg=1e-4, learning_rate=0.05, momentum=0.9,
                 batch_size=200, n_epochs=20, lr_decay=0.95, random_state=None):
        super().__init__(reg, learning_rate, momentum, batch_size, n_epochs, lr_decay,
                         random_state)
        self.loss = loss

    def _loss_and_grad(self, W, b, X, y, reg):
        return lookup(self._name, "loss", self.loss, _LOSSES)(W, b, X, y, reg)

    def _n_outputs(self, n_classes):
        return n_classes

    def fit(self, X, y):
        lookup(self._name, "loss", self.loss, _LOSSES)
        return super().fit(X, y)

    def predict(self, X):
        """(N,) the class with the highest score (equal scores: the first class)."""
        best = np.argmax(self._class_scores(X), axis=1)
        return self.classes_[best]

    @property
    def predict_proba(self):
        """X (N, D) -> (N, C) softmax of the scores. Only loss='softmax' has the method (hinge
        scores are no probabilities), so `hasattr(model, 'predict_proba')` tells."""
        if self.loss != "softmax":
            raise AttributeError(f"{self._name}: predict_proba needs loss='softmax', "
                                 f"got loss={self.loss!r}")
        return self._softmax

    def _softmax(self, X):
        s = self._class_scores(X)
        p = np.exp(s - s.max(axis=1, keepdims=True))
        return p / p.sum(axis=1, keepdims=True)


class _FixedLoss(LinearClassifier):
    """A LinearClassifier whose loss is a class attribute set by the subclass, not an argument."""

    def __init__(self, reg=1e-4, learning_rate=0.05, momentum=0.9, batch_size=200,
                 n_epochs=20, lr_decay=0.95, random_state=None):
        SGDLinearModel.__init__(self, reg, learning_rate, momentum, batch_size, n_epochs,
                                lr_decay, random_state)


class LinearSVM(_FixedLoss):
    """LinearClassifier with the multiclass SVM hinge loss (margin 1)."""

    loss = "hinge"


class SoftmaxClassifier(_FixedLoss):
    """LinearClassifier with the softmax cross-entropy loss (multinomial logistic regression)."""

    loss = "softmax"
