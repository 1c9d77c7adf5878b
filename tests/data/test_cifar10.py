"""CIFAR10: files written by the test in the official binary format, where they are looked
for, clear errors for missing, truncated and corrupt files, and `neuronet data info cifar10` /
`neuronet train --dataset cifar10` on them."""

import json

import numpy as np
import pytest
from cifar_files import CLASSES, cifar_records, write_cifar10

from error_text import assert_raises_with
from neuronet.cli import main
from neuronet.data import DataLoader
from neuronet.data.datasets import CIFAR10
from neuronet.data.datasets.cifar import read_batch_file
from neuronet.data.registry import get_dataset_spec
from neuronet.data.transforms import Compose, RandomCrop, RandomHorizontalFlip, ToTensor


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No data anywhere: empty HOME, no $NEURONET_DATA. Returns the cache folder."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NEURONET_DATA", raising=False)
    return tmp_path / "home" / ".cache" / "neuronet" / "cifar10"


def test_reads_the_official_layout(tmp_path, isolated):
    written = write_cifar10(tmp_path / "c10")
    train = CIFAR10(root=tmp_path / "c10")
    assert train.data.shape == (30, 32, 32, 3) and train.data.dtype == np.uint8
    assert train.targets.dtype == np.int64 and train.classes == CLASSES
    expected = [written[f"data_batch_{i}.bin"] for i in range(1, 6)]  # in file order
    np.testing.assert_array_equal(train.data, np.concatenate([x for x, _ in expected]))
    np.testing.assert_array_equal(train.targets, np.concatenate([y for _, y in expected]))
    test = CIFAR10(root=tmp_path / "c10", train=False)
    np.testing.assert_array_equal(test.data, written["test_batch.bin"][0])
    assert train.root == tmp_path / "c10"


def test_planes_are_red_green_blue(tmp_path):
    # written by hand: label 3, then 1024 bytes of 10, 1024 of 20, 1024 of 30
    path = tmp_path / "one.bin"
    path.write_bytes(bytes([3]) + bytes([10]) * 1024 + bytes([20]) * 1024 + bytes([30]) * 1024)
    images, labels = read_batch_file(path)
    assert labels.tolist() == [3]
    assert (images[0] == [10, 20, 30]).all()  # every pixel: R 10, G 20, B 30
    # the first row of a plane is the top of the image
    gradient = np.zeros((1, 32, 32, 3), np.uint8)
    gradient[0, :, :, 0] = np.arange(32)[:, None]
    path.write_bytes(cifar_records(gradient, [0]))
    assert read_batch_file(path)[0][0, 5, 0, 0] == 5


def test_found_in_the_search_folders(tmp_path, isolated, monkeypatch):
    write_cifar10(isolated / "cifar-10-batches-bin")  # as the archive extracts
    assert CIFAR10().root == isolated / "cifar-10-batches-bin"
    write_cifar10(tmp_path / "data" / "cifar10", seed=1)
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "data"))
    assert CIFAR10().root == tmp_path / "data" / "cifar10"  # $NEURONET_DATA comes first
    assert CIFAR10.find() == tmp_path / "data" / "cifar10"


def test_missing_files(tmp_path, isolated):
    assert_raises_with(FileNotFoundError, CIFAR10, "data_batch_1.bin", "batches.meta.txt",
                       str(isolated), "cifar-10-binary.tar.gz", "$NEURONET_DATA")
    assert CIFAR10.find() is None
    write_cifar10(tmp_path / "c10")
    (tmp_path / "c10" / "data_batch_4.bin").unlink()
    with pytest.raises(FileNotFoundError, match="holds only part of the data set: "
                                                "data_batch_4.bin missing"):
        CIFAR10(root=tmp_path / "c10")
    assert len(CIFAR10(root=tmp_path / "c10", train=False)) == 6  # the test split is whole


@pytest.mark.parametrize("damage, fragments", [
    (lambda data: data[:-100], ["test_batch.bin", "truncated", "18,338 bytes", "3,073-byte"]),
    (lambda data: b"", ["test_batch.bin", "0 bytes"]),
    (lambda data: data[:3073 * 2] + bytes([10]) + data[3073 * 2 + 1:],
     ["test_batch.bin is corrupt", "record 2 has label 10", "0..9"]),
    (lambda data: bytes(3074 * 3), ["CIFAR-100", "2 label bytes"]),
])
def test_truncated_or_corrupt_files(tmp_path, damage, fragments):
    write_cifar10(tmp_path)
    path = tmp_path / "test_batch.bin"
    path.write_bytes(damage(path.read_bytes()))
    assert_raises_with(ValueError, lambda: CIFAR10(root=tmp_path, train=False), "CIFAR10",
                       *fragments)


@pytest.mark.parametrize("text, fragment", [("cat\ndog\n", "it has 2 names"),
                                            (None, "not a text file")])
def test_bad_class_names(tmp_path, text, fragment):
    write_cifar10(tmp_path)
    meta = tmp_path / "batches.meta.txt"
    if text is None:
        meta.write_bytes(bytes(range(128, 256)))
    else:
        meta.write_text(text)
    with pytest.raises(ValueError, match=fragment):
        CIFAR10(root=tmp_path)


def test_registered_for_the_command_line(tmp_path, isolated, monkeypatch):
    write_cifar10(tmp_path / "data" / "cifar10")
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "data"))
    spec = get_dataset_spec("cifar10")
    x, y = spec.load("train")
    assert x.shape == (30, 3, 32, 32) and x.dtype == np.float32 and y.shape == (30,)
    raw = CIFAR10()
    np.testing.assert_allclose(x, raw.data.transpose(0, 3, 1, 2) / 255, rtol=1e-6)
    assert spec.input_shape == (3, 32, 32) and spec.num_classes == 10
    assert spec.locate() == tmp_path / "data" / "cifar10"


def test_augmented_batches_from_a_loader(tmp_path):
    write_cifar10(tmp_path)
    augment = Compose([ToTensor(), RandomCrop(32, padding=4), RandomHorizontalFlip()])
    dataset = CIFAR10(root=tmp_path, transform=augment)
    images, labels = next(iter(DataLoader(dataset, batch_size=8, shuffle=True, generator=0)))
    assert images.shape == (8, 3, 32, 32) and labels.shape == (8,)


@pytest.fixture
def cifar_home(tmp_path, isolated, monkeypatch):
    write_cifar10(tmp_path / "data" / "cifar10", per_file=20)
    monkeypatch.setenv("NEURONET_DATA", str(tmp_path / "data"))
    return tmp_path


def test_neuronet_data_info(cifar_home, capsys):
    assert main(["data", "info", "cifar10"]) == 0
    out = capsys.readouterr().out
    assert "input shape: (3, 32, 32), 10 classes" in out
    assert str(cifar_home / "data" / "cifar10") in out
    assert out.splitlines()[-1].split()[-2:] == ["100", "20"]  # total train, test


def test_neuronet_train_one_epoch(cifar_home, capsys):
    out = cifar_home / "run"
    assert main(["train", "--dataset", "cifar10", "--epochs", "1", "--batch-size", "32",
                 "--no-progress", "--out", str(out)]) == 0, capsys.readouterr().err
    config = json.loads((out / "config.json").read_text())
    assert config["dataset"] == "cifar10" and tuple(config["input_shape"]) == (3, 32, 32)


def test_neuronet_missing_files_is_one_clear_line(tmp_path, isolated, capsys):
    assert main(["data", "info", "cifar10"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert "CIFAR10:" in err and "cifar-10-binary.tar.gz" in err
