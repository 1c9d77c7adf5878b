"""Experiments by name: each reproduces a classic result, writing PNG figures and numbers.

    @experiment("optimizers", "paths of SGD, Momentum, ... on x^2/20 + y^2")
    def run(out_dir, *, quick=False, seed=0):
        ...                      # draw PNGs into out_dir (neuronet.viz.backend.new_figure)
        return {"final_loss": {"sgd": 0.41, ...}}   # numbers only (JSON-able)

    list_experiments()                                       # the specs, in registration order
    run_experiment("optimizers", "runs/experiments/optimizers", quick=True, seed=0)

`run_experiment` seeds neuronet's global generator with `seed`, creates `out_dir`, calls the
experiment and writes what it returned to `out_dir/results.json` (atomically, via neuronet.io)
together with the name, seed, quick flag and the wall-clock seconds it took.
"""

import dataclasses
import math
import numbers
import pathlib
import time

from neuronet.io import write_json
from neuronet.random import manual_seed
from neuronet.registry import lookup

RESULTS_FILE = "results.json"


@dataclasses.dataclass(frozen=True)
class ExperimentSpec:
    """One registered experiment: `run(out_dir: Path, *, quick: bool, seed: int) -> dict`."""

    name: str
    description: str
    run: object


_EXPERIMENTS = {}


def experiment(name, description):
    """Decorator registering `run(out_dir, *, quick=False, seed=0) -> dict` under `name`."""
    if not isinstance(name, str) or not name.isidentifier():
        raise ValueError(f"experiment: the name must be a Python identifier, got {name!r}")
    if name in _EXPERIMENTS:
        raise ValueError(f"experiment: an experiment named {name!r} is already registered")

    def register(run):
        if not callable(run):
            raise TypeError(f"experiment {name!r}: expected a function, got {type(run).__name__}")
        _EXPERIMENTS[name] = ExperimentSpec(name, description, run)
        return run
    return register


def experiment_names():
    return list(_EXPERIMENTS)


def list_experiments():
    """The registered ExperimentSpecs, in registration order (the gallery's order)."""
    return list(_EXPERIMENTS.values())


def get_experiment(name):
    return lookup("experiment", name, _EXPERIMENTS)


def _check_numbers(name, value, where="results"):
    """Results are JSON: dicts with string keys, lists, finite numbers, strings, bools, None."""
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"experiment {name!r}: {where} has a non-string key {key!r}")
            _check_numbers(name, item, f"{where}[{key!r}]")
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_numbers(name, item, f"{where}[{i}]")
    elif isinstance(value, numbers.Real) and not isinstance(value, bool):
        if not math.isfinite(value):
            raise ValueError(f"experiment {name!r}: {where} is {value}, not a finite number")
    elif not (value is None or isinstance(value, (str, bool))):
        raise TypeError(f"experiment {name!r}: {where} must hold numbers, strings or lists, "
                        f"got {type(value).__name__}")


def run_experiment(name, out_dir, quick=False, seed=0):
    """Run experiment `name` into folder `out_dir` (created if missing); return its results.

    quick: a small version (seconds, for tests) of the full run (minutes).
    seed: an integer >= 0; the same seed gives the same numbers and figures.
    """
    spec = get_experiment(name)
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"run_experiment: seed must be an integer >= 0, got {seed!r}")
    out_dir = pathlib.Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ValueError(f"run_experiment: out_dir {str(out_dir)!r} exists and is not a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    manual_seed(int(seed))
    started = time.perf_counter()
    results = spec.run(out_dir, quick=bool(quick), seed=int(seed))
    seconds = time.perf_counter() - started
    if not isinstance(results, dict):
        raise TypeError(f"experiment {name!r}: run must return a dict of numbers, got "
                        f"{type(results).__name__}")
    _check_numbers(name, results)
    write_json(out_dir / RESULTS_FILE, {"experiment": name, "seed": int(seed),
                                        "quick": bool(quick), "seconds": round(seconds, 2),
                                        "results": results})
    return results
