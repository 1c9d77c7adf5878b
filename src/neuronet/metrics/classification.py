"""Classification metrics, equal to scikit-learn's on the same labels.

Inputs may be lists, arrays or Tensors. `y_true` holds class labels (N,). `y_pred` holds
predicted labels (N,) or scores (N, C) (logits or probabilities), in which case the predicted
label is the arg-max of each row. Scalars come back as Python floats, per-class values as
float64 arrays in the order of `labels` (default: the sorted labels seen in y_true or y_pred).
"""

import warnings

import numpy as np

from neuronet.autograd.tensor import Tensor

AVERAGES = ("macro", "micro", "weighted", None)


class UndefinedMetricWarning(RuntimeWarning):
    """A precision/recall/F1 had a zero denominator and was set to `zero_division`'s value."""


def as_numpy(x, who, name):
    """The values of a list, array or Tensor as an ndarray (Tensors are detached)."""
    array = x.data if isinstance(x, Tensor) else np.asarray(x)
    if array.size == 0:
        raise ValueError(f"{who}: {name} is empty")
    return array


def _labels_and_predictions(y_true, y_pred, who):
    """(y_true (N,), predicted labels (N,)) after checking shapes; scores are arg-maxed."""
    y_true = as_numpy(y_true, who, "y_true")
    y_pred = as_numpy(y_pred, who, "y_pred")
    if y_true.ndim != 1:
        raise ValueError(f"{who}: y_true must be 1-D class labels (N,), got shape {y_true.shape}")
    if y_pred.ndim == 2:
        y_pred = y_pred.argmax(axis=1)
    elif y_pred.ndim != 1:
        raise ValueError(
            f"{who}: y_pred must be labels (N,) or scores (N, C), got shape {y_pred.shape}"
        )
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"{who}: y_true has {len(y_true)} samples but y_pred has {len(y_pred)}"
        )
    return y_true, y_pred


def _label_set(y_true, y_pred, labels):
    return np.union1d(y_true, y_pred) if labels is None else np.asarray(labels)


def accuracy(y_true, y_pred):
    """Fraction of samples whose predicted label equals the true one."""
    y_true, y_pred = _labels_and_predictions(y_true, y_pred, "accuracy")
    return float(np.mean(y_true == y_pred))


def top_k_accuracy(y_true, y_score, k=2, labels=None):
    """Fraction of samples whose true label is among the k highest scores of its row.

    y_score: (N, C), column j scoring class labels[j] (default: class j). Ties are broken
    toward the higher column, as scikit-learn's top_k_accuracy_score.
    """
    y_true = as_numpy(y_true, "top_k_accuracy", "y_true")
    y_score = as_numpy(y_score, "top_k_accuracy", "y_score")
    if y_score.ndim != 2 or y_true.ndim != 1 or len(y_true) != len(y_score):
        raise ValueError(
            f"top_k_accuracy: needs y_true (N,) and y_score (N, C), got {y_true.shape} and "
            f"{y_score.shape}"
        )
    classes = np.arange(y_score.shape[1]) if labels is None else np.asarray(labels)
    if len(classes) != y_score.shape[1]:
        raise ValueError(
            f"top_k_accuracy: {len(classes)} labels but y_score has {y_score.shape[1]} columns"
        )
    unknown = np.setdiff1d(y_true, classes)
    if unknown.size:
        raise ValueError(f"top_k_accuracy: y_true has labels {unknown.tolist()} with no score")
    by_label = np.argsort(classes)
    column = by_label[np.searchsorted(classes, y_true, sorter=by_label)]  # y_score column
    # Stable sort, then reversed: among equal scores the higher column ranks first.
    ranked = np.argsort(y_score, axis=1, kind="stable")[:, ::-1][:, :k]
    return float(np.mean((ranked == column[:, None]).any(axis=1)))


def confusion_matrix(y_true, y_pred, labels=None, normalize=None):
    """(K, K) int64 counts: row = true label, column = predicted label, in `labels` order.

    normalize: None (counts), 'true' (rows sum to 1), 'pred' (columns sum to 1) or 'all';
    normalized matrices are float64 with 0 where a row/column has no samples.
    """
    y_true, y_pred = _labels_and_predictions(y_true, y_pred, "confusion_matrix")
    if normalize not in (None, "true", "pred", "all"):
        raise ValueError(
            f"confusion_matrix: normalize must be None, 'true', 'pred' or 'all', got {normalize!r}"
        )
    classes = _label_set(y_true, y_pred, labels)
    k = len(classes)
    index = {label: i for i, label in enumerate(classes.tolist())}
    rows = np.array([index.get(v, -1) for v in y_true.tolist()], dtype=np.int64)
    cols = np.array([index.get(v, -1) for v in y_pred.tolist()], dtype=np.int64)
    keep = (rows >= 0) & (cols >= 0)  # samples with labels outside `labels` are ignored
    matrix = np.bincount(rows[keep] * k + cols[keep], minlength=k * k).reshape(k, k)
    if normalize is None:
        return matrix.astype(np.int64)
    axis = {"true": 1, "pred": 0, "all": None}[normalize]
    with np.errstate(invalid="ignore", divide="ignore"):
        scaled = matrix / matrix.sum(axis=axis, keepdims=axis is not None)
    return np.nan_to_num(scaled)


def _divide(numerator, denominator, zero_division, what):
    """numerator / denominator, with `zero_division`'s value where the denominator is 0."""
    if zero_division not in ("warn", 0, 1, 0.0, 1.0) and not np.isnan(zero_division):
        raise ValueError(
            f"{what}: zero_division must be 'warn', 0, 1 or nan, got {zero_division!r}"
        )
    zero = denominator == 0
    result = numerator / np.where(zero, 1, denominator)
    if zero.any():
        if zero_division == "warn":
            warnings.warn(
                f"{what} is ill-defined (no samples in its denominator) and set to 0.0; "
                "pass zero_division to choose the value",
                UndefinedMetricWarning, stacklevel=4,
            )
        result[zero] = 0.0 if zero_division == "warn" else float(zero_division)
    return result


def precision_recall_f1(y_true, y_pred, labels=None, average="macro", zero_division="warn",
                        warn_for=("precision", "recall", "F1")):
    """(precision, recall, f1, support) per class, or averaged.

    average: None (per-class arrays in `labels` order), 'micro' (from the summed counts),
    'macro' (plain mean over classes) or 'weighted' (mean weighted by each class's support).
    zero_division: value of a metric whose denominator is 0 ('warn' = 0 with a warning for
    the metrics in `warn_for`; nan values are left out of the averages). support: the count
    of true samples per class (None when averaged).
    """
    if average not in AVERAGES:
        raise ValueError(f"average must be one of {AVERAGES}, got {average!r}")
    y_true, y_pred = _labels_and_predictions(y_true, y_pred, "precision_recall_f1")
    classes = _label_set(y_true, y_pred, labels)
    is_true = y_true[:, None] == classes  # (N, K)
    is_pred = y_pred[:, None] == classes
    true_positives = (is_true & is_pred).sum(axis=0).astype(np.float64)
    predicted = is_pred.sum(axis=0).astype(np.float64)
    actual = is_true.sum(axis=0).astype(np.float64)
    support = actual.astype(np.int64)
    if average == "micro":
        true_positives, predicted, actual = (np.array([v.sum()]) for v in
                                             (true_positives, predicted, actual))

    def divide(numerator, denominator, what):
        policy = zero_division if what in warn_for or zero_division != "warn" else 0.0
        return _divide(numerator, denominator, policy, what)

    precision = divide(true_positives, predicted, "precision")
    recall = divide(true_positives, actual, "recall")
    f1 = divide(2 * true_positives, predicted + actual, "F1")
    if average is None:
        return precision, recall, f1, support
    weights = support if average == "weighted" else None
    return (*(_nan_average(v, weights) for v in (precision, recall, f1)), None)


def _nan_average(values, weights):
    """Mean of `values` ignoring NaNs, weighted if asked (uniform when all weights are 0)."""
    keep = ~np.isnan(values)
    if not keep.any():
        return float("nan")
    if weights is None or weights[keep].sum() == 0:
        return float(np.mean(values[keep]))
    return float(np.average(values[keep], weights=weights[keep]))


def precision(y_true, y_pred, labels=None, average="macro", zero_division="warn"):
    """TP / (TP + FP): of the samples predicted as a class, the fraction that are it."""
    return precision_recall_f1(y_true, y_pred, labels, average, zero_division, ("precision",))[0]


def recall(y_true, y_pred, labels=None, average="macro", zero_division="warn"):
    """TP / (TP + FN): of the samples of a class, the fraction predicted as it."""
    return precision_recall_f1(y_true, y_pred, labels, average, zero_division, ("recall",))[1]


def f1(y_true, y_pred, labels=None, average="macro", zero_division="warn"):
    """2 TP / (2 TP + FP + FN), the harmonic mean of precision and recall."""
    return precision_recall_f1(y_true, y_pred, labels, average, zero_division, ("F1",))[2]
