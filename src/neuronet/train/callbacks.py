"""Callbacks: code that `fit` runs at fixed points of training, as Keras's.

    class PrintLR(Callback):
        def on_epoch_end(self, epoch, logs):
            print(epoch, self.trainer.optimizer.param_groups[0]["lr"])

Hooks (override any): on_train_begin(logs), on_epoch_begin(epoch, logs),
on_batch_end(batch, logs), on_epoch_end(epoch, logs), on_train_end(logs), and
on_divergence(error) when a NaN/Inf stops training. `epoch` and `batch` count from 0;
`logs` holds the numbers of the epoch ("loss", "accuracy", "val_loss", ..., "lr") or the batch
("loss", "size"). `self.trainer` is the running Trainer: model, optimizer, scheduler, history,
train_data, epochs, and `stop_training` (set it to True to stop after this epoch).

At each point, callbacks run sorted by their `order` (stable): the learning-rate scheduler
(-10) moves the lr first, loggers and early stopping (0) follow, checkpoints (10) come last so
that they save the state the next epoch starts from.
"""

import math
from pathlib import Path

from neuronet.optim.lr_scheduler import ReduceLROnPlateau
from neuronet.train.checkpoint import save_checkpoint

_HIGHER_IS_BETTER = ("acc", "top", "f1", "precision", "recall")


class Callback:
    """Base class: every hook does nothing."""

    order = 0
    trainer = None

    def set_trainer(self, trainer):
        self.trainer = trainer

    def on_train_begin(self, logs=None):
        pass

    def on_epoch_begin(self, epoch, logs=None):
        pass

    def on_batch_end(self, batch, logs=None):
        pass

    def on_epoch_end(self, epoch, logs=None):
        pass

    def on_train_end(self, logs=None):
        pass

    def on_divergence(self, error):
        pass


class Monitor:
    """Tracks the best value of one logged number: `improved(logs)` says whether it just
    improved on the best by more than min_delta (and records it).

    monitor: the logged name, or None for "val_loss" when it is logged, else "loss".
    mode: "min", "max", or "auto" (max for accuracy-like names: acc, top, f1, precision,
    recall; min otherwise).
    """

    def __init__(self, owner, monitor, mode="auto", min_delta=0.0):
        if mode not in ("min", "max", "auto"):
            raise ValueError(f"{owner}: mode must be 'min', 'max' or 'auto', got {mode!r}")
        if not min_delta >= 0:
            raise ValueError(f"{owner}: min_delta must be >= 0, got {min_delta!r}")
        if mode == "auto":
            higher = monitor is not None and any(word in monitor for word in _HIGHER_IS_BETTER)
            mode = "max" if higher else "min"
        self.owner, self.monitor, self.mode, self.min_delta = owner, monitor, mode, min_delta
        self.reset()

    def name(self, logs):
        """The monitored name (resolving monitor=None against what `logs` holds)."""
        if self.monitor is not None:
            return self.monitor
        return "val_loss" if "val_loss" in logs else "loss"

    def reset(self, history=None):
        """Forget the best value, or take the best one already in `history` (a resumed run)."""
        logged = history.history if history else {}
        values = [v for v in logged.get(self.name(logged), [])
                  if v is not None and not math.isnan(v)]
        self.best = (min if self.mode == "min" else max)(
            values, default=math.inf if self.mode == "min" else -math.inf)

    def value(self, logs):
        name = self.name(logs)
        if name not in logs:
            raise ValueError(
                f"{self.owner}: monitors {name!r}, which is not among the logged values "
                f"{sorted(logs)} (val_* values need val_data)"
            )
        return float(logs[name])

    def improved(self, logs):
        current = self.value(logs)
        if self.mode == "min":
            better = current < self.best - self.min_delta
        else:
            better = current > self.best + self.min_delta
        if better:
            self.best = current
        return better


class EarlyStopping(Callback):
    """Stop when `monitor` has not improved by more than `min_delta` for `patience` epochs
    (as Keras: with patience=0, at the first epoch without improvement).

    restore_best_weights: at the end of training, put back the weights of the best epoch.
    After training, `stopped_epoch` is the epoch (from 0) at which it stopped (None if it did
    not) and `best_epoch` the best one.
    """

    def __init__(self, monitor="val_loss", mode="auto", patience=0, min_delta=0.0,
                 restore_best_weights=False):
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(f"EarlyStopping: patience must be an integer >= 0, got {patience!r}")
        self.monitor = Monitor("EarlyStopping", monitor, mode, min_delta)
        self.patience = patience
        self.restore_best_weights = restore_best_weights

    def on_train_begin(self, logs=None):
        self.monitor.reset(self.trainer.history)
        self.wait = 0
        self.best_weights = None
        self.best_epoch = self.stopped_epoch = None

    def on_epoch_end(self, epoch, logs=None):
        if self.monitor.improved(logs):
            self.wait, self.best_epoch = 0, epoch
            if self.restore_best_weights:
                self.best_weights = {k: v.data.copy()
                                     for k, v in self.trainer.model.state_dict().items()}
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.stopped_epoch = epoch
            self.trainer.stop_training = True

    def on_train_end(self, logs=None):
        if self.best_weights is not None:
            self.trainer.model.load_state_dict(self.best_weights)


class LearningRateScheduler(Callback):
    """Steps a `neuronet.optim.lr_scheduler` scheduler at the end of every epoch.

    A ReduceLROnPlateau gets the logged value of `monitor` (default None: "val_loss", or
    "loss" when the epoch has no validation loss).
    """

    order = -10

    def __init__(self, scheduler, monitor=None):
        if not hasattr(scheduler, "step") or not hasattr(scheduler, "state_dict"):
            raise TypeError(
                f"LearningRateScheduler: expected a neuronet.optim.lr_scheduler scheduler, got "
                f"{type(scheduler).__name__}"
            )
        self.scheduler = scheduler
        self.monitor = monitor

    def on_epoch_end(self, epoch, logs=None):
        if isinstance(self.scheduler, ReduceLROnPlateau):
            self.scheduler.step(Monitor("LearningRateScheduler", self.monitor).value(logs))
        else:
            self.scheduler.step()


class ModelCheckpoint(Callback):
    """Checkpoints into `folder`: "last" every `every` epochs (and at the final epoch), "best"
    when `monitor` improves (if save_best), and "last_good" when a NaN/Inf stops training.

    Each is a `save_checkpoint` folder (resume from "last" with `load_checkpoint`). config: the
    model configuration saved with them. monitor: a logged name, or None for "val_loss" (or
    "loss" when there is no validation data). mode, min_delta: as in EarlyStopping.
    """

    order = 10

    def __init__(self, folder, every=1, save_best=True, monitor=None, mode="auto",
                 min_delta=0.0, config=None):
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(f"ModelCheckpoint: every must be an integer >= 1, got {every!r}")
        self.folder = Path(folder)
        self.every = every
        self.monitor = Monitor("ModelCheckpoint", monitor, mode, min_delta) if save_best else None
        self.config = config

    def on_train_begin(self, logs=None):
        if self.monitor is not None:
            self.monitor.reset(self.trainer.history)

    def save(self, name, epoch, extra=None):
        """Write checkpoint folder/name of the current state, `epoch` epochs completed."""
        t = self.trainer
        return save_checkpoint(self.folder / name, t.model, t.optimizer, t.scheduler, epoch=epoch,
                               history=t.history, config=self.config, extra=extra,
                               loader=t.train_data)

    def on_epoch_end(self, epoch, logs=None):
        done = epoch + 1
        if self.monitor is not None and self.monitor.improved(logs):
            self.save("best", done, extra={self.monitor.name(logs): self.monitor.best})
        if done % self.every == 0 or done == self.trainer.epochs or self.trainer.stop_training:
            self.save("last", done)

    def on_divergence(self, error):
        """Save the state before the failing step; `error.checkpoint` tells where it went."""
        error.checkpoint = self.save(
            "last_good", error.epoch - 1,
            extra={"diverged": {"epoch": error.epoch, "step": error.step, "reason": str(error)},
                   "note": "weights after the last finite step, inside the epoch after `epoch`"},
        )


class HistoryLogger(Callback):
    """Base of CSVLogger and JSONLogger: rewrites the whole history to `path` (atomically)
    after every epoch, so the file is always complete, also across resumed runs."""

    def __init__(self, path):
        self.path = Path(path)

    def on_epoch_end(self, epoch, logs=None):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.write(self.trainer.history)

    def write(self, history):
        raise NotImplementedError


class CSVLogger(HistoryLogger):
    """The history as CSV: an "epoch" column (from 1), then one column per logged value."""

    def write(self, history):
        history.to_csv(self.path)


class JSONLogger(HistoryLogger):
    """The history as JSON: {"epoch": [...], "history": {name: [...]}} (History.to_dict)."""

    def write(self, history):
        history.to_json(self.path)
