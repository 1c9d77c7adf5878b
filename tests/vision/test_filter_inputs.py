"""Bad images, options and names: each refused with an error naming the filter, what it
expected and what it got."""

import numpy as np
import pytest

from error_text import assert_raises_with
from neuronet.vision import (
    apply_filter,
    box_blur,
    correlate,
    describe_filter,
    filter_names,
    filter_options,
    gaussian_blur,
    median,
    sharpen,
    watercolor,
)

GOOD = np.zeros((6, 6, 3), np.uint8)


@pytest.mark.parametrize("image, error, fragments", [
    ([[0, 1], [1, 0]], TypeError, ["numpy array", "got list"]),
    (np.zeros((6, 6, 4), np.uint8), ValueError, ["(H, W) or RGB (H, W, 3)", "(6, 6, 4)"]),
    (np.zeros((2, 6, 6, 3), np.uint8), ValueError, ["(2, 6, 6, 3)"]),
    (np.zeros(6, np.uint8), ValueError, ["got shape (6,)"]),
    (np.zeros((0, 6), np.uint8), ValueError, ["empty", "(0, 6)"]),
    (np.zeros((6, 6), np.int32), TypeError, ["uint8", "float", "int32"]),
    (np.zeros((6, 6), bool), TypeError, ["bool"]),
    (np.full((6, 6), np.nan), ValueError, ["NaN"]),
    (np.full((6, 6), np.inf, np.float32), ValueError, ["infinite"]),
    (np.full((6, 6), 200.0), ValueError, ["[0, 1]", "[200, 200]", "divide by 255"]),
    (np.full((6, 6), -0.5), ValueError, ["[0, 1]", "-0.5"]),
])
def test_bad_images(image, error, fragments):
    assert_raises_with(error, lambda: box_blur(image), "box_blur", *fragments)


@pytest.mark.parametrize("call, fragments", [
    (lambda: box_blur(GOOD, size=4), ["box_blur", "size", "odd", "4"]),
    (lambda: box_blur(GOOD, size=0), ["box_blur", "size", "0"]),
    (lambda: box_blur(GOOD, size=3.0), ["box_blur", "size", "3.0"]),
    (lambda: median(GOOD, size=True), ["median", "size", "True"]),
    (lambda: watercolor(GOOD, size=-5), ["watercolor", "size", "-5"]),
    (lambda: gaussian_blur(GOOD, sigma=0), ["gaussian_blur", "sigma", "> 0", "0"]),
    (lambda: gaussian_blur(GOOD, sigma=float("nan")), ["gaussian_blur", "sigma", "nan"]),
    (lambda: gaussian_blur(GOOD, sigma=1.0, size=6), ["gaussian_blur", "size", "6"]),
    (lambda: sharpen(GOOD, strength=-1), ["sharpen", "strength", ">= 0", "-1"]),
    (lambda: box_blur(GOOD, mode="edge"), ["box_blur", "border mode 'edge'", "reflect, mirror"]),
    (lambda: median(GOOD, mode="symmetric"), ["median", "'symmetric'", "nearest, wrap"]),
    (lambda: correlate(GOOD, np.ones((2, 3))), ["correlate", "kernel height", "2"]),
    (lambda: correlate(GOOD, np.ones(3)), ["correlate", "2-D", "(3,)"]),
    (lambda: correlate(GOOD, [[1, np.nan, 1]]), ["correlate", "NaN"]),
    (lambda: correlate(GOOD, [["a"]]), ["correlate", "numeric", "<U1"]),
])
def test_bad_options(call, fragments):
    assert_raises_with(ValueError, call, *fragments)


def test_sigma_must_be_a_number():
    with pytest.raises(TypeError, match="gaussian_blur: sigma must be a number, got '2'"):
        gaussian_blur(GOOD, sigma="2")


def test_unknown_filter_lists_the_names():
    with pytest.raises(ValueError) as caught:
        apply_filter(GOOD, "blur")
    assert "unknown filter 'blur'" in str(caught.value)
    assert ", ".join(filter_names()) in str(caught.value)


def test_unknown_option_lists_the_filters_options():
    with pytest.raises(TypeError, match=r"filter 'emboss' has no option 'sigma'; its options "
                                        r"are: mode"):
        apply_filter(GOOD, "emboss", sigma=2.0)
    with pytest.raises(TypeError, match="'radius', 'sigmas'; its options are: sigma, size, mode"):
        apply_filter(GOOD, "gaussian-blur", sigmas=2.0, radius=1)


def test_registry_names_options_and_descriptions():
    assert set(filter_names()) == {"box-blur", "gaussian-blur", "sharpen", "emboss", "sobel-x",
                                   "sobel-y", "sobel", "laplacian", "median", "watercolor"}
    assert filter_options("watercolor") == {"size": 5, "strength": 1.0, "mode": "reflect"}
    assert filter_options("gaussian-blur") == {"sigma": 1.0, "size": None, "mode": "reflect"}
    for name in filter_names():
        assert describe_filter(name) and "\n" not in describe_filter(name)
    options = {"sigma": 2.0, "size": 5, "mode": "wrap"}
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (7, 9, 3), dtype=np.uint8)
    np.testing.assert_array_equal(apply_filter(image, "gaussian-blur", **options),
                                  gaussian_blur(image, **options))
