"""Pictures of GAN training: a tiled grid of generated images and the loss/score curves.

    save_sample_grid(images, "samples/epoch-003.png", nrow=10)   # images (N, C, H, W) in [-1, 1]
    plot_gan_history(history, "curves.png")                      # D/G losses, D(x), D(G(z)), scores
"""

import io

import numpy as np

from neuronet.io import write_bytes
from neuronet.optional import import_optional
from neuronet.viz.backend import PLOT_INSTALL_HINT, PlotsUnavailable
from neuronet.viz.curves import plot_history_panels


def tile_images(images, nrow, padding=2, value_range=(-1.0, 1.0)):
    """(N, C, H, W) images -> one (rows*(H+p)+p, nrow*(W+p)+p) uint8 array (C = 1) or
    (..., 3) (C = 3), images left to right then top to bottom on a black background.

    One fixed value_range for all images (not each image's own min..max), so grids of
    different epochs are comparable; values outside it are clipped.
    """
    images = np.asarray(images, dtype=np.float64)
    if images.ndim != 4 or images.shape[1] not in (1, 3) or len(images) == 0:
        raise ValueError(f"tile_images: images must be (N, 1 or 3, H, W) with N >= 1, got shape "
                         f"{images.shape}")
    if isinstance(nrow, bool) or not isinstance(nrow, (int, np.integer)) or nrow < 1:
        raise ValueError(f"tile_images: nrow (images per row) must be a positive integer, got "
                         f"{nrow!r}")
    low, high = value_range
    scaled = np.clip((images - low) / (high - low), 0.0, 1.0)
    n, c, h, w = images.shape
    rows = -(-n // nrow)
    grid = np.zeros((rows * (h + padding) + padding, nrow * (w + padding) + padding, c))
    for i, image in enumerate(scaled):
        top, left = padding + (i // nrow) * (h + padding), padding + (i % nrow) * (w + padding)
        grid[top:top + h, left:left + w] = image.transpose(1, 2, 0)
    grid = np.round(grid * 255).astype(np.uint8)
    return grid[..., 0] if c == 1 else grid


def save_sample_grid(images, path, nrow=8, scale=2, value_range=(-1.0, 1.0)):
    """Write `images` (N, C, H, W) as one PNG grid, `nrow` per row, each pixel drawn as
    scale x scale pixels, atomically (needs Pillow). Returns `path`."""
    image_module = import_optional("PIL.Image", "save_sample_grid", PLOT_INSTALL_HINT,
                                   PlotsUnavailable)
    grid = tile_images(images, nrow, value_range=value_range)
    if scale > 1:
        grid = grid.repeat(scale, axis=0).repeat(scale, axis=1)
    buffer = io.BytesIO()
    image_module.fromarray(grid).save(buffer, format="png", optimize=True)
    write_bytes(path, buffer.getvalue())
    return path


# (panel title, [(history key, label)]) of plot_gan_history; keys not logged are left out
_PANELS = (
    ("losses", [("d_loss", "discriminator"), ("g_loss", "generator")]),
    ("discriminator output", [("d_real", "D(x)"), ("d_fake", "D(G(z))")]),
    ("Fréchet classifier distance", [("fcd", "generated vs real test")]),
    ("class accuracy of samples", [("class_accuracy", "conditional samples")]),
)


def plot_gan_history(history, path, title=None):
    """Save the per-epoch curves of a GAN run: D and G losses, mean D(x) and D(G(z)), and the
    scores (Fréchet classifier distance, class accuracy) when they were logged.

    history: a neuronet.train.History as GANTrainer writes it. Returns `path`.
    """
    panels = [(name, [(k, label) for k, label in curves if k in history.history])
              for name, curves in _PANELS]
    panels = [(name, curves) for name, curves in panels if curves]
    if not panels:
        raise ValueError("plot_gan_history: the history holds no GAN losses or scores (d_loss, "
                         f"g_loss, ...); it has {sorted(history.history)}")
    return plot_history_panels(history, panels, path, title)
