"""Data: readers for real datasets (more - Dataset, DataLoader, transforms - comes next)."""

from neuronet.data.idx import find_fashion_mnist, load_fashion_mnist, read_idx

__all__ = ["find_fashion_mnist", "load_fashion_mnist", "read_idx"]
