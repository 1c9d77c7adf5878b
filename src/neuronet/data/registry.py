"""Datasets by name for the command line and quick scripts: loader, input shape, classes.

    spec = get_dataset_spec("fashion-mnist")
    x, y = spec.load("train")      # x: (60000, 1, 28, 28) float32 in [0, 1], y: (60000,) int64
    spec.input_shape, spec.classes  # (1, 28, 28), ("T-shirt/top", ...)

Every loader returns the whole split as in-memory arrays, ready for a model: images as
(N, 1, H, W) float32 in [0, 1], signals as (N, L) float32. Datasets without an official test
split (digits) get a fixed stratified 80/20 split (seed 0), the same on every call.
"""

import dataclasses

import numpy as np

from neuronet.data.datasets import CIFAR10, KMNIST, MNIST, MNIST1D, Digits, FashionMNIST
from neuronet.data.splits import stratified_split
from neuronet.dtypes import get_default_dtype
from neuronet.registry import lookup

SPLITS = ("train", "test")


@dataclasses.dataclass(frozen=True)
class DatasetSpec:
    """One named dataset.

    load(split, download) -> (x, y); locate() -> the folder its files are in, or None (not
    found locally, or nothing to find: generated or bundled data); source: where it comes from.
    """

    name: str
    description: str
    input_shape: tuple
    classes: tuple
    source: str
    loader: object
    locate: object = None

    def load(self, split="train", download=True):
        if split not in SPLITS:
            raise ValueError(
                f"dataset {self.name!r}: split must be 'train' or 'test', got {split!r}"
            )
        return self.loader(split, download)

    @property
    def num_classes(self):
        return len(self.classes)


_DATASETS = {}


def register_dataset(spec):
    if spec.name in _DATASETS:
        raise ValueError(f"register_dataset: a dataset named {spec.name!r} is already registered")
    _DATASETS[spec.name] = spec


def dataset_names():
    return sorted(_DATASETS)


def get_dataset_spec(name):
    return lookup("dataset", name, _DATASETS, dataset_names())


def _images(data):
    """(N, H, W) grey or (N, H, W, C) colour, uint8 or float in [0, 1] -> (N, C, H, W) of the
    default float dtype in [0, 1]."""
    dtype = get_default_dtype()
    x = data.astype(dtype)
    if data.dtype == np.uint8:
        x /= np.asarray(255, dtype)
    return x[:, None] if x.ndim == 3 else np.ascontiguousarray(x.transpose(0, 3, 1, 2))


def _idx_spec(cls, description):
    def load(split, download):
        dataset = cls(train=split == "train", download=download)
        return _images(dataset.data), dataset.targets

    def locate():
        names = [name for part in cls.files.values() for name, _ in part]
        return next((folder for folder in cls.search_folders()
                     if all((folder / n).is_file() for n in names)), None)

    return DatasetSpec(cls.name, description, (1, 28, 28), tuple(cls.classes),
                       f"IDX files from {cls.mirrors[0]}", load, locate)


def _load_digits(split, download):
    digits = Digits()
    train, test = stratified_split(digits.targets, 0.2, generator=0)
    indices = train if split == "train" else test
    return _images(digits.data[indices]), digits.targets[indices]


def _load_cifar10(split, download):
    dataset = CIFAR10(train=split == "train", download=download)
    return _images(dataset.data), dataset.targets


def _load_mnist1d(split, download):
    dataset = MNIST1D(train=split == "train")
    return dataset.data, dataset.targets


for _spec in (
    _idx_spec(FashionMNIST, "Zalando's clothing images, 60,000 train + 10,000 test, 28x28 grey"),
    _idx_spec(MNIST, "handwritten digits, 60,000 train + 10,000 test, 28x28 grey"),
    _idx_spec(KMNIST, "cursive Japanese kana, 60,000 train + 10,000 test, 28x28 grey"),
    DatasetSpec("digits", "scikit-learn's 8x8 digits, 1,797 images (fixed 80/20 split)", (1, 8, 8),
                Digits.classes, "bundled with scikit-learn (pip install neuronet[sklearn])",
                _load_digits),
    DatasetSpec("mnist1d", "MNIST-1D signals of length 40, 4,000 train + 1,000 test", (40,),
                MNIST1D.classes, "generated locally by the mnist1d package (pip install mnist1d)",
                _load_mnist1d),
    DatasetSpec("cifar10", "CIFAR-10 colour photos, 50,000 train + 10,000 test, 32x32 RGB",
                (3, 32, 32), CIFAR10.classes, f"binary batches from {CIFAR10.url}",
                _load_cifar10, CIFAR10.find),
):
    register_dataset(_spec)
