"""The hidden-state picture of a recurrent network: a PNG, the PCA path, bad input."""

import numpy as np
import pytest
from PIL import Image

from neuronet.viz.sequence import plot_hidden_states, principal_path


def test_principal_path_follows_the_main_directions(rng):
    t = np.linspace(0, 1, 30)
    direction = rng.standard_normal(6)
    states = 3 + np.outer(t, direction)  # a straight line: all variance along one direction
    path = principal_path(states)
    assert path.shape == (30, 2)
    np.testing.assert_allclose(path[:, 1], 0, atol=1e-12)
    np.testing.assert_allclose(np.abs(np.diff(path[:, 0])),
                               np.linalg.norm(direction) * np.diff(t), rtol=1e-10)
    # the same projection scikit-learn's PCA gives (up to the sign of each component)
    sklearn = pytest.importorskip("sklearn.decomposition")
    cloud = rng.standard_normal((40, 5)) * [5, 3, 1, 0.5, 0.1]
    ours, theirs = principal_path(cloud), sklearn.PCA(2).fit_transform(cloud)
    np.testing.assert_allclose(np.abs(ours), np.abs(theirs), atol=1e-10)
    assert principal_path(np.ones((4, 1))).shape == (4, 2)  # one unit: a second zero column


def test_writes_a_png(tmp_path, rng):
    states = np.tanh(rng.standard_normal((40, 16)).cumsum(axis=0))
    path = plot_hidden_states(rng.standard_normal(40), states, tmp_path / "h.png", title="t")
    with Image.open(path) as image:
        assert image.format == "PNG" and image.size[0] > image.size[1] > 200
    plot_hidden_states(rng.standard_normal((40, 3)), states, tmp_path / "multi.png")


def test_bad_input(tmp_path):
    with pytest.raises(ValueError, match=r"expected states \(T, H\) with T >= 2, got shape "
                                         r"\(5,\)"):
        plot_hidden_states(np.zeros(5), np.zeros(5), tmp_path / "x.png")
    with pytest.raises(ValueError, match=r"expected inputs \(T,\) or \(T, F\) with T = 5 \(one "
                                         r"per state\), got shape \(4,\)"):
        plot_hidden_states(np.zeros(4), np.zeros((5, 3)), tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()
