"""The deterministic transforms: Compose, ToTensor, Normalize, Standardize, Flatten, OneHot,
Lambda (the random augmentations, in the modules beside this one, build on its helpers).

Every transform takes a Tensor or an ndarray; all but ToTensor and OneHot return the same kind
they got. Transforms produce data, not graph: they never record gradients.
"""

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.dtypes import as_dtype, get_default_dtype


def _unwrap(x):
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _like(result, original):
    """`result` as a Tensor if `original` was one, else as an ndarray."""
    return Tensor._make(result) if isinstance(original, Tensor) else result


def _float(array):
    """Float arrays keep their dtype; anything else becomes the default float dtype."""
    return array if array.dtype.kind == "f" else array.astype(get_default_dtype())


class Compose:
    """Apply `transforms` one after the other."""

    def __init__(self, transforms):
        self.transforms = list(transforms)
        for t in self.transforms:
            if not callable(t):
                raise TypeError(f"Compose: every transform must be callable, got {t!r}")

    def __call__(self, x):
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self):
        return "Compose([" + ", ".join(repr(t) for t in self.transforms) + "])"


class ToTensor:
    """An image (H, W) or (H, W, C) -> Tensor (C, H, W); uint8 is scaled to float32 in [0, 1].

    As torchvision: other dtypes are only moved to channels-first, not scaled.
    """

    def __call__(self, image):
        array = _unwrap(image)
        if array.ndim not in (2, 3):
            raise ValueError(f"ToTensor: expected an image (H, W) or (H, W, C), got {array.shape}")
        if array.ndim == 2:
            array = array[:, :, None]
        array = np.ascontiguousarray(array.transpose(2, 0, 1))
        if array.dtype == np.uint8:
            array = array.astype(get_default_dtype()) / np.asarray(255, get_default_dtype())
        return Tensor._make(array)

    def __repr__(self):
        return "ToTensor()"


class Normalize:
    """(x - mean[c]) / std[c] for each channel c of an image (..., C, H, W), as torchvision."""

    def __init__(self, mean, std):
        self.mean = np.asarray(mean, dtype=np.float64).reshape(-1)
        self.std = np.asarray(std, dtype=np.float64).reshape(-1)
        if len(self.mean) != len(self.std):
            raise ValueError(f"Normalize: {len(self.mean)} means but {len(self.std)} stds")
        if np.any(self.std == 0):
            raise ValueError(f"Normalize: std must not contain zeros, got {self.std.tolist()}")

    def __call__(self, x):
        array = _float(_unwrap(x))
        channels = len(self.mean)
        if array.ndim < 3 or channels != 1 and array.shape[-3] != channels:
            raise ValueError(
                f"Normalize: expected an image (..., C, H, W) with C = {channels}, "
                f"got shape {array.shape}"
            )
        mean = self.mean.astype(array.dtype).reshape(-1, 1, 1)
        std = self.std.astype(array.dtype).reshape(-1, 1, 1)
        return _like((array - mean) / std, x)

    def __repr__(self):
        return f"Normalize(mean={self.mean.tolist()}, std={self.std.tolist()})"


class Standardize:
    """Per-feature (x - mean_) / scale_, with mean_ and scale_ fitted on training data only.

        standardize = Standardize().fit(train_x)     # train_x: (N, *feature_shape)
        test_ds = ArrayDataset(test_x, test_y, transform=standardize)

    As scikit-learn's StandardScaler: the standard deviation is the population one, and a
    feature with zero variance gets scale 1 (it is only centred).
    """

    def __init__(self):
        self.mean_ = None
        self.scale_ = None

    def fit(self, x):
        array = _unwrap(x)
        if array.ndim < 1 or len(array) == 0:
            raise ValueError(f"Standardize.fit: needs (N, ...) data with N >= 1, got {array.shape}")
        dtype = _float(array).dtype
        data = array.astype(np.float64)  # accumulate in float64, store in the data's dtype
        std = data.std(axis=0)
        self.mean_ = data.mean(axis=0).astype(dtype)
        self.scale_ = np.where(std == 0, 1.0, std).astype(dtype)
        return self

    def __call__(self, x):
        if self.mean_ is None:
            raise RuntimeError("Standardize: not fitted; call fit(training_data) first")
        array = _float(_unwrap(x))
        if array.shape[array.ndim - self.mean_.ndim:] != self.mean_.shape:
            raise ValueError(
                f"Standardize: fitted on features of shape {self.mean_.shape}, got {array.shape}"
            )
        return _like((array - self.mean_.astype(array.dtype)) / self.scale_.astype(array.dtype), x)

    transform = __call__

    def __repr__(self):
        return f"Standardize(fitted={self.mean_ is not None})"


class Flatten:
    """Flatten dimensions start_dim..end_dim into one (default: the whole sample -> 1-D)."""

    def __init__(self, start_dim=0, end_dim=-1):
        self.start_dim = start_dim
        self.end_dim = end_dim

    def __call__(self, x):
        array = _unwrap(x)
        start = self.start_dim % max(array.ndim, 1)
        end = self.end_dim % max(array.ndim, 1)
        if start > end:
            raise ValueError(
                f"Flatten: start_dim {self.start_dim} is after end_dim {self.end_dim} for a "
                f"{array.ndim}-D input"
            )
        shape = array.shape[:start] + (-1,) + array.shape[end + 1:]
        return _like(array.reshape(shape), x)

    def __repr__(self):
        return f"Flatten(start_dim={self.start_dim}, end_dim={self.end_dim})"


class OneHot:
    """Class label(s) -> one-hot Tensor (..., num_classes), float32 by default (for MSE losses)."""

    def __init__(self, num_classes, dtype=None):
        if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
            raise ValueError(f"OneHot: num_classes must be a positive integer, got {num_classes!r}")
        self.num_classes = int(num_classes)
        self.dtype = get_default_dtype() if dtype is None else as_dtype(dtype)

    def __call__(self, label):
        labels = _unwrap(label)
        if labels.dtype.kind not in "iu":
            raise TypeError(f"OneHot: labels must be integers, got dtype {labels.dtype}")
        if labels.size and (labels.min() < 0 or labels.max() >= self.num_classes):
            raise ValueError(
                f"OneHot: labels must be in [0, {self.num_classes}), got values from "
                f"{labels.min()} to {labels.max()}"
            )
        return Tensor._make(np.eye(self.num_classes, dtype=self.dtype)[labels])

    def __repr__(self):
        return f"OneHot(num_classes={self.num_classes})"


class Lambda:
    """Wrap any function of one sample as a transform."""

    def __init__(self, fn):
        if not callable(fn):
            raise TypeError(f"Lambda: expected a callable, got {type(fn).__name__}")
        self.fn = fn

    def __call__(self, x):
        return self.fn(x)

    def __repr__(self):
        return f"Lambda({getattr(self.fn, '__name__', repr(self.fn))})"
