"""Reproducible randomness: one global `numpy.random.Generator`, reseeded by `manual_seed`.

Every function that draws random numbers also takes `generator=`, an explicit
`numpy.random.Generator` that is used instead of the global one. Inside a
`generator_scope(gen)` block, `gen` stands in for the global generator in that thread only:
the DataLoader gives each batch its own scope, so random augmentation is the same whichever
worker thread builds the batch.
"""

import contextlib
import threading

import numpy as np

_state = {"generator": np.random.default_rng()}
_scoped = threading.local()


def manual_seed(seed):
    """Reseed the global generator; the same seed gives the same numbers, bit for bit."""
    _state["generator"] = np.random.default_rng(seed)
    return _state["generator"]


def default_generator():
    """The global generator (replaced by each `manual_seed`)."""
    return _state["generator"]


@contextlib.contextmanager
def generator_scope(generator):
    """Within this block (in this thread), `get_generator()` returns `generator`."""
    previous = getattr(_scoped, "generator", None)
    _scoped.generator = generator
    try:
        yield generator
    finally:
        _scoped.generator = previous


def get_generator(generator=None):
    """`generator` if given (a Generator or an int seed), else the one of the enclosing
    `generator_scope` in this thread, else the global one."""
    if generator is None:
        return getattr(_scoped, "generator", None) or _state["generator"]
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, (int, np.integer)):
        return np.random.default_rng(generator)
    raise TypeError(
        f"generator must be a numpy.random.Generator or an int seed, got {type(generator).__name__}"
    )


def get_rng_state():
    """The global generator's state as a JSON-friendly dict (for checkpoints)."""
    return _state["generator"].bit_generator.state


def set_rng_state(state):
    gen = np.random.default_rng()
    gen.bit_generator.state = state
    _state["generator"] = gen
