"""Experiment 8, nearest neighbours in pixel space: what L1 and L2 distances really compare.

Fashion-MNIST test images and their 6 nearest training images by L1 and by L2 distance
(neuronet.classic.KNeighborsClassifier): the neighbours look alike in overall brightness,
ink area and background, and that is what puts a neighbour of another class next to the
query. Numbers, over many test queries: how often the nearest neighbours share the query's
class, and how much closer they are to the query in brightness and ink area than random
training images of the query's own class are. And the distortions: a copy of a query shifted
by 2 pixels, or darkened, is farther from it (L2) than many training images are.

Figures: neighbours_l1.png, neighbours_l2.png (a row per query: the query, then its
neighbours, titled by class, green when it is the query's class, red when not);
distortions.png (a query, its distorted copies, and the nearest training images).
"""

import numpy as np

from neuronet.classic import KNeighborsClassifier
from neuronet.data.registry import get_dataset_spec
from neuronet.experiments.common import fashion_mnist
from neuronet.experiments.registry import experiment
from neuronet.viz.backend import new_figure, save_png

METRICS = {"l1": "manhattan", "l2": "euclidean"}
N_NEIGHBOURS = 6
N_SHOWN = 8  # query rows in the neighbour figures
INK = 0.1  # pixels brighter than this belong to the garment, the rest is background


def shift(images, pixels):
    """(N, 28, 28) images moved `pixels` to the right, the gap filled with background (0)."""
    out = np.zeros_like(images)
    out[:, :, pixels:] = images[:, :, :images.shape[2] - pixels]
    return out


def distortions(images):
    """{name: (N, 28, 28) copy of `images`}: the changes a person hardly notices."""
    return {"shifted 2 px": shift(images, 2), "darkened x0.6": images * 0.6,
            "brightened +0.2": np.where(images > INK, np.minimum(images + 0.2, 1.0), images)}


def appearance(x):
    """Per image (N, 784): mean brightness and ink area (fraction of non-background pixels)."""
    return {"brightness": x.mean(axis=1), "ink_area": (x > INK).mean(axis=1)}


def similarity_numbers(x, y, queries, query_y, neighbours, generator):
    """How the neighbours (Q, k) indices relate to the queries, against a baseline of random
    training images of the query's own class."""
    same_class = y[neighbours] == query_y[:, None]
    random_same = np.array([generator.choice(np.flatnonzero(y == c)) for c in query_y])
    numbers = {"nearest_same_class": float(same_class[:, 0].mean()),
               "neighbours_same_class": float(same_class.mean())}
    ours, theirs = appearance(queries), appearance(x)
    for key in ours:
        to_neighbours = np.abs(theirs[key][neighbours] - ours[key][:, None]).mean()
        to_random_same = np.abs(theirs[key][random_same] - ours[key]).mean()
        wrong = ~same_class
        to_wrong = np.abs(theirs[key][neighbours] - ours[key][:, None])[wrong].mean()
        numbers[f"{key}_gap_neighbours"] = float(to_neighbours)
        numbers[f"{key}_gap_wrong_class_neighbours"] = float(to_wrong)
        numbers[f"{key}_gap_random_same_class"] = float(to_random_same)
    return numbers


def plot_neighbours(query_images, query_y, neighbour_images, neighbour_y, classes, title, path):
    rows, k = neighbour_y.shape
    fig = new_figure(figsize=(1.3 * (k + 1) + 0.3, 1.45 * rows + 0.5), layout="constrained")
    axes = fig.subplots(rows, k + 1)
    for r in range(rows):
        cells = [(query_images[r], f"query: {classes[query_y[r]]}", "black")]
        cells += [(neighbour_images[r, j], classes[neighbour_y[r, j]],
                   "tab:green" if neighbour_y[r, j] == query_y[r] else "tab:red")
                  for j in range(k)]
        for ax, (image, name, colour) in zip(axes[r], cells):
            ax.imshow(image, cmap="gray", vmin=0, vmax=1, interpolation="nearest")
            ax.set_title(name, fontsize=7, color=colour)
            ax.set_xticks([])
            ax.set_yticks([])
    fig.suptitle(title, fontsize=10)
    save_png(fig, path)


def distortion_numbers(x, queries, neighbour_distances):
    """For each distortion: over all queries (Q, 784), the fraction whose distorted copy is
    farther (L2) than their nearest training image, and than all k neighbours
    (neighbour_distances (Q, k), ascending); for the first query, the copy's distance and how
    many training images (x (N, 784)) are nearer than it."""
    to_train = np.sqrt(((x - queries[0]) ** 2).sum(axis=1))
    out = {}
    for name, images in distortions(queries.reshape(-1, 28, 28)).items():
        d = np.sqrt(((images.reshape(len(queries), -1) - queries) ** 2).sum(axis=1))
        out[name] = {
            "farther_than_nearest": float(np.mean(d > neighbour_distances[:, 0])),
            "farther_than_all_neighbours": float(np.mean(d > neighbour_distances[:, -1])),
            "first_query_l2_distance": float(d[0]),
            "first_query_training_images_nearer": int((to_train < d[0]).sum()),
        }
    return out


def plot_distortions(query, numbers, nearest, nearest_classes, classes, path):
    changed = distortions(query.reshape(1, 28, 28))
    panels = [(query, "query")] + [
        (images[0], f"{name}: L2 {numbers[name]['first_query_l2_distance']:.1f}\n"
                    f"{numbers[name]['first_query_training_images_nearer']} training "
                    "images nearer")
        for name, images in changed.items()]
    panels += [(image, f"nearest #{i + 1}: {classes[c]}")
               for i, (image, c) in enumerate(zip(nearest, nearest_classes))]
    fig = new_figure(figsize=(2.1 * len(panels), 2.6), layout="constrained")
    for ax, (image, title) in zip(fig.subplots(1, len(panels)), panels):
        ax.imshow(image.reshape(28, 28), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_title(title, fontsize=7)
        ax.set_xticks([])
        ax.set_yticks([])
    fig.suptitle("small changes a person hardly sees move an image far in pixel space (L2)",
                 fontsize=10)
    save_png(fig, path)


@experiment("nearest_neighbours", "Fashion-MNIST test images and their nearest training "
                                  "images by L1 and L2: chosen by brightness and background")
def run(out_dir, *, quick=False, seed=0):
    n_train, n_queries = (5000, 200) if quick else (60000, 1000)
    rng = np.random.default_rng(seed)
    (x, y), (queries, query_y) = fashion_mnist(n_train, n_queries, rng)
    classes = get_dataset_spec("fashion-mnist").classes
    results, found = {"train_samples": n_train, "test_queries": n_queries}, {}
    for name, metric in METRICS.items():
        knn = KNeighborsClassifier(N_NEIGHBOURS, metric=metric).fit(x, y)
        found[name] = distances, neighbours = knn.kneighbors(queries)
        results[name] = similarity_numbers(x, y, queries, query_y, neighbours, rng)
        shown = neighbours[:N_SHOWN]
        plot_neighbours(queries[:N_SHOWN].reshape(-1, 28, 28), query_y[:N_SHOWN],
                        x[shown].reshape(*shown.shape, 28, 28), y[shown], classes,
                        f"{name.upper()} nearest training images of Fashion-MNIST test images "
                        f"({n_train} training images; green: same class)",
                        out_dir / f"neighbours_{name}.png")
    distances, neighbours = found["l2"]
    results["distortions"] = distortion_numbers(x, queries, distances)
    nearest = neighbours[0, :3]
    plot_distortions(queries[0], results["distortions"], x[nearest], y[nearest], classes,
                     out_dir / "distortions.png")
    results["distortions_query_class"] = classes[query_y[0]]
    return results
