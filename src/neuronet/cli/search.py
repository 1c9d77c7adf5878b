"""`neuronet search`: hyperparameter search for a zoo model on a dataset, scored on validation
data, and the best configuration retrained and tested once."""

import argparse
import time
from pathlib import Path

from neuronet import nn
from neuronet.cli import train
from neuronet.cli.arrays import output_folder
from neuronet.cli.common import (
    Parser,
    add_dataset_option,
    add_model_option,
    add_option,
    choice,
    fill_defaults,
    integer,
    number,
)
from neuronet.cli.plots import draw_or_advise
from neuronet.cli.run import CONFIG, WEIGHTS, build_from_config, test_report
from neuronet.io import save_state_dict, write_json
from neuronet.models.registry import model_config
from neuronet.random import manual_seed
from neuronet.search import (
    Choice,
    Integer,
    LogUniform,
    MedianStopping,
    Uniform,
    grid_search,
    random_search,
    successive_narrowing,
)
from neuronet.train import Callback, fit

DESCRIPTION = """\
Search the hyperparameters of a model of the zoo on a dataset. A stratified, seeded part of
the training split (--val-fraction) is held out as validation data; every trial trains on
the rest and is scored on it. The test split is never used to choose: once the search is
over, the best configuration is retrained on the whole training split and evaluated ONCE on
the test split, so that test score stays an honest estimate.

The searched hyperparameters are given with --param NAME=RANGE (repeatable), NAME one of
the training options (lr, weight_decay, momentum, batch_size, optimizer, lr_schedule) or a
model option (see 'neuronet models'), RANGE one of:
  log:LOW:HIGH      log-uniform real (learning rates, weight decay)
  uniform:LOW:HIGH  uniform real
  int:LOW:HIGH      integer, both ends included
  choice:A,B,...    one of the values
  VALUE             a fixed value (e.g. optimizer=sgd)
Unset options keep the defaults of 'neuronet train'.

Methods: random (--trials draws), grid (--points values per numeric range, every choice),
narrowing (coarse to fine: --rounds of --trials draws; after each round every range shrinks
around the --keep best trials). --prune-after E stops weak trials early: from epoch E on, a
trial whose validation score falls below the median of the reference trials at the same
epoch (the first --prune-startup trials, which run in full, and earlier rounds) stops
there; the last epoch always runs to the end.

The output folder (--out) receives results.jsonl (one line per finished trial: params,
scores, time, learning curve; run the same command again to resume an interrupted search),
summary.json (best params, validation and test scores), search.png (validation score against
the first two numeric hyperparameters) and best/, a run folder of the retrained best model
('neuronet evaluate OUT/best' reads it).

examples:
  neuronet search --dataset digits --trials 20 --epochs 5
  neuronet search --param lr=log:1e-4:1e-1 --param weight_decay=log:1e-6:1e-2 \\
      --method narrowing --rounds 2 --trials 16 --workers 2 --prune-after 1
  neuronet search --param optimizer=sgd --param momentum=uniform:0.5:0.99 --param lr=log:1e-3:1
  neuronet search --trials 40 --cluster local --workers 2        # on a Dask LocalCluster
  neuronet search --trials 200 --cluster dask://10.0.0.5:8786    # on a running Dask cluster
"""

DEFAULT_SPACE = ("lr=log:1e-4:1e-1", "weight_decay=log:1e-6:1e-2")
METHODS = ("random", "grid", "narrowing")
METRICS = {"val_accuracy": "max", "val_loss": "min"}
SEARCHABLE = ("lr", "weight_decay", "momentum", "batch_size", "optimizer", "lr_schedule")
RANGES = {"log": LogUniform, "uniform": Uniform, "int": Integer}


def add_parser(commands):
    p = commands.add_parser("search", help="hyperparameter search on validation data",
                            description=DESCRIPTION)
    add_model_option(p)
    add_dataset_option(p, "digits")
    p.add_argument("--param", action="append", type=_param, metavar="NAME=RANGE",
                   help=f"a hyperparameter and its range (default: {' '.join(DEFAULT_SPACE)})")
    add_option(p, "--method", default="random", type=choice("method", lambda: METHODS),
               help=f"search method ({', '.join(METHODS)})")
    add_option(p, "--trials", default=20, type=integer(1),
               help="trials (random) or trials per round (narrowing)")
    add_option(p, "--rounds", default=3, type=integer(1), help="rounds of narrowing")
    add_option(p, "--keep", default=3, type=integer(1),
               help="best trials a narrowing round shrinks the ranges around")
    add_option(p, "--points", default=3, type=integer(1),
               help="values per numeric range (grid)")
    add_option(p, "--epochs", default=3, type=integer(1), help="training epochs per trial")
    add_option(p, "--final-epochs", default=0, type=integer(0),
               help="epochs of the retrained best model (0 = --epochs)")
    add_option(p, "--metric", default="val_accuracy", type=choice("metric", lambda: METRICS),
               help="validation score that ranks trials (val_accuracy: higher is better; "
                    "val_loss: lower is better)")
    add_option(p, "--prune-after", default=0, type=integer(0),
               help="stop weak trials from this epoch on (0 = every trial runs in full)")
    add_option(p, "--prune-startup", default=5, type=integer(1),
               help="trials that run in full to set the bar for the others")
    add_option(p, "--val-fraction", default=0.1, type=number(0, 1),
               help="fraction of the training split held out for validation")
    add_option(p, "--workers", default=1, type=integer(1), help="trials run at once (processes)")
    p.add_argument("--cluster", metavar="local|dask://HOST:PORT",
                   help="run the trials on Dask distributed (pip install neuronet[cluster]): "
                        "'local' starts a LocalCluster of --workers processes, dask://HOST:PORT "
                        "uses a running scheduler whose workers have neuronet and the data "
                        "(default: worker processes on this machine)")
    p.add_argument("--timeout", type=number(0),
                   help="seconds after which a trial running in a worker process is stopped "
                        "and recorded as failed (needs --workers > 1 or --cluster; default: "
                        "no limit)")
    add_option(p, "--seed", default=0, type=integer(0),
               help="seed of the configurations, the trials, the split and the shuffling")
    p.add_argument("--out", help="output folder (default: runs/search-MODEL-DATASET-TIME); "
                                 "an existing one with results.jsonl is resumed")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no line per finished trial (default: show them)")
    p.set_defaults(run=run)


def _value(text):
    """A number when the text reads as one, else the text itself."""
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def _param(text):
    """NAME=RANGE -> (name, range object or fixed value)."""
    name, sep, spec = text.partition("=")
    if not sep or not name or not spec:
        raise argparse.ArgumentTypeError(f"expected NAME=RANGE, got {text!r}")
    kind, _, rest = spec.partition(":")
    try:
        if kind == "choice":
            return name, Choice([_value(v) for v in rest.split(",")])
        if kind in RANGES:
            low, high = (_value(v) for v in rest.split(":"))
            return name, RANGES[kind](low, high)
    except (TypeError, ValueError) as e:
        raise argparse.ArgumentTypeError(
            f"{text!r}: {kind} needs {'A,B,...' if kind == 'choice' else 'LOW:HIGH'} ({e})"
        ) from None
    return name, _value(spec)


def base_config(args):
    """The run config every trial starts from: 'neuronet train''s defaults, with this
    search's model, dataset, epochs, seed and validation fraction."""
    parser = Parser(prog="neuronet")
    train.add_parser(parser.add_subparsers())
    defaults = fill_defaults(parser.parse_args(["train"]))
    for name in ("model", "dataset", "epochs", "seed", "val_fraction"):
        setattr(defaults, name, getattr(args, name))
    return train.new_config(defaults)


def split_space(params, config):
    """(space of the searched ranges, fixed values) from the --param pairs; ValueError for a
    name that is neither a training option nor a single-valued option of the model."""
    options = set(SEARCHABLE) | {name for name, value in config["model_config"].items()
                                 if isinstance(value, (int, float, str))}
    unknown = sorted({name for name, _ in params} - options)
    if unknown:
        raise ValueError(f"search: cannot search {', '.join(unknown)}; the searchable names "
                         f"are {', '.join(sorted(options))}")
    for name, values in (("optimizer", train.OPTIMIZERS), ("lr_schedule", train.SCHEDULES)):
        for _, r in (pair for pair in params if pair[0] == name):
            bad = [v for v in (r.values if isinstance(r, Choice) else [r]) if v not in values]
            if bad:
                raise ValueError(f"search: unknown {name} {bad[0]!r}; the choices are "
                                 f"{', '.join(values)}")
    space = {n: r for n, r in params if isinstance(r, (Choice, Uniform))}
    if not space:
        raise ValueError("search: no range to search; give at least one --param NAME=RANGE "
                         "with log:, uniform:, int: or choice:")
    return space, {n: v for n, v in params if n not in space}


def trial_config(config, params):
    """`config` with the trial's values: training options at the top, model options in
    model_config."""
    config = {**config, "model_config": dict(config["model_config"])}
    for name, value in params.items():
        (config if name in SEARCHABLE else config["model_config"])[name] = value
    model_config(config["model"], **config["model_config"])  # unknown options: a clear error
    return config


class ReportEpoch(Callback):
    """Hands the validation score of each epoch but the last to the search's `report` (which
    may stop the trial there; a trial that trained to the end is never stopped)."""

    def __init__(self, report, metric):
        self.report, self.metric = report, metric

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 < self.trainer.epochs:
            self.report(epoch + 1, logs[self.metric])


def train_run(config, report=None, metric="val_accuracy"):
    """(model, history, (x_test, y_test)) of one silent training run as 'neuronet train'
    does it."""
    train_loader, val_loader, test = train.data_loaders(config, 0)
    model = build_from_config(config)
    optimizer = train.OPTIMIZERS[config["optimizer"]](model.parameters(), config)
    callbacks = [] if report is None else [ReportEpoch(report, metric)]
    history = fit(model, train_loader, nn.CrossEntropyLoss(), optimizer, config["epochs"],
                  val_data=val_loader, callbacks=callbacks,
                  scheduler=train.make_scheduler(optimizer, config), progress=False)
    return model, history, test


def show_trial(metric):
    """on_trial for the searches: one line per finished trial, printed here (on the machine
    running the search) wherever the trial ran."""
    def show(record):
        where = f"trial {record['trial']}" + (f" of round {record['round']}" if record["round"]
                                              else "")
        if record["status"] == "failed":
            outcome = f"failed: {record['error']}"
        else:
            outcome = f"{metric} {record['scores'][metric]:.4f}" + (
                " (pruned)" if record["status"] == "pruned" else "")
        print(f"  {where} {record['params']}: {outcome}  ({record['time']:.1f} s)", flush=True)
    return show


def _scatter_axes(space):
    numeric = [n for n, r in space.items() if isinstance(r, Uniform)]
    return numeric[:2] if len(numeric) >= 2 else None


def run(args):
    fill_defaults(args)
    base = base_config(args)
    space, fixed = split_space(args.param or [_param(p) for p in DEFAULT_SPACE], base)
    base = trial_config(base, fixed)
    mode = METRICS[args.metric]

    def train_and_score(params, seed, report=None):
        _, history, _ = train_run(trial_config(base, params), report, args.metric)
        return {"val_accuracy": history.last("val_accuracy"),
                "val_loss": history.last("val_loss")}

    folder = output_folder(args.out, f"search-{args.model}", args.dataset)
    results = folder / "results.jsonl"
    pruner = (MedianStopping(args.prune_after, args.prune_startup) if args.prune_after
              else None)
    common = {"metric": args.metric, "mode": mode, "workers": args.workers,
              "results_file": str(results), "seed": args.seed, "timeout": args.timeout,
              "pruner": pruner, "cluster": args.cluster,
              "on_trial": show_trial(args.metric) if args.progress else None}
    fn = train_and_score if pruner else (lambda params, seed: train_and_score(params, seed))
    print(f"searching {', '.join(space)} of {args.model} on {args.dataset} ({args.method}); "
          f"results: {results}", flush=True)
    started = time.perf_counter()
    if args.method == "random":
        result = random_search(fn, space, args.trials, **common)
    elif args.method == "grid":
        result = grid_search(fn, space, args.points, **common)
    else:
        result = successive_narrowing(fn, space, args.rounds, args.trials, args.keep, **common)
    seconds = time.perf_counter() - started
    print(result.table(top=15))
    best = result.best()
    final = trial_config(base, best["params"])
    final.update(val_fraction=0.0, epochs=args.final_epochs or args.epochs)
    manual_seed(final["seed"])  # as 'neuronet train': the same weights however trials ran
    model, _, (x_test, y_test) = train_run(final)
    report = test_report(model, x_test, y_test, len(final["classes"]))
    _write_best(folder / "best", final, model, report)
    axes = _scatter_axes(space)
    drawn = axes is None or draw_or_advise(lambda: result.scatter(
        *axes, str(folder / "search.png"),
        log=all(isinstance(space[a], LogUniform) for a in axes)))
    write_json(folder / "summary.json", {
        "method": args.method, "space": {n: r.to_dict() for n, r in space.items()},
        "fixed": fixed, "metric": args.metric, "trials": len(result.records),
        "pruned": len(result.pruned), "failed": len(result.failed), "search_seconds": seconds,
        "best": {"params": best["params"], "round": best["round"], "trial": best["trial"],
                 "validation": best["scores"]},
        "test": report["metrics"], "final_epochs": final["epochs"],
    })
    print(f"best {args.metric} {best['scores'][args.metric]:.4f} with {best['params']}; "
          f"retrained on the whole training split for {final['epochs']} epochs: test accuracy "
          f"{report['metrics']['accuracy']:.4f}")
    print(f"output folder: {folder}" + ("" if drawn else " (plots skipped)"))
    return 0


def _write_best(folder, config, model, report):
    """A run folder as 'neuronet train' writes it, for 'neuronet evaluate/predict'."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / CONFIG, config)
    save_state_dict(model.state_dict(), folder / WEIGHTS)
    write_json(folder / "metrics.json", {"test": report["metrics"],
                                        "confusion_matrix": report["confusion_matrix"]})

