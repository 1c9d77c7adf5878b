"""FeatureClassifier and GANScorer: features are the input of the chosen layer, and the scores
behave on generators whose answer is known (real images, one class only, random labels)."""

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.metrics.gan_scores import frechet_distance, gaussian_fit
from neuronet.models import MLP
from neuronet.train.gan_scores import FeatureClassifier, GANScorer


def _classifier():
    neuronet.manual_seed(0)
    return MLP([16, 12, 6, 3])  # Flatten, Linear, ReLU, Linear, ReLU, Linear


def test_features_are_the_input_of_the_last_linear(rng):
    model = _classifier()
    x = rng.uniform(0, 1, (7, 1, 4, 4)).astype(np.float32)
    labels, features = FeatureClassifier(model, batch_size=3)(x)
    hidden = model[4](model[3](model[2](model[1](model[0](neuronet.from_numpy(x)))))).data
    np.testing.assert_allclose(features, hidden, rtol=1e-6)
    assert features.shape == (7, 6) and features.dtype == np.float64
    np.testing.assert_array_equal(labels, model(neuronet.from_numpy(x)).data.argmax(1))
    assert model.training and not model[5]._forward_pre_hooks  # mode restored, hook removed
    named = FeatureClassifier(model, feature_layer="3")(x)[1]
    np.testing.assert_allclose(named, model[2](model[1](model[0](neuronet.from_numpy(x)))).data,
                               rtol=1e-6)


class _Replay:
    """A stand-in 'generator' that returns given images in [-1, 1] for the requested labels:
    the pool's images of that class (conditional) or the pool in order."""

    def __init__(self, images, labels=None, num_classes=None):
        self.images, self.labels, self.num_classes = images * 2 - 1, labels, num_classes
        self.conditional = num_classes is not None

    def sample(self, n, labels=None, generator=None):
        if labels is None:
            return self.images[np.arange(n) % len(self.images)]
        order = np.random.default_rng(generator).permutation(len(self.labels))
        pools = {c: self.images[order[self.labels[order] == c]] for c in np.unique(labels)}
        return np.stack([pools[c][i % len(pools[c])] for i, c in enumerate(labels)])


def _blobs(rng, n, classes=3):
    """Images whose class is a bright quadrant: easy for the MLP once it is trained."""
    y = rng.integers(0, classes, n)
    x = rng.uniform(0, 0.2, (n, 1, 4, 4)).astype(np.float32)
    for c in range(classes):
        x[y == c, 0, c // 2 * 2:c // 2 * 2 + 2, c % 2 * 2:c % 2 * 2 + 2] += 0.8
    return x, y


def _trained(rng):
    model = _classifier()
    x, y = _blobs(rng, 300)
    opt = neuronet.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        loss = nn.functional.cross_entropy(model(neuronet.from_numpy(x)), neuronet.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return FeatureClassifier(model)


def test_scores_of_known_generators(rng):
    classifier = _trained(rng)
    real_test, _ = _blobs(rng, 600)
    scorer = GANScorer(classifier, real_test, n_samples=600, seed=1)
    x, y = _blobs(rng, 600)
    perfect = _Replay(x, y, num_classes=3)
    scores = scorer(perfect)
    assert scores["class_accuracy"] > 0.95
    np.testing.assert_array_less(0.95, scorer.class_accuracy(perfect))
    floor = scorer.floor(x)
    assert scores["fcd"] < 3 * floor + 1e-3
    collapsed = _Replay(x[y == 0][:1])
    collapsed_fcd = scorer(collapsed)["fcd"]
    assert collapsed_fcd > 20 * scores["fcd"] and set(scorer(collapsed)) == {"fcd"}
    coverage = scorer.mode_coverage(collapsed, 3, n=300)
    assert coverage["entropy"] == 0 and coverage["classes_covered"] == 1
    wide = scorer.mode_coverage(_Replay(x), 3, n=600)
    assert wide["entropy"] > 0.95 * np.log(3)
    shuffled = _Replay(x, rng.permutation(y), num_classes=3)  # ignores the class asked for
    assert scorer(shuffled)["class_accuracy"] < 0.5


def test_score_is_deterministic_and_equals_the_direct_computation(rng):
    classifier = _trained(rng)
    real_test, _ = _blobs(rng, 200)
    scorer = GANScorer(classifier, real_test, n_samples=100, seed=3)
    x, y = _blobs(rng, 200)
    gen = _Replay(x)
    direct = frechet_distance(gaussian_fit(classifier((gen.sample(100) + 1) / 2)[1]),
                              gaussian_fit(classifier(real_test)[1]))
    assert scorer(gen)["fcd"] == pytest.approx(direct, rel=1e-12) == scorer(gen)["fcd"]


def test_bad_input(rng):
    model = _classifier()
    with pytest.raises(ValueError, match="FeatureClassifier: Sequential has no nn.Linear"):
        FeatureClassifier(nn.Sequential(nn.Flatten()))
    with pytest.raises(AttributeError):
        FeatureClassifier(model, feature_layer="nope")
    with pytest.raises(ValueError, match="FeatureClassifier: got no images"):
        FeatureClassifier(model)(np.zeros((0, 1, 4, 4), np.float32))
    with pytest.raises(TypeError, match="GANScorer: classifier must be a FeatureClassifier"):
        GANScorer(model, np.zeros((4, 1, 4, 4)))
    x, _ = _blobs(rng, 20)
    with pytest.raises(ValueError, match="GANScorer: n_samples must be at least 2"):
        GANScorer(FeatureClassifier(model), x, n_samples=1)
    scorer = GANScorer(FeatureClassifier(model), x, n_samples=10)
    with pytest.raises(ValueError, match="the GAN is unconditional; use mode_coverage"):
        scorer.class_accuracy(_Replay(x))
    with pytest.raises(ValueError, match="GANScorer.floor: need at least 2 images"):
        scorer.floor(x[:1])
