"""Scoring a GAN with a classifier trained on the real data: Fréchet classifier distance (FCD),
class accuracy of conditional samples, mode coverage.

    classifier = FeatureClassifier(lenet)               # features: the input of its last Linear
    scorer = GANScorer(classifier, x_test, n_samples=5000)   # x_test in [0, 1], as trained on
    scorer(gan)            # {"fcd": ..., "class_accuracy": ...}: what GANTrainer logs per epoch
    scorer.floor(x_train)  # FCD of real training images: the value a perfect generator nears
    scorer.mode_coverage(gan, 10_000)   # label histogram and entropy of unconditional samples

The classifier may be any trained model giving class scores (N, C); its features are the
input of one of its layers, caught by a forward pre-hook (default: the last nn.Linear, whose
input is the penultimate layer's activations). Generated images in [-1, 1] are mapped to the
classifier's [0, 1] range. Samples are drawn from fixed seeds, so the same generator always
gets the same score and the per-epoch curve shows the generator changing, not the noise.
"""

import numpy as np

from neuronet import nn
from neuronet.autograd.grad_mode import no_grad
from neuronet.creation import from_numpy
from neuronet.metrics.gan_scores import (
    frechet_distance,
    gaussian_fit,
    mode_coverage,
    per_class_accuracy,
)


class FeatureClassifier:
    """A trained classifier read out at two places: its class scores and its features.

    feature_layer: the name of the submodule whose input are the features (as
    model.get_submodule(name)); None = the last nn.Linear in the model.
    batch_size: images per forward pass.
    """

    def __init__(self, model, feature_layer=None, batch_size=1000):
        if feature_layer is None:
            linears = [name for name, m in model.named_modules() if isinstance(m, nn.Linear)]
            if not linears:
                raise ValueError(f"FeatureClassifier: {type(model).__name__} has no nn.Linear "
                                 "layer; name the layer whose input are the features "
                                 "(feature_layer=...)")
            feature_layer = linears[-1]
        self.model, self.feature_layer, self.batch_size = model, feature_layer, batch_size
        self.layer = model.get_submodule(feature_layer)

    def __call__(self, images):
        """(predicted labels (N,), features (N, D)) of images (N, C, H, W) in [0, 1]."""
        images = np.asarray(images)
        caught = []
        handle = self.layer.register_forward_pre_hook(
            lambda module, args: caught.append(args[0].data.reshape(len(args[0].data), -1)))
        labels = []
        was_training = self.model.training
        self.model.eval()
        try:
            with no_grad():
                for start in range(0, len(images), self.batch_size):
                    scores = self.model(from_numpy(images[start:start + self.batch_size]))
                    labels.append(scores.data.argmax(axis=1))
        finally:
            handle.remove()
            self.model.train(was_training)
        if not labels:
            raise ValueError("FeatureClassifier: got no images")
        return np.concatenate(labels), np.concatenate(caught).astype(np.float64)


def _to_unit_range(images):
    return (np.asarray(images) + 1) / 2


class GANScorer:
    """Scores of a GAN's samples under `classifier` (a FeatureClassifier) against the real
    images `real` (N, C, H, W) in [0, 1] (the test split: images the classifier never saw).

    n_samples: generated images per score (conditional: spread evenly over the classes).
    seed: of the noise (and labels) the samples are drawn from.
    """

    def __init__(self, classifier, real, n_samples=5000, seed=0):
        if not isinstance(classifier, FeatureClassifier):
            raise TypeError(f"GANScorer: classifier must be a FeatureClassifier, got "
                            f"{type(classifier).__name__}")
        if n_samples < 2:
            raise ValueError(f"GANScorer: n_samples must be at least 2, got {n_samples}")
        self.classifier, self.n_samples, self.seed = classifier, int(n_samples), seed
        self.real_fit = gaussian_fit(classifier(real)[1])

    def samples(self, gan, n):
        """(n images in [0, 1], requested labels (n,) or None) from the fixed seed."""
        labels = np.arange(n) % gan.num_classes if gan.conditional else None
        return _to_unit_range(gan.sample(n, labels, generator=self.seed)), labels

    def __call__(self, gan):
        """{"fcd": Fréchet classifier distance of n_samples generated images to the real
        ones, and for a conditional GAN "class_accuracy": the fraction of samples the
        classifier puts in the class asked for, averaged over the classes}."""
        images, requested = self.samples(gan, self.n_samples)
        predicted, features = self.classifier(images)
        scores = {"fcd": frechet_distance(gaussian_fit(features), self.real_fit)}
        if requested is not None:
            scores["class_accuracy"] = float(np.nanmean(
                per_class_accuracy(requested, predicted, gan.num_classes)))
        return scores

    def class_accuracy(self, gan, n=None):
        """(num_classes,) per-class accuracy of n conditional samples (default n_samples)."""
        if not gan.conditional:
            raise ValueError("GANScorer.class_accuracy: the GAN is unconditional; use "
                             "mode_coverage")
        images, requested = self.samples(gan, n or self.n_samples)
        return per_class_accuracy(requested, self.classifier(images)[0], gan.num_classes)

    def floor(self, real_images, seed=0):
        """The FCD of n_samples real images (e.g. the training split, in [0, 1], drawn at
        random with `seed`) to the reference ones: what a generator as good as the data
        itself would score with this many samples."""
        real_images = np.asarray(real_images)
        if len(real_images) < 2:
            raise ValueError(f"GANScorer.floor: need at least 2 images, got {len(real_images)}")
        pick = np.random.default_rng(seed).permutation(len(real_images))[:self.n_samples]
        return frechet_distance(gaussian_fit(self.classifier(real_images[pick])[1]),
                                self.real_fit)

    def mode_coverage(self, gan, num_classes, n=10_000):
        """The classifier's label histogram and entropy over n samples of the GAN (for a
        conditional one, with the classes asked for in turn); see
        neuronet.metrics.gan_scores.mode_coverage."""
        return mode_coverage(self.classifier(self.samples(gan, n)[0])[0], num_classes)
