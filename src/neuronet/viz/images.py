"""Grids of small grey-scale images (patterns, filters, samples, reconstructions) as PNG."""

import numpy as np

from neuronet.viz.backend import new_figure, save_png


def plot_image_grid(rows, path, row_titles=None, image_shape=None, title=None):
    """Save a grid of images to `path`: `rows` is a list of (K, H, W) or (K, H*W) arrays
    (one grid row each, K images; with flat images give image_shape=(H, W)). Each image is
    scaled to its own min..max. row_titles: optional label per row. Returns `path`."""
    rows = [np.asarray(r, dtype=np.float64) for r in rows]
    if not rows or any(r.ndim not in (2, 3) or len(r) == 0 for r in rows):
        raise ValueError("plot_image_grid: rows must be non-empty (K, H, W) or (K, H*W) arrays")
    if image_shape is not None:
        rows = [r.reshape(len(r), *image_shape) for r in rows]
    elif any(r.ndim != 3 for r in rows):
        raise ValueError("plot_image_grid: flat images need image_shape=(H, W)")
    if row_titles is not None and len(row_titles) != len(rows):
        raise ValueError(f"plot_image_grid: {len(row_titles)} titles for {len(rows)} rows")
    n_cols = max(len(r) for r in rows)
    fig = new_figure(figsize=(1.1 * n_cols + (1.5 if row_titles else 0), 1.2 * len(rows) + 0.4),
                     layout="constrained")
    axes = np.atleast_2d(fig.subplots(len(rows), n_cols, squeeze=False))
    for i, r in enumerate(rows):
        for j in range(n_cols):
            ax = axes[i, j]
            ax.set_xticks([])
            ax.set_yticks([])
            if j < len(r):
                ax.imshow(r[j], cmap="gray_r", interpolation="nearest")
            else:
                ax.axis("off")
        if row_titles:
            axes[i, 0].set_ylabel(row_titles[i], rotation=0, ha="right", va="center")
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
