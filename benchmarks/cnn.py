"""Convolutional workloads: neuronet vs PyTorch CPU, same weights, same inputs, same run.

(a) LeNet-5 on 28x28 inputs (conv 1->6 5x5 pad 2, ReLU, max-pool 2, conv 6->16 5x5, ReLU,
    max-pool 2, fc 400-120-84-10 with ReLU), batch 128, Adam: forward + backward + step.
(b) A ResNet basic block on 64x32x32 inputs (conv3x3-BN-ReLU-conv3x3-BN + identity, ReLU),
    batch 32: forward + backward.

float32, 2 threads on both sides; the two frameworks alternate and each time is the best of
--repeats rounds (the machine is shared: best-of is the least noisy estimate).

    python benchmarks/cnn.py [--repeats 7] [--clock wall|cpu] [--profile]

On a heavily loaded machine two-thread wall times mostly measure the scheduler (a BLAS or
OpenMP thread that loses its time slice stalls its partner; torch suffers most). For a
load-robust comparison run both sides on one thread and time CPU seconds instead:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/cnn.py --clock cpu

--profile also prints a pyinstrument profile of neuronet's side of each workload
(pyinstrument is in the dev extra; neuronet itself does not use it).
"""

import argparse
import os
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
import torch
from timing import best_of, profile

import neuronet
from neuronet import nn, optim
from neuronet.nn import functional as F


def lenet(lib):
    return lib.Sequential(
        lib.Conv2d(1, 6, 5, padding=2), lib.ReLU(), lib.MaxPool2d(2),
        lib.Conv2d(6, 16, 5), lib.ReLU(), lib.MaxPool2d(2), lib.Flatten(),
        lib.Linear(400, 120), lib.ReLU(), lib.Linear(120, 84), lib.ReLU(), lib.Linear(84, 10),
    )


def basic_block(lib):
    class BasicBlock(lib.Module):
        def __init__(self, channels=64):
            super().__init__()
            self.conv1 = lib.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn1 = lib.BatchNorm2d(channels)
            self.relu = lib.ReLU()
            self.conv2 = lib.Conv2d(channels, channels, 3, padding=1, bias=False)
            self.bn2 = lib.BatchNorm2d(channels)

        def forward(self, x):
            out = self.relu(self.bn1(self.conv1(x)))
            return self.relu(self.bn2(self.conv2(out)) + x)

    return BasicBlock()


def twins(build):
    torch.manual_seed(0)
    theirs = build(torch.nn)
    ours = build(nn)
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def lenet_steps(steps):
    """Closures running `steps` training steps of LeNet-5 in each framework."""
    ours, theirs = twins(lenet)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((steps, 128, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, 10, (steps, 128))
    opt_ours = optim.Adam(ours.parameters(), lr=1e-3)
    opt_theirs = torch.optim.Adam(theirs.parameters(), lr=1e-3)

    def run_ours():
        for xb, yb in zip(x, y):
            loss = F.cross_entropy(ours(neuronet.from_numpy(xb)), neuronet.from_numpy(yb))
            opt_ours.zero_grad()
            loss.backward()
            opt_ours.step()

    def run_theirs():
        for xb, yb in zip(x, y):
            loss = torch.nn.functional.cross_entropy(theirs(torch.from_numpy(xb)),
                                                     torch.from_numpy(yb))
            opt_theirs.zero_grad()
            loss.backward()
            opt_theirs.step()

    return run_ours, run_theirs


def block_steps(steps):
    """Closures running `steps` forward + backward passes of the basic block in each."""
    ours, theirs = twins(basic_block)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)
    up = rng.standard_normal((32, 64, 32, 32)).astype(np.float32)
    xo = neuronet.from_numpy(x).requires_grad_()
    xt = torch.from_numpy(x).requires_grad_()
    up_o, up_t = neuronet.from_numpy(up), torch.from_numpy(up)

    def run_ours():
        for _ in range(steps):
            ours.zero_grad()
            (ours(xo) * up_o).sum().backward()

    def run_theirs():
        for _ in range(steps):
            theirs.zero_grad()
            (theirs(xt) * up_t).sum().backward()

    return run_ours, run_theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeats", type=int, default=7, help="timed rounds per framework")
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall time, or the process's CPU time (one thread only)")
    parser.add_argument("--profile", action="store_true", help="profile neuronet's side")
    args = parser.parse_args()
    threads = int(os.environ["OMP_NUM_THREADS"])
    if args.clock == "cpu" and (threads, int(os.environ["OPENBLAS_NUM_THREADS"])) != (1, 1):
        parser.error("--clock cpu needs OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 (CPU time "
                     "of several threads counts their spin-waiting too)")
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    torch.set_num_threads(threads)
    print(f"{threads} thread(s) per side, {args.clock} time, best of {args.repeats}")
    workloads = [
        ("LeNet-5, 28x28, batch 128, Adam step (x10)", lenet_steps(10)),
        ("ResNet basic block, 64x32x32, batch 32, fwd+bwd (x3)", block_steps(3)),
    ]
    for name, (run_ours, run_theirs) in workloads:
        run_ours(), run_theirs()  # warm-up: allocations, BLAS threads, torch's kernels
        ours, theirs = best_of([run_ours, run_theirs], args.repeats, clock)
        print(f"{name}:\n  neuronet {ours * 1e3:8.1f} ms   torch {theirs * 1e3:8.1f} ms   "
              f"ratio {ours / theirs:.2f}x   (load average {os.getloadavg()[0]:.1f})")
        if args.profile:
            profile(run_ours)


if __name__ == "__main__":
    main()
