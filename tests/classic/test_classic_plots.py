"""The classic-model pictures: PNG files written, bad arguments rejected."""

import pytest

from neuronet.classic import SOM

pytest.importorskip("matplotlib")

from neuronet.viz.images import plot_image_grid
from neuronet.viz.som import plot_component_planes, plot_som

PNG = b"\x89PNG\r\n\x1a\n"


def test_image_grid_png(tmp_path, rng):
    path = plot_image_grid([rng.random((3, 16)), rng.random((2, 16))], str(tmp_path / "g.png"),
                           ["a", "b"], (4, 4), "title")
    assert open(path, "rb").read(8) == PNG


def test_image_grid_bad_input(tmp_path, rng):
    with pytest.raises(ValueError, match="flat images need image_shape"):
        plot_image_grid([rng.random((3, 16))], str(tmp_path / "g.png"))
    with pytest.raises(ValueError, match="2 titles for 1 rows"):
        plot_image_grid([rng.random((3, 4, 4))], str(tmp_path / "g.png"), ["a", "b"])
    with pytest.raises(ValueError, match="rows must be non-empty"):
        plot_image_grid([], str(tmp_path / "g.png"))


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_som_plot_png(tmp_path, rng, topology):
    X = rng.random((60, 3))
    y = (X[:, 0] > 0.5).astype(int)
    som = SOM(4, 5, topology=topology, n_iter=200, random_state=0).fit(X)
    path = plot_som(som, X, y, str(tmp_path / "som.png"), ["low", "high"])
    assert open(path, "rb").read(8) == PNG


def test_component_planes_png_and_bad_input(tmp_path, rng):
    X = rng.random((60, 5))
    som = SOM(3, 4, topology="hexagonal", n_iter=100, random_state=0).fit(X)
    path = plot_component_planes(som, str(tmp_path / "c.png"), names=list("abcde"))
    assert open(path, "rb").read(8) == PNG
    assert plot_component_planes(som, str(tmp_path / "c2.png"), features=[4, 0]).endswith("c2.png")
    with pytest.raises(ValueError, match=r"a non-empty list of indices in \[0, 5\), got \[5\]"):
        plot_component_planes(som, str(tmp_path / "bad.png"), features=[5])
    with pytest.raises(ValueError, match="2 names for 5 features"):
        plot_component_planes(som, str(tmp_path / "bad.png"), names=["a", "b"])
    assert not (tmp_path / "bad.png").exists()


def test_capacity_plot_png_and_bad_input(tmp_path):
    from neuronet.viz.hopfield import plot_capacity

    rates = {"hebbian": [1.0, 0.2], "storkey": [1.0, 0.9]}
    assert open(plot_capacity([0.1, 0.3], rates, str(tmp_path / "c.png"), 100), "rb").read(8) == PNG
    with pytest.raises(ValueError, match=r"an \(L,\) rate array per rule"):
        plot_capacity([0.1, 0.3], {"hebbian": [1.0]}, str(tmp_path / "bad.png"))
    with pytest.raises(ValueError, match="plot_capacity"):
        plot_capacity([0.1], {}, str(tmp_path / "bad.png"))
    assert not (tmp_path / "bad.png").exists()
