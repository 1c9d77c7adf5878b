"""`neuronet export RUN --format onnx [--out PATH]`: a trained run's model as an .onnx file."""

from pathlib import Path

import numpy as np

from neuronet.cli.common import choice
from neuronet.cli.run import NormalizedInputs, load_trained_model, normalized, read_config
from neuronet.cli.sample import load_gan
from neuronet.dtypes import get_default_dtype
from neuronet.models.gan import gan_names
from neuronet.onnx import export
from neuronet.onnx.export_graph import emitter, joined

FORMATS = ("onnx",)
EXAMPLE_BATCH = 2  # the file's batch axis is dynamic: any batch size runs

DESCRIPTION = """\
Write the model of a run folder (neuronet train, or the generator of neuronet train-gan) as
an ONNX file (opset 17, checked with onnx.checker), by default RUN/model.onnx. The graph is
the model in eval mode; its input "x" (a conditional generator's: "z" and "labels") has
the run's input shape with any batch size; a run trained with --normalize takes raw inputs,
as evaluate does. Run it with onnxruntime, or load it back with neuronet.onnx.load.

examples:
  neuronet export runs/demo --format onnx
  neuronet export runs/cdcgan --format onnx --out generator.onnx
"""


def add_parser(commands):
    p = commands.add_parser("export", help="write a trained run's model as an ONNX file",
                            description=DESCRIPTION)
    p.add_argument("run_folder", metavar="RUN", help="run folder written by neuronet train "
                                                     "or train-gan")
    p.add_argument("--format", type=choice("format", lambda: FORMATS), default="onnx",
                   help="file format (onnx; default: onnx)")
    p.add_argument("--out", metavar="PATH", help="file to write (default: RUN/model.onnx)")
    p.set_defaults(run=run)


@emitter(NormalizedInputs)
def _normalized_inputs(g, module, x):
    """(x - mean) / std, then the model: Sub and Div by the run's statistics."""
    path, dtype = g.path(module), x.data.dtype
    config = module.config
    centred = g.op("Sub", [x.name, g.initializer(np.asarray(config["input_mean"], dtype),
                                                 joined(path, "input_mean"))],
                   joined(path, "centred"), x.data - config["input_mean"])
    scaled = g.op("Div", [centred.name, g.initializer(np.asarray(config["input_std"], dtype),
                                                      joined(path, "input_std"))],
                  joined(path, "normalized"), normalized(config, x.data))
    return g.module(module.model, scaled)


def _model_and_example(folder):
    """(model, example input) of a run: a classifier's, or a GAN's generator."""
    config = read_config(folder)
    dtype = get_default_dtype()
    if config["model"] in gan_names():
        _, gan = load_gan(folder)
        z = np.zeros((EXAMPLE_BATCH, gan.latent_dim), dtype)
        labels = np.zeros(EXAMPLE_BATCH, np.int64)
        return gan.generator, ((z, labels) if gan.conditional else z)
    config, model = load_trained_model(folder)
    return model, np.zeros((EXAMPLE_BATCH, *config["input_shape"]), dtype)


def run(args):
    model, example = _model_and_example(args.run_folder)
    out = Path(args.out) if args.out else Path(args.run_folder) / "model.onnx"
    if not out.parent.is_dir():
        raise FileNotFoundError(f"no folder {out.parent} to write {out.name} into")
    proto = export(model, example, out)
    inputs = ", ".join(i.name for i in proto.graph.input)
    print(f"wrote {out} (ONNX opset {proto.opset_import[0].version}, {len(proto.graph.node)} "
          f"nodes, input {inputs} with any batch size, output {proto.graph.output[0].name})")
    return 0
