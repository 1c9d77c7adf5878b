"""Search-space ranges: sampling, grids, narrowing, bad input."""

import math

import numpy as np
import pytest

from neuronet.search import Choice, Integer, LogUniform, Uniform, grid, narrow
from neuronet.search.space import check_space


def test_samples_stay_in_range_with_the_right_distribution():
    rng = np.random.default_rng(0)
    lr = [LogUniform(1e-5, 1e-1).sample(rng) for _ in range(4000)]
    assert 1e-5 <= min(lr) and max(lr) <= 1e-1
    # log-uniform: each decade gets about a quarter of the draws
    decades = np.histogram(np.log10(lr), bins=[-5, -4, -3, -2, -1])[0] / len(lr)
    np.testing.assert_allclose(decades, 0.25, atol=0.03)
    u = [Uniform(-1, 3).sample(rng) for _ in range(4000)]
    assert np.mean(u) == pytest.approx(1.0, abs=0.1)
    ints = [Integer(2, 4).sample(rng) for _ in range(300)]
    assert set(ints) == {2, 3, 4} and all(isinstance(v, int) for v in ints)
    assert {Choice(["relu", "tanh"]).sample(rng) for _ in range(50)} == {"relu", "tanh"}


def test_grid_values():
    assert LogUniform(1e-4, 1e-2).grid(3) == pytest.approx([1e-4, 1e-3, 1e-2])
    assert Uniform(0, 1).grid(3) == [0.0, 0.5, 1.0]
    assert Integer(1, 2).grid(5) == [1, 2]  # no repeated integers
    configs = grid({"a": Uniform(0, 1), "act": Choice(["relu", "tanh"])}, 2)
    assert configs == [{"a": 0.0, "act": "relu"}, {"a": 0.0, "act": "tanh"},
                       {"a": 1.0, "act": "relu"}, {"a": 1.0, "act": "tanh"}]


def test_narrow_shrinks_around_the_best_and_stays_inside():
    space = {"lr": LogUniform(1e-5, 1.0), "n": Integer(1, 100), "act": Choice(["a", "b", "c"])}
    best = [{"lr": 1e-3, "n": 40, "act": "b"}, {"lr": 1e-2, "n": 60, "act": "b"}]
    small = narrow(space, best)
    # log span of the best is one decade; a quarter of it is added on each side
    assert math.log10(small["lr"].low) == pytest.approx(-3.25)
    assert math.log10(small["lr"].high) == pytest.approx(-1.75)
    assert (small["n"].low, small["n"].high) == (35, 65)
    assert small["act"] == Choice(["b"])
    edge = narrow(space, [{"lr": 1.0, "n": 100, "act": "a"}])  # one best trial, at the edge
    assert edge["lr"].high == 1.0 and edge["lr"].low < 1.0
    low_edge = narrow({"wd": LogUniform(1e-6, 1.0)}, [{"wd": 1e-6}, {"wd": 1e-3}])
    assert low_edge["wd"].low == 1e-6  # exactly the old bound
    assert edge["n"].high == 100 and edge["n"].low < 100
    with pytest.raises(ValueError, match="narrow: needs at least one successful trial"):
        narrow(space, [])


@pytest.mark.parametrize("make,error,message", [
    (lambda: LogUniform(0, 1), ValueError, "LogUniform: low must be > 0"),
    (lambda: Uniform(2, 1), ValueError, "Uniform: low must be <= high"),
    (lambda: Uniform(0, float("inf")), TypeError, "Uniform: low and high must be finite"),
    (lambda: Integer(0.5, 3), TypeError, "Integer: low and high must be integers"),
    (lambda: Choice([]), ValueError, "Choice: needs at least one value"),
])
def test_bad_ranges(make, error, message):
    with pytest.raises(error, match=message):
        make()


@pytest.mark.parametrize("space,message", [
    ({"lr": (1e-3, 1e-1)}, "'lr' must be one of"),
    ({}, "non-empty dict"),
])
def test_bad_space(space, message):
    with pytest.raises(TypeError, match=message):
        check_space(space)
