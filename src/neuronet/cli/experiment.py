"""`neuronet experiment NAME [--quick] [--out DIR] [--seed N]` and `neuronet experiment --list`."""

import time

from neuronet.cli.common import choice, integer, table
from neuronet.experiments import experiment_names, get_experiment, list_experiments
from neuronet.experiments.registry import RESULTS_FILE, run_experiment

DEFAULT_ROOT = "runs/experiments"


def add_parser(commands):
    p = commands.add_parser(
        "experiment", help="reproduce a classic experiment (figures as PNG, numbers as JSON)",
        description="Run one experiment of the gallery (docs/gallery.md): its figures are "
                    f"written as PNG files and its numbers to {RESULTS_FILE} in the output "
                    "folder. 'neuronet experiment --list' lists them.")
    p.add_argument("name", nargs="?", type=choice("experiment", experiment_names),
                   help="the experiment to run (see --list)")
    p.add_argument("--list", action="store_true", help="list the experiments and exit")
    p.add_argument("--quick", action="store_true",
                   help="a small version that runs in seconds (fewer steps and samples)")
    p.add_argument("--out", metavar="DIR",
                   help=f"folder for the figures and {RESULTS_FILE} (default: {DEFAULT_ROOT}/NAME)")
    p.add_argument("--seed", default=0, type=integer(0), metavar="N",
                   help="random seed; the same seed gives the same numbers (default: 0)")
    p.set_defaults(run=run, _parser=p)


def run(args):
    parser = args._parser
    if args.list:
        if args.name is not None:
            parser.error("give either --list or an experiment NAME, not both")
        rows = [(spec.name, spec.description) for spec in list_experiments()]
        print(table(rows, header=("name", "description")))
        return 0
    if args.name is None:
        parser.error(f"choose an experiment: {', '.join(experiment_names())} (or --list)")
    out = args.out if args.out is not None else f"{DEFAULT_ROOT}/{args.name}"
    print(f"{args.name}: {get_experiment(args.name).description}")
    started = time.perf_counter()
    run_experiment(args.name, out, quick=args.quick, seed=args.seed)
    print(f"wrote the figures and {RESULTS_FILE} to {out} "
          f"({time.perf_counter() - started:.1f} s)")
    return 0
