"""What the classic-model commands share: a dataset as flat feature rows, an output folder."""

import time
from pathlib import Path

import numpy as np

from neuronet.data.registry import get_dataset_spec


def flat_split(dataset, split="train", samples=0, seed=0):
    """(x (N, D) float32, y (N,), spec) of one split of a registered dataset, each sample
    flattened to a row (images: pixels in [0, 1]). samples > 0 keeps a seeded random subset
    of that many (all of them when the split is smaller)."""
    spec = get_dataset_spec(dataset)
    x, y = spec.load(split)
    if samples and samples < len(y):
        keep = np.sort(np.random.default_rng(seed).permutation(len(y))[:samples])
        x, y = x[keep], y[keep]
    return x.reshape(len(x), -1), y, spec


def output_folder(out, command, dataset):
    """The folder to write into (created): `out`, or runs/COMMAND-DATASET-TIME when None."""
    folder = Path(out if out is not None else
                  f"runs/{command}-{dataset}-{time.strftime('%Y%m%d-%H%M%S')}")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
