"""DBN: greedy stack, RBM weights become nn.Linear weights, fine-tuning, generation, save/load."""

import numpy as np
import pytest

import neuronet
from neuronet.classic import DBN, BernoulliRBM
from neuronet.classic.dbn import stack_to_sequential


@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    d = datasets.load_digits()
    return d.data / 16.0, d.target


@pytest.fixture(scope="module")
def trained(digits):
    X, y = digits
    neuronet.manual_seed(0)
    return DBN((48, 24), n_iter=8, batch_size=10, finetune_epochs=15, random_state=0).fit(
        X[:1300], y[:1300])


def test_greedy_stack_shapes_and_layer_inputs(digits):
    X, _ = digits
    dbn = DBN((20, 7), n_iter=2, random_state=0).pretrain(X[:200])
    assert [r.components_.shape for r in dbn.rbms_] == [(20, 64), (7, 20)]
    assert dbn.transform(X[:5]).shape == (5, 7)
    # greedy: layer 2 is an RBM fitted to layer 1's hidden probabilities, nothing more
    gen = np.random.default_rng(0)
    settings = dict(learning_rate=0.05, batch_size=32, n_iter=2, momentum=0.5, random_state=gen)
    rbm1 = BernoulliRBM(n_components=20, **settings).fit(X[:200])
    rbm2 = BernoulliRBM(n_components=7, **settings).fit(rbm1.transform(X[:200]))
    np.testing.assert_array_equal(dbn.rbms_[0].components_, rbm1.components_)
    np.testing.assert_array_equal(dbn.rbms_[1].components_, rbm2.components_)


def test_sequential_carries_the_rbm_weights(digits):
    X, _ = digits
    dbn = DBN((16, 8), n_iter=2, random_state=0).pretrain(X[:100])
    net = stack_to_sequential(dbn.rbms_)
    assert list(net.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    out = net(neuronet.from_numpy(X[:10].astype(np.float32))).data
    np.testing.assert_allclose(out, dbn.transform(X[:10]), rtol=1e-5, atol=1e-6)
    head = stack_to_sequential(dbn.rbms_, n_outputs=3)
    assert head(neuronet.from_numpy(X[:4].astype(np.float32))).shape == (4, 3)


def test_finetuned_classifier_on_digits(trained, digits):
    X, y = digits
    assert trained.score(X[1300:], y[1300:]) > 0.85
    proba = trained.predict_proba(X[1300:1310])
    np.testing.assert_allclose(proba.sum(1), 1, rtol=1e-5)
    np.testing.assert_array_equal(trained.classes_, np.arange(10))


def test_generation_resembles_the_data(trained, digits):
    X, _ = digits
    samples = trained.generate(200, gibbs_steps=100, generator=0)
    assert samples.shape == (200, 64)
    assert samples.min() >= 0 and samples.max() <= 1
    # the mean generated image has the shape of the mean digit (dark border, bright centre)
    assert np.corrcoef(samples.mean(0), X.mean(0))[0, 1] > 0.7


def test_save_load(tmp_path, trained, digits):
    X, _ = digits
    trained.save(str(tmp_path / "dbn"))
    back = DBN.load(str(tmp_path / "dbn"))
    np.testing.assert_array_equal(back.predict(X[:50]), trained.predict(X[:50]))
    np.testing.assert_array_equal(back.transform(X[:5]), trained.transform(X[:5]))
    unlabelled = DBN((8,), n_iter=1, random_state=0).fit(X[:50])
    unlabelled.save(str(tmp_path / "plain"))
    with pytest.raises(RuntimeError, match="DBN: no classifier"):
        DBN.load(str(tmp_path / "plain")).predict(X[:2])


def test_bad_input(digits):
    X, y = digits
    with pytest.raises(ValueError, match="DBN: hidden_layer_sizes must be one or more"):
        DBN(()).fit(X[:10])
    with pytest.raises(ValueError, match="DBN: X contains NaN"):
        DBN((4,)).fit(np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match=r"DBN: visible values must lie in \[0, 1\]"):
        DBN((4,)).fit(X[:10] * 16)
    dbn = DBN((4,), n_iter=1, finetune_epochs=1, random_state=0).fit(X[:30], y[:30])
    with pytest.raises(ValueError, match="DBN: X has 3 features, but DBN is expecting 64 features"):
        dbn.predict(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"DBN: y must have shape \(30,\)"):
        dbn.finetune(X[:30], y[:29])
    with pytest.raises(RuntimeError, match="DBN: call fit"):
        DBN().transform(X[:2])
