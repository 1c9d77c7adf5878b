"""Crops of scikit-learn's two bundled photographs (china.jpg, flower.jpg): real images, small
enough to keep the filter tests fast, in every layout and dtype the filters take."""

import numpy as np
import pytest


@pytest.fixture(scope="session")
def photos():
    """{"china": (48, 64, 3) uint8, "flower": (48, 64, 3) uint8}: textured crops (roof
    tiles and leaves; petals and their edges)."""
    datasets = pytest.importorskip("sklearn.datasets")
    china, flower = datasets.load_sample_images().images
    return {"china": china[150:198, 200:264], "flower": flower[180:228, 230:294]}


@pytest.fixture(scope="session")
def photo(photos):
    """photo(name, kind): a crop as kind 'rgb-uint8', 'grey-uint8', 'rgb-float64',
    'grey-float32', ... (grey = the rounded mean of R, G, B; float = uint8 / 255)."""
    def make(name, kind):
        layout, dtype = kind.split("-")
        rgb = photos[name]
        image = rgb if layout == "rgb" else rgb.mean(axis=2).round().astype(np.uint8)
        return image if dtype == "uint8" else (image / 255).astype(dtype)
    return make
