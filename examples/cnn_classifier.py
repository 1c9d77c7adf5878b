"""Train a convolutional network of the zoo and report its test accuracy after every epoch.

    python examples/cnn_classifier.py --model lenet5 --epochs 12          # Fashion-MNIST
    python examples/cnn_classifier.py --model simplecnn --augment --epochs 40   # 0.9356
    python examples/cnn_classifier.py --model cnn1d --epochs 30           # MNIST-1D

Fashion-MNIST models train on all 60,000 training images, scaled to [0, 1] and normalized with
the training set's mean and std; --augment adds random crops (zero padding 2) and horizontal
flips, drawn per sample in the loader (seeded: the same epochs with any --workers). MNIST-1D
(4,000 / 1,000 signals) is used as the mnist1d package generates it. Adam with a cosine
learning-rate schedule over --epochs; the test set is only evaluated, never trained on.

For LeNet-5, --plots DIR also writes DIR/lenet5_filters.png (the six learned 5x5 filters of the
first convolution) and DIR/lenet5_feature_maps.png (one test image and what each convolution
stage makes of it).
"""

import argparse
import math
import time
from pathlib import Path

import numpy as np

import neuronet
from neuronet import nn, optim
from neuronet.data import ArrayDataset, DataLoader
from neuronet.data.registry import get_dataset_spec
from neuronet.data.transforms import Compose, RandomCrop, RandomHorizontalFlip
from neuronet.models.registry import build_model, count_parameters
from neuronet.train import fit

DATASETS = {"lenet5": "fashion-mnist", "simplecnn": "fashion-mnist", "cnn1d": "mnist1d"}


class BatchAugmented(ArrayDataset):
    """In-memory images whose transform is applied to whole batches (N, C, H, W): one NumPy
    call per batch instead of one per image (see neuronet.data.loader on threads and the GIL)."""

    def get_batch(self, indices):
        images = self.data[indices]
        if self.transform is not None:
            images = self.transform(images)
        return neuronet.from_numpy(np.ascontiguousarray(images)), \
            neuronet.from_numpy(self.targets[indices])


def load(dataset):
    """(x_train, y_train, x_test, y_test); images normalized with the training mean and std."""
    spec = get_dataset_spec(dataset)
    (x_train, y_train), (x_test, y_test) = spec.load("train"), spec.load("test")
    if x_train.ndim == 4:
        mean, std = x_train.mean(), x_train.std()
        x_train, x_test = (x_train - mean) / std, (x_test - mean) / std
    return x_train, y_train, x_test, y_test


def plot_lenet5(model, image, folder):
    """The first layer's filters and one image's feature maps, as two PNGs in `folder`."""
    from neuronet.viz.images import plot_image_grid

    folder.mkdir(parents=True, exist_ok=True)
    filters = model.conv1.weight.data[:, 0]
    plot_image_grid([filters], folder / "lenet5_filters.png", row_titles=["conv1"],
                    title="LeNet-5: learned 5x5 filters of the first layer")
    model.eval()
    with neuronet.no_grad():
        first, second = model.features(neuronet.from_numpy(image[None]))
    plot_image_grid([image, first.data[0, :8], second.data[0, :8], second.data[0, 8:]],
                    folder / "lenet5_feature_maps.png",
                    row_titles=["input", "conv1 (6)", "conv2 (1-8)", "conv2 (9-16)"],
                    title="LeNet-5 feature maps of one test image (after ReLU)")
    return [folder / "lenet5_filters.png", folder / "lenet5_feature_maps.png"]


def train(model_name="lenet5", epochs=12, batch_size=128, lr=2e-3, weight_decay=0.0,
          augment=False, seed=0, workers=0, progress=False, train_size=None):
    """Train from scratch (on the first `train_size` training samples if given); returns
    (model, History with val_accuracy = test accuracy, test images)."""
    neuronet.manual_seed(seed)
    x_train, y_train, x_test, y_test = load(DATASETS[model_name])
    x_train, y_train = x_train[:train_size], y_train[:train_size]
    model = build_model(model_name, x_train.shape[1:], 10)
    transform = Compose([RandomCrop(x_train.shape[-1], padding=2), RandomHorizontalFlip()]) \
        if augment else None
    loader = DataLoader(BatchAugmented(x_train, y_train, transform), batch_size, shuffle=True,
                        generator=seed, num_workers=workers)
    test = DataLoader(ArrayDataset(x_test, y_test), 1000)
    optimizer = optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
    scheduler = optim.lr_scheduler.LambdaLR(
        optimizer, lambda epoch: 0.5 * (1 + math.cos(math.pi * epoch / epochs)))
    print(f"{model_name}: {count_parameters(model):,} parameters, {len(x_train):,} training "
          f"samples, {epochs} epochs", flush=True)
    history = fit(model, loader, nn.CrossEntropyLoss(), optimizer, epochs, val_data=test,
                  scheduler=scheduler, progress=progress)
    return model, history, x_test


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--model", choices=sorted(DATASETS), default="lenet5")
    parser.add_argument("--epochs", type=int, default=12)
    parser.add_argument("--batch-size", type=int, default=128)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--weight-decay", type=float, default=0.0, help="AdamW's decay")
    parser.add_argument("--augment", action="store_true", help="random crops and flips")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=0, help="loader threads")
    parser.add_argument("--plots", type=Path, help="folder for the LeNet-5 pictures")
    args = parser.parse_args()
    started = time.perf_counter()
    model, history, x_test = train(args.model, args.epochs, args.batch_size, args.lr,
                                   args.weight_decay, args.augment, args.seed, args.workers,
                                   progress=True)
    accuracy = history.history["val_accuracy"]
    print(f"{args.model}: test accuracy {accuracy[-1]:.4f} after {len(accuracy)} epochs "
          f"(per epoch: {' '.join(f'{a:.4f}' for a in accuracy)}); "
          f"{time.perf_counter() - started:.0f} s")
    if args.plots and args.model == "lenet5":
        for path in plot_lenet5(model, x_test[0], args.plots):
            print(f"wrote {path}")


if __name__ == "__main__":
    main()
