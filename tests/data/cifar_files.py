"""Writing small CIFAR-10 files in the official binary format for the reader tests."""

import numpy as np

CLASSES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
           "truck")


def cifar_records(images, labels):
    """The bytes of a .bin file: per image 1 label byte, then its R, G and B planes (32 x 32
    each, row by row). images: (N, 32, 32, 3) uint8 (height, width, RGB)."""
    planes = np.asarray(images, np.uint8).transpose(0, 3, 1, 2).reshape(len(images), -1)
    return np.concatenate([np.asarray(labels, np.uint8)[:, None], planes], axis=1).tobytes()


def write_cifar10(folder, per_file=6, seed=0):
    """data_batch_1..5.bin with `per_file` random images each, test_batch.bin and
    batches.meta.txt (with its trailing blank line, as the official one) in `folder`.
    Returns {file name: (images, labels)}."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    written = {}
    for name in [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]:
        images = rng.integers(0, 256, (per_file, 32, 32, 3), dtype=np.uint8)
        labels = rng.integers(0, 10, per_file)
        (folder / name).write_bytes(cifar_records(images, labels))
        written[name] = (images, labels)
    (folder / "batches.meta.txt").write_text("\n".join(CLASSES) + "\n\n")
    return written
