"""CIFAR-10 from its official binary version (cifar-10-binary.tar.gz, extracted).

The files: data_batch_1.bin .. data_batch_5.bin (training, 10,000 images each), test_batch.bin
(10,000) and batches.meta.txt (the 10 class names, one a line). Each .bin file is a sequence of
3,073-byte records: 1 label byte (0..9), then the 32 x 32 red plane, the green plane and the
blue plane, row by row (1,024 bytes each).

Where the files are looked for, in order: `root`, `$NEURONET_DATA/cifar10`,
`~/.cache/neuronet/cifar10`, each also with the archive's own sub-folder
`cifar-10-batches-bin/`; the first folder holding every file of the split and the class names
wins. Nothing is downloaded (the archive comes from the URL in the error message).
"""

import numpy as np

from neuronet.data.dataset import ArrayDataset
from neuronet.data.datasets.folders import search_folders

RECORD_BYTES = 1 + 3 * 32 * 32


class CIFAR10(ArrayDataset):
    """CIFAR-10: 50,000 training and 10,000 test colour images (32 x 32) of 10 classes.

    Item i is (image (32, 32, 3) uint8 ndarray, label int), each through its transform if
    given (`ToTensor()` makes a float32 (3, 32, 32) Tensor in [0, 1]). Attributes: data
    (N, 32, 32, 3) uint8 (height, width, RGB, as torchvision's), targets (N,) int64, classes
    (read from batches.meta.txt), root (the folder used). `download` is accepted as by the
    other datasets, but nothing is downloaded: a missing file raises FileNotFoundError saying
    where the archive is.
    """

    name = "cifar10"
    files = {"train": tuple(f"data_batch_{i}.bin" for i in range(1, 6)),
             "test": ("test_batch.bin",)}
    meta_file = "batches.meta.txt"
    subfolder = "cifar-10-batches-bin"
    url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz"
    classes = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck")

    def __init__(self, root=None, train=True, download=False, transform=None,
                 target_transform=None):
        self.train = bool(train)
        names = self.files["train" if self.train else "test"]
        self.root = self.locate(root, names)
        self.classes = read_class_names(self.root / self.meta_file)
        parts = [read_batch_file(self.root / name) for name in names]
        images = np.concatenate([images for images, _ in parts])
        labels = np.concatenate([labels for _, labels in parts])
        super().__init__(images, labels, transform, target_transform)

    @classmethod
    def search_folders(cls, root=None):
        return [f for folder in search_folders(cls.name, root)
                for f in (folder, folder / cls.subfolder)]

    @classmethod
    def find(cls, root=None, names=None):
        """The first search folder holding `names` (default: every file of both splits) and
        the class names, or None."""
        needed = [*(names or [n for split in cls.files.values() for n in split]), cls.meta_file]
        return next((folder for folder in cls.search_folders(root)
                     if all((folder / n).is_file() for n in needed)), None)

    @classmethod
    def locate(cls, root, names):
        """find(), or FileNotFoundError naming the files missing where some of them are."""
        found = cls.find(root, names)
        if found is not None:
            return found
        needed = [*names, cls.meta_file]
        for folder in cls.search_folders(root):
            missing = [n for n in needed if not (folder / n).is_file()]
            if len(missing) < len(needed):
                raise FileNotFoundError(f"CIFAR10: {folder} holds only part of the data set: "
                                        f"{', '.join(missing)} missing")
        folders = ", ".join(str(f) for f in cls.search_folders(root))
        raise FileNotFoundError(
            f"CIFAR10: {', '.join(needed)} not found in {folders}. To fix: download "
            f"{cls.url} (the binary version), extract it into one of those folders, or point "
            f"$NEURONET_DATA at a folder holding '{cls.name}/' with the files.")


def read_batch_file(path):
    """The images (N, 32, 32, 3) uint8 and labels (N,) int64 of one CIFAR-10 .bin file;
    ValueError naming the file when it is empty, truncated or holds a label > 9."""
    raw = np.fromfile(path, dtype=np.uint8)
    if raw.size == 0 or raw.size % RECORD_BYTES:
        hint = (" (CIFAR-100's records have 2 label bytes: 3,074 bytes each; this reader is "
                "for CIFAR-10)" if raw.size and raw.size % (RECORD_BYTES + 1) == 0 else "")
        raise ValueError(f"CIFAR10: {path} is truncated or not a CIFAR-10 batch file: its "
                         f"{raw.size:,} bytes are not a positive multiple of the "
                         f"{RECORD_BYTES:,}-byte record (1 label + 3 x 32 x 32 pixels){hint}")
    records = raw.reshape(-1, RECORD_BYTES)
    labels = records[:, 0].astype(np.int64)
    bad = np.flatnonzero(labels > 9)
    if bad.size:
        raise ValueError(f"CIFAR10: {path} is corrupt: record {bad[0]} has label "
                         f"{labels[bad[0]]}, expected 0..9 ({bad.size} such records)")
    images = records[:, 1:].reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    return np.ascontiguousarray(images), labels


def read_class_names(path):
    """The 10 class names of batches.meta.txt (one a line; blank lines ignored)."""
    try:
        names = [line.strip() for line in path.read_text(encoding="ascii").splitlines()]
    except UnicodeDecodeError:
        raise ValueError(f"CIFAR10: {path} is not a text file of class names") from None
    names = [n for n in names if n]
    if len(names) != 10:
        raise ValueError(f"CIFAR10: {path} should name the 10 classes, one a line; it has "
                         f"{len(names)} names")
    return tuple(names)
