"""GAN models: shapes, bad input, finite differences, and the DCGAN nets against the same nets
in torch (weights copied by state_dict keys)."""

import sys
from pathlib import Path

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.models.gan import (
    DCGANDiscriminator,
    DCGANGenerator,
    build_gan,
    gan_config,
    gan_names,
)
from oracle import RTOL, assert_close, check_finite_differences, needs_torch, step_both

# benchmarks/ last on the path: its module names (mlp, rnn, ...) must shadow nothing
sys.path.append(str(Path(__file__).resolve().parents[2] / "benchmarks"))


def _torch_twin(gan):
    needs_torch()
    from gan import torch_twin  # benchmarks/gan.py: the torch twins of the DCGAN nets

    return torch_twin(gan)


@pytest.mark.parametrize("name", ["gan", "dcgan", "cdcgan"])
@pytest.mark.parametrize("shape", [(1, 28, 28), (1, 8, 8)])
def test_shapes_and_range(name, shape):
    gan = build_gan(name, shape, num_classes=10)
    labels = np.arange(5) % 10 if gan.conditional else None
    images = gan.sample(5, labels, generator=0)
    assert images.shape == (5, *shape) and images.dtype == np.float32
    assert np.abs(images).max() < 1  # tanh
    logits = gan.discriminator(neuronet.from_numpy(images), labels)
    assert logits.shape == (5,)
    assert gan.training  # sample() restores the mode


def test_state_dict_keys_name_both_nets():
    keys = list(build_gan("cdcgan").state_dict())
    assert {k.split(".")[0] for k in keys} == {"generator", "discriminator"}
    assert "generator.embed.weight" in keys and "discriminator.embed.weight" in keys
    assert "generator.project_norm.running_mean" in keys


def test_dcgan_init_follows_the_paper():
    g = DCGANGenerator(64, (1, 28, 28), width=64)
    w = g.up[1].weight.data
    assert abs(w.std() - 0.02) < 0.002 and abs(w.mean()) < 0.002
    assert abs(g.up[2].weight.data.mean() - 1) < 0.01 and np.all(g.up[2].bias.data == 0)


def test_conditioning_changes_the_output():
    gan = build_gan("cdcgan")
    z = gan.noise(4, generator=0)
    a = gan.generate(z, [0, 0, 0, 0])
    b = gan.generate(z, [5, 5, 5, 5])
    assert not np.allclose(a, b)
    d = gan.discriminator
    x = neuronet.from_numpy(a)
    assert not np.allclose(d(x, [0, 0, 0, 0]).data, d(x, [5, 5, 5, 5]).data)


def test_samples_are_reproducible_from_a_seed():
    gan = build_gan("cdcgan")
    labels = np.arange(8) % 10
    assert np.array_equal(gan.sample(8, labels, generator=3), gan.sample(8, labels, generator=3))
    assert not np.array_equal(gan.sample(8, labels, generator=3),
                              gan.sample(8, labels, generator=4))
    neuronet.manual_seed(7)
    first = gan.sample(8, labels)
    neuronet.manual_seed(7)
    assert np.array_equal(first, gan.sample(8, labels))


def _pair(conditional, width=2, shape=(1, 4, 4)):
    classes = 4 if conditional else None
    return (DCGANGenerator(5, shape, width, classes, embed_dim=3).double(),
            DCGANDiscriminator(shape, width, classes).double())


@pytest.mark.parametrize("conditional", [False, True])
def test_finite_differences(conditional):
    g, d = _pair(conditional)
    labels = np.array([0, 3, 1]) if conditional else None
    rng = np.random.default_rng(0)
    gen = _Fixed(g, labels)
    check_finite_differences(gen, rng.standard_normal((3, 5)))
    check_finite_differences(_Fixed(d, labels), rng.uniform(-1, 1, (3, 1, 4, 4)))


class _Fixed(nn.Module):
    """A generator or discriminator with its labels fixed: one input, as the helpers want."""

    def __init__(self, net, labels):
        super().__init__()
        self.net, self.labels = net, labels

    def forward(self, x):
        return self.net(x, self.labels)


def _torch_fixed(net, labels):
    torch = needs_torch()

    class Fixed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net

        def forward(self, x):
            return self.net(x, None if labels is None else torch.from_numpy(labels))

    return Fixed()


@pytest.mark.parametrize("name", ["dcgan", "cdcgan"])
def test_dcgan_matches_torch(name):
    """Forward and backward of G and D (train mode: batch statistics, running stats updated)
    equal torch's for the same weights; then the running statistics in eval mode too."""
    torch = needs_torch()
    gan = build_gan(name, (1, 28, 28), 10, width=8, latent_dim=16).double()
    for module in gan.modules():  # non-trivial batch-norm affine parameters
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            module.bias.data[...] = np.random.default_rng(1).normal(0, 0.1, module.bias.shape)
    g_t, d_t = _torch_twin(gan)
    labels = np.array([0, 9, 3, 3, 7]) if gan.conditional else None
    rng = np.random.default_rng(0)
    pairs = ((gan.generator, g_t, rng.standard_normal((5, 16))),
             (gan.discriminator, d_t, rng.uniform(-1, 1, (5, 1, 28, 28))))
    for ours, theirs, x in pairs:
        ours_f, theirs_f = _Fixed(ours, labels), _torch_fixed(theirs, labels)
        step_both(ours_f, theirs_f, x, what=type(ours).__name__)
        ours.eval(), theirs.eval()
        assert_close(ours_f(neuronet.tensor(x, dtype="float64")), theirs_f(torch.tensor(x)),
                     RTOL, what=f"{type(ours).__name__} eval output")


# ----- bad input ---------------------------------------------------------------------------
def test_unknown_name_and_option():
    with pytest.raises(ValueError, match="unknown GAN 'vae'; the GANs are: cdcgan, dcgan, gan"):
        build_gan("vae")
    with pytest.raises(ValueError, match="GAN 'dcgan' has no option depth; its options are"):
        gan_config("dcgan", depth=3)
    assert gan_names() == ["cdcgan", "dcgan", "gan"]


def test_bad_sizes():
    with pytest.raises(ValueError, match="DCGANGenerator: image height and width must be "
                                         "multiples of 4, got 30x30"):
        build_gan("dcgan", (1, 30, 30))
    with pytest.raises(ValueError, match=r"image_shape must be \(C, H, W\)"):
        build_gan("gan", (28, 28))
    with pytest.raises(ValueError, match="DCGANDiscriminator: width must be a positive integer"):
        DCGANDiscriminator((1, 28, 28), width=0)
    with pytest.raises(ValueError, match="GAN: n must be a positive integer, got 0"):
        build_gan("dcgan").sample(0)


def test_bad_inputs_name_the_net():
    gan = build_gan("cdcgan")
    with pytest.raises(ValueError, match=r"DCGANGenerator: z must be \(N, 64\), got shape "
                                         r"\(2, 10\)"):
        gan.generator(neuronet.randn(2, 10), [1, 2])
    with pytest.raises(ValueError, match="DCGANGenerator: this conditional net needs labels"):
        gan.generator(neuronet.randn(2, 64))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), got values from 1 to 10"):
        gan.generator(neuronet.randn(2, 64), [1, 10])
    with pytest.raises(ValueError, match=r"labels must be \(2,\), one per sample, got shape "
                                         r"\(3,\)"):
        gan.generator(neuronet.randn(2, 64), [1, 2, 3])
    with pytest.raises(TypeError, match="labels must be integers, got dtype float64"):
        gan.generator(neuronet.randn(2, 64), np.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"DCGANDiscriminator: images must be \(N, 1, 28, 28\), "
                                         r"got shape \(2, 1, 8, 8\)"):
        gan.discriminator(neuronet.randn(2, 1, 8, 8), [1, 2])
    with pytest.raises(ValueError, match="MLPGenerator: this net is unconditional; it takes no "
                                         "labels"):
        build_gan("gan").sample(2, labels=[1, 2])
