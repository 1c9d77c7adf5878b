"""What the experiments share: a Fashion-MNIST sample, a configurable MLP, a short training run.

    (x, y), (x_test, y_test) = fashion_mnist(1000, 2000, rng)   # x: (1000, 784) float32 in [0, 1]
    model = mlp([784, 100, 100, 10], "relu", init="he", batchnorm=True, generator=rng)
    history, losses = train(model, optim.SGD(model.parameters(), lr=0.01), (x, y), epochs=5,
                            batch_size=100, generator=rng, val=(x_test, y_test))
"""

import numbers

import numpy as np

from neuronet import nn
from neuronet.autograd.grad_mode import no_grad
from neuronet.creation import from_numpy
from neuronet.data import DataLoader, TensorDataset
from neuronet.data.registry import get_dataset_spec
from neuronet.train import Callback, Trainer, TrainingDivergedError

ACTIVATIONS = {"sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU, "linear": nn.Identity}


def fashion_mnist(n_train, n_test, generator):
    """Random samples (without replacement, drawn by `generator`) of Fashion-MNIST's splits:
    ((x (n_train, 784), y (n_train,)), (x_test (n_test, 784), y_test (n_test,))), x float32 in
    [0, 1], y int64."""
    spec = get_dataset_spec("fashion-mnist")
    splits = []
    for split, n in (("train", n_train), ("test", n_test)):
        x, y = spec.load(split)
        pick = generator.choice(len(y), size=n, replace=False)
        splits.append((x[pick].reshape(n, -1), y[pick]))
    return tuple(splits)


def init_linear_(layer, init, generator=None):
    """Fill a Linear's weight by `init` and zero its bias.

    init: a number (the std of a zero-mean normal), "xavier" (Glorot normal: std 1/sqrt(fan_in)
    for a square layer) or "he" (Kaiming normal for ReLU: std sqrt(2 / fan_in)).
    """
    if isinstance(init, numbers.Real) and not isinstance(init, bool):
        nn.init.normal_(layer.weight, 0.0, float(init), generator=generator)
    elif init == "xavier":
        nn.init.xavier_normal_(layer.weight, generator=generator)
    elif init == "he":
        nn.init.kaiming_normal_(layer.weight, nonlinearity="relu", generator=generator)
    else:
        raise ValueError(f"init must be a std (a number), 'xavier' or 'he', got {init!r}")
    nn.init.zeros_(layer.bias)


def mlp(sizes, activation="relu", init="he", batchnorm=False, dropout=0.0, generator=None):
    """A fully connected net: per hidden layer Linear [-> BatchNorm1d] -> activation [-> Dropout],
    then a Linear to the scores. Every Linear is initialized by `init` (see init_linear_).

    sizes: widths, input first, output last. activation: "sigmoid", "tanh", "relu" or "linear"
    (an Identity module, so that hidden_activations still sees each layer's output).
    Input (N, sizes[0]); output (N, sizes[-1]).
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        linear = nn.Linear(n_in, n_out)
        init_linear_(linear, init, generator)
        layers.append(linear)
        if i < len(sizes) - 2:
            layers += [nn.BatchNorm1d(n_out)] if batchnorm else []
            layers.append(ACTIVATIONS[activation]())
            layers += [nn.Dropout(dropout)] if dropout else []
    return nn.Sequential(*layers)


def linear_layers(model):
    """The Linear modules of `model`, input side first."""
    return [m for m in model.modules() if isinstance(m, nn.Linear)]


def hidden_activations(model, x):
    """The outputs (N, width) of each activation module of `model` on input `x` (N, ...),
    input side first, computed in eval mode without gradients."""
    outputs = []
    hooks = [m.register_forward_hook(lambda module, args, out: outputs.append(out.numpy()))
             for m in model.modules() if isinstance(m, tuple(ACTIVATIONS.values()))]
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            model(from_numpy(np.asarray(x)))
    finally:
        model.train(was_training)
        for hook in hooks:
            hook.remove()
    return outputs


class StepLosses(Callback):
    """Records the training loss of every batch (fit logs only epoch means)."""

    def __init__(self):
        self.losses = []

    def on_batch_end(self, batch, logs=None):
        self.losses.append(float(logs["loss"]))


def train(model, optimizer, data, epochs, batch_size, generator, val=None, loss_fn=None,
          callbacks=(), allow_divergence=False):
    """Train with neuronet.train (no progress output), shuffling with `generator`.

    data: (x, y) arrays or a Dataset (e.g. with augmenting transforms); val: (x, y) arrays.
    Returns (History, per-batch training losses).
    allow_divergence: when the loss or a gradient becomes NaN/Inf, stop and return what was
    recorded before (the History then has fewer epochs than asked) instead of raising.
    """
    def loader(xy, shuffle):
        dataset = TensorDataset(*xy) if isinstance(xy, tuple) else xy
        return DataLoader(dataset, batch_size=batch_size, shuffle=shuffle,
                          generator=generator if shuffle else None)

    steps = StepLosses()
    trainer = Trainer(model, loss_fn or nn.CrossEntropyLoss(), optimizer,
                      callbacks=[steps, *callbacks], progress=False)
    try:
        trainer.fit(loader(data, True), epochs, None if val is None else loader(val, False))
    except TrainingDivergedError:
        if not allow_divergence:
            raise
    return trainer.history, steps.losses


def smooth(values, window):
    """Moving average over `window` values (shorter at the start), same length as `values`."""
    values = np.asarray(values, dtype=np.float64)
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(ends - window, 0)
    return (sums[ends] - sums[starts]) / (ends - starts)
