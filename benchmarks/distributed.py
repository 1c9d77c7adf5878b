"""Data-parallel throughput on this machine: 1 rank x 2 threads against 2 ranks x 1 thread,
neuronet (MPI allreduce through mpi4py + MPICH) beside PyTorch (DistributedDataParallel, gloo),
both launched by the same mpiexec, and the time of one gradient allreduce.

Workload: LeNet-5 (as benchmarks/cnn.py) on real Fashion-MNIST images, global batch 128
split over the ranks, Adam, float32; forward + backward + allreduce + step. Each figure is
the best of --repeats rounds of --steps steps (the machine is shared).

    python benchmarks/distributed.py [--steps 20] [--repeats 5]

The script starts itself under mpiexec once per (framework, ranks) case (`--worker`); rank 0
reports samples per second and the median time of an allreduce of the model's gradients as
one flat float32 buffer (ours: the DistributedOptimizer bucket; torch: dist.all_reduce of a
tensor of the same size, DDP's own buckets are what its training step times include).
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

GLOBAL_BATCH = 128
CASES = ((1, 2), (2, 1))  # (ranks, threads per rank) on 2 cores


def lenet(lib):
    return lib.Sequential(
        lib.Conv2d(1, 6, 5, padding=2), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
        lib.Linear(400, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(), lib.Linear(84, 10),
    )


def shards(rank, ranks, steps):
    """This rank's part of `steps` global batches of Fashion-MNIST: [(x (n,1,28,28), y)]."""
    from neuronet.data import load_fashion_mnist

    images, labels = load_fashion_mnist("train")
    x = (images[:steps * GLOBAL_BATCH].astype(np.float32) / 255)[:, None]
    y = labels[:steps * GLOBAL_BATCH]
    parts = []
    for i in range(steps):
        batch = slice(i * GLOBAL_BATCH, (i + 1) * GLOBAL_BATCH)
        parts.append((np.array_split(x[batch], ranks)[rank], np.array_split(y[batch], ranks)[rank]))
    return parts


def neuronet_worker(steps, repeats):
    import neuronet
    from neuronet import distributed as dist
    from neuronet import nn, optim

    dist.init()
    rank, ranks = dist.rank(), dist.world_size()
    neuronet.manual_seed(0)
    model = lenet(nn)

    class Shares:  # the sampler's role: this rank's share of each (equal-sized) global batch
        weight = len(np.array_split(np.arange(GLOBAL_BATCH), ranks)[rank]) / GLOBAL_BATCH

    optimizer = dist.DistributedOptimizer(optim.Adam(model.parameters(), lr=1e-3), model,
                                          Shares())
    loss_fn = nn.CrossEntropyLoss()
    batches = [(neuronet.tensor(x), neuronet.tensor(y)) for x, y in shards(rank, ranks, steps)]

    def train():
        for x, y in batches:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()

    def allreduce():
        dist.allreduce_sum(optimizer.bucket)

    return measure(train, allreduce, dist.barrier, steps, repeats, optimizer.bucket.size)


def torch_worker(steps, repeats):
    import torch
    import torch.distributed as tdist

    rank, ranks = int(os.environ["PMI_RANK"]), int(os.environ["PMI_SIZE"])
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    tdist.init_process_group("gloo", init_method=f"file://{os.environ['BENCH_RENDEZVOUS']}",
                             rank=rank, world_size=ranks)
    torch.manual_seed(0)
    model = lenet(torch.nn)
    if ranks > 1:
        model = torch.nn.parallel.DistributedDataParallel(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    batches = [(torch.from_numpy(x), torch.from_numpy(y)) for x, y in shards(rank, ranks, steps)]
    size = sum(p.numel() for p in model.parameters())
    flat = torch.zeros(size)

    def train():
        for x, y in batches:
            optimizer.zero_grad()
            loss_fn(model(x), y).backward()
            optimizer.step()

    def allreduce():
        tdist.all_reduce(flat)

    result = measure(train, allreduce, tdist.barrier, steps, repeats, size)
    tdist.destroy_process_group()
    return result


def measure(train, allreduce, barrier, steps, repeats, size):
    """{"samples_per_s", "allreduce_ms", "floats"}: the best of `repeats` timed rounds of
    `train` (after one untimed round), and the median of 50 allreduces after a barrier."""
    train()
    best = float("inf")
    for _ in range(repeats):
        barrier()
        start = time.perf_counter()
        train()
        barrier()
        best = min(best, time.perf_counter() - start)
    times = []
    for _ in range(50):
        barrier()
        start = time.perf_counter()
        allreduce()
        times.append(time.perf_counter() - start)
    return {"samples_per_s": steps * GLOBAL_BATCH / best,
            "allreduce_ms": 1e3 * float(np.median(times)), "floats": size}


def launch(framework, ranks, threads, args, rendezvous):
    """Run the worker under mpiexec; rank 0's result."""
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "OPENBLAS_NUM_THREADS": str(threads),
           "BENCH_RENDEZVOUS": str(rendezvous)}
    rendezvous.unlink(missing_ok=True)
    mpiexec = Path(sys.executable).parent / "mpiexec"
    done = subprocess.run(
        [str(mpiexec), "-n", str(ranks), sys.executable, __file__, "--worker", framework,
         "--steps", str(args.steps), "--repeats", str(args.repeats)],
        env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{framework} on {ranks} ranks failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--worker", choices=("neuronet", "torch"))
    args = parser.parse_args()
    if args.worker:
        result = (neuronet_worker if args.worker == "neuronet" else torch_worker)(
            args.steps, args.repeats)
        if int(os.environ.get("PMI_RANK", 0)) == 0:
            print(json.dumps(result), flush=True)
        return
    rendezvous = Path(f"/tmp/neuronet-bench-rendezvous-{os.getpid()}")
    rows = []
    for ranks, threads in CASES:
        ours = launch("neuronet", ranks, threads, args, rendezvous)
        theirs = launch("torch", ranks, threads, args, rendezvous)
        rows.append((ranks, threads, ours, theirs))
    print(f"LeNet-5 on Fashion-MNIST, global batch {GLOBAL_BATCH}, Adam, float32; best of "
          f"{args.repeats} x {args.steps} steps")
    print(f"{'ranks x threads':>16} {'neuronet samples/s':>19} {'torch samples/s':>16} "
          f"{'time ratio':>11} {'allreduce ms (ours / torch)':>28}")
    for ranks, threads, ours, theirs in rows:
        allreduce = "-" if ranks == 1 else \
            f"{ours['allreduce_ms']:.3f} / {theirs['allreduce_ms']:.3f}"
        print(f"{f'{ranks} x {threads}':>16} {ours['samples_per_s']:>19.0f} "
              f"{theirs['samples_per_s']:>16.0f} "
              f"{theirs['samples_per_s'] / ours['samples_per_s']:>10.2f}x {allreduce:>28}")
    one, two = rows[0][2]["samples_per_s"], rows[1][2]["samples_per_s"]
    print(f"neuronet: 2 ranks x 1 thread give {two / one:.2f}x the samples/s of 1 rank x 2 "
          f"threads; the allreduce moves {rows[0][2]['floats']:,} float32 "
          f"({4 * rows[0][2]['floats'] / 1e3:.0f} kB) per step")


if __name__ == "__main__":
    main()
