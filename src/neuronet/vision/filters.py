"""The classic image filters, each a convolution kernel (or, for the median, a sort of
strided windows).

    from neuronet.vision import filters
    soft = filters.gaussian_blur(photo, sigma=2.0)     # photo: (H, W, 3) uint8
    edges = filters.sobel(photo)

Every filter takes a grey (H, W) or RGB (H, W, 3) image, uint8 (0..255) or float ([0, 1]),
filters each colour plane the same way, and returns an image of the same shape and dtype with
the values clipped to that range (uint8 results are rounded). `mode` says how the image is
extended past its border, as in scipy.ndimage: reflect (default), mirror, nearest, wrap,
constant (zeros). Kernels are given as correlation weights (what conv2d computes); window
sizes are odd so that every window has a centre pixel.

Which path runs: the box, Gaussian and Sobel kernels are outer products of two 1-D kernels
and run as two 1-D passes of banded matrix products (correlate_separable_planes); the others
(sharpen, emboss, Laplacian, watercolor's sharpening) are not and run through conv2d
(correlate_planes, the reference path).
"""

import numpy as np

from neuronet.vision.correlate import correlate_planes, correlate_separable_planes
from neuronet.vision.image import (
    check_image,
    check_number,
    check_odd_size,
    from_planes,
    to_planes,
)
from neuronet.vision.median import median_planes

IDENTITY = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], dtype=np.float64)
# the 4-neighbour Laplacian: sum of second differences along rows and columns
LAPLACIAN = np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=np.float64)
# Sobel: the central difference along one axis, smoothed by 1 2 1 along the other
SOBEL_DIFFERENCE = np.array([-1, 0, 1], dtype=np.float64)
SOBEL_SMOOTHING = np.array([1, 2, 1], dtype=np.float64)
# derivative along x (columns, increasing to the right) smoothed over 3 rows
SOBEL_X = np.outer(SOBEL_SMOOTHING, SOBEL_DIFFERENCE)
SOBEL_Y = SOBEL_X.T.copy()
# light from the top left: the original plus its derivative towards the bottom right
EMBOSS = np.array([[-2, -1, 0], [-1, 1, 1], [0, 1, 2]], dtype=np.float64)


def _filtered(image, op, planes_filter):
    """Check `image`, run planes_filter on its float (C, H, W) planes, give back an image like
    the input (layout, dtype, range)."""
    check_image(image, op)
    return from_planes(planes_filter(to_planes(image)), image)


def gaussian_kernel1d(sigma, size=None):
    """The normalized 1-D Gaussian weights exp(-x^2 / (2 sigma^2)), x = -r..r: (2r + 1,).
    Without `size`, r = int(4 * sigma + 0.5), as scipy.ndimage.gaussian_filter cuts it."""
    radius = int(4 * sigma + 0.5) if size is None else size // 2
    x = np.arange(-radius, radius + 1, dtype=np.float64)
    weights = np.exp(-0.5 * (x / sigma) ** 2)
    return weights / weights.sum()


def box_blur(image, size=3, mode="reflect"):
    """The mean over the size x size window around each pixel."""
    size = check_odd_size(size, "box_blur")
    line = np.full(size, 1 / size)
    return _filtered(image, "box_blur",
                     lambda p: correlate_separable_planes(p, line, line, mode, "box_blur"))


def gaussian_blur(image, sigma=1.0, size=None, mode="reflect"):
    """The Gaussian-weighted mean around each pixel (standard deviation sigma pixels).

    The window is size x size (default: 2 * int(4 * sigma + 0.5) + 1, as scipy cuts it)."""
    sigma = check_number(sigma, "gaussian_blur", "sigma")
    if size is not None:
        size = check_odd_size(size, "gaussian_blur")
    line = gaussian_kernel1d(sigma, size)
    return _filtered(image, "gaussian_blur",
                     lambda p: correlate_separable_planes(p, line, line, mode, "gaussian_blur"))


def sharpen_kernel(strength=1.0):
    """identity - strength * Laplacian: (3, 3); strength 1 is the classic 5 / -1 kernel."""
    return IDENTITY - strength * LAPLACIAN


def sharpen(image, strength=1.0, mode="reflect"):
    """Each pixel pushed away from the mean of its 4 neighbours (strength 0: unchanged)."""
    kernel = sharpen_kernel(check_number(strength, "sharpen", "strength", include_low=True))
    return _filtered(image, "sharpen", lambda p: correlate_planes(p, kernel, mode, "sharpen"))


def emboss(image, mode="reflect"):
    """Relief lit from the top left (the kernel -2 -1 0 / -1 1 1 / 0 1 2)."""
    return _filtered(image, "emboss", lambda p: correlate_planes(p, EMBOSS, mode, "emboss"))


def _edge_strength(image, response, op):
    """|response(planes)| to an edge kernel: an edge shows whichever way the brightness
    changes."""
    return _filtered(image, op, lambda p: np.abs(response(p)))


def _sobel_response(planes, axis, mode, op):
    """The signed Sobel derivative along x (columns) or y (rows) of planes (C, H, W), as the
    separable SOBEL_X / SOBEL_Y."""
    if axis == "x":
        return correlate_separable_planes(planes, SOBEL_SMOOTHING, SOBEL_DIFFERENCE, mode, op)
    return correlate_separable_planes(planes, SOBEL_DIFFERENCE, SOBEL_SMOOTHING, mode, op)


def sobel_x(image, mode="reflect"):
    """Strength of vertical edges: |Sobel derivative along x|."""
    return _edge_strength(image, lambda p: _sobel_response(p, "x", mode, "sobel_x"), "sobel_x")


def sobel_y(image, mode="reflect"):
    """Strength of horizontal edges: |Sobel derivative along y|."""
    return _edge_strength(image, lambda p: _sobel_response(p, "y", mode, "sobel_y"), "sobel_y")


def sobel(image, mode="reflect"):
    """Gradient magnitude sqrt(gx^2 + gy^2) of the Sobel derivatives: edges in any direction."""
    def magnitude(planes):
        return np.hypot(_sobel_response(planes, "x", mode, "sobel"),
                        _sobel_response(planes, "y", mode, "sobel"))
    return _filtered(image, "sobel", magnitude)


def laplacian(image, mode="reflect"):
    """|4-neighbour Laplacian|: edges and fine detail in every direction."""
    return _edge_strength(image, lambda p: correlate_planes(p, LAPLACIAN, mode, "laplacian"),
                          "laplacian")


def median(image, size=5, mode="reflect"):
    """The median of the size x size window around each pixel (removes specks, keeps
    edges)."""
    size = check_odd_size(size, "median")
    return _filtered(image, "median", lambda p: median_planes(p, size, mode, "median"))


def watercolor(image, size=5, strength=1.0, mode="reflect"):
    """A painted look: the size x size median, then sharpening.

    The median flattens areas into patches of colour with clean edges; sharpening with
    `strength` brings the edges out."""
    size = check_odd_size(size, "watercolor")
    kernel = sharpen_kernel(check_number(strength, "watercolor", "strength", include_low=True))
    return _filtered(image, "watercolor", lambda p: correlate_planes(
        median_planes(p, size, mode, "watercolor"), kernel, mode, "watercolor"))
