"""`History`: what `fit` measured, one value per epoch and name, as Keras's History.

    history.history["val_accuracy"]   # [0.81, 0.84, ...], one entry per epoch
    history.epoch                     # [1, 2, ...], the epoch numbers (1 = the first epoch)
    history.to_csv("history.csv"); History.from_json(history.to_json())

Every list has one entry per epoch: a name that first appears at a later epoch (or is missing
at one) has None in the epochs without it, so the table is always rectangular.
"""

import csv
import io
import json
import math
import numbers
import os

from neuronet.io import read_json, write_bytes


class History:
    """Per-epoch logs: `history` maps each name ("loss", "val_accuracy", "lr", ...) to a list."""

    def __init__(self, history=None, epoch=None):
        self.history = {k: list(v) for k, v in (history or {}).items()}
        self.epoch = list(epoch) if epoch is not None else []
        lengths = {len(v) for v in self.history.values()} | {len(self.epoch)}
        if self.history and len(lengths) != 1:
            raise ValueError(
                f"History: every list must have one entry per epoch ({len(self.epoch)}), got "
                f"lengths {sorted(lengths)}"
            )

    def __len__(self):
        return len(self.epoch)

    def __repr__(self):
        return f"History(epochs={len(self)}, keys={sorted(self.history)})"

    def __eq__(self, other):
        return (isinstance(other, History) and self.epoch == other.epoch
                and self.history == other.history)

    def append(self, epoch, logs):
        """Record the numbers in `logs` (name -> number) for epoch number `epoch`."""
        for name, value in logs.items():
            _check_number(name, value)
            self.history.setdefault(name, [None] * len(self.epoch))
        self.epoch.append(int(epoch))
        for name, values in self.history.items():
            values.append(float(logs[name]) if name in logs else None)

    def extend_last(self, logs):
        """Record more numbers (name -> number) for the last epoch: values a callback derives
        from the epoch's logs, such as perplexity from a loss."""
        if not self.epoch:
            raise ValueError("History.extend_last: no epoch has been recorded yet")
        for name, value in logs.items():
            _check_number(name, value)
        for name, value in logs.items():
            self.history.setdefault(name, [None] * len(self.epoch))[-1] = float(value)

    def last(self, name, default=None):
        """The value of `name` at the last epoch (or `default`)."""
        values = self.history.get(name)
        return values[-1] if values else default

    # ----- JSON ---------------------------------------------------------------------------
    def to_dict(self):
        return {"epoch": list(self.epoch), "history": {k: list(v) for k, v in self.history.items()}}

    @classmethod
    def from_dict(cls, data):
        if not isinstance(data, dict) or set(data) != {"epoch", "history"}:
            raise ValueError(
                "History.from_dict: expected a dict with keys 'epoch' and 'history' (as made by "
                f"to_dict), got {data if not isinstance(data, dict) else sorted(data)!r}"
            )
        return cls(data["history"], data["epoch"])

    def to_json(self, path=None):
        """The history as JSON text; also written atomically to `path` when given."""
        text = json.dumps(self.to_dict(), indent=2)
        if path is not None:
            write_bytes(path, (text + "\n").encode())
        return text

    @classmethod
    def from_json(cls, source):
        """A History from JSON text (as returned by to_json) or the path of a JSON file."""
        if isinstance(source, (str, os.PathLike)) and not str(source).lstrip().startswith("{"):
            return cls.from_dict(read_json(source))
        return cls.from_dict(json.loads(source))

    # ----- CSV ----------------------------------------------------------------------------
    def to_csv(self, path=None):
        """The history as CSV text (columns: epoch, then each name; empty cell = no value);
        also written atomically to `path` when given."""
        names = list(self.history)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["epoch", *names])
        for i, epoch in enumerate(self.epoch):
            writer.writerow([epoch, *(_cell(self.history[n][i]) for n in names)])
        text = out.getvalue()
        if path is not None:
            write_bytes(path, text.encode())
        return text


def _check_number(name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"History: {name!r} must be a number, got {value!r}")


def _cell(value):
    if value is None:
        return ""
    return repr(value) if math.isfinite(value) else str(value)
