"""A run folder, as `neuronet train` writes it and `evaluate`/`predict` read it.

    runs/NAME/config.json        what was trained: model + options, dataset, optimizer, seed...
              model.safetensors  the final weights (state_dict keys)
              metrics.json       the test report (metrics, confusion matrix), the last epoch's
                                 numbers, the epoch count, the training time of the last
                                 `neuronet train` call (a resumed run: of the resumed part)
              history.csv        per-epoch loss/accuracy (train and validation), lr
              checkpoint/last    the state to resume from (checkpoint/best: best val accuracy)
              curves.png, confusion.png
"""

from pathlib import Path

import numpy as np

from neuronet import nn
from neuronet.creation import from_numpy
from neuronet.data import DataLoader, TensorDataset
from neuronet.data.registry import get_dataset_spec
from neuronet.io import load_state_dict_file, read_json
from neuronet.metrics import confusion_matrix
from neuronet.models.registry import build_model
from neuronet.nn import functional as F
from neuronet.train import predict
from neuronet.train.running import resolve_metrics

CONFIG = "config.json"
MODEL_KEYS = ("model", "model_config", "dataset", "input_shape", "classes")
WEIGHTS = "model.safetensors"
EVAL_BATCH_SIZE = 1000
# The test report: (key in metrics.json, label in the printed table)
TEST_METRICS = (("accuracy", "test accuracy"), ("precision_macro", "test macro precision"),
                ("recall_macro", "test macro recall"), ("f1_macro", "test macro F1"),
                ("loss", "test loss"))


def read_config(folder, needed=(), model_keys=MODEL_KEYS):
    """The config.json of run `folder`; FileNotFoundError naming what is missing, ValueError
    when it lacks the model's keys (`model_keys`) or the other `needed` ones."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no run folder at {folder} (neuronet train --out makes one)")
    if not (folder / CONFIG).is_file():
        raise FileNotFoundError(
            f"{folder} is not a run folder: it has no {CONFIG} (written by neuronet train)"
        )
    config = read_json(folder / CONFIG)
    if not isinstance(config, dict):
        raise ValueError(f"{folder / CONFIG} is not a neuronet run config: not a JSON object")
    missing = [key for key in (*model_keys, *needed) if key not in config]
    if missing:
        raise ValueError(f"{folder / CONFIG} is not a neuronet run config: it lacks "
                         f"{', '.join(missing)}")
    return config


def build_from_config(config):
    """A fresh (untrained) model as described by a run's config."""
    return build_model(config["model"], config["input_shape"], len(config["classes"]),
                       **config["model_config"])


def input_statistics(x):
    """{"input_mean", "input_std"}: the mean and standard deviation of all values of the
    training inputs x (N, ...), as config.json keeps them for a run trained with --normalize."""
    values = np.asarray(x, dtype=np.float64)
    std = float(values.std())
    return {"input_mean": float(values.mean()), "input_std": std if std > 0 else 1.0}


def normalized(config, x):
    """x (an array or a Tensor) as the run's model was trained on it: (x - mean) / std with
    the statistics of its config (see input_statistics), in x's dtype (Python floats do not
    upcast); x itself for a run without them."""
    if "input_mean" not in config:
        return x
    return (x - config["input_mean"]) / config["input_std"]


class NormalizedInputs(nn.Module):
    """A trained model that takes raw inputs: model(normalized(config, x)). Submodule
    `model`."""

    def __init__(self, model, config):
        super().__init__()
        self.model, self.config = model, config

    def forward(self, x):
        return self.model(normalized(self.config, x))


def load_trained_model(folder, build=build_from_config, model_keys=MODEL_KEYS,
                       command="train"):
    """(config, model with the run's final weights) of run `folder`, rebuilt by
    `build(config)`; `command`: the `neuronet` command that trains such runs."""
    config = read_config(folder, model_keys=model_keys)
    weights = Path(folder) / WEIGHTS
    if not weights.is_file():
        raise FileNotFoundError(
            f"{folder} has no {WEIGHTS}: its training never finished (continue it with "
            f"neuronet {command} --resume {folder})"
        )
    model = build(config)
    model.load_state_dict(load_state_dict_file(weights))
    if "input_mean" in config:  # trained with --normalize: take raw inputs all the same
        model = NormalizedInputs(model, config)
    return config, model


def check_dataset_fits(config, dataset):
    """ValueError unless `dataset` has the input shape and class count the run's model takes."""
    spec = get_dataset_spec(dataset)
    if tuple(spec.input_shape) != tuple(config["input_shape"]) or (
            spec.num_classes != len(config["classes"])):
        raise ValueError(
            f"dataset {dataset!r} has inputs {tuple(spec.input_shape)} and {spec.num_classes} "
            f"classes; the run's model takes inputs {tuple(config['input_shape'])} and "
            f"{len(config['classes'])} classes (trained on {config['dataset']!r})"
        )
    return spec


def test_report(model, x, y, num_classes):
    """{"metrics": {accuracy, macro precision/recall/F1, loss}, "confusion_matrix": (C, C)
    list} of `model` on inputs x (N, ...) and labels y (N,)."""
    scores = predict(model, DataLoader(TensorDataset(x, y), batch_size=EVAL_BATCH_SIZE))
    names = [key for key, _ in TEST_METRICS if key != "loss"]
    metrics = {name: float(fn(y, scores)) for name, fn in resolve_metrics(names).items()}
    metrics["loss"] = F.cross_entropy(from_numpy(scores), from_numpy(y)).item()
    cm = confusion_matrix(y, scores.argmax(1), labels=np.arange(num_classes))
    return {"metrics": metrics, "confusion_matrix": cm.tolist()}


def report_rows(metrics):
    """The rows (label, value) of the printed test report."""
    return [(label, metrics[key]) for key, label in TEST_METRICS if key in metrics]
