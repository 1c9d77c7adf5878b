"""Does loading stall training? Epoch time with num_workers=0 vs 2, in the same run.

The pipeline is augmentation-heavy on purpose: every Fashion-MNIST image gets a random shift,
horizontal flip, rotation (bilinear resampling), contrast jitter, Gaussian noise and an erased
patch, all in NumPy; each batch then feeds a simulated training step (forward and backward of a
784-512-256-10 MLP with SGD in plain NumPy, one BLAS thread: one core trains, the other is free
for loading; so this measures the loader, not the rest of the framework).

Two ways to write the same augmentation are timed:
  per-sample: a dataset transform, called once per image (many tiny NumPy calls);
  per-batch:  the dataset's get_batch augments the whole batch with large NumPy calls.
A third pipeline builds a similar augmentation from neuronet.data.transforms (RandomShift,
RandomHorizontalFlip, RandomRotation bilinear, RandomErasing; no contrast or noise), applied
to whole batches in get_batch:
  transforms: the library's augmentations, per batch.
Worker threads overlap loading with training only where the work releases the GIL: large
NumPy loops and BLAS do, Python-level per-sample code does not (and threads contending for the
GIL can even make it slower). Vectorize augmentation per batch to benefit from num_workers.

    python benchmarks/loader.py [--samples 20000] [--batch-size 128] [--repeats 3]
"""

import argparse
import itertools
import os
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from neuronet import from_numpy
from neuronet.data import DataLoader, Dataset
from neuronet.data.datasets import FashionMNIST
from neuronet.data.transforms import (
    Compose,
    RandomErasing,
    RandomHorizontalFlip,
    RandomRotation,
    RandomShift,
)
from neuronet.random import get_generator

SIZES = (784, 512, 256, 10)


def augment(images):
    """images: uint8 (B, 28, 28) -> float32 (B, 1, 28, 28) in [0, 1], randomly perturbed."""
    rng = get_generator()  # per batch, reproducible with any num_workers
    b = len(images)
    x = np.pad(images.astype(np.float32) / 255, ((0, 0), (3, 3), (3, 3)))
    # Where each output pixel samples the padded input: rotated by up to 12 degrees, mirrored
    # for half of the images, shifted by up to 3 pixels.
    angle = np.deg2rad(rng.uniform(-12, 12, size=(b, 1, 1))).astype(np.float32)
    mirror = np.where(rng.random((b, 1, 1)) < 0.5, -1.0, 1.0).astype(np.float32)
    shift = rng.integers(-3, 4, size=(2, b, 1, 1)).astype(np.float32)
    rows, cols = np.mgrid[0:28, 0:28].astype(np.float32) - 13.5
    cols = cols * mirror
    src_r = np.cos(angle) * rows - np.sin(angle) * cols + 16.5 + shift[0]
    src_c = np.sin(angle) * rows + np.cos(angle) * cols + 16.5 + shift[1]
    r0 = np.clip(np.floor(src_r).astype(np.int64), 0, 32)
    c0 = np.clip(np.floor(src_c).astype(np.int64), 0, 32)
    dr, dc = np.clip(src_r - r0, 0, 1), np.clip(src_c - c0, 0, 1)
    n = np.arange(b)[:, None, None]
    out = ((1 - dr) * (1 - dc) * x[n, r0, c0] + (1 - dr) * dc * x[n, r0, c0 + 1]
           + dr * (1 - dc) * x[n, r0 + 1, c0] + dr * dc * x[n, r0 + 1, c0 + 1])
    out = (out - 0.5) * rng.uniform(0.8, 1.2, size=(b, 1, 1)).astype(np.float32) + 0.5
    out += rng.normal(0, 0.05, size=out.shape).astype(np.float32)
    top, left = rng.integers(0, 20, size=(2, b, 1, 1))
    r, c = np.arange(28)[:, None], np.arange(28)
    out[(r >= top) & (r < top + 8) & (c >= left) & (c < left + 8)] = 0.0
    return np.clip(out, 0, 1)[:, None]


LIBRARY_AUGMENT = Compose([RandomShift(3), RandomHorizontalFlip(),
                           RandomRotation(12, interpolation="bilinear"),
                           RandomErasing(p=1.0, scale=(0.08, 0.08), ratio=(1.0, 1.0))])


def library_augment(images):
    """augment's shift, flip, rotation and erased patch with neuronet.data.transforms:
    uint8 (B, 28, 28) -> float32 (B, 1, 28, 28)."""
    return LIBRARY_AUGMENT(images[:, None].astype(np.float32) / 255)


def augment_one(image):
    """The per-sample transform: uint8 (28, 28) -> Tensor (1, 28, 28)."""
    return from_numpy(augment(image[None])[0])


class BatchAugmented(Dataset):
    """The images and labels of `source`, augmented a whole batch at a time in get_batch by
    `augment` (uint8 (B, 28, 28) -> float32 (B, 1, 28, 28))."""

    def __init__(self, source, augment=augment):
        self.images, self.labels, self.augment = source.data, source.targets, augment

    def __len__(self):
        return len(self.images)

    def __getitem__(self, i):
        return self.get_batch(np.array([i]))

    def get_batch(self, indices):
        return (from_numpy(self.augment(self.images[indices])),
                from_numpy(self.labels[indices]))


class SimulatedTraining:
    """A NumPy MLP trained with SGD on (images (N, 1, 28, 28), labels (N,)) batches."""

    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        self.weights = [rng.normal(0, np.sqrt(2 / a), size=(a, b)).astype(np.float32)
                        for a, b in itertools.pairwise(SIZES)]

    def step(self, images, labels, lr=0.01):
        activations = [images.data.reshape(len(images.data), -1)]
        for w in self.weights[:-1]:
            activations.append(np.maximum(activations[-1] @ w, 0))
        logits = activations[-1] @ self.weights[-1]
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        probs /= probs.sum(axis=1, keepdims=True)
        grad = probs
        grad[np.arange(len(grad)), labels.data] -= 1
        grad /= len(grad)
        for i in reversed(range(len(self.weights))):
            grad_w = activations[i].T @ grad
            if i:
                grad = (grad @ self.weights[i].T) * (activations[i] > 0)
            self.weights[i] -= lr * grad_w


def epoch_seconds(dataset, batch_size, workers):
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=0,
                        num_workers=workers)
    model = SimulatedTraining()
    start = time.perf_counter()
    for images, labels in loader:
        model.step(images, labels)
    return time.perf_counter() - start


def training_alone_seconds(dataset, batch_size):
    """The epoch's training steps on batches prepared beforehand: the floor for any loader."""
    batches = list(DataLoader(dataset, batch_size=batch_size, shuffle=True, generator=0))
    model = SimulatedTraining()
    start = time.perf_counter()
    for images, labels in batches:
        model.step(images, labels)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=20000, help="images per epoch (20000)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (128)")
    parser.add_argument("--repeats", type=int, default=3, help="epochs per setting, best kept (3)")
    args = parser.parse_args()

    per_sample = FashionMNIST(train=True, transform=augment_one)
    per_sample.data = per_sample.data[:args.samples]
    per_sample.targets = per_sample.targets[:args.samples]
    pipelines = {"per-sample": per_sample, "per-batch": BatchAugmented(per_sample),
                 "transforms": BatchAugmented(per_sample, library_augment)}
    print(f"{args.samples} augmented Fashion-MNIST images per epoch, batch {args.batch_size}, "
          f"best of {args.repeats} epochs, {os.cpu_count()} cores, "
          f"load average {os.getloadavg()[0]:.2f}")
    for name, dataset in pipelines.items():
        times = {"training alone": [], 0: [], 2: []}
        for _ in range(args.repeats):  # alternate, so all settings see the same machine load
            for setting, seconds in times.items():
                seconds.append(training_alone_seconds(dataset, args.batch_size)
                               if setting == "training alone"
                               else epoch_seconds(dataset, args.batch_size, setting))
        best = {setting: min(t) for setting, t in times.items()}
        print(f"  {name} augmentation: training alone {best['training alone']:.2f} s; "
              f"epoch with num_workers=0 {best[0]:.2f} s, with num_workers=2 {best[2]:.2f} s "
              f"(speed-up {best[0] / best[2]:.2f}x)")


if __name__ == "__main__":
    main()
