"""The playground's main session: a neuronet MLP trained on a 2-D data set, step by step.

The net maps the chosen input features of a point to one logit (class 1 vs 0), trained with
BCEWithLogitsLoss (+ an optional L1/L2 penalty on the weights) by the chosen optimizer on
random mini-batches. Each frame reports the train/test loss, the weights and their last
gradients, every neuron's output over the plane (a small heat map) and the decision boundary.
"""

import time

import numpy as np

from neuronet import nn, optim
from neuronet.autograd.grad_mode import no_grad
from neuronet.creation import from_numpy
from neuronet.experiments.common import hidden_activations, linear_layers, mlp
from neuronet.nn.utils.regularization import l1_penalty, l2_penalty
from neuronet.playground import planar
from neuronet.playground.params import (
    ParamError,
    boolean,
    choice,
    int_list,
    integer,
    number,
    subset,
)
from neuronet.playground.session import Session
from neuronet.random import generator_scope

OPTIMIZERS = {
    "sgd": lambda params, lr: optim.SGD(params, lr=lr),
    "momentum": lambda params, lr: optim.SGD(params, lr=lr, momentum=0.9),
    "adam": lambda params, lr: optim.Adam(params, lr=lr),
    "rmsprop": lambda params, lr: optim.RMSprop(params, lr=lr),
}
INITS = {"xavier": "xavier", "he": "he", "normal": 0.5}  # names -> experiments' init_linear_
PENALTIES = {"none": None, "l1": l1_penalty, "l2": l2_penalty}
BOUNDARY = 60  # the decision boundary's grid is BOUNDARY x BOUNDARY cells
NEURON_STRIDE = 3  # a neuron's heat map takes every 3rd cell: 20 x 20
HISTORY = 400  # loss points kept (thinned by half when full)
MAX_WIDTH, MAX_LAYERS = 8, 6


class NetworkSession(Session):
    KIND = "network"
    FIELDS = {
        "dataset": choice(tuple(planar.DATASETS)),
        "noise": number(0.0, 0.5),
        "train_ratio": number(0.1, 0.9),
        "samples": integer(20, 2000),
        "features": subset(tuple(planar.FEATURES)),
        "hidden": int_list(0, MAX_LAYERS, 1, MAX_WIDTH),
        "activation": choice(("tanh", "relu", "sigmoid", "linear")),
        "learning_rate": number(0.0, 10.0, include_low=False),
        "regularization": choice(tuple(PENALTIES)),
        "reg_rate": number(0.0, 1.0),
        "batch_size": integer(1, 2000),
        "optimizer": choice(tuple(OPTIMIZERS)),
        "init": choice(tuple(INITS)),
        "batchnorm": boolean(),
        "dropout": number(0.0, 0.9),
        "seed": integer(0, 2**31 - 1),
        "steps_per_frame": integer(1, 100),
    }
    DEFAULTS = {
        "dataset": "circle", "noise": 0.1, "train_ratio": 0.5, "samples": 400,
        "features": ["x1", "x2"], "hidden": [4, 2], "activation": "tanh",
        "learning_rate": 0.03, "regularization": "none", "reg_rate": 0.0, "batch_size": 10,
        "optimizer": "sgd", "init": "xavier", "batchnorm": False, "dropout": 0.0, "seed": 0,
        "steps_per_frame": 5,
    }
    ACTIONS = {"play": {}, "pause": {}, "step": {"steps": integer(1, 1000)}, "reset": {},
               "regenerate": {}}
    LIVE = ("learning_rate", "regularization", "reg_rate", "steps_per_frame")

    def check_together(self, config):
        if config["batchnorm"] and config["batch_size"] < 2:
            raise ParamError("network: batch norm needs batch_size >= 2 (the statistics of one "
                             f"sample are meaningless), got batch_size={config['batch_size']}")

    # --- building --------------------------------------------------------------------------

    def build(self):
        """New data (from the seed) and a freshly initialized net."""
        c = self.config
        rng = np.random.default_rng(c["seed"])
        x, y = planar.points(c["dataset"], c["samples"], c["noise"], rng)
        self.train_xy, self.test_xy = planar.split(x, y, c["train_ratio"], rng)
        self.data_version += 1
        self.inputs = {name: (from_numpy(planar.features(px, c["features"])),
                              from_numpy(py.astype(np.float32)[:, None]))
                       for name, (px, py) in (("train", self.train_xy), ("test", self.test_xy))}
        self.grid_inputs = planar.features(planar.grid(BOUNDARY), c["features"])
        self.reset_model(rng)

    def reset_model(self, rng):
        c = self.config
        self.rng = rng
        self.model = mlp([len(c["features"]), *c["hidden"], 1], c["activation"],
                         init=INITS[c["init"]], batchnorm=c["batchnorm"], dropout=c["dropout"],
                         generator=rng)
        self.optimizer = OPTIMIZERS[c["optimizer"]](self.model.parameters(), c["learning_rate"])
        self.loss_fn = nn.BCEWithLogitsLoss()
        self.step_count = 0
        self.history = []  # (step, train loss, test loss)
        self.record()

    def apply_live(self):
        for group in self.optimizer.param_groups:
            group["lr"] = self.config["learning_rate"]

    # --- training --------------------------------------------------------------------------

    def work(self, steps):
        """`steps` mini-batch steps of the optimizer."""
        c = self.config
        x, y = self.inputs["train"]
        n = len(y.data)
        batch = min(c["batch_size"], n)
        penalty = PENALTIES[c["regularization"]]
        weights = [layer.weight for layer in linear_layers(self.model)]
        self.model.train()
        # dropout draws from this session's generator; a diverging loss is reported below, so
        # NumPy's overflow warnings on the way there are noise
        with generator_scope(self.rng), np.errstate(over="ignore", invalid="ignore"):
            for _ in range(steps):
                pick = from_numpy(self.rng.choice(n, size=batch, replace=False))
                loss = self.loss_fn(self.model(x[pick]), y[pick])
                if penalty and c["reg_rate"]:
                    loss = loss + penalty(weights, c["reg_rate"])
                if not np.isfinite(loss.item()):
                    self.playing = False
                    raise ParamError(f"network: the loss became {loss.item()} at step "
                                     f"{self.step_count}; lower the learning rate and reset")
                self.optimizer.zero_grad()
                loss.backward()
                self.optimizer.step()
                self.step_count += 1
        self.record()

    def losses(self):
        """(train loss, test loss) over the whole splits, without the penalty; None where
        not finite (JSON has no NaN)."""
        self.model.eval()
        with no_grad(), np.errstate(over="ignore", invalid="ignore"):
            values = [float(self.loss_fn(self.model(x), y).item()) for x, y in self.inputs.values()]
        return tuple(v if np.isfinite(v) else None for v in values)

    def record(self):
        self.history.append((self.step_count, *self.losses()))
        if len(self.history) > HISTORY:
            self.history = self.history[::2]

    def act_reset(self):
        self.playing = False
        self.reset_model(np.random.default_rng(self.rng.integers(2**31)))

    def act_regenerate(self):
        """New points and a new net from the next seed."""
        self.config = {**self.config, "seed": (self.config["seed"] + 1) % 2**31}
        self.playing = False
        self.build()

    def advance(self, seconds):
        end = time.monotonic() + seconds
        while self.playing and time.monotonic() < end:
            self.work(self.config["steps_per_frame"])

    # --- reporting -------------------------------------------------------------------------

    def snapshot(self, with_data):
        with np.errstate(over="ignore", invalid="ignore"):  # a diverged net is still drawn
            return self._snapshot(with_data)

    def _snapshot(self, with_data):
        layers = linear_layers(self.model)
        hidden = hidden_activations(self.model, self.grid_inputs)
        self.model.eval()
        with no_grad():
            logit = self.model(from_numpy(self.grid_inputs)).numpy()[:, 0]
        boundary = np.tanh(logit.astype(np.float64) / 2)  # = 2 * P(class 1) - 1
        inputs = [self.grid_inputs[:, j] for j in range(self.grid_inputs.shape[1])]
        maps = [[_neuron_map(v) for v in inputs]]
        maps += [[_neuron_map(out[:, j]) for j in range(out.shape[1])] for out in hidden]
        maps.append([_neuron_map(boundary)])
        train, test = self.history[-1][1:]
        state = {
            "step": self.step_count,
            "epoch": self.step_count * min(self.config["batch_size"],
                                           len(self.train_xy[1])) / len(self.train_xy[1]),
            "loss": {"train": train, "test": test},
            "history": self.history,
            "boundary": {"size": BOUNDARY, "values": planar.encode_map(boundary)},
            "neurons": {"size": BOUNDARY // NEURON_STRIDE, "maps": maps},
            "weights": [_rounded(layer.weight.data) for layer in layers],
            "biases": [_rounded(layer.bias.data) for layer in layers],
            "gradients": [_rounded(layer.weight.grad) if layer.weight.grad is not None
                          else None for layer in layers],
            "extent": planar.EXTENT,
        }
        if with_data:
            state["data"] = {name: {"x": _rounded(px), "y": py.tolist()} for name, (px, py) in
                             (("train", self.train_xy), ("test", self.test_xy))}
        return state


def _neuron_map(values):
    """A neuron's outputs over the BOUNDARY grid -> its small heat map, encoded; values beyond
    [-1, 1] (ReLU, linear) are scaled down by their largest magnitude."""
    values = np.asarray(values, dtype=np.float64).reshape(BOUNDARY, BOUNDARY)
    small = values[NEURON_STRIDE // 2::NEURON_STRIDE, NEURON_STRIDE // 2::NEURON_STRIDE]
    return planar.encode_map(small / max(1.0, float(np.abs(small).max())))


def _rounded(array, digits=4):
    """JSON-ready values; a diverged weight (NaN, inf) becomes 0 or +-1e6, as JSON has no NaN
    (the page shows the failure message that stopped training)."""
    values = np.nan_to_num(np.asarray(array, dtype=np.float64), nan=0.0, posinf=1e6,
                           neginf=-1e6)
    return np.round(values, digits).tolist()
