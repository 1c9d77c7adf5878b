"""A search space: a dict mapping each hyperparameter name to a range it is drawn from.

    space = {"lr": LogUniform(1e-4, 1e-1), "weight_decay": LogUniform(1e-6, 1e-2),
             "hidden": Choice([128, 256, 512]), "epochs": Integer(2, 8), "p": Uniform(0, 0.5)}

Each range can draw a random value (`sample`), list evenly spread values for a grid (`grid`),
and shrink around the values of the best trials (`narrow`, for coarse-to-fine search).
LogUniform is the right range for scale parameters such as learning rates and weight decay:
1e-4 to 1e-3 gets as many trials as 1e-2 to 1e-1.
"""

import itertools
import math
import numbers

import numpy as np

NARROW_MARGIN = 0.25  # widen the span of the best values by this share of it on each side


class Uniform:
    """Real values spread evenly over [low, high]."""

    def __init__(self, low, high):
        _check_bounds(type(self).__name__, low, high)
        self.low, self.high = float(low), float(high)

    def _to_unit(self, v):  # the axis on which this range is uniform
        return v

    def _from_unit(self, u):
        return float(u)

    def sample(self, rng):
        return self._from_unit(rng.uniform(self._to_unit(self.low), self._to_unit(self.high)))

    def grid(self, n):
        """n values evenly spaced (on this range's axis) from low to high."""
        points = np.linspace(self._to_unit(self.low), self._to_unit(self.high), n)
        return list(dict.fromkeys(self._from_unit(u) for u in points))

    def narrow(self, best_values):
        """A range of the same kind around `best_values`, inside the current one."""
        u = [self._to_unit(v) for v in best_values]
        lo, hi = min(u), max(u)
        pad = NARROW_MARGIN * ((hi - lo) or (self._to_unit(self.high) - self._to_unit(self.low)))
        # clipped to the current bounds as they are (a round trip through log would blur them)
        low = self.low if lo - pad <= self._to_unit(self.low) else self._from_unit(lo - pad)
        high = self.high if hi + pad >= self._to_unit(self.high) else self._from_unit(hi + pad)
        return type(self)(low, high)

    def to_dict(self):
        return {"type": type(self).__name__, "low": self.low, "high": self.high}

    def __eq__(self, other):
        return type(self) is type(other) and self.to_dict() == other.to_dict()

    def __repr__(self):
        return f"{type(self).__name__}({self.low!r}, {self.high!r})"


class LogUniform(Uniform):
    """Positive real values whose logarithm is uniform over [log low, log high]."""

    def __init__(self, low, high):
        if isinstance(low, numbers.Real) and low <= 0:
            raise ValueError(f"LogUniform: low must be > 0, got {low!r}")
        super().__init__(low, high)

    def _to_unit(self, v):
        return math.log(v)

    def _from_unit(self, u):
        return float(math.exp(u))


class Integer(Uniform):
    """Integers low..high (both included), each equally likely."""

    def __init__(self, low, high):
        if not all(isinstance(v, numbers.Integral) for v in (low, high)):
            raise TypeError(f"Integer: low and high must be integers, got {low!r}, {high!r}")
        super().__init__(low, high)
        self.low, self.high = int(low), int(high)

    def _from_unit(self, u):
        return int(round(u))

    def sample(self, rng):
        return int(rng.integers(self.low, self.high + 1))


class Choice:
    """One of a list of values (numbers, strings, booleans, None), each equally likely."""

    def __init__(self, values):
        values = list(values)
        if not values:
            raise ValueError("Choice: needs at least one value")
        self.values = values

    def sample(self, rng):
        return self.values[int(rng.integers(len(self.values)))]

    def grid(self, n=None):
        return list(self.values)

    def narrow(self, best_values):
        return Choice([v for v in self.values if v in best_values])

    def to_dict(self):
        return {"type": "Choice", "values": self.values}

    def __eq__(self, other):
        return isinstance(other, Choice) and self.values == other.values

    def __repr__(self):
        return f"Choice({self.values!r})"


RANGES = (Uniform, LogUniform, Integer, Choice)


def _check_bounds(name, low, high):
    if not all(isinstance(v, numbers.Real) and math.isfinite(v) for v in (low, high)):
        raise TypeError(f"{name}: low and high must be finite numbers, got {low!r}, {high!r}")
    if low > high:
        raise ValueError(f"{name}: low must be <= high, got low={low!r}, high={high!r}")


def check_space(space):
    """Raise a clear error unless `space` is a non-empty dict of name -> range."""
    if not isinstance(space, dict) or not space:
        raise TypeError(f"search space must be a non-empty dict of name -> range, got {space!r}")
    for name, rng in space.items():
        if not isinstance(rng, RANGES):
            raise TypeError(
                f"search space: {name!r} must be one of {[r.__name__ for r in RANGES]}, "
                f"got {rng!r}"
            )


def sample(space, rng):
    """One configuration: a dict name -> value drawn from each range."""
    return {name: r.sample(rng) for name, r in space.items()}


def grid(space, points_per_range=3):
    """All combinations of `points_per_range` values of each numeric range and every choice."""
    names = list(space)
    axes = [space[name].grid(points_per_range) for name in names]
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*axes)]


def narrow(space, best_params):
    """The space shrunk around the configurations in `best_params` (a list of dicts)."""
    if not best_params:
        raise ValueError("narrow: needs at least one successful trial to narrow around")
    return {name: r.narrow([p[name] for p in best_params]) for name, r in space.items()}
