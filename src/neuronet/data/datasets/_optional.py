"""Importing an optional dependency with an error that says how to install it."""

import importlib


def import_optional(module, who, install):
    """`importlib.import_module(module)`, or ImportError telling what `install` command to run."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        raise ImportError(
            f"{who} needs the optional package '{module}', which could not be imported "
            f"({e}). Install it with: {install}"
        ) from e
