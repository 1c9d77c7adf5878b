"""`neuronet som` on a small subset of digits: its folder, numbers a reloaded map reproduces,
the same numbers for the same seed, clear errors."""

import json
import sys

import numpy as np
import pytest

from neuronet.classic import SOM
from neuronet.cli.arrays import flat_split

pytest.importorskip("sklearn")

SMALL = ("som", "--dataset", "digits", "--samples", "300", "--rows", "4", "--cols", "5",
         "--iterations", "600")


def _som(run_cli, folder, *extra):
    status, out, err = run_cli(*SMALL, "--out", folder, *extra)
    assert status == 0, err
    return out, json.loads((folder / "metrics.json").read_text())


def test_folder_and_reported_errors_match_the_saved_map(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    out, metrics = _som(run_cli, tmp_path / "som", "--topology", "hexagonal", "--seed", "3")
    assert {p.name for p in (tmp_path / "som").iterdir()} == {
        "metrics.json", "som.json", "som.npz", "umatrix.png", "components.png", "codebook.png"}
    for png in ("umatrix", "components", "codebook"):
        assert (tmp_path / "som" / f"{png}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    som = SOM.load(str(tmp_path / "som" / "som"))
    assert (som.m, som.n, som.topology, som.n_iter) == (4, 5, "hexagonal", 600)
    x, _, _ = flat_split("digits", "train", 300, seed=3)  # the same subset as the command
    x_test, _, _ = flat_split("digits", "test")
    assert metrics["train"]["quantization_error"] == pytest.approx(som.quantization_error(x))
    assert metrics["test"]["topographic_error"] == pytest.approx(som.topographic_error(x_test))
    assert metrics["train_samples"] == 300 and metrics["test_samples"] == 359
    assert f"{metrics['train']['quantization_error']:.4f}" in out
    spread = np.linalg.norm(x - x.mean(0), axis=1).mean()  # the error of one unit at the mean
    assert metrics["train"]["quantization_error"] < 0.8 * spread


def test_same_seed_same_map_other_seed_other_map(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # no plots: faster
    runs = [_som(run_cli, tmp_path / name, "--mode", "batch", "--seed", seed)[1]
            for name, seed in (("a", "1"), ("b", "1"), ("c", "2"))]
    assert runs[0]["train"] == runs[1]["train"]
    assert runs[0]["train"] != runs[2]["train"]
    assert runs[0]["settings"]["mode"] == "batch" and runs[0]["settings"]["n_iter"] == 600


def test_without_matplotlib_the_numbers_are_still_written(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out, _ = _som(run_cli, tmp_path / "som")
    assert "plots skipped" in out and "pip install neuronet[plot]" in out
    assert not list((tmp_path / "som").glob("*.png"))


@pytest.mark.parametrize("args, fragments", [
    (("--rows", "0"), ("--rows", "must be an integer >= 1, got 0")),
    (("--sigma", "-1"), ("--sigma", "must be a number in (0, inf)")),
    (("--topology", "triangle"), ("unknown topology 'triangle'", "rectangular, hexagonal")),
    (("--dataset", "cifar"), ("unknown dataset 'cifar'",)),
    (("--mode", "batch", "--neighborhood", "mexican_hat"), ("SOM: batch mode needs",)),
])
def test_bad_options_one_line_errors(run_cli, usage_error, tmp_path, args, fragments):
    usage_error(run_cli("som", "--samples", "50", "--out", tmp_path / "x", *args), *fragments)


def test_help_explains_the_errors_and_outputs(run_cli):
    status, out, _ = run_cli("som", "--help")
    text = " ".join(out.split())
    assert status == 0
    for words in ("quantization error", "topographic error", "U-matrix", "component planes",
                  "(default: digits)", "10000 steps online"):
        assert words in text
