"""The MPI world of this process: init, rank, world size, and collectives with a timeout.

MPI itself comes from mpi4py and the `mpich` wheel (`pip install neuronet[distributed]`); its
`mpiexec` starts the ranks. A collective waits at most `timeout` seconds (init(timeout=...),
default 120): a rank that hangs or died without mpiexec noticing makes the others raise
DistributedError instead of waiting forever. A rank that exits abnormally is also caught by
mpiexec itself, which then kills the rest.
"""

import contextlib
import sys
import time

import numpy as np

from neuronet.optional import import_optional

DEFAULT_TIMEOUT = 120.0
# A pending collective is tested back to back for its first _SPIN_SECONDS (a gradient
# allreduce between two ranks of one machine takes well under that), then every
# _POLL_SECONDS (each test also drives MPI's progress), so a long wait leaves the core free.
_SPIN_SECONDS = 5e-3
_POLL_SECONDS = 1e-4
_state = {"comm": None, "timeout": DEFAULT_TIMEOUT}


class DistributedError(RuntimeError):
    """A collective did not complete: another rank died, hung or stopped early."""


def _mpi():
    return import_optional("mpi4py.MPI", "neuronet.distributed",
                           "pip install neuronet[distributed]")


def init(timeout=DEFAULT_TIMEOUT):
    """Join the MPI world (started by mpiexec, or a world of one when run alone); returns
    the communicator. timeout: seconds a collective may wait for the other ranks."""
    if not timeout > 0:
        raise ValueError(f"neuronet.distributed.init: timeout must be > 0 seconds, got "
                         f"{timeout!r}")
    if _state["comm"] is None:
        _state["comm"] = _mpi().COMM_WORLD
    _state["timeout"] = float(timeout)
    return _state["comm"]


def _comm():
    if _state["comm"] is None:
        raise DistributedError("neuronet.distributed: call neuronet.distributed.init() first")
    return _state["comm"]


def rank():
    """This process's rank, 0 .. world_size() - 1 (0 before init: one process alone)."""
    return 0 if _state["comm"] is None else _state["comm"].Get_rank()


def world_size():
    """The number of ranks (1 before init)."""
    return 1 if _state["comm"] is None else _state["comm"].Get_size()


def is_main():
    """Whether this is rank 0, the one that writes files and prints."""
    return rank() == 0


def _wait(request, what):
    """Wait for a non-blocking collective, at most the timeout."""
    start = time.monotonic()
    deadline = start + _state["timeout"]
    while not request.Test():
        now = time.monotonic()
        if now > deadline:
            raise DistributedError(
                f"neuronet.distributed: rank {rank()} of {world_size()} waited "
                f"{_state['timeout']:g} s for the other ranks in {what}; one of them died, "
                "hung or stopped early"
            )
        if now - start > _SPIN_SECONDS:
            time.sleep(_POLL_SECONDS)


def allreduce_sum(buffer, what="allreduce"):
    """Sum the contiguous array `buffer` over all ranks, in place; returns it."""
    if not (isinstance(buffer, np.ndarray) and buffer.flags.c_contiguous):
        raise TypeError(f"neuronet.distributed.allreduce_sum: expected a C-contiguous ndarray, "
                        f"got {type(buffer).__name__}")
    comm = _comm()
    if comm.Get_size() > 1:
        _wait(comm.Iallreduce(_mpi().IN_PLACE, buffer, op=_mpi().SUM), what)
    return buffer


def allgather_rows(array, what="allgather"):
    """Every rank's `array` (same trailing shape and numeric dtype on all ranks) stacked along
    axis 0 in rank order, on every rank. Two sums: of the row counts, then of a zero buffer
    holding this rank's rows at its offset (adding zeros changes no value), so it needs no
    pickling and waits at most the timeout like the other collectives."""
    array = np.ascontiguousarray(array)
    counts = np.zeros(world_size(), np.int64)
    counts[rank()] = len(array)
    allreduce_sum(counts, what)
    start = int(counts[:rank()].sum())
    rows = np.zeros((int(counts.sum()), *array.shape[1:]), array.dtype)
    rows[start:start + len(array)] = array
    return allreduce_sum(rows, what)


def barrier(what="barrier"):
    """Wait until every rank gets here (at most the timeout)."""
    comm = _comm()
    if comm.Get_size() > 1:
        _wait(comm.Ibarrier(), what)


@contextlib.contextmanager
def stop_all_on_error(status=1):
    """Run the block; when it raises on a rank of a world of several, print the error with the
    rank's number to stderr and end every rank (MPI_Abort with `status`), so that none is left
    waiting in a collective for this one. Alone (one rank), the error propagates as usual."""
    try:
        yield
    except BaseException as error:
        if world_size() == 1:
            raise
        message = " ".join(str(error).split()) or type(error).__name__
        print(f"neuronet: rank {rank()} of {world_size()}: error: {message}; stopping all ranks",
              file=sys.stderr, flush=True)
        abort(status)
        raise


def abort(status=1):
    """End every rank at once (after an error on this one); returns only when not under MPI."""
    if _state["comm"] is not None and _state["comm"].Get_size() > 1:
        _state["comm"].Abort(status)
