"""Data-parallel training over MPI (mpi4py): N processes, each a disjoint shard of every
global batch, gradients averaged with one bucketed allreduce per step.

    # run as: mpiexec -n 2 python -m mpi4py train.py   (-m mpi4py: an uncaught error aborts all)
    from neuronet import distributed as dist
    dist.init()
    loader = dist.DistributedSampler(DataLoader(data, batch_size=128, shuffle=True, generator=0))
    optimizer = dist.DistributedOptimizer(optim.SGD(model.parameters(), lr=0.1), model, loader)
    fit(model, loader, loss, optimizer, epochs, progress=dist.is_main())

Every rank builds the same model from the same seed and the same loader: the global batches
are those of one process with batch B; rank r gets its part of each (np.array_split order).
`neuronet train --distributed` does all of this (see neuronet.cli.train). Batch norm: see
DistributedOptimizer.
"""

from neuronet.distributed.comm import (
    DistributedError, abort, allgather_rows, allreduce_sum, barrier, init, is_main, rank,
    stop_all_on_error, world_size,
)
from neuronet.distributed.optimizer import DistributedOptimizer
from neuronet.distributed.sampler import DistributedSampler

__all__ = [
    "DistributedError", "DistributedOptimizer", "DistributedSampler", "abort", "allgather_rows",
    "allreduce_sum", "barrier", "init", "is_main", "rank", "stop_all_on_error", "world_size",
]
