"""Binary logistic regression: gradients vs autograd and finite differences, accuracy vs
scikit-learn on the breast-cancer data, bad input."""

import numpy as np
import pytest
from test_linear import check_loss

import neuronet
import neuronet.nn.functional as F
from neuronet.classic.logistic import LogisticRegression, logistic_loss


@pytest.mark.parametrize("n,d", [(1, 2), (6, 3), (19, 8)])
@pytest.mark.parametrize("reg", [0.0, 0.2])
def test_logistic_loss_equals_autograd_and_finite_differences(n, d, reg, rng):
    W, b, X = rng.normal(size=(1, d)), rng.normal(size=1), rng.normal(size=(n, d)) * 3
    y = rng.integers(0, 2, n)
    target = neuronet.tensor(y[:, None].astype(np.float64), dtype=neuronet.float64)
    check_loss(logistic_loss, lambda z: F.binary_cross_entropy_with_logits(z, target),
               W, b, X, y, reg)


def test_logistic_loss_has_no_overflow_for_huge_logits():
    W, b = np.array([[1e4]]), np.zeros(1)
    loss, dW, _ = logistic_loss(W, b, np.array([[1.0], [-1.0]]), np.array([0, 1]))
    assert np.isfinite(loss) and np.all(np.isfinite(dW))
    assert loss == pytest.approx(1e4)


def test_breast_cancer_accuracy_within_one_point_of_sklearn():
    datasets = pytest.importorskip("sklearn.datasets")
    linear_model = pytest.importorskip("sklearn.linear_model")
    X, y = datasets.load_breast_cancer(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order]
    mean, std = X[:400].mean(axis=0), X[:400].std(axis=0)
    X = (X - mean) / std
    reference = linear_model.LogisticRegression().fit(X[:400], y[:400]).score(X[400:], y[400:])
    model = LogisticRegression(random_state=0).fit(X[:400], y[:400])
    assert model.score(X[400:], y[400:]) >= reference - 0.01
    p = model.predict_proba(X[400:])
    np.testing.assert_allclose(p.sum(axis=1), 1)
    np.testing.assert_array_equal(model.predict(X[400:]), p.argmax(axis=1))


def test_labels_of_any_type(rng):
    X = rng.normal(size=(30, 2))
    y = np.where(X[:, 0] > 0, "spam", "ham")
    model = LogisticRegression(random_state=0).fit(X, y)
    assert model.score(X, y) > 0.9 and list(model.classes_) == ["ham", "spam"]


def test_more_than_two_classes_is_refused():
    with pytest.raises(ValueError, match="LogisticRegression: y must hold exactly 2 classes, "
                                         "got 3; use SoftmaxClassifier"):
        LogisticRegression().fit(np.zeros((3, 2)), [0, 1, 2])
