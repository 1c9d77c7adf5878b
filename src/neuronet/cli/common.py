"""What the sub-commands share: the argument parser, number checks, tables, errors."""

import argparse
import math
import textwrap

from neuronet.data.registry import dataset_names
from neuronet.models.registry import model_names


class UsageError(Exception):
    """A bad command line; main() prints its one-line message and exits with status 2."""


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Descriptions kept as written; option help wrapped without breaking names at hyphens
    ("fashion-mnist" stays whole)."""

    def _split_lines(self, text, width):
        return textwrap.wrap(" ".join(text.split()), width, break_on_hyphens=False)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line ("what is wrong; see --help"), raised as
    UsageError instead of printing the usage block and exiting."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("formatter_class", HelpFormatter)
        super().__init__(*args, **kwargs)

    def error(self, message):
        raise UsageError(f"{self.prog}: error: {message} (see '{self.prog} --help')")


def add_option(parser, *flags, default, help, **kwargs):
    """Add an option whose help ends with its default; the parsed value stays None when the
    option is not given (so a command can tell what was given), `fill_defaults` fills it in.
    A string default goes through the option's type, as argparse does with defaults."""
    action = parser.add_argument(*flags, default=None, help=f"{help} (default: {default})",
                                 **kwargs)
    defaults = dict(parser.get_default("_defaults") or {})
    typed = isinstance(default, str) and action.type is not None
    defaults[action.dest] = action.type(default) if typed else default
    parser.set_defaults(_defaults=defaults)


def add_dataset_option(parser, default, what="dataset"):
    """--dataset NAME, one of the registered datasets (listed in the help)."""
    add_option(parser, "--dataset", default=default, type=choice("dataset", dataset_names),
               help=f"{what} ({', '.join(dataset_names())}; see 'neuronet data list')")


def add_model_option(parser, default="mlp"):
    """--model NAME, one of the zoo's registered models (listed in the help)."""
    add_option(parser, "--model", default=default, type=choice("model", model_names),
               help=f"model of the zoo ({', '.join(model_names())}; see 'neuronet models')")


def given_options(args):
    """The names of the `add_option` options given on the command line."""
    return {name for name in args._defaults if getattr(args, name) is not None}


def fill_defaults(args):
    """Replace every option left at None by its default."""
    for name, default in args._defaults.items():
        if getattr(args, name) is None:
            setattr(args, name, default)
    return args


def integer(low):
    """An argparse type: an integer >= low."""
    def parse(text):
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be an integer >= {low}, got {value}")
        return value
    return parse


def number(low, high=math.inf, include_low=False):
    """An argparse type: a finite float in (low, high) (or [low, high) with include_low)."""
    def parse(text):
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
        inside = (value >= low if include_low else value > low) and value < high
        if not math.isfinite(value) or not inside:
            interval = f"{'[' if include_low else '('}{low:g}, {high:g})"
            raise argparse.ArgumentTypeError(f"must be a number in {interval}, got {text}")
        return value
    return parse


def choice(what, names):
    """An argparse type: one of `names()` (a callable, so later registrations count)."""
    def parse(text):
        if text not in names():
            raise argparse.ArgumentTypeError(
                f"unknown {what} {text!r}; the {what}s are: {', '.join(names())}"
            )
        return text
    return parse


def table(rows, header=None):
    """Rows of cells as aligned text columns (numbers right-aligned), with an optional header."""
    rows = [[_cell(c) for c in row] for row in ([header] if header else []) + list(rows)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = ["  ".join(c.rjust(w) if _is_number(c) else c.ljust(w)
                       for c, w in zip(row, widths)).rstrip() for row in rows]
    if header:
        lines.insert(1, "-" * len(max(lines, key=len)))
    return "\n".join(lines)


def _cell(value):
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def _is_number(text):
    try:
        float(text.replace(",", ""))
    except ValueError:
        return False
    return True
