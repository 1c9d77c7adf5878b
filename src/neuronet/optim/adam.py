"""Adam and AdamW: steps from bias-corrected running moments of the gradient, as
`torch.optim.Adam` / `torch.optim.AdamW`."""

import numpy as np

from neuronet.optim.optimizer import Optimizer, check_number, ema_


class Adam(Optimizer):
    """`Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    maximize=False, decoupled_weight_decay=False)`.

    Per step t (from 1), with g the gradient (negated when maximize):
        w = w * (1 - lr * weight_decay)          (decoupled_weight_decay, i.e. AdamW)
        g = g + weight_decay * w                 (otherwise: L2 penalty in the gradient)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        v_max = max(v_max, v), used instead of v   (amsgrad)
        w = w - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    State per parameter: "step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq" (amsgrad).
    """

    _nonnegative = ("lr", "eps", "weight_decay")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False):
        defaults = {
            "lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad,
            "maximize": maximize, "decoupled_weight_decay": decoupled_weight_decay,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        betas = group["betas"]
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"{self._name}: betas must be a pair (beta1, beta2), got {betas!r}")
        group["betas"] = tuple(betas)
        for i, beta in enumerate(betas):
            check_number(self._name, f"betas[{i}]", beta, low=0.0, high=1.0, high_open=True)

    def _update_group(self, group):
        lr = float(group["lr"])
        beta1, beta2 = (float(b) for b in group["betas"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        decoupled, amsgrad = group["decoupled_weight_decay"], group["amsgrad"]
        for w, g, state in self._with_grad(group):
            if not state:
                state["step"] = 0.0
                state["exp_avg"] = np.zeros_like(w)
                state["exp_avg_sq"] = np.zeros_like(w)
                if amsgrad:
                    state["max_exp_avg_sq"] = np.zeros_like(w)
            state["step"] += 1
            step = state["step"]
            if decoupled and weight_decay:
                w *= 1 - lr * weight_decay
            d = self._effective_grad(w, g, 0.0 if decoupled else weight_decay,
                                     group["maximize"])
            m, v = state["exp_avg"], state["exp_avg_sq"]
            tmp = self._scratch(w, 1)
            ema_(m, d, beta1, tmp)
            np.multiply(d, d, out=tmp)
            ema_(v, tmp, beta2, tmp)
            if amsgrad:
                v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
            # w += m / den with den = (sqrt(v) / sqrt(bc2) + eps) / -step_size, PyTorch's
            # capturable-mode arrangement: one pass fewer than scaling m / den afterwards
            step_size_neg = -lr / (1 - beta1**step)
            np.sqrt(v, out=tmp)
            tmp *= 1 / ((1 - beta2**step) ** 0.5 * step_size_neg)  # multiplying is faster
            tmp += eps / step_size_neg
            np.divide(m, tmp, out=tmp)
            w += tmp


class AdamW(Adam):
    """`AdamW(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False,
    *, maximize=False)`: Adam with decoupled weight decay (w shrinks by lr * weight_decay
    each step instead of the decay entering the gradient)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True)
