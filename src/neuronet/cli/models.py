"""`neuronet models`: the model zoo with parameter counts."""

from neuronet.cli.common import table
from neuronet.models.registry import build_model, count_parameters, get_model_spec, model_names


def add_parser(commands):
    p = commands.add_parser(
        "models", help="the model zoo with parameter counts",
        description="List the models 'neuronet train --model' accepts, with their parameter "
                    "count for their default input and 10 classes, and their default options.")
    p.set_defaults(run=run)


def run(args):
    rows = []
    for name in model_names():
        spec = get_model_spec(name)
        rows.append((name, count_parameters(build_model(name)),
                     "x".join(map(str, spec.default_input)), spec.description))
    print(table(rows, header=("name", "parameters", "input", "description")))
    return 0
