"""The Hopfield page's session: store drawn patterns, corrupt a state, watch it recalled.

The net is neuronet's classic.Hopfield (Hebbian or Storkey rule) over a side x side grid of
+1/-1 pixels. Recall runs Hopfield.update_unit one neuron at a time in a fresh random order
per sweep, so the page sees each flip and the energy -1/2 s^T W s falling; a sweep with no
flip is a fixed point ("settled").
"""

import numpy as np

from neuronet.classic import Hopfield
from neuronet.playground.params import ParamError, bipolar_list, choice, integer, number
from neuronet.playground.session import Session

ENERGY_HISTORY = 2000


class HopfieldSession(Session):
    KIND = "hopfield"
    FIELDS = {
        "side": integer(4, 16),
        "rule": choice(("hebbian", "storkey")),
        "steps_per_frame": integer(1, 256),  # unit updates
        "seed": integer(0, 2**31 - 1),
    }
    DEFAULTS = {"side": 10, "rule": "hebbian", "steps_per_frame": 4, "seed": 0}
    LIVE = ("steps_per_frame",)

    @property
    def ACTIONS(self):  # the pattern validators depend on the grid size
        n = self.config["side"] ** 2
        return {"play": {}, "pause": {}, "step": {"steps": integer(1, 10000)},
                "store": {"pattern": bipolar_list(n)}, "set_state": {"pattern": bipolar_list(n)},
                "noise": {"fraction": number(0.0, 1.0)}, "random_patterns": {
                    "count": integer(1, n)}, "clear": {}}

    def build(self):
        self.rng = np.random.default_rng(self.config["seed"])
        self.patterns = np.zeros((0, self.config["side"] ** 2))
        self.net = None
        self.state_ = -np.ones(self.config["side"] ** 2)
        self.restart_recall()

    def restart_recall(self):
        self.playing = False
        self.order, self.position, self.flips_in_sweep = [], 0, 0
        self.sweeps, self.settled, self.last_unit = 0, False, None
        self.energies = [self.energy()]

    def energy(self):
        return None if self.net is None else float(self.net.energy(self.state_))

    def refit(self, patterns):
        net = Hopfield(learning_rule=self.config["rule"])
        try:
            net.fit(patterns)
        except ValueError as e:
            raise ParamError(f"hopfield: {e}") from None
        self.patterns, self.net = patterns, net
        self.restart_recall()

    # --- actions ---------------------------------------------------------------------------

    def act_store(self, pattern):
        self.refit(np.vstack([self.patterns, np.asarray(pattern, dtype=np.float64)]))

    def act_random_patterns(self, count):
        n = self.config["side"] ** 2
        self.refit(np.vstack([self.patterns, self.rng.choice([-1.0, 1.0], size=(count, n))]))

    def act_clear(self):
        self.patterns, self.net = np.zeros((0, self.config["side"] ** 2)), None
        self.restart_recall()

    def act_set_state(self, pattern):
        self.state_ = np.asarray(pattern, dtype=np.float64)
        self.restart_recall()

    def act_noise(self, fraction):
        flip = self.rng.random(self.state_.size) < fraction
        self.state_ = np.where(flip, -self.state_, self.state_)
        self.restart_recall()

    def act_play(self):
        self.need_patterns()
        self.playing = not self.settled

    def act_step(self, steps=1):
        self.need_patterns()
        super().act_step(steps)

    def need_patterns(self):
        if self.net is None:
            raise ParamError("hopfield: store at least one pattern before recall (draw one and "
                             "press store, or add random patterns)")

    def work(self, steps):
        """`steps` asynchronous unit updates (Hopfield.update_unit)."""
        for _ in range(steps):
            if self.settled:
                self.playing = False
                return
            if self.position == len(self.order):
                self.order, self.position = self.rng.permutation(self.state_.size), 0
            unit = int(self.order[self.position])
            self.flips_in_sweep += self.net.update_unit(self.state_, unit)
            self.position += 1
            self.last_unit = unit
            self.energies.append(self.energy())
            if self.position == len(self.order):
                self.sweeps += 1
                self.settled = self.flips_in_sweep == 0
                self.flips_in_sweep = 0
        self.energies = self.energies[-ENERGY_HISTORY:]

    def snapshot(self, with_data):
        n = self.state_.size
        overlaps = (self.patterns @ self.state_ / n).round(4).tolist()
        return {"side": self.config["side"], "state": self.state_.astype(int).tolist(),
                "patterns": self.patterns.astype(int).tolist(), "overlaps": overlaps,
                "energy": self.energy(), "energies": self.energies, "sweeps": self.sweeps,
                "settled": self.settled, "last_unit": self.last_unit,
                "sweep_position": self.position}
