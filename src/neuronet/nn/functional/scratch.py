"""A small pool of scratch arrays for the convolutions' large, short-lived buffers.

Patch matrices are large (11 MB each in LeNet-5 at batch 128) and live for one op. Fresh ones
come from newly mapped pages whenever the allocator has returned memory to the system (as it
does when other work, such as torch in a benchmark, runs in between), and then every page
faults on first touch: 2900-3700 faults per LeNet-5 step, 10 steps in 277-283 ms against
180-206 ms with reuse. So im2col.py takes them from this pool and gives them back when the op
is done: a chunk buffer at the end of its product, the patch matrix forward keeps at the end of
weight_grad (or release(), when dW is not wanted).
"""

import math
import threading

import numpy as np

_POOL_BYTES = 64 << 20  # the most memory the pool holds on to
_pool = []  # free buffers, least recently given back first
_lock = threading.Lock()  # chunks on threads take and give concurrently


def take(shape, dtype):
    """An uninitialized array from the pool (one of this size and dtype), or a new one."""
    size = math.prod(shape)
    with _lock:
        for i, buffer in enumerate(_pool):
            if buffer.size == size and buffer.dtype == dtype:
                return _pool.pop(i).reshape(shape)
    return np.empty(shape, dtype)


def give(array):
    """Return an array from `take` to the pool, once nothing uses it any more; the least
    recently given back ones leave when the pool would pass _POOL_BYTES."""
    flat = array.reshape(-1)  # a view: the array came whole and contiguous from take
    with _lock:
        _pool.append(flat)
        while sum(b.nbytes for b in _pool) > _POOL_BYTES:
            _pool.pop(0)
