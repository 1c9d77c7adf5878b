"""Image filters on scikit-learn's full photographs: neuronet.vision against scipy.ndimage.

For each photograph (china.jpg, flower.jpg: 427 x 640 RGB uint8) and each filter: the largest
absolute difference to scipy.ndimage (run per colour plane in float64, clipped as ours is), on
the float64 image in [0, 1] and on the uint8 image in grey levels; then the time of the blurs
and the median on the uint8 photograph, uint8 in and out on both sides, the sides alternating,
best of --repeats.

    python benchmarks/filters.py [--repeats 5]

scipy.ndimage runs one thread in C; ours runs the blurs as two 1-D passes of banded matrix
products on 2 threads (neuronet.vision.banded), and the median as np.partition over strided
windows.
"""

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
import scipy.ndimage as ndi
from sklearn.datasets import load_sample_images
from timing import best_of

from neuronet.vision import apply_filter

SHARPEN = [[0, -1, 0], [-1, 5, -1], [0, -1, 0]]
# filter name -> scipy's version on one float64 plane (the defaults of our filters)
SCIPY = {
    "box-blur": lambda p: ndi.uniform_filter(p, 3),
    "gaussian-blur": lambda p: ndi.gaussian_filter(p, 1.0),
    "sharpen": lambda p: ndi.correlate(p, SHARPEN),
    "emboss": lambda p: ndi.correlate(p, [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]]),
    "sobel-x": lambda p: np.abs(ndi.sobel(p, axis=1)),
    "sobel-y": lambda p: np.abs(ndi.sobel(p, axis=0)),
    "sobel": lambda p: np.hypot(ndi.sobel(p, axis=0), ndi.sobel(p, axis=1)),
    "laplacian": lambda p: np.abs(ndi.laplace(p)),
    "median": lambda p: ndi.median_filter(p, 5),
    "watercolor": lambda p: ndi.correlate(ndi.median_filter(p, 5), SHARPEN),
}
# timed: (label, our filter and options, scipy's call on the whole (H, W, 3) uint8 image)
TIMED = [
    ("box blur 5x5", "box-blur", {"size": 5}, lambda x: ndi.uniform_filter(x, (5, 5, 1))),
    ("gaussian blur sigma 2", "gaussian-blur", {"sigma": 2.0},
     lambda x: ndi.gaussian_filter(x, (2.0, 2.0, 0))),
    ("median 5x5", "median", {}, lambda x: ndi.median_filter(x, (5, 5, 1))),
]


def scipy_filtered(image, plane_filter, high):
    planes = image.astype(np.float64)
    out = np.stack([plane_filter(planes[..., c]) for c in range(3)], axis=2)
    return np.clip(out, 0, high)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    photos = load_sample_images()
    names = [os.path.basename(f) for f in photos.filenames]
    print(f"load average at start {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'filter':<14}" + "".join(f"{n + ' float':>16}{n + ' uint8':>16}" for n in names))
    for name, plane_filter in SCIPY.items():
        cells = []
        for image in photos.images:
            as_float = image / 255.0
            float_diff = np.abs(apply_filter(as_float, name)
                                - scipy_filtered(as_float, plane_filter, 1)).max()
            uint8_diff = np.abs(apply_filter(image, name).astype(np.float64)
                                - np.rint(scipy_filtered(image, plane_filter, 255))).max()
            cells += [f"{float_diff:16.2e}", f"{uint8_diff:16.0f}"]
        print(f"{name:<14}" + "".join(cells))

    image = photos.images[0]
    print(f"\ntimes on {names[0]} {image.shape} uint8, best of {args.repeats}")
    print(f"{'':<22}{'ours ms':>9}{'scipy ms':>10}{'ratio':>7}")
    for label, name, options, theirs in TIMED:
        ours_s, scipy_s = best_of([lambda: apply_filter(image, name, **options),  # noqa: B023
                                   lambda: theirs(image)], args.repeats)  # noqa: B023
        print(f"{label:<22}{ours_s * 1e3:9.1f}{scipy_s * 1e3:10.1f}{ours_s / scipy_s:7.2f}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
