"""The IDX file format of MNIST and Fashion-MNIST, and a loader for Fashion-MNIST's files.

An IDX file is: two zero bytes, a type code (0x08 = uint8), the number of dimensions, then one
big-endian uint32 per dimension, then the values. The files usually come gzip-compressed.
"""

import gzip
import os
from pathlib import Path

import numpy as np

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}

FASHION_MNIST_FILES = {
    "train": ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"),
    "test": ("t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"),
}
DEBIAN_FASHION_MNIST = Path("/usr/share/datasets/fashion-mnist")


def read_idx(path):
    """Read an IDX file (plain or .gz) into a NumPy array of its declared shape and type."""
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError) as e:  # gzip raises these for truncated/corrupt files
        raise ValueError(f"read_idx: cannot read {path}: {e}") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise ValueError(f"read_idx: {path} is not an IDX file (bad magic number {raw[:4]!r})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    shape = tuple(int(v) for v in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_TYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"read_idx: {path} is truncated or padded: header says shape {shape} "
            f"({expected} bytes), file has {len(raw)} bytes"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def find_fashion_mnist(root=None):
    """The first folder holding all four Fashion-MNIST files: `root`, $NEURONET_DATA,
    ~/.cache/neuronet/fashion-mnist, then the Debian package's folder."""
    candidates = [Path(root)] if root is not None else []
    if os.environ.get("NEURONET_DATA"):
        candidates.append(Path(os.environ["NEURONET_DATA"]) / "fashion-mnist")
    candidates += [Path.home() / ".cache" / "neuronet" / "fashion-mnist", DEBIAN_FASHION_MNIST]
    names = [n for pair in FASHION_MNIST_FILES.values() for n in pair]
    for folder in candidates:
        if all((folder / n).is_file() for n in names):
            return folder
    raise FileNotFoundError(
        "Fashion-MNIST not found in " + ", ".join(str(c) for c in candidates) + ". Install the "
        "Debian package (sudo apt-get install dataset-fashion-mnist) or put the four files "
        f"{names} in one of those folders."
    )


def load_fashion_mnist(split="train", root=None):
    """Images (N, 28, 28) uint8 and labels (N,) int64 of the 'train' or 'test' split."""
    if split not in FASHION_MNIST_FILES:
        raise ValueError(f"load_fashion_mnist: split must be 'train' or 'test', got {split!r}")
    folder = find_fashion_mnist(root)
    image_file, label_file = FASHION_MNIST_FILES[split]
    images = read_idx(folder / image_file)
    labels = read_idx(folder / label_file).astype(np.int64)
    if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(
            f"load_fashion_mnist: {folder}: {len(images)} images of shape {images.shape[1:]} "
            f"but {len(labels)} labels"
        )
    return images, labels
