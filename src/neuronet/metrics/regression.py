"""Regression metrics, equal to scikit-learn's (uniform average over outputs)."""

import numpy as np

from neuronet.metrics.classification import as_numpy


def _pair(y_true, y_pred, who):
    y_true = as_numpy(y_true, who, "y_true").astype(np.float64)
    y_pred = as_numpy(y_pred, who, "y_pred").astype(np.float64)
    if y_true.shape != y_pred.shape:
        raise ValueError(f"{who}: y_true has shape {y_true.shape} but y_pred has {y_pred.shape}")
    return y_true, y_pred


def mean_squared_error(y_true, y_pred):
    """Mean of (y_true - y_pred)**2 over all elements; y: (N,) or (N, outputs)."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_squared_error")
    return float(np.mean((y_true - y_pred) ** 2))


def mean_absolute_error(y_true, y_pred):
    """Mean of |y_true - y_pred| over all elements; y: (N,) or (N, outputs)."""
    y_true, y_pred = _pair(y_true, y_pred, "mean_absolute_error")
    return float(np.mean(np.abs(y_true - y_pred)))
