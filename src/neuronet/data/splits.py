"""Splitting a dataset: random_split (as torch), stratified train/validation split, k-fold.

All randomness comes from `generator` (a numpy Generator or an int seed; None = the global
generator seeded by `neuronet.manual_seed`), so a split is reproducible from its seed.
"""

import itertools
import math
import numbers

import numpy as np

from neuronet.data.dataset import Dataset, Subset
from neuronet.random import get_generator


def random_split(dataset, lengths, generator=None):
    """Split `dataset` into non-overlapping random Subsets of the given lengths.

    lengths: sizes summing to len(dataset), or fractions summing to 1 (floored, the remainder
    handed out one by one to the first subsets, as torch does).
    """
    n = len(dataset)
    lengths = list(lengths)
    if not lengths or any(not isinstance(v, numbers.Real) or v < 0 for v in lengths):
        raise ValueError(f"random_split: lengths must be non-negative numbers, got {lengths}")
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = [math.floor(n * fraction) for fraction in lengths]
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
    else:
        sizes = [int(v) for v in lengths]
        if sizes != lengths:
            raise ValueError(f"random_split: lengths must be integers or fractions, got {lengths}")
    if sum(sizes) != n:
        raise ValueError(
            f"random_split: lengths {lengths} sum to {sum(sizes)}, the dataset has {n} samples"
        )
    order = get_generator(generator).permutation(n)
    bounds = np.cumsum([0] + sizes)
    return [Subset(dataset, order[a:b]) for a, b in itertools.pairwise(bounds)]


def _labels_of(labels_or_dataset, who):
    """(N,) labels from an array, a Tensor, or a dataset (its `.targets`, else item[1])."""
    source = labels_or_dataset
    if isinstance(source, Subset):
        return _labels_of(source.dataset, who)[source.indices]
    if hasattr(source, "targets"):
        source = source.targets
    elif isinstance(source, Dataset):
        source = [int(source[i][1]) for i in range(len(source))]
    labels = np.asarray(source)
    if labels.ndim != 1:
        raise ValueError(f"{who}: labels must be 1-D, got shape {labels.shape}")
    return labels


def stratified_split(labels, val_fraction=0.2, generator=None):
    """(train_indices, val_indices), each class split in the proportion `val_fraction`.

    labels: (N,) class labels, or a dataset (its `.targets`, else the second item of each
    sample). Every class puts round(count * val_fraction) of its samples, drawn at random, into
    validation, so both parts keep the class proportions. Both index arrays come sorted.
    """
    labels = _labels_of(labels, "stratified_split")
    if not 0 < val_fraction < 1:
        raise ValueError(f"stratified_split: val_fraction must be in (0, 1), got {val_fraction}")
    rng = get_generator(generator)
    val = []
    for cls in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == cls))
        val.append(members[: round(len(members) * val_fraction)])
    val = np.sort(np.concatenate(val))
    train = np.setdiff1d(np.arange(len(labels)), val)
    return train, val


def kfold_indices(n, k=5, shuffle=False, generator=None, stratify=None):
    """k pairs (train_indices, val_indices); every index is in exactly one validation fold.

    Without `stratify` the folds are consecutive blocks (after a shuffle if asked), the first
    n % k of them one sample larger, as scikit-learn's KFold. With `stratify` ((n,) labels)
    each class is dealt round-robin over the folds, so every fold keeps the class proportions.
    """
    if not isinstance(n, numbers.Integral) or not isinstance(k, numbers.Integral):
        raise TypeError(f"kfold_indices: n and k must be integers, got n={n!r}, k={k!r}")
    if not 2 <= k <= n:
        raise ValueError(f"kfold_indices: need 2 <= k <= n, got k={k}, n={n}")
    rng = get_generator(generator) if shuffle else None
    order = rng.permutation(n) if shuffle else np.arange(n)
    if stratify is None:
        sizes = np.full(k, n // k)
        sizes[: n % k] += 1
        fold_of = np.repeat(np.arange(k), sizes)
    else:
        labels = _labels_of(stratify, "kfold_indices")
        if len(labels) != n:
            raise ValueError(f"kfold_indices: stratify has {len(labels)} labels, n is {n}")
        order = order[np.argsort(labels[order], kind="stable")]  # grouped by class
        fold_of = np.arange(n) % k
    folds = []
    for fold in range(k):
        val = np.sort(order[fold_of == fold])
        folds.append((np.sort(order[fold_of != fold]), val))
    return folds
