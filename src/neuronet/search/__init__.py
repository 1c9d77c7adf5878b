"""Hyperparameter search: random, grid and coarse-to-fine, trials scored on validation data.

See neuronet.search.search for the workflow, neuronet.search.runner for how trials run
(worker processes, seeds, failed trials, resuming from the JSON-lines results file) and
neuronet.search.pruning for stopping weak trials early.
"""

from neuronet.search.pruning import MedianStopping, TrialPruned
from neuronet.search.results import SearchResult
from neuronet.search.runner import read_results, run_trials, trial_seed
from neuronet.search.search import grid_search, random_search, successive_narrowing
from neuronet.search.space import Choice, Integer, LogUniform, Uniform, grid, narrow, sample

__all__ = [
    "Choice", "Integer", "LogUniform", "MedianStopping", "SearchResult", "TrialPruned",
    "Uniform", "grid", "grid_search", "narrow", "random_search", "read_results", "run_trials",
    "sample", "successive_narrowing", "trial_seed",
]
