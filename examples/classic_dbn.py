"""Deep belief net on Fashion-MNIST next to the same network trained from random weights.

    python examples/classic_dbn.py [--sizes 256 128] [--rbm-epochs 5] [--epochs 5] [--out DIR]

The DBN pretrains a stack of RBMs greedily (CD-1, momentum 0.5), copies it into
nn.Sequential(Linear, Sigmoid, ..., Linear(10)) and fine-tunes everything with Adam and
cross-entropy. The baseline is the identical nn.Sequential from PyTorch-default random
initialization with the same fine-tuning (same epochs, batches, learning rate). Prints both
test accuracies and writes dbn_samples.png (images generated from the top RBM).
"""

import argparse
import os
import time

import numpy as np

import neuronet
from neuronet import nn, optim
from neuronet.classic import DBN
from neuronet.data import DataLoader, TensorDataset, load_fashion_mnist
from neuronet.train import evaluate, fit
from neuronet.viz.images import plot_image_grid


def load(split):
    images, labels = load_fashion_mnist(split)
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255), labels


def random_init_baseline(sizes, X, y, Xte, yte, args):
    neuronet.manual_seed(args.seed)
    layers, widths = [], [X.shape[1], *sizes]
    for n_in, n_out in zip(widths[:-1], widths[1:], strict=True):
        layers += [nn.Linear(n_in, n_out), nn.Sigmoid()]
    model = nn.Sequential(*layers, nn.Linear(widths[-1], 10))
    loader = DataLoader(TensorDataset(X, y), batch_size=args.batch_size, shuffle=True,
                        generator=args.seed)
    fit(model, loader, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=args.lr),
        epochs=args.epochs, progress=False)
    return evaluate(model, DataLoader(TensorDataset(Xte, yte), batch_size=1000))["accuracy"]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 128])
    parser.add_argument("--rbm-epochs", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=5, help="fine-tuning epochs")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--out", default="figures/classic")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    X, y = load("train")
    Xte, yte = load("test")
    neuronet.manual_seed(args.seed)
    start = time.perf_counter()
    dbn = DBN(args.sizes, learning_rate=0.05, batch_size=32, n_iter=args.rbm_epochs,
              finetune_epochs=args.epochs, finetune_lr=args.lr,
              finetune_batch_size=args.batch_size, random_state=args.seed).pretrain(X)
    pretrain_s = time.perf_counter() - start
    dbn.finetune(X, y)
    dbn_acc = dbn.score(Xte, yte)
    total_s = time.perf_counter() - start
    start = time.perf_counter()
    base_acc = random_init_baseline(args.sizes, X, y, Xte, yte, args)
    base_s = time.perf_counter() - start
    arch = "-".join(str(s) for s in [784, *args.sizes, 10])
    print(f"Fashion-MNIST, {arch} sigmoid net, {args.epochs} fine-tuning epochs (Adam "
          f"{args.lr}, batch {args.batch_size})")
    print(f"DBN (pretrained {args.rbm_epochs} RBM epochs/layer, {pretrain_s:.0f} s): "
          f"test accuracy {dbn_acc:.4f} ({total_s:.0f} s in all)")
    print(f"same net from random init:                     test accuracy {base_acc:.4f} "
          f"({base_s:.0f} s)")
    samples = dbn.generate(24, gibbs_steps=500, generator=args.seed)
    print("wrote", plot_image_grid([samples[:12], samples[12:]],
                                   os.path.join(args.out, "dbn_samples.png"), None, (28, 28),
                                   "DBN samples (top-RBM Gibbs chain, then down pass)"))


if __name__ == "__main__":
    main()
