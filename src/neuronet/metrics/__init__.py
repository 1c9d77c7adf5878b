"""Metrics for classification and regression, equal to scikit-learn's on the same inputs.

Inputs may be lists, arrays or Tensors; classification predictions may be labels (N,) or
scores (N, C), reduced by arg-max.
"""

from neuronet.metrics.classification import (
    UndefinedMetricWarning,
    accuracy,
    confusion_matrix,
    f1,
    precision,
    precision_recall_f1,
    recall,
    top_k_accuracy,
)
from neuronet.metrics.regression import mean_absolute_error, mean_squared_error
from neuronet.metrics.report import classification_report

__all__ = [
    "UndefinedMetricWarning", "accuracy", "classification_report", "confusion_matrix", "f1",
    "mean_absolute_error", "mean_squared_error", "precision", "precision_recall_f1", "recall",
    "top_k_accuracy",
]
