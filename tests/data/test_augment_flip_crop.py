"""RandomHorizontalFlip, RandomVerticalFlip, RandomCrop, RandomShift: exact results, the
statistics of their random choices, reproducibility and bad input."""

import numpy as np
import pytest

import neuronet
from error_text import assert_raises_with
from neuronet.data.transforms import (
    RandomCrop,
    RandomHorizontalFlip,
    RandomShift,
    RandomVerticalFlip,
)


@pytest.fixture
def images(rng):
    """A batch (N, C, H, W) of distinct values: any rearrangement shows."""
    return rng.permutation(500 * 3 * 6 * 7).reshape(500, 3, 6, 7).astype(np.float32)


@pytest.mark.parametrize("flip, reverse", [(RandomHorizontalFlip, lambda x: x[..., ::-1]),
                                           (RandomVerticalFlip, lambda x: x[..., ::-1, :])])
def test_flip_is_an_exact_reversal_or_nothing(images, flip, reverse):
    out = flip(p=0.5, generator=0)(images)
    flipped = np.array([np.array_equal(o, reverse(x)) for o, x in zip(out, images)])
    kept = np.array([np.array_equal(o, x) for o, x in zip(out, images)])
    assert np.all(flipped ^ kept)  # each image exactly one of the two
    # 500 fair coins: 250 +- 4.5 standard deviations
    assert 180 < flipped.sum() < 320
    np.testing.assert_array_equal(flip(p=1.0)(images), reverse(images))
    np.testing.assert_array_equal(flip(p=0.0)(images), images)


def test_flip_frequency_follows_p(images):
    out = RandomHorizontalFlip(p=0.2, generator=1)(images)
    flipped = np.mean([not np.array_equal(o, x) for o, x in zip(out, images)])
    assert 0.2 - 0.08 < flipped < 0.2 + 0.08  # 4.5 standard deviations of 500 draws


def test_single_image_and_tensor_in_same_kind_out(images):
    image = images[0]
    out = RandomHorizontalFlip(p=1.0)(image)
    assert isinstance(out, np.ndarray) and out.shape == image.shape
    tensor = neuronet.from_numpy(image)
    out = RandomVerticalFlip(p=1.0)(tensor)
    assert isinstance(out, neuronet.Tensor) and not out.requires_grad
    np.testing.assert_array_equal(out.numpy(), image[:, ::-1])
    np.testing.assert_array_equal(image, images[0])  # the input is not modified


def _window_positions(out, padded, size):
    """For each output image: the (top, left) of the window of its padded image it equals."""
    h, w = size
    positions = []
    for o, p in zip(out, padded):
        hits = [(i, j) for i in range(p.shape[1] - h + 1) for j in range(p.shape[2] - w + 1)
                if np.array_equal(o, p[:, i:i + h, j:j + w])]
        assert hits, "the crop is not a window of the padded image"
        positions.append(hits[0])
    return positions


def test_crop_with_padding_is_an_exact_window_of_the_padded_image(images):
    out = RandomCrop((5, 4), padding=2, fill=-1.0, generator=3)(images)
    assert out.shape == (500, 3, 5, 4) and out.dtype == images.dtype
    padded = np.pad(images, ((0, 0), (0, 0), (2, 2), (2, 2)), constant_values=-1.0)
    positions = _window_positions(out, padded, (5, 4))
    # every one of the (10 - 5 + 1) x (11 - 4 + 1) = 48 positions is drawn, about equally
    counts = np.zeros((6, 8))
    for i, j in positions:
        counts[i, j] += 1
    assert counts.min() >= 1 and counts.max() <= 30  # mean 10.4


@pytest.mark.parametrize("mode, numpy_mode", [("edge", "edge"), ("reflect", "reflect"),
                                              ("symmetric", "symmetric")])
def test_crop_padding_modes(images, mode, numpy_mode):
    out = RandomCrop(6, padding=(1, 3, 2, 0), padding_mode=mode, generator=4)(images[:40])
    # (left, top, right, bottom) as torchvision
    padded = np.pad(images[:40], ((0, 0), (0, 0), (3, 0), (1, 2)), mode=numpy_mode)
    assert out.shape == (40, 3, 6, 6)
    _window_positions(out, padded, (6, 6))


def test_crop_padding_pair_is_left_right_then_top_bottom(images):
    crop = RandomCrop((6, 7), padding=(2, 1))
    assert crop.padding == (2, 1, 2, 1)
    out = crop(images[:30])
    _window_positions(out, np.pad(images[:30], ((0, 0), (0, 0), (1, 1), (2, 2))), (6, 7))


def test_crop_to_the_full_size_without_padding_is_the_identity(images):
    np.testing.assert_array_equal(RandomCrop((6, 7))(images), images)


def test_shift_moves_the_content_by_up_to_k_pixels(images):
    k = 2
    out = RandomShift(k, generator=5)(images)
    assert out.shape == images.shape
    padded = np.pad(images, ((0, 0), (0, 0), (k, k), (k, k)))
    shifts = {(k - i, k - j) for i, j in _window_positions(out, padded, (6, 7))}
    assert shifts == {(dy, dx) for dy in range(-k, k + 1) for dx in range(-k, k + 1)}
    np.testing.assert_array_equal(RandomShift(0)(images), images)


def test_uint8_images_stay_uint8(images):
    as_uint8 = (images % 256).astype(np.uint8)
    for t in (RandomCrop(4, padding=1, fill=255), RandomShift(1), RandomHorizontalFlip()):
        assert t(as_uint8).dtype == np.uint8


def test_same_seed_same_result_and_the_global_generator(images):
    a = RandomCrop(4, padding=2, generator=7)
    first, second = a(images), a(images)
    assert not np.array_equal(first, second)  # the seed starts a stream; calls move along it
    np.testing.assert_array_equal(RandomCrop(4, padding=2, generator=7)(images), first)
    neuronet.manual_seed(11)
    first = RandomShift(2)(images)
    neuronet.manual_seed(11)
    np.testing.assert_array_equal(RandomShift(2)(images), first)


@pytest.mark.parametrize("make, fragments", [
    (lambda: RandomHorizontalFlip(p=1.5), ["RandomHorizontalFlip", "p", "[0, 1]", "1.5"]),
    (lambda: RandomVerticalFlip(p="half"), ["RandomVerticalFlip", "'half'"]),
    (lambda: RandomCrop(0), ["RandomCrop", "size", ">= 1", "0"]),
    (lambda: RandomCrop((3, 4, 5)), ["RandomCrop", "size", "(3, 4, 5)"]),
    (lambda: RandomCrop(3, padding=-1), ["RandomCrop", "padding", ">= 0", "-1"]),
    (lambda: RandomCrop(3, padding=(1, 2, 3)), ["padding", "2 or 4"]),
    (lambda: RandomCrop(3, padding_mode="wrap"), ["padding_mode 'wrap'", "constant, edge"]),
    (lambda: RandomCrop(3, fill="black"), ["fill must be a number", "'black'"]),
    (lambda: RandomShift(-2), ["RandomShift", "max_shift", "-2"]),
    (lambda: RandomShift(1.5), ["RandomShift", "max_shift", "1.5"]),
])
def test_bad_arguments(make, fragments):
    assert_raises_with(ValueError, make, *fragments)


def test_bad_inputs(images):
    with pytest.raises(ValueError, match=r"RandomCrop: crop size \(9, 9\) is larger than the "
                                         r"\(padded\) image \(8, 9\)"):
        RandomCrop(9, padding=1)(images)
    with pytest.raises(ValueError, match=r"RandomHorizontalFlip: expected an image \(C, H, W\) "
                                         r"or a batch \(N, C, H, W\), got shape \(6, 7\)"):
        RandomHorizontalFlip()(images[0, 0])
    with pytest.raises(TypeError, match="generator must be a numpy.random.Generator"):
        RandomShift(1, generator="seed")
