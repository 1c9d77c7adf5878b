"""`neuronet predict RUN IMAGE`: the most likely classes of one image under a trained run."""

import numpy as np

from neuronet.cli.common import integer, table
from neuronet.cli.run import load_trained_model
from neuronet.creation import from_numpy
from neuronet.dtypes import get_default_dtype
from neuronet.optional import import_optional
from neuronet.train import predict
from neuronet.vision.image_io import read_image


def add_parser(commands):
    p = commands.add_parser(
        "predict", help="classify an image file with a trained run",
        description="Read an image (any format Pillow reads), convert it to grey, resize it to "
                    "the model's input and print the most likely classes with their "
                    "probabilities. The datasets' images are light objects on black: use "
                    "--invert for a dark object on a light background.")
    p.add_argument("run_folder", metavar="RUN", help="run folder written by neuronet train")
    p.add_argument("image", help="image file (PNG, JPEG, ...)")
    p.add_argument("--top", type=integer(1), default=3,
                   help="how many classes to show (default: 3)")
    p.add_argument("--invert", action="store_true",
                   help="invert the grey levels first (default: as is)")
    p.set_defaults(run=run)


def load_image(path, input_shape, invert=False):
    """The image at `path` as a (1, 1, H, W) float array in [0, 1] for a model taking
    `input_shape` (1, H, W)."""
    if len(input_shape) != 3 or input_shape[0] != 1:
        raise ValueError(f"this run's model takes inputs of shape {tuple(input_shape)}, not grey "
                         "images (1, H, W): predict works for image datasets only")
    who = "neuronet predict"
    pixels = read_image(path, who)  # uint8 (H, W) grey or (H, W, 3) RGB
    image_module = import_optional("PIL.Image", who, "pip install neuronet[plot]")
    grey = image_module.fromarray(pixels).convert("L").resize(
        (input_shape[2], input_shape[1]), image_module.Resampling.BILINEAR)
    dtype = get_default_dtype()
    x = np.asarray(grey, dtype=dtype) / np.asarray(255, dtype)
    return (1 - x if invert else x)[None, None]


def softmax(scores):
    shifted = np.exp(scores - scores.max())
    return shifted / shifted.sum()


def run(args):
    config, model = load_trained_model(args.run_folder)
    x = load_image(args.image, config["input_shape"], args.invert)
    probabilities = softmax(predict(model, [from_numpy(x)])[0])
    best = np.argsort(-probabilities, kind="stable")[: args.top]
    print(table([(int(c), config["classes"][c], f"{probabilities[c]:.2%}") for c in best],
                header=("class", "name", "probability")))
    return 0
