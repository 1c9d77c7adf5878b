"""Perceptron and M-P neuron: convergence on separable data, honest failure on XOR, bad input."""

import numpy as np
import pytest

from neuronet.classic import ConvergenceWarning, MPNeuron, Perceptron

BITS2 = np.array([[0, 0], [0, 1], [1, 0], [1, 1]])


@pytest.mark.parametrize("target", [[0, 0, 0, 1], [0, 1, 1, 1]], ids=["AND", "OR"])
def test_learns_and_or(target):
    p = Perceptron(random_state=0).fit(BITS2, target)
    assert p.converged_ and p.errors_[-1] == 0
    np.testing.assert_array_equal(p.predict(BITS2), target)


def test_learns_not():
    p = Perceptron(random_state=0).fit([[0], [1]], [1, 0])
    np.testing.assert_array_equal(p.predict([[0], [1]]), [1, 0])


@pytest.mark.parametrize("seed", range(5))
def test_random_separable_sets(seed):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(200, 5))
    w, b = rng.normal(size=5), rng.normal()
    margin = X @ w + b
    keep = np.abs(margin) > 0.2  # a margin keeps the number of updates small (Novikoff)
    X, y = X[keep], (margin[keep] > 0).astype(int) * 2 - 1  # labels -1/+1
    p = Perceptron(max_iter=1000, random_state=seed).fit(X, y)
    assert p.converged_
    assert p.score(X, y) == 1.0
    np.testing.assert_array_equal(p.classes_, [-1, 1])


def test_xor_reports_non_convergence():
    with pytest.warns(ConvergenceWarning, match="not be linearly separable"):
        p = Perceptron(max_iter=50, random_state=0).fit(BITS2, [0, 1, 1, 0])
    assert not p.converged_ and p.n_iter_ == 50
    assert p.score(BITS2, [0, 1, 1, 0]) < 1.0


def test_pocket_keeps_best_weights_on_noisy_data():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 2))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    flip = rng.choice(300, 15, replace=False)
    y[flip] = 1 - y[flip]  # 5% label noise: not separable
    with pytest.warns(ConvergenceWarning):
        plain = Perceptron(max_iter=30, random_state=0).fit(X, y)
    with pytest.warns(ConvergenceWarning):
        pocket = Perceptron(max_iter=30, pocket=True, random_state=0).fit(X, y)
    assert pocket.score(X, y) >= 0.93  # the best line errs only on (about) the flipped labels
    assert pocket.score(X, y) >= plain.score(X, y)


def test_seeded_runs_repeat():
    X = np.random.default_rng(0).normal(size=(50, 3))
    y = X[:, 0] > 0
    a = Perceptron(random_state=7).fit(X, y)
    b = Perceptron(random_state=7).fit(X, y)
    np.testing.assert_array_equal(a.coef_, b.coef_)


def test_save_load_roundtrip(tmp_path):
    p = Perceptron(random_state=1).fit(BITS2, [0, 0, 0, 1])
    path = str(tmp_path / "p")
    p.save(path)
    q = Perceptron.load(path)
    np.testing.assert_array_equal(q.coef_, p.coef_)
    assert q.intercept_ == p.intercept_ and q.converged_
    np.testing.assert_array_equal(q.predict(BITS2), [0, 0, 0, 1])


def test_load_rejects_other_model_and_corrupt_file(tmp_path):
    from neuronet.classic.base import ClassicModel

    path = str(tmp_path / "p")
    Perceptron(random_state=1).fit(BITS2, [0, 0, 0, 1]).save(path)

    class Other(ClassicModel):
        pass

    with pytest.raises(ValueError, match="holds a 'Perceptron'"):
        Other.load(path)
    with open(path + ".npz", "wb") as f:
        f.write(b"garbage")
    with pytest.raises(ValueError, match="cannot read"):
        Perceptron.load(path)
    with pytest.raises(ValueError, match="cannot read"):
        Perceptron.load(str(tmp_path / "missing"))


def test_mp_neuron_logic_gates():
    np.testing.assert_array_equal(MPNeuron([1, 1], 2).predict(BITS2), [0, 0, 0, 1])
    np.testing.assert_array_equal(MPNeuron([1, 1], 1).predict(BITS2), [0, 1, 1, 1])
    # x0 AND NOT x1 by absolute inhibition
    gate = MPNeuron([1, 0], 1, inhibitory=[False, True])
    np.testing.assert_array_equal(gate.predict(BITS2), [0, 0, 1, 0])


def test_bad_input():
    with pytest.raises(ValueError, match="Perceptron: X must have 2 dims"):
        Perceptron().fit([0, 1], [0, 1])
    with pytest.raises(ValueError, match="Perceptron: X contains NaN"):
        Perceptron().fit([[np.nan], [1]], [0, 1])
    with pytest.raises(ValueError, match="Perceptron: y must have shape"):
        Perceptron().fit(BITS2, [0, 1])
    with pytest.raises(ValueError, match="at most two classes"):
        Perceptron().fit(BITS2, [0, 1, 2, 0])
    with pytest.raises(ValueError, match="Perceptron: X is empty"):
        Perceptron().fit(np.zeros((0, 2)), [])
    with pytest.raises(RuntimeError, match="Perceptron: call fit"):
        Perceptron().predict(BITS2)
    p = Perceptron(random_state=0).fit(BITS2, [0, 0, 0, 1])
    with pytest.raises(ValueError, match="X has 3 features, but Perceptron is expecting 2"):
        p.predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="MPNeuron: X must contain only"):
        MPNeuron([1, 1], 1).predict([[0, 2]])
    with pytest.raises(ValueError, match="MPNeuron: inhibitory must have shape"):
        MPNeuron([1, 1], 1, inhibitory=[True])


def test_learning_step_is_the_rule():
    from neuronet.classic.perceptron import learning_step
    w = np.array([0.5, -1.0])
    b, delta = learning_step(w, 0.25, np.array([1.0, 2.0]), 1, eta=0.5)  # o = 0: a mistake
    assert delta == 1 and b == 0.75
    np.testing.assert_array_equal(w, [1.0, 0.0])
    b, delta = learning_step(w, b, np.array([1.0, 2.0]), 1, eta=0.5)  # now o = 1: no change
    assert delta == 0 and b == 0.75
    np.testing.assert_array_equal(w, [1.0, 0.0])
