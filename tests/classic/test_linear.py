"""Linear SVM / softmax classifiers: analytic gradients vs autograd and finite differences,
accuracy vs scikit-learn on the digits, bad input."""

import numpy as np
import pytest

import neuronet
import neuronet.nn.functional as F
from neuronet.classic.linear import (
    LinearClassifier,
    LinearSVM,
    SoftmaxClassifier,
    softmax_loss,
    svm_loss,
)

SHAPES = [(1, 3, 2), (5, 4, 3), (17, 7, 10)]  # (N, D, C): batch 1, odd sizes


def _problem(rng, n, d, c):
    return (rng.normal(size=(c, d)), rng.normal(size=c), rng.normal(size=(n, d)),
            rng.integers(0, c, n))


def _autograd(loss_of_scores, W, b, X, reg):
    """Loss and gradients of loss_of_scores(X W^T + b) + reg |W|^2 by our autograd engine."""
    Wt = neuronet.tensor(W, dtype=neuronet.float64, requires_grad=True)
    bt = neuronet.tensor(b, dtype=neuronet.float64, requires_grad=True)
    loss = loss_of_scores(F.linear(neuronet.tensor(X, dtype=neuronet.float64), Wt, bt))
    loss = loss + reg * (Wt * Wt).sum()
    loss.backward()
    return float(loss.data), Wt.grad.data, bt.grad.data


def _finite_differences(fn, W, b, eps=1e-6):
    grads = []
    for param in (W, b):
        grad = np.zeros_like(param)
        for i in np.ndindex(param.shape):
            old = param[i]
            param[i] = old + eps
            up = fn(W, b)
            param[i] = old - eps
            down = fn(W, b)
            param[i] = old
            grad[i] = (up - down) / (2 * eps)
        grads.append(grad)
    return grads


def check_loss(loss_fn, loss_of_scores, W, b, X, y, reg):
    """loss_fn's analytic loss and gradients equal autograd's and finite differences."""
    loss, dW, db = loss_fn(W, b, X, y, reg)
    ref = _autograd(loss_of_scores, W, b, X, reg)
    np.testing.assert_allclose(loss, ref[0], rtol=1e-12)
    np.testing.assert_allclose(dW, ref[1], rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(db, ref[2], rtol=1e-10, atol=1e-14)
    fd_W, fd_b = _finite_differences(lambda W, b: loss_fn(W, b, X, y, reg)[0], W, b)
    np.testing.assert_allclose(dW, fd_W, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(db, fd_b, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("n,d,c", SHAPES)
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_svm_loss_equals_autograd_and_finite_differences(n, d, c, reg, rng):
    W, b, X, y = _problem(rng, n, d, c)
    # torch-style multi_margin_loss divides each sample's sum by C; ours does not
    check_loss(svm_loss, lambda s: F.multi_margin_loss(s, neuronet.tensor(y)) * c,
               W, b, X, y, reg)


@pytest.mark.parametrize("n,d,c", SHAPES)
@pytest.mark.parametrize("reg", [0.0, 0.3])
def test_softmax_loss_equals_autograd_and_finite_differences(n, d, c, reg, rng):
    W, b, X, y = _problem(rng, n, d, c)
    check_loss(softmax_loss, lambda s: F.cross_entropy(s, neuronet.tensor(y)), W, b, X, y, reg)


def test_softmax_loss_is_stable_for_huge_scores(rng):
    W, b, X, y = _problem(rng, 4, 3, 5)
    loss, dW, _ = softmax_loss(W * 1e4, b, X, y)
    assert np.isfinite(loss) and np.all(np.isfinite(dW))


def test_losses_keep_float32(rng):
    W, b, X, y = (a.astype(np.float32) if a.dtype == np.float64 else a
                  for a in _problem(rng, 6, 4, 3))
    for fn in (svm_loss, softmax_loss):
        _, dW, db = fn(W, b, X, y, 0.1)
        assert dW.dtype == np.float32 and db.dtype == np.float32


@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    X, y = datasets.load_digits(return_X_y=True)
    order = np.random.default_rng(0).permutation(len(X))
    X, y = X[order], y[order]
    X_train, X_test = X[:1250], X[1250:]
    mean, std = X_train.mean(axis=0), X_train.std(axis=0) + 1e-8
    scale = lambda A: ((A - mean) / std).astype(np.float32)
    return scale(X_train), y[:1250], scale(X_test), y[1250:]


@pytest.mark.parametrize("ours,theirs", [
    (lambda: LinearSVM(reg=1e-3, n_epochs=30, random_state=0), "LinearSVC"),
    (lambda: SoftmaxClassifier(reg=1e-3, n_epochs=30, random_state=0), "LogisticRegression"),
])
def test_digits_accuracy_within_one_point_of_sklearn(ours, theirs, digits):
    X, y, X_test, y_test = digits
    svm = pytest.importorskip("sklearn.svm")
    linear_model = pytest.importorskip("sklearn.linear_model")
    reference = (svm.LinearSVC() if theirs == "LinearSVC"
                 else linear_model.LogisticRegression(max_iter=2000)).fit(X, y)
    model = ours().fit(X, y)
    assert model.score(X_test, y_test) >= reference.score(X_test, y_test) - 0.01
    assert model.loss_history_[-1] < model.loss_history_[0]


def test_predict_proba_is_the_softmax_of_the_scores(rng):
    X, y = rng.normal(size=(40, 3)), rng.integers(0, 3, 40)
    model = SoftmaxClassifier(n_epochs=2, random_state=0).fit(X, y)
    p = model.predict_proba(X)
    np.testing.assert_allclose(p.sum(axis=1), 1)
    np.testing.assert_array_equal(model.classes_[p.argmax(axis=1)], model.predict(X))
    with pytest.raises(AttributeError, match="LinearSVM: predict_proba needs loss='softmax'"):
        LinearSVM(n_epochs=1).fit(X, y).predict_proba(X)


def test_same_seed_same_model_and_save_load(tmp_path, rng):
    X, y = rng.normal(size=(50, 4)), np.array(["a", "b"] * 25)
    one = LinearClassifier("hinge", n_epochs=3, random_state=7).fit(X, y)
    two = LinearClassifier("hinge", n_epochs=3, random_state=7).fit(X, y)
    np.testing.assert_array_equal(one.coef_, two.coef_)
    one.save(str(tmp_path / "svm"))
    loaded = LinearClassifier.load(str(tmp_path / "svm"))
    np.testing.assert_array_equal(loaded.predict(X), one.predict(X))
    assert set(one.predict(X)) <= {"a", "b"}


@pytest.mark.parametrize("make,X,y,error,message", [
    (lambda: LinearClassifier("squared"), np.zeros((4, 2)), [0, 1, 0, 1], ValueError,
     "LinearClassifier: loss must be one of"),
    (lambda: LinearSVM(batch_size=0), np.zeros((4, 2)), [0, 1, 0, 1], ValueError,
     "LinearSVM: batch_size must be a positive integer"),
    (lambda: SoftmaxClassifier(learning_rate=np.nan), np.zeros((4, 2)), [0, 1, 0, 1],
     ValueError, "SoftmaxClassifier: learning_rate must be a finite number"),
    (lambda: SoftmaxClassifier(), np.zeros((4, 2)), [1, 1, 1, 1], ValueError,
     "SoftmaxClassifier: y needs at least 2 classes"),
    (lambda: SoftmaxClassifier(), np.full((4, 2), np.inf), [0, 1, 0, 1], ValueError,
     "SoftmaxClassifier: X contains NaN or Inf"),
    (lambda: SoftmaxClassifier(), np.zeros((4, 2)), [0, 1, 0], ValueError,
     r"SoftmaxClassifier: y must have shape \(4,\)"),
])
def test_bad_input(make, X, y, error, message):
    with pytest.raises(error, match=message):
        make().fit(X, y)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_diverging_training_stops_with_a_clear_error(rng):
    X, y = rng.normal(size=(20, 3)) * 1e30, rng.integers(0, 2, 20)
    with pytest.raises(FloatingPointError, match="SoftmaxClassifier: loss became"):
        SoftmaxClassifier(learning_rate=1e10).fit(X.astype(np.float32), y)


def test_predict_checks_features_and_fit():
    with pytest.raises(RuntimeError, match="call fit"):
        LinearSVM().predict(np.zeros((1, 2)))
    model = LinearSVM(n_epochs=1).fit(np.eye(4), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="LinearSVM: X has 3 features"):
        model.predict(np.zeros((1, 3)))
