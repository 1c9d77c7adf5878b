"""IDX reader: round trips, and every way a file can be wrong."""

import numpy as np
import pytest
from idx_files import write_idx

from neuronet.data import read_idx, read_idx_pair


def test_round_trip_plain_and_gzip(tmp_path):
    a = np.arange(24, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "a.gz", a)
    write_idx(tmp_path / "a", a, compress=False)
    write_idx(tmp_path / "gzip-without-suffix", a)  # compression is detected from the content
    for name in ("a.gz", "a", "gzip-without-suffix"):
        np.testing.assert_array_equal(read_idx(tmp_path / name), a)
    b = np.array([-5, 70000], dtype=np.int32)
    write_idx(tmp_path / "b", b, code=0x0C, compress=False)
    np.testing.assert_array_equal(read_idx(tmp_path / "b"), b)


def test_bad_magic(tmp_path):
    (tmp_path / "x").write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match=r"x is not an IDX file \(bad magic number"):
        read_idx(tmp_path / "x")


def test_error_names_the_source_when_given(tmp_path):
    (tmp_path / "x").write_bytes(b"\x01\x02\x03\x04rest")
    with pytest.raises(ValueError, match="http://mirror/f.gz is not an IDX file"):
        read_idx(tmp_path / "x", source="http://mirror/f.gz")


def test_truncated_payload_and_header(tmp_path):
    data = write_idx(tmp_path / "a", np.zeros((5, 4), np.uint8), compress=False)
    (tmp_path / "a").write_bytes(data[:-3])
    with pytest.raises(ValueError, match="truncated or padded: header says shape"):
        read_idx(tmp_path / "a")
    (tmp_path / "a").write_bytes(data[:6])
    with pytest.raises(ValueError, match="truncated inside its header"):
        read_idx(tmp_path / "a")


def test_truncated_gzip(tmp_path):
    write_idx(tmp_path / "a.gz", np.zeros((50, 40), np.uint8))
    raw = (tmp_path / "a.gz").read_bytes()
    (tmp_path / "a.gz").write_bytes(raw[: len(raw) // 2])
    with pytest.raises(ValueError, match="a.gz: corrupt or truncated gzip"):
        read_idx(tmp_path / "a.gz")


def test_pair_count_mismatch_and_wrong_ranks(tmp_path):
    write_idx(tmp_path / "img", np.zeros((3, 28, 28), np.uint8))
    write_idx(tmp_path / "lab", np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="img has 3 images but .*lab has 2 labels"):
        read_idx_pair(tmp_path / "img", tmp_path / "lab")
    with pytest.raises(ValueError, match=r"lab holds shape \(2,\), not \(N, H, W\)"):
        read_idx_pair(tmp_path / "lab", tmp_path / "lab")
    with pytest.raises(ValueError, match=r"img holds shape \(3, 28, 28\), not \(N,\)"):
        read_idx_pair(tmp_path / "img", tmp_path / "img")


def test_pair_dtypes(tmp_path):
    write_idx(tmp_path / "img", np.full((2, 3, 3), 7, np.uint8))
    write_idx(tmp_path / "lab", np.array([4, 9], np.uint8))
    images, labels = read_idx_pair(tmp_path / "img", tmp_path / "lab")
    assert images.dtype == np.uint8 and labels.dtype == np.int64
    assert labels.tolist() == [4, 9]
