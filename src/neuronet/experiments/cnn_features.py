"""Experiment 9, what a CNN sees: learned filters, feature maps, and hand-made kernels.

A LeNet-5 (ReLU, max-pool; neuronet.models.LeNet5) is trained briefly on Fashion-MNIST. Then:

- learned_filters.png: its six 5x5 first-layer filters at initialization and after training
  (random noise becomes smooth blobs and oriented edge and bar detectors), and the trained
  filters applied to a photograph (the pagoda of sklearn's china.jpg, in grey): each picks
  out edges of one orientation or polarity, like the hand-made kernels below;
- feature_maps.png: one test image through the layers: conv1 + ReLU (6 maps of 28x28),
  max-pool (14x14), conv2 + ReLU (16 maps of 10x10), max-pool (5x5): each stage is coarser
  and responds to larger, more specific parts;
- hand_kernels.png: the classic kernels of neuronet.vision (Gaussian blur, sharpen, emboss,
  Sobel edges) and what they do to the photograph, shown at full resolution.

Numbers: the CNN's test accuracy; the smoothness of the first-layer filters (the correlation
of each weight with its right and lower neighbour: 0 for noise) before and after training;
the fraction of active (non-zero) units in each ReLU stage; and the detail (mean |Laplacian|)
of the photograph after each hand-made kernel, relative to the original.
"""

import io

import numpy as np

import neuronet
from neuronet import optim
from neuronet.experiments.common import fashion_mnist, train
from neuronet.experiments.registry import experiment
from neuronet.io import write_bytes
from neuronet.models import LeNet5
from neuronet.optional import import_optional
from neuronet.vision import apply_filter, correlate, filters
from neuronet.viz.backend import PLOT_INSTALL_HINT, new_figure
from neuronet.viz.images import plot_image_grid

# name in neuronet.vision -> (the kernel shown next to its result, its caption)
HAND_KERNELS = {
    "gaussian-blur": (lambda: np.outer(*[filters.gaussian_kernel1d(1.0)] * 2),
                      "Gaussian blur (sigma 1)"),
    "sharpen": (filters.sharpen_kernel, "sharpen"),
    "emboss": (lambda: filters.EMBOSS, "emboss"),
    "sobel": (lambda: filters.SOBEL_X, "Sobel edges (x kernel;\ny is its transpose)"),
}


def photograph():
    """The pagoda of sklearn's china.jpg: a (200, 270, 3) uint8 crop, small enough to show
    at full resolution, where what a 3x3 kernel does can be seen."""
    datasets = import_optional("sklearn.datasets", "experiment cnn_features",
                               "pip install neuronet[sklearn]")
    photos = datasets.load_sample_images()
    photo = photos.images[[name.endswith("china.jpg") for name in photos.filenames].index(True)]
    return photo[40:240, 60:330]


def neighbour_correlation(kernels):
    """Correlation of each weight with its right and lower neighbour, over all kernels
    (K, H, W) (each centred on its mean first): about 0 for noise, near 1 for smooth blobs."""
    k = kernels - kernels.mean(axis=(1, 2), keepdims=True)
    pairs = [(k[:, :, :-1], k[:, :, 1:]), (k[:, :-1, :], k[:, 1:, :])]
    a = np.concatenate([p.ravel() for p, _ in pairs])
    b = np.concatenate([q.ravel() for _, q in pairs])
    return float(np.corrcoef(a, b)[0, 1])


def detail(image):
    """Mean |4-neighbour Laplacian| of the grey version of an (H, W, 3) uint8 image, in 0..1."""
    grey = image.mean(axis=2) / 255.0
    return float(np.abs(correlate(grey, filters.LAPLACIAN)).mean())


def layer_maps(model, image):
    """The maps of one (1, 28, 28) image after each stage: {name: (C, H, W) array}."""
    with neuronet.no_grad():
        model.eval()
        first, second = model.features(neuronet.tensor(image[None]))
        return {"conv1 + ReLU": first.data[0], "max-pool 1": model.pool1(first).data[0],
                "conv2 + ReLU": second.data[0], "max-pool 2": model.pool2(second).data[0]}


def save_png_palette(fig, path, colours=128):
    """Write `fig` as a PNG of at most `colours` colours: five photographs make a full-colour
    PNG of ~350 KB, too heavy for the gallery; the palette brings it near 100 KB."""
    image = import_optional("PIL.Image", "experiment cnn_features", PLOT_INSTALL_HINT)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100)
    buffer.seek(0)
    small = io.BytesIO()
    image.open(buffer).convert("RGB").quantize(colours).save(small, format="png", optimize=True)
    write_bytes(path, small.getvalue())
    return path


def plot_hand_kernels(photo, results, path):
    fig = new_figure(figsize=(2.5 * (len(results) + 1), 4.0), layout="constrained")
    axes = fig.subplots(2, len(results) + 1, height_ratios=(1, 2))
    axes[0, 0].axis("off")
    axes[1, 0].imshow(photo)
    axes[1, 0].set_title("original")
    for col, (name, image) in enumerate(results.items(), 1):
        make_kernel, caption = HAND_KERNELS[name]
        kernel = make_kernel()
        axes[0, col].imshow(kernel, cmap="coolwarm", vmin=-np.abs(kernel).max(),
                            vmax=np.abs(kernel).max())
        if kernel.shape[0] <= 3:
            for (i, j), value in np.ndenumerate(kernel):
                axes[0, col].text(j, i, f"{value:g}", ha="center", va="center", fontsize=9)
        axes[0, col].set_title(caption, fontsize=9)
        axes[1, col].imshow(image)
        axes[1, col].set_title(name)
    for ax in axes.ravel():
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("hand-made kernels (neuronet.vision) on china.jpg")
    save_png_palette(fig, path)


@experiment("cnn_features", "what a CNN sees: learned filters and feature maps of a LeNet-5 "
                            "on Fashion-MNIST, and blur/sharpen/emboss/edge kernels on a photo")
def run(out_dir, *, quick=False, seed=0):
    n_train, n_test, epochs = (2000, 500, 1) if quick else (60000, 10000, 2)
    rng = np.random.default_rng(seed)
    (x, y), (x_test, y_test) = fashion_mnist(n_train, n_test, rng)
    x, x_test = x.reshape(-1, 1, 28, 28), x_test.reshape(-1, 1, 28, 28)
    model = LeNet5(padding=2)
    initial = model.conv1.weight.data[:, 0].copy()
    history, _ = train(model, optim.Adam(model.parameters(), lr=1e-3), (x, y), epochs, 64, rng,
                       val=(x_test, y_test))
    learned = model.conv1.weight.data[:, 0].copy()

    photo = photograph()
    grey = photo.mean(axis=2) / 255.0
    responses = np.stack([np.abs(correlate(grey, kernel)) for kernel in learned])
    plot_image_grid([initial, learned, responses], out_dir / "learned_filters.png",
                    row_titles=["conv1 at init", "conv1 trained", "trained on photo"],
                    title="LeNet-5 first-layer 5x5 filters (dark = large), and |response| of "
                          "the trained ones to china.jpg")

    image = x_test[0]
    maps = layer_maps(model, image)
    plot_image_grid([image, *maps.values()], out_dir / "feature_maps.png",
                    row_titles=["input", *maps],
                    title="one test image through the trained LeNet-5 (dark = large)")

    filtered = {name: apply_filter(photo, name) for name in HAND_KERNELS}
    plot_hand_kernels(photo, filtered, out_dir / "hand_kernels.png")
    original_detail = detail(photo)
    return {
        "cnn": {"train_samples": n_train, "test_samples": n_test, "epochs": epochs,
                "test_accuracy": history.last("val_accuracy")},
        "filter_smoothness": {"init": neighbour_correlation(initial),
                              "trained": neighbour_correlation(learned)},
        "active_fraction": {name: float(np.mean(m > 0)) for name, m in maps.items()
                            if "ReLU" in name},
        "map_shapes": {name: list(m.shape) for name, m in maps.items()},
        "photo_shape": list(photo.shape),
        "detail_relative_to_original": {name: detail(image) / original_detail
                                        for name, image in filtered.items()},
    }
