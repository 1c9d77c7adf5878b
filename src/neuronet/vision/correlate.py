"""Linear filters on image planes: every plane (grey, or each of R, G, B) gets the same kernel
on the border-padded planes, by one of two paths:

- correlate_planes, the reference for any kernel: one depthwise `conv2d` (groups = number of
  planes, im2col + GEMM). `correlate` and the non-separable filters (sharpen, emboss,
  Laplacian) run it.
- correlate_separable_planes, for a kernel that is an outer product column x row (box,
  Gaussian, Sobel): two 1-D passes, each a few banded matrix products (banded.py), equal
  to the reference up to float rounding. On china.jpg (float32 planes, Zen 4, load 4):
  2.3 against 20 ms (Sobel 3x3), 2.2 against 29 ms (box 5x5), 2.6 against 219 ms (Gaussian
  17x17).

Like `conv2d` (and `scipy.ndimage.correlate`), this is cross-correlation: out[i, j] =
sum_{u, v} kernel[u, v] * image[i + u - KH // 2, j + v - KW // 2]. A convolution in the
textbook sense is the correlation with the kernel flipped both ways.
"""

import numpy as np

from neuronet.autograd.grad_mode import no_grad
from neuronet.creation import from_numpy
from neuronet.nn.functional.conv import conv2d
from neuronet.vision.banded import correlate1d_valid
from neuronet.vision.image import check_image, check_odd_size, pad_planes, to_planes


def _depthwise(padded, kernel):
    """Valid correlation of every plane of padded (C, Hp, Wp) with kernel (KH, KW)."""
    C = len(padded)
    weight = np.ascontiguousarray(np.broadcast_to(kernel.astype(padded.dtype),
                                                  (C, 1, *kernel.shape)))
    with no_grad():
        return conv2d(from_numpy(padded), from_numpy(weight), groups=C).numpy()


def correlate_planes(planes, kernel, mode, op):
    """planes (C, H, W) float, kernel (KH, KW) with odd sides -> (C, H, W), the border
    extended by `mode`."""
    padded = pad_planes(planes, (kernel.shape[0] // 2, kernel.shape[1] // 2), mode, op)
    return _depthwise(padded, kernel)


def correlate_separable_planes(planes, column, row, mode, op):
    """Correlation with the outer product column (KH,) x row (KW,) as two 1-D passes, along
    the rows then down the columns, each as banded matrix products (see banded.py): the same
    result as correlate_planes with np.outer(column, row), since the border extension acts on
    each axis on its own."""
    padded = pad_planes(planes, (len(column) // 2, len(row) // 2), mode, op)
    return correlate1d_valid(correlate1d_valid(padded, row, axis=-1), column, axis=-2)


def check_kernel(kernel, op):
    """kernel as a 2-D float64 array with odd sides and finite values."""
    kernel = np.asarray(kernel)
    if kernel.ndim != 2 or kernel.dtype.kind not in "biuf":
        raise ValueError(f"{op}: expected a 2-D numeric kernel (KH, KW), got shape "
                         f"{kernel.shape} and dtype {kernel.dtype}")
    for side, name in zip(kernel.shape, ("height", "width")):
        check_odd_size(side, op, f"kernel {name}")
    if not np.isfinite(kernel).all():
        raise ValueError(f"{op}: the kernel has NaN or infinite values")
    return kernel.astype(np.float64)


def correlate(image, kernel, mode="reflect"):
    """The raw response of `image` to `kernel` (cross-correlation, as scipy.ndimage.correlate).

    image: (H, W) or (H, W, 3), uint8 or float in [0, 1]; kernel: (KH, KW) with odd sides;
    mode: border mode (reflect, mirror, nearest, wrap, constant). Returns a float array of the
    image's shape in the image's scale (0..255 for uint8), neither clipped nor rounded: the
    filters clip; edge detectors need the signed values first.
    """
    check_image(image, "correlate")
    kernel = check_kernel(kernel, "correlate")
    planes = correlate_planes(to_planes(image), kernel, mode, "correlate")
    return planes[0] if image.ndim == 2 else planes.transpose(1, 2, 0)
