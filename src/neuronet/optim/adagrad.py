"""Adagrad: per-coordinate step sizes shrinking with the summed squared gradients, as
`torch.optim.Adagrad`."""

import numpy as np

from neuronet.optim.optimizer import Optimizer


class Adagrad(Optimizer):
    """`Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
    eps=1e-10, *, maximize=False)`.

    Per step t (from 1), with g the gradient (negated when maximize) plus weight_decay * w:
        s = s + g * g
        w = w - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)
    State per parameter: "step", "sum" (starting at initial_accumulator_value); as in
    PyTorch it exists from construction on, for every parameter.
    """

    _nonnegative = ("lr", "lr_decay", "weight_decay", "initial_accumulator_value", "eps")

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, *, maximize=False):
        defaults = {
            "lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
            "initial_accumulator_value": initial_accumulator_value, "maximize": maximize,
        }
        super().__init__(params, defaults)

    def add_param_group(self, param_group):
        super().add_param_group(param_group)
        group = self.param_groups[-1]
        for p in group["params"]:
            self.state[p] = self._fresh_state(p.data, group)

    @staticmethod
    def _fresh_state(w, group):
        return {"step": 0.0, "sum": np.full(w.shape, group["initial_accumulator_value"], w.dtype)}

    def _update_group(self, group):
        lr = float(group["lr"])
        lr_decay = float(group["lr_decay"])
        eps = float(group["eps"])
        weight_decay = float(group["weight_decay"])
        for w, g, state in self._with_grad(group):
            if not state:  # a parameter that a loaded state dict had no state for
                state.update(self._fresh_state(w, group))
            state["step"] += 1
            d = self._effective_grad(w, g, weight_decay, group["maximize"])
            clr = lr / (1 + (state["step"] - 1) * lr_decay)
            s = state["sum"]
            tmp = self._scratch(w, 1)
            np.multiply(d, d, out=tmp)
            s += tmp
            np.sqrt(s, out=tmp)
            tmp += eps
            np.divide(d, tmp, out=tmp)
            tmp *= -clr
            w += tmp
