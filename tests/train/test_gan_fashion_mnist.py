"""A short conditional-DCGAN run on real Fashion-MNIST images: the Fréchet classifier distance
falls well below that of the untrained generator."""

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.data import DataLoader, TensorDataset
from neuronet.data.registry import get_dataset_spec
from neuronet.models import MLP
from neuronet.models.gan import build_gan
from neuronet.train import fit
from neuronet.train.gan import GANTrainer
from neuronet.train.gan_scores import FeatureClassifier, GANScorer

SUBSET = 1536


@pytest.fixture(scope="module")
def fashion():
    spec = get_dataset_spec("fashion-mnist")
    if spec.locate() is None:
        pytest.skip("Fashion-MNIST is not installed (make test installs it)")
    return spec.load("train"), spec.load("test")


@pytest.mark.slow
def test_fcd_falls_on_fashion_mnist(fashion):
    (x, y), (x_test, y_test) = fashion
    neuronet.manual_seed(0)
    pick = np.random.default_rng(0).permutation(len(y))
    classifier = MLP([784, 128, 64, 10])
    fit(classifier, DataLoader(TensorDataset(x[pick[:6000]], y[pick[:6000]]), 128,
                               shuffle=True, generator=0),
        nn.CrossEntropyLoss(), neuronet.optim.Adam(classifier.parameters(), lr=2e-3), 2,
        progress=False)
    scorer = GANScorer(FeatureClassifier(classifier), x_test[:2000], n_samples=1000)
    gan = build_gan("cdcgan", (1, 28, 28), 10, width=16, latent_dim=32)
    trainer = GANTrainer(gan, lr=5e-4, scorer=scorer, progress=False)
    untrained = scorer(gan)["fcd"]
    real = x[pick[6000:6000 + SUBSET]] * 2 - 1
    loader = DataLoader(TensorDataset(real, y[pick[6000:6000 + SUBSET]]), 64, shuffle=True,
                        generator=0)
    history = trainer.fit(loader, 2)
    fcd = history.history["fcd"]
    floor = scorer.floor(x[pick[:6000]])
    assert fcd[-1] < 0.5 * untrained, (untrained, fcd)
    assert floor < 0.2 * fcd[-1]  # real images are far closer still: the score can tell
    assert 0 < history.last("d_real") < 1 and 0 < history.last("d_fake") < 1
