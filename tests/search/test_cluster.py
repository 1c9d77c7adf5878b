"""Search trials on Dask distributed: a LocalCluster (cluster="local") and a running scheduler
(cluster="dask://HOST:PORT") give the records of the local run for the same seeds; results
stream into the resumable JSON-lines file; a failing trial, a dying worker and a trial past
its timeout are recorded as failed (a worker that died once is retried)."""

import os
import time

import dask
import numpy as np
import pytest
from dask.distributed import LocalCluster

import neuronet
from neuronet import nn, optim
from neuronet.data.registry import get_dataset_spec
from neuronet.search import (
    Choice,
    LogUniform,
    MedianStopping,
    grid_search,
    random_search,
    read_results,
    successive_narrowing,
)

SPACE = {"lr": LogUniform(1e-3, 1.0), "hidden": LogUniform(4, 64)}
KEYS = ("round", "trial", "params", "seed", "status", "scores", "curve")


def digits_trial(params, seed, report=None):
    """Two epochs of a small MLP on the digits (its weights and shuffling from `seed`),
    scored on held-out digits."""
    x, y = get_dataset_spec("digits").load("train")
    x = x.reshape(len(x), -1)
    x_train, y_train, x_val, y_val = x[:1000], y[:1000], x[1000:], y[1000:]
    generator = np.random.default_rng(seed)
    model = nn.Sequential(nn.Linear(64, int(params["hidden"])), nn.ReLU(),
                          nn.Linear(int(params["hidden"]), 10))
    optimizer = optim.SGD(model.parameters(), lr=params["lr"])
    loss_fn = nn.CrossEntropyLoss()
    for epoch in (1, 2):
        for batch in np.array_split(generator.permutation(len(x_train)), 10):
            optimizer.zero_grad()
            loss_fn(model(neuronet.tensor(x_train[batch])), neuronet.tensor(y_train[batch])
                    ).backward()
            optimizer.step()
        with neuronet.no_grad():
            scores = model(neuronet.tensor(x_val)).data
        accuracy = float(np.mean(scores.argmax(1) == y_val))
        if report is not None and epoch == 1:
            report(epoch, accuracy)
    return {"val_accuracy": accuracy}


def comparable(records):
    return [{k: r.get(k) for k in KEYS} for r in records]


@pytest.fixture(scope="module")
def scheduler():
    """A running two-worker cluster, as `dask scheduler` + `dask worker` would give."""
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):  # a task dies twice
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
    with cluster:
        yield cluster.scheduler_address.replace("tcp://", "dask://")


def test_local_cluster_gives_the_records_of_the_local_run(tmp_path):
    here = random_search(digits_trial, SPACE, 6, seed=3)
    there = random_search(digits_trial, SPACE, 6, seed=3, cluster="local", workers=2,
                          results_file=str(tmp_path / "results.jsonl"))
    assert comparable(there.records) == comparable(here.records)
    assert {r["status"] for r in here.records} == {"ok"}
    streamed = sorted(read_results(tmp_path / "results.jsonl"), key=lambda r: r["trial"])
    assert comparable(streamed) == comparable(here.records)


def test_narrowing_with_pruning_on_a_running_cluster_equals_the_local_run(scheduler):
    kwargs = {"rounds": 2, "trials_per_round": 6, "keep": 2, "seed": 2,
              "pruner": MedianStopping(after=1, startup=3)}
    here = successive_narrowing(digits_trial, SPACE, **kwargs)
    there = successive_narrowing(digits_trial, SPACE, cluster=scheduler, **kwargs)
    assert comparable(there.records) == comparable(here.records)
    assert there.pruned, "the test should exercise pruning"


def test_a_search_resumes_from_its_file_on_the_cluster(scheduler, tmp_path):
    results = str(tmp_path / "results.jsonl")
    first = random_search(digits_trial, SPACE, 3, cluster=scheduler, results_file=results)
    shown = []  # on_trial runs in this process: the workers would fill their own copies
    more = random_search(digits_trial, SPACE, 5, cluster=scheduler, results_file=results,
                         on_trial=shown.append)
    assert more.records[:3] == first.records  # read back, not run again (same times)
    assert len(read_results(results)) == 5
    assert sorted(shown, key=lambda r: r["trial"]) == more.records[3:]  # the new ones only


def picky(params, seed):
    """Fails in three ways by learning rate: raises, kills its worker, runs too long."""
    if params["lr"] > 0.5:
        raise RuntimeError("diverged")
    if 0.2 < params["lr"] <= 0.5:
        os._exit(3)
    if params["lr"] < 2e-3:
        time.sleep(300)
    return {"val_accuracy": params["lr"]}


def crashes_once(params, seed, marker):
    """Kills its worker the first time trial `params["trial"]` runs, succeeds after."""
    path = os.path.join(marker, str(params["lr"]))
    if not os.path.exists(path):
        open(path, "w").close()
        os._exit(3)
    return {"val_accuracy": 1.0}


def test_failures_on_the_cluster_are_recorded_and_the_search_goes_on(scheduler):
    started = time.monotonic()
    raised, died, slow, ok = grid_search(picky, {"lr": Choice([0.9, 0.3, 1e-3, 0.05])},
                                         cluster=scheduler, timeout=5).records
    assert "RuntimeError: diverged" in raised["error"]
    assert "workers running it died" in died["error"]
    assert "after the 5 s timeout" in slow["error"]
    assert [raised["status"], died["status"], slow["status"], ok["status"]] == \
        ["failed", "failed", "failed", "ok"]
    assert time.monotonic() - started < 120
    # the cluster still works after its workers were killed and restarted
    assert random_search(picky, {"lr": LogUniform(0.01, 0.1)}, 2,
                         cluster=scheduler).records[0]["status"] == "ok"


def test_a_worker_that_dies_once_is_retried(tmp_path):
    def trial(params, seed):
        return crashes_once(params, seed, str(tmp_path))

    result = random_search(trial, {"lr": LogUniform(1e-3, 1.0)}, 2, cluster="local",
                           workers=2)
    assert [r["status"] for r in result.records] == ["ok", "ok"]
    assert len(os.listdir(tmp_path)) == 2  # each trial crashed its worker once


@pytest.mark.parametrize("cluster, message", [
    ("ray://somewhere", "cluster must be 'local' or 'dask://HOST:PORT', got 'ray://somewhere'"),
    ("dask://nowhere", "cluster must be 'local' or 'dask://HOST:PORT'"),
    ("dask://127.0.0.1:9", "cannot reach the Dask scheduler at tcp://127.0.0.1:9"),
])
def test_a_bad_cluster_address_is_a_clear_error(cluster, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        random_search(digits_trial, SPACE, 1, cluster=cluster)


def test_search_command_on_a_local_cluster_equals_the_local_run(tmp_path):
    from neuronet.cli import main

    def search(out, *options):
        assert main(["search", "--dataset", "digits", "--trials", "3", "--epochs", "1",
                     "--no-progress", "--out", str(tmp_path / out), *options]) == 0
        return sorted(read_results(tmp_path / out / "results.jsonl"), key=lambda r: r["trial"])

    assert comparable(search("cluster", "--cluster", "local", "--workers", "2")) == \
        comparable(search("here"))
