"""What every playground session shares: its checked configuration, its lock, play/pause, the
validated actions, and how its state is reported.

A subclass sets KIND, FIELDS (name -> validator, see params.py; "steps_per_frame" among
them), DEFAULTS, ACTIONS (name -> the validators of that action's arguments) and implements
`build()` (make the model from self.config), `work(steps)` (that many steps of its learning
rule, stopping early where it is done), `act_<name>(**args)` beyond play, pause and step, and
`snapshot(with_data)` (a JSON-ready dict). The public methods (configure, act, state,
advance_frame) take the session's lock, so many threads may call them at once.
"""

import threading
import time

from neuronet.playground.params import ParamError, validate


class Session:
    KIND = ""
    FIELDS = {}
    DEFAULTS = {}
    ACTIONS = {}
    LIVE = ()  # config keys applied without rebuilding (e.g. the learning rate)

    def __init__(self, session_id, raw_config=None):
        self.id = session_id
        self.lock = threading.RLock()
        self.changed = threading.Condition(self.lock)  # notified on every change of state
        self.version = 0  # bumped on every change: streams send a frame when it moves
        self.data_version = 0  # bumped when the data points change: sent with the next frame
        self.last_seen = time.monotonic()
        self.playing = False
        self.closed = False  # set when the store frees it; its streams then end
        self.config = self.check(raw_config or {}, self.DEFAULTS)
        self.build()

    # --- what the server calls (under self.lock) -------------------------------------------

    def check(self, raw, base):
        config = validate(self.KIND, self.FIELDS, raw, base)
        self.check_together(config)
        return config

    def check_together(self, config):
        """Checks across fields; raise ParamError. None by default."""

    def configure(self, raw):
        """Apply a partial configuration: live keys in place, anything else rebuilds."""
        with self.lock:
            self._configure(raw)

    def _configure(self, raw):
        config = self.check(raw, self.config)
        rebuild = any(config[k] != self.config[k] for k in config if k not in self.LIVE)
        self.config = config
        if rebuild:
            self.playing = False
            self.build()
        else:
            self.apply_live()
        self.touch_state()

    def apply_live(self):
        """Push the LIVE keys of self.config into the running model (none by default)."""

    def act(self, name, raw_args):
        with self.lock:
            self._act(name, raw_args)

    def _act(self, name, raw_args):
        if not isinstance(name, str) or name not in self.ACTIONS:
            raise ParamError(f"{self.KIND}: unknown action {name!r}; the actions are: "
                             f"{', '.join(self.ACTIONS)}")
        args = validate(f"{self.KIND} {name}", self.ACTIONS[name], raw_args, {})
        getattr(self, f"act_{name}")(**args)
        self.touch_state()

    def act_play(self):
        self.playing = True

    def act_pause(self):
        self.playing = False

    def act_step(self, steps=1):
        self.playing = False
        self.work(steps)

    def touch_state(self):
        self.version += 1
        self.changed.notify_all()

    def advance_frame(self, seconds):
        """While playing: work for about `seconds`, then count it as a change of state."""
        with self.lock:
            if self.playing:
                self.advance(seconds)
                self.touch_state()

    def state(self, with_data=True):
        with self.lock:
            return {"id": self.id, "kind": self.KIND, "config": self.config,
                    "playing": self.playing, "version": self.version,
                    "data_version": self.data_version, **self.snapshot(with_data)}

    # --- what a subclass provides ----------------------------------------------------------

    def build(self):
        raise NotImplementedError

    def advance(self, seconds):
        """Work while playing, for about `seconds`: by default one frame of steps_per_frame
        steps (the classic rules' steps are quick; the stream paces the frames)."""
        self.work(self.config["steps_per_frame"])

    def work(self, steps):
        raise NotImplementedError

    def snapshot(self, with_data):
        raise NotImplementedError
