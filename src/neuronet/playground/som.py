"""The SOM page's session: a Kohonen map unfolding over 2-D points, one sample at a time.

The map is neuronet's classic.SOM (m x n units, each a point of the plane), started by its
`init` and trained by SOM.step: the best-matching unit and its grid neighbours move toward
the sample, with the learning rate and radius decaying over n_iter steps. The page draws the
units joined to their grid neighbours, so the net is seen to untangle and spread over the data.
"""

import numpy as np

from neuronet.classic import SOM
from neuronet.classic.som import grid_positions
from neuronet.playground import planar
from neuronet.playground.params import choice, integer, number
from neuronet.playground.session import Session

ERROR_HISTORY = 400  # quantization-error points kept (thinned by half when full)


class SOMSession(Session):
    KIND = "som"
    FIELDS = {
        "dataset": choice(tuple(planar.DATASETS)),
        "noise": number(0.0, 0.5),
        "samples": integer(20, 2000),
        "rows": integer(1, 20),
        "columns": integer(1, 20),
        "sigma": number(0.0, 20.0, include_low=False),
        "learning_rate": number(0.0, 5.0, include_low=False),
        "neighborhood": choice(("gaussian", "bubble", "mexican_hat")),
        "topology": choice(("rectangular", "hexagonal")),
        "decay": choice(("asymptotic", "linear", "exponential")),
        "init": choice(("sample", "pca")),
        "n_iter": integer(1, 100000),
        "steps_per_frame": integer(1, 500),
        "seed": integer(0, 2**31 - 1),
    }
    DEFAULTS = {"dataset": "circle", "noise": 0.1, "samples": 400, "rows": 8, "columns": 8,
                "sigma": 3.0, "learning_rate": 0.5, "neighborhood": "gaussian",
                "topology": "rectangular", "decay": "exponential", "init": "sample",
                "n_iter": 3000, "steps_per_frame": 20, "seed": 0}
    ACTIONS = {"play": {}, "pause": {}, "step": {"steps": integer(1, 100000)}, "reset": {}}
    LIVE = ("steps_per_frame",)

    def build(self):
        c = self.config
        self.rng = np.random.default_rng(c["seed"])
        self.points, self.labels = planar.points(c["dataset"], c["samples"], c["noise"],
                                                 self.rng)
        self.data_version += 1
        self.act_reset()

    def act_reset(self):
        c = self.config
        self.playing = False
        self.som = SOM(m=c["rows"], n=c["columns"], sigma=c["sigma"],
                       learning_rate=c["learning_rate"], neighborhood=c["neighborhood"],
                       topology=c["topology"], decay=c["decay"], n_iter=c["n_iter"],
                       init=c["init"], random_state=int(self.rng.integers(2**31)))
        self.som.initialize(self.points)
        self.t = 0
        self.order, self.position = self.rng.permutation(len(self.points)), 0
        self.last = None  # (sample index, BMU flat index) of the last step
        self.errors = []  # (step, quantization error)
        self.record()

    def work(self, steps):
        """Up to `steps` online updates, samples in a fresh random order each pass; stops at
        n_iter (the schedules end there)."""
        for _ in range(min(steps, self.config["n_iter"] - self.t)):
            i = int(self.order[self.position])
            self.last = (i, self.som.step(self.points[i], self.t))
            self.t += 1
            self.position += 1
            if self.position == len(self.order):
                self.order, self.position = self.rng.permutation(len(self.points)), 0
        if self.t >= self.config["n_iter"]:
            self.playing = False
        self.record()

    def record(self):
        if self.errors and self.errors[-1][0] == self.t:
            return
        self.errors.append((self.t, self.som.quantization_error(self.points)))
        if len(self.errors) > ERROR_HISTORY:
            self.errors = self.errors[::2]

    def snapshot(self, with_data):
        c = self.config
        state = {"rows": c["rows"], "columns": c["columns"], "topology": c["topology"],
                 "step": self.t, "n_iter": c["n_iter"], "finished": self.t >= c["n_iter"],
                 "weights": np.round(self.som.weights_.reshape(-1, 2).astype(np.float64),
                                     4).tolist(),  # (rows * columns, 2), row by row
                 "links": grid_links(c["rows"], c["columns"], c["topology"]),
                 "quantization_error": self.errors[-1][1], "errors": self.errors,
                 "last": None if self.last is None else
                 {"sample": self.last[0], "bmu": int(self.last[1])},
                 "extent": planar.EXTENT}
        if with_data:
            state["data"] = {"x": np.round(self.points.astype(np.float64), 4).tolist(),
                             "y": self.labels.tolist()}
        return state


def grid_links(rows, columns, topology):
    """[[a, b], ...]: the pairs of flat unit indices that are nearest neighbours on the grid
    (4 around a unit on a rectangular grid, 6 on a hexagonal one), the lines the page draws."""
    positions = grid_positions(rows, columns, topology)
    gaps = np.linalg.norm(positions[:, None] - positions[None], axis=-1)
    a, b = np.nonzero(np.triu(gaps < 1.0 + 1e-6, k=1))
    return np.stack([a, b], axis=1).tolist()
