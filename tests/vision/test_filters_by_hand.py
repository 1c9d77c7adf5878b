"""Small images whose filtered values are worked out by hand, and the promises about dtype,
layout and range."""

import numpy as np
import pytest

from neuronet.vision import (
    apply_filter,
    box_blur,
    emboss,
    filter_names,
    gaussian_blur,
    laplacian,
    median,
    sharpen,
    sobel,
    sobel_x,
    sobel_y,
    watercolor,
)


def impulse(value=9, size=5, dtype=np.uint8):
    image = np.zeros((size, size), dtype)
    image[size // 2, size // 2] = value
    return image


def test_box_blur_spreads_an_impulse_evenly():
    out = box_blur(impulse(9), size=3, mode="constant")
    expected = np.zeros((5, 5), np.uint8)
    expected[1:4, 1:4] = 1  # 9 / 9 on the 3 x 3 window around the bright pixel
    np.testing.assert_array_equal(out, expected)


def test_sobel_of_a_ramp():
    ramp = np.tile(np.arange(0, 50, 10, dtype=np.uint8), (4, 1))  # columns 0, 10, .., 40
    # inside: (1 + 2 + 1) * (right - left) = 4 * 20; at the ends the reflected neighbour is
    # the edge pixel itself: 4 * 10
    np.testing.assert_array_equal(sobel_x(ramp), np.tile([40, 80, 80, 80, 40], (4, 1)))
    np.testing.assert_array_equal(sobel_y(ramp), 0)
    np.testing.assert_array_equal(sobel(ramp), sobel_x(ramp))
    np.testing.assert_array_equal(sobel_y(ramp.T.copy()), sobel_x(ramp).T)


def test_sobel_magnitude_is_the_hypotenuse():
    # the corner of a bright square: the 3 x 3 window at (2, 2) sees 0.1 at weights 2 and 1
    # of both the x and the y kernel, so gx = gy = 0.3 and |g| = 0.3 * sqrt(2)
    image = np.zeros((5, 5))
    image[2:, 2:] = 0.1
    assert sobel_x(image)[2, 2] == pytest.approx(0.3)
    assert sobel_y(image)[2, 2] == pytest.approx(0.3)
    assert sobel(image)[2, 2] == pytest.approx(np.hypot(0.3, 0.3))


def test_laplacian_of_an_impulse():
    out = laplacian(impulse(10), mode="constant")
    expected = np.zeros((5, 5), np.uint8)
    expected[2, 2] = 40  # |-4 * 10|
    expected[1, 2] = expected[3, 2] = expected[2, 1] = expected[2, 3] = 10
    np.testing.assert_array_equal(out, expected)


def test_median_removes_a_speck_and_finds_the_middle_value():
    np.testing.assert_array_equal(median(impulse(255)), 0)
    counting = np.arange(25, dtype=np.uint8).reshape(5, 5)
    assert median(counting)[2, 2] == 12  # the window is the whole 0..24
    assert median(counting, size=3)[2, 2] == 12  # 6 7 8 11 12 13 16 17 18


def test_gaussian_blur_of_an_impulse_is_its_normalized_kernel():
    sigma = 0.8
    x = np.arange(-3, 4)  # radius int(4 * 0.8 + 0.5) = 3
    line = np.exp(-x ** 2 / (2 * sigma ** 2))
    expected = np.outer(line, line) / line.sum() ** 2
    out = gaussian_blur(impulse(1.0, size=7, dtype=np.float64), sigma=sigma, mode="constant")
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-15)
    small = gaussian_blur(impulse(1.0, size=7, dtype=np.float64), sigma=sigma, size=3,
                          mode="constant")
    assert np.count_nonzero(small) == 9 and small.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["box-blur", "gaussian-blur", "sharpen", "emboss", "median",
                                  "watercolor"])
def test_a_flat_image_stays_flat(name):
    # each of these kernels sums to 1 (the median of equal values is that value)
    for flat in (np.full((6, 7, 3), 77, np.uint8), np.full((6, 7), 0.3)):
        np.testing.assert_allclose(apply_filter(flat, name), flat, atol=1e-12)


@pytest.mark.parametrize("name", ["sobel-x", "sobel-y", "sobel", "laplacian"])
def test_edge_detectors_see_nothing_in_a_flat_image(name):
    np.testing.assert_array_equal(apply_filter(np.full((6, 7, 3), 77, np.uint8), name), 0)


def test_sharpen_step_is_clipped_not_wrapped():
    step = np.zeros((3, 4), np.uint8)
    step[:, 2:] = 255
    # column 1: 5 * 0 - 255 = -255 -> 0; column 2: 5 * 255 - 3 * 255 = 510 -> 255 (uint8
    # arithmetic would wrap both around)
    np.testing.assert_array_equal(sharpen(step), step)
    out = sharpen(step / 255.0, strength=0.25)
    np.testing.assert_allclose(out[:, 1:3], [[0, 1]] * 3)  # -0.25, 1.25 clipped
    np.testing.assert_array_equal(sharpen(step, strength=0.0), step)


def test_emboss_lights_edges_from_the_top_left():
    # a raised square (0.9) on grey (0.5): the weights sum to 1, so flat parts keep their
    # value; (2, 2), touching the square's top-left corner, sees it under the +2 weight:
    # 0.5 + 2 * 0.4 = 1.3 -> 1 (lit); (5, 5) sees it under the -2 weight: 0.5 - 0.8 -> 0
    # (shadow); inside, (3, 3) sees the square under 1 + 1 + 1 + 2: 0.5 + 5 * 0.4 -> 1
    image = np.full((8, 8), 0.5)
    image[3:5, 3:5] = 0.9
    out = emboss(image)
    assert out[0, 0] == pytest.approx(0.5) and out[7, 7] == pytest.approx(0.5)
    assert out[2, 2] == out[3, 3] == 1.0
    assert out[5, 5] == out[4, 4] == 0.0


def test_watercolor_is_the_median_then_sharpening():
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (9, 11, 3), dtype=np.uint8)
    np.testing.assert_array_equal(watercolor(image, size=3, strength=0.5),
                                  sharpen(median(image, size=3), strength=0.5))


@pytest.mark.parametrize("name", filter_names())
@pytest.mark.parametrize("dtype", [np.uint8, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(9, 10), (9, 10, 3)])
def test_same_shape_and_dtype_values_in_range_input_untouched(name, dtype, shape):
    rng = np.random.default_rng(1)
    noise = rng.uniform(0, 1, shape)
    image = (noise * 255).round().astype(np.uint8) if dtype == np.uint8 else noise.astype(dtype)
    before = image.copy()
    out = apply_filter(image, name)
    assert out.shape == image.shape and out.dtype == image.dtype
    high = 255 if dtype == np.uint8 else 1
    assert out.min() >= 0 and out.max() <= high
    np.testing.assert_array_equal(image, before)


def test_extremes_reach_the_ends_of_the_range():
    # noise through edge detectors saturates: the clip must land exactly on 0 and the top
    rng = np.random.default_rng(2)
    noise = rng.integers(0, 2, (16, 16)).astype(np.uint8) * 255
    out = apply_filter(noise, "laplacian")
    assert out.min() == 0 and out.max() == 255
    out = apply_filter(noise / 255.0, "laplacian")
    assert out.min() == 0 and out.max() == 1.0


def test_float_filters_are_uint8_filters_up_to_rounding():
    rng = np.random.default_rng(3)
    image = rng.integers(0, 256, (12, 13, 3), dtype=np.uint8)
    for name in filter_names():
        as_uint8 = apply_filter(image, name).astype(np.float64)
        as_float = apply_filter(image / 255.0, name) * 255
        assert np.abs(as_uint8 - as_float).max() <= 0.5 + 1e-9, name
