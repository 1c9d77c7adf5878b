"""The `neuronet` command: train, evaluate, predict, data, models, experiment, playground, ...

    neuronet train --model mlp --dataset fashion-mnist --epochs 10 --out runs/demo
    neuronet evaluate runs/demo
    neuronet predict runs/demo shoe.png
    neuronet data list | info NAME | fetch NAME
    neuronet models
    neuronet experiment NAME [--quick] | --list
    neuronet filter IN.png OUT.png --kernel emboss | --list
    neuronet train-lm --epochs 10 --out runs/words
    neuronet generate runs/words --n 20 --temperature 0.8 --seed 0
    neuronet som --dataset digits
    neuronet hopfield recall | capacity
    neuronet search --param lr=log:1e-4:1e-1 --trials 20
    neuronet train-gan --model cdcgan --dataset fashion-mnist --epochs 10 --out runs/cdcgan
    neuronet sample runs/cdcgan --label 3 --n 64 out.png
    neuronet playground [--port 8000]
    neuronet export runs/demo --format onnx [--out model.onnx]

`main(argv)` returns the exit status: 0 on success, 2 for a bad command line or bad input
(unknown model or dataset, bad number, missing data or run folder), reported as one line on
stderr without a traceback; 1 when training diverges; 130 when interrupted.
"""

import sys

from neuronet.cli import (
    data, evaluate, experiment, export, filter, generate, hopfield, models, playground, predict,
    sample, search, som, train, train_gan, train_lm,
)
from neuronet.cli.common import Parser, UsageError

COMMANDS = (train, evaluate, predict, data, models, experiment, filter, train_lm, generate,
            som, hopfield, search, train_gan, sample, playground, export)


def build_parser():
    parser = Parser(prog="neuronet",
                    description="neuronet: a deep-learning framework written from scratch on "
                                "NumPy. Train, evaluate and use models from the command line.",
                    epilog="'neuronet COMMAND --help' explains each command and its options.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in COMMANDS:
        command.add_parser(commands)
    return parser


def _fail(message, status):
    print(" ".join(str(message).split()), file=sys.stderr)
    return status


def main(argv=None):
    """Run the command line `argv` (default: sys.argv[1:]); returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if args.command is None:
            names = ", ".join(c.__name__.rsplit(".", 1)[1].replace("_", "-") for c in COMMANDS)
            parser.error(f"choose a command: {names}")
        return args.run(args)
    except SystemExit as e:  # --help (status 0)
        return e.code
    except UsageError as e:
        return _fail(e, 2)
    except FloatingPointError as e:  # TrainingDivergedError: says where and what was saved
        return _fail(f"neuronet: {e}", 1)
    except (ValueError, TypeError, FileNotFoundError, ImportError) as e:
        return _fail(f"neuronet: error: {e}", 2)
    except KeyboardInterrupt:
        return _fail("neuronet: interrupted", 130)
