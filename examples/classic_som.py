"""Kohonen SOM on digits (or Fashion-MNIST): U-matrix and class map, errors next to MiniSom's.

    python examples/classic_som.py [--dataset digits|fashion-mnist] [--grid 12] [--out DIR]

Trains online and batch maps on rectangular and hexagonal grids with the same settings as
MiniSom (if installed: `pip install minisom`), prints quantization and topographic errors of
both, and writes som_<dataset>_<topology>.png (U-matrix + class map) and som_errors.png.
"""

import argparse
import os

import numpy as np

from neuronet.classic import SOM
from neuronet.viz.backend import new_figure, save_png
from neuronet.viz.som import plot_som


def load(dataset, n_fashion=6000):
    if dataset == "digits":
        from sklearn.datasets import load_digits

        d = load_digits()
        return d.data / 16.0, d.target, [str(k) for k in range(10)]
    from neuronet.data.datasets import FashionMNIST, load_fashion_mnist

    images, labels = load_fashion_mnist("train")
    keep = np.random.default_rng(0).permutation(len(images))[:n_fashion]
    return images[keep].reshape(len(keep), -1) / 255.0, labels[keep], FashionMNIST.classes


def minisom_errors(X, grid, topology, mode, n_iter, seed, sigma, lr):
    try:
        from minisom import MiniSom
    except ImportError:
        return None
    ms = MiniSom(grid, grid, X.shape[1], sigma=sigma, learning_rate=lr, topology=topology,
                 random_seed=seed)
    ms.random_weights_init(X)
    if mode == "online":
        ms.train_random(X, n_iter)
    else:
        ms.train_batch(X, n_iter)
    return ms.quantization_error(X), ms.topographic_error(X)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--dataset", choices=["digits", "fashion-mnist"], default="digits")
    parser.add_argument("--grid", type=int, default=12)
    parser.add_argument("--steps", type=int, default=10000, help="online steps")
    parser.add_argument("--out", default="figures/classic")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    X, y, classes = load(args.dataset)
    sigma, lr = 2.0, 0.5
    rows = []
    print(f"{args.dataset}: {X.shape}, {args.grid}x{args.grid} grid, sigma {sigma}, lr {lr}")
    print(f"{'topology':12s} {'mode':7s} {'QE ours':>8s} {'QE MiniSom':>10s} {'TE ours':>8s} "
          f"{'TE MiniSom':>10s}")
    for topology in ("rectangular", "hexagonal"):
        for mode in ("online", "batch"):
            # our batch epochs vs MiniSom's train_batch, which is online in data order
            n_iter = args.steps if mode == "online" else 30
            som = SOM(args.grid, args.grid, sigma=sigma, learning_rate=lr, topology=topology,
                      mode=mode, n_iter=n_iter, random_state=args.seed).fit(X)
            ours = som.quantization_error(X), som.topographic_error(X)
            theirs = minisom_errors(X, args.grid, topology, mode, args.steps, args.seed,
                                    sigma, lr) or (np.nan, np.nan)
            rows.append((topology, mode, *ours, *theirs))
            print(f"{topology:12s} {mode:7s} {ours[0]:8.4f} {theirs[0]:10.4f} {ours[1]:8.4f} "
                  f"{theirs[1]:10.4f}")
            if mode == "online":
                path = os.path.join(args.out, f"som_{args.dataset}_{topology}.png")
                print("  wrote", plot_som(som, X, y, path, classes,
                                          f"SOM on {args.dataset}, {topology} grid"))
    fig = new_figure(figsize=(8, 4), layout="constrained")
    ax = fig.subplots()
    names = [f"{t[:4]}/{m}" for t, m, *_ in rows]
    at = np.arange(len(rows))
    ax.bar(at - 0.2, [r[2] for r in rows], 0.4, label="neuronet")
    ax.bar(at + 0.2, [r[4] for r in rows], 0.4, label="MiniSom")
    ax.set_xticks(at, names)
    ax.set_ylabel("quantization error")
    ax.set_title(f"SOM quantization error on {args.dataset} (lower is better)")
    ax.legend()
    print("wrote", save_png(fig, os.path.join(args.out, "som_errors.png")))


if __name__ == "__main__":
    main()
