"""Experiment 1: how SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam move.

Paths on f(x, y) = x^2/20 + y^2 from (-7, 2): the valley is 20 times steeper across (y) than
along (x), so the gradient points mostly across it and plain SGD zig-zags from wall to wall
while creeping along x; momentum averages the zig-zag out, the adaptive methods rescale each
coordinate. Then the same optimizers (neuronet.optim, torch's update rules) train one 5-layer
ReLU net on Fashion-MNIST from the same initial weights.
"""

import numpy as np

from neuronet import optim
from neuronet.autograd.tensor import Tensor
from neuronet.experiments.common import fashion_mnist, mlp, smooth, train
from neuronet.experiments.registry import experiment
from neuronet.viz.backend import new_figure, save_png

START = (-7.0, 2.0)
PATH_STEPS = 30

# name -> (optimizer class, its options on the valley, its options on Fashion-MNIST)
OPTIMIZERS = {
    "SGD": (optim.SGD, {"lr": 0.95}, {"lr": 0.01}),
    "Momentum": (optim.SGD, {"lr": 0.1, "momentum": 0.9}, {"lr": 0.01, "momentum": 0.9}),
    "Nesterov": (optim.SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True},
                 {"lr": 0.01, "momentum": 0.9, "nesterov": True}),
    "AdaGrad": (optim.Adagrad, {"lr": 1.5}, {"lr": 0.01}),
    "RMSprop": (optim.RMSprop, {"lr": 0.1}, {"lr": 0.001}),
    "Adam": (optim.Adam, {"lr": 0.3}, {"lr": 0.001}),
}


def valley(x, y):
    """f(x, y) = x^2/20 + y^2 (works on arrays and on Tensors)."""
    return x * x / 20 + y * y


def descend(make_optimizer, steps=PATH_STEPS):
    """The points (steps + 1, 2) visited by an optimizer minimizing `valley` from START."""
    point = Tensor(np.array(START), requires_grad=True)
    optimizer = make_optimizer([point])
    path = [point.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        valley(point[0], point[1]).backward()
        optimizer.step()
        path.append(point.data.copy())
    return np.array(path)


def path_numbers(path):
    x, y = path[-1]
    return {"final_x": float(x), "final_y": float(y), "final_f": float(valley(x, y)),
            "path_length": float(np.linalg.norm(np.diff(path, axis=0), axis=1).sum()),
            "y_sign_changes": int(np.sum(np.diff(np.sign(path[:, 1])) != 0))}


def plot_paths(paths, path):
    fig = new_figure(figsize=(11, 5.5), layout="constrained")
    grid_x, grid_y = np.meshgrid(np.linspace(-10, 10, 200), np.linspace(-5, 5, 200))
    for ax, (name, points) in zip(fig.subplots(2, 3).ravel(), paths.items()):
        ax.contour(grid_x, grid_y, valley(grid_x, grid_y), levels=np.geomspace(0.05, 30, 8),
                   colors="0.7", linewidths=0.7)
        ax.plot(points[:, 0], points[:, 1], "o-", color="tab:red", markersize=3, linewidth=1)
        ax.plot(0, 0, "+", color="black", markersize=12)
        options = OPTIMIZERS[name][1]
        ax.set_title(f"{name} ({', '.join(f'{k}={v}' for k, v in options.items())})", fontsize=9)
        ax.set_xlim(-10, 10)
        ax.set_ylim(-5, 5)
    fig.suptitle(f"{PATH_STEPS} steps on f(x, y) = x²/20 + y² from {START}")
    save_png(fig, path)


def plot_losses(losses, accuracies, window, path):
    fig = new_figure(figsize=(8, 5), layout="constrained")
    ax = fig.subplots()
    for name, values in losses.items():
        ax.plot(np.arange(1, len(values) + 1), smooth(values, window),
                label=f"{name} (test accuracy {accuracies[name]:.3f})")
    ax.set_xlabel("iteration (batch of 128)")
    ax.set_ylabel(f"training loss (moving average of {window})")
    ax.set_yscale("log")
    ax.grid(alpha=0.3)
    ax.legend()
    ax.set_title("Fashion-MNIST, 5-layer 100-unit ReLU net, same initial weights")
    save_png(fig, path)


@experiment("optimizers", "paths of SGD, Momentum, Nesterov, AdaGrad, RMSprop, Adam on "
                          "x^2/20 + y^2, and their loss curves on Fashion-MNIST")
def run(out_dir, *, quick=False, seed=0):
    paths = {name: descend(lambda params, cls=cls, options=options: cls(params, **options))
             for name, (cls, options, _) in OPTIMIZERS.items()}
    plot_paths(paths, out_dir / "optimizer_paths.png")

    rng = np.random.default_rng(seed)
    n_train, n_test, epochs = (4000, 1000, 1) if quick else (60000, 10000, 2)
    data, test = fashion_mnist(n_train, n_test, rng)
    initial = mlp([784, 100, 100, 100, 100, 10], "relu", "he", generator=rng).state_dict()
    losses, accuracies = {}, {}
    for name, (cls, _, options) in OPTIMIZERS.items():
        model = mlp([784, 100, 100, 100, 100, 10], "relu", "he")
        model.load_state_dict(initial)
        history, losses[name] = train(model, cls(model.parameters(), **options), data, epochs,
                                      128, np.random.default_rng(seed), val=test)
        accuracies[name] = history.last("val_accuracy")
    window = 5 if quick else 50
    plot_losses(losses, accuracies, window, out_dir / "fashion_mnist_losses.png")
    return {
        "paths": {name: path_numbers(points) for name, points in paths.items()},
        "fashion_mnist": {
            name: {"options": OPTIMIZERS[name][2], "first_loss": losses[name][0],
                   "final_loss": float(smooth(losses[name], window)[-1]),
                   "test_accuracy": accuracies[name]}
            for name in OPTIMIZERS},
        "fashion_mnist_setup": {"train_samples": n_train, "test_samples": n_test,
                                "epochs": epochs, "steps": len(losses["SGD"]),
                                "batch_size": 128, "loss_window": window},
    }
