"""Every image filter of neuronet.vision on scikit-learn's china.jpg, in one PNG grid.

    python examples/image_filters.py [--photo china.jpg|flower.jpg] [--out filters.png]

Each filter runs on the full RGB photograph (uint8 in, uint8 out) with its default options;
the grid shows the original and the ten results with their names and times. The same filters
work from the command line: `neuronet filter photo.jpg out.png --kernel emboss`.
"""

import argparse
import os
import time

from sklearn.datasets import load_sample_images

from neuronet.vision import apply_filter, filter_names
from neuronet.viz.backend import new_figure, save_png


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photo", default="china.jpg", choices=["china.jpg", "flower.jpg"])
    parser.add_argument("--out", default="filters.png")
    args = parser.parse_args()
    photos = load_sample_images()
    photo = photos.images[[os.path.basename(f) for f in photos.filenames].index(args.photo)]

    panels = [(f"original {photo.shape[1]}x{photo.shape[0]}", photo)]
    for name in filter_names():
        start = time.perf_counter()
        filtered = apply_filter(photo, name)
        seconds = time.perf_counter() - start
        panels.append((f"{name} ({seconds * 1e3:.0f} ms)", filtered))
        print(f"{name:<14} {seconds * 1e3:6.0f} ms")

    columns = 4
    rows = -(-len(panels) // columns)
    fig = new_figure(figsize=(4 * columns, 2.9 * rows), layout="constrained")
    axes = fig.subplots(rows, columns).ravel()
    for ax in axes:
        ax.axis("off")
    for ax, (title, image) in zip(axes, panels):
        ax.imshow(image)
        ax.set_title(title)
    fig.suptitle(f"neuronet.vision filters on {args.photo}")
    print(f"wrote {save_png(fig, args.out)}")


if __name__ == "__main__":
    main()
