"""Anomaly detection: stop at the first operation whose result holds NaN or Inf.

    with neuronet.autograd.detect_anomaly():
        loss = model(x).mean()
        loss.backward()      # raises FloatingPointError naming the op, forward or backward
"""

import threading

import numpy as np

_state = threading.local()


def is_anomaly_enabled():
    return getattr(_state, "enabled", False)


class detect_anomaly:
    """Context manager: every op checks its forward output and backward gradients for NaN/Inf."""

    def __init__(self, enabled=True):
        self.enabled = enabled

    def __enter__(self):
        self.prev = is_anomaly_enabled()
        _state.enabled = self.enabled
        return self

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False


def check_finite(arrays, op_name, phase):
    """Raise FloatingPointError if any array in `arrays` holds NaN or Inf."""
    for i, a in enumerate(arrays):
        if a is None or not isinstance(a, np.ndarray) or a.dtype.kind != "f":
            continue
        if not np.isfinite(a).all():
            kind = "NaN" if np.isnan(a).any() else "Inf"
            where = "output" if phase == "forward" else f"gradient for input {i}"
            raise FloatingPointError(
                f"anomaly detected: {op_name} produced {kind} in its {phase} pass ({where}, "
                f"shape {a.shape})"
            )
