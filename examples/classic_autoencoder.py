"""Deep and denoising autoencoders on Fashion-MNIST: reconstructions and a 2-D code map.

    python examples/classic_autoencoder.py [--epochs 5] [--out DIR]

A deep autoencoder 784-256-64-2 (ReLU, sigmoid output, binary cross-entropy) learns a 2-D code:
autoencoder_codes.png scatters the test codes coloured by class. A denoising autoencoder
784-256-64 trained on inputs with 30% of the pixels masked: autoencoder_recon.png shows test
images, the deep autoencoder's reconstructions, the masked inputs and the denoised outputs.
Prints the test reconstruction errors (mean squared).
"""

import argparse
import os

import numpy as np

import neuronet
from neuronet import nn, optim
from neuronet.data import DataLoader, TensorDataset, load_fashion_mnist
from neuronet.data.datasets import FashionMNIST
from neuronet.models import Autoencoder, DenoisingAutoencoder
from neuronet.train import fit
from neuronet.viz.backend import new_figure, save_png
from neuronet.viz.images import plot_image_grid


def load(split):
    images, labels = load_fashion_mnist(split)
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255), labels


def train(model, X, args):
    loader = DataLoader(TensorDataset(X, X), batch_size=128, shuffle=True, generator=args.seed)
    fit(model, loader, nn.BCELoss(), optim.Adam(model.parameters(), lr=1e-3),
        epochs=args.epochs, metrics=(), progress=False)
    model.eval()
    return model


@neuronet.no_grad()
def run(fn, X):
    return np.concatenate([fn(neuronet.from_numpy(X[i:i + 1000])).data
                           for i in range(0, len(X), 1000)])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--out", default="figures/classic")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    X, _ = load("train")
    Xte, yte = load("test")
    neuronet.manual_seed(args.seed)
    deep = train(Autoencoder([784, 256, 64, 2]), X, args)
    dae = train(DenoisingAutoencoder([784, 256, 64], noise="masking", noise_level=0.3,
                                     generator=args.seed), X, args)
    recon = run(deep, Xte)
    masked = dae.corrupt(neuronet.from_numpy(Xte)).data
    denoised = run(dae, masked)
    print(f"deep 784-256-64-2 autoencoder: test MSE {np.mean((recon - Xte) ** 2):.4f}")
    print(f"denoising 784-256-64: masked-input MSE {np.mean((masked - Xte) ** 2):.4f} -> "
          f"denoised MSE {np.mean((denoised - Xte) ** 2):.4f}")
    show = np.arange(10)
    print("wrote", plot_image_grid(
        [Xte[show], recon[show], masked[show], denoised[show]],
        os.path.join(args.out, "autoencoder_recon.png"),
        ["test", "deep AE (2-D code)", "30% masked", "denoising AE"], (28, 28),
        "Fashion-MNIST reconstructions"))
    codes = run(deep.encode, Xte)
    fig = new_figure(figsize=(8, 6.5), layout="constrained")
    ax = fig.subplots()
    art = ax.scatter(codes[:, 0], codes[:, 1], c=yte, cmap="tab10", s=2, vmin=-0.5, vmax=9.5)
    bar = fig.colorbar(art, ax=ax, ticks=range(10))
    bar.ax.set_yticklabels(FashionMNIST.classes)
    ax.set_title("2-D codes of the Fashion-MNIST test set (deep autoencoder)")
    print("wrote", save_png(fig, os.path.join(args.out, "autoencoder_codes.png")))


if __name__ == "__main__":
    main()
