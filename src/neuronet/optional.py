"""Importing an optional dependency with an error that says how to install it.

    pil = import_optional("PIL.Image", "neuronet predict", "pip install neuronet[plot]")

neuronet's core needs only NumPy; plotting, scikit-learn's bundled data and MNIST-1D are
extras, imported where they are used, so that a missing one fails only the feature it serves.
"""

import importlib


def import_optional(module, who, install, error=ImportError):
    """`importlib.import_module(module)`, or `error` (an ImportError subclass) saying that
    `who` needs it and which `install` command to run."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise error(
            f"{who} needs the optional package '{module}', which could not be imported "
            f"({e}). Install it with: {install}"
        ) from e
