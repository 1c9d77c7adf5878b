"""Metrics by name for `fit`/`evaluate`, and the running totals of one pass over the data.

Names: "accuracy", "top5" (any "top<k>"), "precision_macro", "recall_weighted", "f1_micro"
(any of precision/recall/f1 with macro/micro/weighted), "mse", "mae". A callable
`fn(y_true, scores) -> float` is used as is, under its `__name__`.
"""

import functools
import re

import numpy as np

from neuronet import metrics as M

_AVERAGED = {"precision": M.precision, "recall": M.recall, "f1": M.f1}
_PLAIN = {"accuracy": M.accuracy, "mse": M.mean_squared_error, "mae": M.mean_absolute_error}
METRIC_NAMES = (
    "accuracy", "top<k> (e.g. top5)", "precision_macro|micro|weighted",
    "recall_macro|micro|weighted", "f1_macro|micro|weighted", "mse", "mae",
)


def metric_function(name):
    """The function (y_true, scores) -> float that metric `name` stands for."""
    if name in _PLAIN:
        return _PLAIN[name]
    if match := re.fullmatch(r"top(\d+)", name):
        return functools.partial(M.top_k_accuracy, k=int(match[1]))
    if match := re.fullmatch(r"(precision|recall|f1)_(macro|micro|weighted)", name):
        # zero_division=0: a class not yet predicted early in an epoch is not worth a warning
        return functools.partial(_AVERAGED[match[1]], average=match[2], zero_division=0.0)
    raise ValueError(f"unknown metric {name!r}; the known ones are {', '.join(METRIC_NAMES)}, "
                     "or pass a callable fn(y_true, scores)")


def resolve_metrics(metrics):
    """{name: fn(y_true, scores)} for a sequence of names and callables."""
    if isinstance(metrics, str) or callable(metrics):
        metrics = (metrics,)
    resolved = {}
    for metric in metrics or ():
        if isinstance(metric, str):
            resolved[metric] = metric_function(metric)
        elif callable(metric):
            resolved[getattr(metric, "__name__", type(metric).__name__)] = metric
        else:
            raise TypeError(f"a metric must be a name or a callable, got {metric!r}")
    return resolved


class RunningStats:
    """Sample-weighted mean loss and the outputs/targets seen so far in one pass.

    Outputs are kept (as NumPy) only when there are metrics to compute at the end.
    """

    def __init__(self, metric_fns):
        self.metric_fns = metric_fns
        self.loss_sum = None  # stays None when no loss is computed (evaluate without loss_fn)
        self.samples = 0
        self.scores, self.targets = [], []

    def add(self, batch_size, loss=None, scores=None, targets=None):
        """Record one batch: its mean loss (a float) and, for metrics, its scores and targets."""
        self.samples += batch_size
        if loss is not None:
            self.loss_sum = (self.loss_sum or 0.0) + loss * batch_size
        if self.metric_fns:
            self.scores.append(scores)
            self.targets.append(targets)

    def results(self):
        """{"loss": mean loss (when losses were given), metric name: value} so far."""
        out = {} if self.loss_sum is None else {"loss": self.loss_sum / self.samples}
        if self.metric_fns and self.samples:
            scores, targets = np.concatenate(self.scores), np.concatenate(self.targets)
            out.update({name: float(fn(targets, scores)) for name, fn in self.metric_fns.items()})
        return out
