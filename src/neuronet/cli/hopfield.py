"""`neuronet hopfield recall|capacity`: a Hopfield network as a memory of images, its capacity."""

import argparse

import numpy as np

from neuronet.classic import Hopfield, capacity_curve, to_bipolar
from neuronet.cli.arrays import flat_split, output_folder
from neuronet.cli.common import (
    add_dataset_option,
    add_option,
    choice,
    fill_defaults,
    integer,
    number,
    table,
)
from neuronet.cli.plots import draw_or_advise
from neuronet.io import write_json
from neuronet.viz.hopfield import plot_capacity
from neuronet.viz.images import plot_image_grid

RULES = ("hebbian", "storkey")
UPDATES = ("async", "sync")

RECALL = """\
Store images in a Hopfield network and recall them from corrupted probes.

The patterns are the mean images of the chosen classes of a dataset's training split,
made bipolar (+1 where a pixel is darker than the image's mean, else -1): one neuron per
pixel. Each pattern is probed --probes times with a fraction --noise of its pixels flipped
(and the last --occlude fraction of them, the bottom rows of an image, set to -1); a probe
counts as recalled when the network settles on a state whose overlap with the stored
pattern (mean of s * x) is at least --min-overlap. Class means are correlated, which is
hard for the Hebbian rule; Storkey's rule copes better.

The output folder (--out) receives recall.json (rates per rule and class, sweeps, end
states) and recall.png (stored patterns, one probe each, what each rule recalled).

examples:
  neuronet hopfield recall
  neuronet hopfield recall --noise 0.25 --occlude 0.3 --rules storkey
  neuronet hopfield recall --dataset fashion-mnist --classes 1,5,8 --update sync
"""

CAPACITY = """\
How many random patterns a Hopfield network of N neurons can store: for each load P/N,
--trials networks store P random +1/-1 patterns and recall each from a probe with a
fraction --noise of its bits flipped; recalled = overlap >= 0.95 with the pattern. Hebbian
recall collapses near P = 0.14 N; Storkey's rule holds out further.

The output folder (--out) receives capacity.json and capacity.png (rate against load).

examples:
  neuronet hopfield capacity
  neuronet hopfield capacity --neurons 200 --loads 0.1,0.14,0.2 --trials 10
"""


def _numbers(kind, low, high):
    """An argparse type: a comma-separated list of kind(...) values in [low, high]."""
    def parse(text):
        try:
            values = [kind(v) for v in text.split(",")]
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected a comma-separated list of numbers, got {text!r}") from None
        if not all(low <= v <= high for v in values):
            raise argparse.ArgumentTypeError(
                f"every value must be in [{low}, {high}], got {text!r}")
        return values
    return parse


def _rules(text):
    rules = text.split(",")
    bad = [r for r in rules if r not in RULES]
    if bad:
        raise argparse.ArgumentTypeError(
            f"unknown rule {bad[0]!r}; the rules are: {', '.join(RULES)}")
    return rules


def add_parser(commands):
    p = commands.add_parser("hopfield", help="Hopfield memory: recall images, capacity sweep",
                            description="A Hopfield network: an associative memory of +1/-1 "
                                        "patterns. 'neuronet hopfield ACTION --help' explains "
                                        "each action.")
    actions = p.add_subparsers(dest="action", metavar="ACTION", title="actions")
    recall = actions.add_parser("recall", help="store class-mean images, recall them from "
                                "noisy or occluded probes", description=RECALL)
    add_dataset_option(recall, "digits", "dataset whose class means are stored")
    add_option(recall, "--classes", default="0,2,4,5", type=_numbers(int, 0, 10**6),
               help="classes whose mean images are stored, comma-separated (digits 0, 2, 4, 5 "
                    "are the least alike)")
    add_option(recall, "--noise", default=0.15, type=number(0, 1, include_low=True),
               help="fraction of each probe's pixels flipped at random")
    add_option(recall, "--occlude", default=0.0, type=number(0, 1, include_low=True),
               help="fraction of each probe's last pixels (an image's bottom rows) set to -1")
    add_option(recall, "--probes", default=10, type=integer(1), help="probes per pattern")
    add_option(recall, "--min-overlap", default=0.95, type=number(0, 1),
               help="overlap with the stored pattern that counts as recalled")
    _common(recall)
    recall.set_defaults(run=run_recall)

    capacity = actions.add_parser("capacity", help="recall rate of random patterns against "
                                  "the load P/N", description=CAPACITY)
    add_option(capacity, "--neurons", default=100, type=integer(2), help="neurons N")
    add_option(capacity, "--loads", default="0.05,0.1,0.14,0.2,0.3,0.4,0.5",
               type=_numbers(float, 0, 1), help="loads P/N, comma-separated, each in [0, 1]")
    add_option(capacity, "--trials", default=5, type=integer(1), help="networks per load")
    add_option(capacity, "--noise", default=0.0, type=number(0, 1, include_low=True),
               help="fraction of each probe's bits flipped (0: recall from the pattern itself)")
    _common(capacity)
    capacity.set_defaults(run=run_capacity)
    p.set_defaults(run=lambda args: p.error("choose an action: recall or capacity"))


def _common(p):
    add_option(p, "--rules", default="hebbian,storkey", type=_rules,
               help=f"learning rules to compare, comma-separated ({', '.join(RULES)})")
    add_option(p, "--update", default="async", type=choice("update", lambda: UPDATES),
               help="async: one neuron at a time in random order (energy never rises); sync: "
                    "all at once (may end in a 2-cycle)")
    add_option(p, "--seed", default=0, type=integer(0), help="seed of the probes and updates")
    p.add_argument("--out", help="output folder (default: runs/hopfield-NAME-TIME)")


def _class_patterns(args):
    """(K, N) bipolar class-mean images, the spec, and the image shape or None."""
    x, y, spec = flat_split(args.dataset, "train")
    missing = [c for c in args.classes if c >= spec.num_classes]
    if missing:
        raise ValueError(f"{spec.name} has classes 0-{spec.num_classes - 1}, not {missing}")
    if len(set(args.classes)) != len(args.classes):
        raise ValueError(f"--classes lists a class twice: {args.classes}")
    patterns = to_bipolar(np.stack([x[y == c].mean(0) for c in args.classes]))
    shape = spec.input_shape[1:] if len(spec.input_shape) == 3 else None
    return patterns, spec, shape


def _probes(patterns, args, gen):
    """(K * probes, N) corrupted copies, pattern by pattern, and the (K * probes,) owner."""
    owner = np.repeat(np.arange(len(patterns)), args.probes)
    probes = patterns[owner].copy()
    probes[gen.random(probes.shape) < args.noise] *= -1
    hidden = int(round(args.occlude * patterns.shape[1]))
    if hidden:
        probes[:, patterns.shape[1] - hidden:] = -1
    return probes, owner


def run_recall(args):
    fill_defaults(args)
    patterns, spec, shape = _class_patterns(args)
    gen = np.random.default_rng(args.seed)
    probes, owner = _probes(patterns, args, gen)
    print(f"{len(patterns)} class means of {spec.name} ({', '.join(map(str, args.classes))}) "
          f"stored in {patterns.shape[1]} neurons; {len(probes)} probes with {args.noise:.0%} "
          f"of pixels flipped" + (f", last {args.occlude:.0%} hidden" if args.occlude else ""))
    report, rows, shown = {}, [], [patterns, probes[::args.probes]]
    for rule in args.rules:
        net = Hopfield(rule, args.update, random_state=args.seed).fit(patterns)
        states, steps, status = net.recall(probes, return_status=True)
        recalled = (states * patterns[owner]).mean(axis=1) >= args.min_overlap
        fixed = (net.recall(patterns)[0] == patterns).all(axis=1)
        report[rule] = {
            "recall_rate": float(recalled.mean()),
            "by_class": {str(c): float(recalled[owner == k].mean())
                         for k, c in enumerate(args.classes)},
            "stored_fixed_points": int(fixed.sum()), "mean_steps": float(steps.mean()),
            "end_states": {s: status.count(s) for s in sorted(set(status))},
        }
        rows.append((rule, float(recalled.mean()), f"{fixed.sum()}/{len(patterns)}",
                     float(steps.mean()), ", ".join(f"{n} {s}" for s, n in
                                                    report[rule]["end_states"].items())))
        shown.append(states[::args.probes])
    folder = output_folder(args.out, "hopfield-recall", args.dataset)
    write_json(folder / "recall.json", {"settings": _settings(args), "rules": report})
    drawn = shape is None or draw_or_advise(lambda: plot_image_grid(
        shown, folder / "recall.png", ["stored", "probe", *args.rules], shape,
        f"Hopfield recall of {spec.name} class means ({patterns.shape[1]} neurons)"))
    print(table(rows, header=("rule", "recall rate", "stored are fixed points", "mean sweeps",
                              "end states")))
    print(f"output folder: {folder}" + ("" if drawn else " (plots skipped)"))
    return 0


def run_capacity(args):
    fill_defaults(args)
    counts = sorted({max(1, round(load * args.neurons)) for load in args.loads})
    loads = [p / args.neurons for p in counts]
    print(f"capacity of {args.neurons} neurons: {args.trials} networks per load, probes with "
          f"{args.noise:.0%} of bits flipped, recalled = overlap >= 0.95", flush=True)
    rates = {rule: capacity_curve(args.neurons, counts, rule, trials=args.trials,
                                  noise=args.noise, random_state=args.seed)
             for rule in args.rules}
    folder = output_folder(args.out, "hopfield-capacity", f"N{args.neurons}")
    write_json(folder / "capacity.json", {
        "settings": _settings(args), "patterns": counts, "loads": loads,
        "recall_rate": {rule: r.tolist() for rule, r in rates.items()}})
    drawn = draw_or_advise(lambda: plot_capacity(loads, rates, folder / "capacity.png",
                                                  args.neurons))
    print(table([(f"{load:.3f}", p, *(float(rates[r][i]) for r in args.rules))
                 for i, (load, p) in enumerate(zip(loads, counts))],
                header=("P/N", "patterns", *args.rules)))
    print(f"output folder: {folder}" + ("" if drawn else " (plots skipped)"))
    return 0


def _settings(args):
    """The options of the run, as given or defaulted."""
    return {name: getattr(args, name) for name in args._defaults}
