"""Autoencoders: same outputs and gradients as the torch module built alike, training, noise."""

import numpy as np
import pytest

import neuronet
from neuronet import nn, optim
from neuronet.models import Autoencoder, DenoisingAutoencoder
from oracle import assert_close, needs_torch


def _torch_twin(torch, sizes):
    tnn = torch.nn

    def mlp(s, last):
        layers = []
        for i in range(len(s) - 1):
            layers.append(tnn.Linear(s[i], s[i + 1]))
            if i < len(s) - 2:
                layers.append(tnn.ReLU())
            elif last:
                layers.append(tnn.Sigmoid())
        return tnn.Sequential(*layers)

    class Twin(tnn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = tnn.Flatten()
            self.encoder = mlp(sizes, False)
            self.decoder = mlp(sizes[::-1], True)

        def forward(self, x):
            return self.decoder(self.encoder(self.flatten(x)))

    return Twin().double()


@pytest.mark.parametrize("sizes", [[6, 4, 2], [5, 3], [7, 5, 4, 1]])
def test_matches_torch_forward_and_gradients(rng, sizes):
    torch = needs_torch()
    ours = Autoencoder(sizes).double()
    twin = _torch_twin(torch, sizes)
    assert list(ours.state_dict()) == list(twin.state_dict())
    twin.load_state_dict({k: torch.tensor(np.asarray(v.data)) for k, v in
                          ours.state_dict().items()})
    x = rng.uniform(0, 1, size=(3, sizes[0]))
    out = ours(neuronet.tensor(x, dtype=neuronet.float64))
    tout = twin(torch.tensor(x))
    assert_close(out, tout, what="reconstruction")
    out.sum().backward()
    tout.sum().backward()
    tparams = dict(twin.named_parameters())
    for name, p in ours.named_parameters():
        assert_close(p.grad, tparams[name].grad, what=f"grad of {name}")


def test_encode_decode_shapes_and_image_input():
    ae = Autoencoder([64, 16, 2])
    x = neuronet.from_numpy(np.random.default_rng(0).random((5, 8, 8), dtype=np.float32))
    assert ae.encode(x).shape == (5, 2)
    recon = ae(x)
    assert recon.shape == (5, 64)
    assert recon.data.min() > 0 and recon.data.max() < 1


def _train(model, X, epochs=30, lr=3e-3):
    opt = optim.Adam(model.parameters(), lr=lr)
    loss_fn = nn.BCELoss()
    gen = np.random.default_rng(0)
    for _ in range(epochs):
        for idx in np.array_split(gen.permutation(len(X)), len(X) // 64):
            batch = neuronet.from_numpy(X[idx])
            loss = loss_fn(model(batch), batch)
            opt.zero_grad()
            loss.backward()
            opt.step()


@pytest.fixture(scope="module")
def digits():
    datasets = pytest.importorskip("sklearn.datasets")
    return (datasets.load_digits().data / 16).astype(np.float32)


def test_training_lowers_reconstruction_error(digits):
    neuronet.manual_seed(0)
    ae = Autoencoder([64, 32, 8])
    before = float(np.mean((ae(neuronet.from_numpy(digits)).data - digits) ** 2))
    _train(ae, digits)
    after = float(np.mean((ae(neuronet.from_numpy(digits)).data - digits) ** 2))
    assert after < 0.3 * before
    # a linear baseline: projecting on the top 8 principal components
    centred = digits - digits.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    pca = float(np.mean((centred @ vt[:8].T @ vt[:8] - centred) ** 2))
    assert after < 1.5 * pca


def test_denoising_autoencoder_cleans_masked_input(digits):
    neuronet.manual_seed(0)
    dae = DenoisingAutoencoder([64, 48, 16], noise="masking", noise_level=0.3)
    _train(dae, digits)
    dae.eval()
    noisy = dae.corrupt(neuronet.from_numpy(digits)).data
    cleaned = dae(neuronet.from_numpy(noisy)).data
    # the output is closer to the clean images than the corrupted input was
    assert np.mean((cleaned - digits) ** 2) < 0.5 * np.mean((noisy - digits) ** 2)


def test_noise_only_in_training_mode():
    x = neuronet.from_numpy(np.ones((200, 50), dtype=np.float32))
    dae = DenoisingAutoencoder([50, 10], noise="masking", noise_level=0.25, generator=0)
    masked = dae.corrupt(x).data
    assert masked.dtype == np.float32
    assert abs((masked == 0).mean() - 0.25) < 0.02
    gauss = DenoisingAutoencoder([50, 10], noise="gaussian", noise_level=0.1, generator=0)
    assert abs((gauss.corrupt(x).data - 1).std() - 0.1) < 0.01
    dae.eval()
    np.testing.assert_array_equal(dae(x).data, dae(x).data)
    dae.train()
    assert not np.array_equal(dae(x).data, dae(x).data)


def test_bad_input():
    with pytest.raises(ValueError, match="Autoencoder: sizes must be at least two"):
        Autoencoder([10])
    with pytest.raises(ValueError, match=r"noise must be one of \['masking', 'gaussian'\]"):
        DenoisingAutoencoder([4, 2], noise="salt")
    with pytest.raises(ValueError, match="noise_level must be >= 0"):
        DenoisingAutoencoder([4, 2], noise_level=1.5)
    ae = Autoencoder([6, 2])
    with pytest.raises(ValueError, match="Autoencoder: input has 5 features per sample"):
        ae(neuronet.zeros(3, 5))
    with pytest.raises(ValueError, match=r"Autoencoder: code must be \(N, 2\)"):
        ae.decode(neuronet.zeros(2))
