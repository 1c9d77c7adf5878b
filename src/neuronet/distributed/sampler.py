"""`DistributedSampler`: this rank's shard of each global batch of a DataLoader."""

import numpy as np

from neuronet.distributed.comm import allgather_rows, allreduce_sum
from neuronet.distributed.comm import rank as current_rank
from neuronet.distributed.comm import world_size as current_world_size


class DistributedSampler:
    """Iterate over this rank's part of every batch of `loader` (a DataLoader).

    All ranks hold the same loader (same dataset, batch size and seed), so each epoch they
    draw the same permutation: its global batches of `loader.batch_size` samples are split by
    np.array_split into world_size parts, and rank r gets part r. Together the ranks see each
    global batch once, disjointly, and in the order one process would. The shuffling state
    lives in `loader.generator` (what a checkpoint saves), which does not depend on the
    number of ranks, so a run resumes the same with any number of them.

    `weight`: the share of the current global batch this rank holds (its samples / the batch's
    samples), which DistributedOptimizer scales the local gradient by. Random augmentation
    draws per shard, so it differs from one process's; the equality with one process holds
    for deterministic inputs.

    fit calls `combine_stats` at the end of each training epoch, so the epoch's loss and
    metrics (its line and the history) are those of the whole epoch over all ranks, not of
    this rank's shards; the progress bar during the epoch shows this rank's.
    """

    def __init__(self, loader, rank=None, world_size=None):
        self.loader = loader
        self.rank = current_rank() if rank is None else rank
        self.world_size = current_world_size() if world_size is None else world_size
        if not 0 <= self.rank < self.world_size:
            raise ValueError(f"DistributedSampler: rank must be in 0..{self.world_size - 1}, "
                             f"got {self.rank}")
        smallest = min(len(b) for b in self._global_sizes()) if len(loader) else 0
        if len(loader) and smallest < self.world_size:
            raise ValueError(
                f"DistributedSampler: a global batch of {smallest} samples cannot give each of "
                f"{self.world_size} ranks a sample; use batch_size >= {self.world_size} (and "
                "drop_last=True if the last batch is smaller)"
            )
        self.weight = 1.0

    def _global_sizes(self):
        n, size = len(self.loader.dataset), self.loader.batch_size
        return [range(i * size, min(n, (i + 1) * size)) for i in range(len(self.loader))]

    @property
    def generator(self):
        """The loader's shuffling generator (saved and restored by checkpoints)."""
        return self.loader.generator

    @property
    def batch_size(self):
        """The global batch size."""
        return self.loader.batch_size

    def __len__(self):
        return len(self.loader)

    def __iter__(self):
        batches = self.loader.batch_indices()
        shards = [np.array_split(b, self.world_size)[self.rank] for b in batches]
        for batch, shard, data in zip(batches, shards, self.loader.iterate(shards)):
            self.weight = len(shard) / len(batch)
            yield data

    def combine_stats(self, stats):
        """A RunningStats of the whole epoch from every rank's `stats` (its shards' running
        totals): the loss sums and sample counts added, the scores and targets gathered in
        rank order. A collective: every rank calls it, each with its own stats."""
        what = "gathering the epoch's loss and metrics"
        combined = type(stats)(stats.metric_fns)
        totals = allreduce_sum(np.array([stats.loss_sum or 0.0, stats.samples], np.float64),
                               what)
        combined.loss_sum = None if stats.loss_sum is None else float(totals[0])
        combined.samples = int(totals[1])
        if stats.metric_fns:
            combined.scores = [allgather_rows(np.concatenate(stats.scores), what)]
            combined.targets = [allgather_rows(np.concatenate(stats.targets), what)]
        return combined

    def __repr__(self):
        return (f"DistributedSampler({self.loader!r}, rank={self.rank}, "
                f"world_size={self.world_size})")
