"""One module per loss, each a thin wrapper of the function of the same name in
`neuronet.nn.functional`, with PyTorch's constructor arguments.

`reduction` is "mean" (default), "sum" or "none" (one loss per element/sample). Class
weights (`weight`, `pos_weight`) are registered as buffers, as in PyTorch, so they follow
`to(dtype)` and appear in `state_dict()`. PyTorch's deprecated `size_average` and `reduce`
arguments are not supported; use `reduction`. Call as `loss_fn(input, target)`.
"""

from neuronet.nn import functional as F
from neuronet.nn.modules.module import Module

_REDUCTIONS = ("mean", "sum", "none")


class _Loss(Module):
    def __init__(self, reduction="mean"):
        super().__init__()
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"{self._get_name()}: reduction must be one of "
                f"{', '.join(map(repr, _REDUCTIONS))}, got {reduction!r}"
            )
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with an optional per-class `weight` tensor (a buffer)."""

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """Mean squared error: (input - target)^2. input and target: same shape."""

    def forward(self, input, target):
        return F.mse_loss(input, target, reduction=self.reduction)


class L1Loss(_Loss):
    """Mean absolute error: |input - target|. input and target: same shape."""

    def forward(self, input, target):
        return F.l1_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross-entropy on probabilities in [0, 1]; `weight` rescales each element."""

    def __init__(self, weight=None, *, reduction="mean"):
        super().__init__(weight, reduction)

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, weight=self.weight, reduction=self.reduction)


class BCEWithLogitsLoss(_WeightedLoss):
    """Sigmoid + binary cross-entropy fused (stable for large logits).

    pos_weight: (C,) weight of the positive examples of each class (a buffer).
    """

    def __init__(self, weight=None, *, reduction="mean", pos_weight=None):
        super().__init__(weight, reduction)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(
            input, target, weight=self.weight, reduction=self.reduction, pos_weight=self.pos_weight
        )


class CrossEntropyLoss(_WeightedLoss):
    """Log-softmax + negative log-likelihood fused: input (N, C) scores, target (N,) class
    indices or (N, C) probabilities; also (N, C, d1, ...) with target (N, d1, ...).
    """

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index
        self.label_smoothing = label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, weight=self.weight, ignore_index=self.ignore_index,
                               reduction=self.reduction, label_smoothing=self.label_smoothing)


class NLLLoss(_WeightedLoss):
    """Negative log-likelihood: input (N, C) log-probabilities, target (N,) class indices."""

    def __init__(self, weight=None, *, ignore_index=-100, reduction="mean"):
        super().__init__(weight, reduction)
        self.ignore_index = ignore_index

    def forward(self, input, target):
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class MultiMarginLoss(_WeightedLoss):
    """Multiclass hinge loss (the multiclass SVM): input (N, C) scores, target (N,) classes.

    Per sample: sum over wrong classes j of max(0, margin - x[y] + x[j])^p / C.
    """

    def __init__(self, p=1, margin=1.0, weight=None, *, reduction="mean"):
        if p not in (1, 2):
            raise ValueError(f"MultiMarginLoss: only p = 1 and p = 2 are supported, got {p!r}")
        super().__init__(weight, reduction)
        self.p = p
        self.margin = margin

    def forward(self, input, target):
        return F.multi_margin_loss(input, target, p=self.p, margin=self.margin,
                                   weight=self.weight, reduction=self.reduction)


class HuberLoss(_Loss):
    """Quadratic for |input - target| < delta, linear beyond (scaled by delta)."""

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction)
        self.delta = delta

    def forward(self, input, target):
        return F.huber_loss(input, target, reduction=self.reduction, delta=self.delta)


class SmoothL1Loss(_Loss):
    """Quadratic (divided by beta) for |input - target| < beta, L1 beyond: Huber / beta."""

    def __init__(self, *, reduction="mean", beta=1.0):
        super().__init__(reduction)
        self.beta = beta

    def forward(self, input, target):
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)
