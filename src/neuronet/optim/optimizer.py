"""`Optimizer`: what every optimizer shares: parameter groups, per-parameter state, stepping,
and a `state_dict()` in PyTorch's layout.

    opt = neuronet.optim.SGD([{"params": body, "lr": 0.1}, {"params": head}], lr=0.01)
    loss.backward(); opt.step(); opt.zero_grad()

`param_groups` is a list of dicts: "params" (the tensors) plus every hyper-parameter, filled in
from the optimizer's defaults where the group did not say. `state[p]` is a dict per parameter
(NumPy arrays, plus "step" as a float where the optimizer counts steps).

`state_dict()` gives {"state": {index: {...}}, "param_groups": [{..., "params": [indices]}]}
where a parameter's index is its position counted through all groups in order, as in
PyTorch; it holds only NumPy arrays, numbers, strings, bools, tuples and lists (copies, not
views of the live state), so it can be written without pickle.

A subclass implements `_update_group(group)`, which updates, in place and in the parameter's
dtype, every parameter of the group that has a gradient; it lists in `_nonnegative` the
hyper-parameters that must be real numbers >= 0 and extends `_check_group(group)` for any
other rule.
"""

import math
import numbers
from collections import defaultdict

import numpy as np

from neuronet.autograd.grad_mode import enable_grad
from neuronet.autograd.tensor import Tensor


class Optimizer:
    """Base class of all optimizers: `Optimizer(params, defaults)`.

    params: an iterable of tensors, or of dicts {"params": tensors, <hyper-parameter>: value}
    defining parameter groups. defaults: the hyper-parameters a group gets when it does not
    set them.
    """

    # hyper-parameters that must be real numbers >= 0, checked in this order
    _nonnegative = ("lr",)

    def __init__(self, params, defaults):
        self.defaults = dict(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        # how often step() ran; an LR scheduler warns when it is stepped before the optimizer
        self._step_calls = 0
        self._scratch_buffers = {}
        if isinstance(params, Tensor):
            raise TypeError(
                f"{self._name}: params must be an iterable of tensors or of dicts, got a single "
                "Tensor; wrap it in a list: [tensor]"
            )
        groups = self._ordered_list(params)
        if not groups:
            raise ValueError(f"{self._name}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    @property
    def _name(self):
        return type(self).__name__

    def __repr__(self):
        lines = [f"{self._name} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {v}" for k, v in sorted(group.items()) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ----- parameter groups -------------------------------------------------------------
    def add_param_group(self, param_group):
        """Add a group {"params": tensors, ...}; missing hyper-parameters come from defaults."""
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{self._name}: a parameter group must be a dict, got {type(param_group).__name__}"
            )
        group = dict(param_group)
        params = group.get("params")
        if isinstance(params, Tensor):
            params = [params]
        elif params is None:
            raise ValueError(f"{self._name}: a parameter group needs a 'params' entry")
        params = self._ordered_list(params)
        for p in params:
            self._check_parameter(p)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self._name}: a parameter group lists the same tensor twice")
        if seen.intersection(ids):
            raise ValueError(f"{self._name}: some parameters appear in more than one group")
        group["params"] = params
        for name, default in self.defaults.items():
            group.setdefault(name, default)
        self._check_group(group)
        self.param_groups.append(group)

    def _ordered_list(self, items):
        # a set has no fixed order, so the state_dict indices would not be reproducible
        if isinstance(items, (set, frozenset)):
            raise TypeError(
                f"{self._name}: parameters must be given in a fixed order (a list or tuple), "
                "not a set"
            )
        return list(items)

    def _check_parameter(self, p):
        if not isinstance(p, Tensor):
            raise TypeError(f"{self._name}: can only optimize Tensors, got {type(p).__name__}")
        if not p.is_leaf:
            raise ValueError(
                f"{self._name}: can't optimize a non-leaf tensor (one computed by an op); "
                "optimize the leaf it was computed from"
            )
        if p.data.dtype.kind != "f":
            raise TypeError(
                f"{self._name}: can only optimize floating point tensors, got dtype {p.dtype}"
            )

    def _check_group(self, group):
        """Raise ValueError/TypeError for a bad hyper-parameter; subclasses extend."""
        for name in self._nonnegative:
            check_number(self._name, name, group[name], low=0.0)

    # ----- stepping -----------------------------------------------------------------------
    def zero_grad(self, set_to_none=True):
        """Forget the gradients: set `.grad` to None (default) or fill it with zeros."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.data.fill(0)

    def step(self, closure=None):
        """Update every parameter that has a gradient; return closure() if one is given.

        closure: optional callable that re-evaluates the model (with gradients recorded) and
        returns the loss; it is called before the update.
        """
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        for group in self.param_groups:
            self._update_group(group)
        self._step_calls += 1
        return loss

    def _update_group(self, group):
        raise NotImplementedError

    def _with_grad(self, group):
        """(parameter array, gradient array, state dict) for each parameter with a gradient."""
        for p in group["params"]:
            if p.grad is None:
                continue
            w, g = p.data, p.grad.data
            if g.shape != w.shape:
                raise ValueError(
                    f"{self._name}.step: a parameter of shape {w.shape} has a gradient of shape "
                    f"{g.shape}"
                )
            yield w, g, self.state[p]

    def _scratch(self, like, slot=0):
        """A work array shaped and typed like `like`, reused across steps (contents undefined).

        One flat buffer per (dtype, slot), as large as the largest parameter, so updates make
        no new temporaries; `slot` tells apart buffers needed at the same time.
        """
        key = (like.dtype, slot)
        buf = self._scratch_buffers.get(key)
        if buf is None or buf.size < like.size:
            buf = np.empty(like.size, dtype=like.dtype)
            self._scratch_buffers[key] = buf
        return buf[: like.size].reshape(like.shape)

    def _effective_grad(self, w, g, weight_decay, maximize):
        """The gradient the update uses: -g when maximizing, plus weight_decay * w (L2).

        Returns g itself (never modified) when there is nothing to add, else scratch slot 0.
        """
        if not weight_decay and not maximize:
            return g
        d = self._scratch(w, 0)
        if weight_decay:
            np.multiply(w, weight_decay, out=d)
            if maximize:
                np.subtract(d, g, out=d)
            else:
                np.add(d, g, out=d)
        else:
            np.negative(g, out=d)
        return d

    # ----- saving and loading -------------------------------------------------------------
    def state_dict(self):
        """{"state": {index: {name: array or number}}, "param_groups": [{..., "params": [index]}]}.

        Indices count the parameters through all groups in order. Everything is a copy.
        """
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index.setdefault(id(p), len(index)) for p in group["params"]]
            groups.append(packed)
        state = {
            index[id(p)]: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
            for p, s in self.state.items()
            if id(p) in index and s
        }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore hyper-parameters and state saved by `state_dict()` (or PyTorch's, as NumPy).

        The saved groups must have as many parameters as ours, and each saved state array the
        shape of its parameter; arrays are copied and cast to the parameter's dtype. State keys
        may be strings of the indices (as after a JSON round trip).
        """
        what = f"{self._name}.load_state_dict"
        missing = {"state", "param_groups"} - set(state_dict)
        if missing:
            raise ValueError(f"{what}: the state dict lacks {sorted(missing)}")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{what}: the saved state has {len(saved_groups)} parameter groups, this "
                f"optimizer has {len(self.param_groups)}"
            )
        by_index = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if "params" not in saved:
                raise ValueError(f"{what}: saved parameter group {i} has no 'params' list")
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{what}: parameter group {i} has {len(saved['params'])} parameters in the "
                    f"saved state but {len(group['params'])} here"
                )
            by_index.update(zip((int(k) for k in saved["params"]), group["params"]))
        state = defaultdict(dict)
        for key, saved in state_dict["state"].items():
            if int(key) not in by_index:
                raise ValueError(
                    f"{what}: the saved state has an entry for parameter {key}, which no saved "
                    "parameter group lists"
                )
            p = by_index[int(key)]
            state[p] = {name: _restore(what, key, name, v, p) for name, v in saved.items()}
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            new = {k: tuple(v) if isinstance(v, list) else v for k, v in saved.items()}
            new["params"] = group["params"]
            for name, default in self.defaults.items():
                new.setdefault(name, default)
            self._check_group(new)
            new_groups.append(new)
        self.param_groups = new_groups
        self.state = state


def _restore(what, index, name, value, p):
    """One saved state entry, made fit for parameter p: "step" a float, arrays p's shape."""
    if name == "step":
        return float(np.asarray(value).item())
    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    if arr.shape != p.shape:
        raise ValueError(
            f"{what}: state '{name}' of parameter {index} has shape {arr.shape} but the "
            f"parameter has shape {p.shape}"
        )
    return np.array(arr, dtype=p.dtype, copy=True)


def check_number(owner, name, value, low=-math.inf, high=math.inf, high_open=False):
    """Raise unless `value` is a real number in [low, high] ([low, high) when high_open)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{owner}: {name} must be a real number, got {type(value).__name__}")
    above = value >= high if high_open else value > high
    if not value >= low or above:  # `not >=` also catches NaN
        bracket = ")" if high_open or high == math.inf else "]"
        raise ValueError(
            f"{owner}: {name} must be in [{low:g}, {high:g}{bracket}, got {value!r}"
        )


def ema_(average, x, beta, tmp):
    """average = beta * average + (1 - beta) * x, in place (PyTorch's lerp_ up to rounding).

    tmp: a work array like `average`; it may be x itself (x is then overwritten).
    """
    average *= beta
    np.multiply(x, 1 - beta, out=tmp)
    average += tmp
