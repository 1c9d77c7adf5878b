"""Datasets by name: real image sets (IDX readers), scikit-learn's digits, MNIST-1D, 2-D toys."""

from neuronet.data.datasets.cifar import CIFAR10
from neuronet.data.datasets.digits import Digits
from neuronet.data.datasets.mnist import (
    KMNIST,
    MNIST,
    FashionMNIST,
    IDXImageDataset,
    load_fashion_mnist,
)
from neuronet.data.datasets.mnist1d import MNIST1D
from neuronet.data.datasets.toy import blobs, circles, moons, spiral, xor

__all__ = [
    "CIFAR10", "KMNIST", "MNIST", "MNIST1D", "Digits", "FashionMNIST", "IDXImageDataset", "blobs",
    "circles", "load_fashion_mnist", "moons", "spiral", "xor",
]
