"""The experiment registry and `neuronet experiment`: seeding, results.json, errors."""

import json

import numpy as np
import pytest

import neuronet
from neuronet.cli import main
from neuronet.experiments import experiment, get_experiment, run_experiment


def _register_draw(scratch_registry):
    @experiment("draw", "draws three numbers from the global generator")
    def run(out_dir, *, quick=False, seed=0):
        (out_dir / "figure.png").write_bytes(b"png")
        return {"draws": neuronet.random.default_generator().random(3).tolist(),
                "quick": quick, "seed": seed, "per_layer": {"a": [1, 2.5]}}
    return run


def test_run_writes_results_json_and_is_seeded(scratch_registry, tmp_path):
    _register_draw(scratch_registry)
    results = run_experiment("draw", tmp_path / "a" / "b", quick=True, seed=3)
    saved = json.loads((tmp_path / "a" / "b" / "results.json").read_text())
    assert saved["results"] == results and (tmp_path / "a" / "b" / "figure.png").exists()
    assert saved["experiment"] == "draw" and saved["seed"] == 3 and saved["quick"] is True
    assert saved["seconds"] >= 0 and results["quick"] is True and results["seed"] == 3
    np.testing.assert_array_equal(results["draws"], np.random.default_rng(3).random(3))
    again = run_experiment("draw", tmp_path / "c", seed=3)
    other = run_experiment("draw", tmp_path / "d", seed=4)
    assert again["draws"] == results["draws"] and other["draws"] != results["draws"]
    assert again["quick"] is False


def test_registry_errors(scratch_registry, tmp_path):
    _register_draw(scratch_registry)
    with pytest.raises(ValueError, match="an experiment named 'draw' is already registered"):
        experiment("draw", "again")
    with pytest.raises(ValueError, match="must be a Python identifier, got 'two words'"):
        experiment("two words", "bad name")
    with pytest.raises(ValueError, match="unknown experiment 'nope'; the experiments are: .*draw"):
        get_experiment("nope")
    for seed in (-1, 1.5, True):
        with pytest.raises(ValueError, match="seed must be an integer >= 0"):
            run_experiment("draw", tmp_path, seed=seed)
    (tmp_path / "file").write_text("x")
    with pytest.raises(ValueError, match="out_dir .*file' exists and is not a folder"):
        run_experiment("draw", tmp_path / "file")


@pytest.mark.parametrize("returned, error, message", [
    ([1.0], TypeError, "run must return a dict of numbers, got list"),
    ({"loss": float("nan")}, ValueError, r"results\['loss'\] is nan, not a finite number"),
    ({"x": {"y": [1, object()]}}, TypeError, r"results\['x'\]\['y'\]\[1\] must hold numbers"),
    ({1: 2}, TypeError, "results has a non-string key 1"),
])
def test_bad_results_are_refused_and_nothing_is_written(scratch_registry, tmp_path, returned,
                                                        error, message):
    experiment("bad", "returns something that is not JSON numbers")(
        lambda out_dir, *, quick=False, seed=0: returned)
    with pytest.raises(error, match=f"experiment 'bad': {message}"):
        run_experiment("bad", tmp_path)
    assert not (tmp_path / "results.json").exists()


def test_cli_list_and_run(scratch_registry, tmp_path, capsys, monkeypatch):
    _register_draw(scratch_registry)
    assert main(["experiment", "--list"]) == 0
    out = capsys.readouterr().out
    assert "draw" in out and "draws three numbers from the global generator" in out
    assert main(["experiment", "draw", "--quick", "--seed", "5", "--out", str(tmp_path)]) == 0
    assert str(tmp_path) in capsys.readouterr().out
    saved = json.loads((tmp_path / "results.json").read_text())
    assert saved["seed"] == 5 and saved["quick"] is True
    monkeypatch.chdir(tmp_path)
    assert main(["experiment", "draw"]) == 0
    capsys.readouterr()
    saved = json.loads((tmp_path / "runs/experiments/draw/results.json").read_text())
    assert saved["seed"] == 0 and saved["quick"] is False


@pytest.mark.parametrize("argv, fragment", [
    (["experiment"], "choose an experiment: "),
    (["experiment", "nope"], "unknown experiment 'nope'; the experiments are: "),
    (["experiment", "draw", "--list"], "give either --list or an experiment NAME, not both"),
    (["experiment", "draw", "--seed", "-2"], "must be an integer >= 0, got -2"),
])
def test_cli_errors_are_one_line(scratch_registry, capsys, argv, fragment):
    _register_draw(scratch_registry)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and fragment in err[0], err
