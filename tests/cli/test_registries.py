"""The model and dataset registries behind `--model` and `--dataset`, and `neuronet data`."""

import re

import numpy as np
import pytest

from neuronet.data.registry import dataset_names, get_dataset_spec
from neuronet.models.registry import (
    build_model,
    count_parameters,
    get_model_spec,
    model_config,
    model_names,
    register_model,
)


def test_mlp_adapts_to_the_input_and_classes():
    assert build_model("mlp").sizes == [784, 256, 128, 10]
    assert build_model("mlp", (1, 8, 8), 10).sizes == [64, 256, 128, 10]
    model = build_model("mlp", (40,), 3, hidden=[16], dropout=0.5)
    assert model.sizes == [40, 16, 3]
    assert count_parameters(model) == 40 * 16 + 16 + 16 * 3 + 3


def test_model_registry_errors():
    every_model = re.escape(", ".join(model_names()))
    with pytest.raises(ValueError, match=f"unknown model 'vgg'; the models are: {every_model}$"):
        build_model("vgg")
    with pytest.raises(ValueError, match="model 'mlp' has no option width; its options are: "
                                         "dropout, hidden"):
        model_config("mlp", width=3)
    with pytest.raises(ValueError, match="a model named 'mlp' is already registered"):
        register_model("mlp", lambda shape, classes: None)
    assert "mlp" in model_names() and get_model_spec("mlp").default_input == (1, 28, 28)


def test_dataset_registry_names_and_errors():
    assert {"fashion-mnist", "mnist", "digits", "mnist1d", "cifar10"} <= set(dataset_names())
    with pytest.raises(ValueError, match="unknown dataset 'svhn'; the datasets are: cifar10, "
                                         "digits, "):
        get_dataset_spec("svhn")
    with pytest.raises(ValueError, match="dataset 'digits': split must be 'train' or 'test', "
                                         "got 'val'"):
        get_dataset_spec("digits").load("val")


def test_digits_split_is_fixed_stratified_and_scaled():
    pytest.importorskip("sklearn")
    spec = get_dataset_spec("digits")
    (x_train, y_train), (x_test, y_test) = spec.load("train"), spec.load("test")
    assert x_train.shape == (1438, 1, 8, 8) and x_test.shape == (359, 1, 8, 8)
    assert x_train.dtype == np.float32 and y_train.dtype == np.int64
    assert 0 <= x_train.min() and x_train.max() == 1
    # the two parts are disjoint and together make the whole set
    rows = {row.tobytes() for row in x_train.reshape(len(x_train), -1)}
    assert sum(row.tobytes() in rows for row in x_test.reshape(len(x_test), -1)) < 5  # duplicates
    assert np.array_equal(np.bincount(y_train) + np.bincount(y_test), [178, 182, 177, 183, 181,
                                                                       182, 181, 179, 174, 180])
    np.testing.assert_array_equal(spec.load("test")[1], y_test)  # the same split every time


def test_fashion_mnist_spec():
    spec = get_dataset_spec("fashion-mnist")
    assert spec.input_shape == (1, 28, 28) and spec.classes[9] == "Ankle boot"
    if spec.locate() is None:
        pytest.skip("Fashion-MNIST is not on this machine")
    x, y = spec.load("test", download=False)
    assert x.shape == (10_000, 1, 28, 28) and x.dtype == np.float32
    assert x.min() == 0 and x.max() == 1
    assert np.array_equal(np.bincount(y), [1000] * 10)


def test_data_info_and_fetch(run_cli):
    pytest.importorskip("sklearn")
    status, out, _ = run_cli("data", "info", "digits")
    assert status == 0
    assert "input shape: (1, 8, 8), 10 classes" in out
    assert out.rstrip().splitlines()[-1].split() == ["total", "1,438", "359"]
    status, out, _ = run_cli("data", "fetch", "digits")
    assert status == 0 and "digits: 1,438 train and 359 test samples" in out
