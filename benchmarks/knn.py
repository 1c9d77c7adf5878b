"""Our brute-force k-NN against scikit-learn's on Fashion-MNIST, in the same run.

For each p (1 = Manhattan, 2 = Euclidean) and k: the time of each side (k-NN's `predict`
on the test images; fit only stores the data), the ratio, both accuracies and how many
predictions differ. Both sides see the raw uint8 pixels and may use both cores (scikit-learn
through OpenMP and BLAS, ours through BLAS and, for p=1, the pruned search's threads).

    python benchmarks/knn.py [--test-size 10000] [--train-size 60000] [--p 1 2] [--k 1 5]
        [--repeats 1]

scikit-learn's p=1 run takes minutes on the full test set: `--test-size 2000` shortens it.
With --repeats n the two sides alternate n times and each keeps its best time (on a shared,
noisy machine the best time is the one least disturbed by other work).
"""

import argparse
import os
import time

import numpy as np
from sklearn.neighbors import KNeighborsClassifier as SklearnKNN

from neuronet.classic.knn import KNeighborsClassifier
from neuronet.data.datasets.mnist import load_fashion_mnist


def best_of(repeats, *fns):
    """For each function: (best time over `repeats` runs, its last result); runs alternate."""
    times, results = [[] for _ in fns], [None] * len(fns)
    for _ in range(repeats):
        for i, fn in enumerate(fns):
            start = time.perf_counter()
            results[i] = fn()
            times[i].append(time.perf_counter() - start)
    return [(min(t), r) for t, r in zip(times, results, strict=True)]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--test-size", type=int, default=10000)
    parser.add_argument("--train-size", type=int, default=60000)
    parser.add_argument("--p", type=int, nargs="+", default=[2, 1])
    parser.add_argument("--k", type=int, nargs="+", default=[1, 5])
    parser.add_argument("--repeats", type=int, default=1)
    args = parser.parse_args()

    X, y = load_fashion_mnist("train")
    Xt, yt = load_fashion_mnist("test")
    X, y = X[: args.train_size].reshape(-1, 784), y[: args.train_size]
    Xt, yt = Xt[: args.test_size].reshape(-1, 784), yt[: args.test_size]
    print(f"Fashion-MNIST k-NN: {len(Xt)} test x {len(X)} train, load average at start "
          f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"{'p':>2} {'k':>2} {'ours s':>8} {'sklearn s':>9} {'ratio':>6} {'ours acc':>8} "
          f"{'sk acc':>7} {'differ':>6}")
    for p in args.p:
        for k in args.k:
            ours = KNeighborsClassifier(k, p=p).fit(X, y)
            theirs = SklearnKNN(k, p=p, algorithm="brute", n_jobs=-1).fit(X, y)
            (t_ours, pred_ours), (t_sk, pred_sk) = best_of(
                args.repeats, lambda: ours.predict(Xt), lambda: theirs.predict(Xt)  # noqa: B023
            )
            print(f"{p:>2} {k:>2} {t_ours:8.2f} {t_sk:9.2f} {t_sk / t_ours:5.2f}x "
                  f"{np.mean(pred_ours == yt):8.4f} {np.mean(pred_sk == yt):7.4f} "
                  f"{int(np.sum(pred_ours != pred_sk)):>6}", flush=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
