"""Augmentation inside the DataLoader: per-sample transforms and whole-batch augmentation give
the same epochs with 0 or 2 worker threads, and follow the loader's seed."""

import numpy as np
import pytest

from neuronet.data import ArrayDataset, DataLoader, Dataset
from neuronet.data.transforms import (
    Compose,
    Normalize,
    RandomCrop,
    RandomErasing,
    RandomHorizontalFlip,
    RandomRotation,
    RandomShift,
)


def pipeline():
    return Compose([RandomCrop(8, padding=2), RandomHorizontalFlip(), RandomShift(1),
                    RandomRotation(10, interpolation="bilinear"), RandomErasing(p=0.5),
                    Normalize((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))])


@pytest.fixture
def samples(rng):
    return rng.uniform(0, 1, (96, 3, 8, 8)).astype(np.float32), rng.integers(0, 10, 96)


class BatchAugmented(Dataset):
    """Augments a whole batch in get_batch, as a fast dataset would."""

    def __init__(self, images, labels, transform):
        self.images, self.labels, self.transform = images, labels, transform

    def __len__(self):
        return len(self.images)

    def get_batch(self, indices):
        return self.transform(self.images[indices]), self.labels[indices]


def epoch(dataset, workers, seed):
    loader = DataLoader(dataset, batch_size=16, shuffle=True, generator=seed,
                        num_workers=workers)
    return [np.asarray(getattr(x, "data", x)) for x, _ in loader]


@pytest.mark.parametrize("make", [
    lambda x, y: ArrayDataset(x, y, transform=pipeline()),
    lambda x, y: BatchAugmented(x, y, pipeline()),
])
def test_same_epochs_with_any_number_of_workers(samples, make):
    dataset = make(*samples)
    serial = epoch(dataset, 0, seed=5)
    threaded = epoch(dataset, 2, seed=5)
    assert len(serial) == 6 and all(b.shape == (16, 3, 8, 8) for b in serial)
    for a, b in zip(serial, threaded):
        np.testing.assert_array_equal(a, b)
    other = epoch(dataset, 2, seed=6)
    assert not any(np.array_equal(a, b) for a, b in zip(serial, other))


def test_augmentation_actually_changes_the_images(samples):
    x, y = samples
    loader = DataLoader(BatchAugmented(x, y, pipeline()), batch_size=96, generator=0)
    (batch, _), = list(loader)
    plain = (x - 0.5) / 0.25
    changed = [not np.allclose(a, b) for a, b in zip(batch, plain)]
    assert np.mean(changed) > 0.9
