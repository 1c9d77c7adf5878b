"""Intra-op parallelism: one op's independent parts (such as chunks of samples) run on threads.

NumPy releases the GIL inside copies, ufunc loops and BLAS calls, so plain Python threads run
those in parallel. OpenBLAS parallelizes each matrix product by itself, but calls made from
several threads at once do not overlap (a 2-thread OpenBLAS gave a chunked convolution no
speed-up at all), and after each product its worker threads spin for a while, slowing any
NumPy work that runs beside them. So inside a parallel region BLAS is set to one thread and
the parts run `get_num_threads()` at a time instead; measured on 2 cores, a 3x3 convolution's
forward pass (im2col + GEMM per chunk) took 17 ms this way against 25 ms with one caller and
2-thread BLAS.

The thread count starts as the BLAS library's (OPENBLAS_NUM_THREADS / OMP_NUM_THREADS, else
all cores) and `set_num_threads` changes both. When the BLAS library cannot be controlled
(NumPy built on something other than OpenBLAS), parallel regions run serially.

Parts are assigned to threads in a fixed round robin, so results never depend on timing.
"""

import ctypes
import queue
import threading

import numpy as np

_lock = threading.Lock()  # one parallel region at a time; a second one runs serially
_ELEMENTWISE_BYTES = 4 << 20  # smaller arrays are not worth a thread hand-off
_state = {"threads": None, "blas": None}
_workers = []  # _Worker threads, started on first use, one per thread beyond the caller


class _Blas:
    """get/set of the thread count of the OpenBLAS that NumPy loaded (found in this process's
    memory map: NumPy wheels bundle it under a prefixed name)."""

    def __init__(self, library):
        self.get = self.set = None
        for prefix in ("scipy_openblas", "openblas"):
            for suffix in ("64_", ""):
                get = getattr(library, f"{prefix}_get_num_threads{suffix}", None)
                set_ = getattr(library, f"{prefix}_set_num_threads{suffix}", None)
                if get is not None and set_ is not None:
                    self.get, self.set = get, set_
                    self.set.argtypes = [ctypes.c_int]
                    return

    @staticmethod
    def find():
        """The controller of NumPy's OpenBLAS (loaded with numpy, imported above), or None."""
        try:
            with open("/proc/self/maps") as maps:
                paths = sorted({line.split()[-1] for line in maps
                                if "openblas" in line.lower() and ".so" in line})
        except OSError:
            return None
        for path in paths:
            try:
                blas = _Blas(ctypes.CDLL(path))
            except OSError:
                continue
            if blas.get is not None:
                return blas
        return None


def _blas():
    if _state["blas"] is None:
        _state["blas"] = _Blas.find() or False
    return _state["blas"]


def get_num_threads():
    """Threads an op may use (as torch.get_num_threads); 1 when BLAS cannot be controlled."""
    if _state["threads"] is None:
        blas = _blas()
        _state["threads"] = max(1, int(blas.get())) if blas else 1
    return _state["threads"]


def set_num_threads(n):
    """Use n threads in ops and in BLAS (as torch.set_num_threads)."""
    if not isinstance(n, int) or isinstance(n, bool) or n < 1:
        raise ValueError(f"set_num_threads: expected a positive int, got {n!r}")
    blas = _blas()
    if blas:
        blas.set(n)
    with _lock:
        _state["threads"] = n if blas else 1


def parallel_map(work, parts):
    """[work(thread, part) for part in parts], the parts spread over the threads: part i goes
    to thread i % n (0 <= thread < n), each thread's parts in order, so per-thread buffers and
    accumulators indexed by `thread` are safe. BLAS runs one thread per call meanwhile.
    Nested or concurrent regions, and single parts, run serially in the caller as thread 0.
    An exception in any part is raised in the caller once all threads have stopped."""
    threads = min(get_num_threads(), len(parts))
    if threads < 2 or not _lock.acquire(blocking=False):
        return [work(0, part) for part in parts]
    try:
        while len(_workers) < threads - 1:
            _workers.append(_Worker(len(_workers) + 1))
        blas = _blas()
        saved = blas.get()
        blas.set(1)
        try:
            for k in range(1, threads):
                _workers[k - 1].start(work, parts[k::threads])
            try:
                done = [_run(work, 0, parts[0::threads])]
            except BaseException as error:  # raised below, once the other threads stopped
                done = [error]
            done += [_workers[k - 1].finish() for k in range(1, threads)]
        finally:
            blas.set(saved)
    finally:
        _lock.release()
    for results in done:
        if isinstance(results, BaseException):
            raise results
    return [done[i % threads][i // threads] for i in range(len(parts))]


def elementwise(fn, *arrays):
    """fn(*arrays, out=out) into a new array shaped and typed like arrays[0]. C-contiguous
    arrays of one shape and of _ELEMENTWISE_BYTES or more are cut into one contiguous piece
    per thread, computed on the threads (an elementwise result does not depend on the cut)."""
    first = arrays[0]
    out = np.empty_like(first)
    threads = get_num_threads()
    if (threads < 2 or first.nbytes < _ELEMENTWISE_BYTES
            or any(a.shape != first.shape or not a.flags.c_contiguous for a in arrays)):
        fn(*arrays, out=out)
        return out
    flat = [a.reshape(-1) for a in arrays + (out,)]
    bounds = [first.size * i // threads for i in range(threads + 1)]
    parallel_map(lambda thread, piece: fn(*(a[piece] for a in flat[:-1]), out=flat[-1][piece]),
                 [slice(a, b) for a, b in zip(bounds[:-1], bounds[1:])])
    return out


def binary(ufunc, a, b):
    """ufunc(a, b); arrays of one shape and dtype go through `elementwise` (large ones in
    pieces on threads), anything else (broadcasting, Python numbers) as NumPy does it."""
    if (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
            and a.dtype == b.dtype):
        return elementwise(ufunc, a, b)
    return ufunc(a, b)


def _run(work, thread, parts):
    return [work(thread, part) for part in parts]


class _Worker:
    """A daemon thread that runs one list of parts per start() and hands back the results
    (or the exception) in finish()."""

    def __init__(self, thread):
        self.thread, self.tasks, self.results = thread, queue.SimpleQueue(), queue.SimpleQueue()
        threading.Thread(target=self._loop, name=f"neuronet-op-{thread}", daemon=True).start()

    def start(self, work, parts):
        self.tasks.put((work, parts))

    def finish(self):
        return self.results.get()

    def _loop(self):
        while True:
            work, parts = self.tasks.get()
            try:
                self.results.put(_run(work, self.thread, parts))
            except BaseException as error:  # handed to the caller, who raises it
                self.results.put(error)


__all__ = ["binary", "elementwise", "get_num_threads", "parallel_map", "set_num_threads"]
