"""`neuronet train/evaluate/resume` end to end on the small digits set (seconds, not minutes)."""

import contextlib
import csv
import io
import json
import sys

import numpy as np
import pytest

from neuronet.cli import main
from neuronet.io import load_state_dict_file
from neuronet.train import CSVLogger

pytest.importorskip("sklearn")


TRAIN = ("train", "--dataset", "digits", "--batch-size", "64", "--no-progress")


def _train(run_cli, folder, *extra):
    status, out, err = run_cli(*TRAIN, "--out", folder, *extra)
    assert status == 0, err
    return out


@pytest.fixture(scope="module")
def digits_run(tmp_path_factory):
    """(folder, printed output) of one 3-epoch run shared by the tests that only read it."""
    folder = tmp_path_factory.mktemp("digits") / "run"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main([*TRAIN, "--out", str(folder), "--epochs", "3", "--seed", "3"]) == 0
    return folder, out.getvalue()


def test_run_folder_contents(digits_run):
    folder, out = digits_run
    assert {p.name for p in folder.iterdir()} == {
        "config.json", "metrics.json", "history.csv", "model.safetensors", "checkpoint",
        "curves.png", "confusion.png"}
    assert {p.name for p in (folder / "checkpoint").iterdir()} == {"best", "last"}
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == "mlp" and config["dataset"] == "digits"
    assert config["input_shape"] == [1, 8, 8] and config["seed"] == 3 and config["epochs"] == 3
    metrics = json.loads((folder / "metrics.json").read_text())
    test = metrics["test"]
    assert test["accuracy"] > 0.5  # chance is 0.1
    assert 0 < test["f1_macro"] <= 1 and test["loss"] > 0
    cm = np.array(metrics["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 359  # the fixed 20% test split
    assert np.trace(cm) / cm.sum() == pytest.approx(test["accuracy"])
    assert metrics["epochs"] == 3
    with open(folder / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2", "3"]
    assert {"loss", "accuracy", "val_loss", "val_accuracy", "lr"} <= set(rows[0])
    assert float(rows[-1]["loss"]) < float(rows[0]["loss"])
    assert metrics["last_epoch"]["val_accuracy"] == pytest.approx(float(rows[-1]["val_accuracy"]))
    assert f"test accuracy         {test['accuracy']:.4f}" in out
    assert f"run folder: {folder}" in out


def test_evaluate_reproduces_the_test_accuracy(run_cli, digits_run):
    folder, _ = digits_run
    accuracy = json.loads((folder / "metrics.json").read_text())["test"]["accuracy"]
    status, out, _ = run_cli("evaluate", folder)
    assert status == 0
    assert f"test accuracy         {accuracy:.4f}" in out
    assert "digits test split (359 samples)" in out


def test_evaluate_on_a_dataset_of_other_shape(run_cli, digits_run, usage_error):
    usage_error(run_cli("evaluate", digits_run[0], "--dataset", "mnist1d"),
                       "dataset 'mnist1d' has inputs (40,)", "takes inputs (1, 8, 8)")


class _InterruptAtSecondEpoch(CSVLogger):
    """A CSVLogger whose run is stopped (Ctrl-C) as epoch 2 begins, epoch 1 checkpointed."""

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == 1:
            raise KeyboardInterrupt


def test_resume_is_bit_identical_to_an_uninterrupted_run(run_cli, tmp_path, digits_run,
                                                          monkeypatch):
    whole_folder, _ = digits_run
    split = tmp_path / "split"
    with monkeypatch.context() as patch:
        patch.setattr("neuronet.cli.train.CSVLogger", _InterruptAtSecondEpoch)
        status, _, err = run_cli(*TRAIN, "--out", split, "--epochs", "3", "--seed", "3")
    assert (status, err) == (130, "neuronet: interrupted\n")
    assert not (split / "model.safetensors").exists()
    status, out, err = run_cli("train", "--resume", split, "--no-progress")
    assert status == 0, err
    assert "epochs 2-3" in out
    whole = load_state_dict_file(whole_folder / "model.safetensors")
    resumed = load_state_dict_file(split / "model.safetensors")
    assert whole.keys() == resumed.keys()
    for key in whole:
        np.testing.assert_array_equal(whole[key], resumed[key], err_msg=key)
    assert (whole_folder / "history.csv").read_text() == (split / "history.csv").read_text()


def test_resume_with_more_epochs_anneals_over_the_new_total(run_cli, tmp_path):
    folder = tmp_path / "run"
    _train(run_cli, folder, "--epochs", "1", "--lr", "0.002")
    status, _, err = run_cli("train", "--resume", folder, "--epochs", "3", "--no-progress")
    assert status == 0, err
    with open(folder / "history.csv") as f:
        lrs = [float(row["lr"]) for row in csv.DictReader(f)]
    # cosine over 3 epochs from epoch 2 on: 0.002 * (1 + cos(pi * e / 3)) / 2
    np.testing.assert_allclose(lrs, [0.002, 0.0015, 0.0005], rtol=1e-12)


def test_resume_rules(run_cli, digits_run, usage_error):
    folder, _ = digits_run
    usage_error(run_cli("train", "--resume", folder, "--epochs", "4", "--lr", "0.1"),
                       "only --epochs and --workers", "not --lr")
    usage_error(run_cli("train", "--resume", folder), "already trained 3 epochs",
                       "--epochs N with N > 3")
    usage_error(run_cli(*TRAIN, "--out", folder),
                       "already holds a run", f"--resume {folder}")


def test_plots_skipped_without_matplotlib(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    out = _train(run_cli, tmp_path / "run", "--epochs", "1", "--val-fraction", "0")
    skipped = [line for line in out.splitlines() if line.startswith("plots skipped")]
    assert len(skipped) == 1 and "pip install neuronet[plot]" in skipped[0]
    names = {p.name for p in (tmp_path / "run").iterdir()}
    assert "model.safetensors" in names and "metrics.json" in names
    assert not names & {"curves.png", "confusion.png"}
    # without validation data there is no "best" checkpoint, only "last"
    assert {p.name for p in (tmp_path / "run" / "checkpoint").iterdir()} == {"last"}


@pytest.mark.parametrize("optimizer, lr", [("sgd", 0.05), ("adamw", 0.003), ("rmsprop", 0.001),
                                           ("adagrad", 0.05)])
def test_every_optimizer_trains(run_cli, tmp_path, optimizer, lr):
    _train(run_cli, tmp_path / "run", "--epochs", "2", "--optimizer", optimizer, "--lr", lr,
           "--workers", "2", "--val-fraction", "0")
    config = json.loads((tmp_path / "run" / "config.json").read_text())
    assert config["optimizer"] == optimizer
    assert json.loads((tmp_path / "run" / "metrics.json").read_text())["test"]["accuracy"] > 0.6


def test_normalize_keeps_the_training_statistics_and_evaluate_applies_them(run_cli, tmp_path):
    """--normalize: config.json keeps the mean and std of the training inputs (the validation
    part left out); the run's model, as evaluate, predict and resume load it, takes raw
    inputs and normalizes them itself."""
    from neuronet.cli.run import load_trained_model
    from neuronet.data import stratified_split
    from neuronet.data.registry import get_dataset_spec
    from neuronet.train import predict

    folder = tmp_path / "run"
    _train(run_cli, folder, "--epochs", "2", "--seed", "1", "--normalize")
    config = json.loads((folder / "config.json").read_text())
    spec = get_dataset_spec("digits")
    x, y = spec.load("train")
    train_idx, _ = stratified_split(y, 0.1, generator=1)
    part = x[train_idx].astype(np.float64)
    assert config["normalize"] is True
    assert config["input_mean"] == pytest.approx(part.mean(), rel=1e-12)
    assert config["input_std"] == pytest.approx(part.std(), rel=1e-12)
    assert abs(config["input_mean"] - x.astype(np.float64).mean()) > 1e-6  # not all of x

    _, model = load_trained_model(folder)
    bare = model.model  # the network as trained, on normalized inputs
    x_test, y_test = spec.load("test")
    scaled = (x_test - np.float32(config["input_mean"])) / np.float32(config["input_std"])
    np.testing.assert_allclose(predict(model, [x_test]), predict(bare, [scaled]), rtol=1e-5,
                               atol=1e-6)
    accuracy = json.loads((folder / "metrics.json").read_text())["test"]["accuracy"]
    assert accuracy == pytest.approx((predict(bare, [scaled]).argmax(1) == y_test).mean())
    assert accuracy != pytest.approx((predict(bare, [x_test]).argmax(1) == y_test).mean())
    status, out, _ = run_cli("evaluate", folder)
    assert status == 0 and f"test accuracy         {accuracy:.4f}" in out

    status, _, err = run_cli("train", "--resume", folder, "--epochs", "3", "--no-progress")
    assert status == 0, err
    resumed = json.loads((folder / "config.json").read_text())
    assert (resumed["input_mean"], resumed["input_std"]) == (config["input_mean"],
                                                             config["input_std"])


def test_without_normalize_the_inputs_stay_as_they_are(digits_run):
    from neuronet.cli.run import load_trained_model

    config = json.loads((digits_run[0] / "config.json").read_text())
    assert config["normalize"] is False and "input_mean" not in config
    _, model = load_trained_model(digits_run[0])
    assert not hasattr(model, "mean")
