"""The filters against scipy.ndimage on crops of real photographs, in every layout, dtype and
border mode: scipy runs in float64 on each colour plane, then its result is clipped (and, for
uint8, rounded) the way the filters promise."""

import numpy as np
import pytest

from neuronet.vision import BORDER_MODES, apply_filter, correlate

ndi = pytest.importorskip("scipy.ndimage")

SHARPEN_HALF = [[0, -0.5, 0], [-0.5, 3, -0.5], [0, -0.5, 0]]  # identity - 0.5 * Laplacian
SHARPEN = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
EMBOSS = [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]

# filter name -> (options, scipy's version on one float64 plane with border mode m)
REFERENCES = {
    "box-blur": ({"size": 5}, lambda p, m: ndi.uniform_filter(p, 5, mode=m)),
    "gaussian-blur": ({"sigma": 1.5}, lambda p, m: ndi.gaussian_filter(p, 1.5, mode=m)),
    "sharpen": ({"strength": 0.5}, lambda p, m: ndi.correlate(p, SHARPEN_HALF, mode=m)),
    "emboss": ({}, lambda p, m: ndi.correlate(p, EMBOSS, mode=m)),
    "sobel-x": ({}, lambda p, m: np.abs(ndi.sobel(p, axis=1, mode=m))),
    "sobel-y": ({}, lambda p, m: np.abs(ndi.sobel(p, axis=0, mode=m))),
    "sobel": ({}, lambda p, m: np.hypot(ndi.sobel(p, axis=0, mode=m),
                                        ndi.sobel(p, axis=1, mode=m))),
    "laplacian": ({}, lambda p, m: np.abs(ndi.laplace(p, mode=m))),
    "median": ({}, lambda p, m: ndi.median_filter(p, size=5, mode=m)),
    "watercolor": ({}, lambda p, m: ndi.correlate(ndi.median_filter(p, size=5, mode=m),
                                                  SHARPEN, mode=m)),
}
KINDS = ["rgb-uint8", "grey-uint8", "rgb-float64", "grey-float64", "rgb-float32"]


def scipy_filtered(image, plane_filter, mode):
    """plane_filter run by scipy on each plane in float64, clipped (and rounded) to the
    image's range and dtype."""
    planes = image.astype(np.float64).reshape(*image.shape[:2], -1)
    out = np.stack([plane_filter(planes[..., c], mode) for c in range(planes.shape[2])], axis=2)
    out = out.reshape(image.shape)
    if image.dtype == np.uint8:
        return np.clip(np.rint(out), 0, 255).astype(np.uint8)
    return np.clip(out, 0, 1).astype(image.dtype)


def assert_matches_scipy(ours, theirs):
    assert ours.dtype == theirs.dtype and ours.shape == theirs.shape
    diff = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
    if ours.dtype == np.uint8:
        # float32 sums vs scipy's float64 may round a value within ~1e-5 of .5 the other way
        assert diff.max() <= 1 and np.mean(diff > 0) < 1e-3, (diff.max(), np.mean(diff > 0))
    else:
        tolerance = 1e-12 if ours.dtype == np.float64 else 1e-5
        assert diff.max() <= tolerance, f"max abs difference to scipy {diff.max():.3g}"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", list(REFERENCES))
@pytest.mark.parametrize("photo_name", ["china", "flower"])
def test_filter_matches_scipy_on_photographs(photo, photo_name, name, kind):
    image = photo(photo_name, kind)
    options, reference = REFERENCES[name]
    ours = apply_filter(image, name, **options)
    assert_matches_scipy(ours, scipy_filtered(image, reference, "reflect"))


@pytest.mark.parametrize("mode", list(BORDER_MODES))
@pytest.mark.parametrize("name", ["gaussian-blur", "emboss", "median", "sobel"])
def test_every_border_mode_matches_scipy(photo, name, mode):
    # gaussian, sobel: the separable path; emboss: the 2-D kernel path; median: the windows
    image = photo("flower", "rgb-float64")
    options, reference = REFERENCES[name]
    ours = apply_filter(image, name, mode=mode, **options)
    assert_matches_scipy(ours, scipy_filtered(image, reference, mode))


@pytest.mark.parametrize("mode", list(BORDER_MODES))
@pytest.mark.parametrize("shape", [(1, 1), (2, 3), (3, 2, 3)])
def test_images_smaller_than_the_window_match_scipy(shape, mode, rng):
    # the border extension repeats itself when it is wider than the image
    image = rng.uniform(0, 1, shape)
    for name, reference in [("box-blur", lambda p, m: ndi.uniform_filter(p, 7, mode=m)),
                            ("median", lambda p, m: ndi.median_filter(p, 7, mode=m))]:
        ours = apply_filter(image, name, size=7, mode=mode)
        assert_matches_scipy(ours, scipy_filtered(image, reference, mode))


@pytest.mark.parametrize("mode", list(BORDER_MODES))
def test_correlate_is_scipys_correlate_and_its_flip_is_convolve(photo, mode, rng):
    image = photo("china", "rgb-uint8")
    kernel = rng.normal(size=(5, 3))  # not symmetric: a mix-up of axes or flips shows
    ours = correlate(image, kernel, mode=mode)
    assert ours.dtype == np.float32 and ours.shape == image.shape
    planes = image.astype(np.float64)
    for c in range(3):
        theirs = ndi.correlate(planes[..., c], kernel, mode=mode)
        np.testing.assert_allclose(ours[..., c], theirs, rtol=1e-5, atol=1e-3)
        flipped = correlate(image[..., c], kernel[::-1, ::-1], mode=mode)
        np.testing.assert_allclose(flipped, ndi.convolve(planes[..., c], kernel, mode=mode),
                                   rtol=1e-5, atol=1e-3)


def test_correlate_returns_the_raw_signed_response(photo):
    image = photo("china", "grey-float64")
    ours = correlate(image, [[-1, 0, 1]])
    theirs = ndi.correlate1d(image, [-1, 0, 1], axis=1, mode="reflect")
    assert ours.min() < 0 and ours.dtype == np.float64
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-14)
