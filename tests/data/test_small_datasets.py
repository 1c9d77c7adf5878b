"""Digits, MNIST-1D and the 2-D toy sets: shapes, dtypes, labels, geometry, seeds, errors."""

import random
import sys

import numpy as np
import pytest

from neuronet.data import DataLoader
from neuronet.data.datasets import MNIST1D, Digits, blobs, circles, moons, spiral, xor
from neuronet.data.datasets import mnist1d as mnist1d_module

sklearn_datasets = pytest.importorskip("sklearn.datasets")


def test_digits():
    ds = Digits()
    assert ds.data.shape == (1797, 8, 8) and ds.data.dtype == np.float32
    assert ds.targets.dtype == np.int64 and np.bincount(ds.targets).min() >= 170
    reference = sklearn_datasets.load_digits()
    np.testing.assert_allclose(ds.data * 16, reference.images)
    image, label = ds[5]
    assert image.shape == (8, 8) and label == reference.target[5]
    x, y = next(iter(DataLoader(ds, batch_size=10)))
    assert x.shape == (10, 8, 8) and y.dtype == np.int64


def test_digits_without_sklearn_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"pip install neuronet\[sklearn\]"):
        Digits()


def test_mnist1d_paper_defaults_and_global_rng_untouched():
    pytest.importorskip("mnist1d")
    np.random.seed(123)
    random.seed(5)
    before = np.random.random(), random.random()
    np.random.seed(123)
    random.seed(5)
    mnist1d_module._generate.cache_clear()
    train, test = MNIST1D(train=True), MNIST1D(train=False)
    assert (np.random.random(), random.random()) == before
    assert train.data.shape == (4000, 40) and test.data.shape == (1000, 40)
    assert train.data.dtype == np.float32 and train.targets.dtype == np.int64
    assert sorted(np.unique(train.targets)) == list(range(10))
    assert np.bincount(np.concatenate([train.targets, test.targets])).tolist() == [500] * 10
    both = np.concatenate([train.data, test.data])
    assert abs(both.mean()) < 1e-3 and abs(both.std() - 1) < 1e-3  # the paper's centring
    again = MNIST1D(train=True)  # generated from seed 42: the same every time
    np.testing.assert_array_equal(again.data, train.data)


def test_mnist1d_missing_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "mnist1d.data", None)
    mnist1d_module._generate.cache_clear()
    try:
        with pytest.raises(ImportError, match="pip install mnist1d"):
            MNIST1D()
    finally:
        mnist1d_module._generate.cache_clear()


def _rows(points):
    """Rows in a canonical order (rounded first: cos(a) and cos(-a) may differ in the last bit)."""
    points = np.round(points.astype(np.float64), 5)
    return points[np.lexsort(points.T[::-1])]


@pytest.mark.parametrize("ours, theirs, extra", [
    (moons, "make_moons", {}), (circles, "make_circles", {"factor": 0.5}),
])
@pytest.mark.parametrize("n", [7, 100])
def test_noise_free_shapes_equal_sklearn(ours, theirs, extra, n):
    x, y = ours(n, noise=0.0, generator=0)
    ref_x, ref_y = getattr(sklearn_datasets, theirs)(n, shuffle=False, **extra)
    assert x.dtype == np.float32 and y.dtype == np.int64 and x.shape == (n, 2)
    for label in (0, 1):
        np.testing.assert_allclose(_rows(x[y == label]), _rows(ref_x[ref_y == label]),
                                   atol=1e-6)


def test_xor_labels_follow_the_quadrants():
    x, y = xor(400, noise=0.2, generator=0)
    assert x.shape == (400, 2) and np.bincount(y).tolist() == [200, 200]
    agree = (np.sign(x[:, 0]) != np.sign(x[:, 1])).astype(np.int64) == y
    assert agree.mean() > 0.95  # only points pushed across an axis by the noise disagree
    clean_x, clean_y = xor(8, noise=0.0, generator=0)
    assert np.array_equal((clean_x[:, 0] * clean_x[:, 1] < 0).astype(np.int64), clean_y)


def test_spiral_arms():
    x, y = spiral(300, n_classes=3, noise=0.0, generator=0)
    assert x.shape == (300, 2) and np.bincount(y).tolist() == [100] * 3
    radius = np.hypot(x[:, 0], x[:, 1])
    assert radius.max() <= 1 + 1e-6 and radius.min() == 0
    for cls in range(3):  # each arm turns by its class's 4 radians: angle = 4 c + 4 r
        arm = x[(y == cls) & (radius > 0.05)]
        r = np.hypot(arm[:, 0], arm[:, 1])
        angle = np.arctan2(arm[:, 0], arm[:, 1])
        expected = cls * 4.0 + 4.0 * r
        np.testing.assert_allclose(np.cos(angle), np.cos(expected), atol=1e-4)


def test_blobs_counts_and_centres():
    centers = np.array([[0.0, 0.0], [10.0, 10.0], [-10.0, 5.0]])
    x, y = blobs(301, centers=centers, cluster_std=0.5, generator=0)
    assert np.bincount(y).tolist() == [101, 100, 100]
    for k in range(3):
        np.testing.assert_allclose(x[y == k].mean(axis=0), centers[k], atol=0.15)
        np.testing.assert_allclose(x[y == k].std(axis=0), 0.5, atol=0.1)
    x, y = blobs(50, centers=4, generator=1)
    assert len(np.unique(y)) == 4 and np.abs(x).max() < 15


@pytest.mark.parametrize("make", [xor, spiral, moons, circles, blobs])
def test_seeded_and_reproducible(make):
    a, b, c = make(generator=3), make(generator=3), make(generator=4)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])


def test_toy_errors():
    with pytest.raises(ValueError, match="moons: n_samples must be an integer >= 2"):
        moons(1)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        xor(noise=-1)
    with pytest.raises(ValueError, match=r"factor must be in \(0, 1\)"):
        circles(factor=1.5)
    with pytest.raises(ValueError, match=r"centers must be a count or a \(K, 2\) array"):
        blobs(centers=np.zeros((2, 3)))
