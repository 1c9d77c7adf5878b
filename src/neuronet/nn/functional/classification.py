"""Losses over class scores: cross_entropy (fused log-softmax + NLL), nll_loss,
multi_margin_loss (the multiclass SVM hinge loss).

Shapes follow PyTorch: input (N, C) with class-index target (N,), or input (N, C, d1, ...) with
target (N, d1, ...), or one unbatched sample (C,) with a 0-d target. The class axis is 1
(0 when unbatched).
"""

import numpy as np

from neuronet.autograd.function import Function, as_array
from neuronet.autograd.tensor import Tensor
from neuronet.nn.functional.activation import log_softmax_array
from neuronet.nn.functional.loss_utils import check_input, check_reduction, class_weight


# ----- shared by the three losses -----------------------------------------------------------
def _batched(x):
    """Unbatched (C,) scores as a batch of one, (1, C); anything else unchanged."""
    return x[None] if x.ndim == 1 else x


def _check_class_target(input, target, ignore_index, op):
    """Check integer class indices against the input; return them as an int array."""
    t = as_array(target)
    expected = input.shape[:1] + input.shape[2:] if input.ndim > 1 else ()
    if t.dtype.kind not in "iu":
        raise TypeError(f"{op}: class-index target must be an integer tensor, got dtype {t.dtype}")
    if t.shape != expected:
        raise ValueError(
            f"{op}: input of shape {input.shape} needs a target of shape {expected} "
            f"(one class index per sample and position), got {t.shape}"
        )
    n_classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    bad = (t < 0) | (t >= n_classes)
    if ignore_index is not None:
        bad &= t != ignore_index
    if bad.any():
        allowed = "" if ignore_index is None else f", or ignore_index={ignore_index}"
        raise ValueError(
            f"{op}: target {int(t[bad].flat[0])} is out of range for {n_classes} classes "
            f"(valid: 0..{n_classes - 1}{allowed})"
        )
    return t


class ClassScoreLoss(Function):
    """What the three losses share: unbatched input, the reduction, and its gradient.

    A subclass computes per-position losses on the batched scores (N, C, *) and returns
    `self.reduce(...)`; in backward, `self.loss_grad(g)` is d(output)/d(per-position loss),
    shaped to broadcast against (N, C, *) (a size-1 class axis) or a scalar.
    """

    def reduce(self, loss, shape, reduction, denominator):
        self.shape, self.reduction, self.denominator = shape, reduction, denominator
        self.position_shape = loss.shape[:1] + (1,) + loss.shape[1:]
        if reduction == "none":
            out = loss
        elif reduction == "sum":
            out = np.asarray(loss.sum(), loss.dtype)
        else:
            with np.errstate(invalid="ignore", divide="ignore"):  # 0/0 = NaN, as torch
                out = np.asarray(loss.sum() / denominator, loss.dtype)
        return out.reshape(()) if len(shape) == 1 else out

    def loss_grad(self, g):
        if self.reduction == "none":
            return g.reshape(self.position_shape)
        if self.reduction == "sum":
            return g
        if self.denominator == 0:  # everything ignored: torch gives a NaN loss, zero gradients
            return np.zeros((), g.dtype)
        return g / self.denominator

    def pick_targets(self, logp, target, weight, ignore_index):
        """-w_t log p_t per position; saves the indices (N, 1, *), mask and weights w_t."""
        target = target.reshape(logp.shape[:1] + logp.shape[2:])
        self.valid = valid = target != ignore_index
        safe = target if valid.all() else np.where(valid, target, 0)
        self.wt = valid.astype(logp.dtype) if weight is None else weight[safe] * valid
        self.t = np.expand_dims(safe, 1)
        return -np.take_along_axis(logp, self.t, axis=1)[:, 0] * self.wt


# ----- cross entropy --------------------------------------------------------------------
class CrossEntropy(ClassScoreLoss):
    """Fused log_softmax + negative log-likelihood with class weights and label smoothing.

    With log p = log_softmax(z) over the class axis, every position's loss is
    sum_c a_c * (-log p_c) for coefficients a:
      class targets:       a = (1 - s) w_t [c == t] + (s / C) w_c     (a = 0 where ignored)
      probability targets: a = w_c ((1 - s) q_c + s / C)
    Since d(-log p_c)/dz_k = p_k - [c == k], the gradient is  p * sum_c a_c - a.
    """

    def forward(self, z, target, weight, ignore_index, smoothing, reduction, probabilities):
        shape = z.shape
        z = _batched(z)
        n_classes = z.shape[1]
        self.logp = logp = log_softmax_array(z, 1)
        w = None if weight is None else weight.reshape((1, -1) + (1,) * (z.ndim - 2))
        self.w, self.smoothing, self.probabilities = w, smoothing, probabilities
        if probabilities:
            a = _batched(target) * (1 - smoothing) + smoothing / n_classes
            self.a = a if w is None else a * w
            loss = -(self.a * logp).sum(axis=1)
            return self.reduce(loss, shape, reduction, loss.size)
        loss = self.pick_targets(logp, target, weight, ignore_index)
        if smoothing:
            loss *= 1 - smoothing
            per_class = -logp if w is None else -logp * w
            loss += (smoothing / n_classes) * per_class.sum(axis=1) * self.valid
        return self.reduce(loss, shape, reduction, self.wt.sum())

    def backward(self, g):
        scale = self.loss_grad(g)
        p = np.exp(self.logp)
        s, n_classes = self.smoothing, p.shape[1]
        gz = gq = None
        if self.probabilities:
            if self.needs_input_grad[0]:
                gz = scale * (p * self.a.sum(axis=1, keepdims=True) - self.a)
            if self.needs_input_grad[1]:
                gq = -(1 - s) * scale * self.logp
                gq = (gq if self.w is None else gq * self.w).reshape(self.shape)
        elif self.needs_input_grad[0]:
            picked = (1 - s) * np.expand_dims(self.wt, 1)
            total = picked
            if s:
                smooth = (s / n_classes) * np.expand_dims(self.valid, 1).astype(p.dtype)
                total = picked + smooth * (n_classes if self.w is None else self.w.sum())
            gz = p * (scale * total)
            if s:
                gz -= scale * smooth * (1 if self.w is None else self.w)
            at_target = np.take_along_axis(gz, self.t, axis=1) - scale * picked
            np.put_along_axis(gz, self.t, at_target, axis=1)
        return (None if gz is None else gz.reshape(self.shape)), gq


def _check_scores(input, weight, reduction, op):
    """Check the (N, C, *) or (C,) scores and the options; return the class weight array."""
    check_input(input, op)
    check_reduction(reduction, op)
    if input.ndim == 0:
        raise ValueError(f"{op}: input needs a class axis, got a 0-d tensor")
    n_classes = input.shape[1] if input.ndim > 1 else input.shape[0]
    return class_weight(weight, n_classes, input.dtype, op)


def cross_entropy(input, target, weight=None, *, ignore_index=-100, reduction="mean",
                  label_smoothing=0.0):
    """Cross-entropy between softmax(input) over classes and the target, in one fused op.

    input: raw scores (N, C), (N, C, d1, ...) or (C,).
    target: class indices (N,), (N, d1, ...) or () -- any integer dtype; or class
    probabilities with the input's shape and dtype (then differentiable too).
    weight: (C,) rescaling of each class. 'mean' divides by the summed weights of the
    non-ignored targets (by the number of positions for probability targets), as PyTorch.
    ignore_index: targets equal to it add nothing (class-index targets only).
    label_smoothing: s in [0, 1]: the target becomes (1 - s) * target + s / C.
    """
    op = "cross_entropy"
    w = _check_scores(input, weight, reduction, op)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"{op}: label_smoothing must be in [0, 1], got {label_smoothing}")
    t = as_array(target)
    probabilities = t.dtype.kind == "f" and t.shape == input.shape
    if probabilities:
        if t.dtype != input.dtype:
            raise TypeError(
                f"{op}: probability target must have the input's dtype {input.dtype}, got {t.dtype}"
            )
        if ignore_index != -100:
            raise ValueError(f"{op}: ignore_index is not supported for probability targets")
        target_arg = target if isinstance(target, Tensor) else t
    elif t.dtype.kind == "f":
        raise TypeError(
            f"{op}: a float target holds class probabilities and must have the input's shape "
            f"{input.shape}, got {t.shape}; class indices must be an integer tensor"
        )
    else:
        target_arg = _check_class_target(input, t, ignore_index, op)
    return CrossEntropy.apply(
        input, target_arg, weight=w, ignore_index=ignore_index, smoothing=float(label_smoothing),
        reduction=reduction, probabilities=probabilities,
    )


# ----- negative log-likelihood ------------------------------------------------------------
class NLLLoss(ClassScoreLoss):
    """-w_t * input[t] per position; the input already holds log-probabilities."""

    def forward(self, logp, target, weight, ignore_index, reduction):
        shape = logp.shape
        logp = _batched(logp)
        self.batched_shape = logp.shape
        loss = self.pick_targets(logp, target, weight, ignore_index)
        return self.reduce(loss, shape, reduction, self.wt.sum())

    def backward(self, g):
        grad = np.zeros(self.batched_shape, dtype=g.dtype)
        np.put_along_axis(grad, self.t, -self.loss_grad(g) * np.expand_dims(self.wt, 1), axis=1)
        return grad.reshape(self.shape)


def nll_loss(input, target, weight=None, *, ignore_index=-100, reduction="mean"):
    """Negative log-likelihood of class-index targets; `input` holds log-probabilities.

    input: (N, C), (N, C, d1, ...) or (C,); target: (N,), (N, d1, ...) or () integers.
    weight, ignore_index and reduction as in `cross_entropy`.
    """
    op = "nll_loss"
    w = _check_scores(input, weight, reduction, op)
    t = _check_class_target(input, target, ignore_index, op)
    return NLLLoss.apply(input, t, weight=w, ignore_index=ignore_index, reduction=reduction)


# ----- multiclass hinge loss ---------------------------------------------------------------
class MultiMargin(ClassScoreLoss):
    """sum over wrong classes j of w_t * max(0, margin - z_t + z_j)^p, divided by C."""

    def forward(self, z, target, weight, p, margin, reduction):
        shape, self.p = z.shape, p
        z = _batched(z)
        n, n_classes = z.shape
        self.t = target.reshape(n, 1)
        self.gap = margin - np.take_along_axis(z, self.t, axis=1) + z
        self.active = self.gap > 0
        np.put_along_axis(self.active, self.t, False, axis=1)  # the true class never counts
        factor = np.ones((n, 1), z.dtype) if weight is None else weight[self.t]
        self.factor = factor / n_classes
        hinge = np.where(self.active, self.gap if p == 1 else self.gap * self.gap, 0)
        return self.reduce((hinge * self.factor).sum(axis=1), shape, reduction, n)

    def backward(self, g):
        slope = self.active if self.p == 1 else 2 * self.gap * self.active
        grad = slope * (self.loss_grad(g) * self.factor)
        np.put_along_axis(grad, self.t, -grad.sum(axis=1, keepdims=True), axis=1)
        return grad.reshape(self.shape)


def multi_margin_loss(input, target, p=1, margin=1.0, weight=None, *, reduction="mean"):
    """Multiclass SVM hinge loss (Weston-Watkins / Crammer-Singer style, as PyTorch).

    input: scores (N, C) or (C,); target: class indices (N,) or ().
    Per sample: sum over j != t of w_t * max(0, margin - input[t] + input[j])^p, divided by C.
    p: 1 or 2. weight: (C,) or None. 'mean' averages over the N samples.
    """
    op = "multi_margin_loss"
    w = _check_scores(input, weight, reduction, op)
    if p not in (1, 2):
        raise ValueError(f"{op}: p must be 1 or 2, got {p!r}")
    if input.ndim not in (1, 2) or input.shape[-1] == 0:
        raise ValueError(
            f"{op}: input must be a non-empty (N, C) or (C,) tensor, got shape {input.shape}"
        )
    t = _check_class_target(input, target, None, op)
    return MultiMargin.apply(input, t, weight=w, p=p, margin=margin, reduction=reduction)
