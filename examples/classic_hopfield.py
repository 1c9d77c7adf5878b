"""Hopfield network: recall of binarized digits from noise and occlusion, and its capacity.

    python examples/classic_hopfield.py [--out figures/classic] [--neurons 100] [--trials 5]

Writes hopfield_recall.png (stored digits, corrupted probes, what Storkey and Hebbian
networks recall) and hopfield_capacity.png (fraction of random patterns recalled vs the load
P/N, for both rules), and prints the capacity table.
"""

import argparse
import os

import numpy as np

from neuronet.classic import Hopfield, capacity_curve, to_bipolar
from neuronet.viz.hopfield import plot_capacity
from neuronet.viz.images import plot_image_grid

DIGITS = (0, 2, 4, 5)  # the least correlated class means once binarized


def digit_patterns():
    """Class-mean images of DIGITS, binarized at each image's mean: (4, 64) of +1/-1."""
    from sklearn.datasets import load_digits

    d = load_digits()
    return to_bipolar(np.array([d.data[d.target == k].mean(0) for k in DIGITS]))


def recall_demo(out, seed=0):
    gen = np.random.default_rng(seed)
    stored = digit_patterns()
    noisy = np.where(gen.random(stored.shape) < 0.15, -stored, stored)  # 15% of pixels flipped
    occluded = stored.reshape(-1, 8, 8).copy()
    occluded[:, 4:, :] = -1  # bottom half hidden
    occluded = occluded.reshape(len(stored), -1)
    rows, titles = [stored], ["stored"]
    for probe, name in ((noisy, "15% noise"), (occluded, "occluded")):
        rows.append(probe)
        titles.append(name)
        for rule in ("storkey", "hebbian"):
            net = Hopfield(rule, random_state=seed).fit(stored)
            recalled, steps = net.recall(probe)
            exact = (recalled == stored).all(1)
            print(f"{name:10s} {rule:8s} exact recall {exact.sum()}/{len(stored)}, "
                  f"sweeps {steps.tolist()}")
            rows.append(recalled)
            titles.append(f"{rule}")
    return plot_image_grid(rows, os.path.join(out, "hopfield_recall.png"), titles, (8, 8),
                           "Hopfield recall of binarized digit means (64 neurons)")


def capacity(out, n_neurons, trials, seed=0):
    loads = np.unique(np.round(np.linspace(0.02, 0.5, 25) * n_neurons).astype(int))
    print(f"\ncapacity, N = {n_neurons}, {trials} trials, probes with 5% noise; recalled = "
          "overlap >= 0.95")
    print("P/N    " + "  ".join(f"{p / n_neurons:5.2f}" for p in loads))
    rates = {}
    for rule in ("hebbian", "storkey"):
        rates[rule] = capacity_curve(n_neurons, loads, rule, trials=trials, noise=0.05,
                                     random_state=seed)
        print(f"{rule:7s}" + "  ".join(f"{r:5.2f}" for r in rates[rule]))
    return plot_capacity(loads / n_neurons, rates, os.path.join(out, "hopfield_capacity.png"),
                         n_neurons)


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--out", default="figures/classic")
    parser.add_argument("--neurons", type=int, default=100)
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    print("wrote", recall_demo(args.out, args.seed))
    print("wrote", capacity(args.out, args.neurons, args.trials, args.seed))


if __name__ == "__main__":
    main()
