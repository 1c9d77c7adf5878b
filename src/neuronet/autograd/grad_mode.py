"""Switching gradient recording on and off: `no_grad`, `enable_grad`, `set_grad_enabled`."""

import functools
import threading

_state = threading.local()


def is_grad_enabled():
    """True when new operations are recorded in the graph (the default)."""
    return getattr(_state, "enabled", True)


class set_grad_enabled:
    """Context manager (and decorator) that turns graph recording on or off."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.prev = is_grad_enabled()
        _state.enabled = self.mode

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False


class _GradModeContext:
    """Base of `no_grad` / `enable_grad`: a context manager that is also a decorator."""

    mode = True

    def __enter__(self):
        self.prev = is_grad_enabled()
        _state.enabled = self.mode
        return self

    def __exit__(self, *exc):
        _state.enabled = self.prev
        return False

    def __call__(self, func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with type(self)():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_GradModeContext):
    """Within this block (or decorated function) operations are not recorded for backward."""

    mode = False


class enable_grad(_GradModeContext):
    """Turns recording back on inside a `no_grad` block."""

    mode = True
