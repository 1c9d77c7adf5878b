"""`neuronet search` on digits with tiny budgets: ranking by validation only, the retrained best
as a run folder, resuming, early stopping of weak trials, grid and fixed values, errors."""

import json
import statistics
import sys

import pytest

from neuronet.search import read_results

pytest.importorskip("sklearn")

QUICK = ("search", "--dataset", "digits", "--epochs", "1", "--no-progress")


def _search(run_cli, folder, *extra):
    status, out, err = run_cli(*QUICK, "--out", folder, *extra)
    assert status == 0, err
    return out, json.loads((folder / "summary.json").read_text()), read_results(
        folder / "results.jsonl")


def test_best_by_validation_retrained_and_tested_once(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    out, summary, records = _search(run_cli, tmp_path, "--trials", "3", "--seed", "2")
    assert len(records) == 3 and all(r["status"] == "ok" for r in records)
    best = max(records, key=lambda r: r["scores"]["val_accuracy"])
    assert summary["best"]["params"] == best["params"]
    assert summary["best"]["validation"] == best["scores"]
    assert {p.name for p in tmp_path.iterdir()} == {"results.jsonl", "summary.json",
                                                     "search.png", "best"}
    config = json.loads((tmp_path / "best" / "config.json").read_text())
    assert config["lr"] == best["params"]["lr"] and config["val_fraction"] == 0.0
    # the best run folder is what 'neuronet evaluate' reads, and it gives the reported score
    status, evaluated, _ = run_cli("evaluate", tmp_path / "best")
    assert status == 0
    assert f"{summary['test']['accuracy']:.4f}" in evaluated
    assert summary["test"]["accuracy"] > 0.3  # chance is 0.1
    assert f"test accuracy {summary['test']['accuracy']:.4f}" in out


def test_an_interrupted_search_resumes_to_the_same_end(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    _, _, first = _search(run_cli, tmp_path / "resumed", "--trials", "2")
    _, summary, both = _search(run_cli, tmp_path / "resumed", "--trials", "3")
    assert both[:2] == first and len(both) == 3  # the two finished trials did not run again
    assert summary["trials"] == 3
    # in one go, with the trials in worker processes: the same trials, the same final model
    _, whole, records = _search(run_cli, tmp_path / "whole", "--trials", "3", "--workers", "2")
    records.sort(key=lambda r: r["trial"])  # the file is in the order trials finished
    assert [r["scores"] for r in records] == [r["scores"] for r in both]
    assert whole["test"] == summary["test"]


def test_each_finished_trial_is_shown_by_the_search_wherever_it_ran(run_cli, tmp_path,
                                                                    monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    status, out, err = run_cli(*[a for a in QUICK if a != "--no-progress"], "--trials", "3",
                               "--workers", "2", "--out", tmp_path)
    assert status == 0, err
    records = read_results(tmp_path / "results.jsonl")
    lines = [line for line in out.splitlines() if line.startswith("  trial ")]
    assert len(lines) == 3  # printed here, not by the worker processes
    for r in records:
        score = r["scores"]["val_accuracy"]
        shown = f"  trial {r['trial']} {r['params']}: val_accuracy {score:.4f}"
        assert any(line.startswith(shown) for line in lines), (shown, lines)


def test_weak_trials_stop_early(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out, summary, records = _search(run_cli, tmp_path, "--trials", "5", "--epochs", "2",
                                    "--prune-after", "1", "--prune-startup", "2")
    startup, rest = records[:2], records[2:]
    assert all(r["status"] == "ok" and len(r["curve"]) == 1 for r in startup)  # not the last
    pruned = [r for r in rest if r["status"] == "pruned"]
    assert pruned and summary["pruned"] == len(pruned)
    for r in pruned:
        epoch, score = r["curve"][-1]
        assert score < statistics.median(s for t in startup for e, s in t["curve"] if e == epoch)
    assert "stopped early" in out


def test_grid_with_a_choice_and_a_fixed_value(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    _, summary, records = _search(run_cli, tmp_path, "--method", "grid",
                                  "--param", "lr=choice:0.05,0.0001", "--param", "optimizer=sgd",
                                  "--param", "dropout=0.1")
    assert [r["params"] for r in records] == [{"lr": 0.05}, {"lr": 0.0001}]
    assert summary["fixed"] == {"optimizer": "sgd", "dropout": 0.1}
    config = json.loads((tmp_path / "best" / "config.json").read_text())
    assert config["optimizer"] == "sgd" and config["model_config"]["dropout"] == 0.1
    assert summary["best"]["params"] == {"lr": 0.05}  # sgd at 1e-4 barely moves in one epoch


@pytest.mark.parametrize("args, fragments", [
    (("--param", "depth=int:1:3"), ("cannot search depth", "dropout, lr, lr_schedule, momentum")),
    (("--param", "hidden=64"), ("cannot search hidden",)),  # a list option
    (("--param", "lr=log:1e-4"), ("--param", "'lr=log:1e-4': log needs LOW:HIGH")),
    (("--param", "lr=log:-1:1"), ("LogUniform: low must be > 0",)),
    (("--param", "lr"), ("expected NAME=RANGE, got 'lr'",)),
    (("--param", "optimizer=choice:sgd,adamm"), ("unknown optimizer 'adamm'", "sgd, adam")),
    (("--param", "lr=0.1"), ("no range to search",)),
    (("--val-fraction", "0"), ("--val-fraction", "must be a number in (0, 1)")),
    (("--method", "bayes"), ("unknown method 'bayes'", "random, grid, narrowing")),
])
def test_bad_command_lines(run_cli, usage_error, tmp_path, args, fragments):
    usage_error(run_cli(*QUICK, "--out", tmp_path, *args), *fragments)
    assert not (tmp_path / "results.jsonl").exists()


def test_results_of_another_search_are_not_mixed_in(run_cli, usage_error, tmp_path,
                                                    monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    _search(run_cli, tmp_path, "--trials", "1")
    usage_error(run_cli(*QUICK, "--out", tmp_path, "--trials", "1", "--seed", "9"),
                "holds trial 0 of round 0", "a different search")


def test_help_explains_ranges_and_the_test_split(run_cli):
    status, out, _ = run_cli("search", "--help")
    text = " ".join(out.split())
    assert status == 0
    for words in ("log:LOW:HIGH", "choice:A,B,...", "evaluated ONCE on the test split",
                  "resume", "--prune-after", "(default: random)"):
        assert words in text
