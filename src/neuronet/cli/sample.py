"""`neuronet sample RUN OUT.png`: draw images from a GAN trained by train-gan."""

from pathlib import Path

import numpy as np

from neuronet.cli.common import UsageError, integer
from neuronet.cli.run import WEIGHTS, read_config
from neuronet.cli.train_gan import build_gan_from_config
from neuronet.io import load_state_dict_file
from neuronet.train import load_checkpoint
from neuronet.viz.gan import save_sample_grid

DESCRIPTION = """\
Draw new images from a GAN (a run folder of neuronet train-gan) and save them as one PNG
grid. A conditional GAN draws the class given by --label (a number or a class name), or each
class in turn without it. A run still training is sampled from its last checkpoint.

examples:
  neuronet sample runs/cdcgan --label 3 --n 64 dresses.png
  neuronet sample runs/cdcgan --label Sneaker --n 16 --seed 1 sneakers.png
  neuronet sample runs/digits-gan --n 100 --nrow 10 digits.png
"""


def add_parser(commands):
    p = commands.add_parser("sample", help="draw images from a trained GAN into a PNG grid",
                            description=DESCRIPTION)
    p.add_argument("run_folder", metavar="RUN", help="run folder written by neuronet train-gan")
    p.add_argument("output", metavar="OUT.png", help="the PNG file to write")
    p.add_argument("--label", help="class to draw, by number or name (conditional GANs only; "
                                   "default: every class in turn)")
    p.add_argument("--n", type=integer(1), default=64, help="how many images (default: 64)")
    p.add_argument("--nrow", type=integer(1), default=None,
                   help="images per row of the grid (default: 8, or the class count when "
                        "drawing every class in turn)")
    p.add_argument("--seed", type=integer(0), default=0,
                   help="seed of the noise: the same seed gives the same images (default: 0)")
    p.set_defaults(run=run)


def load_gan(folder):
    """(config, GAN with the run's final weights, or its last checkpoint's while training)."""
    folder = Path(folder)
    config = read_config(folder)
    gan = build_gan_from_config(config)
    if (folder / WEIGHTS).is_file():
        gan.load_state_dict(load_state_dict_file(folder / WEIGHTS))
    elif (folder / "checkpoint" / "last").is_dir():
        load_checkpoint(folder / "checkpoint" / "last", gan, restore_rng=False)
    else:
        raise FileNotFoundError(f"{folder} has neither {WEIGHTS} nor a checkpoint: it has not "
                                "finished an epoch yet")
    return config, gan


def parse_label(text, classes):
    """The class index named by `text` (an index or a class name)."""
    if text.isdigit() and int(text) < len(classes):
        return int(text)
    if text in classes:
        return classes.index(text)
    raise UsageError(f"neuronet sample: error: unknown --label {text!r}; give 0 to "
                     f"{len(classes) - 1} or one of: {', '.join(classes)}")


def run(args):
    config, gan = load_gan(args.run_folder)
    labels, nrow = None, args.nrow or 8
    if gan.conditional:
        if args.label is None:
            labels = np.arange(args.n) % gan.num_classes
            nrow = args.nrow or gan.num_classes
        else:
            labels = np.full(args.n, parse_label(args.label, config["classes"]))
    elif args.label is not None:
        raise UsageError(f"neuronet sample: error: --label needs a conditional GAN; "
                         f"{args.run_folder} holds an unconditional {config['model']!r}")
    images = gan.sample(args.n, labels, generator=args.seed)
    save_sample_grid(images, args.output, nrow=nrow)
    what = "" if labels is None or args.label is None else \
        f" of class {labels[0]} ({config['classes'][labels[0]]})"
    print(f"wrote {args.n} images{what} to {args.output}")
    return 0
