"""RBM on digits next to scikit-learn's BernoulliRBM, same settings, same run.

    python examples/classic_rbm.py [--components 100] [--epochs 20] [--out DIR]

Both train PCD-1 (lr 0.06, batch 10) on 75% of the digits. Printed: training time, the exact
pseudo-log-likelihood of the binarized test digits under each model (computed by our code on
both weight sets), and the test accuracy of logistic regression on each model's hidden
probabilities (and on raw pixels for reference). Writes rbm_filters.png (16 learned filters of
each) and rbm_samples.png (Gibbs samples from ours).
"""

import argparse
import os
import time

from neuronet.classic import BernoulliRBM
from neuronet.viz.images import plot_image_grid


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--components", type=int, default=100)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--out", default="figures/classic")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    from sklearn.datasets import load_digits
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import BernoulliRBM as SkRBM

    os.makedirs(args.out, exist_ok=True)
    d = load_digits()
    Xtr, Xte, ytr, yte = train_test_split(d.data / 16, d.target, test_size=0.25,
                                          random_state=args.seed, stratify=d.target)
    settings = dict(n_components=args.components, learning_rate=0.06, batch_size=10,
                    n_iter=args.epochs, random_state=args.seed)
    models = {}
    start = time.perf_counter()
    models["neuronet"] = BernoulliRBM(persistent=True, **settings).fit(Xtr)
    seconds = {"neuronet": time.perf_counter() - start}
    start = time.perf_counter()
    sk = SkRBM(**settings).fit(Xtr)
    seconds["scikit-learn"] = time.perf_counter() - start
    twin = BernoulliRBM(**{**settings, "n_iter": 1}).fit(Xtr[:2])  # our code, their weights
    for name in ("components_", "intercept_hidden_", "intercept_visible_"):
        setattr(twin, name, getattr(sk, name))
    models["scikit-learn"] = twin
    binary = (Xte > 0.5).astype(float)
    raw = LogisticRegression(max_iter=2000, C=10).fit(Xtr, ytr).score(Xte, yte)
    print(f"digits, {args.components} hidden units, {args.epochs} epochs of PCD-1")
    print(f"{'':13s} {'train s':>8s} {'test pseudo-LL':>15s} {'features+logreg acc':>20s}")
    for name, model in models.items():
        clf = LogisticRegression(max_iter=2000, C=10).fit(model.transform(Xtr), ytr)
        acc = clf.score(model.transform(Xte), yte)
        print(f"{name:13s} {seconds[name]:8.2f} {model.score(binary):15.3f} {acc:20.4f}")
    print(f"(logistic regression on raw pixels: {raw:.4f})")
    filters = [m.components_[:16] for m in models.values()]
    print("wrote", plot_image_grid(filters, os.path.join(args.out, "rbm_filters.png"),
                                   list(models), (8, 8), "RBM filters (first 16 hidden units)"))
    samples = models["neuronet"].sample(32, steps=1000, generator=args.seed)
    print("wrote", plot_image_grid([samples[:16], samples[16:]],
                                   os.path.join(args.out, "rbm_samples.png"), None, (8, 8),
                                   "Gibbs samples (1000 steps from noise)"))


if __name__ == "__main__":
    main()
