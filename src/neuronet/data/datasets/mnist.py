"""MNIST, Fashion-MNIST and KMNIST: 28x28 grey images in IDX files, found locally or downloaded.

Where the files are looked for, in order (the first folder holding both files of the split
wins): `root`, `$NEURONET_DATA/<name>`, `~/.cache/neuronet/<name>`, then the Debian package's
folder (Fashion-MNIST: `apt-get install dataset-fashion-mnist`). When none has them and
`download=True`, they are downloaded into `root` if given, else `$NEURONET_DATA/<name>` if set,
else `~/.cache/neuronet/<name>`, from the official mirrors or from the base URL in the
environment variable named by `url_env` (e.g. a local server for tests).

Downloads are checked against the official SHA-256 of the .gz files. Files found locally are
not: Debian recompresses the archives (their gzip bytes differ, their content does not), so
local files are checked by parsing them (magic number, sizes, image/label counts) instead.
"""

import os
from pathlib import Path
from typing import ClassVar

from neuronet.data.dataset import ArrayDataset
from neuronet.data.datasets.folders import search_folders
from neuronet.data.download import DownloadError, fetch_files
from neuronet.data.idx import read_idx_pair


class IDXImageDataset(ArrayDataset):
    """Shared code of the IDX image datasets; subclasses only describe their files.

    Item i is (image (28, 28) uint8 ndarray, label int), each passed through its transform if
    given, e.g. `transform=ToTensor()` gives float32 (1, 28, 28) Tensors in [0, 1].
    Attributes: data (N, 28, 28) uint8, targets (N,) int64, classes, root (the folder used).
    """

    name = None  # sub-folder of the caches
    files: ClassVar[dict] = {}  # "train"/"test" -> ((images file, sha256), (labels file, sha256))
    mirrors = ()
    url_env = None
    system_folder = None  # where a distribution package installs the files, if any
    install_hint = ""
    classes = ()

    def __init__(self, root=None, train=True, download=True, transform=None,
                 target_transform=None):
        self.train = bool(train)
        split = self.files["train" if self.train else "test"]
        names = [name for name, _ in split]
        found = next((f for f in self.search_folders(root) if _has_all(f, names)), None)
        if found is not None:
            self.root = found
            images, labels = read_idx_pair(*(found / n for n in names))
        elif download:
            self.root = self.download_folder(root)
            images, labels = self._download(dict(split), self.root, root)
        else:
            raise FileNotFoundError(self._missing_message(root, names, "download=False"))
        super().__init__(images, labels, transform, target_transform)

    @classmethod
    def search_folders(cls, root=None):
        folders = search_folders(cls.name, root)
        if cls.system_folder is not None:
            folders.append(Path(cls.system_folder))
        return folders

    @classmethod
    def download_folder(cls, root=None):
        return Path(cls.search_folders(root)[0])

    def _download(self, files, folder, root):
        mirrors = [os.environ[self.url_env]] if os.environ.get(self.url_env) else self.mirrors
        try:
            return fetch_files(files, folder, mirrors, _read_downloaded)
        except DownloadError as e:
            raise FileNotFoundError(self._missing_message(root, list(files), str(e))) from None

    def _missing_message(self, root, names, why):
        folders = ", ".join(str(f) for f in self.search_folders(root))
        return (
            f"{type(self).__name__}: {', '.join(names)} not found in {folders}; not downloaded "
            f"({why}). To fix: {self.install_hint}download them from {self.mirrors[0]} into one "
            f"of those folders, or point $NEURONET_DATA at a folder holding '{self.name}/' with "
            "them."
        )


def _read_downloaded(paths, urls):
    """Validate freshly downloaded temporary files, naming their URLs in errors."""
    return read_idx_pair(*paths, sources=urls)


def _has_all(folder, names):
    return all((folder / n).is_file() for n in names)


class FashionMNIST(IDXImageDataset):
    """Zalando's Fashion-MNIST: 60,000 training and 10,000 test images of 10 clothing classes."""

    name = "fashion-mnist"
    files: ClassVar[dict] = {
        "train": (
            ("train-images-idx3-ubyte.gz",
             "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84"),
            ("train-labels-idx1-ubyte.gz",
             "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz",
             "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073"),
            ("t10k-labels-idx1-ubyte.gz",
             "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5"),
        ),
    }
    mirrors = (
        "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    )
    url_env = "NEURONET_FASHION_MNIST_URL"
    system_folder = "/usr/share/datasets/fashion-mnist"
    install_hint = "install the Debian package (sudo apt-get install dataset-fashion-mnist), or "
    classes = ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot")


class MNIST(IDXImageDataset):
    """LeCun's handwritten digits: 60,000 training and 10,000 test images of 0-9."""

    name = "mnist"
    files: ClassVar[dict] = {
        "train": (
            ("train-images-idx3-ubyte.gz",
             "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609"),
            ("train-labels-idx1-ubyte.gz",
             "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz",
             "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6"),
            ("t10k-labels-idx1-ubyte.gz",
             "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6"),
        ),
    }
    mirrors = (
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    )
    url_env = "NEURONET_MNIST_URL"
    classes = tuple(str(d) for d in range(10))


class KMNIST(IDXImageDataset):
    """Kuzushiji-MNIST: 60,000 training and 10,000 test images of 10 cursive Japanese kana."""

    name = "kmnist"
    files: ClassVar[dict] = {
        "train": (
            ("train-images-idx3-ubyte.gz",
             "51467d22d8cc72929e2a028a0428f2086b092bb31cfb79c69cc0a90ce135fde4"),
            ("train-labels-idx1-ubyte.gz",
             "e38f9ebcd0f3ebcdec7fc8eabdcdaef93bb0df8ea12bee65224341c8183d8e17"),
        ),
        "test": (
            ("t10k-images-idx3-ubyte.gz",
             "edd7a857845ad6bb1d0ba43fe7e794d164fe2dce499a1694695a792adfac43c5"),
            ("t10k-labels-idx1-ubyte.gz",
             "20bb9a0ef54c7db3efc55a92eef5582c109615df22683c380526788f98e42a1c"),
        ),
    }
    mirrors = ("https://codh.rois.ac.jp/kmnist/dataset/kmnist/",)
    url_env = "NEURONET_KMNIST_URL"
    classes = ("o", "ki", "su", "tsu", "na", "ha", "ma", "ya", "re", "wo")


def load_fashion_mnist(split="train", root=None):
    """Images (N, 28, 28) uint8 and labels (N,) int64 of Fashion-MNIST's 'train' or 'test'."""
    if split not in ("train", "test"):
        raise ValueError(f"load_fashion_mnist: split must be 'train' or 'test', got {split!r}")
    dataset = FashionMNIST(root=root, train=split == "train")
    return dataset.data, dataset.targets
