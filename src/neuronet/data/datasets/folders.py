"""Where dataset files are looked for, shared by the readers."""

import os
from pathlib import Path


def search_folders(name, root=None):
    """The folders to look in for dataset `name`, in order: `root` (if given),
    `$NEURONET_DATA/<name>` (if set), `~/.cache/neuronet/<name>`."""
    folders = [Path(root)] if root is not None else []
    if os.environ.get("NEURONET_DATA"):
        folders.append(Path(os.environ["NEURONET_DATA"]) / name)
    folders.append(Path.home() / ".cache" / "neuronet" / name)
    return folders
