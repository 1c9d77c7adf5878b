"""Elementwise operations. Binary ops broadcast like NumPy; the engine sums each gradient
back to its input's shape. A Python number mixed with a tensor keeps the tensor's dtype."""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor
from neuronet.parallel import binary, elementwise


def _value(x):
    """An op argument that is not a Tensor: Python numbers stay (weakly typed), rest -> array."""
    if isinstance(x, (Tensor, int, float, bool)):
        return x
    return np.asarray(x)


# ----- arithmetic -------------------------------------------------------------------------
class Add(Function):
    def forward(self, a, b):
        return binary(np.add, a, b)

    def backward(self, g):
        return g, g


class Sub(Function):
    def forward(self, a, b):
        return a - b

    def backward(self, g):
        return g, -g if self.needs_input_grad[1] else None


class Mul(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return binary(np.multiply, a, b)

    def backward(self, g):
        ga = binary(np.multiply, g, self.b) if self.needs_input_grad[0] else None
        gb = binary(np.multiply, g, self.a) if self.needs_input_grad[1] else None
        return ga, gb


class Div(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return a / b

    def backward(self, g):
        ga = g / self.b if self.needs_input_grad[0] else None
        gb = -g * self.a / (self.b * self.b) if self.needs_input_grad[1] else None
        return ga, gb


class Neg(Function):
    def forward(self, a):
        return -a

    def backward(self, g):
        return -g


class Pow(Function):
    """a ** b for a tensor base and/or a tensor exponent."""

    def forward(self, a, b):
        self.a, self.b = a, b
        self.y = np.power(a, b)
        return self.y

    def backward(self, g):
        a, b = self.a, self.b
        ga = gb = None
        if self.needs_input_grad[0]:
            # b * a^(b-1), taken as 0 where b == 0 (also at a == 0), as PyTorch does
            with np.errstate(divide="ignore", invalid="ignore"):
                ga = np.where(b == 0, 0, g * b * np.power(a, b - 1))
        if self.needs_input_grad[1]:
            # a^b log a, taken as 0 where a == 0 and b >= 0 (the limit), as PyTorch does
            with np.errstate(divide="ignore", invalid="ignore"):
                gb = np.where((a == 0) & (b >= 0), 0, g * self.y * np.log(a))
        return ga, gb


def add(a, b):
    return Add.apply(_value(a), _value(b))


def sub(a, b):
    return Sub.apply(_value(a), _value(b))


def mul(a, b):
    return Mul.apply(_value(a), _value(b))


def div(a, b):
    return Div.apply(_value(a), _value(b))


def neg(a):
    return Neg.apply(a)


def pow(a, b):
    return Pow.apply(_value(a), _value(b))


# ----- unary math -------------------------------------------------------------------------
class Exp(Function):
    def forward(self, x):
        self.y = np.exp(x)
        return self.y

    def backward(self, g):
        return g * self.y


class Log(Function):
    def forward(self, x):
        self.x = x
        return np.log(x)

    def backward(self, g):
        return g / self.x


class Sqrt(Function):
    def forward(self, x):
        self.y = np.sqrt(x)
        return self.y

    def backward(self, g):
        return g / (2 * self.y)


class Abs(Function):
    def forward(self, x):
        self.x = x
        return np.abs(x)

    def backward(self, g):
        return g * np.sign(self.x)  # subgradient 0 at 0, as PyTorch


class Tanh(Function):
    def forward(self, x):
        self.y = np.tanh(x)
        return self.y

    def backward(self, g):
        return g * (1 - self.y * self.y)


class Sigmoid(Function):
    """1 / (1 + exp(-x)), computed without overflow for large |x|."""

    def forward(self, x):
        e = np.exp(-np.abs(x))
        self.y = np.where(x >= 0, 1 / (1 + e), e / (1 + e))
        return self.y

    def backward(self, g):
        return g * self.y * (1 - self.y)


class Relu(Function):
    """max(x, 0). NaN stays NaN and, as in torch, passes its gradient through; at x = 0 the
    gradient is 0. One pass forward; backward finds the mask from the kept output (y != 0
    is exactly x > 0 or NaN), so a forward without backward never builds it. Large arrays
    run in pieces on threads (neuronet.parallel.elementwise)."""

    def forward(self, x):
        self.y = elementwise(_relu, x)
        return self.y

    def backward(self, g):
        return elementwise(_relu_grad, g, self.y)


def _relu(x, out):
    return np.maximum(x, 0, out=out)


def _relu_grad(g, y, out):
    return np.multiply(g, y != 0, out=out)


class Clamp(Function):
    """Limit to [lo, hi]; the gradient passes where the input lies inside (ends included)."""

    def forward(self, x, lo, hi):
        self.inside = np.ones(x.shape, dtype=bool)
        if lo is not None:
            self.inside &= x >= lo
        if hi is not None:
            self.inside &= x <= hi
        return np.clip(x, lo, hi)

    def backward(self, g):
        return g * self.inside


class Maximum(Function):
    """Elementwise max; where a == b the gradient is split in half between them (as torch)."""

    def forward(self, a, b):
        self.a, self.b = a, b
        return np.maximum(a, b)

    def backward(self, g):
        share_a = (self.a > self.b) + 0.5 * (self.a == self.b)
        return g * share_a, g * (1 - share_a)


class Minimum(Function):
    def forward(self, a, b):
        self.a, self.b = a, b
        return np.minimum(a, b)

    def backward(self, g):
        share_a = (self.a < self.b) + 0.5 * (self.a == self.b)
        return g * share_a, g * (1 - share_a)


class Where(Function):
    """cond ? a : b (cond is a constant boolean array)."""

    def forward(self, cond, a, b):
        self.cond = cond
        return np.where(cond, a, b)

    def backward(self, g):
        zero = np.zeros((), g.dtype)
        return None, np.where(self.cond, g, zero), np.where(self.cond, zero, g)


class Cast(Function):
    def forward(self, x, dtype):
        self.dtype = x.dtype
        return x.astype(dtype)

    def backward(self, g):
        return g.astype(self.dtype)


class Clone(Function):
    def forward(self, x):
        return x.copy()

    def backward(self, g):
        return g


def exp(x):
    return Exp.apply(x)


def log(x):
    return Log.apply(x)


def sqrt(x):
    return Sqrt.apply(x)


def abs(x):
    return Abs.apply(x)


def tanh(x):
    return Tanh.apply(x)


def sigmoid(x):
    return Sigmoid.apply(x)


def relu(x):
    return Relu.apply(x)


def clamp(x, min=None, max=None):
    """Limit every element to [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise ValueError("clamp: give at least one of min and max")
    return Clamp.apply(x, lo=min, hi=max)


clip = clamp


def maximum(a, b):
    return Maximum.apply(_value(a), _value(b))


def minimum(a, b):
    return Minimum.apply(_value(a), _value(b))


def where(condition, a, b):
    """Pick from `a` where `condition` holds, else from `b` (all three broadcast)."""
    cond = condition.data if isinstance(condition, Tensor) else np.asarray(condition)
    if cond.dtype != np.bool_:
        raise TypeError(f"where: condition must be boolean, got dtype {cond.dtype}")
    return Where.apply(cond, _value(a), _value(b))


def cast(x, dtype):
    if x.data.dtype == dtype:
        return x
    if x.requires_grad and dtype.kind != "f":
        return Tensor._make(x.data.astype(dtype))
    return Cast.apply(x, dtype=dtype)


def clone(x):
    return Clone.apply(x)
