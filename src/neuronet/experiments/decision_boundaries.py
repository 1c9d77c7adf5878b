"""Experiment 7, decision boundaries: what capacity and L2 regularization do to a classifier.

On two 2-D data sets (three spiral arms; two noisy moons) a linear softmax classifier and
nets with one tanh hidden layer of 1, 3 and 20 units are trained full-batch with Adam; then
the 20-unit net again with the L2 penalty lam * sum(w^2) for several lam. Each panel colours
the plane by the predicted class, with the training points on top:

- capacity.png: a line cannot follow the spiral; every hidden unit adds a bend;
- regularization.png: a stronger penalty gives smaller weights and a smoother boundary that
  fits the training points less tightly.

Numbers: training and held-out accuracy (a second sample of the same distribution), the
weights' squared norm and the boundary length (the fraction of neighbouring grid cells, along
rows and columns, whose predicted classes differ: how wiggly the boundary is).
"""

import numpy as np

import neuronet
from neuronet import optim
from neuronet.data.datasets.toy import moons, spiral
from neuronet.experiments.common import linear_layers, mlp, train
from neuronet.experiments.registry import experiment
from neuronet.nn import functional as F
from neuronet.nn.utils.regularization import l2_penalty
from neuronet.viz.backend import new_figure, save_png

DATASETS = {
    "spiral": lambda n, rng: spiral(n, n_classes=3, noise=0.2, generator=rng),
    "moons": lambda n, rng: moons(n, noise=0.25, generator=rng),
}
HIDDEN_UNITS = (None, 1, 3, 20)  # None: the linear classifier (no hidden layer)
L2_STRENGTHS = (0.0, 1e-4, 1e-3, 1e-2)
L2_HIDDEN = 20
COLOURS = ("tab:blue", "tab:orange", "tab:green")


def fit_net(x, y, hidden, lam, steps, seed):
    """A softmax classifier (hidden=None) or 2-hidden-C tanh net, trained full-batch; its
    initial weights depend only on `seed` and the sizes (the same start for every lam)."""
    sizes = [2, int(y.max()) + 1] if hidden is None else [2, hidden, int(y.max()) + 1]
    generator = np.random.default_rng(seed)
    model = mlp(sizes, "tanh", init="xavier", generator=generator)

    def loss_fn(scores, targets):
        loss = F.cross_entropy(scores, targets)
        weights = [layer.weight for layer in linear_layers(model)]
        return loss + l2_penalty(weights, lam) if lam else loss

    train(model, optim.Adam(model.parameters(), lr=0.02), (x, y), epochs=steps,
          batch_size=len(y), generator=generator, loss_fn=loss_fn)
    return model


def predict(model, points):
    with neuronet.no_grad():
        return model(neuronet.tensor(points.astype(np.float32))).data.argmax(axis=1)


def plane(x, resolution):
    """A grid covering the points with a margin: (xs, ys, (resolution^2, 2) points)."""
    low, high = x.min(axis=0) - 0.3, x.max(axis=0) + 0.3
    xs, ys = np.meshgrid(np.linspace(low[0], high[0], resolution),
                         np.linspace(low[1], high[1], resolution))
    return xs, ys, np.stack([xs.ravel(), ys.ravel()], axis=1)


def boundary_length(classes):
    """Fraction of horizontally or vertically adjacent grid cells with different classes."""
    changes = np.count_nonzero(np.diff(classes, axis=0)) + np.count_nonzero(np.diff(classes,
                                                                                 axis=1))
    return changes / (classes.shape[0] * (classes.shape[1] - 1) * 2)


def study(model, data, grid):
    (x, y), (x_test, y_test) = data
    xs, ys, points = grid
    classes = predict(model, points).reshape(xs.shape)
    numbers = {
        "train_accuracy": float(np.mean(predict(model, x) == y)),
        "test_accuracy": float(np.mean(predict(model, x_test) == y_test)),
        "weight_sq_norm": float(sum(np.sum(w.weight.data.astype(np.float64) ** 2)
                                    for w in linear_layers(model))),
        "boundary_length": boundary_length(classes),
    }
    return numbers, classes


def draw(ax, grid, classes, x, y, title):
    xs, ys, _ = grid
    n = int(y.max()) + 1
    ax.contourf(xs, ys, classes, levels=np.arange(n + 1) - 0.5, colors=COLOURS[:n], alpha=0.3)
    for c in range(n):
        ax.scatter(*x[y == c].T, s=8, color=COLOURS[c], edgecolors="black", linewidths=0.3)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title(title, fontsize=9)


def label(hidden):
    return "linear" if hidden is None else f"{hidden} hidden unit{'s' if hidden > 1 else ''}"


@experiment("decision_boundaries", "decision boundaries on spiral and moons: a linear "
                                   "classifier vs 1, 3, 20 hidden units, and L2 strengths")
def run(out_dir, *, quick=False, seed=0):
    steps, n_train, resolution = (250, 150, 80) if quick else (3000, 300, 250)
    rng = np.random.default_rng(seed)
    figures = {name: new_figure(figsize=(12, 6.4), layout="constrained")
               for name in ("capacity", "regularization")}
    axes = {name: fig.subplots(len(DATASETS), 4) for name, fig in figures.items()}
    results = {}
    for row, (dataset, make) in enumerate(DATASETS.items()):
        data = (make(n_train, rng), make(n_train, rng))
        (x, y), _ = data
        grid = plane(x, resolution)
        # every net starts from the same weights, so lam = 0 is the 20-unit capacity run
        configs = {(h, 0.0) for h in HIDDEN_UNITS} | {(L2_HIDDEN, lam) for lam in L2_STRENGTHS}
        fitted = {(hidden, lam): study(fit_net(x, y, hidden, lam, steps, seed), data, grid)
                  for hidden, lam in sorted(configs, key=str)}
        capacity, regularization = {}, {}
        for col, hidden in enumerate(HIDDEN_UNITS):
            numbers, classes = fitted[hidden, 0.0]
            capacity[label(hidden)] = numbers
            draw(axes["capacity"][row, col], grid, classes, x, y,
                 f"{dataset}, {label(hidden)}: train {numbers['train_accuracy']:.2f}")
        for col, lam in enumerate(L2_STRENGTHS):
            numbers, classes = fitted[L2_HIDDEN, lam]
            regularization[f"{lam:g}"] = numbers
            draw(axes["regularization"][row, col], grid, classes, x, y,
                 f"{dataset}, L2 {lam:g}: train {numbers['train_accuracy']:.2f}, "
                 f"held-out {numbers['test_accuracy']:.2f}")
        results[dataset] = {"capacity": capacity, "l2": regularization}
    figures["capacity"].suptitle(f"linear classifier and tanh nets, {steps} full-batch Adam "
                                 "steps (colour: predicted class)")
    figures["regularization"].suptitle(f"{L2_HIDDEN} hidden units with the L2 penalty "
                                       "lam * sum(w²) on the weights")
    for name, fig in figures.items():
        save_png(fig, out_dir / f"{name}.png")
    return {"steps": steps, "n_train": n_train, **results}
