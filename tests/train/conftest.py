"""Fixtures for the training tests: scikit-learn's digits as loaders, small models."""

import numpy as np
import pytest

from neuronet.data import ArrayDataset, DataLoader, Subset, stratified_split


@pytest.fixture(scope="session")
def digits_arrays():
    """(x (1797, 64) float32 in [0, 1], y (1797,) int64): real handwritten digits."""
    datasets = pytest.importorskip("sklearn.datasets")
    bunch = datasets.load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)


@pytest.fixture
def digits(digits_arrays):
    """A factory of (train_loader, val_loader) over a stratified 80/20 split of the digits."""
    x, y = digits_arrays
    train_idx, val_idx = stratified_split(y, 0.2, generator=0)
    dataset = ArrayDataset(x, y)

    def make(batch_size=32, generator=1, num_workers=0, n_train=None):
        idx = train_idx if n_train is None else train_idx[:n_train]
        train = DataLoader(Subset(dataset, idx), batch_size=batch_size, shuffle=True,
                           generator=generator, num_workers=num_workers)
        return train, DataLoader(Subset(dataset, val_idx), batch_size=256)

    return make
