"""Binary logistic regression: p(y=1 | x) = sigmoid(w x + b), trained on binary cross-entropy.

The loss function returns the loss and its hand-derived gradients (d loss / d z = p - y),
checked in the tests against our autograd engine (binary_cross_entropy_with_logits) and finite
differences. Training is the minibatch SGD loop shared with the linear classifiers.
"""

import numpy as np

from neuronet.classic.linear import SGDLinearModel, _scores, _with_penalty


def logistic_loss(W, b, X, y, reg=0.0):
    """Binary cross-entropy of sigmoid(X W^T + b) and gradients.

    W: (1, D), b: (1,), X: (N, D), y: (N,) of 0/1. Returns (loss, dW (1, D), db (1,)):
    loss = mean over i of log(1 + exp(z_i)) - y_i z_i + reg * |W|^2, written so that no
    exp overflows.
    """
    z = _scores(W, b, X)[:, 0]
    y = y.astype(X.dtype)
    loss = np.mean(np.logaddexp(0, z) - y * z)
    p = np.exp(-np.logaddexp(0, -z))  # sigmoid(z) without overflow
    return _with_penalty(loss, ((p - y) / len(X))[:, None], W, X, reg)


class LogisticRegression(SGDLinearModel):
    """Logistic regression for two classes (classes_[1] is the positive one).

    Arguments as SGDLinearModel (reg is the L2 strength on w). Learned: coef_ (1, D),
    intercept_ (1,), classes_ (2,), loss_history_. decision_function: (N,) the logit w x + b.
    """

    _binary_only = True

    def __init__(self, reg=1e-3, learning_rate=0.05, momentum=0.9, batch_size=32,
                 n_epochs=50, lr_decay=0.98, random_state=None):
        super().__init__(reg, learning_rate, momentum, batch_size, n_epochs, lr_decay,
                         random_state)

    def _loss_and_grad(self, W, b, X, y, reg):
        return logistic_loss(W, b, X, y, reg)

    def _n_outputs(self, n_classes):
        if n_classes != 2:
            raise ValueError(f"{self._name}: y must hold exactly 2 classes, got {n_classes}; "
                             "use SoftmaxClassifier for more. Only binary classification is "
                             "supported.")
        return 1

    def predict_proba(self, X):
        """(N, 2) probabilities of classes_[0] and classes_[1]."""
        z = self.decision_function(X)
        p = np.exp(-np.logaddexp(0, -z))
        return np.stack([1 - p, p], axis=1)

    def predict(self, X):
        """(N,) classes_[1] where the logit is positive, else classes_[0]."""
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(np.int64)]
