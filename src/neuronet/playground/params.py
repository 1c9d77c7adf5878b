"""Checking the parameters a page sends (parsed JSON) against a table of validators.

    FIELDS = {"lr": number(0, 10), "hidden": int_list(0, 6, 1, 8), "dataset": choice(NAMES)}
    config = validate("network", FIELDS, {"lr": 0.03}, defaults)   # raises ParamError

Every validator is `check(name, value) -> value` and raises ParamError with a message that
names the parameter, what it allows and what came. JSON gives bools where numbers are
expected, NaN, huge lists and nested junk: all of them are refused here, before any model
code sees them.
"""

import math
import numbers


class ParamError(ValueError):
    """A bad parameter from the page: the server answers 400 with this message."""


def _show(value):
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _is_integer(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def integer(low, high):
    """An integer in [low, high]."""
    def check(name, value):
        if not _is_integer(value) or not low <= value <= high:
            raise ParamError(f"{name} must be an integer in [{low}, {high}], got {_show(value)}")
        return int(value)
    return check


def number(low, high, include_low=True):
    """A finite number in [low, high] (or (low, high] when include_low is False)."""
    def check(name, value):
        inside = _is_real(value) and math.isfinite(value) and (
            low <= value if include_low else low < value) and value <= high
        if not inside:
            interval = f"{'[' if include_low else '('}{low:g}, {high:g}]"
            raise ParamError(f"{name} must be a number in {interval}, got {_show(value)}")
        return float(value)
    return check


def boolean():
    def check(name, value):
        if not isinstance(value, bool):
            raise ParamError(f"{name} must be true or false, got {_show(value)}")
        return value
    return check


def choice(options):
    """One of the strings `options`."""
    def check(name, value):
        if not isinstance(value, str) or value not in options:
            raise ParamError(f"{name} must be one of {', '.join(options)}, got {_show(value)}")
        return value
    return check


def int_list(min_len, max_len, low, high):
    """A list of min_len..max_len integers, each in [low, high]."""
    def check(name, value):
        if not isinstance(value, list) or not min_len <= len(value) <= max_len or not all(
                _is_integer(v) and low <= v <= high for v in value):
            raise ParamError(f"{name} must be a list of {min_len} to {max_len} integers in "
                             f"[{low}, {high}], got {_show(value)}")
        return [int(v) for v in value]
    return check


def subset(options, min_len=1):
    """A list of distinct strings from `options` (at least min_len), kept in `options` order."""
    def check(name, value):
        if not isinstance(value, list) or len(value) < min_len or len(set(map(str, value))) != len(
                value) or not all(isinstance(v, str) and v in options for v in value):
            raise ParamError(f"{name} must be a list of at least {min_len} distinct names from "
                             f"{', '.join(options)}, got {_show(value)}")
        return [o for o in options if o in value]
    return check


def bipolar_list(length):
    """A list of exactly `length` values, each -1 or 1."""
    def check(name, value):
        if not isinstance(value, list) or len(value) != length or not all(
                _is_integer(v) and v in (-1, 1) for v in value):
            raise ParamError(f"{name} must be a list of {length} values, each -1 or 1, got "
                             f"{_show(value)}")
        return [int(v) for v in value]
    return check


def validate(who, fields, raw, base):
    """`base` (a dict of current values) updated by the checked entries of `raw`.

    raw: the parsed JSON; must be an object whose keys are all in `fields`.
    """
    if not isinstance(raw, dict):
        raise ParamError(f"{who}: parameters must be a JSON object, got {_show(raw)}")
    unknown = sorted(str(k) for k in raw if k not in fields)
    if unknown:
        raise ParamError(f"{who}: unknown parameter {_show(unknown[0])}; the parameters are: "
                         f"{', '.join(fields)}")
    config = dict(base)
    for name, value in raw.items():
        config[name] = fields[name](f"{who}: {name}", value)
    return config
