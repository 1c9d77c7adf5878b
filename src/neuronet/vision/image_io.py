"""Reading and writing image files with Pillow (the optional `plot` extra), as the uint8
arrays the filters take: grey (H, W) or RGB (H, W, 3).

Writes are atomic (neuronet.io.atomic_write): a failed write leaves no half-written image.
"""

import os

import numpy as np

from neuronet.io import atomic_write
from neuronet.optional import import_optional

_INSTALL = "pip install neuronet[plot]"
_GREY_BANDS = {("1",), ("L",), ("L", "A"), ("I",), ("F",)}


def _pillow(who):
    return import_optional("PIL.Image", who, _INSTALL)


def read_image(path, who="read_image"):
    """The image file at `path` as uint8 (H, W) if it is grey, else (H, W, 3) RGB (an alpha
    channel is dropped, a palette expanded)."""
    Image = _pillow(who)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{who}: no image file {os.fspath(path)!r}")
    try:
        with Image.open(path) as image:
            mode = "L" if image.getbands() in _GREY_BANDS else "RGB"
            return np.asarray(image.convert(mode), dtype=np.uint8)
    except Image.UnidentifiedImageError:
        raise ValueError(f"{who}: {os.fspath(path)!r} is not an image file Pillow can read") \
            from None
    except OSError as e:  # a truncated or damaged file fails when the pixels are decoded
        raise ValueError(f"{who}: cannot read the image {os.fspath(path)!r}: {e}") from None


def image_format(path, who="write_image"):
    """Pillow's format name for the extension of `path` (".png" -> "PNG"); ValueError naming
    the extensions Pillow can write when it is not one of them."""
    Image = _pillow(who)
    writable = {ext: fmt for ext, fmt in Image.registered_extensions().items()
                if fmt in Image.SAVE}
    extension = os.path.splitext(os.fspath(path))[1].lower()
    if extension not in writable:
        common = ", ".join(e for e in (".png", ".jpg", ".bmp", ".tif", ".webp") if e in writable)
        raise ValueError(f"{who}: cannot tell the image format of {os.fspath(path)!r} from its "
                         f"extension {extension or '(none)'!r}; use one such as {common}")
    return writable[extension]


def write_image(path, image, who="write_image"):
    """Write a uint8 (H, W) or (H, W, 3) image to `path` in the format its extension names."""
    image = np.asarray(image)
    if image.dtype != np.uint8 or image.ndim not in (2, 3) or (
            image.ndim == 3 and image.shape[2] != 3):
        raise ValueError(f"{who}: expected a uint8 (H, W) or (H, W, 3) image, got "
                         f"{image.dtype} of shape {image.shape}")
    fmt = image_format(path, who)
    picture = _pillow(who).fromarray(image)
    with atomic_write(path) as f:
        picture.save(f, format=fmt)
    return path
