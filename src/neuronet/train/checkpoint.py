"""Checkpoints: everything needed to resume training bit for bit, in one folder, no pickle.

    save_checkpoint("runs/a/checkpoint/last", model, opt, sched, epoch=5, history=history,
                    loader=train_loader, config={"model": "mlp", "sizes": [784, 256, 10]})
    info = load_checkpoint("runs/a/checkpoint/last", model, opt, sched, loader=train_loader)
    fit(model, train_loader, ..., epochs=10, start_epoch=info["epoch"], history=info["history"])

The folder holds
    model.safetensors   the weights, keys = model.state_dict() keys (PyTorch reads it as is)
    optimizer.npz       the optimizer's state arrays (keys "state.<param index>.<name>")
    optimizer.json      the rest of optimizer.state_dict(): hyper-parameters, step counts
    scheduler.json      scheduler.state_dict()
    history.json        History.to_dict()
    checkpoint.json     the manifest, written last: epoch, RNG states (the global generator,
                        the training loader's generator), config, extra, and the size and
                        SHA-256 of every other file

Atomicity: the files are written (each atomically) into a hidden sibling folder, which then
takes the checkpoint's name by rename; an older checkpoint of the same name is first renamed
aside and deleted only after the switch. A crash at any point leaves either the old or the new
checkpoint loadable (if it strikes between the two renames, the next save or load renames the
old one back). Loading verifies each file's size and checksum, so a truncated or corrupted file
gives a CorruptFileError naming it.
"""

import hashlib
import os
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from neuronet.io import (
    FOLDER_MODE,
    CorruptFileError,
    fsync_dir,
    json_bytes,
    npz_bytes,
    parse_json,
    parse_npz,
    parse_state_dict,
    read_bytes,
    state_dict_bytes,
    write_bytes,
)
from neuronet.random import get_rng_state, set_rng_state
from neuronet.train.history import History

MANIFEST = "checkpoint.json"
FORMAT = "neuronet-checkpoint"
VERSION = 1


class CheckpointError(ValueError):
    """A folder is not a (complete) checkpoint, or lacks what the caller asked to restore."""


# ----- saving -------------------------------------------------------------------------------
def save_checkpoint(folder, model, optimizer=None, scheduler=None, *, epoch, history=None,
                    config=None, extra=None, loader=None):
    """Write a checkpoint of the training state to `folder` (replacing one already there).

    epoch: the number of completed epochs (resume with `fit(..., start_epoch=epoch)`).
    history: a History; config: the model's configuration (JSON-able), to rebuild it;
    extra: any other JSON-able data; loader: the training DataLoader, whose shuffling
    generator state is saved (when it has its own generator).
    Returns the checkpoint folder as a Path.
    """
    files = {"model.safetensors": state_dict_bytes(model.state_dict())}
    if optimizer is not None:
        arrays, structure = _split_optimizer_state(optimizer.state_dict())
        files["optimizer.npz"] = npz_bytes(arrays)
        files["optimizer.json"] = json_bytes(structure)
    if scheduler is not None:
        files["scheduler.json"] = json_bytes(scheduler.state_dict())
    if history is not None:
        files["history.json"] = json_bytes(history.to_dict())
    generator = _loader_generator(loader)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "epoch": int(epoch),
        "rng": {"global": get_rng_state(),
                "loader": None if generator is None else generator.bit_generator.state},
        "config": config,
        "extra": extra,
        "files": {name: {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                  for name, data in files.items()},
    }
    files[MANIFEST] = json_bytes(manifest)  # last: a folder without it is not a checkpoint
    folder = Path(folder).absolute()
    folder.parent.mkdir(parents=True, exist_ok=True)
    _recover(folder)
    if folder.exists() and not (folder / MANIFEST).is_file() and any(folder.iterdir()):
        raise CheckpointError(
            f"save_checkpoint: {folder} exists and is not a checkpoint; refusing to replace it "
            "(give a folder of its own, e.g. <run>/checkpoint)"
        )
    _write_folder(folder, files)
    return folder


def _write_folder(folder, files):
    """Write `files` (name -> bytes) into a fresh hidden folder, then switch it in by rename."""
    parent, name = folder.parent, folder.name
    # left by a crash during an earlier save (`_recover` already used an .old one if needed)
    for stale in [*parent.glob(f".{name}.tmp-*"), *parent.glob(f".{name}.old-*")]:
        shutil.rmtree(stale, ignore_errors=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{name}.tmp-"))
    os.chmod(tmp, FOLDER_MODE)
    old = parent / f".{name}.old-{os.getpid()}-{time.time_ns()}"
    try:
        for file_name, data in files.items():
            write_bytes(tmp / file_name, data)
        fsync_dir(tmp)
        if folder.exists():
            os.rename(folder, old)
        os.rename(tmp, folder)
        fsync_dir(parent)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old.exists() and not folder.exists():
            os.rename(old, folder)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _recover(folder):
    """If a save died between its two renames, rename the previous checkpoint back."""
    if folder.exists():
        return
    backups = sorted(folder.parent.glob(f".{folder.name}.old-*"), key=lambda p: p.stat().st_mtime)
    complete = [b for b in backups if (b / MANIFEST).is_file()]
    if complete:
        os.rename(complete[-1], folder)
        fsync_dir(folder.parent)


def _split_optimizer_state(state_dict):
    """(arrays for the .npz, the rest for JSON with {"npz": key} where each array was)."""
    arrays, state = {}, {}
    for index, entries in state_dict["state"].items():
        state[str(index)] = {}
        for name, value in entries.items():
            if isinstance(value, np.ndarray):
                key = f"state.{index}.{name}"
                arrays[key] = value
                value = {"npz": key}
            state[str(index)][name] = value
    return arrays, {"state": state, "param_groups": state_dict["param_groups"]}


def _join_optimizer_state(arrays, structure, folder):
    state = {}
    for index, entries in structure["state"].items():
        state[index] = {}
        for name, value in entries.items():
            if isinstance(value, dict):
                if value.get("npz") not in arrays:
                    raise CorruptFileError(
                        f"{folder / 'optimizer.npz'}: lacks the array {value.get('npz')!r} that "
                        "optimizer.json refers to"
                    )
                value = arrays[value["npz"]]
            state[index][name] = value
    return {"state": state, "param_groups": structure["param_groups"]}


def _loader_generator(loader):
    """The loader's own numpy Generator, or None (no loader, or it uses the global one)."""
    generator = getattr(loader, "generator", None)
    return generator if isinstance(generator, np.random.Generator) else None


# ----- loading ------------------------------------------------------------------------------
def read_manifest(folder):
    """The manifest of checkpoint `folder` (checked to be one of ours)."""
    folder = Path(folder).absolute()
    _recover(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no checkpoint folder at {folder}")
    path = folder / MANIFEST
    if not path.is_file():
        raise CheckpointError(
            f"{folder} is not a complete checkpoint: it has no {MANIFEST} (the manifest written "
            "last), so it is not a checkpoint or its save never finished"
        )
    manifest = parse_json(read_bytes(path), path)
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise CheckpointError(f"{path} is not a neuronet checkpoint manifest")
    if manifest.get("version") != VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format version {manifest.get('version')!r}, this neuronet "
            f"reads version {VERSION}"
        )
    return manifest


def _read_verified(folder, name, info):
    """The bytes of file `name`, checked against the size and SHA-256 in the manifest."""
    path = folder / name
    if not path.is_file():
        raise CheckpointError(f"checkpoint {folder}: {name}, listed in {MANIFEST}, is missing")
    data = read_bytes(path)
    if len(data) != info["bytes"]:
        raise CorruptFileError(
            f"{path}: truncated or damaged: {len(data)} bytes, the checkpoint wrote {info['bytes']}"
        )
    if hashlib.sha256(data).hexdigest() != info["sha256"]:
        raise CorruptFileError(f"{path}: corrupted: its SHA-256 differs from the one saved with it")
    return data


def load_checkpoint(folder, model, optimizer=None, scheduler=None, *, loader=None,
                    restore_rng=True):
    """Restore a checkpoint written by `save_checkpoint` into the given objects.

    model: its weights are replaced (a different architecture raises the model's
    StateDictError listing the mismatched keys, and nothing is loaded). optimizer, scheduler,
    loader: restored too when given (the checkpoint must hold their state). restore_rng: also
    restore the global random generator (dropout, default shuffling), as needed to resume.
    Returns {"epoch", "history" (History or None), "config", "extra", "path"}.
    """
    folder = Path(folder).absolute()
    manifest = read_manifest(folder)
    files = manifest["files"]
    wanted = ["model.safetensors"]
    for name, needed, what in (("optimizer.json", optimizer, "optimizer"),
                               ("scheduler.json", scheduler, "scheduler")):
        if needed is not None and name not in files:
            raise CheckpointError(f"checkpoint {folder} holds no {what} state")
    if optimizer is not None:
        wanted += ["optimizer.json", "optimizer.npz"]
    if scheduler is not None:
        wanted.append("scheduler.json")
    if "history.json" in files:
        wanted.append("history.json")
    data = {name: _read_verified(folder, name, files[name]) for name in wanted}
    generator = _loader_generator(loader)
    saved_loader = manifest["rng"]["loader"]
    if loader is not None and (generator is None) != (saved_loader is None):
        raise CheckpointError(
            f"checkpoint {folder}: the loader given "
            + ("has no generator of its own but one was saved" if generator is None else
               "has its own generator but none was saved (save_checkpoint(..., loader=...))")
        )
    try:
        model.load_state_dict(parse_state_dict(data["model.safetensors"],
                                               folder / "model.safetensors"))
        if optimizer is not None:
            arrays = parse_npz(data["optimizer.npz"], folder / "optimizer.npz")
            structure = parse_json(data["optimizer.json"], folder / "optimizer.json")
            optimizer.load_state_dict(_join_optimizer_state(arrays, structure, folder))
        if scheduler is not None:
            scheduler.load_state_dict(parse_json(data["scheduler.json"], folder / "scheduler.json"))
    except (ValueError, TypeError) as error:
        error.add_note(f"(while loading checkpoint {folder})")
        raise
    if generator is not None:
        generator.bit_generator.state = saved_loader
    if restore_rng:
        set_rng_state(manifest["rng"]["global"])
    history = None
    if "history.json" in data:
        history = History.from_dict(parse_json(data["history.json"], folder / "history.json"))
    return {"epoch": manifest["epoch"], "history": history, "config": manifest["config"],
            "extra": manifest["extra"], "path": folder}
