"""RMSprop: steps divided by a running RMS of the gradients, as `torch.optim.RMSprop`."""

import numpy as np

from neuronet.optim.optimizer import Optimizer, ema_


class RMSprop(Optimizer):
    """`RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
    centered=False, *, maximize=False)`.

    Per step, with g the gradient (negated when maximize) plus weight_decay * w:
        v = alpha * v + (1 - alpha) * g * g
        a = alpha * a + (1 - alpha) * g;  den = sqrt(v - a * a) + eps      (centered)
        den = sqrt(v) + eps                                                  (otherwise)
        b = momentum * b + g / den;  w = w - lr * b                          (momentum > 0)
        w = w - lr * g / den                                                 (otherwise)
    State per parameter: "step", "square_avg", "momentum_buffer" (momentum > 0),
    "grad_avg" (centered).
    """

    _nonnegative = ("lr", "eps", "momentum", "weight_decay", "alpha")

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, *, maximize=False):
        defaults = {
            "lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
            "weight_decay": weight_decay, "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _update_group(self, group):
        lr = float(group["lr"])
        alpha = float(group["alpha"])
        eps = float(group["eps"])
        momentum = float(group["momentum"])
        weight_decay = float(group["weight_decay"])
        centered = group["centered"]
        for w, g, state in self._with_grad(group):
            if not state:
                state["step"] = 0.0
                state["square_avg"] = np.zeros_like(w)
                if momentum > 0:
                    state["momentum_buffer"] = np.zeros_like(w)
                if centered:
                    state["grad_avg"] = np.zeros_like(w)
            state["step"] += 1
            d = self._effective_grad(w, g, weight_decay, group["maximize"])
            square_avg = state["square_avg"]
            den = self._scratch(w, 1)
            np.multiply(d, d, out=den)
            ema_(square_avg, den, alpha, den)
            if centered:
                grad_avg = state["grad_avg"]
                ema_(grad_avg, d, alpha, den)
                np.multiply(grad_avg, grad_avg, out=den)
                np.subtract(square_avg, den, out=den)
                np.sqrt(den, out=den)
            else:
                np.sqrt(square_avg, out=den)
            den += eps
            if momentum > 0:
                buf = state["momentum_buffer"]
                buf *= momentum
                np.divide(d, den, out=den)
                buf += den
                np.multiply(buf, -lr, out=den)
            else:
                np.divide(d, den, out=den)
                den *= -lr
            w += den
