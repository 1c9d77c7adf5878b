"""The table of live sessions: one per browser tab, created on demand, freed when idle.

    store = SessionStore(idle_timeout=300, max_sessions=64)
    session = store.create("network", {"dataset": "xor"})   # ParamError on bad parameters
    store.get(session.id).act("step", {"steps": 10})
    store.sweep()                                             # frees the idle ones

Thread-safe: the table has its own lock; each session has another (see session.py). A
session is idle when nothing has touched it (a request, or a frame of an open stream) for
`idle_timeout` seconds.
"""

import secrets
import threading
import time

from neuronet.playground.hopfield import HopfieldSession
from neuronet.playground.network import NetworkSession
from neuronet.playground.params import ParamError
from neuronet.playground.perceptron import PerceptronSession
from neuronet.playground.som import SOMSession

KINDS = {cls.KIND: cls for cls in (NetworkSession, PerceptronSession, HopfieldSession,
                                   SOMSession)}


class UnknownSession(LookupError):
    """No session has this id (never made, or freed when idle): the server answers 404."""


class TooManySessions(RuntimeError):
    """The table is full: the server answers 503."""


class SessionStore:
    def __init__(self, idle_timeout=300.0, max_sessions=64):
        self.idle_timeout = float(idle_timeout)
        self.max_sessions = int(max_sessions)
        self._sessions = {}
        self._lock = threading.Lock()
        self.freed = 0  # sessions freed as idle, since the start

    def __len__(self):
        with self._lock:
            return len(self._sessions)

    def ids(self):
        with self._lock:
            return list(self._sessions)

    def create(self, kind, raw_config=None):
        if not isinstance(kind, str) or kind not in KINDS:
            raise ParamError(f"unknown session kind {kind!r}; the kinds are: {', '.join(KINDS)}")
        self.sweep()
        with self._lock:
            if len(self._sessions) >= self.max_sessions:
                raise TooManySessions(f"{self.max_sessions} sessions are open, the most this "
                                      "server keeps; close a tab or wait for idle ones to be "
                                      f"freed (after {self.idle_timeout:g} s)")
        session = KINDS[kind](secrets.token_urlsafe(12), raw_config)  # built outside the lock
        with self._lock:
            self._sessions[session.id] = session
        return session

    def get(self, session_id):
        with self._lock:
            session = self._sessions.get(session_id)
        if session is None:
            raise UnknownSession(f"no session {str(session_id)[:40]!r}: it was never created or "
                                 f"was freed after {self.idle_timeout:g} s idle; reload the page")
        session.last_seen = time.monotonic()
        return session

    def delete(self, session_id):
        with self._lock:
            session = self._sessions.pop(session_id, None)
        if session is None:
            raise UnknownSession(f"no session {str(session_id)[:40]!r}")
        _close(session)

    def sweep(self, now=None):
        """Free the sessions idle for longer than idle_timeout; returns how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [s for s in self._sessions.values()
                    if now - s.last_seen > self.idle_timeout]
            for session in idle:
                del self._sessions[session.id]
            self.freed += len(idle)
        for session in idle:
            _close(session)
        return len(idle)


def _close(session):
    """Stop it and wake its streams, which then see it is gone and end."""
    with session.lock:
        session.closed = True
        session.playing = False
        session.touch_state()
