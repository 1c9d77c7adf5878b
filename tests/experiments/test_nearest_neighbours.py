"""Experiment 8 (nearest_neighbours): pixel-space neighbours share the query's brightness and
ink area far more than its class does; a 2-pixel shift moves an image past its neighbours."""

import numpy as np

from neuronet.experiments.nearest_neighbours import distortions, shift


def test_shift_and_distortions():
    image = np.arange(1, 10, dtype=np.float64).reshape(1, 3, 3) / 10
    np.testing.assert_array_equal(shift(image * 10, 1)[0], [[0, 1, 2], [0, 4, 5], [0, 7, 8]])
    changed = distortions(image)
    np.testing.assert_allclose(changed["darkened x0.6"], image * 0.6)
    # brightening leaves the background (<= 0.1) alone and saturates at 1
    np.testing.assert_allclose(changed["brightened +0.2"].ravel(),
                               [.1, .4, .5, .6, .7, .8, .9, 1, 1], rtol=1e-6)


def test_neighbours_follow_brightness_and_background(run_quick):
    results = run_quick("nearest_neighbours", ["neighbours_l1.png", "neighbours_l2.png",
                                               "distortions.png"])
    for metric in ("l1", "l2"):
        numbers = results[metric]
        assert 0.6 < numbers["nearest_same_class"] < 0.95, numbers  # far above chance (0.1)
        for key in ("brightness", "ink_area"):
            random_same = numbers[f"{key}_gap_random_same_class"]
            assert numbers[f"{key}_gap_neighbours"] < random_same / 2, (metric, key)
            # even the neighbours of a wrong class match the query's brightness and ink area
            # better than an image of the query's own class does
            assert numbers[f"{key}_gap_wrong_class_neighbours"] < random_same * 0.75, (metric,
                                                                                       key)
    shifted = results["distortions"]["shifted 2 px"]
    assert shifted["farther_than_nearest"] > 0.8
    assert shifted["first_query_training_images_nearer"] > 10
