"""The training loop: `fit`, `evaluate`, `predict`, and the `Trainer` that holds their state.

    history = fit(model, train_loader, nn.CrossEntropyLoss(), optim.Adam(model.parameters()),
                  epochs=10, val_data=val_loader, metrics=("accuracy", "f1_macro"),
                  callbacks=[EarlyStopping(patience=3), ModelCheckpoint("runs/a/checkpoint")])
    evaluate(model, test_loader, nn.CrossEntropyLoss())   # {"loss": ..., "accuracy": ...}
    predict(model, test_loader)                            # scores (N, C) as an ndarray

Data: any iterable of (inputs, targets) batches, usually a DataLoader; NumPy batches are
turned into Tensors. A NaN or Inf loss or gradient stops training with a
TrainingDivergedError naming the epoch and step, before the step is applied, so the model and
optimizer keep the last good state (which a ModelCheckpoint callback then saves).
"""

import contextlib
import math
import numbers
import time

import numpy as np
from tqdm.auto import tqdm

from neuronet.autograd.anomaly import is_anomaly_enabled
from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor
from neuronet.creation import from_numpy
from neuronet.nn.utils import clip_grad_norm_
from neuronet.train.callbacks import Callback, LearningRateScheduler
from neuronet.train.history import History
from neuronet.train.running import RunningStats, resolve_metrics

_REFRESH_SECONDS = 0.5  # how often the progress bar recomputes the running metrics


class TrainingDivergedError(FloatingPointError):
    """A NaN/Inf loss or gradient stopped training.

    epoch: the epoch it happened in (from 1, as printed); step: the batch in that epoch (from
    1); checkpoint: the folder where the last good state was saved, or None.
    """

    def __init__(self, message, epoch, step):
        super().__init__(message)
        self.epoch, self.step, self.checkpoint = epoch, step, None


def _split_batch(batch, who):
    """(inputs, targets) of a batch, NumPy arrays wrapped as Tensors (dtype kept, as torch)."""
    if not isinstance(batch, (tuple, list)) or len(batch) != 2:
        length = f" of length {len(batch)}" if isinstance(batch, (tuple, list)) else ""
        raise TypeError(
            f"{who}: each batch must be a pair (inputs, targets), got "
            f"{type(batch).__name__}{length}"
        )
    return tuple(from_numpy(x) if isinstance(x, np.ndarray) else x for x in batch)


@contextlib.contextmanager
def _batches(data):
    """iter(data), closed on exit, so that a threaded DataLoader stops its workers at once
    when a pass ends early (an error, a divergence)."""
    iterator = iter(data)
    try:
        yield iterator
    finally:
        close = getattr(iterator, "close", None)
        if close is not None:
            close()


def _numpy(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _format(logs):
    return {k: f"{v:.4g}" for k, v in logs.items()}


def _batch_weight(loss_fn, targets):
    """What a batch counts for in the epoch means: the number of elements its loss averages
    over when the loss has a `count(targets)` method (a masked sequence loss counts its real
    tokens, so the means are per token), else the number of samples."""
    count = getattr(loss_fn, "count", None)
    return len(targets) if count is None else count(targets)


def _check_count(who, name, value, low):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{who}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


class Trainer:
    """Trains `model` with `loss_fn` and `optimizer`; `fit(...)` does the work.

    metrics: names or callables (see neuronet.train.running), computed on train and val data.
    callbacks: Callback instances. scheduler: an lr scheduler stepped after every epoch (same
    as adding LearningRateScheduler(scheduler)). grad_clip: max total gradient norm (None = no
    clipping). progress: show a progress bar per epoch and print a line per epoch.
    """

    def __init__(self, model, loss_fn, optimizer, metrics=("accuracy",), callbacks=(),
                 scheduler=None, grad_clip=None, progress=True):
        if not callable(loss_fn):
            raise TypeError(f"fit: loss_fn must be callable (outputs, targets) -> loss, got "
                            f"{type(loss_fn).__name__}")
        if not hasattr(optimizer, "step") or not hasattr(optimizer, "zero_grad"):
            raise TypeError(f"fit: optimizer must be a neuronet.optim optimizer, got "
                            f"{type(optimizer).__name__}")
        if grad_clip is not None and (isinstance(grad_clip, bool) or not grad_clip > 0):
            raise ValueError(f"fit: grad_clip must be a positive number or None, got {grad_clip!r}")
        callbacks = list(callbacks)
        for c in callbacks:
            if not isinstance(c, Callback):
                raise TypeError(f"fit: callbacks must be Callback instances, got {c!r}")
        if scheduler is not None:
            callbacks.append(LearningRateScheduler(scheduler))
        schedulers = [c.scheduler for c in callbacks if isinstance(c, LearningRateScheduler)]
        if len(schedulers) > 1:
            raise ValueError("fit: give at most one learning-rate scheduler (scheduler= or a "
                             "LearningRateScheduler callback)")
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.scheduler = schedulers[0] if schedulers else None
        self.metric_fns = resolve_metrics(metrics)
        self.callbacks = sorted(callbacks, key=lambda c: c.order)
        self.grad_clip = grad_clip
        self.progress = progress
        self.history = None
        self.train_data = None
        self.epochs = 0
        self.stop_training = False

    def _call(self, hook, *args):
        for callback in self.callbacks:
            getattr(callback, hook)(*args)

    def fit(self, train_data, epochs, val_data=None, start_epoch=0, history=None):
        """Train epochs start_epoch .. epochs-1 (`epochs` is the total, as Keras's
        initial_epoch) and return the History (the given one, continued, if any)."""
        self.epochs = _check_count("fit", "epochs", epochs, 0)
        start_epoch = _check_count("fit", "start_epoch", start_epoch, 0)
        if start_epoch > self.epochs:
            raise ValueError(f"fit: start_epoch ({start_epoch}) is beyond epochs ({epochs})")
        if history is not None and not isinstance(history, History):
            raise TypeError(f"fit: history must be a History, got {type(history).__name__}")
        self.train_data, self.val_data = train_data, val_data
        self.history = history if history is not None else History()
        self.stop_training = False
        for callback in self.callbacks:
            callback.set_trainer(self)
        self._call("on_train_begin", {})
        for epoch in range(start_epoch, self.epochs):
            self._call("on_epoch_begin", epoch, {})
            started = time.perf_counter()
            logs = self.train_epoch(epoch)
            if val_data is not None:
                measured = evaluate(self.model, val_data, self.loss_fn, self.metric_fns)
                logs.update({f"val_{name}": value for name, value in measured.items()})
            logs["lr"] = self._epoch_lr
            self.history.append(epoch + 1, logs)
            if self.progress:
                values = "  ".join(f"{k} {v:.4g}" for k, v in logs.items())
                tqdm.write(f"epoch {epoch + 1}/{self.epochs}  {values}  "
                           f"({time.perf_counter() - started:.1f} s)")
            self._call("on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        self._call("on_train_end", {})
        return self.history

    @contextlib.contextmanager
    def _epoch_progress(self, epoch):
        """(the epoch's batches behind a tqdm bar, show(values_fn)): show puts values_fn()'s
        numbers on the bar at most every _REFRESH_SECONDS (computing them is not free)."""
        total = len(self.train_data) if hasattr(self.train_data, "__len__") else None
        shown = time.perf_counter()

        def show(values_fn):
            nonlocal shown
            if self.progress and time.perf_counter() - shown > _REFRESH_SECONDS:
                bar.set_postfix(_format(values_fn()))
                shown = time.perf_counter()

        with _batches(self.train_data) as batches, tqdm(
                batches, total=total, desc=f"epoch {epoch + 1}/{self.epochs}", unit="batch",
                leave=False, disable=not self.progress) as bar:
            yield bar, show

    def train_epoch(self, epoch):
        """One pass over train_data; returns {"loss": mean loss, metric name: value}."""
        self.model.train()
        self._epoch_lr = float(self.optimizer.param_groups[0]["lr"])
        stats = RunningStats(self.metric_fns)
        with self._epoch_progress(epoch) as (batches, show):
            for step, batch in enumerate(batches, 1):
                inputs, targets = _split_batch(batch, "fit")
                outputs, loss = self._train_step(inputs, targets, epoch, step)
                size = _batch_weight(self.loss_fn, targets)
                stats.add(size, loss, _numpy(outputs), _numpy(targets))
                self._call("on_batch_end", step - 1, {"loss": loss, "size": size})
                show(stats.results)
        if stats.samples == 0:
            raise ValueError("fit: train_data gave no batches")
        combine = getattr(self.train_data, "combine_stats", None)  # a DistributedSampler's
        return (stats if combine is None else combine(stats)).results()

    def _train_step(self, inputs, targets, epoch, step):
        """Forward, backward, update; raises TrainingDivergedError before a non-finite update."""
        # Buffers (batch-norm statistics) change in the forward pass: keep them so that a
        # failing step can be undone entirely.
        buffers = [(b, b.data.copy()) for b in self.model.buffers()]
        try:
            outputs = self.model(inputs)
            loss = self.loss_fn(outputs, targets)
            value = loss.item()
            if not math.isfinite(value):
                self._diverge(epoch, step, f"the loss is {value}", buffers)
            self.optimizer.zero_grad()
            loss.backward()
        except FloatingPointError as error:  # from anomaly detection: it names the op
            if isinstance(error, TrainingDivergedError):
                raise
            self._diverge(epoch, step, str(error), buffers, cause=error)
        for name, p in self.model.named_parameters():  # before clipping, which spreads NaNs
            if p.grad is not None and not np.isfinite(p.grad.data).all():
                self._diverge(epoch, step, f"the gradient of {name!r} holds NaN or Inf", buffers)
        if self.grad_clip is not None:
            clip_grad_norm_(self.model.parameters(), self.grad_clip)
        self.optimizer.step()
        return outputs, value

    def _diverge(self, epoch, step, reason, buffers, cause=None):
        """Undo the step's buffer changes, let callbacks save, raise TrainingDivergedError."""
        for buffer, saved in buffers:
            buffer.data[...] = saved
        hint = "" if is_anomaly_enabled() else (
            " (run under neuronet.autograd.detect_anomaly() to find the op that produced it)")
        error = TrainingDivergedError(
            f"training diverged at epoch {epoch + 1}, step {step}: {reason}{hint}; the model "
            "keeps the weights from before this step", epoch + 1, step)
        self._call("on_divergence", error)
        if error.checkpoint is not None:
            error.args = (f"{error.args[0]}; last good checkpoint saved to {error.checkpoint}",)
        raise error from cause


def fit(model, train_data, loss_fn, optimizer, epochs, val_data=None, metrics=("accuracy",),
        callbacks=(), scheduler=None, grad_clip=None, progress=True, start_epoch=0, history=None):
    """Train `model` for `epochs` epochs (from `start_epoch`) and return its History.

    train_data, val_data: iterables of (inputs, targets) batches (DataLoaders).
    loss_fn(outputs, targets) -> scalar Tensor (the epoch means weight each batch by its
    number of samples, or by loss_fn.count(targets) when the loss has that method).
    The other arguments: see Trainer.
    history.history holds per epoch "loss", each metric, "val_loss" and "val_<metric>" (with
    val_data), and "lr" (the learning rate of the first parameter group during the epoch).
    """
    trainer = Trainer(model, loss_fn, optimizer, metrics, callbacks, scheduler, grad_clip,
                      progress)
    return trainer.fit(train_data, epochs, val_data, start_epoch, history)


def _batches_in_eval_mode(model, data, who):
    """Yield (inputs, targets, outputs) over `data` in eval mode without gradients; the
    model's previous mode is restored afterwards."""
    was_training = model.training
    model.eval()
    try:
        with no_grad(), _batches(data) as batches:
            for batch in batches:
                if isinstance(batch, (tuple, list)):
                    inputs, targets = _split_batch(batch, who)
                else:
                    inputs = from_numpy(batch) if isinstance(batch, np.ndarray) else batch
                    targets = None
                yield inputs, targets, model(inputs)
    finally:
        model.train(was_training)


def evaluate(model, data, loss_fn=None, metrics=("accuracy",)):
    """{"loss": mean loss (if loss_fn), metric name: value} over all (inputs, targets) batches
    of `data`, in eval mode without gradients (the model's mode is restored)."""
    metric_fns = metrics if isinstance(metrics, dict) else resolve_metrics(metrics)
    stats = RunningStats(metric_fns)
    for _, targets, outputs in _batches_in_eval_mode(model, data, "evaluate"):
        if targets is None:
            raise TypeError("evaluate: each batch must be a pair (inputs, targets)")
        loss = None if loss_fn is None else loss_fn(outputs, targets).item()
        stats.add(_batch_weight(loss_fn, targets), loss, _numpy(outputs), _numpy(targets))
    if stats.samples == 0:
        raise ValueError("evaluate: data gave no batches")
    return stats.results()


def predict(model, data):
    """The model's outputs over all batches of `data`, concatenated: an ndarray (N, ...).

    Batches may be inputs alone or (inputs, targets) pairs (targets are ignored).
    """
    outputs = [_numpy(out) for _, _, out in _batches_in_eval_mode(model, data, "predict")]
    if not outputs:
        raise ValueError("predict: data gave no batches")
    return np.concatenate(outputs)
