"""Linear SVM and softmax classifiers on Fashion-MNIST, beside scikit-learn's in the same run.

    python examples/linear_fashion_mnist.py [--epochs 15] [--templates templates.png] [--no-sklearn]

Pixels are scaled to [0, 1] and centred on the training mean. Prints test accuracy and time
for our LinearSVM and SoftmaxClassifier (minibatch SGD) and for scikit-learn's LinearSVC and
LogisticRegression, and saves the learned weight templates: one 28x28 image per class and
model, the picture of what a linear classifier "looks for".
"""

import argparse
import time
import warnings

import numpy as np

from neuronet.classic import LinearSVM, SoftmaxClassifier
from neuronet.data.datasets.mnist import FashionMNIST, load_fashion_mnist
from neuronet.viz.backend import new_figure, save_png


def load():
    X, y = load_fashion_mnist("train")
    X_test, y_test = load_fashion_mnist("test")
    X = X.reshape(len(X), -1).astype(np.float32) / np.float32(255)
    X_test = X_test.reshape(len(X_test), -1).astype(np.float32) / np.float32(255)
    mean = X.mean(axis=0)
    return X - mean, y, X_test - mean, y_test


def timed_fit(model, X, y, X_test, y_test):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # scikit-learn's convergence warnings
        model.fit(X, y)
    seconds = time.perf_counter() - start
    return model.score(X_test, y_test), seconds


def plot_templates(models, path):
    fig = new_figure(figsize=(12, 1.5 * len(models)))
    for row, (name, coef) in enumerate(models):
        for cls in range(10):
            ax = fig.add_subplot(len(models), 10, row * 10 + cls + 1)
            w = coef[cls].reshape(28, 28)
            limit = np.abs(w).max()
            ax.imshow(w, cmap="RdBu_r", vmin=-limit, vmax=limit)  # red: pixel votes for class
            ax.set_xticks([])
            ax.set_yticks([])
            if row == 0:
                ax.set_title(FashionMNIST.classes[cls], fontsize=8)
            if cls == 0:
                ax.set_ylabel(name, fontsize=8)
    fig.tight_layout()
    return save_png(fig, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--templates", default="linear_templates.png")
    parser.add_argument("--no-sklearn", action="store_true")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    X, y, X_test, y_test = load()
    ours = [("LinearSVM", LinearSVM(reg=1e-4, learning_rate=0.01, n_epochs=args.epochs,
                                    random_state=args.seed)),
            ("SoftmaxClassifier", SoftmaxClassifier(reg=1e-4, learning_rate=0.05,
                                                    n_epochs=args.epochs,
                                                    random_state=args.seed))]
    models = list(ours)
    if not args.no_sklearn:
        from sklearn.linear_model import LogisticRegression
        from sklearn.svm import LinearSVC
        models += [("sklearn LinearSVC", LinearSVC(C=0.1)),
                   ("sklearn LogisticRegression", LogisticRegression(max_iter=200))]
    print(f"{'model':28s} {'test acc':>8s} {'fit s':>7s}")
    for name, model in models:
        accuracy, seconds = timed_fit(model, X, y, X_test, y_test)
        print(f"{name:28s} {accuracy:8.4f} {seconds:7.1f}", flush=True)
    print("templates saved to", plot_templates([(n, m.coef_) for n, m in ours], args.templates))


if __name__ == "__main__":
    main()
