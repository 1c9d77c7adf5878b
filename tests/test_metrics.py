"""Metrics against scikit-learn (the oracle) on random labels, including missing classes."""

import warnings

import numpy as np
import pytest

import neuronet
from neuronet import metrics

skm = pytest.importorskip("sklearn.metrics")
# sklearn warns about its own edge cases (a single label, k >= n_classes); ours are tested.
pytestmark = pytest.mark.filterwarnings("ignore::UserWarning:sklearn")

AVERAGES = ["macro", "micro", "weighted", None]
ZERO_DIVISION = [0.0, 1.0, np.nan]


def _cases():
    """(y_true, y_pred) pairs: random, classes missing from either side, a single class."""
    rng = np.random.default_rng(0)
    cases = []
    for n, k in [(1, 2), (5, 3), (40, 4), (200, 10)]:
        cases.append((rng.integers(0, k, n), rng.integers(0, k, n)))
    cases.append((rng.integers(0, 3, 30), rng.integers(2, 6, 30)))  # pred-only classes 3..5
    cases.append((rng.integers(2, 7, 30), rng.integers(0, 4, 30)))  # true-only classes 4..6
    cases.append((np.full(6, 2), np.full(6, 2)))
    cases.append((np.array([0, 1, 1, 0]), np.array([1, 1, 1, 1])))
    return cases


CASES = _cases()


def _same(ours, theirs):
    np.testing.assert_allclose(np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float),
                               rtol=1e-12, atol=0, equal_nan=True)


@pytest.mark.parametrize("case", range(len(CASES)))
def test_accuracy_and_confusion_matrix(case):
    y_true, y_pred = CASES[case]
    assert metrics.accuracy(y_true, y_pred) == skm.accuracy_score(y_true, y_pred)
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred),
                                  skm.confusion_matrix(y_true, y_pred))
    for normalize in ("true", "pred", "all"):
        _same(metrics.confusion_matrix(y_true, y_pred, normalize=normalize),
              skm.confusion_matrix(y_true, y_pred, normalize=normalize))
    labels = list(dict.fromkeys([5, int(y_true[0]), 0]))  # chosen order, maybe-absent labels
    np.testing.assert_array_equal(metrics.confusion_matrix(y_true, y_pred, labels=labels),
                                  skm.confusion_matrix(y_true, y_pred, labels=labels))


@pytest.mark.parametrize("case", range(len(CASES)))
@pytest.mark.parametrize("average", AVERAGES)
@pytest.mark.parametrize("zero_division", ZERO_DIVISION)
def test_precision_recall_f1_equal_sklearn(case, average, zero_division):
    y_true, y_pred = CASES[case]
    for ours, theirs in [(metrics.precision, skm.precision_score),
                         (metrics.recall, skm.recall_score), (metrics.f1, skm.f1_score)]:
        _same(ours(y_true, y_pred, average=average, zero_division=zero_division),
              theirs(y_true, y_pred, average=average, zero_division=zero_division))


@pytest.mark.parametrize("case", [2, 4, 5])
@pytest.mark.parametrize("average", AVERAGES)
def test_explicit_labels_subset_and_absent(case, average):
    y_true, y_pred = CASES[case]
    labels = [1, 3, 8]  # 8 never occurs; others' predictions still count as false positives
    ours = metrics.precision_recall_f1(y_true, y_pred, labels, average, zero_division=0.0)
    theirs = skm.precision_recall_fscore_support(y_true, y_pred, labels=labels,
                                                 average=average, zero_division=0.0)
    for a, b in zip(ours, theirs):
        if b is None:
            assert a is None
        else:
            _same(a, b)


def test_zero_division_warns_like_sklearn():
    y_true, y_pred = np.array([0, 1, 1, 0]), np.array([1, 1, 1, 1])
    with pytest.warns(metrics.UndefinedMetricWarning, match="precision is ill-defined"):
        value = metrics.precision(y_true, y_pred, average=None)
    _same(value, [0.0, 0.5])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # recall is defined here: no warning about precision
        metrics.recall(y_true, y_pred, average=None)
    with pytest.raises(ValueError, match="zero_division must be 'warn', 0, 1 or nan"):
        metrics.precision(y_true, y_pred, zero_division=0.5)


def test_scores_and_tensors_are_accepted():
    rng = np.random.default_rng(1)
    scores = rng.normal(size=(50, 4)).astype(np.float32)
    y_true = rng.integers(0, 4, 50)
    predicted = scores.argmax(axis=1)
    assert metrics.accuracy(neuronet.tensor(y_true), neuronet.tensor(scores)) == \
        skm.accuracy_score(y_true, predicted)
    _same(metrics.f1(y_true.tolist(), neuronet.tensor(scores), average=None, zero_division=0),
          skm.f1_score(y_true, predicted, average=None, zero_division=0))


@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_top_k_accuracy_equal_sklearn(k):
    rng = np.random.default_rng(k)
    scores = rng.normal(size=(60, 5))
    scores[:10] = np.round(scores[:10])  # some ties: broken the same way
    y_true = rng.integers(0, 5, 60)
    assert metrics.top_k_accuracy(y_true, scores, k=k) == skm.top_k_accuracy_score(
        y_true, scores, k=k, labels=range(5))
    labels = [30, 10, 50, 20, 40]  # columns need not be in label order (sklearn's must)
    mapped = np.array(labels)[y_true][10:]  # rows without ties: reordering columns is safe
    in_order = scores[10:, np.argsort(labels)]
    assert metrics.top_k_accuracy(mapped, scores[10:], k=k, labels=labels) == \
        skm.top_k_accuracy_score(mapped, in_order, k=k, labels=sorted(labels))
    assert metrics.top_k_accuracy(y_true, neuronet.tensor(scores), k=5) == 1.0


def test_regression_metrics_equal_sklearn():
    rng = np.random.default_rng(2)
    for shape in [(1,), (17,), (20, 3)]:
        y, p = rng.normal(size=shape), rng.normal(size=shape)
        assert metrics.mean_squared_error(y, p) == pytest.approx(
            skm.mean_squared_error(y, p), rel=1e-12)
        assert metrics.mean_absolute_error(neuronet.tensor(y, dtype="float64"), p) == \
            pytest.approx(skm.mean_absolute_error(y, p), rel=1e-12)


@pytest.mark.parametrize("case", [2, 3, 4, 5, 6])
@pytest.mark.parametrize("digits", [2, 4])
def test_classification_report_text_equals_sklearn(case, digits):
    y_true, y_pred = CASES[case]
    assert metrics.classification_report(y_true, y_pred, digits=digits, zero_division=0) == \
        skm.classification_report(y_true, y_pred, digits=digits, zero_division=0)
    labels = [1, 2]  # a subset: micro avg replaces the accuracy row
    assert metrics.classification_report(y_true, y_pred, labels=labels, zero_division=0) == \
        skm.classification_report(y_true, y_pred, labels=labels, zero_division=0)


def test_classification_report_target_names():
    y_true, y_pred = np.array([0, 1, 2, 2]), np.array([0, 2, 2, 1])
    names = ["T-shirt/top", "Trouser", "Pullover"]
    assert metrics.classification_report(y_true, y_pred, target_names=names) == \
        skm.classification_report(y_true, y_pred, target_names=names)
    with pytest.raises(ValueError, match="2 target_names for 3 labels"):
        metrics.classification_report(y_true, y_pred, target_names=names[:2])


@pytest.mark.parametrize("call, message", [
    (lambda: metrics.accuracy([0, 1], [0]), "accuracy: y_true has 2 samples but y_pred has 1"),
    (lambda: metrics.accuracy([], []), "accuracy: y_true is empty"),
    (lambda: metrics.accuracy(np.zeros((2, 2)), [0, 1]), r"y_true must be 1-D class labels"),
    (lambda: metrics.f1([0, 1], np.zeros((2, 2, 2))), r"labels \(N,\) or scores \(N, C\)"),
    (lambda: metrics.f1([0, 1], [0, 1], average="binary"), "average must be one of"),
    (lambda: metrics.confusion_matrix([0], [0], normalize="rows"), "normalize must be None"),
    (lambda: metrics.top_k_accuracy([0, 1], np.zeros(2)), r"needs y_true \(N,\) and y_score"),
    (lambda: metrics.top_k_accuracy([7], np.zeros((1, 3))), r"labels \[7\] with no score"),
    (lambda: metrics.mean_squared_error([1, 2], [1, 2, 3]), r"shape \(2,\) but y_pred has"),
])
def test_bad_input_errors(call, message):
    with pytest.raises(ValueError, match=message):
        call()
