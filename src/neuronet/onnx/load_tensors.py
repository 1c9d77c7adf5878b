"""Reading an .onnx file and its tensors without trusting either.

    model = read_model("net.onnx")                  # onnx.ModelProto, external data not read
    array = tensor_to_array(model.graph.initializer[0], folder, "initializer")

`onnx.load` is asked never to follow external-data references: this file resolves them
itself, and refuses an absolute location, one that climbs out of the model's folder ('..'),
one that a symbolic link carries outside it, and anything that is not a regular file, before
opening it. A tensor's declared size is checked against the bytes actually present (raw_data,
the typed value list, or the external file's size) before any array of that size is made, so
a file that declares a huge tensor cannot make us allocate it.
"""

import math
import os
import stat

import numpy as np

_TENSOR_TYPES = {  # ONNX TensorProto data type -> (numpy dtype, field of the typed values)
    1: (np.float32, "float_data"),
    2: (np.uint8, "int32_data"),
    3: (np.int8, "int32_data"),
    5: (np.int16, "int32_data"),
    6: (np.int32, "int32_data"),
    7: (np.int64, "int64_data"),
    9: (np.bool_, "int32_data"),
    10: (np.float16, "int32_data"),  # as uint16 bit patterns
    11: (np.float64, "double_data"),
}
_EXTERNAL = 1  # TensorProto.EXTERNAL


def read_model(path):
    """The onnx.ModelProto stored at `path`; ValueError for bytes that are not an ONNX model."""
    from google.protobuf.message import DecodeError

    import onnx  # optional dependency: only loading a file needs it

    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"onnx.load: no such file {path!r}")
    try:
        model = onnx.load(path, load_external_data=False)
    except (DecodeError, ValueError, RuntimeError) as error:
        raise ValueError(f"onnx.load: {path!r} is not a valid ONNX file ({error})") from None
    if not model.HasField("graph") or not model.graph.output:
        raise ValueError(f"onnx.load: {path!r} is not a valid ONNX file (it holds no graph with "
                         "outputs; truncated or not ONNX?)")
    return model


def type_name(data_type):
    """'FLOAT', 'INT64', ... for a TensorProto data type number ('type 99' if unknown)."""
    import onnx

    try:
        return onnx.TensorProto.DataType.Name(data_type)
    except ValueError:
        return f"type {data_type}"


def numpy_dtype(data_type, what):
    """The numpy dtype of an ONNX data type number, or a ValueError naming `what`."""
    if data_type not in _TENSOR_TYPES:
        supported = ", ".join(type_name(t) for t in _TENSOR_TYPES)
        raise ValueError(f"{what}: data type {type_name(data_type)} is not supported "
                         f"(supported: {supported})")
    return np.dtype(_TENSOR_TYPES[data_type][0])


def tensor_to_array(tensor, folder, what):
    """A TensorProto as a new numpy array of its dims; `folder` holds its external data.

    what: how errors name the tensor's owner, e.g. "initializer" or "node 'conv1' attribute".
    """
    what = f"{what} {tensor.name!r}" if tensor.name else what
    dtype = numpy_dtype(tensor.data_type, what)
    dims = [int(d) for d in tensor.dims]
    if any(d < 0 for d in dims):
        raise ValueError(f"{what}: dims {dims} must not be negative")
    if tensor.HasField("segment"):
        raise ValueError(f"{what}: segmented tensors are not supported")
    count = math.prod(dims)
    nbytes = count * dtype.itemsize
    little = dtype.newbyteorder("<")
    if tensor.data_location == _EXTERNAL:
        raw = _read_external(tensor, folder, nbytes, what)
        return np.frombuffer(raw, little).astype(dtype).reshape(dims)
    if tensor.HasField("raw_data"):
        if len(tensor.raw_data) != nbytes:
            raise ValueError(f"{what}: raw_data holds {len(tensor.raw_data)} bytes, its dims "
                             f"{dims} of {type_name(tensor.data_type)} need {nbytes}")
        return np.frombuffer(tensor.raw_data, little).astype(dtype).reshape(dims)
    values = getattr(tensor, _TENSOR_TYPES[tensor.data_type][1])
    if len(values) != count:
        raise ValueError(f"{what}: holds {len(values)} values, its dims {dims} need {count}")
    if dtype == np.float16:
        return np.array(values, np.uint16).view(np.float16).reshape(dims)
    return np.array(values, dtype).reshape(dims)


def _external_fields(tensor, nbytes, what):
    """(location, offset, length) of an external tensor, each checked."""
    fields = {entry.key: entry.value for entry in tensor.external_data}
    location = fields.get("location", "")
    if not location:
        raise ValueError(f"{what}: external data without a location")
    numbers = {}
    for key, default in (("offset", 0), ("length", nbytes)):
        text = fields.get(key)
        try:
            numbers[key] = default if text is None else int(text)
        except ValueError:
            raise ValueError(f"{what}: external data {key} {text!r} is not an integer") from None
        if numbers[key] < 0:
            raise ValueError(f"{what}: external data {key} {numbers[key]} is negative")
    if numbers["length"] != nbytes:
        raise ValueError(f"{what}: external data length {numbers['length']} bytes, its dims "
                         f"{list(tensor.dims)} need {nbytes}")
    return location, numbers["offset"], numbers["length"]


def resolve_inside(folder, location, what):
    """The real path of `location` relative to `folder`; ValueError unless it stays inside."""
    if "\0" in location or os.path.isabs(location) or location.startswith(("/", "\\")):
        raise ValueError(f"{what}: external data location {location!r} must be a path "
                         "relative to the model's folder; refused")
    parts = location.replace("\\", "/").split("/")
    if ".." in parts:
        raise ValueError(f"{what}: external data location {location!r} leaves the model's "
                         "folder ('..'); refused")
    root = os.path.realpath(folder)
    full = os.path.realpath(os.path.join(root, location))
    if os.path.commonpath([root, full]) != root:
        raise ValueError(f"{what}: external data location {location!r} resolves to {full!r}, "
                         f"outside the model's folder {root!r}; refused")
    return full


def _read_external(tensor, folder, nbytes, what):
    location, offset, length = _external_fields(tensor, nbytes, what)
    full = resolve_inside(folder, location, what)
    try:
        info = os.stat(full)
    except OSError as error:
        raise ValueError(f"{what}: external data file {location!r}: {error.strerror}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{what}: external data location {location!r} is not a regular file")
    if offset + length > info.st_size:
        raise ValueError(f"{what}: external data needs bytes {offset}..{offset + length} of "
                         f"{location!r}, which has {info.st_size}")
    with open(full, "rb") as file:
        file.seek(offset)
        raw = file.read(length)
    if len(raw) != length:
        raise ValueError(f"{what}: external data file {location!r} ended after {len(raw)} of "
                         f"{length} bytes")
    return raw
