"""Hopfield: stored patterns are fixed points, energy never rises, capacity, 2-cycles, bad input."""

import numpy as np
import pytest

from neuronet.classic import Hopfield, capacity_curve, to_bipolar


def _patterns(rng, p, n):
    return rng.choice([-1.0, 1.0], size=(p, n))


@pytest.mark.parametrize("rule", ["hebbian", "storkey"])
def test_weights_symmetric_zero_diagonal(rng, rule):
    W = Hopfield(rule).fit(_patterns(rng, 6, 40)).weights_
    np.testing.assert_allclose(W, W.T, atol=1e-6)
    np.testing.assert_array_equal(np.diag(W), 0)


def test_hebbian_weights_match_outer_product_sum(rng):
    X = _patterns(rng, 3, 10)
    expected = sum(np.outer(x, x) for x in X) / 10
    np.fill_diagonal(expected, 0)
    np.testing.assert_allclose(Hopfield().fit(X).weights_, expected, rtol=1e-6)


def test_storkey_first_pattern_is_hebbian_and_second_matches_formula(rng):
    X = _patterns(rng, 2, 8).astype(np.float64)
    W1 = np.outer(X[0], X[0]) / 8
    np.fill_diagonal(W1, 0)
    x = X[1]
    W2 = W1.copy()
    for i in range(8):  # the rule written out element by element
        for j in range(8):
            h_ij = sum(W1[i, k] * x[k] for k in range(8) if k not in (i, j))
            h_ji = sum(W1[j, k] * x[k] for k in range(8) if k not in (i, j))
            W2[i, j] += (x[i] * x[j] - x[i] * h_ji - h_ij * x[j]) / 8
    np.fill_diagonal(W2, 0)
    np.testing.assert_allclose(Hopfield("storkey").fit(X).weights_, W2, rtol=1e-10)


@pytest.mark.parametrize("rule", ["hebbian", "storkey"])
@pytest.mark.parametrize("update", ["async", "sync"])
def test_stored_patterns_are_fixed_points(rng, rule, update):
    X = _patterns(rng, 5, 100)  # 0.05 N: well under capacity
    net = Hopfield(rule, update, random_state=0).fit(X)
    state, steps, status = net.recall(X, return_status=True)
    np.testing.assert_array_equal(state, X)
    np.testing.assert_array_equal(steps, 0)
    assert status == ["fixed_point"] * 5


@pytest.mark.parametrize("rule", ["hebbian", "storkey"])
def test_energy_never_rises_under_async_updates(rng, rule):
    X = _patterns(rng, 12, 60)  # above capacity: many spurious moves
    net = Hopfield(rule, max_iter=1, random_state=0).fit(X)
    state = _patterns(rng, 1, 60)[0]
    energies = [net.energy(state)]
    for _ in range(20):  # one sweep at a time
        state, _ = net.recall(state)
        energies.append(net.energy(state))
    assert np.all(np.diff(energies) <= 1e-9), energies
    assert energies[-1] < energies[0]


def test_energy_matches_formula(rng):
    X = _patterns(rng, 3, 20)
    net = Hopfield().fit(X)
    s = _patterns(rng, 4, 20)
    expected = [-0.5 * v @ net.weights_ @ v for v in s]
    np.testing.assert_allclose(net.energy(s), expected, rtol=1e-5)
    assert isinstance(net.energy(s[0]), float)


def test_recall_from_noisy_pattern(rng):
    X = _patterns(rng, 4, 200)
    net = Hopfield(random_state=0).fit(X)
    noisy = X.copy()
    flip = rng.choice(200, 30, replace=False)
    noisy[:, flip] *= -1
    state, steps = net.recall(noisy)
    np.testing.assert_array_equal(state, X)
    assert np.all(steps >= 1)
    assert np.all(noisy[:, flip] == -X[:, flip])  # the input was not changed in place


def test_sync_detects_two_cycle():
    # Two neurons with a negative coupling, both +1: synchronous update flips both every step.
    net = Hopfield("hebbian", "sync").fit([[1.0, -1.0]])
    state, steps, status = net.recall([1.0, 1.0], return_status=True)
    assert status == "2-cycle"
    assert np.all(np.isin(state, [-1, 1]))
    # asynchronous updates settle instead
    net_async = Hopfield("hebbian", "async", random_state=0).fit([[1.0, -1.0]])
    _, _, status = net_async.recall([1.0, 1.0], return_status=True)
    assert status == "fixed_point"


def test_zero_field_keeps_state():
    net = Hopfield().fit([[1.0, 1.0, 1.0, 1.0]])
    net.weights_[:] = 0  # every field is zero
    state, steps = net.recall([1.0, -1.0, 1.0, -1.0])
    np.testing.assert_array_equal(state, [1, -1, 1, -1])
    assert steps == 0


def test_capacity_hebbian_fails_near_0_14_n_storkey_later():
    loads = [5, 10, 25, 35]
    hebb = capacity_curve(100, loads, "hebbian", trials=3, random_state=0)
    stork = capacity_curve(100, loads, "storkey", trials=3, random_state=0)
    assert hebb[0] == 1.0 and hebb[1] > 0.9  # below 0.14 N
    assert hebb[2] < 0.6 and hebb[3] < 0.2  # above it
    assert stork[2] > 0.9 and stork[3] > hebb[3] + 0.5


def test_save_load(tmp_path, rng):
    X = _patterns(rng, 3, 30)
    net = Hopfield("storkey", "sync").fit(X)
    net.save(str(tmp_path / "h"))
    back = Hopfield.load(str(tmp_path / "h"))
    assert back.learning_rule == "storkey" and back.update == "sync"
    np.testing.assert_array_equal(back.weights_, net.weights_)
    np.testing.assert_array_equal(back.predict(X), X)


def test_bad_input(rng):
    with pytest.raises(ValueError, match=r"Hopfield: X must contain only \(-1, 1\)"):
        Hopfield().fit([[0, 1, 1]])
    with pytest.raises(ValueError, match="Hopfield: 4 patterns for 3 neurons"):
        Hopfield().fit(_patterns(rng, 4, 3))
    with pytest.raises(ValueError, match="Hopfield: X contains NaN"):
        Hopfield().fit([[1, np.nan]])
    with pytest.raises(ValueError, match="Hopfield: X is empty"):
        Hopfield().fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match=r"learning_rule must be one of \['hebbian', 'storkey'\]"):
        Hopfield("oja").fit([[1, -1]])
    with pytest.raises(ValueError, match=r"update must be one of \['async', 'sync'\]"):
        Hopfield(update="parallel").fit([[1, -1]])
    net = Hopfield().fit(_patterns(rng, 2, 5))
    with pytest.raises(ValueError, match="Hopfield: X has 4 features, but Hopfield is expecting"):
        net.recall([1, 1, 1, 1])
    with pytest.raises(ValueError, match="Hopfield: X must contain only"):
        net.energy([1, 0, 1, 1, 1])
    with pytest.raises(RuntimeError, match="Hopfield: call fit"):
        Hopfield().recall([1, -1])


def test_to_bipolar_marks_entries_above_their_row_mean():
    X = np.array([[0.0, 1.0, 2.0, 3.0], [5.0, 5.0, 5.0, 9.0]])
    assert to_bipolar(X).tolist() == [[-1, -1, 1, 1], [-1, -1, -1, 1]]
    with pytest.raises(ValueError, match="to_bipolar: X contains NaN"):
        to_bipolar([[0.0, np.nan]])
    with pytest.raises(ValueError, match="to_bipolar: X must have 2 dims"):
        to_bipolar([0.0, 1.0])


def test_update_unit_steps_reach_recall_fixed_point(rng):
    """Unit-by-unit updates in recall's order give recall's state; energy never rises."""
    patterns = np.where(rng.normal(size=(3, 40)) > 0, 1.0, -1.0)
    net = Hopfield(random_state=3).fit(patterns)
    start = patterns[0].copy()
    start[:8] *= -1
    expected, _ = net.recall(start)
    state, gen, energy = start.copy(), np.random.default_rng(3), net.energy(start)
    for _ in range(net.max_iter):
        flips = [net.update_unit(state, i) for i in gen.permutation(40)]
        assert net.energy(state) <= energy + 1e-12
        energy = net.energy(state)
        if not any(flips):
            break
    np.testing.assert_array_equal(state, expected)
