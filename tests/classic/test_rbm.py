"""BernoulliRBM: exact likelihood rises, formulas by hand and vs scikit-learn, digits vs sklearn."""

import itertools

import numpy as np
import pytest

from neuronet.classic import BernoulliRBM


def _bars(rng, n, side=3):
    """Bars-and-stripes images (side x side): a classic tiny RBM benchmark."""
    rows = rng.random((n, side)) < 0.5
    imgs = np.repeat(rows[:, :, None], side, axis=2)
    vertical = rng.random(n) < 0.5
    imgs[vertical] = imgs[vertical].transpose(0, 2, 1)
    return imgs.reshape(n, -1).astype(np.float64)


def _random_rbm(rng, H, D):
    rbm = BernoulliRBM(n_components=H, n_iter=1, random_state=0).fit(np.zeros((2, D)))
    rbm.components_ = rng.normal(size=(H, D))
    rbm.intercept_hidden_ = rng.normal(size=H)
    rbm.intercept_visible_ = rng.normal(size=D)
    return rbm


@pytest.mark.parametrize("persistent", [False, True])
def test_exact_log_likelihood_rises_on_tiny_rbm(rng, persistent):
    X = _bars(rng, 200)
    rbm = BernoulliRBM(n_components=6, learning_rate=0.1, batch_size=10, persistent=persistent,
                       momentum=0.5, random_state=0)
    rbm.partial_fit(X)
    ll = [rbm.log_likelihood(X).mean()]
    for _ in range(6):
        for _ in range(20):
            rbm.partial_fit(X)
        ll.append(rbm.log_likelihood(X).mean())
    assert ll[-1] > ll[0] + 1.0, ll
    assert np.sum(np.diff(ll) > 0) >= 5, ll  # rises at (nearly) every checkpoint
    # far above the uniform distribution over 2^9 images: it learned the structure
    assert ll[-1] > -9 * np.log(2) + 1


@pytest.mark.parametrize("H,D", [(3, 5), (6, 4)])  # enumerates visible, then hidden states
def test_exact_likelihood_normalizes(rng, H, D):
    rbm = _random_rbm(rng, H, D)
    everything = np.array(list(itertools.product([0.0, 1.0], repeat=D)))
    assert np.exp(rbm.log_likelihood(everything)).sum() == pytest.approx(1.0, rel=1e-10)


def test_free_energy_and_conditionals_by_hand(rng):
    rbm = _random_rbm(rng, 4, 5)
    v = (rng.random((3, 5)) < 0.5).astype(float)
    W, b, c = rbm.components_, rbm.intercept_visible_, rbm.intercept_hidden_
    # F(v) = -log sum_h exp(-E(v, h)), by enumerating h
    hs = np.array(list(itertools.product([0.0, 1.0], repeat=4)))
    for row, f in zip(v, rbm.free_energy(v), strict=True):
        energies = -(row @ b) - hs @ c - hs @ W @ row
        assert f == pytest.approx(-np.log(np.exp(-energies).sum()), rel=1e-10)
    np.testing.assert_allclose(rbm.transform(v), 1 / (1 + np.exp(-(v @ W.T + c))), rtol=1e-12)


def test_pseudo_likelihood_by_hand(rng):
    rbm = _random_rbm(rng, 4, 6)
    v = (rng.random((5, 6)) < 0.5).astype(float)
    expected = np.zeros(5)
    for i in range(6):
        flipped = v.copy()
        flipped[:, i] = 1 - flipped[:, i]
        e0, e1 = np.exp(-rbm.free_energy(v)), np.exp(-rbm.free_energy(flipped))
        expected += np.log(e0 / (e0 + e1))
    np.testing.assert_allclose(rbm.pseudo_likelihood(v), expected, rtol=1e-10)


def test_matches_sklearn_formulas_on_shared_weights(rng):
    neural_network = pytest.importorskip("sklearn.neural_network")
    X = (rng.random((40, 7)) < 0.4).astype(float)
    theirs = neural_network.BernoulliRBM(n_components=5, n_iter=3, random_state=0).fit(X)
    ours = _random_rbm(rng, 5, 7)
    for name in ("components_", "intercept_hidden_", "intercept_visible_"):
        setattr(ours, name, getattr(theirs, name).copy())
    np.testing.assert_allclose(ours.free_energy(X), theirs._free_energy(X), rtol=1e-10)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), rtol=1e-10)
    # sklearn's score_samples flips one random bit per call: its mean over many calls
    # estimates our exact pseudo-likelihood
    estimates = np.mean([theirs.score_samples(X) for _ in range(400)], axis=0)
    np.testing.assert_allclose(estimates.mean(), ours.pseudo_likelihood(X).mean(), rtol=0.05)


def test_gibbs_sampling_reproduces_learned_distribution(rng):
    X = _bars(rng, 300)
    rbm = BernoulliRBM(n_components=8, learning_rate=0.1, n_iter=150, persistent=True,
                       random_state=0).fit(X)
    samples = rbm.sample(300, steps=200, generator=1)
    assert set(np.unique(samples)) <= {0.0, 1.0}
    images = samples.reshape(-1, 3, 3)
    is_bar = (images == images[:, :, :1]).all((1, 2)) | (images == images[:, :1, :]).all((1, 2))
    assert is_bar.mean() > 0.6  # 14 of 512 images are bars: chance is 3%


def test_weight_decay_shrinks_weights(rng):
    X = _bars(rng, 100)
    plain = BernoulliRBM(n_components=6, n_iter=30, random_state=0).fit(X)
    decayed = BernoulliRBM(n_components=6, n_iter=30, weight_decay=0.05, random_state=0).fit(X)
    assert np.linalg.norm(decayed.components_) < 0.8 * np.linalg.norm(plain.components_)


def test_training_lowers_reconstruction_error_and_is_seeded(rng):
    X = _bars(rng, 100)
    a = BernoulliRBM(n_components=6, n_iter=60, k=2, momentum=0.5, random_state=4).fit(X)
    b = BernoulliRBM(n_components=6, n_iter=60, k=2, momentum=0.5, random_state=4).fit(X)
    np.testing.assert_array_equal(a.components_, b.components_)
    assert a.history_[-1] < 0.7 * a.history_[0]
    assert a.components_.dtype == np.float64
    c = BernoulliRBM(n_components=6, n_iter=2, random_state=4).fit(X.astype(np.float32))
    assert c.components_.dtype == np.float32 and c.transform(X).dtype == np.float32


def test_save_load(tmp_path, rng):
    X = _bars(rng, 50)
    rbm = BernoulliRBM(n_components=4, n_iter=5, persistent=True, random_state=0).fit(X)
    rbm.save(str(tmp_path / "rbm"))
    back = BernoulliRBM.load(str(tmp_path / "rbm"))
    assert back.persistent
    np.testing.assert_array_equal(back.transform(X), rbm.transform(X))
    np.testing.assert_array_equal(back.h_samples_, rbm.h_samples_)
    back.partial_fit(X)  # training continues after loading


def test_bad_input(rng):
    with pytest.warns(UserWarning, match=r"BernoulliRBM: visible values should lie in \[0, 1\]"):
        BernoulliRBM(n_iter=1).fit([[0, 2.0]])
    with pytest.raises(ValueError, match="BernoulliRBM: X contains NaN"):
        BernoulliRBM().fit([[0, np.nan]])
    with pytest.raises(ValueError, match="BernoulliRBM: X must have 2 dims"):
        BernoulliRBM().fit([0, 1])
    with pytest.raises(ValueError, match="BernoulliRBM: k must be a positive int"):
        BernoulliRBM(k=0).fit([[0, 1]])
    with pytest.raises(ValueError, match="need learning_rate > 0"):
        BernoulliRBM(momentum=1.0).fit([[0, 1]])
    rbm = BernoulliRBM(n_components=30, n_iter=1).fit(rng.random((5, 30)))
    with pytest.raises(ValueError, match="X has 3 features, but BernoulliRBM is expecting"):
        rbm.transform(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="exact log Z enumerates 2"):
        rbm.log_partition()
    with pytest.raises(RuntimeError, match="BernoulliRBM: call fit"):
        BernoulliRBM().transform([[0, 1]])


@pytest.mark.slow
def test_digits_comparable_to_sklearn_in_one_run():
    """Same settings as scikit-learn's RBM (PCD-1, lr 0.06, batch 10, 10 epochs, 100 units):
    pseudo-likelihood within 5% and RBM features + logistic regression within 3 points."""
    sklearn = pytest.importorskip("sklearn")
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM as SkRBM

    assert sklearn
    d = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(d.data / 16, d.target, test_size=0.25, random_state=0,
                                          stratify=d.target)
    settings = dict(n_components=100, learning_rate=0.06, batch_size=10, n_iter=10,
                    random_state=0)
    ours = BernoulliRBM(persistent=True, **settings).fit(Xtr)
    theirs = SkRBM(**settings).fit(Xtr)
    twin = BernoulliRBM(**settings).fit(Xtr[:2])  # our exact pseudo-likelihood on their weights
    for name in ("components_", "intercept_hidden_", "intercept_visible_"):
        setattr(twin, name, getattr(theirs, name))
    binary = (Xte > 0.5).astype(float)
    assert ours.score(binary) >= 1.05 * twin.score(binary)  # log-likelihoods are negative
    accuracy = []
    for model in (ours, theirs):
        clf = LogisticRegression(max_iter=500).fit(model.transform(Xtr), ytr)
        accuracy.append(clf.score(model.transform(Xte), yte))
    assert accuracy[0] >= accuracy[1] - 0.03, accuracy
    assert accuracy[0] > 0.8  # logistic regression on raw pixels with C=1 gets ~0.96
