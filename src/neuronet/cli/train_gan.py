"""`neuronet train-gan`: train a GAN on an image dataset and score it with a real-data
classifier."""

import time
from pathlib import Path

import numpy as np

from neuronet.cli import train as train_command
from neuronet.cli.common import (
    Parser,
    add_dataset_option,
    add_option,
    choice,
    integer,
    number,
    table,
)
from neuronet.cli.run import CONFIG, WEIGHTS, load_trained_model
from neuronet.data import DataLoader, TensorDataset
from neuronet.data.registry import get_dataset_spec
from neuronet.io import save_state_dict, write_json
from neuronet.models.gan import build_gan, gan_config, gan_names
from neuronet.random import manual_seed
from neuronet.train import CSVLogger, ModelCheckpoint, load_checkpoint
from neuronet.train.gan import GANCurves, GANTrainer, SampleGrids
from neuronet.train.gan_scores import FeatureClassifier, GANScorer
from neuronet.viz import PlotsUnavailable

DESCRIPTION = """\
Train a generative adversarial network on the images of a dataset (scaled to [-1, 1]):
alternating discriminator and generator steps, each network with its own Adam.

After every epoch it writes samples/epoch-NNN.png (the same fixed noise each time; for the
conditional model one column per class) and curves.png, and scores the generator with a
classifier trained on the real training images (a run folder of 'neuronet train', made once
with --classifier-epochs epochs when --classifier names a folder without one): "fcd", the
Fréchet distance between the classifier's penultimate-layer features of generated and real
test images (a Fréchet classifier distance, not the Inception FID), and for the conditional
model "class_accuracy", the fraction of samples put in the class they were asked for. The end
adds the FCD floor (real training vs real test images) and the mode coverage (classifier's
label histogram and entropy over 10,000 samples) to metrics.json.

The run folder (--out) receives config.json, model.safetensors, metrics.json, history.csv,
checkpoint/ (last epoch; best FCD), samples/ and curves.png.

examples:
  neuronet train-gan --model cdcgan --dataset fashion-mnist --epochs 10 --out runs/cdcgan
  neuronet train-gan --model dcgan --dataset digits --epochs 50 --out runs/digits-gan
  neuronet train-gan --resume runs/cdcgan --epochs 15     # continue that run up to epoch 15
  neuronet sample runs/cdcgan --label 3 --n 64 dresses.png
"""

GAN_TRAINING_KEYS = ("epochs", "batch_size", "lr", "beta1", "label_smoothing", "seed",
                     "subset", "score_samples", "classifier")
MODE_COVERAGE_SAMPLES = 10_000


def add_parser(commands):
    p = commands.add_parser("train-gan", help="train a GAN (gan, dcgan, cdcgan) on images",
                            description=DESCRIPTION)
    add_option(p, "--model", default="cdcgan", type=choice("GAN", gan_names),
               help="gan (fully connected), dcgan, or cdcgan (conditional DCGAN)")
    add_dataset_option(p, "fashion-mnist", "image dataset")
    add_option(p, "--epochs", default=5, type=integer(1),
               help="total number of epochs (with --resume: train up to this epoch)")
    add_option(p, "--batch-size", default=64, type=integer(2), help="real images per step")
    add_option(p, "--lr", default=2e-4, type=number(0), help="Adam learning rate of both nets")
    add_option(p, "--beta1", default=0.5, type=number(0, 1, include_low=True),
               help="Adam beta1 of both nets (DCGAN's 0.5 damps the oscillation)")
    add_option(p, "--label-smoothing", default=0.0, type=number(0, 1, include_low=True),
               help="one-sided: the real images' target is 1 - this")
    add_option(p, "--latent-dim", default=0, type=integer(0),
               help="size of the noise z (0 = the model's own, see neuronet.models.gan)")
    add_option(p, "--width", default=0, type=integer(0),
               help="DCGAN channels: G's last and D's first hidden layer (0 = the model's "
                    "own)")
    add_option(p, "--subset", default=0, type=integer(0),
               help="train on this many training images, drawn at random by --seed (0 = all)")
    add_option(p, "--seed", default=0, type=integer(0),
               help="seed of the weights, the noise, the subset and the shuffling")
    add_option(p, "--score-samples", default=5000, type=integer(0),
               help="generated images per score after each epoch (0 = no scoring)")
    add_option(p, "--classifier", default="runs/classifiers/DATASET-lenet5",
               help="run folder of the scoring classifier (trained there first if missing)")
    add_option(p, "--classifier-epochs", default=5, type=integer(1),
               help="epochs when the classifier has to be trained")
    train_command.add_run_options(p)
    p.set_defaults(run=run)


def new_config(args):
    """The config.json of a new run, from the parsed options."""
    spec = get_dataset_spec(args.dataset)
    if len(spec.input_shape) != 3:
        raise ValueError(f"train-gan needs an image dataset; {args.dataset!r} has inputs of "
                         f"shape {spec.input_shape}")
    overrides = {name: value for name, value in (("latent_dim", args.latent_dim),
                                                 ("width", args.width)) if value}
    classifier = args.classifier.replace("DATASET", args.dataset)
    return {
        "model": args.model, "model_config": gan_config(args.model, **overrides),
        "dataset": args.dataset, "input_shape": list(spec.input_shape),
        "classes": list(spec.classes),
        "epochs": args.epochs, "batch_size": args.batch_size, "lr": args.lr,
        "beta1": args.beta1, "label_smoothing": args.label_smoothing, "seed": args.seed,
        "subset": args.subset, "score_samples": args.score_samples,
        "classifier": classifier if args.score_samples else None,
        "classifier_epochs": args.classifier_epochs,
    }


def build_gan_from_config(config):
    """A fresh GAN as described by a train-gan run's config."""
    if config["model"] not in gan_names():
        raise ValueError(f"the run holds a {config['model']!r} model, not a GAN (neuronet "
                         "train-gan makes one)")
    return build_gan(config["model"], config["input_shape"], len(config["classes"]),
                     **config["model_config"])


def training_images(config):
    """(images in [-1, 1], labels) of the run's training set (its subset, if any)."""
    x, y = get_dataset_spec(config["dataset"]).load("train")
    if config["subset"]:
        pick = np.random.default_rng(config["seed"]).permutation(len(y))[:config["subset"]]
        x, y = x[pick], y[pick]
    return x * 2 - 1, y


def reference_classifier(config, progress):
    """The run's scoring classifier (FeatureClassifier), trained first into its run folder
    (by 'neuronet train') when the folder holds none."""
    folder = Path(config["classifier"])
    if not (folder / WEIGHTS).is_file():
        print(f"training the scoring classifier into {folder} "
              f"({config['classifier_epochs']} epochs of lenet5 on {config['dataset']})",
              flush=True)
        parser = Parser(prog="neuronet")
        train_command.add_parser(parser.add_subparsers())
        options = ["train", "--model", "lenet5", "--dataset", config["dataset"], "--epochs",
                   str(config["classifier_epochs"]), "--out", str(folder)]
        train_command.run(parser.parse_args(options + ([] if progress else ["--no-progress"])))
    classifier_config, model = load_trained_model(folder)
    if classifier_config["dataset"] != config["dataset"]:
        raise ValueError(f"the classifier in {folder} was trained on "
                         f"{classifier_config['dataset']!r}, the GAN on {config['dataset']!r}")
    return FeatureClassifier(model)


def run(args):
    folder, config, fresh = train_command.prepare(args, new_config, GAN_TRAINING_KEYS)
    manual_seed(config["seed"])
    x, y = training_images(config)
    loader = DataLoader(TensorDataset(x, y), config["batch_size"], shuffle=True,
                        generator=config["seed"], num_workers=args.workers)
    gan = build_gan_from_config(config)
    scorer = None
    if config["score_samples"]:
        x_test = get_dataset_spec(config["dataset"]).load("test")[0]
        scorer = GANScorer(reference_classifier(config, args.progress), x_test,
                           config["score_samples"], seed=config["seed"])
    callbacks = [ModelCheckpoint(folder / "checkpoint", save_best=scorer is not None,
                                 monitor="fcd", mode="min", config=config),
                 CSVLogger(folder / "history.csv"), SampleGrids(folder / "samples"),
                 GANCurves(folder / "curves.png")]
    trainer = GANTrainer(gan, config["lr"], (config["beta1"], 0.999),
                         label_smoothing=config["label_smoothing"], scorer=scorer,
                         eval_samples=10 * len(config["classes"]) if gan.conditional else 64,
                         eval_seed=config["seed"], callbacks=callbacks, progress=args.progress)
    start, history = 0, None
    if not fresh:
        state = load_checkpoint(folder / "checkpoint" / "last", gan, trainer.optimizer,
                                loader=loader)
        start, history = state["epoch"], state["history"]
        if start >= config["epochs"]:
            raise ValueError(f"{folder} has already trained {start} epochs; pass --epochs N "
                             f"with N > {start} to continue it")
    folder.mkdir(parents=True, exist_ok=True)
    write_json(folder / CONFIG, config)  # first, so that a run stopped early can be resumed
    print(f"training {config['model']} on {len(x):,} {config['dataset']} images: epochs "
          f"{start + 1}-{config['epochs']}, run folder {folder}", flush=True)
    started = time.perf_counter()
    try:
        history = trainer.fit(loader, config["epochs"], start, history)
    except PlotsUnavailable as e:
        raise ImportError(f"train-gan writes sample grids and curves: {e}") from None
    seconds = time.perf_counter() - started
    save_state_dict(gan.state_dict(), folder / WEIGHTS)
    report = final_scores(gan, scorer, config) if scorer is not None else {}
    write_json(folder / "metrics.json", {
        **report, "epochs": len(history), "train_seconds": seconds,
        "last_epoch": {name: history.last(name) for name in history.history},
    })
    rows = [(name, history.last(name)) for name in ("d_loss", "g_loss", "d_real", "d_fake",
                                                    "fcd", "class_accuracy")
            if history.last(name) is not None]
    rows += [(name, report[name]) for name in ("fcd_floor", "mode_entropy") if name in report]
    print(table(rows + [("epochs", len(history)), ("training time", f"{seconds:.1f} s")],
                header=("metric", "value")))
    print(f"run folder: {folder}")
    return 0


def final_scores(gan, scorer, config):
    """The end-of-run scores: FCD floor, per-class accuracy (conditional), mode coverage."""
    x_train = get_dataset_spec(config["dataset"]).load("train")[0]
    classes = len(config["classes"])
    coverage = scorer.mode_coverage(gan, classes, MODE_COVERAGE_SAMPLES)
    report = {"fcd_floor": scorer.floor(x_train, config["seed"]),
              "mode_histogram": coverage["histogram"].tolist(),
              "mode_entropy": coverage["entropy"], "mode_max_entropy": coverage["max_entropy"],
              "mode_classes_covered": coverage["classes_covered"]}
    if gan.conditional:
        report["per_class_accuracy"] = scorer.class_accuracy(gan).tolist()
    return report
