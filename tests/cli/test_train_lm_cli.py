"""`neuronet train-lm` and `neuronet generate` end to end on a small word file: the run folder,
per-epoch perplexity and bits per character, seeded and greedy sampling, resume, errors."""

import contextlib
import csv
import io
import itertools
import json
import shutil

import numpy as np
import pytest

from neuronet.cli import main
from neuronet.io import load_state_dict_file

SYLLABLES = ("ba", "ko", "ri", "ta", "mu", "sel")
WORDS = ["".join(p) for n in (2, 3) for p in itertools.product(SYLLABLES, repeat=n)]
SMALL = ("--hidden", 16, "--embedding-dim", 8, "--batch-size", 32, "--lr-schedule", "constant",
         "--no-progress")


@pytest.fixture(scope="module")
def word_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("words") / "words"
    path.write_text("\n".join(WORDS) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(word_file):
    """(run folder, printed output) of a 2-epoch run, shared by the tests that only read it."""
    folder = word_file.parent / "lm"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        status = main(["train-lm", "--words-file", str(word_file), "--epochs", "2", "--bptt",
                       "3", "--out", str(folder), *map(str, SMALL)])
    assert status == 0, printed.getvalue()
    return folder, printed.getvalue()


def test_train_lm_writes_a_run_folder_with_per_epoch_bpc(trained):
    folder, out = trained
    for name in ("config.json", "model.safetensors", "metrics.json", "history.csv",
                 "curves.png", "checkpoint/last/checkpoint.json",
                 "checkpoint/best/checkpoint.json"):
        assert (folder / name).is_file(), name
    config = json.loads((folder / "config.json").read_text())
    assert config["vocabulary"] == sorted(set("".join(WORDS)))
    assert config["model_config"]["bptt"] == 3 and config["grad_clip"] == 1.0
    rows = list(csv.DictReader((folder / "history.csv").open()))
    assert len(rows) == 2
    for row in rows:
        assert float(row["val_bpc"]) == pytest.approx(float(row["val_loss"]) / np.log(2))
        assert float(row["val_perplexity"]) == pytest.approx(np.exp(float(row["val_loss"])))
    assert float(rows[1]["val_loss"]) < float(rows[0]["val_loss"])
    metrics = json.loads((folder / "metrics.json").read_text())
    assert metrics["validation"]["bpc"] == pytest.approx(float(rows[1]["val_bpc"]))
    assert 0 < metrics["test"]["bpc"] < np.log2(len(config["vocabulary"]) + 3)
    assert len(metrics["samples_temperature_0.8"]) == 10
    assert "test bpc" in out and "samples (temperature 0.8)" in out


def test_generate_is_seeded_greedy_at_zero_and_keeps_the_prefix(run_cli, trained):
    folder, _ = trained

    def words(*args):
        status, out, err = run_cli("generate", folder, *args)
        assert status == 0, err
        return out.splitlines()

    first = words("--n", 8, "--temperature", 2, "--seed", 1)
    assert len(first) == 8
    assert words("--n", 8, "--temperature", 2, "--seed", 1) == first
    assert words("--n", 8, "--temperature", 2, "--seed", 2) != first
    greedy = words("--n", 4, "--temperature", 0, "--seed", 3)
    assert len(set(greedy)) == 1 and words("--n", 4, "--temperature", 0, "--seed", 4) == greedy
    assert all(w.startswith("ko") for w in words("--n", 6, "--prefix", "ko", "--seed", 5))
    assert all(len(w) <= 5 for w in words("--n", 6, "--temperature", 3, "--max-length", 5))


def test_resume_continues_the_run_as_if_uninterrupted(run_cli, word_file, trained, tmp_path):
    folder = shutil.copytree(trained[0], tmp_path / "resumed")
    status, _, err = run_cli("train-lm", "--resume", folder, "--epochs", 3, "--no-progress")
    assert status == 0, err
    straight = tmp_path / "straight"
    status, _, err = run_cli("train-lm", "--words-file", word_file, "--epochs", 3, "--bptt", 3,
                             "--out", straight, *SMALL)
    assert status == 0, err
    assert len(list(csv.DictReader((folder / "history.csv").open()))) == 3
    resumed = load_state_dict_file(folder / "model.safetensors")
    for name, value in load_state_dict_file(straight / "model.safetensors").items():
        np.testing.assert_array_equal(resumed[name], value, err_msg=name)


def test_errors(run_cli, usage_error, word_file, trained, tmp_path):
    folder, _ = trained
    usage_error(run_cli("generate", tmp_path / "nowhere"), "no run folder at")
    usage_error(run_cli("generate", folder, "--temperature", "-1"),
                "--temperature", "must be a number in [0, inf)")
    usage_error(run_cli("generate", folder, "--prefix", "zz"),
                "character 'z' of 'zz' is not in the vocabulary")
    usage_error(run_cli("train-lm", "--words-file", tmp_path / "none", "--out", tmp_path / "x"),
                "no word list at", "wamerican")
    usage_error(run_cli("train-lm", "--words-file", word_file, "--out", folder),
                "already holds a run")
    usage_error(run_cli("train-lm", "--resume", folder, "--hidden", 8),
                "only --epochs and --workers may be given with it, not --hidden")
    usage_error(run_cli("train-lm", "--kind", "transformer"), "unknown kind 'transformer'")
    usage_error(run_cli(), "train-lm, generate")  # the commands as typed, not module names
    other = tmp_path / "mlp-run"
    other.mkdir()
    config = json.loads((folder / "config.json").read_text()) | {"model": "mlp"}
    (other / "config.json").write_text(json.dumps(config))
    (other / "model.safetensors").write_bytes((folder / "model.safetensors").read_bytes())
    usage_error(run_cli("generate", other), "holds a 'mlp' model, not a language model")
    classification = tmp_path / "classification"
    classification.mkdir()
    (classification / "config.json").write_text(json.dumps(
        {"model": "mlp", "model_config": {}, "dataset": "digits", "input_shape": [64],
         "classes": list("0123456789")}))
    usage_error(run_cli("generate", classification), "lacks vocabulary")
