"""Files without pickle, written atomically: safetensors weights, JSON, `.npz` arrays.

    neuronet.io.save_state_dict(model.state_dict(), "model.safetensors")
    model.load_state_dict(neuronet.io.load_state_dict_file("model.safetensors"))

The safetensors file has the `state_dict()` keys, so PyTorch reads it directly
(`safetensors.torch.load_file`) into the torch twin of the model.

Every write goes to a temporary file in the destination folder, is flushed and fsynced, then
`os.replace`d over the destination: a crash leaves either the old file or the new one, never a
half-written one. Reading a damaged file raises `CorruptFileError` naming the file.
"""

import contextlib
import io
import json
import os
import tempfile
import zipfile

import numpy as np
import safetensors
import safetensors.numpy

from neuronet.autograd.tensor import Tensor


def _process_umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


# tempfile makes private (0600/0700) files; what we write gets the usual permissions instead
FILE_MODE = 0o666 & ~_process_umask()
FOLDER_MODE = 0o777 & ~_process_umask()


class CorruptFileError(ValueError):
    """A file we wrote cannot be read back: truncated, corrupted or not in the expected format."""


def fsync_dir(folder):
    """Make a rename or a new entry inside `folder` durable (POSIX; a no-op where unsupported)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(path):
    """Context manager giving a binary file whose contents replace `path` only on success.

    If the block raises, the temporary file is removed and `path` is untouched.
    """
    path = os.fspath(path)
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(path)}.", suffix=".tmp")
    try:
        os.fchmod(fd, FILE_MODE)
        with os.fdopen(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.remove(tmp)
        raise
    fsync_dir(folder)


def write_bytes(path, data):
    """Write `data` (bytes) to `path` atomically."""
    with atomic_write(path) as f:
        f.write(data)


def read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


# ----- JSON -------------------------------------------------------------------------------
def _json_default(value):
    """NumPy values (e.g. in RNG states) as plain JSON numbers and lists."""
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"cannot write a {type(value).__name__} to JSON")


def json_bytes(obj):
    """`obj` (dicts, lists, numbers, strings; NumPy values converted) as UTF-8 JSON."""
    return (json.dumps(obj, indent=2, default=_json_default) + "\n").encode()


def parse_json(data, name):
    """The object in JSON bytes `data` read from file `name`; CorruptFileError if it is bad."""
    try:
        return json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CorruptFileError(f"{name}: not valid JSON ({error}); the file is damaged") from None


def write_json(path, obj):
    write_bytes(path, json_bytes(obj))


def read_json(path):
    return parse_json(read_bytes(path), path)


# ----- .npz -------------------------------------------------------------------------------
def npz_bytes(arrays):
    """A dict name -> ndarray as an uncompressed `.npz` (object arrays are refused)."""
    for name, array in arrays.items():
        if np.asarray(array).dtype == object:
            raise TypeError(f"npz: array {name!r} has dtype object, which would need pickle")
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    return buffer.getvalue()


def parse_npz(data, name):
    """The arrays of `.npz` bytes `data` read from file `name`, loaded with allow_pickle=False."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            return {key: npz[key] for key in npz.files}
    except (zipfile.BadZipFile, ValueError, EOFError, OSError) as error:
        raise CorruptFileError(f"{name}: not a readable .npz file ({error})") from None


def write_npz(path, arrays):
    write_bytes(path, npz_bytes(arrays))


def read_npz(path):
    return parse_npz(read_bytes(path), path)


# ----- safetensors ------------------------------------------------------------------------
def _as_array(value, key):
    if isinstance(value, Tensor):
        value = value.data
    array = np.asarray(value)
    if array.dtype == object:
        raise TypeError(f"save_state_dict: entry {key!r} is not numeric ({type(value).__name__})")
    # not np.ascontiguousarray: it turns 0-d arrays (num_batches_tracked) into shape (1,)
    return array if array.flags.c_contiguous else array.copy(order="C")


def state_dict_bytes(state_dict, metadata=None):
    """`state_dict` (name -> Tensor or ndarray) in the safetensors format."""
    arrays = {key: _as_array(value, key) for key, value in state_dict.items()}
    return safetensors.numpy.save(arrays, metadata=metadata)


def parse_state_dict(data, name):
    """The arrays of safetensors bytes `data` read from file `name`, as name -> ndarray
    (sorted by name: the reader's own order varies from run to run)."""
    try:
        arrays = safetensors.numpy.load(data)
    except (safetensors.SafetensorError, ValueError) as error:
        raise CorruptFileError(
            f"{name}: not a readable safetensors file ({error}); it is truncated or damaged"
        ) from None
    return dict(sorted(arrays.items()))


def save_state_dict(state_dict, path, metadata=None):
    """Write `state_dict` (name -> Tensor or ndarray) as a safetensors file, atomically.

    metadata: optional dict of str -> str stored in the file header.
    """
    write_bytes(path, state_dict_bytes(state_dict, metadata))


def load_state_dict_file(path):
    """The arrays of safetensors file `path` as a dict name -> ndarray (for load_state_dict)."""
    return parse_state_dict(read_bytes(path), path)
