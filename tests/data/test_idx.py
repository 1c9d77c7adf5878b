"""IDX reader and the Fashion-MNIST loader: real files, and every way a file can be wrong."""

import gzip
import struct

import numpy as np
import pytest

from neuronet.data import find_fashion_mnist, load_fashion_mnist, read_idx


def write_idx(path, array, code=0x08, compress=True):
    header = bytes([0, 0, code, array.ndim]) + struct.pack(">" + "I" * array.ndim, *array.shape)
    data = header + array.astype(">u1" if code == 0x08 else ">i4").tobytes()
    (gzip.open if compress else open)(path, "wb").write(data)
    return data


def test_round_trip_plain_and_gzip(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", a)
    write_idx(tmp_path / "a", a, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "a.gz"), a)
    np.testing.assert_array_equal(read_idx(tmp_path / "a"), a)
    b = np.array([-5, 70000], dtype=np.int32)
    write_idx(tmp_path / "b", b, code=0x0C, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "b"), b)


def test_bad_magic(tmp_path):
    (tmp_path / "x").write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match="not an IDX file"):
        read_idx(tmp_path / "x")


def test_truncated_payload(tmp_path):
    data = write_idx(tmp_path / "a", np.zeros((5, 4), np.uint8), compress=False)
    (tmp_path / "a").write_bytes(data[:-3])
    with pytest.raises(ValueError, match="truncated"):
        read_idx(tmp_path / "a")


def test_truncated_gzip(tmp_path):
    write_idx(tmp_path / "a.gz", np.zeros((50, 40), np.uint8))
    raw = (tmp_path / "a.gz").read_bytes()
    (tmp_path / "a.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="cannot read"):
        read_idx(tmp_path / "a.gz")


def test_count_mismatch_between_images_and_labels(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte.gz", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "train-labels-idx1-ubyte.gz", np.zeros(2, np.uint8))
    write_idx(tmp_path / "t10k-images-idx3-ubyte.gz", np.zeros((1, 28, 28), np.uint8))
    write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", np.zeros(1, np.uint8))
    with pytest.raises(ValueError, match="3 images .* but 2 labels"):
        load_fashion_mnist("train", root=tmp_path)
    assert load_fashion_mnist("test", root=tmp_path)[0].shape == (1, 28, 28)


def test_missing_dataset_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr("neuronet.data.idx.DEBIAN_FASHION_MNIST", tmp_path / "none")
    monkeypatch.delenv("NEURONET_DATA", raising=False)
    with pytest.raises(FileNotFoundError, match="dataset-fashion-mnist"):
        find_fashion_mnist(tmp_path / "empty")


def test_bad_split():
    with pytest.raises(ValueError, match="'train' or 'test'"):
        load_fashion_mnist("validation")


def test_real_fashion_mnist_files():
    try:
        images, labels = load_fashion_mnist("test")
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST is not installed (make test installs it)")
    assert images.shape == (10000, 28, 28) and images.dtype == np.uint8
    assert labels.shape == (10000,) and set(np.unique(labels)) == set(range(10))
    assert np.bincount(labels).tolist() == [1000] * 10
