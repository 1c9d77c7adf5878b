"""One epoch of the 784-256-128-10 MLP on Fashion-MNIST: neuronet vs PyTorch vs plain NumPy.

All three start from the same weights, see the same batches in the same order (Adam, lr 1e-3,
batch 128, float32, 2 threads), and are timed in the same run, alternating, best of --repeats
(each timed epoch follows an untimed one: see timing.best_of).
The hand-written NumPy version (no autograd, no modules) shows what the math alone costs, so
neuronet's difference to it is the engine's own overhead.

    python benchmarks/mlp.py [--repeats 3]
"""

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
import torch
from timing import best_of

import neuronet
from neuronet import optim
from neuronet.data import load_fashion_mnist
from neuronet.models import MLP
from neuronet.nn import functional as F

BATCH, LR, SIZES = 128, 1e-3, [784, 256, 128, 10]


def batches(n, seed):
    order = np.random.default_rng(seed).permutation(n)
    return [order[i : i + BATCH] for i in range(0, n, BATCH)]


def epoch_neuronet(model, opt, x, y, order):
    for idx in order:
        loss = F.cross_entropy(model(neuronet.from_numpy(x[idx])), neuronet.from_numpy(y[idx]))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.item())


def epoch_torch(model, opt, x, y, order):
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    for idx in order:
        idx = torch.from_numpy(idx)
        loss = torch.nn.functional.cross_entropy(model(xt[idx]), yt[idx])
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.item())


class NumpyMLP:
    """The same network and Adam written directly in NumPy, gradients derived by hand."""

    def __init__(self, params):
        self.p = [a.copy() for a in params]  # W1, b1, W2, b2, W3, b3 (weights are (out, in))
        self.m = [np.zeros_like(a) for a in self.p]
        self.v = [np.zeros_like(a) for a in self.p]
        self.t = 0

    def step(self, x, y):
        W1, b1, W2, b2, W3, b3 = self.p
        h1 = np.maximum(x @ W1.T + b1, 0)
        h2 = np.maximum(h1 @ W2.T + b2, 0)
        z = h2 @ W3.T + b3
        z -= z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        loss = -np.log(p[np.arange(len(y)), y]).mean()
        g = p
        g[np.arange(len(y)), y] -= 1
        g /= len(y)
        grads = [None] * 6
        grads[4], grads[5] = g.T @ h2, g.sum(0)
        g = (g @ W3) * (h2 > 0)
        grads[2], grads[3] = g.T @ h1, g.sum(0)
        g = (g @ W2) * (h1 > 0)
        grads[0], grads[1] = g.T @ x, g.sum(0)
        self.t += 1
        c1, c2 = 1 - 0.9**self.t, 1 - 0.999**self.t
        for p_, g_, m, v in zip(self.p, grads, self.m, self.v):
            m *= 0.9
            m += 0.1 * g_
            v *= 0.999
            v += 0.001 * g_ * g_
            p_ -= (LR / c1) * m / (np.sqrt(v / c2) + 1e-8)
        return loss


def epoch_numpy(net, x, y, order):
    for idx in order:
        loss = net.step(x[idx], y[idx])
    return float(loss)


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3, help="epochs timed per framework")
    args = parser.parse_args()
    torch.set_num_threads(2)

    images, labels = load_fashion_mnist("train")
    x = (images.reshape(len(images), -1) / np.float32(255)).astype(np.float32)
    y = labels

    torch.manual_seed(0)
    ref = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
        torch.nn.ReLU(), torch.nn.Linear(128, 10),
    )
    ours = MLP(SIZES)
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    plain = NumpyMLP([v.numpy() for v in ref.state_dict().values()])
    opt_ref = torch.optim.Adam(ref.parameters(), lr=LR)
    opt_ours = optim.Adam(ours.parameters(), lr=LR)

    order = batches(len(x), seed=0)
    losses = {}
    sides = {"pytorch": (epoch_torch, (ref, opt_ref)),
             "neuronet": (epoch_neuronet, (ours, opt_ours)),
             "numpy": (epoch_numpy, (plain,))}

    def timed(name):
        run, run_args = sides[name]
        return lambda: losses.__setitem__(name, run(*run_args, x, y, order))

    best = dict(zip(sides, best_of([timed(name) for name in sides], args.repeats)))
    print(f"MLP 784-256-128-10, Adam, batch {BATCH}, one epoch of {len(x)} samples, "
          f"best of {args.repeats}, 2 threads")
    for name in ("pytorch", "neuronet", "numpy"):
        print(f"  {name:9s} {best[name]:6.3f} s/epoch   last loss {losses[name]:.4f}")
    print(f"ratio neuronet / pytorch: {best['neuronet'] / best['pytorch']:.2f}x")
    print(f"ratio numpy    / pytorch: {best['numpy'] / best['pytorch']:.2f}x")


if __name__ == "__main__":
    main()
