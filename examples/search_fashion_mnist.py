"""Hyperparameter search for an MLP on Fashion-MNIST: learning rate and weight decay.

    python examples/search_fashion_mnist.py [--trials 32] [--rounds 2] [--workers 2]
        [--train-size 10000] [--epochs 2] [--results search.jsonl] [--plot search.png]

Model selection done honestly: 10,000 of the 60,000 training images are held out as a
validation split; every trial trains an MLP (AdamW) on (a subset of) the rest and is scored
on that validation split only. The best configuration is then retrained on all 60,000
training images and evaluated ONCE on the test set: the test accuracy is never used to choose
anything, so it stays an honest estimate. Rounds after the first narrow the ranges around the
best trials (coarse to fine). Interrupt it and run it again: finished trials are read back
from the results file and only the rest run.
"""

import argparse
import time

import numpy as np
from mlp_fashion_mnist import accuracy, load  # the plain example beside this one

import neuronet
from neuronet import optim
from neuronet.data.splits import stratified_split
from neuronet.models import MLP
from neuronet.nn import functional as F
from neuronet.search import LogUniform, successive_narrowing


def fit_mlp(X, y, lr, weight_decay, epochs, seed, batch_size=128):
    """An MLP 784-256-128-10 trained by AdamW; returns the model."""
    neuronet.manual_seed(seed)
    model = MLP([784, 256, 128, 10])
    opt = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for i in range(0, len(X), batch_size):
            idx = order[i:i + batch_size]
            loss = F.cross_entropy(model(neuronet.from_numpy(X[idx])), neuronet.from_numpy(y[idx]))
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=32, help="trials per round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--train-size", type=int, default=10000, help="training images per trial")
    parser.add_argument("--epochs", type=int, default=2, help="epochs per trial")
    parser.add_argument("--final-epochs", type=int, default=10)
    parser.add_argument("--results", default="search_fashion_mnist.jsonl")
    parser.add_argument("--plot", default="search_fashion_mnist.png")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    X, y = load("train")
    train_idx, val_idx = stratified_split(y, val_fraction=1 / 6, generator=args.seed)
    X_val, y_val = X[val_idx], y[val_idx]
    trial_idx = train_idx[: args.train_size]

    def train_and_score(params, seed):
        model = fit_mlp(X[trial_idx], y[trial_idx], params["lr"], params["weight_decay"],
                        args.epochs, seed)
        return {"val_accuracy": accuracy(model, X_val, y_val)}

    space = {"lr": LogUniform(1e-5, 1e-1), "weight_decay": LogUniform(1e-6, 1.0)}
    start = time.perf_counter()
    result = successive_narrowing(train_and_score, space, rounds=args.rounds,
                                  trials_per_round=args.trials, keep=5, workers=args.workers,
                                  results_file=args.results, seed=args.seed)
    print(result.table(top=15))
    print(f"{len(result.records)} trials in {time.perf_counter() - start:.0f} s; "
          f"spaces by round: {result.spaces}")
    result.scatter("lr", "weight_decay", args.plot)
    print("scatter plot:", args.plot)

    best = result.best()
    X_test, y_test = load("test")
    model = fit_mlp(X, y, best["params"]["lr"], best["params"]["weight_decay"],
                    args.final_epochs, args.seed)
    print(f"best validation accuracy {best['scores']['val_accuracy']:.4f} with {best['params']}; "
          f"retrained on all 60,000 for {args.final_epochs} epochs: "
          f"test accuracy {accuracy(model, X_test, y_test):.4f}")


if __name__ == "__main__":
    main()
