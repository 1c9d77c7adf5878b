"""Functions that make new tensors: zeros, ones, full, arange, eye, rand, randn, randint, ..."""

import numpy as np

from neuronet.autograd.tensor import Tensor
from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.random import get_generator


def _shape(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        return tuple(size[0])
    return tuple(size)


def _float_dtype(dtype):
    return get_default_dtype() if dtype is None else as_dtype(dtype)


def _new(array, requires_grad):
    t = Tensor._make(array)
    t.requires_grad = requires_grad
    return t


def zeros(*size, dtype=None, requires_grad=False):
    return _new(np.zeros(_shape(size), _float_dtype(dtype)), requires_grad)


def ones(*size, dtype=None, requires_grad=False):
    return _new(np.ones(_shape(size), _float_dtype(dtype)), requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False):
    return _new(np.full(_shape((size,)), fill_value, _float_dtype(dtype)), requires_grad)


def zeros_like(t, dtype=None, requires_grad=False):
    return _new(np.zeros(t.shape, t.dtype if dtype is None else as_dtype(dtype)), requires_grad)


def ones_like(t, dtype=None, requires_grad=False):
    return _new(np.ones(t.shape, t.dtype if dtype is None else as_dtype(dtype)), requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False):
    return _new(np.eye(n, m, dtype=_float_dtype(dtype)), requires_grad)


def arange(start, end=None, step=1, dtype=None):
    """Like torch.arange: int64 for integer arguments, the default float dtype otherwise."""
    if end is None:
        start, end = 0, start
    if dtype is None:
        is_int = all(isinstance(v, (int, np.integer)) for v in (start, end, step))
        dtype = np.int64 if is_int else get_default_dtype()
    return _new(np.arange(start, end, step, dtype=as_dtype(dtype)), False)


def linspace(start, end, steps, dtype=None):
    return _new(np.linspace(start, end, steps, dtype=_float_dtype(dtype)), False)


def rand(*size, dtype=None, generator=None, requires_grad=False):
    """Uniform on [0, 1)."""
    gen = get_generator(generator)
    out = gen.random(_shape(size), dtype=np.float64).astype(_float_dtype(dtype))
    return _new(out, requires_grad)


def randn(*size, dtype=None, generator=None, requires_grad=False):
    """Standard normal."""
    gen = get_generator(generator)
    out = gen.standard_normal(_shape(size)).astype(_float_dtype(dtype))
    return _new(out, requires_grad)


def randint(low, high, size, generator=None):
    """Integers in [low, high), int64."""
    gen = get_generator(generator)
    return _new(gen.integers(low, high, size=tuple(size), dtype=np.int64), False)


def randperm(n, generator=None):
    return _new(get_generator(generator).permutation(n).astype(np.int64), False)


def from_numpy(array):
    """A tensor sharing memory with `array` (no copy, dtype kept as is)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy: expected a numpy.ndarray, got {type(array).__name__}")
    return Tensor._make(array)
