"""Data: datasets, splits, the DataLoader, transforms and dataset readers.

    from neuronet.data import DataLoader, TensorDataset
    from neuronet.data.datasets import FashionMNIST
    from neuronet.data.transforms import Compose, ToTensor, Normalize

    train = FashionMNIST(train=True, transform=Compose([ToTensor(), Normalize((0.286,), (0.353,))]))
    for images, labels in DataLoader(train, batch_size=128, shuffle=True, generator=0):
        ...  # images: Tensor (128, 1, 28, 28) float32, labels: Tensor (128,) int64
"""

from neuronet.data import datasets, transforms
from neuronet.data.collate import default_collate
from neuronet.data.dataset import ArrayDataset, Dataset, Subset, TensorDataset
from neuronet.data.datasets import load_fashion_mnist
from neuronet.data.idx import read_idx, read_idx_pair
from neuronet.data.loader import DataLoader
from neuronet.data.splits import kfold_indices, random_split, stratified_split

__all__ = [
    "ArrayDataset", "DataLoader", "Dataset", "Subset", "TensorDataset",
    "datasets", "default_collate", "kfold_indices", "load_fashion_mnist", "random_split",
    "read_idx", "read_idx_pair", "stratified_split", "transforms",
]
