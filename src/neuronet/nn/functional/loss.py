"""Elementwise losses: regression (mse, l1, huber, smooth_l1) and binary classification
(binary_cross_entropy, binary_cross_entropy_with_logits).

input and target have the same shape (any); the target is differentiable too, as in PyTorch.
Each loss is one op giving the per-element losses, then the reduction: 'mean' (over all
elements), 'sum' or 'none' (the per-element losses, shaped like the input).
The class-score losses (cross_entropy, nll_loss, multi_margin_loss) live in classification.py.
"""

import numpy as np

from neuronet.autograd.function import Function
from neuronet.autograd.tensor import Tensor
from neuronet.nn.functional.loss_utils import (
    broadcast_weight,
    check_reduction,
    check_same_shape_target,
    reduce,
)
from neuronet.ops.elementwise import div, mul
from neuronet.ops.reduce import sum

# torch bounds BCE's gradient denominator x (1 - x) by 1e-12 (held in single precision) so that
# x = 0 or 1 gives a finite gradient; the same bound gives the same gradients there.
_BCE_EPS = float(np.float32(1e-12))


class PointwiseLoss(Function):
    """A per-element loss l(x, t). Subclasses give `forward` and `slope()` = dl/dx;
    dl/dt is -dl/dx (a function of x - t) unless `target_slope` says otherwise."""

    def slope(self):
        raise NotImplementedError

    def target_slope(self, slope):
        return -slope

    def backward(self, g):
        slope = self.slope()
        gx = g * slope if self.needs_input_grad[0] else None
        gt = g * self.target_slope(slope) if self.needs_input_grad[1] else None
        return gx, gt


class SquaredError(PointwiseLoss):
    def forward(self, x, t):
        self.diff = x - t
        return self.diff * self.diff

    def slope(self):
        return 2 * self.diff


class AbsoluteError(PointwiseLoss):
    def forward(self, x, t):
        self.diff = x - t
        return np.abs(self.diff)

    def slope(self):
        return np.sign(self.diff)  # 0 at x == t, as PyTorch


class Huber(PointwiseLoss):
    """scale * (0.5 d^2 where |d| < delta, else delta * (|d| - delta / 2)), d = x - t.

    scale 1 is huber_loss(delta); scale 1 / beta with delta = beta is smooth_l1_loss(beta).
    """

    def forward(self, x, t, delta, scale):
        self.diff, self.delta, self.scale = x - t, delta, scale
        a = np.abs(self.diff)
        loss = np.where(a < delta, 0.5 * self.diff * self.diff, delta * (a - 0.5 * delta))
        return (loss * scale).astype(x.dtype, copy=False)

    def slope(self):
        return np.clip(self.diff, -self.delta, self.delta) * self.scale


class BinaryCrossEntropy(PointwiseLoss):
    """-w (t log x + (1 - t) log(1 - x)) with each log clamped at -100, as PyTorch."""

    def forward(self, x, t, w):
        self.x, self.t, self.w = x, t, w
        with np.errstate(divide="ignore"):  # log(0) = -inf, then clamped
            self.log_x = np.maximum(np.log(x), -100)
            self.log_1mx = np.maximum(np.log1p(-x), -100)
        loss = -(t * self.log_x + (1 - t) * self.log_1mx)
        return loss if w is None else loss * w

    def slope(self):
        s = (self.x - self.t) / np.maximum((1 - self.x) * self.x, _BCE_EPS)
        return s if self.w is None else s * self.w

    def target_slope(self, slope):
        s = self.log_1mx - self.log_x
        return s if self.w is None else s * self.w


class BinaryCrossEntropyWithLogits(PointwiseLoss):
    """w ((1 - t) x + (1 + (pw - 1) t) softplus(-x)): the BCE of sigmoid(x), never overflowing.

    softplus(-x) = -log(sigmoid(x)) = logaddexp(0, -x) is exact for logits of any size.
    """

    def forward(self, x, t, w, pos_weight):
        self.x, self.t, self.w, self.pw = x, t, w, pos_weight
        self.softplus = np.logaddexp(0, -x)
        log_weight = 1 if pos_weight is None else 1 + (pos_weight - 1) * t
        loss = (1 - t) * x + log_weight * self.softplus
        return loss if w is None else loss * w

    def slope(self):
        sig = np.exp(-self.softplus)
        if self.pw is None:
            s = sig - self.t
        else:
            s = (1 + (self.pw - 1) * self.t) * sig - self.pw * self.t
        return s if self.w is None else s * self.w

    def target_slope(self, slope):
        s = -self.x if self.pw is None else (self.pw - 1) * self.softplus - self.x
        return s if self.w is None else s * self.w


def _pointwise(op_class, name, input, target, reduction, weight=None, mean_over_weight=True,
               **params):
    """Per-element losses of `op_class`, optionally times a same-shape `weight`, reduced.

    The weight is an ordinary differentiable factor, as in PyTorch. With a weight, 'mean' is
    sum(w * l) / sum(w) for mse and l1 (`mean_over_weight`) but mean(w * l) for huber: PyTorch
    defines them differently and we follow it.
    """
    check_reduction(reduction, name)
    target = check_same_shape_target(input, target, name)
    loss = op_class.apply(input, target, **params)
    if weight is None:
        return reduce(loss, reduction)
    if tuple(weight.shape) != input.shape:
        raise ValueError(
            f"{name}: weight must have the input's shape {input.shape}, got {tuple(weight.shape)}"
        )
    loss = mul(loss, weight)
    if reduction == "mean" and mean_over_weight:
        return div(sum(loss), sum(weight if isinstance(weight, Tensor) else Tensor(weight)))
    return reduce(loss, reduction)


def mse_loss(input, target, *, reduction="mean", weight=None):
    """Squared error (x - t)^2 per element; weight: the input's shape, or None."""
    return _pointwise(SquaredError, "mse_loss", input, target, reduction, weight)


def l1_loss(input, target, *, reduction="mean", weight=None):
    """Absolute error |x - t| per element; weight: the input's shape, or None."""
    return _pointwise(AbsoluteError, "l1_loss", input, target, reduction, weight)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Quadratic for |x - t| < delta, linear (slope delta) beyond: robust to outliers.

    weight: the input's shape, or None ('mean' is then the plain mean of the weighted losses).
    """
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    return _pointwise(Huber, "huber_loss", input, target, reduction, weight,
                      mean_over_weight=False, delta=delta, scale=1.0)


def smooth_l1_loss(input, target, *, reduction="mean", beta=1.0):
    """huber_loss(delta=beta) / beta: 0.5 d^2 / beta for |d| < beta, |d| - beta / 2 beyond.

    beta = 0 is exactly l1_loss, as in PyTorch.
    """
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be non-negative, got {beta}")
    if beta == 0:
        return _pointwise(AbsoluteError, "smooth_l1_loss", input, target, reduction)
    return _pointwise(Huber, "smooth_l1_loss", input, target, reduction, delta=beta,
                      scale=1.0 / beta)


def binary_cross_entropy(input, target, weight=None, *, reduction="mean"):
    """-(t log p + (1 - t) log(1 - p)) for probabilities p = input in [0, 1].

    weight: broadcastable to the input's shape, multiplies each element's loss.
    Logs are clamped at -100 (as PyTorch) so p = 0 or 1 gives a finite loss.
    """
    name = "binary_cross_entropy"
    check_reduction(reduction, name)
    target = check_same_shape_target(input, target, name)
    x = input.data
    if x.size and not (x.min() >= 0 and x.max() <= 1):
        raise ValueError(
            f"{name}: input must hold probabilities in [0, 1], got values in "
            f"[{x.min()}, {x.max()}] (use binary_cross_entropy_with_logits for raw scores)"
        )
    w = broadcast_weight(weight, input.shape, input.dtype, name)
    return reduce(BinaryCrossEntropy.apply(input, target, w=w), reduction)


def binary_cross_entropy_with_logits(input, target, weight=None, *, reduction="mean",
                                     pos_weight=None):
    """binary_cross_entropy(sigmoid(input), target) fused and stable for logits of any size.

    weight: broadcastable to the input's shape, multiplies each element's loss.
    pos_weight: broadcastable to the input's shape (typically (C,) for (N, C) multi-label
    scores), multiplies the loss of the positive term: > 1 favours recall.
    """
    name = "binary_cross_entropy_with_logits"
    check_reduction(reduction, name)
    target = check_same_shape_target(input, target, name)
    w = broadcast_weight(weight, input.shape, input.dtype, name)
    pw = broadcast_weight(pos_weight, input.shape, input.dtype, name, "pos_weight")
    return reduce(BinaryCrossEntropyWithLogits.apply(input, target, w=w, pos_weight=pw), reduction)
