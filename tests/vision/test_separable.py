"""The fast separable path (two 1-D passes of banded products) against the reference 2-D path
(conv2d with the outer-product kernel), and the banded pass against a direct sum."""

import numpy as np
import pytest

from neuronet import parallel
from neuronet.vision import BORDER_MODES, box_blur, gaussian_blur, sobel_x, sobel_y
from neuronet.vision.banded import band, correlate1d_valid
from neuronet.vision.correlate import correlate_planes, correlate_separable_planes
from neuronet.vision.filters import SOBEL_X, SOBEL_Y, gaussian_kernel1d
from neuronet.vision.image import from_planes, to_planes


def direct_valid(x, weights, axis):
    """sum_k weights[k] * x[..., i + k, ...] along axis, one shifted slice per weight."""
    length = x.shape[axis] - len(weights) + 1
    return sum(w * np.take(x, np.arange(k, k + length), axis=axis)
               for k, w in enumerate(weights))


def test_band_holds_the_weights_on_its_diagonals():
    matrix = band([1.0, 2.0, 3.0], 4, np.float64)
    assert matrix.shape == (6, 4)
    for j in range(4):
        np.testing.assert_array_equal(matrix[:, j], np.r_[np.zeros(j), 1, 2, 3, np.zeros(3 - j)])


@pytest.mark.parametrize("axis", [-1, -2])
@pytest.mark.parametrize("taps", [1, 2, 5, 17, 40])
@pytest.mark.parametrize("length", [1, 31, 32, 33, 100])
def test_banded_pass_is_the_direct_sum(rng, axis, taps, length):
    # lengths around the 32-output block, and taps longer than a block (the block grows)
    shape = [2, length + taps - 1, length + taps - 1]
    x = rng.normal(size=shape)
    weights = rng.normal(size=taps)
    ours = correlate1d_valid(x, weights, axis)
    assert ours.dtype == np.float64
    np.testing.assert_allclose(ours, direct_valid(x, weights, axis), rtol=1e-12, atol=1e-12)


def test_banded_pass_keeps_float32(rng):
    x = rng.uniform(0, 255, (3, 40, 50)).astype(np.float32)
    ours = correlate1d_valid(x, gaussian_kernel1d(2.0), -1)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, direct_valid(x.astype(np.float64), gaussian_kernel1d(2.0),
                                                  -1), rtol=1e-5, atol=1e-3)


def test_banded_pass_rejects_other_axes(rng):
    with pytest.raises(ValueError, match="axis must be -1 or -2"):
        correlate1d_valid(rng.normal(size=(3, 4, 5)), [1.0], 0)


@pytest.mark.parametrize("mode", list(BORDER_MODES))
@pytest.mark.parametrize("shape", [(1, 37, 52), (3, 36, 53), (3, 5, 4), (1, 2, 3)])
@pytest.mark.parametrize("sides", [(3, 3), (5, 9), (1, 7), (17, 17)])
def test_separable_path_is_the_reference_path(rng, mode, shape, sides):
    # odd and even image sides, grey and RGB planes, images smaller than the kernel,
    # a column and a row of different lengths and values (a swap of axes shows)
    column, row = rng.normal(size=sides[0]), rng.normal(size=sides[1])
    planes = rng.uniform(0, 1, shape)
    ours = correlate_separable_planes(planes, column, row, mode, "test")
    reference = correlate_planes(planes, np.outer(column, row), mode, "test")
    np.testing.assert_allclose(ours, reference, rtol=1e-12, atol=1e-13)


def reference_filter(image, kernel, mode):
    """The filter run through the reference 2-D path: what the filters gave before the
    separable path."""
    return from_planes(correlate_planes(to_planes(image), kernel, mode, "test"), image)


def as_kind(image, dtype):
    return image if dtype == np.uint8 else (image / 255).astype(dtype)


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("mode", list(BORDER_MODES))
@pytest.mark.parametrize("layout", ["grey", "rgb"])
def test_blurs_and_sobel_equal_the_reference_filters(photo, dtype, mode, layout):
    image = as_kind(photo("china", f"{layout}-uint8")[:47, :61], dtype)  # odd sides
    gaussian = gaussian_kernel1d(1.5)
    cases = [(box_blur(image, 5, mode=mode), np.full((5, 5), 1 / 25)),
             (gaussian_blur(image, 1.5, mode=mode), np.outer(gaussian, gaussian))]
    for ours, kernel in cases:
        reference = reference_filter(image, kernel, mode)
        assert ours.dtype == reference.dtype and ours.shape == reference.shape
        assert ours.flags.c_contiguous
        diff = np.abs(ours.astype(np.float64) - reference.astype(np.float64))
        if dtype == np.uint8:  # float32 sums in another order may round a .5 the other way
            assert diff.max() <= 1 and np.mean(diff > 0) < 1e-3
        else:
            assert diff.max() <= (1e-12 if dtype == np.float64 else 1e-6), diff.max()
    for ours, kernel in [(sobel_x(image, mode=mode), SOBEL_X),
                         (sobel_y(image, mode=mode), SOBEL_Y)]:
        planes = np.abs(correlate_planes(to_planes(image), kernel, mode, "test"))
        reference = from_planes(planes, image)
        # Sobel sums of integers are exact in float32: uint8 results are identical
        tolerance = {np.uint8: 0, np.float32: 1e-6, np.float64: 1e-12}[dtype]
        assert np.abs(ours.astype(np.float64) - reference.astype(np.float64)).max() <= tolerance


def test_result_does_not_depend_on_the_thread_count(photo):
    image = photo("flower", "rgb-float32")
    results = []
    saved = parallel.get_num_threads()
    try:
        for threads in (1, 2):
            parallel.set_num_threads(threads)
            results.append(gaussian_blur(image, 2.0))
    finally:
        parallel.set_num_threads(saved)
    np.testing.assert_array_equal(results[0], results[1])


@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("layout", ["grey", "rgb"])
def test_from_planes_rounds_clips_and_interleaves(rng, dtype, layout):
    high = 255 if dtype == np.uint8 else 1
    like = np.zeros((4, 5, 3) if layout == "rgb" else (4, 5), dtype)
    planes = rng.uniform(-0.5 * high, 1.5 * high, (3 if layout == "rgb" else 1, 4, 5))
    expected = np.clip(np.rint(planes) if dtype == np.uint8 else planes, 0, high)
    expected = expected[0] if layout == "grey" else expected.transpose(1, 2, 0)
    image = from_planes(planes.copy(), like)
    assert image.dtype == dtype and image.shape == like.shape and image.flags.c_contiguous
    np.testing.assert_array_equal(image, expected.astype(dtype))
