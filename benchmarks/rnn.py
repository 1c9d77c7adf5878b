"""One training step of an LSTM and of a GRU: neuronet vs PyTorch CPU, in the same run.

Input 28 features, hidden 128, 28 steps, batch 128 (Fashion-MNIST read as rows), float32:
forward, loss on a linear read-out of the last state, backward, Adam step. Both frameworks
start from the same weights and see the same batches; 2 threads each (--threads 1 is steadier
on a loaded machine); best of --repeats rounds of --steps steps, alternating frameworks (each
timed round follows an untimed one: see timing.best_of).

    python benchmarks/rnn.py [--repeats 5] [--steps 20] [--threads 2] [--profile]

--profile prints where neuronet's time goes (cProfile, sorted by own time).
"""

import argparse
import os
import sys

# BLAS reads its thread count when NumPy is imported, so --threads is read before that
os.environ["OMP_NUM_THREADS"] = os.environ["OPENBLAS_NUM_THREADS"] = (
    sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "2"
)

import numpy as np
import torch
from timing import best_of

import neuronet
from neuronet import nn, optim
from neuronet.nn import functional as F

IN, HIDDEN, STEPS, BATCH, CLASSES = 28, 128, 28, 128, 10


class Classifier(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.rnn = getattr(nn, kind)(IN, HIDDEN, batch_first=True)
        self.fc = nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.fc((h[0] if isinstance(h, tuple) else h)[-1])


class TorchClassifier(torch.nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.rnn = getattr(torch.nn, kind)(IN, HIDDEN, batch_first=True)
        self.fc = torch.nn.Linear(HIDDEN, CLASSES)

    def forward(self, x):
        _, h = self.rnn(x)
        return self.fc((h[0] if isinstance(h, tuple) else h)[-1])


def run_neuronet(model, opt, data):
    for x, y in data:
        loss = F.cross_entropy(model(neuronet.from_numpy(x)), neuronet.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.item())


def run_torch(model, opt, data):
    for x, y in data:
        loss = torch.nn.functional.cross_entropy(model(torch.from_numpy(x)), torch.from_numpy(y))
        opt.zero_grad()
        loss.backward()
        opt.step()
    return float(loss.item())


def bench(kind, data, repeats):
    torch.manual_seed(0)
    ref = TorchClassifier(kind)
    ours = Classifier(kind)
    ours.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    runs = {
        "pytorch": (run_torch, ref, torch.optim.Adam(ref.parameters(), lr=1e-3)),
        "neuronet": (run_neuronet, ours, optim.Adam(ours.parameters(), lr=1e-3)),
    }
    losses = {}

    def timed(name):
        run, model, opt = runs[name]
        return lambda: losses.__setitem__(name, run(model, opt, data))

    seconds = best_of([timed(name) for name in runs], repeats)
    best = {name: t / len(data) for name, t in zip(runs, seconds)}
    print(f"{kind} {IN}->{HIDDEN}, {STEPS} steps, batch {BATCH}, fwd+bwd+Adam, "
          f"{torch.get_num_threads()} threads, best of {repeats}")
    for name in runs:
        print(f"  {name:9s} {1e3 * best[name]:7.2f} ms/step   last loss {losses[name]:.4f}")
    print(f"  ratio neuronet / pytorch: {best['neuronet'] / best['pytorch']:.2f}x")
    return ours, runs["neuronet"][2]


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--steps", type=int, default=20, help="training steps per round")
    parser.add_argument("--threads", type=int, default=2, help="threads for both frameworks")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(0)
    data = [(rng.random((BATCH, STEPS, IN), dtype=np.float32),
             rng.integers(0, CLASSES, BATCH)) for _ in range(args.steps)]
    for kind in ("LSTM", "GRU"):
        model, opt = bench(kind, data, args.repeats)
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.runcall(run_neuronet, model, opt, data)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)


if __name__ == "__main__":
    main()
