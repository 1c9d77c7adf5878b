"""scikit-learn's bundled 8x8 handwritten digits (1,797 images of 0-9; no download)."""

import numpy as np

from neuronet.data.dataset import ArrayDataset
from neuronet.dtypes import get_default_dtype
from neuronet.optional import import_optional


class Digits(ArrayDataset):
    """Item i is (image (8, 8) float32 in [0, 1], label int); transforms apply as usual.

    The original pixels are counts 0..16; they are divided by 16 so that the images live in
    [0, 1] like the other image datasets. Needs scikit-learn (`pip install neuronet[sklearn]`).
    There is no official train/test split: use `stratified_split` or `kfold_indices`.
    """

    classes = tuple(str(d) for d in range(10))

    def __init__(self, transform=None, target_transform=None):
        datasets = import_optional("sklearn.datasets", "Digits", "pip install neuronet[sklearn]")
        bunch = datasets.load_digits()
        images = (bunch.images / 16.0).astype(get_default_dtype())
        super().__init__(images, bunch.target.astype(np.int64), transform, target_transform)
