"""SOM training time and quantization error: neuronet vs MiniSom, same data, same run.

Digits (1,797 x 64) or a Fashion-MNIST subset (x 784); a 12x12 grid, sigma 2, lr 0.5,
asymptotic decay, gaussian neighbourhood, weights initialized from random samples. Online:
both take --steps single-sample updates in random order. Batch: our batch map (--epochs
epochs) vs MiniSom's train_batch (which is online in data order, --steps steps). Alternating,
best of --repeats.

    python benchmarks/som.py [--dataset digits|fashion-mnist] [--steps 10000] [--repeats 3]
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
from minisom import MiniSom

from neuronet.classic import SOM

GRID, SIGMA, LR = 12, 2.0, 0.5


def load(dataset):
    if dataset == "digits":
        from sklearn.datasets import load_digits

        return load_digits().data / 16.0
    from neuronet.data import load_fashion_mnist

    images, _ = load_fashion_mnist("train")
    keep = np.random.default_rng(0).permutation(len(images))[:10000]
    return images[keep].reshape(len(keep), -1) / 255.0


def ours(X, mode, steps, epochs, seed):
    som = SOM(GRID, GRID, sigma=SIGMA, learning_rate=LR, mode=mode,
              n_iter=steps if mode == "online" else epochs, random_state=seed)
    start = time.perf_counter()
    som.fit(X)
    return time.perf_counter() - start, som.quantization_error(X)


def minisom(X, mode, steps, seed):
    ms = MiniSom(GRID, GRID, X.shape[1], sigma=SIGMA, learning_rate=LR, random_seed=seed)
    ms.random_weights_init(X)
    start = time.perf_counter()
    (ms.train_random if mode == "online" else ms.train_batch)(X, steps)
    return time.perf_counter() - start, ms.quantization_error(X)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--dataset", choices=["digits", "fashion-mnist"], default="digits")
    parser.add_argument("--steps", type=int, default=10000)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    X = load(args.dataset)
    print(f"{args.dataset} {X.shape}, {GRID}x{GRID} grid; best of {args.repeats}")
    for mode in ("online", "batch"):
        best = {"neuronet": (np.inf, 0), "MiniSom": (np.inf, 0)}
        for r in range(args.repeats):
            runs = {"neuronet": ours(X, mode, args.steps, args.epochs, r),
                    "MiniSom": minisom(X, mode, args.steps, r)}
            for name, (seconds, qe) in runs.items():
                if seconds < best[name][0]:
                    best[name] = (seconds, qe)
        for name, (seconds, qe) in best.items():
            print(f"{mode:7s} {name:9s} {seconds:7.3f} s   quantization error {qe:.4f}")


if __name__ == "__main__":
    main()
