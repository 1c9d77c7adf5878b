"""Transforms: values against hand computation (and torchvision's rules), errors."""

import numpy as np
import pytest

import neuronet
from neuronet.data import ArrayDataset
from neuronet.data.transforms import (
    Compose,
    Flatten,
    Lambda,
    Normalize,
    OneHot,
    Standardize,
    ToTensor,
)


def test_to_tensor_grey_and_color_uint8():
    grey = np.array([[0, 51], [255, 102]], np.uint8)
    t = ToTensor()(grey)
    assert isinstance(t, neuronet.Tensor) and t.shape == (1, 2, 2) and t.dtype == np.float32
    np.testing.assert_allclose(t.data[0], [[0.0, 0.2], [1.0, 0.4]], rtol=1e-7)
    color = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3)  # H=2, W=3, C=3
    t = ToTensor()(color)
    assert t.shape == (3, 2, 3)
    np.testing.assert_allclose(t.data[1], color[:, :, 1] / 255.0, rtol=1e-6)
    assert t.data.flags["C_CONTIGUOUS"]


def test_to_tensor_keeps_float_values():
    image = np.full((2, 2), 3.5, np.float64)
    t = ToTensor()(image)
    assert t.dtype == np.float64 and t.shape == (1, 2, 2) and t.data.max() == 3.5


def test_to_tensor_rejects_wrong_rank():
    with pytest.raises(ValueError, match=r"ToTensor: expected an image \(H, W\) or \(H, W, C\)"):
        ToTensor()(np.zeros(5, np.uint8))


def test_normalize_per_channel():
    x = np.arange(12, dtype=np.float32).reshape(3, 2, 2)
    out = Normalize((1.0, 2.0, 3.0), (2.0, 4.0, 0.5))(x)
    assert isinstance(out, np.ndarray) and out.dtype == np.float32
    np.testing.assert_allclose(out[0], (x[0] - 1) / 2)
    np.testing.assert_allclose(out[1], (x[1] - 2) / 4)
    np.testing.assert_allclose(out[2], (x[2] - 3) / 0.5)
    batch = neuronet.tensor(np.stack([x, x]))  # (N, C, H, W) works too, and stays a Tensor
    out = Normalize((1.0, 2.0, 3.0), (2.0, 4.0, 0.5))(batch)
    assert isinstance(out, neuronet.Tensor) and out.shape == (2, 3, 2, 2)
    np.testing.assert_allclose(out.data[1, 2], (x[2] - 3) / 0.5)


def test_normalize_errors():
    with pytest.raises(ValueError, match="std must not contain zeros"):
        Normalize((0.5,), (0.0,))
    with pytest.raises(ValueError, match="2 means but 1 stds"):
        Normalize((0.5, 0.5), (1.0,))
    with pytest.raises(ValueError, match=r"with C = 3, got shape \(2, 4, 4\)"):
        Normalize((0, 0, 0), (1, 1, 1))(np.zeros((2, 4, 4), np.float32))


def test_standardize_fits_on_training_data_only():
    rng = np.random.default_rng(0)
    train = rng.normal(3.0, 2.0, size=(100, 4)).astype(np.float32)
    train[:, 3] = 5.0  # a constant feature: only centred (scale 1), as scikit-learn does
    test = rng.normal(size=(7, 4)).astype(np.float32)
    standardize = Standardize().fit(train)
    mean = train.astype(np.float64).mean(axis=0)
    std = train.astype(np.float64).std(axis=0)
    std[3] = 1.0
    out = standardize(test)
    assert out.dtype == np.float32
    np.testing.assert_allclose(out, (test - mean) / std, rtol=1e-5, atol=1e-6)
    sample = standardize(neuronet.tensor(test[0]))  # one sample (4,) also works
    np.testing.assert_allclose(sample.data, out[0], rtol=1e-6)
    np.testing.assert_allclose(standardize(train)[:, :3].mean(axis=0), 0, atol=1e-5)


def test_standardize_errors():
    with pytest.raises(RuntimeError, match="not fitted; call fit"):
        Standardize()(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"fitted on features of shape \(3,\)"):
        Standardize().fit(np.ones((4, 3)))(np.ones((4, 5)))
    with pytest.raises(ValueError, match="N >= 1"):
        Standardize().fit(np.zeros((0, 3)))


def test_flatten():
    x = np.arange(24).reshape(2, 3, 4)
    assert Flatten()(x).shape == (24,)
    assert Flatten(start_dim=1)(x).shape == (2, 12)
    assert Flatten(0, 1)(x).shape == (6, 4)
    np.testing.assert_array_equal(Flatten()(neuronet.tensor(x)).data, x.reshape(-1))
    with pytest.raises(ValueError, match="start_dim 2 is after end_dim 1"):
        Flatten(2, 1)(x)


def test_one_hot():
    out = OneHot(4)(2)
    assert out.dtype == np.float32 and out.data.tolist() == [0, 0, 1, 0]
    many = OneHot(3, dtype="int64")(np.array([2, 0]))
    assert many.dtype == np.int64 and many.data.tolist() == [[0, 0, 1], [1, 0, 0]]
    with pytest.raises(ValueError, match=r"labels must be in \[0, 3\), got values from 0 to 3"):
        OneHot(3)(np.array([0, 3]))
    with pytest.raises(TypeError, match="labels must be integers"):
        OneHot(3)(1.0)
    with pytest.raises(ValueError, match="num_classes must be a positive integer"):
        OneHot(0)


def test_compose_lambda_in_a_dataset():
    images = np.array([[[0, 255], [255, 0]]], np.uint8)
    pipeline = Compose([ToTensor(), Normalize((0.5,), (0.5,)), Flatten(), Lambda(lambda t: t * 2)])
    ds = ArrayDataset(images, np.array([1]), transform=pipeline, target_transform=OneHot(2))
    x, y = ds[0]
    np.testing.assert_allclose(x.data, [-2.0, 2.0, 2.0, -2.0])
    assert y.data.tolist() == [0, 1]
    with pytest.raises(TypeError, match="every transform must be callable"):
        Compose([ToTensor(), 3])
    with pytest.raises(TypeError, match="Lambda: expected a callable"):
        Lambda(None)
