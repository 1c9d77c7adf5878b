"""`DistributedOptimizer`: averages the gradients over the ranks with one allreduce, then steps."""

import numpy as np

from neuronet.distributed.comm import allreduce_sum
from neuronet.nn.utils import clip_grad_norm_


class DistributedOptimizer:
    """Wraps `optimizer` so that `step()` first makes every rank's gradients the gradient of
    the whole global batch, then takes the step; everything else goes to `optimizer`.

    model: the model whose parameters `optimizer` updates; sampler: the DistributedSampler
    feeding it (its `weight` is this rank's share of the current global batch).
    max_grad_norm: clip the averaged gradients to this total 2-norm before the step (give it
    here, not as fit's grad_clip, which would clip each rank's own gradient before averaging).

    One bucket per step: every gradient times the rank's share, and every floating-point
    buffer (batch-norm running statistics) times the same share, are copied into one flat
    float buffer, summed over the ranks by a single allreduce and copied back. With a loss that
    averages over its batch, the result is the gradient of the mean loss over the global batch,
    as one process with batch B computes it (up to the summation order).

    Batch norm: in training mode each rank normalizes with its own shard's statistics (as
    PyTorch's DDP without SyncBatchNorm), so a model with batch norm does NOT give the
    one-process gradients; its running_mean becomes the share-weighted mean of the ranks'
    (exactly the global batch's running mean), its running_var the share-weighted mean of the
    shard variances (which leaves out the spread between shards). Every rank ends each step
    with the same weights and buffers.
    """

    def __init__(self, optimizer, model, sampler, max_grad_norm=None):
        for name in ("step", "zero_grad", "state_dict", "load_state_dict", "param_groups"):
            if not hasattr(optimizer, name):
                raise TypeError(f"DistributedOptimizer: expected a neuronet.optim optimizer, got "
                                f"{type(optimizer).__name__} (no {name})")
        if max_grad_norm is not None and not max_grad_norm > 0:
            raise ValueError(f"DistributedOptimizer: max_grad_norm must be > 0 or None, got "
                             f"{max_grad_norm!r}")
        self.optimizer, self.model, self.sampler = optimizer, model, sampler
        self.max_grad_norm = max_grad_norm
        self.parameters = list(model.parameters())
        self.buffers = [b for b in model.buffers() if np.issubdtype(b.data.dtype, np.floating)]
        self.dtype = np.result_type(*(t.data.dtype for t in self.parameters + self.buffers))
        self.bucket = np.empty(sum(t.data.size for t in self.parameters + self.buffers),
                               self.dtype)

    def __getattr__(self, name):  # param_groups, state_dict, ... of the wrapped optimizer
        return getattr(self.__dict__["optimizer"], name)

    def zero_grad(self):
        self.optimizer.zero_grad()

    def state_dict(self):
        return self.optimizer.state_dict()

    def load_state_dict(self, state):
        self.optimizer.load_state_dict(state)

    def average(self):
        """Replace the gradients (of the parameters that have one: the same on every rank,
        which run the same graph) and float buffers by their share-weighted sums over the
        ranks."""
        arrays = [p.grad.data for p in self.parameters if p.grad is not None]
        arrays += [b.data for b in self.buffers]
        offset = 0
        for a in arrays:
            np.multiply(a.reshape(-1), self.sampler.weight, out=self.bucket[offset:offset + a.size])
            offset += a.size
        allreduce_sum(self.bucket[:offset], "the gradient allreduce")
        offset = 0
        for a in arrays:
            a[...] = self.bucket[offset:offset + a.size].reshape(a.shape)
            offset += a.size

    def step(self):
        self.average()
        if self.max_grad_norm is not None:
            clip_grad_norm_(self.parameters, self.max_grad_norm)
        self.optimizer.step()
