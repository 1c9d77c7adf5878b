"""Stochastic gradient descent, optionally with (Nesterov) momentum, as `torch.optim.SGD`."""

import numpy as np

from neuronet.optim.optimizer import Optimizer, check_number


class SGD(Optimizer):
    """`SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
    maximize=False)`.

    Per step, with g the gradient (negated when maximize) plus weight_decay * w:
        b = g on the first step, else momentum * b + (1 - dampening) * g   (if momentum)
        g = g + momentum * b if nesterov else b                            (if momentum)
        w = w - lr * g
    State per parameter: "momentum_buffer" (only when momentum != 0).
    """

    _nonnegative = ("lr", "momentum", "weight_decay")

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0,
                 nesterov=False, *, maximize=False):
        defaults = {
            "lr": lr, "momentum": momentum, "dampening": dampening,
            "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
        }
        super().__init__(params, defaults)

    def _check_group(self, group):
        super()._check_group(group)
        check_number(self._name, "dampening", group["dampening"])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                f"{self._name}: nesterov=True needs momentum > 0 and dampening = 0, got "
                f"momentum={group['momentum']!r}, dampening={group['dampening']!r}"
            )

    def _update_group(self, group):
        lr = float(group["lr"])
        momentum = float(group["momentum"])
        dampening = float(group["dampening"])
        weight_decay = float(group["weight_decay"])
        nesterov, maximize = group["nesterov"], group["maximize"]
        for w, g, state in self._with_grad(group):
            d = self._effective_grad(w, g, weight_decay, maximize)
            if momentum:
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = d.copy()
                else:
                    buf *= momentum
                    buf += d if dampening == 0 else d * (1 - dampening)
                d = d + momentum * buf if nesterov else buf
            step = self._scratch(w, 1)
            np.multiply(d, -lr, out=step)
            w += step
