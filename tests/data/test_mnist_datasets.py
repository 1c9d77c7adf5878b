"""FashionMNIST / MNIST: finding files, downloading from a loopback HTTP server, bad files.

Network use stays on 127.0.0.1: each test serves files with http.server in a thread.
"""

import functools
import gzip
import hashlib
import http.server
import threading
from pathlib import Path

import numpy as np
import pytest
from idx_files import write_idx

from neuronet.data import load_fashion_mnist
from neuronet.data.datasets import KMNIST, MNIST, FashionMNIST
from neuronet.data.transforms import ToTensor

DEBIAN = Path("/usr/share/datasets/fashion-mnist")
needs_fashion = pytest.mark.skipif(
    not (DEBIAN / "train-images-idx3-ubyte.gz").is_file(),
    reason="Fashion-MNIST is not installed (make test installs dataset-fashion-mnist)",
)
# SHA-256 of Debian's files: recompressed, so they differ from the official .gz files.
DEBIAN_TEST_FILES = (
    ("t10k-images-idx3-ubyte.gz",
     "cc1d090a38ace84dfa1aa66e3ada7c336ef481a96936906477e6dd344da56eaa"),
    ("t10k-labels-idx1-ubyte.gz",
     "8d3605d196f4be44669e46906da9733c8131fef761fdbfec72c424d5222f1a05"),
)
TEST_NAMES = [name for name, _ in DEBIAN_TEST_FILES]


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No data anywhere: empty HOME, no $NEURONET_DATA, no Debian folder. Returns the cache."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEURONET_DATA", raising=False)
    monkeypatch.setattr(FashionMNIST, "system_folder", str(tmp_path / "no-debian"))
    return tmp_path / "home" / ".cache" / "neuronet"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture
def serve():
    """serve(folder) -> base URL of a loopback HTTP server for `folder` (or for `handler`)."""
    servers = []

    def start(folder, handler=None):
        handler = handler or functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        thread.start()
        servers.append((server, thread))
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join()


def _contents(folder):
    """Names in `folder`; None when a failed download did not even leave the folder."""
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else None


@needs_fashion
def test_download_verifies_caches_and_reads(isolated, serve, monkeypatch, tmp_path):
    monkeypatch.setitem(FashionMNIST.files, "test", DEBIAN_TEST_FILES)
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", serve(DEBIAN))
    ds = FashionMNIST(train=False)
    cache = isolated / "fashion-mnist"
    assert ds.root == cache
    assert _contents(cache) == sorted(TEST_NAMES)  # no temporary file left behind
    for name in TEST_NAMES:
        assert (cache / name).read_bytes() == (DEBIAN / name).read_bytes()
    assert ds.data.shape == (10000, 28, 28) and ds.data.dtype == np.uint8
    assert np.bincount(ds.targets).tolist() == [1000] * 10
    # Cached now: works with the server unreachable.
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", "http://127.0.0.1:9/")
    again = FashionMNIST(train=False)
    assert again.root == cache
    np.testing.assert_array_equal(again.data, ds.data)


@needs_fashion
def test_official_checksum_rejects_other_bytes(isolated, serve, monkeypatch):
    # Debian's recompressed files are not the official bytes: the official SHA-256 says so.
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", serve(DEBIAN))
    with pytest.raises(ValueError, match="wrong checksum for http://127.0.0.1:[0-9]+/t10k-images"):
        FashionMNIST(train=False)
    assert _contents(isolated / "fashion-mnist") is None


def test_server_down_says_what_to_install(isolated, serve, monkeypatch, tmp_path):
    url = serve(tmp_path)  # a port known to be free once this server is gone
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", url)
    # First a 404 (the server lacks the files), then connection refused (nothing on port 9).
    with pytest.raises(FileNotFoundError, match=r"\(sudo apt-get install dataset-fashion-mnist\)"):
        FashionMNIST(train=False)
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", "http://127.0.0.1:9/")
    with pytest.raises(FileNotFoundError) as info:
        FashionMNIST(train=True)
    message = str(info.value)
    assert "train-images-idx3-ubyte.gz" in message and "127.0.0.1:9" in message
    assert str(isolated / "fashion-mnist") in message
    assert _contents(isolated / "fashion-mnist") is None


class _CutsTransfers(http.server.BaseHTTPRequestHandler):
    """Promises 100,000 bytes, sends 12, hangs up: a connection lost mid-download."""

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "100000")
        self.end_headers()
        self.wfile.write(b"\x1f\x8b" + bytes(10))

    def log_message(self, *args):
        pass


def test_interrupted_transfer_leaves_no_partial_file(isolated, serve, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", serve(None, _CutsTransfers))
    with pytest.raises(FileNotFoundError, match="transfer cut after 12 of 100000 bytes"):
        FashionMNIST(train=False)
    assert _contents(isolated / "fashion-mnist") is None


def test_download_false_does_not_touch_the_network(isolated, monkeypatch):
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", "http://127.0.0.1:9/")
    with pytest.raises(FileNotFoundError, match="download=False"):
        FashionMNIST(train=False, download=False)


def _write_bad_set(folder, problem):
    """Test-split files with one defect; returns the {name: sha256} the mirror advertises."""
    folder.mkdir(exist_ok=True)
    images, labels = folder / TEST_NAMES[0], folder / TEST_NAMES[1]
    write_idx(images, np.zeros((4, 28, 28), np.uint8))
    write_idx(labels, np.arange(4 if problem != "count" else 3, dtype=np.uint8))
    if problem == "magic":
        with gzip.open(images, "wb") as f:
            f.write(b"\x12\x34\x08\x03" + bytes(100))
    if problem == "truncated":
        images.write_bytes(images.read_bytes()[:-20])
    return tuple((n, hashlib.sha256((folder / n).read_bytes()).hexdigest()) for n in TEST_NAMES)


@pytest.mark.parametrize("problem, message", [
    ("magic", "t10k-images-idx3-ubyte.gz is not an IDX file"),
    ("truncated", "t10k-images-idx3-ubyte.gz: corrupt or truncated gzip"),
    ("count", "t10k-images-idx3-ubyte.gz has 4 images but .*t10k-labels-idx1-ubyte.gz has 3"),
])
def test_bad_downloaded_files_leave_the_cache_clean(isolated, serve, monkeypatch, tmp_path,
                                                    problem, message):
    monkeypatch.setitem(FashionMNIST.files, "test", _write_bad_set(tmp_path / "srv", problem))
    url = serve(tmp_path / "srv")
    monkeypatch.setenv("NEURONET_FASHION_MNIST_URL", url)
    with pytest.raises(ValueError, match=message) as info:
        FashionMNIST(train=False)
    assert url in str(info.value)  # names where the bad file came from
    assert _contents(isolated / "fashion-mnist") is None


@pytest.mark.parametrize("problem, message", [
    ("magic", "not an IDX file"), ("truncated", "truncated gzip"), ("count", "4 images"),
])
def test_bad_local_files_are_named(isolated, tmp_path, problem, message):
    _write_bad_set(tmp_path / "root", problem)
    with pytest.raises(ValueError, match=message) as info:
        FashionMNIST(root=tmp_path / "root", train=False)
    assert str(tmp_path / "root" / TEST_NAMES[0]) in str(info.value)


@pytest.mark.parametrize("dataset", [MNIST, KMNIST])
def test_mnist_and_kmnist_use_the_same_path(isolated, serve, monkeypatch, tmp_path, dataset):
    folder = tmp_path / "srv"
    folder.mkdir()
    write_idx(folder / "train-images-idx3-ubyte.gz", np.full((5, 28, 28), 3, np.uint8))
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.array([1, 2, 3, 4, 5], np.uint8))
    files = tuple((n, hashlib.sha256((folder / n).read_bytes()).hexdigest())
                  for n in ("train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz"))
    monkeypatch.setitem(dataset.files, "train", files)
    monkeypatch.setenv(dataset.url_env, serve(folder))
    root = tmp_path / "my-root"
    ds = dataset(root=root, transform=ToTensor())  # downloads into the given root
    assert ds.root == root and _contents(root) == sorted(n for n, _ in files)
    image, label = ds[4]
    assert image.shape == (1, 28, 28) and label == 5
    np.testing.assert_allclose(image.data, 3 / 255, rtol=1e-6)


def test_neuronet_data_folder_is_searched(isolated, monkeypatch, tmp_path):
    data = tmp_path / "data"
    (data / "fashion-mnist").mkdir(parents=True)
    write_idx(data / "fashion-mnist" / TEST_NAMES[0], np.zeros((2, 28, 28), np.uint8))
    write_idx(data / "fashion-mnist" / TEST_NAMES[1], np.array([7, 8], np.uint8))
    monkeypatch.setenv("NEURONET_DATA", str(data))
    ds = FashionMNIST(train=False, download=False)
    assert ds.root == data / "fashion-mnist" and ds.targets.tolist() == [7, 8]


def test_load_fashion_mnist_bad_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_fashion_mnist("validation")


@needs_fashion
def test_real_fashion_mnist():
    images, labels = load_fashion_mnist("train")
    assert images.shape == (60000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (60000,) and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [6000] * 10
    test = FashionMNIST(train=False, transform=ToTensor())
    assert len(test) == 10000 and len(test.classes) == 10
    image, label = test[0]
    assert image.shape == (1, 28, 28) and image.dtype == np.float32 and label == 9  # ankle boot
    assert 0.0 <= image.data.min() and image.data.max() <= 1.0

