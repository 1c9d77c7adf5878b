"""The IDX file format of MNIST, Fashion-MNIST and KMNIST.

An IDX file is: two zero bytes, a type code (0x08 = uint8), the number of dimensions, then one
big-endian uint32 per dimension, then the values. The files usually come gzip-compressed; we
recognise that from the content (gzip's magic bytes), not from the file name.
"""

import gzip
import zlib
from pathlib import Path

import numpy as np

_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}
_GZIP_MAGIC = b"\x1f\x8b"


def read_idx(path, source=None):
    """Read an IDX file (plain or gzip) into a NumPy array of its declared shape and type.

    `source` is the name used in error messages (default: the path), e.g. the URL a
    temporary download came from. Any defect raises ValueError naming the file and the problem.
    """
    path = Path(path)
    source = source or str(path)
    try:
        with open(path, "rb") as f:
            compressed = f.read(2) == _GZIP_MAGIC
        with (gzip.open if compressed else open)(path, "rb") as f:
            raw = f.read()
    except (OSError, EOFError, zlib.error) as e:  # gzip raises these for truncated/corrupt files
        raise ValueError(f"read_idx: cannot read {source}: corrupt or truncated gzip ({e})") from e
    if len(raw) < 4 or raw[0] != 0 or raw[1] != 0 or raw[2] not in _TYPES:
        raise ValueError(f"read_idx: {source} is not an IDX file (bad magic number {raw[:4]!r})")
    ndim = raw[3]
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"read_idx: {source} is truncated inside its header")
    shape = tuple(int(v) for v in np.frombuffer(raw, ">u4", count=ndim, offset=4))
    dtype = np.dtype(_TYPES[raw[2]])
    expected = header + int(np.prod(shape)) * dtype.itemsize
    if len(raw) != expected:
        raise ValueError(
            f"read_idx: {source} is truncated or padded: header says shape {shape} "
            f"({expected} bytes), file has {len(raw)} bytes"
        )
    return np.frombuffer(raw, dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def read_idx_pair(images_path, labels_path, sources=(None, None)):
    """Images (N, H, W) uint8 and labels (N,) int64 from an image file and its label file.

    Checks that the images are 3-D, the labels 1-D, and that both have the same count.
    """
    images = read_idx(images_path, sources[0])
    labels = read_idx(labels_path, sources[1])
    image_name, label_name = (s or str(p) for s, p in zip(sources, (images_path, labels_path)))
    if images.ndim != 3:
        raise ValueError(f"read_idx_pair: {image_name} holds shape {images.shape}, not (N, H, W)")
    if labels.ndim != 1:
        raise ValueError(f"read_idx_pair: {label_name} holds shape {labels.shape}, not (N,)")
    if len(images) != len(labels):
        raise ValueError(
            f"read_idx_pair: count mismatch: {image_name} has {len(images)} images "
            f"but {label_name} has {len(labels)} labels"
        )
    return images, labels.astype(np.int64)
