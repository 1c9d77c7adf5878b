"""Image filters with convolution kernels: blur, sharpen, emboss, edges, median, watercolor.

    from neuronet.vision import apply_filter, filter_names
    edges = apply_filter(photo, "sobel")    # photo: (H, W) or (H, W, 3), uint8 or float
"""

from neuronet.vision.correlate import correlate
from neuronet.vision.filters import (
    box_blur,
    emboss,
    gaussian_blur,
    laplacian,
    median,
    sharpen,
    sobel,
    sobel_x,
    sobel_y,
    watercolor,
)
from neuronet.vision.image import BORDER_MODES
from neuronet.vision.registry import (
    apply_filter,
    describe_filter,
    filter_names,
    filter_options,
    get_filter,
)

__all__ = [
    "BORDER_MODES", "apply_filter", "box_blur", "correlate", "describe_filter", "emboss",
    "filter_names", "filter_options", "gaussian_blur", "get_filter", "laplacian", "median",
    "sharpen", "sobel", "sobel_x", "sobel_y", "watercolor",
]
