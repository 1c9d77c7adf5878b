"""Peak memory of a ResNet-18 training step: neuronet vs PyTorch CPU, each in its own process.

ResNet-18 (torchvision's architecture; 10 classes) on a batch of 32 3x32x32 images, SGD with
momentum, cross-entropy: --steps forward + backward + step. Each side runs in a fresh Python
process of its own (python benchmarks/memory.py --side neuronet|torch), so each peak resident
set size (the kernel's ru_maxrss) is that framework's alone; the neuronet process never
imports torch. Printed per side: RSS once the model and batch exist ("before", which holds
the interpreter, the libraries and the 44.7 MB of weights), the peak RSS over the steps, the
difference (what the training step itself takes on top) and the time per step.

    python benchmarks/memory.py [--steps 3] [--batch 32]

float32, 2 threads on both sides.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")


def rss_mb():
    """The current resident set size in MB (Linux: /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb():
    """The process's peak resident set size so far in MB (ru_maxrss is in kB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def torch_resnet18(torch, num_classes):
    """ResNet-18 for 3-channel images in torch, torchvision's layers (not installed here)."""
    nn = torch.nn

    class Block(nn.Module):
        def __init__(self, inplanes, planes, stride):
            super().__init__()
            self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.downsample = None
            if stride != 1 or inplanes != planes:
                self.downsample = nn.Sequential(nn.Conv2d(inplanes, planes, 1, stride, bias=False),
                                                nn.BatchNorm2d(planes))

        def forward(self, x):
            out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
            return torch.relu(out + (x if self.downsample is None else self.downsample(x)))

    stages, inplanes = [], 64
    for i, planes in enumerate((64, 128, 256, 512)):
        stages.append(nn.Sequential(Block(inplanes, planes, 1 if i == 0 else 2),
                                    Block(planes, planes, 1)))
        inplanes = planes
    return nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(),
                         nn.MaxPool2d(3, 2, 1), *stages, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(512, num_classes))


def neuronet_side(x, y):
    """A closure running one ResNet-18 training step in neuronet."""
    import neuronet
    from neuronet import optim
    from neuronet.models import resnet18
    from neuronet.nn import functional as F

    model = resnet18(num_classes=10)
    opt = optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    xb, yb = neuronet.from_numpy(x), neuronet.from_numpy(y)

    def step():
        loss = F.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def torch_side(x, y):
    """A closure running one ResNet-18 training step in torch."""
    import torch

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    torch.manual_seed(0)
    model = torch_resnet18(torch, 10)
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    xb, yb = torch.from_numpy(x), torch.from_numpy(y)

    def step():
        loss = torch.nn.functional.cross_entropy(model(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()

    return step


def measure(side, steps, batch):
    """Run `steps` training steps of one side in this process: its memory figures."""
    import numpy as np

    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 3, 32, 32)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    step = (neuronet_side if side == "neuronet" else torch_side)(x, y)
    before = rss_mb()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    seconds = (time.perf_counter() - start) / steps
    peak = peak_rss_mb()
    return {"before_mb": before, "peak_mb": peak, "step_mb": peak - before,
            "ms_per_step": seconds * 1e3}


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--steps", type=int, default=3, help="training steps per side")
    parser.add_argument("--batch", type=int, default=32, help="images per batch")
    parser.add_argument("--side", choices=["neuronet", "torch"],
                        help="run one side in this process and print its figures as JSON")
    args = parser.parse_args()
    if args.side:
        print(json.dumps(measure(args.side, args.steps, args.batch)))
        return
    results = {}
    for side in ("neuronet", "torch"):
        out = subprocess.run([sys.executable, __file__, "--side", side, "--steps",
                              str(args.steps), "--batch", str(args.batch)],
                             check=True, capture_output=True, text=True).stdout
        results[side] = json.loads(out.splitlines()[-1])
    print(f"ResNet-18, batch {args.batch} of 3x32x32, SGD training step (x{args.steps}), "
          f"{os.environ['OMP_NUM_THREADS']} threads, one process per side")
    for side, r in results.items():
        print(f"  {side:8s}  RSS before {r['before_mb']:7.1f} MB   peak {r['peak_mb']:7.1f} MB"
              f"   step's own {r['step_mb']:7.1f} MB   {r['ms_per_step']:7.1f} ms/step")
    ours, theirs = results["neuronet"], results["torch"]
    print(f"  ratio: peak {ours['peak_mb'] / theirs['peak_mb']:.2f}x, "
          f"step's own {ours['step_mb'] / theirs['step_mb']:.2f}x")


if __name__ == "__main__":
    main()
