"""`neuronet train`: train a zoo model on a named dataset and write a run folder."""

import math
import time
from pathlib import Path

import numpy as np

from neuronet import distributed as dist
from neuronet import nn, optim
from neuronet.cli.common import (
    add_dataset_option,
    add_model_option,
    add_option,
    choice,
    fill_defaults,
    given_options,
    integer,
    number,
    table,
)
from neuronet.cli.plots import write_plots
from neuronet.cli.run import (
    CONFIG,
    EVAL_BATCH_SIZE,
    MODEL_KEYS,
    WEIGHTS,
    build_from_config,
    input_statistics,
    normalized,
    read_config,
    report_rows,
    test_report,
)
from neuronet.data import DataLoader, Subset, TensorDataset, stratified_split
from neuronet.data.registry import get_dataset_spec
from neuronet.io import save_state_dict, write_json
from neuronet.models.registry import model_config
from neuronet.random import manual_seed
from neuronet.train import CSVLogger, ModelCheckpoint, fit, load_checkpoint

DESCRIPTION = """\
Train a model of the zoo on a dataset, showing progress, then report on the test split.

The run folder (--out) receives config.json, metrics.json (the test report), history.csv,
model.safetensors, checkpoint/ (last epoch, best validation accuracy), curves.png and
confusion.png. The validation split is a stratified, seeded part of the training split; the
test split is used only for the final report.

examples:
  neuronet train                                  # MLP on Fashion-MNIST (the defaults)
  neuronet train --model mlp --dataset digits --epochs 30 --out runs/digits
  neuronet train --model lenet5 --normalize       # inputs as (x - mean) / std of the training set
  neuronet train --resume runs/digits --epochs 40 # continue that run up to epoch 40
  mpiexec -n 2 neuronet train --model lenet5 --distributed --out runs/two

--distributed trains data-parallel over MPI (pip install neuronet[distributed]; mpiexec
comes with it): every rank computes the gradient of its share of each global batch of
--batch-size samples and one allreduce per step averages them, so the weights follow those of
one process with the same options (to float32 rounding; batch norm normalizes per shard).
Rank 0 alone validates, shows progress and writes the run folder; each epoch's training loss
and accuracy are gathered from all ranks (the progress bar within an epoch shows rank 0's
shards). A run resumes with any number of ranks.
"""

OPTIMIZERS = {
    "sgd": lambda params, c: optim.SGD(params, lr=c["lr"], momentum=c["momentum"],
                                       weight_decay=c["weight_decay"]),
    "adam": lambda params, c: optim.Adam(params, lr=c["lr"], weight_decay=c["weight_decay"]),
    "adamw": lambda params, c: optim.AdamW(params, lr=c["lr"], weight_decay=c["weight_decay"]),
    "rmsprop": lambda params, c: optim.RMSprop(params, lr=c["lr"], momentum=c["momentum"],
                                               weight_decay=c["weight_decay"]),
    "adagrad": lambda params, c: optim.Adagrad(params, lr=c["lr"], weight_decay=c["weight_decay"]),
}
SCHEDULES = ("cosine", "constant")
# Options that --resume may change; the others are fixed by the run's config.json.
RESUMABLE = {"epochs", "workers"}
DEFAULT_OUT = "runs/MODEL-DATASET-TIME"  # filled in with the names and the start time


def add_parser(commands):
    p = commands.add_parser("train", help="train a model and write a run folder",
                            description=DESCRIPTION)
    add_model_option(p)
    add_dataset_option(p, "fashion-mnist")
    add_option(p, "--epochs", default=6, type=integer(1),
               help="total number of epochs (with --resume: train up to this epoch)")
    add_option(p, "--batch-size", default=128, type=integer(1), help="samples per training step")
    add_optimizer_options(p)
    add_option(p, "--seed", default=0, type=integer(0),
               help="seed of the weights, the validation split and the shuffling")
    add_option(p, "--val-fraction", default=0.1, type=number(0, 1, include_low=True),
               help="fraction of the training split held out for validation (0 = none)")
    add_option(p, "--normalize", default=False, action="store_true",
               help="feed the model (x - mean) / std, the mean and standard deviation of the "
                    "training inputs (kept in config.json; evaluate and predict apply them)")
    add_run_options(p)
    p.add_argument("--distributed", action="store_true",
                   help="data-parallel training over the ranks started by mpiexec (may be "
                        "given or left out with --resume)")
    p.add_argument("--mpi-timeout", type=number(0), default=dist.comm.DEFAULT_TIMEOUT,
                   metavar="SECONDS",
                   help="with --distributed: how long a rank waits for the others in a "
                        "collective before all stop with an error (a rank died or hung) "
                        f"(default: {dist.comm.DEFAULT_TIMEOUT:g})")
    p.set_defaults(run=run)


def add_run_options(p):
    """--workers, --out, --resume, --no-progress (what `prepare` and RESUMABLE rely on)."""
    add_option(p, "--workers", default=0, type=integer(0),
               help="background threads preparing batches")
    add_option(p, "--out", default=DEFAULT_OUT,
               help="run folder to create (must not hold a run already)")
    p.add_argument("--resume", metavar="RUN",
                   help="continue the run in this folder from its last checkpoint; only "
                        "--epochs and --workers may change, and how it runs (--no-progress, "
                        "train's --distributed) (default: start a new run)")
    p.add_argument("--no-progress", dest="progress", action="store_false",
                   help="no progress bars or per-epoch lines (default: show them)")


def add_optimizer_options(p, lr=1e-3):
    """--optimizer, --lr, --lr-schedule, --momentum, --weight-decay (the config keys that
    OPTIMIZERS and make_scheduler read)."""
    add_option(p, "--optimizer", default="adam", type=choice("optimizer", lambda: list(OPTIMIZERS)),
               help=f"optimizer ({', '.join(OPTIMIZERS)})")
    add_option(p, "--lr", default=lr, type=number(0), help="learning rate")
    add_option(p, "--lr-schedule", default="cosine", type=choice("schedule", lambda: SCHEDULES),
               help="learning rate per epoch: cosine (from --lr down towards 0 at the last "
                    "epoch) or constant")
    add_option(p, "--momentum", default=0.9, type=number(0, 1, include_low=True),
               help="momentum of sgd and rmsprop")
    add_option(p, "--weight-decay", default=0.0, type=number(0, include_low=True),
               help="L2 penalty (adamw: decoupled weight decay)")


TRAINING_KEYS = ("epochs", "batch_size", "optimizer", "lr", "lr_schedule", "momentum",
                 "weight_decay", "seed", "val_fraction")


def new_config(args):
    """The config.json of a new run, from the parsed options."""
    spec = get_dataset_spec(args.dataset)
    return {
        "model": args.model, "model_config": model_config(args.model),
        "dataset": args.dataset, "input_shape": list(spec.input_shape),
        "classes": list(spec.classes),
        "epochs": args.epochs, "batch_size": args.batch_size, "optimizer": args.optimizer,
        "lr": args.lr, "lr_schedule": args.lr_schedule, "momentum": args.momentum,
        "weight_decay": args.weight_decay,
        "seed": args.seed, "val_fraction": args.val_fraction, "normalize": args.normalize,
    }


def prepare(args, make_config=None, needed=TRAINING_KEYS, model_keys=MODEL_KEYS):
    """(run folder, config, start fresh?) for a new run (its config from
    `make_config(args)`, default new_config) or a resumed one (its config.json must hold
    `model_keys` and `needed`)."""
    if args.resume is None:
        fill_defaults(args)
        folder = Path(args.out if args.out != DEFAULT_OUT else
                      f"runs/{args.model}-{args.dataset}-{time.strftime('%Y%m%d-%H%M%S')}")
        if (folder / CONFIG).exists():
            raise ValueError(f"{folder} already holds a run; continue it with --resume {folder} "
                             "or choose another --out")
        return folder, (make_config or new_config)(args), True
    fixed = sorted(given_options(args) - RESUMABLE)
    if fixed:
        raise ValueError(
            f"--resume continues the run as its config.json says; only --epochs and --workers "
            f"may be given with it, not --{', --'.join(n.replace('_', '-') for n in fixed)}"
        )
    folder = Path(args.resume)
    config = read_config(folder, needed=needed, model_keys=model_keys)
    config["epochs"] = args.epochs or config["epochs"]
    args.workers = args.workers or 0
    return folder, config, False


def make_scheduler(optimizer, config):
    """The run's learning-rate schedule (None = constant). Cosine is a closed form of the epoch
    and the total, so a run resumed with more epochs anneals over the new total."""
    if config["lr_schedule"] == "constant":
        return None
    total = config["epochs"]

    def cosine(epoch):
        return 0.5 * (1 + math.cos(math.pi * epoch / total))

    return optim.lr_scheduler.LambdaLR(optimizer, cosine)


def set_up_training(folder, config, fresh, model, train_loader, write=True):
    """(optimizer, scheduler, epochs done, History or None) of the run in `folder`: new, or
    restored from its last checkpoint (model, optimizer, scheduler, loader); ValueError when
    config["epochs"] are already done. Writes config.json first (unless `write` is false: a
    rank other than 0), so that a run stopped early can be resumed."""
    optimizer = OPTIMIZERS[config["optimizer"]](model.parameters(), config)
    scheduler = make_scheduler(optimizer, config)
    start, history = 0, None
    if not fresh:
        state = load_checkpoint(folder / "checkpoint" / "last", model, optimizer, scheduler,
                                loader=train_loader)
        start, history = state["epoch"], state["history"]
        if scheduler is not None:  # the next epoch's lr under the total of this call
            for group, lr in zip(optimizer.param_groups, scheduler.get_lr()):
                group["lr"] = lr
        if start >= config["epochs"]:
            raise ValueError(f"{folder} has already trained {start} epochs; pass --epochs N "
                             f"with N > {start} to continue it")
    if write:
        folder.mkdir(parents=True, exist_ok=True)
        write_json(folder / CONFIG, config)
    return optimizer, scheduler, start, history


def data_loaders(config, workers):
    """(train loader, validation loader or None, (x_test, y_test)) for the run's dataset,
    inputs normalized when config["normalize"] is set: by the statistics in the config, which
    a new run takes from its training inputs (the validation part left out) first."""
    spec = get_dataset_spec(config["dataset"])
    x, y = spec.load("train")
    x_test, y_test = spec.load("test")
    seed = config["seed"]
    if config["val_fraction"] > 0:
        train_idx, val_idx = stratified_split(y, config["val_fraction"], generator=seed)
    else:
        train_idx, val_idx = np.arange(len(y)), None
    if config.get("normalize"):
        if "input_mean" not in config:
            config.update(input_statistics(x[train_idx]))
        x, x_test = normalized(config, x), normalized(config, x_test)
    dataset = TensorDataset(x, y)
    train = DataLoader(Subset(dataset, train_idx), config["batch_size"], shuffle=True,
                       generator=seed, num_workers=workers)
    val = None if val_idx is None else DataLoader(Subset(dataset, val_idx), EVAL_BATCH_SIZE)
    return train, val, (x_test, y_test)


def run(args):
    if not args.distributed:
        return train(args)
    dist.init(timeout=args.mpi_timeout)
    with dist.stop_all_on_error():
        return train(args, distributed=True)


def train(args, distributed=False):
    """The run of `neuronet train`; distributed: one rank of the MPI world (see DESCRIPTION).
    The barriers keep the ranks from racing over the run folder: every rank checks it before
    rank 0 writes config.json, and rank 0 opens a checkpoint (and recovers it, if a save was
    cut short) before the others read it."""
    main = dist.is_main()
    folder, config, fresh = prepare(args)
    if distributed:
        dist.barrier("checking the run folder")
    manual_seed(config["seed"])
    train_loader, val_loader, (x_test, y_test) = data_loaders(config, args.workers)
    model = build_from_config(config)
    if distributed and not main:
        dist.barrier("rank 0 opening the run folder")
    optimizer, scheduler, start, history = set_up_training(folder, config, fresh, model,
                                                           train_loader, write=main)
    if distributed and main:
        dist.barrier("rank 0 opening the run folder")
    train_data = train_loader
    if distributed:
        train_data = dist.DistributedSampler(train_loader)
        optimizer = dist.DistributedOptimizer(optimizer, model, train_data)
    callbacks = [
        ModelCheckpoint(folder / "checkpoint", save_best=val_loader is not None,
                        monitor="val_accuracy", config=config),
        CSVLogger(folder / "history.csv"),
    ] if main else []
    ranks = f" on {dist.world_size()} ranks" if distributed else ""
    if main:
        print(f"training {config['model']} on {config['dataset']}{ranks}: epochs {start + 1}-"
              f"{config['epochs']}, run folder {folder}", flush=True)
    started = time.perf_counter()
    history = fit(model, train_data, nn.CrossEntropyLoss(), optimizer, config["epochs"],
                  val_data=val_loader if main else None, callbacks=callbacks,
                  scheduler=scheduler, progress=args.progress and main,
                  start_epoch=start, history=history)
    seconds = time.perf_counter() - started
    if not main:
        return 0
    save_state_dict(model.state_dict(), folder / WEIGHTS)
    report = test_report(model, x_test, y_test, len(config["classes"]))
    write_json(folder / "metrics.json", {
        "test": report["metrics"], "confusion_matrix": report["confusion_matrix"],
        "epochs": len(history), "train_seconds": seconds, "ranks": dist.world_size(),
        "last_epoch": {name: history.last(name) for name in history.history},
    })
    written = write_plots(folder, history, report["confusion_matrix"], config["classes"])
    print(table(report_rows(report["metrics"]) + [("epochs", len(history)),
                                                  ("training time", f"{seconds:.1f} s" + ranks)],
                header=("metric", "value")))
    print(f"run folder: {folder}" + ("" if written else " (plots skipped)"))
    return 0
