"""A few data-parallel training steps of a small net on the digits, for test_distributed.py.

Run alone it is the one-process reference; under `mpiexec -n N` each rank trains on its
shards and writes the weights it ends with to OUT/rank<r>.npz, so the test can check that
they equal the reference and each other. --fail makes rank 1 break down at step 2 in one of
the ways a rank can: "exit" (os._exit, no MPI_Finalize), "hang" (sleeps), "raise" (an error).
"""

import argparse
import os
import time
from pathlib import Path

import numpy as np

import neuronet
from neuronet import distributed as dist
from neuronet import nn, optim
from neuronet.data import DataLoader, Subset, TensorDataset
from neuronet.data.registry import get_dataset_spec

SAMPLES = 230  # global batches of 50: 50, 50, 50, 50, 30, each split over up to 3 ranks
OPTIMIZERS = {
    "sgd": lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
    "adam": lambda params: optim.Adam(params, lr=1e-2),
}


def build(dtype, batchnorm, seed=0):
    """(model, loader): Flatten -> Linear(64, 32) [-> BatchNorm1d] -> Tanh -> Linear(32, 10),
    initialized from `seed`, and a shuffling loader of SAMPLES digits in global batches of 50."""
    neuronet.manual_seed(seed)
    norm = [nn.BatchNorm1d(32)] if batchnorm else []
    model = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), *norm, nn.Tanh(), nn.Linear(32, 10))
    model.to(dtype)
    x, y = get_dataset_spec("digits").load("train")
    data = Subset(TensorDataset(x.astype(dtype), y), np.arange(SAMPLES))
    return model, DataLoader(data, batch_size=50, shuffle=True, generator=seed)


def train(model, loader, optimizer, steps, fail=None):
    """`steps` training steps (over epoch boundaries); returns the model's state as arrays."""
    loss_fn, step = nn.CrossEntropyLoss(), 0
    while step < steps:
        for inputs, targets in loader:
            step += 1
            if fail is not None and step == 2 and dist.rank() == 1:
                if fail == "exit":
                    os._exit(3)
                if fail == "hang":
                    time.sleep(600)
                raise ValueError("rank 1 was told to fail at step 2")
            optimizer.zero_grad()
            loss_fn(model(inputs), targets).backward()
            optimizer.step()
            if step == steps:
                break
    return {k: v.data.copy() for k, v in model.state_dict().items()}


def reference(steps, optimizer="sgd", dtype="float64", batchnorm=False):
    """The weights after `steps` steps of one process with the whole global batches."""
    model, loader = build(np.dtype(dtype), batchnorm)
    return train(model, loader, OPTIMIZERS[optimizer](model.parameters()), steps)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out")
    parser.add_argument("--steps", type=int, default=7)
    parser.add_argument("--optimizer", default="sgd", choices=sorted(OPTIMIZERS))
    parser.add_argument("--dtype", default="float64")
    parser.add_argument("--batchnorm", action="store_true")
    parser.add_argument("--fail", choices=("exit", "hang", "raise"))
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    dist.init(timeout=args.timeout)
    with dist.stop_all_on_error():
        model, loader = build(np.dtype(args.dtype), args.batchnorm)
        sampler = dist.DistributedSampler(loader)
        optimizer = dist.DistributedOptimizer(OPTIMIZERS[args.optimizer](model.parameters()),
                                              model, sampler)
        state = train(model, sampler, optimizer, args.steps, args.fail)
        np.savez(Path(args.out) / f"rank{dist.rank()}.npz", **state)


if __name__ == "__main__":
    main()
