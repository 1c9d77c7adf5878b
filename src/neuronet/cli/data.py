"""`neuronet data list|info NAME|fetch NAME`: the datasets the command line knows."""

import numpy as np

from neuronet.cli.common import choice, table
from neuronet.data.registry import SPLITS, dataset_names, get_dataset_spec


def add_parser(commands):
    p = commands.add_parser("data", help="list, describe and download datasets",
                            description="The datasets that 'neuronet train --dataset' accepts.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions")
    actions.add_parser("list", help="the datasets, their inputs and where they are",
                       description="List the datasets with their input shape, class count and "
                                   "whether their files are here.").set_defaults(run=list_)
    name = choice("dataset", dataset_names)
    info = actions.add_parser("info", help="sizes, classes and location of one dataset",
                              description="Describe one dataset (it is read, not downloaded).")
    info.add_argument("name", type=name, help=f"dataset ({', '.join(dataset_names())})")
    info.set_defaults(run=info_)
    fetch = actions.add_parser("fetch", help="download a dataset (or check it is here)",
                               description="Download a dataset's files into the cache (see "
                                           "$NEURONET_DATA) unless they are already found.")
    fetch.add_argument("name", type=name, help=f"dataset ({', '.join(dataset_names())})")
    fetch.set_defaults(run=fetch_)
    p.set_defaults(run=lambda args: p.error("choose an action: list, info NAME or fetch NAME"))


def _where(spec):
    if spec.locate is None:
        return spec.source
    folder = spec.locate()
    return str(folder) if folder else f"not here (neuronet data fetch {spec.name})"


def list_(args):
    rows = [(s.name, "x".join(map(str, s.input_shape)), s.num_classes, _where(s))
            for s in map(get_dataset_spec, dataset_names())]
    print(table(rows, header=("name", "input", "classes", "files")))
    return 0


def _splits(spec, download):
    return {split: spec.load(split, download=download) for split in SPLITS}


def info_(args):
    spec = get_dataset_spec(args.name)
    splits = _splits(spec, download=False)
    print(f"{spec.name}: {spec.description}")
    print(f"source: {spec.source}")
    if spec.locate is not None:
        print(f"files: {_where(spec)}")
    print(f"input shape: {spec.input_shape}, {spec.num_classes} classes")
    rows = [(i, name, *(int(np.sum(y == i)) for _, y in splits.values()))
            for i, name in enumerate(spec.classes)]
    rows.append(("", "total", *(len(y) for _, y in splits.values())))
    print(table(rows, header=("class", "name", *SPLITS)))
    return 0


def fetch_(args):
    spec = get_dataset_spec(args.name)
    sizes = {split: len(y) for split, (_, y) in _splits(spec, download=True).items()}
    print(f"{spec.name}: {sizes['train']:,} train and {sizes['test']:,} test samples; "
          f"files: {_where(spec)}")
    return 0
