"""`neuronet train-lm`: train a character-level language model on the English word list."""

import time

from neuronet.cli.common import add_option, choice, integer, number, table
from neuronet.cli.run import EVAL_BATCH_SIZE, WEIGHTS
from neuronet.cli.train import (
    add_optimizer_options,
    add_run_options,
    prepare,
    set_up_training,
)
from neuronet.data import DataLoader
from neuronet.data.datasets.words import WORDS_FILE, Words, read_word_list
from neuronet.data.vocabulary import Vocabulary
from neuronet.io import save_state_dict, write_json
from neuronet.models.charlm import CharLM, MaskedCrossEntropyLoss, sample_words
from neuronet.models.rnn import RECURRENT_LAYERS
from neuronet.random import manual_seed
from neuronet.train import CSVLogger, ModelCheckpoint, evaluate, fit
from neuronet.train.language import LanguageModelMetrics, language_metrics
from neuronet.viz import PlotsUnavailable, plot_history

DESCRIPTION = f"""\
Train a character-level language model (embedding -> LSTM/GRU/RNN -> linear) on the words of
{WORDS_FILE} (Debian package wamerican), by teacher forcing with a
cross-entropy that ignores the padding. Each epoch reports the validation loss (nats per
character), perplexity and bits per character; the end reports them on the test words and
samples a few new words.

The words are split once, by --seed, into training, validation and test words. The run folder
(--out) receives config.json (with the vocabulary), model.safetensors, metrics.json,
history.csv, checkpoint/ (last epoch, best validation loss) and curves.png.

examples:
  neuronet train-lm --out runs/words                  # LSTM 128, 6 epochs: 2.80 bits/char
  neuronet train-lm --kind gru --hidden 128 --bptt 5 --grad-clip 1 --out runs/words-gru
  neuronet train-lm --resume runs/words --epochs 15   # continue that run up to epoch 15
  neuronet generate runs/words --n 20 --temperature 0.8 --seed 0
"""

LM_MODEL_KEYS = ("model", "model_config", "dataset", "vocabulary")
LM_TRAINING_KEYS = ("epochs", "batch_size", "optimizer", "lr", "lr_schedule", "momentum",
                    "weight_decay", "seed", "val_fraction", "test_fraction", "grad_clip",
                    "words_file")
SAMPLES = 10  # words sampled into metrics.json at the end of training


def add_parser(commands):
    p = commands.add_parser("train-lm", help="train a character-level language model on words",
                            description=DESCRIPTION)
    add_option(p, "--kind", default="lstm", type=choice("kind", lambda: sorted(RECURRENT_LAYERS)),
               help="recurrent layer (gru, lstm, or rnn: the Elman tanh network)")
    add_option(p, "--embedding-dim", default=32, type=integer(1), help="size of a character's "
               "embedding vector")
    add_option(p, "--hidden", default=128, type=integer(1), help="hidden units per layer")
    add_option(p, "--layers", default=1, type=integer(1), help="stacked recurrent layers")
    add_option(p, "--dropout", default=0.0, type=number(0, 1, include_low=True),
               help="dropout between stacked recurrent layers")
    add_option(p, "--bptt", default=0, type=integer(0),
               help="truncated backpropagation through time: detach the carried state every "
                    "this many steps (0 = through the whole word)")
    add_option(p, "--grad-clip", default=1.0, type=number(0, include_low=True),
               help="clip the total gradient norm to this (0 = no clipping)")
    add_option(p, "--epochs", default=6, type=integer(1),
               help="total number of epochs (with --resume: train up to this epoch)")
    add_option(p, "--batch-size", default=128, type=integer(1), help="words per training step")
    add_optimizer_options(p, lr=3e-3)
    add_option(p, "--seed", default=0, type=integer(0),
               help="seed of the word split, the weights and the shuffling")
    add_option(p, "--val-fraction", default=0.1, type=number(0, 1), help="fraction of the "
               "words held out for validation")
    add_option(p, "--test-fraction", default=0.1, type=number(0, 1), help="fraction of the "
               "words held out for the final test")
    add_option(p, "--words-file", default=WORDS_FILE, help="the word list, one word a line")
    add_run_options(p)
    p.set_defaults(run=run, model="charlm", dataset="words")


def new_config(args):
    """The config.json of a new run, from the parsed options (the vocabulary comes from the
    word list, so that `neuronet generate` needs nothing else)."""
    vocabulary = Vocabulary.from_texts(read_word_list(args.words_file))
    return {
        "model": "charlm", "dataset": "words", "words_file": str(args.words_file),
        "vocabulary": list(vocabulary.chars),
        "model_config": {"vocab_size": len(vocabulary), "embedding_dim": args.embedding_dim,
                         "hidden_size": args.hidden, "kind": args.kind,
                         "num_layers": args.layers, "dropout": args.dropout,
                         "bptt": args.bptt or None},
        "epochs": args.epochs, "batch_size": args.batch_size, "optimizer": args.optimizer,
        "lr": args.lr, "lr_schedule": args.lr_schedule, "momentum": args.momentum,
        "weight_decay": args.weight_decay, "grad_clip": args.grad_clip, "seed": args.seed,
        "val_fraction": args.val_fraction, "test_fraction": args.test_fraction,
    }


def build_language_model(config):
    """A fresh CharLM as described by a train-lm run's config."""
    if config["model"] != "charlm":
        raise ValueError(f"the run holds a {config['model']!r} model, not a language model "
                         "(neuronet train-lm makes one)")
    return CharLM(**config["model_config"])


def splits(config):
    """{"train", "validation", "test"}: the run's Words splits; ValueError when the word list
    no longer gives the vocabulary the run was trained with."""
    sets = {name: Words(name, config["words_file"], config["val_fraction"],
                        config["test_fraction"], config["seed"])
            for name in ("train", "validation", "test")}
    if sets["train"].vocabulary != Vocabulary(config["vocabulary"]):
        raise ValueError(f"the word list {config['words_file']} has other characters than the "
                         "run's vocabulary; it changed since the run started")
    return sets


def run(args):
    folder, config, fresh = prepare(args, new_config, LM_TRAINING_KEYS, LM_MODEL_KEYS)
    manual_seed(config["seed"])
    words = splits(config)
    train_loader = DataLoader(words["train"], config["batch_size"], shuffle=True,
                              generator=config["seed"], num_workers=args.workers)
    val_loader = DataLoader(words["validation"], EVAL_BATCH_SIZE)
    model = build_language_model(config)
    optimizer, scheduler, start, history = set_up_training(folder, config, fresh, model,
                                                           train_loader)
    callbacks = [LanguageModelMetrics(),
                 ModelCheckpoint(folder / "checkpoint", monitor="val_loss", config=config),
                 CSVLogger(folder / "history.csv")]
    loss_fn = MaskedCrossEntropyLoss()
    print(f"training a {config['model_config']['kind']} language model on "
          f"{len(words['train']):,} words: epochs {start + 1}-{config['epochs']}, run folder "
          f"{folder}", flush=True)
    started = time.perf_counter()
    history = fit(model, train_loader, loss_fn, optimizer, config["epochs"], val_data=val_loader,
                  metrics=(), callbacks=callbacks, scheduler=scheduler,
                  grad_clip=config["grad_clip"] or None, progress=args.progress,
                  start_epoch=start, history=history)
    seconds = time.perf_counter() - started
    save_state_dict(model.state_dict(), folder / WEIGHTS)
    test_loss = evaluate(model, DataLoader(words["test"], EVAL_BATCH_SIZE), loss_fn, ())["loss"]
    report = {split: {"loss": loss, **language_metrics(loss)}
              for split, loss in (("validation", history.last("val_loss")), ("test", test_loss))}
    samples = sample_words(model, words["train"].vocabulary, SAMPLES, temperature=0.8,
                           generator=config["seed"])
    write_json(folder / "metrics.json", {**report, "samples_temperature_0.8": samples,
                                         "epochs": len(history), "train_seconds": seconds})
    try:
        plot_history(history, folder / "curves.png")
    except PlotsUnavailable as e:
        print(f"plots skipped: {e}")
    rows = [(f"{split} {name}", values[name]) for split, values in report.items()
            for name in ("loss", "perplexity", "bpc")]
    print(table(rows + [("epochs", len(history)), ("training time", f"{seconds:.1f} s")],
                header=("metric", "value")))
    print(f"samples (temperature 0.8): {' '.join(samples)}")
    print(f"run folder: {folder}")
    return 0
