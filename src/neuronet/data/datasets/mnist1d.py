"""MNIST-1D (Greydanus & Steinbach): 1-D signals of length 40 from 10 digit templates.

Generated locally by the `mnist1d` package with the paper's default arguments (5,000 samples,
80/20 train/test split, seed 42), never downloaded: 4,000 training and 1,000 test signals.
"""

import functools
import random

import numpy as np

from neuronet.data.dataset import ArrayDataset
from neuronet.dtypes import get_default_dtype
from neuronet.optional import import_optional


@functools.lru_cache(maxsize=1)
def _generate():
    """The paper's dataset as a dict of arrays (about 2 s; cached for the process)."""
    data = import_optional("mnist1d.data", "MNIST1D", "pip install mnist1d")
    # make_dataset seeds Python's and NumPy's global generators: leave them as we found them.
    py_state, np_state = random.getstate(), np.random.get_state()
    try:
        return data.make_dataset(data.get_dataset_args())
    finally:
        random.setstate(py_state)
        np.random.set_state(np_state)


class MNIST1D(ArrayDataset):
    """Item i is (signal (40,) float32, label int). Attributes: data (N, 40), targets (N,)."""

    classes = tuple(str(d) for d in range(10))

    def __init__(self, train=True, transform=None, target_transform=None):
        generated = _generate()
        x, y = (generated["x"], generated["y"]) if train else (generated["x_test"],
                                                                  generated["y_test"])
        self.train = bool(train)
        super().__init__(x.astype(get_default_dtype()), y.astype(np.int64), transform,
                         target_transform)
