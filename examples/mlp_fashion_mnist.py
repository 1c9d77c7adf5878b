"""Train a 784-256-128-10 MLP on Fashion-MNIST with neuronet and report the test accuracy.

    python examples/mlp_fashion_mnist.py [--epochs 10] [--seed 0]

The whole loop, written out: shuffle, forward, cross-entropy loss, backward, Adam step.
"""

import argparse
import time

import numpy as np
from tqdm import tqdm

import neuronet
from neuronet import optim
from neuronet.data import load_fashion_mnist
from neuronet.models import MLP
from neuronet.nn import functional as F


def load(split):
    images, labels = load_fashion_mnist(split)
    return images.reshape(len(images), -1).astype(np.float32) / np.float32(255), labels


@neuronet.no_grad()
def accuracy(model, x, y, batch_size=1000):
    model.eval()
    correct = 0
    for i in range(0, len(x), batch_size):
        scores = model(neuronet.from_numpy(x[i : i + batch_size]))
        correct += int((scores.data.argmax(1) == y[i : i + batch_size]).sum())
    model.train()
    return correct / len(x)


def train(epochs=10, batch_size=128, lr=1e-3, seed=0, progress=True):
    """Train from scratch; returns {'test_accuracy', 'train_loss', 'seconds'} of the last epoch."""
    neuronet.manual_seed(seed)
    x_train, y_train = load("train")
    x_test, y_test = load("test")
    model = MLP([784, 256, 128, 10])
    opt = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    result = {}
    for epoch in range(1, epochs + 1):
        start, total, seen = time.perf_counter(), 0.0, 0
        order = rng.permutation(len(x_train))
        bar = tqdm(range(0, len(order), batch_size), desc=f"epoch {epoch}/{epochs}",
                   disable=not progress, leave=False)
        for i in bar:
            idx = order[i : i + batch_size]
            loss = F.cross_entropy(model(neuronet.from_numpy(x_train[idx])),
                                   neuronet.from_numpy(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item() * len(idx)
            seen += len(idx)
            bar.set_postfix(loss=f"{total / seen:.4f}", refresh=False)
        result = {"epoch": epoch, "train_loss": total / seen,
                  "test_accuracy": accuracy(model, x_test, y_test),
                  "seconds": time.perf_counter() - start}
        if progress:
            print(f"epoch {epoch:2d}  train loss {result['train_loss']:.4f}  "
                  f"test accuracy {result['test_accuracy']:.4f}  ({result['seconds']:.1f} s)")
    return result


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = train(args.epochs, args.batch_size, args.lr, args.seed)
    print(f"Fashion-MNIST test accuracy after {args.epochs} epochs: {result['test_accuracy']:.4f}")


if __name__ == "__main__":
    main()
