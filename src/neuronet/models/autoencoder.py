"""Autoencoders built from `nn` layers: a deep (stacked) one and a denoising one.

    ae = Autoencoder([784, 256, 64, 2])          # encoder 784-256-64-2, decoder 2-64-256-784
    recon = ae(x)                                # (N, 784) in (0, 1) (sigmoid output)
    code = ae.encode(x)                          # (N, 2)
    dae = DenoisingAutoencoder([784, 256, 64], noise="masking", noise_level=0.3)

Train either with a reconstruction loss against the clean input (nn.BCELoss for images in
[0, 1], or nn.MSELoss), e.g. `neuronet.train.fit(ae, loader_of_(x, x), nn.BCELoss(), ...)`.
"""

import numpy as np

from neuronet import nn
from neuronet.autograd.tensor import Tensor
from neuronet.random import get_generator


def _mlp(sizes, activation, last_activation):
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(n_in, n_out))
        act = activation if i < len(sizes) - 2 else last_activation
        if act is not None:
            layers.append(act())
    return nn.Sequential(*layers)


class Autoencoder(nn.Module):
    """A deep autoencoder: encoder sizes[0] -> ... -> sizes[-1] (the code), mirrored decoder.

    activation: module class after each hidden layer (not after the code layer, which is
    linear). output_activation: after the last decoder layer (nn.Sigmoid for data in [0, 1];
    None for unbounded data). Input (N, sizes[0]) or (N, ...) flattened; output (N, sizes[0]).
    Submodules `encoder` and `decoder` are nn.Sequential, so state_dict keys are
    "encoder.0.weight", ..., as a torch module built the same way.
    """

    def __init__(self, sizes, activation=nn.ReLU, output_activation=nn.Sigmoid):
        super().__init__()
        sizes = list(sizes)
        if len(sizes) < 2 or any(int(s) != s or s < 1 for s in sizes):
            raise ValueError(f"{type(self).__name__}: sizes must be at least two positive "
                             f"integers, got {sizes}")
        self.sizes = sizes
        self.flatten = nn.Flatten()
        self.encoder = _mlp(sizes, activation, None)
        self.decoder = _mlp(sizes[::-1], activation, output_activation)

    def _check(self, x, width, what):
        if x.ndim < 2:
            raise ValueError(f"{type(self).__name__}: {what} must be (N, {width}) or (N, ...), "
                             f"got shape {tuple(x.shape)}")
        x = self.flatten(x)
        if x.shape[1] != width:
            raise ValueError(f"{type(self).__name__}: {what} has {x.shape[1]} features per "
                             f"sample, expected {width}")
        return x

    def encode(self, x):
        """x: (N, sizes[0]) or (N, ...) -> code (N, sizes[-1])."""
        return self.encoder(self._check(x, self.sizes[0], "input"))

    def decode(self, code):
        """code: (N, sizes[-1]) -> reconstruction (N, sizes[0])."""
        return self.decoder(self._check(code, self.sizes[-1], "code"))

    def forward(self, x):
        return self.decode(self.encode(x))


class DenoisingAutoencoder(Autoencoder):
    """An autoencoder that corrupts its input while training (Vincent et al. 2008).

    noise: 'masking' (each input set to 0 with probability noise_level) or 'gaussian'
    (additive, standard deviation noise_level). In eval mode the input is used as it is.
    generator: a numpy Generator or int seed for the noise (default: the global one).
    Train against the clean input: loss(dae(x), x).
    """

    NOISES = ("masking", "gaussian")

    def __init__(self, sizes, noise="masking", noise_level=0.3, activation=nn.ReLU,
                 output_activation=nn.Sigmoid, generator=None):
        if noise not in self.NOISES:
            raise ValueError(f"DenoisingAutoencoder: noise must be one of {list(self.NOISES)}, "
                             f"got {noise!r}")
        if not noise_level >= 0 or (noise == "masking" and noise_level > 1):
            raise ValueError(f"DenoisingAutoencoder: noise_level must be >= 0 (and <= 1 for "
                             f"masking), got {noise_level!r}")
        super().__init__(sizes, activation, output_activation)
        self.noise = noise
        self.noise_level = noise_level
        self._generator = get_generator(generator) if generator is not None else None

    def corrupt(self, x):
        """A corrupted copy of x (a Tensor of the same shape and dtype; no gradient flows)."""
        data = x.data if isinstance(x, Tensor) else np.asarray(x)
        gen = self._generator if self._generator is not None else get_generator()
        if self.noise == "masking":
            noisy = data * (gen.random(data.shape, dtype=np.float64) >= self.noise_level)
        else:
            noisy = data + self.noise_level * gen.standard_normal(data.shape)
        return Tensor(noisy.astype(data.dtype, copy=False))

    def forward(self, x):
        if self.training and self.noise_level > 0:
            x = self.corrupt(x)
        return super().forward(x)
