"""Classify sequences with a GRU, LSTM or plain RNN and report the test accuracy.

    python examples/rnn_classifier.py --data mnist1d --kind gru [--epochs 100]
    python examples/rnn_classifier.py --data fashion-rows --kind lstm [--epochs 10]

mnist1d: the 40-step MNIST-1D signals, one value per step (4,000 train / 1,000 test).
fashion-rows: Fashion-MNIST images read as 28 steps of 28 pixels (60,000 / 10,000).
The loop: shuffle, forward, cross-entropy, backward, gradient clipping, Adam step.

Measured on a shared 2-core machine (seed 0, the defaults above): MNIST-1D GRU 0.9470 test
accuracy at epoch 18 (0.9240 at epoch 15; run stopped there); Fashion-MNIST rows LSTM
(--lr 2e-3) 0.8577 after 3 epochs, 0.8829 at epoch 7 (run stopped there). MNIST-1D LSTM
(--kind lstm --epochs 50) 0.9570 after 50 epochs (0.8290 after 25); plain tanh RNN (--kind rnn
--epochs 25 --lr 1e-3) 0.3360 after 25 epochs (at the default lr 3e-3 it stays at chance).
"""

import argparse
import time

import numpy as np

import neuronet
from neuronet import optim
from neuronet.data import load_fashion_mnist
from neuronet.data.datasets.mnist1d import MNIST1D
from neuronet.models import SequenceClassifier
from neuronet.nn import functional as F
from neuronet.nn.utils import clip_grad_norm_
from neuronet.train import evaluate


def load(data):
    """(x_train, y_train, x_test, y_test) with x shaped (N, steps, features), float32."""
    if data == "mnist1d":
        train, test = MNIST1D(train=True), MNIST1D(train=False)
        return train.data[..., None], train.targets, test.data[..., None], test.targets
    split = {}
    for name in ("train", "test"):
        images, labels = load_fashion_mnist(name)
        split[name] = (images.astype(np.float32) / np.float32(255), labels.astype(np.int64))
    return split["train"] + split["test"]


def accuracy(model, x, y, batch_size=1000):
    batches = [(x[i : i + batch_size], y[i : i + batch_size]) for i in range(0, len(x), batch_size)]
    return evaluate(model, batches)["accuracy"]


def train(data="mnist1d", kind="gru", hidden=128, epochs=100, batch_size=128, lr=3e-3,
          clip=1.0, seed=0, verbose=True):
    """Train from scratch; returns the model, the last epoch's {'epoch', 'train_loss',
    'test_accuracy', 'seconds'} and the best test accuracy seen."""
    neuronet.manual_seed(seed)
    x_train, y_train, x_test, y_test = load(data)
    model = SequenceClassifier(x_train.shape[2], hidden, 10, kind=kind)
    opt = optim.Adam(model.parameters(), lr=lr)
    rng = np.random.default_rng(seed)
    result, best = {}, 0.0
    for epoch in range(1, epochs + 1):
        start, total = time.perf_counter(), 0.0
        order = rng.permutation(len(x_train))
        for i in range(0, len(order), batch_size):
            idx = order[i : i + batch_size]
            loss = F.cross_entropy(model(neuronet.from_numpy(x_train[idx])),
                                   neuronet.from_numpy(y_train[idx]))
            opt.zero_grad()
            loss.backward()
            clip_grad_norm_(model.parameters(), clip)
            opt.step()
            total += loss.item() * len(idx)
        result = {"epoch": epoch, "train_loss": total / len(order),
                  "test_accuracy": accuracy(model, x_test, y_test),
                  "seconds": time.perf_counter() - start}
        best = max(best, result["test_accuracy"])
        if verbose:
            print(f"epoch {epoch:3d}  train loss {result['train_loss']:.4f}  "
                  f"test accuracy {result['test_accuracy']:.4f}  ({result['seconds']:.1f} s)",
                  flush=True)
    return model, result, best


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--data", choices=["mnist1d", "fashion-rows"], default="mnist1d")
    parser.add_argument("--kind", choices=["gru", "lstm", "rnn"], default="gru")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--clip", type=float, default=1.0, help="max gradient norm")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    _, result, best = train(args.data, args.kind, args.hidden, args.epochs, args.batch_size,
                            args.lr, args.clip, args.seed)
    print(f"{args.data} {args.kind.upper()} test accuracy after {args.epochs} epochs: "
          f"{result['test_accuracy']:.4f} (best epoch {best:.4f})")


if __name__ == "__main__":
    main()
