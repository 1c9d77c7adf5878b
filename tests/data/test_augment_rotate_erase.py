"""rotate / RandomRotation against np.rot90 and scipy.ndimage.rotate, and RandomErasing's
rectangles: inside the image, of the requested area and shape, with probability p."""

import numpy as np
import pytest

from error_text import assert_raises_with
from neuronet.data.transforms import RandomErasing, RandomRotation, rotate

ndi = pytest.importorskip("scipy.ndimage")


@pytest.fixture
def batch(rng):
    return rng.uniform(0, 1, (4, 3, 9, 11))


def scipy_rotate(x, angle, order, fill):
    """scipy.ndimage.rotate of every plane of x (C, H, W), same size, fill outside."""
    return np.stack([ndi.rotate(p, angle, reshape=False, order=order, mode="grid-constant",
                                cval=fill) for p in x])


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_rotation_by_zero_is_the_identity(batch, interpolation):
    np.testing.assert_array_equal(rotate(batch, 0.0, interpolation), batch)
    np.testing.assert_array_equal(RandomRotation(0, interpolation)(batch), batch)


@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_multiples_of_90_degrees_are_rot90(rng, interpolation):
    square = rng.uniform(0, 1, (2, 3, 8, 8))
    for quarter_turns in (1, 2, 3, -1):
        expected = np.rot90(square, quarter_turns, axes=(2, 3))  # counter-clockwise
        np.testing.assert_array_equal(rotate(square, 90 * quarter_turns, interpolation),
                                      expected)


@pytest.mark.parametrize("interpolation, order", [("nearest", 0), ("bilinear", 1)])
@pytest.mark.parametrize("angle", [7.5, -20.0, 33.0, 135.0])
def test_matches_scipy_rotate(batch, interpolation, order, angle):
    ours = rotate(batch[0], angle, interpolation, fill=0.25)
    np.testing.assert_allclose(ours, scipy_rotate(batch[0], angle, order, 0.25), rtol=0,
                               atol=1e-12)


def test_each_image_of_a_batch_gets_its_own_angle(batch):
    angles = np.array([0.0, 10.0, -45.0, 90.0])
    out = rotate(batch, angles, "bilinear")
    for image, angle, result in zip(batch, angles, out):
        np.testing.assert_allclose(result, scipy_rotate(image, angle, 1, 0.0), atol=1e-12)


def test_uint8_images_are_rounded_back_to_uint8(rng):
    image = rng.integers(0, 256, (1, 10, 10), dtype=np.uint8)
    out = rotate(image, 17.0, "bilinear")
    assert out.dtype == np.uint8
    expected = np.rint(scipy_rotate(image.astype(np.float64), 17.0, 1, 0.0))
    assert np.abs(out.astype(int) - expected).max() <= 1  # float32 vs float64 at .5


def test_random_angles_are_uniform_in_the_range(rng):
    # a bright 3 x 3 spot at (row 10, centre column) of a 101 x 101 image turns about the
    # centre (50, 50): the angle of where it lands is the angle drawn
    image = np.zeros((200, 1, 101, 101))
    image[:, 0, 9:12, 49:52] = 1.0
    out = RandomRotation((-30, 60), generator=0)(image)
    where, rows, cols = np.nonzero(out[:, 0] == 1.0)
    # nearest sampling may drop or repeat pixels of the spot: take their mean position
    count = np.bincount(where, minlength=200)
    assert count.min() >= 1
    rows, cols = np.bincount(where, rows) / count, np.bincount(where, cols) / count
    angles = np.degrees(np.arctan2(-(cols - 50.0), -(rows - 50.0)))  # counter-clockwise
    # a pixel at radius 40 is 1.4 degrees
    assert -31.5 < angles.min() < -25 and 55 < angles.max() < 61.5
    counts, _ = np.histogram(angles, bins=3, range=(-30, 60))
    assert counts.min() > 40  # 3 bins of about 67


def test_erased_boxes_lie_inside_with_the_requested_area_and_ratio(rng):
    erase = RandomErasing(p=1.0, scale=(0.1, 0.3), ratio=(0.5, 2.0), value=-1.0, generator=1)
    images = rng.uniform(0, 1, (300, 2, 20, 30))
    out = erase(images)
    for before, after in zip(images, out):
        erased = np.all(after == -1.0, axis=0)
        np.testing.assert_array_equal(after[:, ~erased], before[:, ~erased])
        rows, cols = np.nonzero(erased)
        h, w = rows.max() - rows.min() + 1, cols.max() - cols.min() + 1
        assert erased.sum() == h * w  # one rectangle
        assert 0.1 * 600 - 30 <= h * w <= 0.3 * 600 + 30  # rounding of h and w
        assert 0.5 / 1.3 <= h / w <= 2.0 * 1.3


def test_erasing_probability_and_per_channel_value(rng):
    images = rng.uniform(0, 1, (400, 3, 16, 16))
    out = RandomErasing(p=0.3, value=(7.0, 8.0, 9.0), generator=2)(images)
    changed = np.array([not np.array_equal(a, b) for a, b in zip(out, images)])
    assert 0.3 - 0.1 < changed.mean() < 0.3 + 0.1
    for after, before in zip(out[changed], images[changed]):
        box = np.any(after != before, axis=0)
        for channel, value in enumerate((7.0, 8.0, 9.0)):
            assert np.all(after[channel][box] == value)


def test_no_rectangle_fits_leaves_the_image_alone(rng):
    # a 1-pixel-high image cannot hold a rectangle of height < 1: every try fails
    images = rng.uniform(0, 1, (20, 1, 1, 50))
    np.testing.assert_array_equal(RandomErasing(p=1.0)(images), images)


@pytest.mark.parametrize("make, fragments", [
    (lambda: RandomRotation(-5), ["RandomRotation", "degrees", "-5"]),
    (lambda: RandomRotation((10, -10)), ["low <= high", "(10, -10)"]),
    (lambda: RandomRotation(float("nan")), ["degrees", "nan"]),
    (lambda: RandomRotation(10, interpolation="bicubic"), ["'bicubic'", "nearest, bilinear"]),
    (lambda: RandomRotation(10, fill=None), ["fill must be a number"]),
    (lambda: RandomErasing(p=-0.1), ["RandomErasing", "p", "-0.1"]),
    (lambda: RandomErasing(scale=(0.0, 0.5)), ["scale", "0 < low <= high <= 1"]),
    (lambda: RandomErasing(scale=(0.5, 0.2)), ["scale", "(0.5, 0.2)"]),
    (lambda: RandomErasing(ratio=(1, -2)), ["ratio"]),
    (lambda: RandomErasing(value="random"), ["value must be a number", "'random'"]),
    (lambda: RandomErasing(value=[[1.0]]), ["value"]),
])
def test_bad_arguments(make, fragments):
    assert_raises_with(ValueError, make, *fragments)


def test_bad_inputs(batch):
    with pytest.raises(ValueError, match="RandomErasing: 2 values for images with 3 channels"):
        RandomErasing(p=1.0, value=(1.0, 2.0))(batch)
    with pytest.raises(ValueError, match="rotate: unknown interpolation 'cubic'"):
        rotate(batch, 10, "cubic")
    with pytest.raises(ValueError, match=r"rotate: expected an image \(C, H, W\) or a batch"):
        rotate(batch[0, 0], 10)
    with pytest.raises(ValueError, match="rotate: angles must be finite"):
        rotate(batch, np.inf)
    with pytest.raises(ValueError, match="broadcast|shape"):
        rotate(batch, [1.0, 2.0])
