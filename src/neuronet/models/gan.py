"""Generative adversarial networks for small single-channel images (28x28 Fashion-MNIST, 8x8
digits): a fully connected GAN, a DCGAN and a conditional DCGAN.

    gan = build_gan("cdcgan", image_shape=(1, 28, 28), num_classes=10)
    images = gan.sample(16, labels=np.full(16, 3))   # (16, 1, 28, 28) in (-1, 1)
    logits = gan.discriminator(images, labels)         # (16,) real-vs-fake scores

A generator maps noise z (N, latent_dim) (and, when conditional, class labels (N,)) to images
(N, C, H, W) in (-1, 1) (tanh output: train on images scaled to [-1, 1]); a discriminator maps
images (and labels) to one logit per sample (N,), positive for "real". `GAN` holds both as the
submodules `generator` and `discriminator`, so one state_dict (keys "generator.*",
"discriminator.*") saves the pair. Train with neuronet.train.gan.GANTrainer.

DCGAN (Radford et al. 2016), sized for H, W divisible by 4: the generator projects z with a
linear layer to (2w, H/4, W/4), then two stride-2 transposed convolutions (kernel 4, padding 1)
double the size twice: batch norm + ReLU after each but the last, tanh at the end. The
discriminator mirrors it with stride-2 convolutions and leaky ReLU (0.2), batch norm on the
second, and a linear layer to the logit. Weights start from N(0, 0.02) (batch-norm scales
from N(1, 0.02)), as in the paper. The conditional DCGAN joins a learned label embedding to z,
and a learned (H, W) label map to the discriminator's input as an extra channel.
"""

import math

import numpy as np

from neuronet import nn
from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor
from neuronet.creation import from_numpy, randn
from neuronet.ops.shape import cat


def _check_positive(who, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{who}: {name} must be a positive integer, got {value!r}")
    return int(value)


def _check_image_shape(who, image_shape, multiple=1):
    shape = tuple(image_shape)
    if len(shape) != 3 or any(isinstance(s, bool) or not isinstance(s, (int, np.integer))
                              or s < 1 for s in shape):
        raise ValueError(f"{who}: image_shape must be (C, H, W) of positive integers, got "
                         f"{image_shape!r}")
    if shape[1] % multiple or shape[2] % multiple:
        raise ValueError(f"{who}: image height and width must be multiples of {multiple}, got "
                         f"{shape[1]}x{shape[2]}")
    return tuple(int(s) for s in shape)


def _dcgan_init(module):
    """N(0, 0.02) weights for (transposed) convolutions and linear layers; N(1, 0.02) scales
    and zero shifts for batch norm."""
    if isinstance(module, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
        nn.init.normal_(module.weight, 0.0, 0.02)
        if module.bias is not None:
            nn.init.zeros_(module.bias)
    elif isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        nn.init.normal_(module.weight, 1.0, 0.02)
        nn.init.zeros_(module.bias)


class _Conditioned(nn.Module):
    """What generators and discriminators share: the checks of their inputs and labels.

    num_classes: None for an unconditional net (forward(x)), else forward(x, labels) with
    integer labels (N,) in [0, num_classes).
    """

    def __init__(self, num_classes):
        super().__init__()
        self.num_classes = None if num_classes is None else _check_positive(
            type(self).__name__, "num_classes", num_classes)

    def _check(self, x, shape, what):
        if x.ndim != 1 + len(shape) or tuple(x.shape[1:]) != tuple(shape):
            expected = ", ".join(map(str, shape))
            raise ValueError(f"{self._get_name()}: {what} must be (N, {expected}), got shape "
                             f"{tuple(x.shape)}")

    def _labels(self, labels, n):
        """The labels as an int64 Tensor (n,), or None for an unconditional net."""
        name = self._get_name()
        if self.num_classes is None:
            if labels is not None:
                raise ValueError(f"{name}: this net is unconditional; it takes no labels")
            return None
        if labels is None:
            raise ValueError(f"{name}: this conditional net needs labels (N,) in "
                             f"[0, {self.num_classes})")
        array = np.asarray(labels.data if isinstance(labels, Tensor) else labels)
        if array.dtype.kind not in "iu":
            raise TypeError(f"{name}: labels must be integers, got dtype {array.dtype}")
        if array.shape != (n,):
            raise ValueError(f"{name}: labels must be ({n},), one per sample, got shape "
                             f"{array.shape}")
        if n and (array.min() < 0 or array.max() >= self.num_classes):
            raise ValueError(f"{name}: labels must be in [0, {self.num_classes}), got values "
                             f"from {array.min()} to {array.max()}")
        return from_numpy(array.astype(np.int64, copy=False))


class MLPGenerator(_Conditioned):
    """Fully connected generator: z (N, latent_dim) -> hidden layers with leaky ReLU (0.2) ->
    tanh -> images (N, C, H, W). Unconditional."""

    def __init__(self, latent_dim, image_shape, hidden=(256, 512)):
        super().__init__(None)
        self.latent_dim = _check_positive("MLPGenerator", "latent_dim", latent_dim)
        self.image_shape = _check_image_shape("MLPGenerator", image_shape)
        sizes = (self.latent_dim, *hidden)
        layers = []
        for n_in, n_out in zip(sizes, hidden):
            layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2)]
        layers += [nn.Linear(sizes[-1], math.prod(self.image_shape)), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z, labels=None):
        self._check(z, (self.latent_dim,), "z")
        self._labels(labels, len(z))
        return self.net(z).reshape(len(z), *self.image_shape)


class MLPDiscriminator(_Conditioned):
    """Fully connected discriminator: images (N, C, H, W) -> flattened -> hidden layers with
    leaky ReLU (0.2) -> logits (N,). Unconditional."""

    def __init__(self, image_shape, hidden=(512, 256)):
        super().__init__(None)
        self.image_shape = _check_image_shape("MLPDiscriminator", image_shape)
        sizes = (math.prod(self.image_shape), *hidden)
        layers = [nn.Flatten()]
        for n_in, n_out in zip(sizes, hidden):
            layers += [nn.Linear(n_in, n_out), nn.LeakyReLU(0.2)]
        layers.append(nn.Linear(sizes[-1], 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x, labels=None):
        self._check(x, self.image_shape, "images")
        self._labels(labels, len(x))
        return self.net(x).reshape(len(x))


class DCGANGenerator(_Conditioned):
    """z (N, latent_dim) [+ labels (N,)] -> images (N, C, H, W) in (-1, 1); see the module doc.

    width: channels of the last hidden layer (the first has 2 * width). num_classes: None
    (unconditional) or the number of classes, whose embedding (embed_dim) is joined to z.
    Submodules: `embed` (conditional only), `project` (Linear, no bias: batch norm follows),
    `project_norm` (BatchNorm1d), `up` (Sequential of the transposed convolutions).
    """

    def __init__(self, latent_dim, image_shape, width=64, num_classes=None, embed_dim=10):
        super().__init__(num_classes)
        who = "DCGANGenerator"
        self.latent_dim = _check_positive(who, "latent_dim", latent_dim)
        self.image_shape = _check_image_shape(who, image_shape, multiple=4)
        width = _check_positive(who, "width", width)
        channels, height, wide = self.image_shape
        self.start = (2 * width, height // 4, wide // 4)
        n_in = self.latent_dim
        if self.num_classes is not None:
            self.embed = nn.Embedding(self.num_classes, _check_positive(who, "embed_dim",
                                                                        embed_dim))
            n_in += embed_dim
        self.project = nn.Linear(n_in, math.prod(self.start), bias=False)
        self.project_norm = nn.BatchNorm1d(math.prod(self.start))
        self.up = nn.Sequential(
            nn.ReLU(),
            nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, channels, 4, stride=2, padding=1),
            nn.Tanh(),
        )
        self.apply(_dcgan_init)

    def forward(self, z, labels=None):
        self._check(z, (self.latent_dim,), "z")
        labels = self._labels(labels, len(z))
        if labels is not None:
            z = cat([z, self.embed(labels)], dim=1)
        h = self.project_norm(self.project(z))
        return self.up(h.reshape(len(z), *self.start))


class DCGANDiscriminator(_Conditioned):
    """images (N, C, H, W) [+ labels (N,)] -> logits (N,); see the module doc.

    width: channels of the first convolution (the second has 2 * width). num_classes: None or
    the number of classes, each with a learned (H, W) map joined as an extra input channel.
    Submodules: `embed` (conditional only), `features` (Sequential of the convolutions),
    `classify` (Linear to the logit).
    """

    def __init__(self, image_shape, width=64, num_classes=None):
        super().__init__(num_classes)
        who = "DCGANDiscriminator"
        self.image_shape = _check_image_shape(who, image_shape, multiple=4)
        width = _check_positive(who, "width", width)
        channels, height, wide = self.image_shape
        if self.num_classes is not None:
            self.embed = nn.Embedding(self.num_classes, height * wide)
            channels += 1
        self.features = nn.Sequential(
            nn.Conv2d(channels, width, 4, stride=2, padding=1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False),
            nn.BatchNorm2d(2 * width),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
        )
        self.classify = nn.Linear(2 * width * (height // 4) * (wide // 4), 1)
        self.apply(_dcgan_init)

    def forward(self, x, labels=None):
        self._check(x, self.image_shape, "images")
        labels = self._labels(labels, len(x))
        if labels is not None:
            label_map = self.embed(labels).reshape(len(x), 1, *self.image_shape[1:])
            x = cat([x, label_map], dim=1)
        return self.classify(self.features(x)).reshape(len(x))


class GAN(nn.Module):
    """A generator and its discriminator, saved and loaded together.

    latent_dim: size of the noise z. num_classes: None (unconditional) or the class count of
    a conditional pair. config: the JSON-able options that rebuild it with `build_gan`.
    """

    def __init__(self, generator, discriminator, name, config):
        super().__init__()
        self.generator = generator
        self.discriminator = discriminator
        self.name, self.config = name, dict(config)
        self.latent_dim = generator.latent_dim
        self.num_classes = generator.num_classes
        self.image_shape = generator.image_shape

    @property
    def conditional(self):
        return self.num_classes is not None

    def noise(self, n, generator=None):
        """z (n, latent_dim) from N(0, 1), in the generator's dtype (generator: a numpy
        Generator or seed; default: the global one)."""
        dtype = next(iter(self.generator.parameters())).dtype
        return randn(_check_positive("GAN", "n", n), self.latent_dim, generator=generator,
                     dtype=dtype)

    def generate(self, z, labels=None):
        """The generator's images for noise z (N, latent_dim) (and labels (N,) when
        conditional) as a NumPy array (N, C, H, W) in (-1, 1), computed in eval mode (batch
        norm uses its running statistics) without gradients; the model's mode is restored."""
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                return self.generator(z, labels).data
        finally:
            self.train(was_training)

    def sample(self, n, labels=None, generator=None):
        """n new images (n, C, H, W) in (-1, 1) (see generate). labels: (n,) integers for a
        conditional GAN (None otherwise). generator: the noise's numpy Generator or seed
        (default: the global one)."""
        return self.generate(self.noise(n, generator), labels)

    def extra_repr(self):
        return f"{self.name}, latent_dim={self.latent_dim}, num_classes={self.num_classes}"


def _mlp_gan(image_shape, num_classes, latent_dim, hidden):
    return MLPGenerator(latent_dim, image_shape, hidden), MLPDiscriminator(image_shape,
                                                                          hidden[::-1])


def _dcgan(image_shape, num_classes, latent_dim, width):
    return (DCGANGenerator(latent_dim, image_shape, width),
            DCGANDiscriminator(image_shape, width))


def _conditional_dcgan(image_shape, num_classes, latent_dim, width, embed_dim):
    return (DCGANGenerator(latent_dim, image_shape, width, num_classes, embed_dim),
            DCGANDiscriminator(image_shape, width, num_classes))


# name -> (builder(image_shape, num_classes, **config) -> (G, D), default config, description)
GAN_MODELS = {
    "gan": (_mlp_gan, {"latent_dim": 64, "hidden": [256, 512]},
            "fully connected GAN, leaky ReLU, unconditional"),
    "dcgan": (_dcgan, {"latent_dim": 64, "width": 32},
              "DCGAN: transposed convolutions + batch norm, unconditional"),
    "cdcgan": (_conditional_dcgan, {"latent_dim": 64, "width": 32, "embed_dim": 10},
               "conditional DCGAN: label embedding joined to z and to the discriminator input"),
}


def gan_names():
    return sorted(GAN_MODELS)


def gan_config(name, **overrides):
    """The full configuration of GAN `name`: its defaults updated with `overrides`."""
    if name not in GAN_MODELS:
        raise ValueError(f"unknown GAN {name!r}; the GANs are: {', '.join(gan_names())}")
    defaults = GAN_MODELS[name][1]
    unknown = sorted(set(overrides) - set(defaults))
    if unknown:
        raise ValueError(f"GAN {name!r} has no option {', '.join(unknown)}; its options are: "
                         f"{', '.join(sorted(defaults))}")
    return {**defaults, **overrides}


def build_gan(name, image_shape=(1, 28, 28), num_classes=10, **config):
    """A fresh GAN `name` ("gan", "dcgan", "cdcgan") for images of `image_shape` (C, H, W);
    num_classes is used by the conditional one; `config` overrides its default options."""
    config = gan_config(name, **config)
    generator, discriminator = GAN_MODELS[name][0](tuple(image_shape), num_classes, **config)
    return GAN(generator, discriminator, name, config)
