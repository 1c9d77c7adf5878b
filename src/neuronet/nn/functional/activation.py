"""Activation functions: elementwise nonlinearities and (log-)softmax along one axis.

Every function takes a floating point Tensor of any shape and returns one of the same shape.
`sigmoid` and `tanh` are the core elementwise ops, re-exported here for `F.sigmoid(x)`.

`inplace` is accepted where PyTorch has it, so code written for PyTorch runs unchanged, but the
result is always a new tensor: our autograd records no in-place operations, and the memory a
real in-place op would save does not matter at the sizes NumPy training reaches.
"""

import math

import numpy as np

from neuronet.autograd.function import Function
from neuronet.ops import elementwise
from neuronet.ops.dims import normalize_dim
from neuronet.ops.elementwise import sigmoid, tanh

# SELU's constants (Klambauer et al. 2017), the values PyTorch uses.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946

_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_TANH_K = math.sqrt(2 / math.pi)
_TANH_C = 0.044715

# NumPy has no erf/erfc. math.erfc applied elementwise is exact to double precision, which the
# torch oracle (1e-10) needs; a rational approximation would be faster but one with full
# precision is many coefficients we would have to derive and prove. GELU is rarely the
# bottleneck here, and `approximate='tanh'` is the fast path when it is.
erfc = np.frompyfunc(math.erfc, 1, 1)  # an object array: cast it to the dtype wanted


class LeakyRelu(Function):
    """x if x > 0 else slope * x; the gradient factor is 1 or slope the same way (slope at 0
    and for NaN, as torch). For 0 < slope <= 1 the output is max(x, slope * x), one pass,
    and y > 0 exactly where x > 0, so backward finds its factors from y (slope 0 would turn
    inf into max(inf, 0 * inf) = NaN). The factor array is a table lookup on the mask
    (np.where with two scalars is 3x slower)."""

    def forward(self, x, slope):
        self.factors = np.array([slope, 1], x.dtype)  # for x <= 0, for x > 0
        if 0 < slope <= 1:
            self.signs = np.maximum(x, x * self.factors[0])
            return self.signs
        self.signs = x
        with np.errstate(invalid="ignore"):  # -inf * 0 is NaN, as in torch
            return x * self._factor()

    def _factor(self):
        return self.factors.take((self.signs > 0).view(np.uint8))

    def backward(self, g):
        return g * self._factor()


class Elu(Function):
    """scale * (x if x > 0 else alpha * (exp(x) - 1)); SELU is ELU with its fixed constants."""

    def forward(self, x, alpha, scale):
        self.positive, self.scale = x > 0, scale
        # exp of the negative part only: no overflow for large positive x
        self.neg_grad = alpha * scale * np.exp(np.minimum(x, 0))
        return np.where(self.positive, scale * x, self.neg_grad - alpha * scale).astype(x.dtype)

    def backward(self, g):
        return g * np.where(self.positive, self.scale, self.neg_grad)


class Gelu(Function):
    """x * Phi(x), Phi the standard normal CDF; or the tanh approximation of it."""

    def forward(self, x, approximate):
        self.x, self.approximate = x, approximate
        if approximate == "tanh":
            self.t = np.tanh(_TANH_K * (x + _TANH_C * x**3))
            return 0.5 * x * (1 + self.t)
        # Phi via erfc of the negated argument: accurate far into the left tail
        self.cdf = (0.5 * erfc(-_SQRT_HALF * x)).astype(x.dtype)
        return x * self.cdf

    def backward(self, g):
        x = self.x
        if self.approximate == "tanh":
            t = self.t
            inner_grad = _TANH_K * (1 + 3 * _TANH_C * x * x)
            return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * inner_grad)
        return g * (self.cdf + x * _INV_SQRT_2PI * np.exp(-0.5 * x * x))


class Softplus(Function):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (as PyTorch)."""

    def forward(self, x, beta, threshold):
        bx = x * beta
        self.linear = bx > threshold
        # clipped so exp never overflows; the clipped values are replaced by x anyway
        self.z = np.exp(np.minimum(bx, threshold))
        return np.where(self.linear, x, np.log1p(self.z) / beta).astype(x.dtype)

    def backward(self, g):
        return np.where(self.linear, g, g * self.z / (self.z + 1))


class Softmax(Function):
    def forward(self, x, dim):
        self.dim = dim
        e = np.exp(x - x.max(axis=dim, keepdims=True))  # shifted: no overflow at 1e4
        e /= e.sum(axis=dim, keepdims=True)
        self.y = e
        return e

    def backward(self, g):
        y = self.y
        return y * (g - (g * y).sum(axis=self.dim, keepdims=True))


class LogSoftmax(Function):
    def forward(self, x, dim):
        self.dim = dim
        self.y = log_softmax_array(x, dim)
        return self.y

    def backward(self, g):
        return g - np.exp(self.y) * g.sum(axis=self.dim, keepdims=True)


def log_softmax_array(x, axis):
    """x - logsumexp(x) along `axis` on a raw array, shifted by the max so it never overflows."""
    shifted = x - x.max(axis=axis, keepdims=True)
    shifted -= np.log(np.exp(shifted).sum(axis=axis, keepdims=True))
    return shifted


def relu(input, inplace=False):
    """max(x, 0)."""
    return elementwise.relu(input)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x where x > 0, negative_slope * x elsewhere."""
    return LeakyRelu.apply(input, slope=negative_slope)


def elu(input, alpha=1.0, inplace=False):
    """x where x > 0, alpha * (exp(x) - 1) elsewhere."""
    return Elu.apply(input, alpha=alpha, scale=1.0)


def selu(input, inplace=False):
    """SELU_SCALE * elu(x, SELU_ALPHA): self-normalizing activation."""
    return Elu.apply(input, alpha=SELU_ALPHA, scale=SELU_SCALE)


def gelu(input, approximate="none"):
    """x * Phi(x) (approximate='none', exact) or its tanh approximation (approximate='tanh')."""
    if approximate not in ("none", "tanh"):
        raise ValueError(
            f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}"
        )
    return Gelu.apply(input, approximate=approximate)


def softplus(input, beta=1.0, threshold=20.0):
    """Smooth ReLU: log(1 + exp(beta * x)) / beta; linear where beta * x > threshold."""
    return Softplus.apply(input, beta=beta, threshold=threshold)


def _softmax_dim(input, dim, op):
    if dim is None:
        raise TypeError(
            f"{op}: dim is required (the axis holding the classes, e.g. dim=1 for (N, C) "
            f"scores); got dim=None for an input of shape {input.shape}"
        )
    axis = normalize_dim(dim, input.ndim, op)
    return axis if input.ndim else None  # a 0-d tensor: NumPy reduces it with axis=None


def softmax(input, dim=None, *, dtype=None):
    """exp(x) / sum(exp(x)) along `dim`; each slice along `dim` sums to 1.

    dtype: cast the input to it first (e.g. float64 for more precision), as PyTorch.
    """
    input = input if dtype is None else input.to(dtype)
    return Softmax.apply(input, dim=_softmax_dim(input, dim, "softmax"))


def log_softmax(input, dim=None, *, dtype=None):
    """log(softmax(x)) along `dim`, computed directly (stable for logits of any size)."""
    input = input if dtype is None else input.to(dtype)
    return LogSoftmax.apply(input, dim=_softmax_dim(input, dim, "log_softmax"))


__all__ = [
    "elu", "gelu", "leaky_relu", "log_softmax", "relu", "selu", "sigmoid", "softmax",
    "softplus", "tanh",
]
