"""`--help` at every level, and bad command lines: one line on stderr, exit status 2."""

import subprocess
import sys

import pytest

from neuronet.data.registry import dataset_names
from neuronet.models.registry import model_names


@pytest.mark.parametrize("command", [
    [], ["train"], ["evaluate"], ["predict"], ["data"], ["data", "list"], ["data", "info"],
    ["data", "fetch"], ["models"],
])
def test_help_at_every_level(run_cli, command):
    status, out, err = run_cli(*command, "--help")
    assert status == 0 and err == ""
    assert out.startswith(f"usage: neuronet {' '.join(command)}".rstrip())


def test_top_level_help_lists_the_commands(run_cli):
    _, out, _ = run_cli("--help")
    for command in ("train", "evaluate", "predict", "data", "models"):
        assert f"    {command} " in out


def test_train_help_gives_every_default(run_cli):
    _, out, _ = run_cli("train", "--help")
    text = " ".join(out.split())  # undo argparse's line wrapping
    for option, default in (("--model", "mlp"), ("--dataset", "fashion-mnist"),
                            ("--epochs", "6"), ("--batch-size", "128"), ("--optimizer", "adam"),
                            ("--lr", "0.001"), ("--lr-schedule", "cosine"), ("--seed", "0"),
                            ("--val-fraction", "0.1"),
                            ("--workers", "0"), ("--resume", "start a new run")):
        assert option in text
        assert f"(default: {default})" in text, option
    for name in dataset_names():
        assert name in text


def test_no_command(run_cli, usage_error):
    usage_error(run_cli(), "choose a command: train, evaluate, predict, data, models")
    usage_error(run_cli("data"), "choose an action")


@pytest.mark.parametrize("args, fragments", [
    (["train", "--model", "resnet9000"],
     ["unknown model 'resnet9000'", f"the models are: {', '.join(model_names())} ("]),
    (["train", "--dataset", "imagenet"], ["unknown dataset 'imagenet'", "fashion-mnist"]),
    (["train", "--epochs", "-3"], ["--epochs", "must be an integer >= 1, got -3"]),
    (["train", "--epochs", "two"], ["--epochs", "expected an integer, got 'two'"]),
    (["train", "--lr", "0"], ["--lr", "must be a number in (0, inf), got 0"]),
    (["train", "--lr", "nan"], ["--lr", "got nan"]),
    (["train", "--val-fraction", "1"], ["--val-fraction", "[0, 1)"]),
    (["train", "--optimizer", "lbfgs"], ["unknown optimizer 'lbfgs'", "sgd, adam"]),
    (["train", "--frobnicate"], ["unrecognized arguments: --frobnicate"]),
    (["predict", "runs/x", "img.png", "--top", "0"], ["--top", ">= 1"]),
    (["data", "info", "cifar"], ["unknown dataset 'cifar'"]),
    (["evaluate"], ["required: RUN"]),
])
def test_bad_arguments(run_cli, args, fragments, usage_error):
    usage_error(run_cli(*args), *fragments)


def test_missing_run_folder(run_cli, tmp_path, usage_error):
    missing = tmp_path / "nope"
    for args in (["evaluate", missing], ["predict", missing, "x.png"],
                 ["train", "--resume", missing]):
        usage_error(run_cli(*args), f"no run folder at {missing}")


def test_folder_that_is_not_a_run(run_cli, tmp_path, usage_error):
    usage_error(run_cli("evaluate", tmp_path), "is not a run folder", "config.json")


def test_missing_data_says_how_to_get_it(run_cli, tmp_path, monkeypatch, usage_error):
    # No MNIST files anywhere we look, and the download goes to a closed port.
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("NEURONET_MNIST_URL", "http://127.0.0.1:9/")
    usage_error(run_cli("train", "--dataset", "mnist", "--out", tmp_path / "run"),
                       "MNIST", "not found", "To fix")
    assert not (tmp_path / "run").exists()
    usage_error(run_cli("data", "info", "mnist"), "MNIST", "not found")


def test_models_lists_the_zoo_with_parameter_counts(run_cli):
    status, out, _ = run_cli("models")
    assert status == 0
    # 784*256+256 + 256*128+128 + 128*10+10
    assert "mlp" in out and "235,146" in out and "1x28x28" in out


def test_data_list(run_cli):
    status, out, _ = run_cli("data", "list")
    assert status == 0
    for name in dataset_names():
        assert f"\n{name} " in out
    assert "/usr/share/datasets/fashion-mnist" in out or "fashion-mnist" in out


def test_python_dash_m_and_a_bad_number_in_a_real_process():
    done = subprocess.run([sys.executable, "-m", "neuronet", "train", "--epochs", "-1"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == ("neuronet train: error: argument --epochs: must be an integer >= 1, "
                           "got -1 (see 'neuronet train --help')\n")


@pytest.mark.parametrize("config, fragment", [
    ("[1, 2]", "not a JSON object"),
    ('{"model": "mlp"}', "it lacks model_config, dataset, input_shape, classes"),
    ("{not json", "not valid JSON"),
])
def test_damaged_run_config(run_cli, tmp_path, usage_error, config, fragment):
    (tmp_path / "config.json").write_text(config)
    for args in (["evaluate", tmp_path], ["train", "--resume", tmp_path]):
        usage_error(run_cli(*args), "config.json", fragment)
