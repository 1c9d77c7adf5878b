"""Pictures of a trained self-organizing map as PNG: the U-matrix and the class map, and the
component planes."""

import numpy as np

from neuronet.classic.som import grid_positions
from neuronet.viz.backend import new_figure, save_png


def _draw_units(ax, som, values, cmap, vmin=None, vmax=None):
    """One tile per unit at its grid position (hexagons or squares), coloured by values."""
    from matplotlib.collections import PatchCollection  # matplotlib is there: a figure exists
    from matplotlib.patches import RegularPolygon

    pos = grid_positions(som.m, som.n, som.topology)
    if som.topology == "hexagonal":  # hexagons touching their 6 neighbours at distance 1
        tiles = [RegularPolygon(p, numVertices=6, radius=1 / np.sqrt(3)) for p in pos]
    else:
        tiles = [RegularPolygon(p, numVertices=4, radius=np.sqrt(0.5), orientation=np.pi / 4)
                 for p in pos]
    art = PatchCollection(tiles, cmap=cmap, edgecolors="white", linewidths=0.3)
    art.set_array(np.ma.masked_invalid(values.ravel()))
    art.set_clim(vmin, vmax)
    ax.add_collection(art)
    ax.set_xlim(pos[:, 0].min() - 1, pos[:, 0].max() + 1)
    ax.set_ylim(pos[:, 1].max() + 1, pos[:, 1].min() - 1)  # row 0 on top, as in an image
    ax.set_aspect("equal")
    ax.set_xticks([])
    ax.set_yticks([])
    return art


def plot_som(som, X, y, path, classes=None, title=None):
    """Save the U-matrix (left) and the class map (right: each hit unit coloured by the
    majority label of the samples it wins, its share as the marker label) to `path`."""
    y = np.asarray(y)
    fig = new_figure(figsize=(11, 5), layout="constrained")
    left, right = fig.subplots(1, 2)
    art = _draw_units(left, som, som.distance_map(), "bone_r")  # min..max for contrast
    fig.colorbar(art, ax=left, label="mean distance to neighbours (scaled)")
    left.set_title("U-matrix")
    labels = np.unique(y)
    majority = np.full(som.m * som.n, np.nan)
    for (r, c), counts in som.labels_map(X, y).items():
        majority[r * som.n + c] = np.searchsorted(labels, counts.most_common(1)[0][0])
    art = _draw_units(right, som, majority, "tab10", -0.5, 9.5)
    bar = fig.colorbar(art, ax=right, ticks=range(min(len(labels), 10)))
    names = classes if classes is not None else [str(v) for v in labels]
    bar.ax.set_yticklabels(list(names)[:10])
    right.set_title("class map (majority label per unit; blank: no hits)")
    if title:
        fig.suptitle(title)
    return save_png(fig, path)


def plot_component_planes(som, path, features=None, names=None, max_planes=16, title=None):
    """Save one small map per input feature (a component plane): each unit coloured by its
    weight for that feature, so features that vary together show the same pattern.

    features: indices into the D input features (default: the `max_planes` whose weights vary
    most across the units, in feature order); names: a label per input feature (D,)."""
    W = som.weights_.reshape(som.m * som.n, -1)
    n_features = W.shape[1]
    if features is None:
        features = np.sort(np.argsort(-W.var(axis=0), kind="stable")[:max_planes])
    features = [int(f) for f in features]
    if not features or any(not 0 <= f < n_features for f in features):
        raise ValueError(f"plot_component_planes: features must be a non-empty list of indices "
                         f"in [0, {n_features}), got {features}")
    if names is not None and len(names) != n_features:
        raise ValueError(f"plot_component_planes: {len(names)} names for {n_features} features")
    cols = int(np.ceil(np.sqrt(len(features))))
    rows = -(-len(features) // cols)
    fig = new_figure(figsize=(2.6 * cols, 2.4 * rows), layout="constrained")
    axes = np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel()
    for ax, f in zip(axes, features):
        art = _draw_units(ax, som, W[:, f], "viridis")
        fig.colorbar(art, ax=ax, shrink=0.8)
        ax.set_title(names[f] if names is not None else f"feature {f}", fontsize=9)
    for ax in axes[len(features):]:
        ax.axis("off")
    if title:
        fig.suptitle(title)
    return save_png(fig, path)
