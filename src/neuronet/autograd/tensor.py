"""`Tensor`: a NumPy array that remembers how it was computed, so gradients can flow back.

`t.data` is the underlying `numpy.ndarray` (float32 by default). A tensor made by an op on
tensors that require gradients holds that op in `t.grad_fn`; `loss.backward()` walks those
links back and leaves the gradient of `loss` in the `.grad` of every leaf that requires it.
The math of each op lives in `neuronet.ops` (one `Function` per op, forward next to backward);
the methods here only name them the way PyTorch users expect.
"""

import numbers
import weakref

import numpy as np

from neuronet.dtypes import as_dtype, get_default_dtype


def _to_array(data, dtype=None):
    """Convert user data to an ndarray: floats become the default dtype unless `dtype` says."""
    if isinstance(data, Tensor):
        data = data.data
    if dtype is not None:
        return np.array(data, dtype=as_dtype(dtype))
    arr = np.array(data)
    if arr.dtype.kind == "f" or arr.dtype.kind == "c":
        return arr.astype(get_default_dtype(), copy=False)
    if arr.dtype.kind in "iu":
        return arr.astype(np.int64, copy=False)
    if arr.dtype.kind == "b":
        return arr
    raise TypeError(f"tensor(): cannot make a tensor from data of dtype {arr.dtype}")


class Tensor:
    """An n-dimensional array with optional gradient tracking.

    Build one with `neuronet.tensor(data, dtype=None, requires_grad=False)`.
    """

    __slots__ = ("data", "grad", "_requires_grad", "_ctx", "_index", "__weakref__", "__dict__")
    __array_priority__ = 1000  # so `ndarray + tensor` calls Tensor.__radd__

    def __init__(self, data, dtype=None, requires_grad=False):
        self.data = _to_array(data, dtype)
        self.grad = None
        self._ctx = None
        self._index = 0
        self._requires_grad = False
        self.requires_grad = requires_grad

    @classmethod
    def _make(cls, array, ctx=None, index=0):
        """Wrap an op's output array without copying; `ctx` is the op that made it."""
        t = cls.__new__(cls)
        t.data = array if isinstance(array, np.ndarray) else np.asarray(array)
        t.grad = None
        t._ctx = ctx
        t._index = index
        t._requires_grad = ctx is not None
        return t

    # ----- gradient bookkeeping ---------------------------------------------------------
    @property
    def requires_grad(self):
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag):
        flag = bool(flag)
        if flag and self.data.dtype.kind != "f":
            raise TypeError(
                f"requires_grad: only floating point tensors can require gradients, "
                f"got dtype {self.data.dtype}"
            )
        if not flag and self._ctx is not None:
            raise RuntimeError(
                "requires_grad: cannot turn off gradients of a non-leaf tensor; use .detach()"
            )
        self._requires_grad = flag

    def requires_grad_(self, flag=True):
        self.requires_grad = flag
        return self

    @property
    def grad_fn(self):
        return self._ctx

    @property
    def is_leaf(self):
        return self._ctx is None

    def retain_grad(self):
        """Keep `.grad` for this non-leaf tensor after backward (leaves always keep it)."""
        if self._ctx is not None:
            retained = self._ctx.__dict__.setdefault("retained", {})
            retained[self._index] = weakref.ref(self)

    def backward(self, gradient=None, retain_graph=False):
        """Compute the gradient of this tensor with respect to every leaf that requires it.

        gradient: d(something)/d(self), shaped like self; may be omitted for a one-element
        tensor (it is then 1). The graph is freed afterwards unless `retain_graph=True`.
        """
        from neuronet.autograd.engine import run_backward, store_grad

        if not self._requires_grad:
            raise RuntimeError(
                "backward: this tensor does not require grad and has no grad_fn: none of the "
                "tensors it was computed from has requires_grad=True (or it was computed "
                "under no_grad())"
            )
        if gradient is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward: a gradient can be implied only for a one-element output; this "
                    f"tensor has shape {self.shape}, so pass gradient= with that shape "
                    f"(or reduce it first, e.g. .sum())"
                )
            grad = np.ones_like(self.data)
        else:
            grad = gradient.data if isinstance(gradient, Tensor) else np.asarray(gradient)
            if grad.shape != self.shape:
                raise ValueError(
                    f"backward: gradient has shape {grad.shape} but the tensor has shape "
                    f"{self.shape}"
                )
            grad = np.array(grad, dtype=self.data.dtype, copy=True)  # never alias the caller's
        if self._ctx is None:
            store_grad(self, grad, set())
            return
        run_backward(self, grad, retain_graph)

    def detach(self):
        """The same data (shared, no copy), cut off from the graph."""
        return Tensor._make(self.data)

    def detach_(self):
        self._ctx = None
        self._requires_grad = False
        return self

    # ----- plain array facts ------------------------------------------------------------
    @property
    def shape(self):
        return self.data.shape

    @property
    def ndim(self):
        return self.data.ndim

    @property
    def dtype(self):
        return self.data.dtype

    @property
    def T(self):
        return _shape.permute(self, tuple(reversed(range(self.ndim))))

    def size(self, dim=None):
        return self.data.shape if dim is None else self.data.shape[dim]

    def dim(self):
        return self.data.ndim

    def numel(self):
        return self.data.size

    def numpy(self):
        """The underlying array (shared, no copy). Refuses while gradients are tracked."""
        if self._requires_grad:
            raise RuntimeError(
                "numpy(): this tensor requires grad; call .detach().numpy() to get its values"
            )
        return self.data

    def item(self):
        if self.data.size != 1:
            raise ValueError(f"item(): only one-element tensors, this one has shape {self.shape}")
        return self.data.item()

    def tolist(self):
        return self.data.tolist()

    def __array__(self, dtype=None, copy=None):
        return self.data if dtype is None else self.data.astype(dtype)

    def __len__(self):
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self.data.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(
                f"the truth value of a tensor with {self.data.size} elements is ambiguous"
            )
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError("only one-element integer tensors can be used as an index")
        return int(self.data)

    __hash__ = object.__hash__

    def __repr__(self):
        body = np.array2string(self.data, separator=", ", prefix="tensor(", precision=4)
        extras = []
        if self.data.dtype != get_default_dtype() and self.data.dtype != np.int64:
            extras.append(f"dtype={self.data.dtype}")
        if self._ctx is not None:
            extras.append(f"grad_fn=<{self._ctx.name}Backward>")
        elif self._requires_grad:
            extras.append("requires_grad=True")
        return "tensor(" + ", ".join([body] + extras) + ")"

    # ----- dtype conversion -------------------------------------------------------------
    def to(self, dtype):
        return _ew.cast(self, as_dtype(dtype))

    def float(self):
        return self.to(np.float32)

    def double(self):
        return self.to(np.float64)

    def long(self):
        return self.to(np.int64)

    def int(self):
        return self.to(np.int32)

    def bool(self):
        return self.to(np.bool_)

    def type(self, dtype):
        return self.to(dtype)

    def clone(self):
        return _ew.clone(self)

    def contiguous(self):
        return self

    # ----- in-place changes (outside the graph) -----------------------------------------
    def _check_inplace(self, what):
        from neuronet.autograd.grad_mode import is_grad_enabled

        if self._requires_grad and is_grad_enabled():
            raise RuntimeError(
                f"{what}: a tensor that requires grad cannot be changed in place while "
                "gradients are recorded; wrap the change in `with neuronet.no_grad():`"
            )

    def __setitem__(self, key, value):
        self._check_inplace("__setitem__")
        self.data[_indexing.normalize_key(key)] = value.data if isinstance(value, Tensor) else value

    def copy_(self, src):
        self._check_inplace("copy_")
        src = src.data if isinstance(src, Tensor) else np.asarray(src)
        if src.shape != self.shape and np.broadcast_shapes(src.shape, self.shape) != self.shape:
            raise ValueError(f"copy_: source shape {src.shape} does not fit tensor {self.shape}")
        self.data[...] = src
        return self

    def fill_(self, value):
        self._check_inplace("fill_")
        self.data.fill(value)
        return self

    def zero_(self):
        return self.fill_(0)

    # ----- arithmetic -------------------------------------------------------------------
    def __add__(self, other):
        return _ew.add(self, other)

    def __radd__(self, other):
        return _ew.add(other, self)

    def __sub__(self, other):
        return _ew.sub(self, other)

    def __rsub__(self, other):
        return _ew.sub(other, self)

    def __mul__(self, other):
        return _ew.mul(self, other)

    def __rmul__(self, other):
        return _ew.mul(other, self)

    def __truediv__(self, other):
        return _ew.div(self, other)

    def __rtruediv__(self, other):
        return _ew.div(other, self)

    def __pow__(self, other):
        return _ew.pow(self, other)

    def __rpow__(self, other):
        return _ew.pow(other, self)

    def __neg__(self):
        return _ew.neg(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return _ew.abs(self)

    def __matmul__(self, other):
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other):
        return _linalg.matmul(other, self)

    # comparisons give boolean tensors and carry no gradient
    def __eq__(self, other):
        return Tensor._make(self.data == _raw(other))

    def __ne__(self, other):
        return Tensor._make(self.data != _raw(other))

    def __lt__(self, other):
        return Tensor._make(self.data < _raw(other))

    def __le__(self, other):
        return Tensor._make(self.data <= _raw(other))

    def __gt__(self, other):
        return Tensor._make(self.data > _raw(other))

    def __ge__(self, other):
        return Tensor._make(self.data >= _raw(other))

    def __invert__(self):
        return Tensor._make(~self.data)

    def __and__(self, other):
        return Tensor._make(self.data & _raw(other))

    def __or__(self, other):
        return Tensor._make(self.data | _raw(other))

    # ----- elementwise math -------------------------------------------------------------
    def exp(self):
        return _ew.exp(self)

    def log(self):
        return _ew.log(self)

    def sqrt(self):
        return _ew.sqrt(self)

    def abs(self):
        return _ew.abs(self)

    def tanh(self):
        return _ew.tanh(self)

    def sigmoid(self):
        return _ew.sigmoid(self)

    def relu(self):
        return _ew.relu(self)

    def clamp(self, min=None, max=None):
        return _ew.clamp(self, min, max)

    clip = clamp

    def maximum(self, other):
        return _ew.maximum(self, other)

    def minimum(self, other):
        return _ew.minimum(self, other)

    def pow(self, exponent):
        return _ew.pow(self, exponent)

    def matmul(self, other):
        return _linalg.matmul(self, other)

    # ----- reductions -------------------------------------------------------------------
    def sum(self, dim=None, keepdim=False):
        return _reduce.sum(self, dim, keepdim)

    def mean(self, dim=None, keepdim=False):
        return _reduce.mean(self, dim, keepdim)

    def max(self, dim=None, keepdim=False):
        return _reduce.max(self, dim, keepdim)

    def min(self, dim=None, keepdim=False):
        return _reduce.min(self, dim, keepdim)

    def amax(self, dim=None, keepdim=False):
        return _reduce.amax(self, dim, keepdim)

    def amin(self, dim=None, keepdim=False):
        return _reduce.amin(self, dim, keepdim)

    def var(self, dim=None, keepdim=False, correction=1, *, unbiased=None):
        return _reduce.var(self, dim, keepdim, correction, unbiased=unbiased)

    def std(self, dim=None, keepdim=False, correction=1, *, unbiased=None):
        return _reduce.std(self, dim, keepdim, correction, unbiased=unbiased)

    def logsumexp(self, dim, keepdim=False):
        return _reduce.logsumexp(self, dim, keepdim)

    def argmax(self, dim=None, keepdim=False):
        return _reduce.argmax(self, dim, keepdim)

    def argmin(self, dim=None, keepdim=False):
        return _reduce.argmin(self, dim, keepdim)

    # ----- shape ------------------------------------------------------------------------
    def reshape(self, *shape):
        return _shape.reshape(self, *shape)

    def view(self, *shape):
        return _shape.reshape(self, *shape)

    def view_as(self, other):
        return _shape.reshape(self, other.shape)

    def flatten(self, start_dim=0, end_dim=-1):
        return _shape.flatten(self, start_dim, end_dim)

    def transpose(self, dim0, dim1):
        return _shape.transpose(self, dim0, dim1)

    def permute(self, *dims):
        return _shape.permute(self, *dims)

    def squeeze(self, dim=None):
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim):
        return _shape.unsqueeze(self, dim)

    def expand(self, *sizes):
        return _shape.expand(self, *sizes)

    def expand_as(self, other):
        return _shape.expand(self, other.shape)

    def split(self, split_size_or_sections, dim=0):
        return _shape.split(self, split_size_or_sections, dim)

    def chunk(self, chunks, dim=0):
        return _shape.chunk(self, chunks, dim)

    # ----- indexing ---------------------------------------------------------------------
    def __getitem__(self, key):
        return _indexing.getitem(self, key)

    def gather(self, dim, index):
        return _indexing.gather(self, dim, index)

    def index_select(self, dim, index):
        return _indexing.index_select(self, dim, index)

    def masked_fill(self, mask, value):
        return _indexing.masked_fill(self, mask, value)


def _raw(x):
    return x.data if isinstance(x, Tensor) else x


def tensor(data, dtype=None, requires_grad=False):
    """Make a tensor from a number, (nested) list, array or tensor (always copies the data).

    Floating point data becomes the default dtype (float32) unless `dtype` is given;
    integers become int64 and booleans stay bool.
    """
    return Tensor(data, dtype=dtype, requires_grad=requires_grad)


def is_scalar(x):
    return isinstance(x, numbers.Number)


# The ops import Tensor from this module, so they are imported after the class exists.
from neuronet.ops import elementwise as _ew  # noqa: E402
from neuronet.ops import indexing as _indexing  # noqa: E402
from neuronet.ops import linalg as _linalg  # noqa: E402
from neuronet.ops import reduce as _reduce  # noqa: E402
from neuronet.ops import shape as _shape  # noqa: E402
