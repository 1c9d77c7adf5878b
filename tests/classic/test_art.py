"""ART1 and Fuzzy ART: vigilance controls granularity, learned patterns resonate unchanged."""

import numpy as np
import pytest

from neuronet.classic import ART1, FuzzyART


@pytest.fixture(scope="module")
def binary_digits():
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    return (d.data[:500] >= 8).astype(np.float64), d.target[:500]


def _tightness(model, X):
    """Mean match |I ^ w| / |I| of each training sample with its own category."""
    I = model._encode(X)
    overlap = np.minimum(I, model.weights_[model.labels_]).sum(1)
    return float(np.mean(overlap / I.sum(1)))


@pytest.mark.parametrize("cls", [ART1, FuzzyART])
def test_higher_vigilance_more_tighter_categories(binary_digits, cls):
    X, _ = binary_digits
    counts, tight = [], []
    for rho in [0.3, 0.5, 0.7, 0.85]:
        model = cls(vigilance=rho).fit(X)
        counts.append(model.n_categories_)
        tight.append(_tightness(model, X))
        assert np.all(model.predict(X) == model.labels_)  # stable after training
    assert all(a < b for a, b in zip(counts, counts[1:], strict=False)), counts
    assert all(a < b for a, b in zip(tight, tight[1:], strict=False)), tight


@pytest.mark.parametrize("cls", [ART1, FuzzyART])
def test_learned_pattern_selects_its_category_without_change(binary_digits, cls):
    X, _ = binary_digits
    model = cls(vigilance=0.6).fit(X)
    W = model.weights_.copy()
    for k in [0, 17, 123]:
        category = model.predict(X[k:k + 1])[0]
        assert category == model.labels_[k]
        model.partial_fit(X[k:k + 1])
        np.testing.assert_array_equal(model.weights_, W)


def test_art1_weights_are_and_of_members_and_choice_by_hand():
    X = np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]], dtype=float)
    model = ART1(vigilance=0.6, max_epochs=1).fit(X)
    # sample 1 matches category 0 (|I^w|/|I| = 2/3 >= 0.6) and ANDs into it; sample 2 is new
    np.testing.assert_array_equal(model.labels_, [0, 0, 1])
    np.testing.assert_array_equal(model.weights_, [[1, 1, 0, 0], [0, 0, 1, 1]])
    # [1, 1, 1, 1]: match 2/4 with each category: below vigilance 0.6 -> no category
    assert model.predict([[1, 1, 1, 1]])[0] == -1
    # [0, 1, 1, 1]: category 1 (overlap 2/(alpha+2)) beats category 0 (1/(alpha+2))
    model.vigilance = 0.5
    assert model.predict([[0, 1, 1, 1]])[0] == 1


def test_fuzzy_art_boxes_grow_and_slow_learning():
    model = FuzzyART(vigilance=0.5).fit([[0.2, 0.2], [0.4, 0.3]])
    assert model.n_categories_ == 1
    # complement-coded box: [min corner, 1 - max corner]
    np.testing.assert_allclose(model.weights_[0], [0.2, 0.2, 0.6, 0.7])
    slow = FuzzyART(vigilance=0.5, beta=0.5, max_epochs=1).fit([[0.2, 0.2], [0.4, 0.3]])
    np.testing.assert_allclose(slow.weights_[0], [0.2, 0.2, 0.7, 0.75])


def test_shuffle_is_seeded(binary_digits):
    X, _ = binary_digits
    a = ART1(vigilance=0.6, shuffle=True, random_state=3).fit(X)
    b = ART1(vigilance=0.6, shuffle=True, random_state=3).fit(X)
    np.testing.assert_array_equal(a.weights_, b.weights_)


def test_save_load(tmp_path, binary_digits):
    X, _ = binary_digits
    model = FuzzyART(vigilance=0.7).fit(X[:100])
    model.save(str(tmp_path / "art"))
    back = FuzzyART.load(str(tmp_path / "art"))
    np.testing.assert_array_equal(back.predict(X), model.predict(X))
    assert back.n_iter_ == model.n_iter_


def test_bad_input():
    with pytest.raises(ValueError, match=r"ART1: X must contain only \(0, 1\)"):
        ART1().fit([[0, 0.5]])
    with pytest.raises(ValueError, match="ART1: input row 1 is all zeros"):
        ART1().fit([[1, 0], [0, 0]])
    with pytest.raises(ValueError, match=r"FuzzyART: inputs must lie in \[0, 1\]"):
        FuzzyART().fit([[0, 1.5]])
    with pytest.raises(ValueError, match="FuzzyART: X contains NaN"):
        FuzzyART().fit([[0, np.nan]])
    with pytest.raises(ValueError, match="ART1: X must have 2 dims"):
        ART1().fit([1, 0])
    with pytest.raises(ValueError, match="need 0 <= vigilance <= 1"):
        ART1(vigilance=1.5).fit([[1, 0]])
    model = ART1().fit([[1, 0, 1]])
    with pytest.raises(ValueError, match="ART1: X has 2 features, but ART1 is expecting 3"):
        model.predict([[1, 0]])
    with pytest.raises(RuntimeError, match="FuzzyART: call fit"):
        FuzzyART().predict([[0.1]])
