"""`neuronet som`: train a Kohonen self-organizing map on a dataset and draw it."""

import time

import numpy as np

from neuronet.classic import SOM
from neuronet.classic.som import DECAYS, DISTANCES, INITS, MODES, NEIGHBORHOODS, TOPOLOGIES
from neuronet.cli.arrays import flat_split, output_folder
from neuronet.cli.common import (
    add_dataset_option,
    add_option,
    choice,
    fill_defaults,
    integer,
    number,
    table,
)
from neuronet.cli.plots import draw_or_advise
from neuronet.io import write_json
from neuronet.viz.images import plot_image_grid
from neuronet.viz.som import plot_component_planes, plot_som

DESCRIPTION = """\
Train a self-organizing map (Kohonen) on the training split of a dataset (each sample
flattened to a row of features), then measure it on both splits:

  quantization error  mean distance from a sample to the weights of its best-matching unit
                      (how closely the map fits the data; lower is better)
  topographic error   share of samples whose best and second-best units are not neighbours
                      on the grid (how well the map keeps the data's topology; lower is better)

The output folder (--out) receives metrics.json (both errors on both splits, the settings,
the training time), som.json + som.npz (the trained map; neuronet.classic.SOM.load reads it
back), umatrix.png (U-matrix: distances between neighbouring units, light = similar, dark =
a border between clusters; beside it each unit coloured by the majority class of the
training samples it wins), components.png (component planes: one map per input feature, the
features whose weights vary most) and, for image data, codebook.png (each unit's weights
drawn as an image, in grid order).

examples:
  neuronet som --dataset digits
  neuronet som --dataset fashion-mnist --samples 10000 --rows 15 --cols 15 --mode batch
  neuronet som --dataset digits --topology hexagonal --neighborhood bubble --out runs/som
"""

DEFAULT_ITERATIONS = {"online": 10000, "batch": 30}


def add_parser(commands):
    p = commands.add_parser("som", help="train a self-organizing map; U-matrix and errors",
                            description=DESCRIPTION)
    add_dataset_option(p, "digits")
    add_option(p, "--samples", default=0, type=integer(0),
               help="train on a seeded random subset of this many training samples (0 = all)")
    add_option(p, "--rows", default=10, type=integer(1), help="grid rows")
    add_option(p, "--cols", default=10, type=integer(1), help="grid columns")
    add_option(p, "--topology", default="rectangular", type=choice("topology", lambda: TOPOLOGIES),
               help=f"grid of square or hexagonal cells ({', '.join(TOPOLOGIES)})")
    add_option(p, "--mode", default="online", type=choice("mode", lambda: MODES),
               help="online: one random sample per step; batch: Kohonen's batch map, every "
                    "unit set to the neighbourhood-weighted mean of the data each epoch")
    p.add_argument("--iterations", type=integer(1),
                   help="training steps (online) or epochs (batch) (default: "
                        f"{DEFAULT_ITERATIONS['online']} steps online, "
                        f"{DEFAULT_ITERATIONS['batch']} epochs batch)")
    add_option(p, "--sigma", default=2.0, type=number(0),
               help="starting neighbourhood radius, in grid cells")
    add_option(p, "--lr", default=0.5, type=number(0), help="starting learning rate (online)")
    add_option(p, "--neighborhood", default="gaussian",
               type=choice("neighborhood", lambda: list(NEIGHBORHOODS)),
               help=f"neighbourhood function ({', '.join(NEIGHBORHOODS)})")
    add_option(p, "--distance", default="euclidean",
               type=choice("distance", lambda: list(DISTANCES)),
               help=f"distance that picks the best-matching unit ({', '.join(DISTANCES)})")
    add_option(p, "--decay", default="asymptotic", type=choice("decay", lambda: list(DECAYS)),
               help=f"how sigma and the learning rate shrink ({', '.join(DECAYS)})")
    add_option(p, "--init", default="sample", type=choice("init", lambda: INITS),
               help="initial weights: random training samples, or a plane of the two main "
                    "principal components (pca)")
    add_option(p, "--seed", default=0, type=integer(0),
               help="seed of the subset, the initial weights and the sample order")
    p.add_argument("--out", help="output folder (default: runs/som-DATASET-TIME)")
    p.set_defaults(run=run)


def _errors(som, x):
    topographic = som.topographic_error(x) if som.m * som.n > 1 else float("nan")
    return {"quantization_error": som.quantization_error(x), "topographic_error": topographic}


def _pictures(som, folder, x, y, spec):
    shape = spec.input_shape
    image = len(shape) == 3 and shape[0] == 1  # one-channel images
    names = [f"pixel {divmod(i, shape[2])}" for i in range(x.shape[1])] if image else None
    draws = [
        lambda: plot_som(som, x, y, folder / "umatrix.png", spec.classes,
                         f"SOM {som.m}x{som.n} {som.topology} on {spec.name}"),
        lambda: plot_component_planes(som, folder / "components.png", names=names,
                                      title=f"component planes ({spec.name})"),
    ]
    if image:  # the units' weights as images
        draws.append(lambda: plot_image_grid(
            list(som.weights_.reshape(som.m, som.n, *shape[1:])), folder / "codebook.png",
            title=f"codebook: the weights of each unit ({spec.name})"))
    return draw_or_advise(*draws)


def run(args):
    fill_defaults(args)
    iterations = args.iterations or DEFAULT_ITERATIONS[args.mode]
    x, y, spec = flat_split(args.dataset, "train", args.samples, args.seed)
    x_test, y_test, _ = flat_split(args.dataset, "test")
    som = SOM(args.rows, args.cols, sigma=args.sigma, learning_rate=args.lr,
              neighborhood=args.neighborhood, topology=args.topology, distance=args.distance,
              decay=args.decay, mode=args.mode, n_iter=iterations, init=args.init,
              random_state=args.seed)
    unit = "steps" if args.mode == "online" else "epochs"
    print(f"SOM {args.rows}x{args.cols} {args.topology}, {args.mode} ({iterations:,} {unit}) "
          f"on {spec.name}: {len(x):,} training samples of {x.shape[1]} features", flush=True)
    started = time.perf_counter()
    som.fit(x)
    seconds = time.perf_counter() - started
    errors = {"train": _errors(som, x), "test": _errors(som, x_test)}
    folder = output_folder(args.out, "som", args.dataset)
    som.save(str(folder / "som"))
    write_json(folder / "metrics.json", {
        **errors, "train_seconds": seconds, "dataset": spec.name, "train_samples": len(x),
        "test_samples": len(x_test), "settings": {**som.get_params(), "samples": args.samples},
        "units_hit": int(np.count_nonzero(som.activation_response(x))),
    })
    drawn = _pictures(som, folder, x, y, spec)
    rows = [(f"{name.replace('_', ' ')} ({split})", value)
            for split, values in errors.items() for name, value in values.items()]
    print(table(rows + [("training time", f"{seconds:.1f} s")], header=("metric", "value")))
    print(f"output folder: {folder}" + ("" if drawn else " (plots skipped)"))
    return 0
