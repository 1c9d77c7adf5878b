"""The experiments gallery: classic results reproduced with one command each.

    neuronet experiment --list
    neuronet experiment optimizers [--quick] [--out DIR] [--seed N]

    from neuronet.experiments import list_experiments, run_experiment
    run_experiment("optimizers", "runs/experiments/optimizers", quick=True)

Each experiment is one module here, registered with `@experiment(name, description)` when it is
imported below; the order of the imports is the order of `--list` and of docs/gallery.md.
"""

from neuronet.experiments.registry import (
    ExperimentSpec, experiment, experiment_names, get_experiment, list_experiments,
    run_experiment,
)

__all__ = [
    "ExperimentSpec", "experiment", "experiment_names", "get_experiment", "list_experiments",
    "run_experiment",
]

# The experiments, one module each, in gallery order (importing a module registers it).
from neuronet.experiments import optimizers
from neuronet.experiments import initialization
from neuronet.experiments import gradients
from neuronet.experiments import batchnorm
from neuronet.experiments import overfitting
# experiments 6-10 (engineer B): keep them after 1-5
from neuronet.experiments import depth_residual
from neuronet.experiments import decision_boundaries
from neuronet.experiments import nearest_neighbours
from neuronet.experiments import cnn_features
from neuronet.experiments import computation_graph
