"""Stopping weak trials early (MedianStopping): which trials stop, against which reference,
the same in parallel and after a resume, and the errors."""

import math
import statistics

import numpy as np
import pytest

from neuronet.search import (
    LogUniform,
    MedianStopping,
    TrialPruned,
    random_search,
    successive_narrowing,
)
from neuronet.search.pruning import Reporter

SPACE = {"lr": LogUniform(1e-4, 1.0)}
EPOCHS = 5


def quality(params):
    """The score a trial converges to: best at lr = 1e-2."""
    return 1 - (math.log10(params["lr"]) + 2) ** 2 / 8


def learner(params, seed, report):
    """A learning curve rising towards quality(params), reported after every epoch."""
    for epoch in range(1, EPOCHS + 1):
        score = quality(params) * (1 - 0.5 ** epoch)
        report(epoch, score)
    return {"val_accuracy": score, "epochs": epoch}


def _median_at(records, epoch):
    return statistics.median(s for r in records if r["status"] == "ok"
                             for e, s in r["curve"] if e == epoch)


def test_weak_trials_stop_against_the_startup_trials_and_the_best_survives():
    pruner = MedianStopping(after=2, startup=4)
    result = random_search(learner, SPACE, 16, seed=0, pruner=pruner)
    startup, rest = result.records[:4], result.records[4:]
    assert all(r["status"] == "ok" and len(r["curve"]) == EPOCHS for r in startup)
    pruned = result.pruned
    assert 0 < len(pruned) < len(rest)
    for r in rest:  # stopped exactly when a score fell below the startup trials' median
        below = [e for e, s in r["curve"] if e >= 2 and s < _median_at(startup, e)]
        if r["status"] == "pruned":
            assert below == [r["curve"][-1][0]] and len(r["curve"]) < EPOCHS
            assert r["scores"]["val_accuracy"] == r["curve"][-1][1]
            assert "worse than the median" in r["error"]
        else:
            assert below == [] and r["status"] == "ok"
    full = random_search(lambda p, s: learner(p, s, lambda e, v: None), SPACE, 16, seed=0)
    assert result.best_params() == full.best_params()
    epochs_run = sum(len(r["curve"]) for r in result.records)
    assert epochs_run < 16 * EPOCHS  # the point of it: less training
    assert "pruned" in result.table() and f"{len(pruned)} stopped early" in result.table()
    assert result.failed == []


def test_minimizing_prunes_the_high_losses():
    def loss_learner(params, seed, report):
        for epoch in range(1, 4):
            report(epoch, (1 - quality(params)) * 2.0 ** -epoch)
        return {"val_loss": (1 - quality(params)) / 8}

    result = random_search(loss_learner, SPACE, 10, seed=2, metric="val_loss", mode="min",
                           pruner=MedianStopping(after=1, startup=3))
    assert result.pruned
    for r in result.pruned:  # stopped for a loss above the startup trials' median
        epoch, loss = r["curve"][-1]
        assert loss > _median_at(result.records[:3], epoch)
        assert quality(r["params"]) < quality(result.best_params())


def test_parallel_workers_and_resume_give_the_same_trials(tmp_path):
    pruner = MedianStopping(after=2, startup=3)
    serial = random_search(learner, SPACE, 10, seed=5, pruner=pruner)
    path = tmp_path / "search.jsonl"
    parallel = random_search(learner, SPACE, 10, seed=5, pruner=pruner, workers=2,
                             results_file=path)
    keys = ("status", "scores", "curve")
    assert [[r[k] for k in keys] for r in parallel.records] == \
        [[r[k] for k in keys] for r in serial.records]

    def must_not_run(params, seed, report):
        raise AssertionError("a finished trial ran again")

    resumed = random_search(must_not_run, SPACE, 10, seed=5, pruner=pruner, results_file=path)
    assert [[r[k] for k in keys] for r in resumed.records] == \
        [[r[k] for k in keys] for r in serial.records]


def test_later_rounds_compare_against_the_earlier_rounds():
    pruner = MedianStopping(after=2, startup=4)
    result = successive_narrowing(learner, SPACE, rounds=2, trials_per_round=8, keep=3,
                                  seed=1, pruner=pruner)
    first = [r for r in result.records if r["round"] == 0]
    second = [r for r in result.records if r["round"] == 1]
    for r in second:  # no startup trials in round 1: round 0 is its reference
        below = [e for e, s in r["curve"] if e >= 2 and s < _median_at(first, e)]
        assert (r["status"] == "pruned") == bool(below)
    assert len(result.ranked()) >= 3


def test_reporter_thresholds_and_bad_epochs():
    report = Reporter({2: 0.5}, mode="max")
    report(1, 0.1)  # no threshold at epoch 1
    report(2, 0.5)  # equal to the median: kept
    with pytest.raises(TrialPruned, match="stopped after epoch 2: val_accuracy 0.4"):
        Reporter({2: 0.5})(2, 0.4)
    with pytest.raises(TrialPruned):
        Reporter({1: 0.5}, mode="min", metric="val_loss")(1, 0.6)
    assert report.curve == [[1, 0.1], [2, 0.5]]
    for epoch in (0, 1.5, True):
        with pytest.raises(ValueError, match="report: epoch must be a positive integer"):
            Reporter()(epoch, 0.3)
    assert MedianStopping(after=2).thresholds([[[1, 0.9], [2, 0.2]], [[2, 0.4]], [[2, 0.9]]]) \
        == {2: 0.4}


def test_a_bad_report_fails_only_its_trial():
    def bad(params, seed, report):
        report(0, 0.5)

    result = random_search(bad, SPACE, 3, pruner=MedianStopping(startup=1))
    assert [r["status"] for r in result.records] == ["failed"] * 3
    assert "report: epoch must be a positive integer" in result.records[0]["error"]


@pytest.mark.parametrize("call, error, message", [
    (lambda: random_search(lambda p, s: {}, SPACE, 2, pruner=MedianStopping()), TypeError,
     r"must take \(params, seed, report\)"),
    (lambda: random_search(learner, SPACE, 2, pruner="median"), TypeError,
     "pruner must be a MedianStopping or None"),
    (lambda: MedianStopping(after=0), ValueError, "after must be a positive integer"),
    (lambda: MedianStopping(startup=np.float64(2.0)), ValueError,
     "startup must be a positive integer"),
])
def test_bad_arguments(call, error, message):
    with pytest.raises(error, match=message):
        call()
