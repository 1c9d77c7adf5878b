"""`classification_report`: per-class precision, recall, F1 and support as a text table.

The layout is scikit-learn's, so the two print the same table for the same labels.
"""

import numpy as np

from neuronet.metrics.classification import (
    _label_set,
    _labels_and_predictions,
    accuracy,
    precision_recall_f1,
)

HEADERS = ("precision", "recall", "f1-score", "support")


def classification_report(y_true, y_pred, labels=None, target_names=None, digits=2,
                          zero_division="warn"):
    """The table as a string: one row per class, then accuracy, macro and weighted averages.

    The accuracy row becomes a 'micro avg' row when `labels` leaves out some seen class.
    """
    y_true, y_pred = _labels_and_predictions(y_true, y_pred, "classification_report")
    classes = _label_set(y_true, y_pred, labels)
    names = [str(c) for c in classes] if target_names is None else list(target_names)
    if len(names) != len(classes):
        raise ValueError(
            f"classification_report: {len(names)} target_names for {len(classes)} labels"
        )
    per_class = precision_recall_f1(y_true, y_pred, classes, None, zero_division)
    total = int(per_class[3].sum())
    width = max(max(len(n) for n in names), len("weighted avg"), digits)
    number = f" {{:>9.{digits}f}}"
    row = "{:>{width}s} " + number * 3 + " {:>9}\n"
    lines = "{:>{width}s} ".format("", width=width) + "".join(f" {h:>9}" for h in HEADERS)
    lines += "\n\n"
    for name, *values, support in zip(names, *per_class):
        lines += row.format(name, *values, support, width=width)
    lines += "\n"
    covers_all = labels is None or set(np.asarray(labels).tolist()) >= set(
        np.union1d(y_true, y_pred).tolist())
    if covers_all:
        lines += ("{:>{width}s} " + " {:>9}" * 2 + number + " {:>9}\n").format(
            "accuracy", "", "", accuracy(y_true, y_pred), total, width=width)
        averages = ("macro", "weighted")
    else:
        averages = ("micro", "macro", "weighted")
    for average in averages:
        values = precision_recall_f1(y_true, y_pred, classes, average, zero_division)[:3]
        lines += row.format(f"{average} avg", *values, total, width=width)
    return lines
