"""The ONNX operators without parameters, each one function on neuronet's differentiable ops.

    OPS["Relu"](node, x) -> relu(x)

A value flowing through the graph is either a `Tensor` (it depends on the model's inputs or
parameters, so gradients flow through it) or a numpy array (a constant: Constant nodes,
integer initializers, and everything computed only from them, such as the Shape -> Gather ->
Concat chains torch.onnx.export writes to build shapes). Constants are computed with numpy,
once per call, and never enter the autograd graph. Each function takes the node (`OnnxNode`:
name, op type, attributes, opset) and the node's inputs in order (None for an omitted optional
input) and returns one value or a tuple of them.
"""

from dataclasses import dataclass, field

import numpy as np

import neuronet
from neuronet.autograd.tensor import Tensor
from neuronet.nn import functional as F
from neuronet.onnx.load_tensors import numpy_dtype

MAX_CONSTANT_ELEMENTS = 1 << 28  # ConstantOfShape refuses to allocate more than this
# op type -> the positions of its float inputs that are settings, not weights: an initializer
# there stays a constant (load.py), never a Parameter
CONSTANT_INPUTS = {}


@dataclass
class OnnxNode:
    """One node of the graph: what its errors and its operator need to know."""

    name: str
    op_type: str
    attrs: dict = field(default_factory=dict)
    opset: int = 17

    def describe(self):
        return f"ONNX node {self.name!r} ({self.op_type})"

    def error(self, message):
        return ValueError(f"{self.describe()}: {message}")


def is_constant(value):
    return isinstance(value, np.ndarray)


def as_tensor(value):
    return value if isinstance(value, Tensor) else Tensor(value)


def constant_ints(node, value, what):
    """A constant integer input (shape, axes, ...) as a list of Python ints."""
    if value is None:
        return None
    if not is_constant(value):
        raise node.error(f"{what} must be a constant (computed from initializers or Constant "
                         "nodes only), got a value that depends on the model's inputs")
    if value.dtype.kind not in "iu":
        raise node.error(f"{what} must hold integers, got {value.dtype}")
    return [int(v) for v in value.reshape(-1)]


def axis_in(node, axis, ndim, what="axis"):
    """An ONNX axis (negative counts from the end) as 0..ndim-1."""
    if not -ndim <= axis < ndim:
        raise node.error(f"{what} {axis} is out of range for a value of {ndim} dimensions")
    return axis % ndim


def reshape_value(value, shape):
    return value.reshape(shape) if is_constant(value) else value.reshape(*shape)


def _binary(numpy_op, tensor_op):
    def run(node, a, b):
        if is_constant(a) and is_constant(b):
            return np.asarray(numpy_op(a, b))
        return tensor_op(as_tensor(a), as_tensor(b))
    return run


def _integer_or_true_divide(a, b):
    if a.dtype.kind in "iu":  # ONNX integer division truncates toward zero
        return np.trunc(a / b).astype(a.dtype)
    return a / b


def _unary(fn):
    return lambda node, x: fn(as_tensor(x))


def leaky_relu(node, x):
    return F.leaky_relu(as_tensor(x), node.attrs.get("alpha", 0.01))


def elu(node, x):
    return F.elu(as_tensor(x), node.attrs.get("alpha", 1.0))


SELU_ALPHA, SELU_GAMMA = 1.6732632423543772, 1.0507009873554805  # ONNX's defaults (torch's)


def selu(node, x):
    """gamma * elu(x, alpha); F.selu where the attributes are the defaults (in float32)."""
    alpha = node.attrs.get("alpha", SELU_ALPHA)
    gamma = node.attrs.get("gamma", SELU_GAMMA)
    if np.float32(alpha) == np.float32(SELU_ALPHA) and np.float32(gamma) == np.float32(
            SELU_GAMMA):
        return F.selu(as_tensor(x))
    return F.elu(as_tensor(x), alpha) * gamma


def _softmax_like(fn):
    def run(node, x):
        x = as_tensor(x)
        axis = axis_in(node, node.attrs.get("axis", -1 if node.opset >= 13 else 1), x.ndim)
        if node.opset >= 13 or axis == x.ndim - 1:
            return fn(x, dim=axis)
        # before opset 13 the input is flattened to 2-D at `axis`, normalized per row
        rows = int(np.prod(x.shape[:axis]))
        return fn(x.reshape(rows, -1), dim=1).reshape(*x.shape)
    return run


def matmul(node, a, b):
    if is_constant(a) and is_constant(b):
        return np.matmul(a, b)
    return neuronet.matmul(as_tensor(a), as_tensor(b))


def gemm(node, a, b, c=None):
    """Y = alpha * A' B' + beta * C (the general Gemm; Linear layers take the usual case)."""
    a, b = as_tensor(a), as_tensor(b)
    if node.attrs.get("transA", 0):
        a = a.transpose(0, 1)
    if node.attrs.get("transB", 0):
        b = b.transpose(0, 1)
    y = neuronet.matmul(a, b)
    alpha, beta = node.attrs.get("alpha", 1.0), node.attrs.get("beta", 1.0)
    if alpha != 1.0:
        y = y * alpha
    if c is not None:
        c = as_tensor(c)
        y = y + (c if beta == 1.0 else c * beta)
    return y


def reshape(node, x, shape):
    shape = constant_ints(node, shape, "shape")
    if not node.attrs.get("allowzero", 0):  # 0 copies the input's size on that axis
        if any(s == 0 and i >= x.ndim for i, s in enumerate(shape)):
            raise node.error(f"shape {shape} copies an axis the input of shape "
                             f"{tuple(x.shape)} does not have")
        shape = [x.shape[i] if s == 0 else s for i, s in enumerate(shape)]
    if shape.count(-1) > 1:
        raise node.error(f"shape {shape} may hold at most one -1")
    known = int(np.prod([s for s in shape if s != -1]))
    size = int(np.prod(x.shape))
    if -1 in shape:
        if known == 0 or size % known:
            raise node.error(f"cannot reshape {tuple(x.shape)} to {shape}")
        shape = [size // known if s == -1 else s for s in shape]
    if int(np.prod(shape)) != size:
        raise node.error(f"cannot reshape {tuple(x.shape)} ({size} values) to {shape}")
    return reshape_value(x, shape)


def flatten(node, x):
    axis = node.attrs.get("axis", 1)
    axis = axis if axis == x.ndim else axis_in(node, axis, x.ndim)
    rows = int(np.prod(x.shape[:axis]))
    return reshape_value(x, [rows, int(np.prod(x.shape)) // rows if rows else 0])


def _squeeze_axes(node, x, axes):
    axes = constant_ints(node, axes, "axes") if node.opset >= 13 else node.attrs.get("axes")
    return None if axes is None else [axis_in(node, a, x.ndim) for a in axes]


def squeeze(node, x, axes=None):
    axes = _squeeze_axes(node, x, axes)
    if axes is None:
        axes = [i for i, s in enumerate(x.shape) if s == 1]
    wrong = [a for a in axes if x.shape[a] != 1]
    if wrong:
        raise node.error(f"cannot squeeze axes {wrong} of shape {tuple(x.shape)}: not of size 1")
    return reshape_value(x, [s for i, s in enumerate(x.shape) if i not in axes])


def unsqueeze(node, x, axes=None):
    axes = constant_ints(node, axes, "axes") if node.opset >= 13 else node.attrs.get("axes")
    if axes is None:
        raise node.error("needs axes")
    ndim = x.ndim + len(axes)
    axes = sorted(axis_in(node, a, ndim) for a in axes)
    shape = list(x.shape)
    for a in axes:
        shape.insert(a, 1)
    return reshape_value(x, shape)


def concat(node, *values):
    values = [v for v in values if v is not None]
    axis = axis_in(node, node.attrs["axis"], values[0].ndim)
    if all(is_constant(v) for v in values):
        return np.concatenate(values, axis=axis)
    return neuronet.cat([as_tensor(v) for v in values], dim=axis)


def transpose(node, x):
    perm = node.attrs.get("perm", list(range(x.ndim))[::-1])
    if sorted(perm) != list(range(x.ndim)):
        raise node.error(f"perm {perm} is not a permutation of the {x.ndim} axes")
    return np.transpose(x, perm) if is_constant(x) else x.permute(*perm)


def gather(node, data, indices):
    """data picked along `axis` by integer indices: constants (torch's shape chains) or a
    runtime value (an Embedding's lookup of the model's input). Picking rows of a Tensor is
    neuronet's indexing, so gradients flow back to every picked row (summed over repeats)."""
    axis = axis_in(node, node.attrs.get("axis", 0), data.ndim)
    indices = indices.data if isinstance(indices, Tensor) else indices
    if indices.dtype.kind not in "iu":
        raise node.error(f"indices must be integers, got {indices.dtype}")
    size = data.shape[axis]
    if indices.size and (indices.min() < -size or indices.max() >= size):
        raise node.error(f"indices must lie in [{-size}, {size - 1}] for axis {axis} of shape "
                         f"{tuple(data.shape)}, got {indices.min()}..{indices.max()}")
    indices = np.where(indices < 0, indices + size, indices)
    if is_constant(data):
        return np.take(data, indices, axis=axis)
    key = (slice(None),) * axis + (indices if indices.ndim else int(indices),)
    return data[key]


def slice_(node, x, starts=None, ends=None, axes=None, steps=None):
    if node.opset < 10:  # starts, ends and axes were attributes
        starts, ends = node.attrs.get("starts", []), node.attrs.get("ends", [])
        axes = node.attrs.get("axes")
    else:
        starts, ends = constant_ints(node, starts, "starts"), constant_ints(node, ends, "ends")
        axes, steps = constant_ints(node, axes, "axes"), constant_ints(node, steps, "steps")
    axes = axes or list(range(len(starts)))
    steps = steps or [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise node.error(f"starts, ends, axes and steps must have one entry each per axis, got "
                         f"{len(starts)}, {len(ends)}, {len(axes)} and {len(steps)}")
    if 0 in steps:
        raise node.error("steps must not be 0")
    key = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        key[axis_in(node, axis, x.ndim)] = slice(start, end, step)
    return x[tuple(key)]


def shape(node, x):
    dims = np.array(x.shape, np.int64)
    start, end = node.attrs.get("start", 0), node.attrs.get("end", len(dims))
    return dims[start:end]


def constant(node):
    for key in ("value", "value_float", "value_floats", "value_int", "value_ints"):
        if key in node.attrs:
            value = node.attrs[key]
            if key.startswith("value_float"):
                return np.array(value, np.float32)
            return value if key == "value" else np.array(value, np.int64)
    raise node.error(f"only the attributes value, value_float(s) and value_int(s) are "
                     f"supported, got {sorted(node.attrs)}")


def _check_size(node, dims):
    """A shape the graph asks us to allocate: refused when negative or huge (a hostile file)."""
    if any(d < 0 for d in dims) or int(np.prod(dims)) > MAX_CONSTANT_ELEMENTS:
        raise node.error(f"shape {list(dims)} is negative or larger than "
                         f"{MAX_CONSTANT_ELEMENTS} elements; refused")


def constant_of_shape(node, shape):
    dims = constant_ints(node, shape, "shape")
    _check_size(node, dims)
    fill = node.attrs.get("value", np.zeros(1, np.float32))
    return np.full(dims, fill.reshape(-1)[0], fill.dtype)


def expand(node, x, shape):
    """Broadcast x to `shape` (numpy's two-way rule: either side's 1s stretch)."""
    dims = constant_ints(node, shape, "shape")
    try:
        out = np.broadcast_shapes(tuple(x.shape), tuple(dims))
    except ValueError:
        raise node.error(f"cannot broadcast shape {tuple(x.shape)} to {dims}") from None
    _check_size(node, out)
    if is_constant(x):
        return np.broadcast_to(x, out).copy()
    return neuronet.expand(x, *out)


def cast(node, x):
    dtype = numpy_dtype(node.attrs["to"], node.describe())
    if is_constant(x):
        return x.astype(dtype)
    if dtype.kind != "f":
        raise node.error(f"casting a value that depends on the model's inputs to {dtype} "
                         "would cut its gradient; only casts to float types are supported")
    return x.to(dtype)


def _reduce_axes(node, x, axes):
    if node.opset >= 18 or (node.op_type == "ReduceSum" and node.opset >= 13):
        axes = constant_ints(node, axes, "axes")
    else:
        axes = node.attrs.get("axes")
    if not axes:
        return None if node.attrs.get("noop_with_empty_axes", 0) else tuple(range(x.ndim))
    return tuple(axis_in(node, a, x.ndim) for a in axes)


def _reduce(numpy_op, tensor_op):
    def run(node, x, axes=None):
        dims = _reduce_axes(node, x, axes)
        if dims is None:
            return x
        keep = bool(node.attrs.get("keepdims", 1))
        if is_constant(x):
            return np.asarray(numpy_op(x, axis=dims, keepdims=keep))
        return tensor_op(x, dim=dims, keepdim=keep)
    return run


def _global_pool(tensor_op):
    def run(node, x):
        x = as_tensor(x)
        if x.ndim < 3:
            raise node.error(f"expected input (N, C, spatial...), got shape {tuple(x.shape)}")
        return tensor_op(x, dim=tuple(range(2, x.ndim)), keepdim=True)
    return run


def pool_geometry(node, kernel_rank):
    """(kernel, strides, pads, dilations) of a Conv/pool node; pads must be symmetric."""
    attrs = node.attrs
    if attrs.get("auto_pad", "NOTSET") not in ("NOTSET", "VALID"):
        raise node.error(f"auto_pad {attrs['auto_pad']!r} is not supported (NOTSET or VALID)")
    kernel = list(attrs.get("kernel_shape", []))
    strides = list(attrs.get("strides", [1] * kernel_rank))
    dilations = list(attrs.get("dilations", [1] * kernel_rank))
    pads = list(attrs.get("pads", [0] * 2 * kernel_rank))
    if len(pads) != 2 * kernel_rank or pads[:kernel_rank] != pads[kernel_rank:]:
        raise node.error(f"pads {pads} must be the same at the start and at the end of each "
                         f"of the {kernel_rank} spatial axes")
    for name, values in (("strides", strides), ("dilations", dilations)):
        if len(values) != kernel_rank:
            raise node.error(f"{name} {values} must have {kernel_rank} entries")
    return kernel, strides, pads[:kernel_rank], dilations


def _pool(pool1d, pool2d, average):
    def run(node, x):
        x = as_tensor(x)
        kernel = list(node.attrs.get("kernel_shape", []))
        if len(kernel) not in (1, 2):
            raise node.error(f"kernel_shape {kernel} must have 1 or 2 entries")
        if x.ndim != len(kernel) + 2:
            raise node.error(f"a {len(kernel)}-D kernel expects input of "
                             f"{len(kernel) + 2} dimensions, got shape {tuple(x.shape)}")
        kernel, strides, pads, dilations = pool_geometry(node, len(kernel))
        ceil = bool(node.attrs.get("ceil_mode", 0))
        op = pool1d if len(kernel) == 1 else pool2d
        args = [k[0] for k in (kernel, strides, pads)] if len(kernel) == 1 else [
            kernel, strides, pads]
        if average:
            if any(d != 1 for d in dilations):
                raise node.error(f"dilations {dilations} are not supported")
            return op(x, *args, ceil, bool(node.attrs.get("count_include_pad", 0)))
        return op(x, *args, dilations[0] if len(kernel) == 1 else dilations, ceil_mode=ceil)
    return run


OPS = {
    "Add": _binary(np.add, neuronet.add),
    "Sub": _binary(np.subtract, neuronet.sub),
    "Mul": _binary(np.multiply, neuronet.mul),
    "Div": _binary(_integer_or_true_divide, neuronet.div),
    "Relu": _unary(F.relu),
    "Sigmoid": _unary(F.sigmoid),
    "Tanh": _unary(F.tanh),
    "LeakyRelu": leaky_relu,
    "Elu": elu,
    "Selu": selu,
    "Softmax": _softmax_like(F.softmax),
    "LogSoftmax": _softmax_like(F.log_softmax),
    "MatMul": matmul,
    "Gemm": gemm,
    "Reshape": reshape,
    "Flatten": flatten,
    "Squeeze": squeeze,
    "Unsqueeze": unsqueeze,
    "Concat": concat,
    "Transpose": transpose,
    "Gather": gather,
    "Slice": slice_,
    "Shape": shape,
    "Constant": constant,
    "ConstantOfShape": constant_of_shape,
    "Expand": expand,
    "Cast": cast,
    "Identity": lambda node, x: x,
    "ReduceMean": _reduce(np.mean, neuronet.mean),
    "ReduceSum": _reduce(np.sum, neuronet.sum),
    "GlobalAveragePool": _global_pool(neuronet.mean),
    "GlobalMaxPool": _global_pool(neuronet.amax),
    "MaxPool": _pool(F.max_pool1d, F.max_pool2d, average=False),
    "AveragePool": _pool(F.avg_pool1d, F.avg_pool2d, average=True),
}
