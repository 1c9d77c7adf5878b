"""Run trials: each calls `train_and_score(params, seed) -> dict of scores`, in worker processes.

The callable trains on the training split and returns scores measured on a validation split
(e.g. {"val_accuracy": 0.87, "val_loss": 0.36}). It never sees the test set: choosing
hyperparameters by test accuracy would make that accuracy an optimistic, tuned number. Evaluate
the single best configuration once on the test set after the search.

With a pruner (neuronet.search.pruning) the callable takes a third argument, `report`, and
calls `report(epoch, score)` after each epoch; weak trials are stopped early and recorded as
'pruned'.

Each trial gets its own seed (derived from the search seed and the trial number), so a trial
gives the same result whether it runs first, last, alone, in parallel or on a Dask cluster
(neuronet.search.cluster). A trial that raises, crashes its process, or returns a
NaN/missing score is recorded as failed; the search goes on. Every finished trial is
appended at once to a JSON-lines file (one JSON object per line); a search started again
with the same file skips the trials already recorded.
"""

import json
import math
import multiprocessing
import os
import time
import traceback
from multiprocessing.connection import wait

import numpy as np

import neuronet
from neuronet.search.cluster import run_on_cluster
from neuronet.search.pruning import Reporter, TrialPruned


def trial_seed(seed, round_, index):
    """The seed of trial `index` of round `round_` of a search seeded with `seed`."""
    return int(np.random.SeedSequence([seed, round_, index]).generate_state(1)[0])


def _run_one(fn, params, seed, metric, reporter=None):
    """Run one trial in this process; return its record fields (status, scores, error and,
    with a `reporter`, the learning curve it reported)."""
    neuronet.manual_seed(seed)
    start = time.perf_counter()
    args = (dict(params), seed) if reporter is None else (dict(params), seed, reporter)
    try:
        scores = fn(*args)
        if not isinstance(scores, dict):
            raise TypeError(f"train_and_score must return a dict of scores, got {scores!r}")
        scores = {k: float(v) for k, v in scores.items()}
        value = scores.get(metric)
        if value is None or not math.isfinite(value):
            status = "failed"
            error = f"metric {metric!r} is {value!r} (scores: {scores})"
        else:
            status, error = "ok", None
    except TrialPruned as err:
        scores, status, error = {metric: reporter.curve[-1][1]}, "pruned", str(err)
    except Exception as err:  # any failure of user code is a failed trial, not a failed search
        scores, status = {}, "failed"
        error = "".join(traceback.format_exception_only(err)).strip()
    outcome = {"status": status, "scores": scores, "error": error,
               "time": time.perf_counter() - start}
    if reporter is not None:
        outcome["curve"] = reporter.curve
    return outcome


def _child(conn, fn, params, seed, metric, reporter):
    conn.send(json.dumps(_run_one(fn, params, seed, metric, reporter)))
    conn.close()


def read_results(path, repair=False):
    """The trial records in a JSON-lines results file ([] if it does not exist).

    A last line cut short by a crash is ignored (and cut off the file when `repair`, so that
    new records start on a clean line); any other unreadable line is an error.
    """
    if path is None or not os.path.exists(path):
        return []
    with open(path, "rb") as f:
        lines = f.read().split(b"\n")
    records, good_bytes = [], 0
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError as err:
                if number < len(lines):
                    raise ValueError(
                        f"read_results: {path} line {number} is not JSON: {err}"
                    ) from err
                if repair:  # interrupted while writing the last record
                    os.truncate(path, good_bytes)
                break
        good_bytes += len(line) + 1
    return records


def _append(path, record):
    if path is None:
        return
    with open(path, "a") as f:
        f.write(json.dumps(record) + "\n")
        f.flush()
        os.fsync(f.fileno())


def run_trials(fn, configs, *, round_=0, seed=0, metric="val_accuracy", mode="max", workers=1,
               results_file=None, done=None, timeout=None, pruner=None, reference=(),
               client=None, on_trial=None):
    """Run `configs` (a list of param dicts) as trials of round `round_`; return their records.

    Trials whose (round, trial) key is in `done` (records from a previous run) are not run
    again; their records are returned as they were. workers: 1 runs trials in this process
    (exceptions are still caught); more runs up to that many worker processes at once (a
    crash of one worker fails only its trial). timeout: seconds after which a worker's trial
    is stopped and recorded as failed. pruner: a MedianStopping (or None: every trial runs
    in full); `reference`: the records of earlier rounds, whose finished curves it compares
    against; mode: 'max' or 'min', whether a higher or a lower score is better. client: a
    dask.distributed Client whose workers run the trials instead (neuronet.search.cluster;
    `workers` is then the cluster's business). on_trial: called here, in the calling
    process, with the record of each trial as it finishes (not for those from `done`), e.g.
    to show progress: what a trial prints goes to the process (or machine) that ran it.
    """
    if not isinstance(workers, int) or workers < 1:
        raise ValueError(f"run_trials: workers must be a positive integer, got {workers!r}")
    done = done or {}
    records, pending = {}, []
    for index, params in enumerate(configs):
        old = done.get((round_, index))
        if old is not None:
            if old["params"] != json.loads(json.dumps(params)):  # as stored: tuples -> lists
                raise ValueError(
                    f"run_trials: {results_file} holds trial {index} of round {round_} with "
                    f"params {old['params']}, this search has {params}: a different search "
                    "(space, seed or size); use another results file"
                )
            records[index] = old
        else:
            pending.append(index)

    def finish(index, outcome):
        record = {"round": round_, "trial": index, "params": configs[index],
                  "seed": trial_seed(seed, round_, index), **outcome}
        _append(results_file, record)
        records[index] = record
        if on_trial is not None:
            on_trial(record)

    def run(indices, thresholds=None):
        def reporter():
            return None if pruner is None else Reporter(thresholds, mode, metric)

        if client is not None:
            run_on_cluster(client, _run_one, [
                (index, (fn, configs[index], trial_seed(seed, round_, index), metric,
                         reporter())) for index in indices], timeout, finish)
        elif workers == 1:
            for index in indices:
                finish(index, _run_one(fn, configs[index], trial_seed(seed, round_, index),
                                       metric, reporter()))
        else:
            _run_parallel(fn, configs, indices, seed, round_, metric, workers, timeout, finish,
                          reporter)

    if pruner is None:
        run(pending)
    else:  # the startup trials run in full first; the reference is fixed before the rest start
        curves = _finished_curves(reference)
        startup = max(0, pruner.startup - len(curves))
        run([i for i in pending if i < startup])
        curves += _finished_curves(records[i] for i in range(min(startup, len(configs))))
        run([i for i in pending if i >= startup], pruner.thresholds(curves))
    return [records[i] for i in range(len(configs))]


def _finished_curves(records):
    """The learning curves of the trials among `records` that ran to the end."""
    return [r["curve"] for r in records if r["status"] == "ok" and r.get("curve")]


def _context():
    # fork lets a worker run any callable (closures too) without pickling it
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


def _run_parallel(fn, configs, pending, seed, round_, metric, workers, timeout, finish,
                  reporter):
    ctx = _context()
    queue = list(pending)
    running = {}  # reader end of the pipe -> (index, process, start time)
    while queue or running:
        while queue and len(running) < workers:
            index = queue.pop(0)
            reader, writer = ctx.Pipe(duplex=False)
            args = (writer, fn, configs[index], trial_seed(seed, round_, index), metric,
                    reporter())
            process = ctx.Process(target=_child, args=args, daemon=True)
            process.start()
            writer.close()
            running[reader] = (index, process, time.perf_counter())
        ready = wait(list(running), timeout=1.0)
        for reader in ready:
            index, process, start = running.pop(reader)
            try:
                outcome = json.loads(reader.recv())
            except EOFError:  # the worker died before sending anything
                process.join()
                outcome = {"status": "failed", "scores": {}, "time": time.perf_counter() - start,
                           "error": f"worker process crashed (exit code {process.exitcode})"}
            reader.close()
            process.join()
            finish(index, outcome)
        if timeout is not None:
            for reader, (index, process, start) in list(running.items()):
                if time.perf_counter() - start > timeout:
                    process.kill()
                    process.join()
                    del running[reader]
                    reader.close()
                    finish(index, {"status": "failed", "scores": {}, "time": timeout,
                                   "error": f"trial stopped after the {timeout} s timeout"})
