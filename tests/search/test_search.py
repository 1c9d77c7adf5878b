"""Random/grid search and successive narrowing: seeding, parallel workers, failed trials,
resuming an interrupted search from its results file, table and plot."""

import json
import math
import os

import numpy as np
import pytest

from neuronet.search import (
    Choice,
    LogUniform,
    SearchResult,
    Uniform,
    grid_search,
    random_search,
    read_results,
    successive_narrowing,
)

SPACE = {"lr": LogUniform(1e-4, 1.0), "wd": LogUniform(1e-6, 1e-2)}


def bowl(params, seed):
    """A validation score that peaks at lr = 1e-2, wd = 1e-4, plus seed-dependent noise."""
    noise = np.random.default_rng(seed).normal() * 1e-3
    score = 1 - (math.log10(params["lr"]) + 2) ** 2 / 10 - (math.log10(params["wd"]) + 4) ** 2 / 20
    return {"val_accuracy": score + noise, "seed_seen": seed}


def flaky(params, seed):
    """Raises, returns NaN or crashes its process for some learning rates."""
    if params["lr"] > 0.3:
        raise RuntimeError("diverged")
    if params["lr"] < 3e-4:
        return {"val_accuracy": float("nan")}
    if 0.1 < params["lr"] <= 0.3:
        os._exit(3)  # a hard crash: only run this under workers > 1
    return bowl(params, seed)


def test_same_seed_same_trials_and_each_trial_gets_its_seed():
    one = random_search(bowl, SPACE, 8, seed=3)
    two = random_search(bowl, SPACE, 8, seed=3)
    assert [r["params"] for r in one.records] == [r["params"] for r in two.records]
    assert [r["scores"] for r in one.records] == [r["scores"] for r in two.records]
    assert [r["scores"]["seed_seen"] for r in one.records] == [r["seed"] for r in one.records]
    assert len({r["seed"] for r in one.records}) == 8
    other = random_search(bowl, SPACE, 8, seed=4)
    assert [r["params"] for r in other.records] != [r["params"] for r in one.records]
    longer = random_search(bowl, SPACE, 12, seed=3)  # trial i does not depend on n_trials
    assert [r["params"] for r in longer.records[:8]] == [r["params"] for r in one.records]


def test_parallel_workers_give_the_same_results_as_one_process():
    serial = random_search(bowl, SPACE, 6, seed=1)
    parallel = random_search(bowl, SPACE, 6, seed=1, workers=2)
    assert [r["scores"] for r in parallel.records] == [r["scores"] for r in serial.records]


def test_failed_trials_are_recorded_and_the_search_goes_on(tmp_path):
    space = {"lr": Choice([0.5, 0.2, 1e-4, 1e-2, 1e-3])}
    path = str(tmp_path / "r.jsonl")
    result = grid_search(lambda p, s: flaky({**p, "wd": 1e-4}, s), space, workers=2,
                         results_file=path)
    status = {r["params"]["lr"]: (r["status"], r["error"]) for r in result.records}
    assert status[0.5][0] == "failed" and "RuntimeError: diverged" in status[0.5][1]
    assert status[0.2][0] == "failed" and "worker process crashed (exit code 3)" in status[0.2][1]
    assert status[1e-4][0] == "failed" and "is nan" in status[1e-4][1]
    assert status[1e-2][0] == status[1e-3][0] == "ok"
    assert result.best_params() == {"lr": 1e-2}
    assert len(read_results(path)) == 5
    assert "3 failed" in result.table()


def test_exceptions_fail_trials_in_process_too():
    result = grid_search(flaky, {"lr": Choice([0.5, 1e-4, 1e-2]), "wd": Choice([1e-4])})
    assert [r["status"] for r in result.records] == ["failed", "failed", "ok"]


def test_timeout_stops_a_hanging_trial():
    import time

    def slow(params, seed):
        if params["x"] == 1:
            time.sleep(60)
        return {"val_accuracy": params["x"]}

    result = grid_search(slow, {"x": Choice([0, 1])}, workers=2, timeout=1.0)
    assert result.records[1]["status"] == "failed"
    assert "timeout" in result.records[1]["error"]
    assert result.records[0]["status"] == "ok"


def test_interrupted_search_resumes_where_it_stopped(tmp_path):
    path = str(tmp_path / "search.jsonl")
    calls = []

    def interrupted(params, seed):
        if len(calls) == 4:
            raise KeyboardInterrupt  # not an Exception: stops the search, like Ctrl-C
        calls.append(params)
        return bowl(params, seed)

    with pytest.raises(KeyboardInterrupt):
        random_search(interrupted, SPACE, 10, seed=7, results_file=path)
    assert len(read_results(path)) == 4
    with open(path, "a") as f:
        f.write('{"round": 0, "trial": 4, "par')  # a record cut short by the crash
    calls.clear()
    resumed = random_search(lambda p, s: (calls.append(p), bowl(p, s))[1], SPACE, 10, seed=7,
                            results_file=path)
    assert len(calls) == 6  # only the trials not yet recorded ran
    fresh = random_search(bowl, SPACE, 10, seed=7)
    assert [r["scores"] for r in resumed.records] == [r["scores"] for r in fresh.records]
    with pytest.raises(ValueError, match="a different search"):
        random_search(bowl, SPACE, 10, seed=8, results_file=path)


def test_resume_with_tuple_choices(tmp_path):
    path = str(tmp_path / "r.jsonl")
    space = {"sizes": Choice([(64, 32), (128,)]), "lr": LogUniform(1e-3, 1e-1)}
    score = lambda p, s: {"val_accuracy": p["lr"] * len(p["sizes"])}
    first = random_search(score, space, 3, results_file=path)
    again = random_search(score, space, 3, results_file=path)
    assert [r["scores"] for r in again.records] == [r["scores"] for r in first.records]


def test_corrupt_line_in_the_middle_is_an_error(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"round": 0}\nnot json\n{"round": 1}\n')
    with pytest.raises(ValueError, match="line 2 is not JSON"):
        read_results(str(path))


def test_successive_narrowing_closes_in_on_the_optimum():
    result = successive_narrowing(bowl, SPACE, rounds=3, trials_per_round=12, keep=3, seed=0)
    assert len(result.records) == 36 and len(result.spaces) == 3
    first, last = result.spaces[0]["lr"], result.spaces[-1]["lr"]
    assert last.high / last.low < first.high / first.low
    assert last.low <= 1e-2 <= last.high
    best = result.best_params()
    assert abs(math.log10(best["lr"]) + 2) < 0.5 and abs(math.log10(best["wd"]) + 4) < 1.0
    coarse_best = max(r["scores"]["val_accuracy"] for r in result.records if r["round"] == 0)
    assert result.best()["scores"]["val_accuracy"] >= coarse_best


def test_minimizing_a_loss_and_the_ranked_table():
    result = grid_search(lambda p, s: {"val_loss": (p["x"] - 0.25) ** 2}, {"x": Uniform(0, 1)},
                         5, metric="val_loss", mode="min")
    assert result.best_params() == {"x": 0.25}
    lines = result.table().splitlines()
    assert lines[0].split() == ["rank", "val_loss", "time", "s", "round", "trial", "x"]
    assert lines[1].split()[0] == "1" and lines[1].split()[-1] == "0.25"
    assert len(lines) == 6


def test_load_and_scatter_plot(tmp_path):
    pytest.importorskip("matplotlib")
    path = str(tmp_path / "r.jsonl")
    random_search(bowl, SPACE, 6, results_file=path)
    loaded = SearchResult.load(path)
    assert len(loaded.records) == 6
    loaded.scatter("lr", "wd", str(tmp_path / "scatter.png"))
    with open(tmp_path / "scatter.png", "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"
    json.dumps(loaded.records)  # records stay plain JSON


@pytest.mark.parametrize("call,error,message", [
    (lambda: random_search(bowl, SPACE, 0), ValueError, "n_trials must be a positive integer"),
    (lambda: random_search(bowl, SPACE, 2, mode="up"), ValueError, r"mode must be one of"),
    (lambda: random_search("bowl", SPACE, 2), TypeError, "train_and_score must be callable"),
    (lambda: random_search(bowl, SPACE, 2, workers=0), ValueError, "workers must be a positive"),
    (lambda: grid_search(lambda p, s: 0.5, SPACE), None, None),
    (lambda: SearchResult([]).best(), ValueError, "no successful trial"),
])
def test_bad_arguments(call, error, message):
    if error is None:  # a callable returning a bare number: every trial fails, with the reason
        result = call()
        assert all("must return a dict" in r["error"] for r in result.records)
        return
    with pytest.raises(error, match=message):
        call()
