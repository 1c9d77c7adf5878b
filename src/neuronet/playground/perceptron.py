"""The perceptron page's session: Rosenblatt's rule applied one sample at a time, shown.

Each step takes the next point of the epoch (a fresh random order per epoch), computes
o = [w . x + b > 0] and, on a mistake, w += eta (t - o) x and b += eta (t - o) (neuronet's
classic.perceptron.learning_step). An epoch without a mistake means the line separates the
classes: training stops there ("converged"). On XOR no line exists; it stops after
max_epochs and says so. The inputs are the point's coordinates divided by 3 (order 1).
"""

import numpy as np

from neuronet.classic.perceptron import learning_step
from neuronet.playground import planar
from neuronet.playground.params import choice, integer, number
from neuronet.playground.session import Session

FRAME_STEPS = 200  # at most this many rule steps per frame while playing


class PerceptronSession(Session):
    KIND = "perceptron"
    FIELDS = {
        "dataset": choice(tuple(planar.DATASETS)),
        "noise": number(0.0, 0.5),
        "samples": integer(4, 400),
        "eta": number(0.0, 10.0, include_low=False),
        "max_epochs": integer(1, 1000),
        "steps_per_frame": integer(1, FRAME_STEPS),
        "seed": integer(0, 2**31 - 1),
    }
    DEFAULTS = {"dataset": "gauss", "noise": 0.0, "samples": 40, "eta": 0.1, "max_epochs": 50,
                "steps_per_frame": 1, "seed": 0}
    ACTIONS = {"play": {}, "pause": {}, "step": {"steps": integer(1, 10000)}, "reset": {}}
    LIVE = ("eta", "max_epochs", "steps_per_frame")

    def build(self):
        c = self.config
        self.rng = np.random.default_rng(c["seed"])
        points, labels = planar.points(c["dataset"], c["samples"], c["noise"], self.rng)
        self.points, self.labels = points, labels
        self.inputs = points.astype(np.float64) / 3.0
        self.data_version += 1
        self.act_reset()

    def act_reset(self):
        self.playing = False
        self.w, self.b = np.zeros(2), 0.0
        self.epoch, self.position, self.mistakes = 0, 0, 0
        self.order = self.rng.permutation(len(self.labels))
        self.errors = []  # mistakes in each finished epoch
        self.last = None  # what the last step computed
        self.finished = None  # None, "converged" or "max_epochs"

    def work(self, steps):
        for _ in range(steps):
            if self.finished:
                self.playing = False
                return
            i = int(self.order[self.position])
            w_before, b_before = self.w.tolist(), self.b
            score = float(self.inputs[i] @ self.w + self.b)
            self.b, delta = learning_step(self.w, self.b, self.inputs[i], int(self.labels[i]),
                                          self.config["eta"])
            self.mistakes += delta != 0
            self.last = {"index": i, "x": self.inputs[i].tolist(), "target": int(self.labels[i]),
                         "score": score, "output": int(score > 0), "delta": delta,
                         "w_before": w_before, "b_before": b_before}
            self.position += 1
            if self.position == len(self.order):
                self.end_epoch()

    def end_epoch(self):
        self.errors.append(int(self.mistakes))
        self.epoch += 1
        if self.mistakes == 0:
            self.finished = "converged"
        elif self.epoch >= self.config["max_epochs"]:
            self.finished = "max_epochs"
        self.position, self.mistakes = 0, 0
        self.order = self.rng.permutation(len(self.labels))

    def snapshot(self, with_data):
        wrong = int(np.sum((self.inputs @ self.w + self.b > 0) != self.labels))
        state = {"w": self.w.tolist(), "b": self.b, "epoch": self.epoch,
                 "position": self.position, "mistakes": int(self.mistakes),
                 "errors": self.errors, "wrong_now": wrong, "last": self.last,
                 "finished": self.finished, "scale": 3.0, "extent": planar.EXTENT}
        if with_data:
            state["data"] = {"x": np.round(self.points.astype(np.float64), 4).tolist(),
                             "y": self.labels.tolist()}
        return state
