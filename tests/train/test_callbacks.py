"""Callbacks: early stopping, learning-rate scheduling (ReduceLROnPlateau vs torch), loggers,
ModelCheckpoint's every/best."""

import csv
import json

import numpy as np
import pytest
from train_helpers import CE, adam, make_mlp, weights

from neuronet import optim
from neuronet.train import (
    Callback,
    CSVLogger,
    EarlyStopping,
    History,
    JSONLogger,
    ModelCheckpoint,
    fit,
    read_manifest,
)
from oracle import needs_torch


def scripted(values):
    """A metric whose value on the validation pass of epoch i is values[i] (train: 0)."""
    calls = []

    def score(y_true, scores):
        calls.append(None)
        return 0.0 if len(calls) % 2 else values[len(calls) // 2 - 1]

    return score


class WeightsPerEpoch(Callback):
    def on_train_begin(self, logs=None):
        self.snapshots = []

    def on_epoch_end(self, epoch, logs=None):
        self.snapshots.append(weights(self.trainer.model))


@pytest.mark.parametrize("patience, stopped, epochs_run", [(0, 2, 3), (2, 3, 4), (9, None, 6)])
def test_early_stopping_stops_after_patience_and_restores_best(digits, patience, stopped,
                                                               epochs_run):
    train, val = digits(n_train=128)
    values = [0.5, 0.3, 0.4, 0.35, 0.31, 0.32]  # best at epoch index 1
    stopper = EarlyStopping("val_score", mode="min", patience=patience, restore_best_weights=True)
    spy = WeightsPerEpoch()
    model = make_mlp()
    history = fit(model, train, CE, adam(model), epochs=6, val_data=val, metrics=[scripted(values)],
                  callbacks=[stopper, spy], progress=False)
    assert len(history) == epochs_run
    assert history.history["val_score"] == values[:epochs_run]
    assert stopper.stopped_epoch == stopped and stopper.best_epoch == 1
    final = weights(model)
    assert all(np.array_equal(final[k], spy.snapshots[1][k]) for k in final)
    assert not np.array_equal(final["1.weight"], spy.snapshots[-1]["1.weight"])


def test_early_stopping_min_delta_and_max_mode(digits):
    train, val = digits(n_train=64)
    model = make_mlp()
    stopper = EarlyStopping("val_score", mode="max", patience=2, min_delta=0.05)
    history = fit(model, train, CE, adam(model), epochs=6, val_data=val,
                  metrics=[scripted([0.5, 0.54, 0.6, 0.62, 0.64, 0.9])], callbacks=[stopper],
                  progress=False)
    # every value rises, but only 0.6 rises by more than min_delta over the best: stop after
    # two epochs without a big enough rise
    assert (len(history), stopper.best_epoch, stopper.stopped_epoch) == (5, 2, 4)


def test_monitoring_a_value_that_is_not_logged_is_explained(digits):
    train, _ = digits(n_train=32)
    model = make_mlp()
    with pytest.raises(ValueError, match="EarlyStopping: monitors 'val_loss'.*need val_data"):
        fit(model, train, CE, adam(model), epochs=2, callbacks=[EarlyStopping()], progress=False)
    for bad, message in (({"mode": "up"}, "mode must be"), ({"patience": -1}, "patience must"),
                         ({"min_delta": -0.1}, "min_delta must")):
        with pytest.raises(ValueError, match=message):
            EarlyStopping(**bad)


def test_auto_mode_maximizes_accuracy_like_names():
    assert EarlyStopping("val_accuracy").monitor.mode == "max"
    assert EarlyStopping("val_f1_macro").monitor.mode == "max"
    assert EarlyStopping("val_loss").monitor.mode == "min"


class RecordingPlateau(optim.lr_scheduler.ReduceLROnPlateau):
    def step(self, metrics):
        self.seen = [*getattr(self, "seen", []), metrics]
        super().step(metrics)


def test_reduce_lr_on_plateau_gets_the_val_loss_and_matches_torch(digits):
    torch = needs_torch()
    train, val = digits(n_train=256)
    model = make_mlp()
    opt = optim.SGD(model.parameters(), lr=0.5, momentum=0.9)  # too high: the loss stalls
    plateau = RecordingPlateau(opt, factor=0.5, patience=1, threshold=0.01)
    history = fit(model, train, CE, opt, epochs=8, val_data=val, scheduler=plateau,
                  progress=False)
    assert plateau.seen == history.history["val_loss"]
    # torch's scheduler fed the same values gives the same learning rates
    twin_opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.5)
    twin = torch.optim.lr_scheduler.ReduceLROnPlateau(twin_opt, factor=0.5, patience=1,
                                                      threshold=0.01)
    lrs = []
    for value in history.history["val_loss"]:
        lrs.append(twin_opt.param_groups[0]["lr"])
        twin.step(value)
    assert history.history["lr"] == lrs
    assert min(lrs) < 0.5  # the test exercises a reduction


def test_scheduler_argument_steps_once_per_epoch(digits):
    train, _ = digits(n_train=64)
    model = make_mlp()
    opt = adam(model, lr=0.1)
    history = fit(model, train, CE, opt, epochs=5,
                  scheduler=optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.1),
                  progress=False)
    np.testing.assert_allclose(history.history["lr"], [0.1, 0.1, 0.01, 0.01, 0.001], rtol=1e-12)


def test_csv_and_json_loggers_hold_the_history(digits, tmp_path):
    train, val = digits(n_train=64)
    model = make_mlp()
    history = fit(model, train, CE, adam(model), epochs=3, val_data=val,
                  callbacks=[CSVLogger(tmp_path / "logs/h.csv"), JSONLogger(tmp_path / "h.json")],
                  progress=False)
    with open(tmp_path / "logs/h.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [int(r["epoch"]) for r in rows] == [1, 2, 3]
    for name, values in history.history.items():
        assert [float(r[name]) for r in rows] == values
    assert json.loads((tmp_path / "h.json").read_text()) == history.to_dict()
    assert History.from_json(tmp_path / "h.json") == history


def test_model_checkpoint_every_n_epochs_and_the_final_one(digits, tmp_path):
    train, _ = digits(n_train=64)
    seen = []

    class LastEpoch(Callback):
        order = 20  # after ModelCheckpoint

        def on_epoch_end(self, epoch, logs=None):
            path = tmp_path / "last"
            seen.append(read_manifest(path)["epoch"] if path.exists() else None)

    model = make_mlp()
    fit(model, train, CE, adam(model), epochs=5, progress=False,
        callbacks=[LastEpoch(), ModelCheckpoint(tmp_path, every=2, save_best=False)])
    assert seen == [None, 2, 2, 4, 5]
    assert not (tmp_path / "best").exists()


def test_model_checkpoint_keeps_the_best_epoch(digits, tmp_path):
    train, val = digits(n_train=128)
    values = [0.5, 0.7, 0.6, 0.8, 0.75]
    model = make_mlp()
    spy = WeightsPerEpoch()
    fit(model, train, CE, adam(model), epochs=5, val_data=val, metrics=[scripted(values)],
        callbacks=[ModelCheckpoint(tmp_path, monitor="val_score", mode="max"), spy],
        progress=False)
    manifest = read_manifest(tmp_path / "best")
    assert manifest["epoch"] == 4 and manifest["extra"] == {"val_score": 0.8}
    from neuronet.io import load_state_dict_file

    best = load_state_dict_file(tmp_path / "best" / "model.safetensors")
    assert all(np.array_equal(best[k], v) for k, v in spy.snapshots[3].items())
    with pytest.raises(ValueError, match="every must be an integer >= 1"):
        ModelCheckpoint(tmp_path, every=0)
