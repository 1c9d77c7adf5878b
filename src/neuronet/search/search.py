"""Random search, grid search and successive narrowing (coarse-to-fine) over a space.

    def train_and_score(params, seed):          # train on train, score on validation
        model = ...; train(model, params["lr"], params["weight_decay"], seed)
        return {"val_accuracy": accuracy(model, val_loader)}

    result = random_search(train_and_score, space, n_trials=30, workers=2,
                           results_file="search.jsonl", seed=0)
    print(result.table())
    best = result.best_params()   # retrain with these, then evaluate ONCE on the test set

On a Dask cluster: pass `cluster="local"` (a LocalCluster of `workers` processes) or
`cluster="dask://HOST:PORT"`; see neuronet.search.cluster.

Early stopping of weak trials: pass `pruner=MedianStopping(after=2, startup=5)` and give
train_and_score a third argument, `report`, called as `report(epoch, val_score)` after each
epoch (see neuronet.search.pruning).

The configurations of a search are a function of its seed, so a search restarted with the
same arguments and results file recomputes them, finds the finished trials in the file and
runs only the rest.

Progress: `on_trial=fn` calls fn(record) in this process as each trial finishes, wherever
it ran (a trial's own prints stay on its worker, which may be another machine).
"""

import inspect

import numpy as np

from neuronet.search.cluster import connected
from neuronet.search.pruning import MedianStopping
from neuronet.search.results import SearchResult
from neuronet.search.runner import read_results, run_trials
from neuronet.search.space import check_space, grid, narrow, sample

_MODES = ("max", "min")


def _check_common(fn, metric, mode, pruner=None):
    if not callable(fn):
        raise TypeError(f"search: train_and_score must be callable, got {fn!r}")
    if pruner is not None:
        if not isinstance(pruner, MedianStopping):
            raise TypeError(f"search: pruner must be a MedianStopping or None, got {pruner!r}")
        try:
            inspect.signature(fn).bind({}, 0, None)
        except TypeError:
            raise TypeError("search: with a pruner, train_and_score must take (params, seed, "
                            "report) and call report(epoch, score) after each epoch") from None
    if mode not in _MODES:
        raise ValueError(f"search: mode must be one of {list(_MODES)}, got {mode!r}")
    if not isinstance(metric, str):
        raise TypeError(f"search: metric must be the name of a score, got {metric!r}")


def _previous(results_file):
    return {(r["round"], r["trial"]): r for r in read_results(results_file, repair=True)}


def _random_configs(space, n_trials, seed, round_):
    if not isinstance(n_trials, int) or n_trials < 1:
        raise ValueError(f"random_search: n_trials must be a positive integer, got {n_trials!r}")
    # one generator per trial: trial i has the same params however many trials are asked for
    # the draw uses its own stream ([seed, round, i, 1]), apart from the trial's training seed
    return [sample(space, np.random.default_rng([seed, round_, i, 1])) for i in range(n_trials)]


def random_search(train_and_score, space, n_trials=20, *, metric="val_accuracy", mode="max",
                  workers=1, results_file=None, seed=0, timeout=None, pruner=None,
                  cluster=None, on_trial=None):
    """`n_trials` configurations drawn at random from `space`; returns a SearchResult."""
    _check_common(train_and_score, metric, mode, pruner)
    check_space(space)
    configs = _random_configs(space, n_trials, seed, 0)
    with connected(cluster, workers) as client:
        records = run_trials(train_and_score, configs, seed=seed, metric=metric, mode=mode,
                             workers=workers, results_file=results_file,
                             done=_previous(results_file), timeout=timeout, pruner=pruner,
                             client=client, on_trial=on_trial)
    return SearchResult(records, metric, mode)


def grid_search(train_and_score, space, points_per_range=3, *, metric="val_accuracy",
                mode="max", workers=1, results_file=None, seed=0, timeout=None, pruner=None,
                cluster=None, on_trial=None):
    """Every combination of `points_per_range` values per numeric range and every choice."""
    _check_common(train_and_score, metric, mode, pruner)
    check_space(space)
    with connected(cluster, workers) as client:
        records = run_trials(train_and_score, grid(space, points_per_range), seed=seed,
                             metric=metric, mode=mode, workers=workers,
                             results_file=results_file, done=_previous(results_file),
                             timeout=timeout, pruner=pruner, client=client,
                             on_trial=on_trial)
    return SearchResult(records, metric, mode)


def successive_narrowing(train_and_score, space, rounds=3, trials_per_round=10, keep=3, *,
                         metric="val_accuracy", mode="max", workers=1, results_file=None,
                         seed=0, timeout=None, pruner=None, cluster=None, on_trial=None):
    """Coarse-to-fine random search: after each round, shrink every range around the `keep`
    best successful trials of that round (see space.narrow) and search the smaller space.
    With a pruner, the finished trials of earlier rounds are the reference of later ones.

    Returns a SearchResult over all rounds; `result.spaces` holds the space of each round.
    """
    _check_common(train_and_score, metric, mode, pruner)
    check_space(space)
    if not isinstance(keep, int) or keep < 1:
        raise ValueError(f"successive_narrowing: keep must be a positive integer, got {keep!r}")
    done = _previous(results_file)
    records, spaces = [], []
    with connected(cluster, workers) as client:
        for round_ in range(rounds):
            spaces.append(space)
            configs = _random_configs(space, trials_per_round, seed, round_)
            this_round = run_trials(train_and_score, configs, round_=round_, seed=seed,
                                    metric=metric, mode=mode, workers=workers,
                                    results_file=results_file, done=done, timeout=timeout,
                                    pruner=pruner, reference=records, client=client,
                                    on_trial=on_trial)
            records += this_round
            best = SearchResult(this_round, metric, mode).ranked()[:keep]
            if round_ + 1 < rounds:
                space = narrow(space, [r["params"] for r in best])
    result = SearchResult(records, metric, mode)
    result.spaces = spaces
    return result
