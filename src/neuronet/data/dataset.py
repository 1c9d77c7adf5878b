"""Datasets: anything with `__getitem__(i)` and `__len__`, as in torch.utils.data.

A dataset may also offer `get_batch(indices)`, returning the already collated batch for an
index array; `DataLoader` then makes one fancy-indexing call per batch instead of one
`__getitem__` call per sample plus a collate (tens of times faster for in-memory arrays).
"""

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.creation import from_numpy
from neuronet.data.collate import default_collate


class Dataset:
    """Base class: subclasses define `__getitem__(index)` and `__len__()`."""

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")

    def __len__(self):
        raise NotImplementedError(f"{type(self).__name__} must define __len__")


def _as_array(x, who):
    """The ndarray behind a Tensor, array or nested list (Tensors' data is shared, not copied)."""
    if isinstance(x, Tensor):
        return x.data
    array = np.asarray(x)
    if array.ndim == 0:
        raise ValueError(f"{who}: every tensor needs a first (sample) dimension, got a scalar")
    return array


class TensorDataset(Dataset):
    """Samples are slices of equally long tensors along their first dimension.

    TensorDataset(x, y): x (N, ...), y (N, ...); item i is (x[i], y[i]) as Tensors.
    Arrays and lists are accepted too. Items are data, not graph: they never require grad.
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        self.arrays = [_as_array(t, "TensorDataset") for t in tensors]
        sizes = [len(a) for a in self.arrays]
        if len(set(sizes)) > 1:
            raise ValueError(
                f"TensorDataset: all tensors must have the same first dimension, got sizes {sizes}"
            )

    @property
    def tensors(self):
        return tuple(from_numpy(a) for a in self.arrays)

    def __getitem__(self, index):
        return tuple(from_numpy(np.asarray(a[index])) for a in self.arrays)

    def get_batch(self, indices):
        return tuple(from_numpy(a[indices]) for a in self.arrays)

    def __len__(self):
        return len(self.arrays[0])


class ArrayDataset(Dataset):
    """Labelled in-memory data with optional transforms, like torchvision's datasets.

    data: (N, ...) array, targets: (N,) int64 array. Item i is
    `(transform(data[i]), target_transform(int(targets[i])))`, each without its transform when
    that is None (then the sample is the raw ndarray and the target an int).
    """

    def __init__(self, data, targets, transform=None, target_transform=None):
        if len(data) != len(targets):
            raise ValueError(
                f"{type(self).__name__}: {len(data)} samples but {len(targets)} targets"
            )
        self.data = data
        self.targets = targets
        self.transform = transform
        self.target_transform = target_transform

    def __getitem__(self, index):
        sample, target = self.data[index], int(self.targets[index])
        if self.transform is not None:
            sample = self.transform(sample)
        if self.target_transform is not None:
            target = self.target_transform(target)
        return sample, target

    def get_batch(self, indices):
        if self.transform is None and self.target_transform is None:
            return from_numpy(self.data[indices]), from_numpy(self.targets[indices])
        return default_collate([self[i] for i in indices])

    def __len__(self):
        return len(self.data)

    def __repr__(self):
        return (
            f"{type(self).__name__}(samples={len(self)}, sample_shape={self.data.shape[1:]}, "
            f"classes={len(np.unique(self.targets))})"
        )


class Subset(Dataset):
    """The samples of `dataset` at `indices`, in that order."""

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = np.asarray(indices, dtype=np.int64)
        if self.indices.ndim != 1:
            raise ValueError(f"Subset: indices must be 1-D, got shape {self.indices.shape}")

    def __getitem__(self, index):
        return self.dataset[int(self.indices[index])]

    def get_batch(self, indices):
        inner = self.indices[indices]
        if hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(inner)
        return default_collate([self.dataset[int(i)] for i in inner])

    def __len__(self):
        return len(self.indices)
