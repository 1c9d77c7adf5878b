"""`DataLoader`: batches of a dataset, optionally shuffled, optionally built in background threads.

Shuffling: every epoch (every `iter(loader)`) draws a fresh permutation from the loader's
generator, so epochs differ, and two loaders made with the same seed give the same sequence of
epochs, as torch's DataLoader with a seeded generator.

Workers (`num_workers > 0`): threads, not processes. NumPy releases the GIL in its heavy
loops, so decoding/augmentation in threads overlaps with the training step, with no pickling
and no copies. Only work that releases the GIL overlaps, though: write augmentation as large
NumPy operations on a whole batch (a dataset's `get_batch`), not as many tiny per-sample calls,
which the GIL serializes (benchmarks/loader.py measures both). The consumer hands out batch
indices, keeping at most `num_workers * prefetch_factor` batches in flight (the bound on
memory), and yields the results strictly in order. When iteration stops early (break, the
generator closed or garbage collected) or a worker raises, the workers are told to stop and are
joined before control returns.

Random augmentation: a batch is built inside `neuronet.random.generator_scope` with a Generator
seeded from the epoch's seed and the batch's position, so transforms drawing from
`get_generator()` give the same batches with any num_workers, and the same epochs for the same
loader seed.
"""

import functools
import math
import queue
import threading

import numpy as np

from neuronet.data.collate import default_collate
from neuronet.random import generator_scope, get_generator

_STOP = None  # sentinel telling a worker thread to exit
class DataLoader:
    """Iterate over `dataset` in batches.

    dataset: anything with __getitem__/__len__ (uses `dataset.get_batch(indices)` when it exists
        and collate_fn is None: one fancy-index per batch instead of one call per sample)
    batch_size: samples per batch (the last one may be smaller unless drop_last)
    shuffle: new random order each epoch, drawn from `generator` (Generator or int seed;
        None = the global generator at iteration time)
    collate_fn: list of samples -> batch (default: `default_collate`)
    num_workers: background threads building batches (0 = in the consuming thread)
    prefetch_factor: batches in flight per worker
    """

    def __init__(self, dataset, batch_size=1, shuffle=False, drop_last=False, generator=None,
                 collate_fn=None, num_workers=0, prefetch_factor=2):
        for name, value, low in (("batch_size", batch_size, 1), ("num_workers", num_workers, 0),
                                 ("prefetch_factor", prefetch_factor, 1)):
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
                raise ValueError(f"DataLoader: {name} must be an integer >= {low}, got {value!r}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got {collate_fn!r}")
        self.dataset = dataset
        self.batch_size = int(batch_size)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        # An int seed becomes one Generator kept for the loader's life: epochs differ but the
        # sequence of epochs is reproducible. None defers to the global generator.
        self.generator = generator if generator is None else get_generator(generator)
        self.collate_fn = collate_fn
        self.num_workers = int(num_workers)
        self.prefetch_factor = int(prefetch_factor)

    def __len__(self):
        n = len(self.dataset)
        return n // self.batch_size if self.drop_last else math.ceil(n / self.batch_size)

    def batch_indices(self):
        """The index arrays of one epoch's batches (draws a new order when shuffling)."""
        n = len(self.dataset)
        order = get_generator(self.generator).permutation(n) if self.shuffle else np.arange(n)
        return [order[i * self.batch_size:(i + 1) * self.batch_size] for i in range(len(self))]

    def fetch(self, indices):
        """The batch made of the samples at `indices`."""
        if self.collate_fn is None and hasattr(self.dataset, "get_batch"):
            return self.dataset.get_batch(indices)
        samples = [self.dataset[int(i)] for i in indices]
        return (self.collate_fn or default_collate)(samples)

    def __iter__(self):
        return self.iterate(self.batch_indices())

    def iterate(self, batches):
        """The batches made of the index arrays `batches`, in order: what `iter(loader)` does
        with one epoch's `batch_indices()` (neuronet.distributed's DistributedSampler hands it
        this rank's shards of them). Draws the epoch's augmentation seed."""
        epoch_seed = int(get_generator(self.generator).integers(2**63))
        build = functools.partial(self._build, epoch_seed)
        if self.num_workers == 0:
            return (build(position, indices) for position, indices in enumerate(batches))
        return _threaded(build, batches, self.num_workers, self.prefetch_factor)

    def _build(self, epoch_seed, position, indices):
        """fetch(indices) with get_generator() giving this batch's own generator."""
        with generator_scope(np.random.default_rng((epoch_seed, position))):
            return self.fetch(indices)

    def __repr__(self):
        return (
            f"DataLoader(samples={len(self.dataset)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last}, num_workers={self.num_workers})"
        )


def _worker(build, tasks, results):
    """Build batches for (position, indices) tasks until the stop sentinel arrives."""
    while (task := tasks.get()) is not _STOP:
        position, indices = task
        try:
            results.put((position, build(position, indices), None))
        except Exception as error:  # any error goes to the consumer, which re-raises it
            results.put((position, None, error))


def _threaded(build, batches, num_workers, prefetch_factor):
    """Yield build(i, b) for each b in `batches`, in order, made by `num_workers` threads."""
    tasks, results = queue.SimpleQueue(), queue.SimpleQueue()
    threads = [
        threading.Thread(target=_worker, args=(build, tasks, results), daemon=True,
                         name=f"neuronet-DataLoader-worker-{i}")
        for i in range(num_workers)
    ]
    for thread in threads:
        thread.start()
    in_flight = num_workers * prefetch_factor
    submitted = 0
    ready = {}  # finished batches that arrived before their turn
    try:
        for position in range(len(batches)):
            while submitted < len(batches) and submitted < position + in_flight:
                tasks.put((submitted, batches[submitted]))
                submitted += 1
            while position not in ready:
                done, batch, error = results.get()
                ready[done] = (batch, error)
            batch, error = ready.pop(position)
            if error is not None:  # raised in its turn, after the batches before it
                error.add_note(f"(raised in a DataLoader worker thread, batch {position})")
                raise error
            yield batch
    finally:
        # Drop the queued work so the workers reach their stop sentinels right away.
        while True:
            try:
                tasks.get_nowait()
            except queue.Empty:
                break
        for _ in threads:
            tasks.put(_STOP)
        for thread in threads:
            thread.join()
