"""Learning-rate schedules, as `torch.optim.lr_scheduler`: each one rewrites the "lr" of the
optimizer's parameter groups when its `step()` is called (once per epoch, after the epoch's
`optimizer.step()` calls).

    sched = StepLR(opt, step_size=30, gamma=0.1)   # lr * 0.1 every 30 epochs
    for epoch in range(100):
        train_one_epoch(opt)
        sched.step()

The schedules use PyTorch's recursive ("chainable") formulas: each new lr is computed from the
group's current lr, so two schedulers on one optimizer compose, and the numbers match
PyTorch's bit for bit, also where a closed form would differ (CosineAnnealingLR past T_max).
Constructing a scheduler stores each group's starting lr as "initial_lr" (unless resuming
with last_epoch >= 0) and performs the first step, which sets epoch 0's lr.
`state_dict()` holds numbers and lists only. `step()` takes no epoch argument (PyTorch's
deprecated `step(epoch)` form is not offered).
"""

import math
import numbers
import types
import warnings
from collections import Counter

from neuronet.optim.optimizer import Optimizer, check_number


class LRScheduler:
    """Base class: `LRScheduler(optimizer, last_epoch=-1)`; a subclass implements `get_lr()`,
    the lrs of epoch `self.last_epoch` (one per parameter group)."""

    def __init__(self, optimizer, last_epoch=-1):
        _check_optimizer(self, optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: resuming with last_epoch={last_epoch} needs "
                        f"'initial_lr' in param_groups[{i}]; load the optimizer's state dict "
                        "first, or start with last_epoch=-1"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._step_count = 0
        self._is_initial = True
        self.step()
        self._is_initial = False

    def get_lr(self):
        raise NotImplementedError

    def get_last_lr(self):
        """The lrs the last `step()` set, one per parameter group."""
        return list(self._last_lr)

    def step(self):
        """Advance one epoch and set the lrs of the new epoch."""
        if self._step_count == 1 and self.optimizer._step_calls == 0:
            warnings.warn(
                f"{type(self).__name__}.step() was called before optimizer.step(); call "
                "optimizer.step() first, or the first value of the schedule is skipped",
                UserWarning,
                stacklevel=2,
            )
        self._step_count += 1
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr()):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self):
        return [group["lr"] for group in self.optimizer.param_groups]

    # ----- saving and loading -------------------------------------------------------------
    _not_saved = ("optimizer",)

    def state_dict(self):
        """Every attribute but the optimizer (numbers and lists, copied)."""
        return {
            k: list(v) if isinstance(v, list) else v
            for k, v in self.__dict__.items()
            if k not in self._not_saved
        }

    def load_state_dict(self, state_dict):
        """Restore what `state_dict()` returned (the keys must be those this scheduler has)."""
        expected = set(self.__dict__) - set(self._not_saved)
        if set(state_dict) != expected:
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected the keys {sorted(expected)}, "
                f"got {sorted(state_dict)}; was it saved from another kind of scheduler?"
            )
        self.__dict__.update(
            {k: list(v) if isinstance(v, list) else v for k, v in state_dict.items()}
        )


def _check_optimizer(scheduler, optimizer):
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{type(scheduler).__name__}: expected an Optimizer, got {type(optimizer).__name__}"
        )


def _check_positive_int(owner, name, value):
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")


class LambdaLR(LRScheduler):
    """`LambdaLR(optimizer, lr_lambda, last_epoch=-1)`: lr = initial_lr * lr_lambda(epoch).

    lr_lambda: a function of the epoch, or a list with one per parameter group. The functions
    are not saved by `state_dict()`; callable objects have their attributes saved.
    """

    def __init__(self, optimizer, lr_lambda, last_epoch=-1):
        _check_optimizer(self, optimizer)
        n = len(optimizer.param_groups)
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * n
        if len(lambdas) != n:
            raise ValueError(
                f"LambdaLR: expected {n} lr_lambdas (one per parameter group), got {len(lambdas)}"
            )
        for fn in lambdas:
            if not callable(fn):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(fn).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        return [base * fn(self.last_epoch) for fn, base in zip(self.lr_lambdas, self.base_lrs)]

    _not_saved = ("optimizer", "lr_lambdas")

    def state_dict(self):
        state = super().state_dict()
        state["lr_lambdas"] = [
            None if isinstance(fn, types.FunctionType) or not hasattr(fn, "__dict__")
            else dict(vars(fn))
            for fn in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict):
        state = dict(state_dict)
        saved = state.pop("lr_lambdas", [None] * len(self.lr_lambdas))
        super().load_state_dict(state)
        for fn, attrs in zip(self.lr_lambdas, saved):
            if attrs is not None:
                vars(fn).update(attrs)


class StepLR(LRScheduler):
    """`StepLR(optimizer, step_size, gamma=0.1, last_epoch=-1)`: lr *= gamma every
    step_size epochs."""

    def __init__(self, optimizer, step_size, gamma=0.1, last_epoch=-1):
        _check_positive_int("StepLR", "step_size", step_size)
        check_number("StepLR", "gamma", gamma)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """`MultiStepLR(optimizer, milestones, gamma=0.1, last_epoch=-1)`: lr *= gamma at each
    epoch listed in milestones (gamma ** n for an epoch listed n times)."""

    def __init__(self, optimizer, milestones, gamma=0.1, last_epoch=-1):
        milestones = list(milestones)
        for m in milestones:
            if isinstance(m, bool) or not isinstance(m, numbers.Integral):
                raise TypeError(f"MultiStepLR: milestones must be integers, got {milestones!r}")
        check_number("MultiStepLR", "gamma", gamma)
        self.milestones = Counter(milestones)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self.last_epoch not in self.milestones:
            return self._current_lrs()
        factor = self.gamma ** self.milestones[self.last_epoch]
        return [lr * factor for lr in self._current_lrs()]

    def state_dict(self):
        state = super().state_dict()
        state["milestones"] = sorted(self.milestones.elements())
        return state

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        self.milestones = Counter(self.milestones)


class ExponentialLR(LRScheduler):
    """`ExponentialLR(optimizer, gamma, last_epoch=-1)`: lr *= gamma every epoch."""

    def __init__(self, optimizer, gamma, last_epoch=-1):
        check_number("ExponentialLR", "gamma", gamma)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        if self._is_initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """`CosineAnnealingLR(optimizer, T_max, eta_min=0, last_epoch=-1)`: lr follows half a
    cosine from initial_lr down to eta_min over T_max epochs,
        lr(t) = eta_min + (initial_lr - eta_min) * (1 + cos(pi * t / T_max)) / 2,
    computed recursively from the previous lr as PyTorch does; past T_max the lr climbs back
    and the schedule repeats with period 2 * T_max.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0, last_epoch=-1):
        check_number("CosineAnnealingLR", "T_max", T_max)
        if not T_max > 0:
            raise ValueError(f"CosineAnnealingLR: T_max must be > 0, got {T_max!r}")
        check_number("CosineAnnealingLR", "eta_min", eta_min)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self):
        t, t_max, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._is_initial:
            return self._current_lrs()
        if (t - 1 - t_max) % (2 * t_max) == 0:
            # at the bottom of the cosine the ratio below is 0/0: climb by the first step's drop
            return [
                lr + (base - eta_min) * (1 - math.cos(math.pi / t_max)) / 2
                for lr, base in zip(self._current_lrs(), self.base_lrs)
            ]
        ratio = (1 + math.cos(math.pi * t / t_max)) / (1 + math.cos(math.pi * (t - 1) / t_max))
        return [ratio * (lr - eta_min) + eta_min for lr in self._current_lrs()]


class ReduceLROnPlateau(LRScheduler):
    """`ReduceLROnPlateau(optimizer, mode='min', factor=0.1, patience=10, threshold=1e-4,
    threshold_mode='rel', cooldown=0, min_lr=0, eps=1e-8)`: lr *= factor when the metric
    passed to `step(metric)` has not improved for more than `patience` epochs.

    Improvement (mode 'min'): metric < best * (1 - threshold) ('rel') or best - threshold
    ('abs'); mode 'max' mirrors it. After a reduction, `cooldown` epochs are not counted as
    bad. lr never goes below min_lr (a number or one per group), and changes smaller than eps
    are skipped.
    """

    def __init__(self, optimizer, mode="min", factor=0.1, patience=10, threshold=1e-4,
                 threshold_mode="rel", cooldown=0, min_lr=0, eps=1e-8):
        name = "ReduceLROnPlateau"
        _check_optimizer(self, optimizer)
        check_number(name, "factor", factor, high=1.0, high_open=True)
        if mode not in ("min", "max"):
            raise ValueError(f"{name}: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(
                f"{name}: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}"
            )
        check_number(name, "patience", patience, low=0)
        check_number(name, "cooldown", cooldown, low=0)
        check_number(name, "threshold", threshold)
        check_number(name, "eps", eps, low=0.0)
        n = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != n:
                raise ValueError(f"{name}: expected {n} min_lrs (one per group), got {len(min_lr)}")
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        for value in self.min_lrs:
            check_number(name, "min_lr", value, low=0.0)
        self.optimizer = optimizer
        self.mode, self.factor, self.patience = mode, factor, patience
        self.threshold, self.threshold_mode = threshold, threshold_mode
        self.cooldown, self.eps = cooldown, eps
        self.last_epoch = 0
        self._last_lr = self._current_lrs()
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def step(self, metrics):
        """Record this epoch's metric (a number or one-element tensor) and maybe cut the lr."""
        current = float(metrics)
        self.last_epoch += 1
        if self._is_better(current):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            self._reduce_lr()
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = self._current_lrs()

    def _is_better(self, current):
        best, threshold = self.best, self.threshold
        if self.mode == "min":
            return current < (best * (1 - threshold) if self.threshold_mode == "rel"
                              else best - threshold)
        return current > (best * (threshold + 1) if self.threshold_mode == "rel"
                          else best + threshold)

    def _reduce_lr(self):
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(groups)} parameter groups but "
                    f"min_lr lists {len(self.min_lrs)}; set scheduler.min_lrs to match"
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for group, min_lr in zip(groups, self.min_lrs):
            old = float(group["lr"])
            new = max(old * self.factor, min_lr)
            if old - new > self.eps:
                group["lr"] = new
