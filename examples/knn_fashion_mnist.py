"""k-nearest neighbours on Fashion-MNIST, with k chosen by cross-validation.

    python examples/knn_fashion_mnist.py [--cv-size 10000] [--folds 5] [--p 2]

k is chosen among 1, 3, 5, 7, 9 by k-fold cross-validation on (a subset of) the training
images only; the chosen k is then used once on the test set. Also the nearest-neighbour
classifier of the classic texts (k = 1, L1 distance) for comparison.
"""

import argparse
import time

from neuronet.classic import KNeighborsClassifier, NearestNeighbor, cross_validate_k
from neuronet.data.datasets.mnist import load_fashion_mnist


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cv-size", type=int, default=10000)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--p", type=int, default=2, choices=(1, 2))
    parser.add_argument("--weights", default="uniform", choices=("uniform", "distance"))
    args = parser.parse_args()
    X, y = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    X, X_test = X.reshape(len(X), -1), X_test.reshape(len(X_test), -1)  # raw uint8 pixels

    start = time.perf_counter()
    best_k, scores = cross_validate_k(X[:args.cv_size], y[:args.cv_size], (1, 3, 5, 7, 9),
                                      n_folds=args.folds, p=args.p, weights=args.weights,
                                      generator=0)
    seconds = time.perf_counter() - start
    print(f"{args.folds}-fold CV on {args.cv_size} training images ({seconds:.0f} s):")
    for k, accuracy in scores.items():
        print(f"  k={k}: {accuracy:.4f}{'  <- chosen' if k == best_k else ''}")

    start = time.perf_counter()
    model = KNeighborsClassifier(best_k, p=args.p, weights=args.weights).fit(X, y)
    print(f"k={best_k}, p={args.p}: test accuracy {model.score(X_test, y_test):.4f} "
          f"({time.perf_counter() - start:.0f} s)")
    start = time.perf_counter()
    nn = NearestNeighbor().fit(X, y)
    print(f"NearestNeighbor (k=1, L1) on 2,000 test images: "
          f"{nn.score(X_test[:2000], y_test[:2000]):.4f} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
