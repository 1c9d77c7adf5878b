"""The parameter checks: every kind of junk a page (or anyone with curl) can send is refused
with a message naming the parameter, what it allows and what came."""

import math

import pytest

from neuronet.playground.params import (
    ParamError,
    bipolar_list,
    boolean,
    choice,
    int_list,
    integer,
    number,
    subset,
    validate,
)

FIELDS = {"lr": number(0, 10, include_low=False), "n": integer(1, 5), "on": boolean(),
          "act": choice(("tanh", "relu")), "hidden": int_list(0, 3, 1, 8),
          "features": subset(("x1", "x2", "x1x2")), "pattern": bipolar_list(4)}
GOOD = {"lr": 0.5, "n": 3, "on": True, "act": "relu", "hidden": [2, 8], "features": ["x2", "x1"],
        "pattern": [1, -1, -1, 1]}


def test_good_values_are_kept_and_normalized():
    config = validate("net", FIELDS, GOOD, {})
    assert config == {**GOOD, "features": ["x1", "x2"]}  # subset keeps the options' order
    assert type(config["lr"]) is float and type(config["n"]) is int
    assert validate("net", FIELDS, {"lr": 2}, {"lr": 0.1, "n": 1}) == {"lr": 2.0, "n": 1}


@pytest.mark.parametrize("name, value, says", [
    ("lr", 0, "(0, 10]"), ("lr", 11, "(0, 10]"), ("lr", math.nan, "nan"), ("lr", math.inf, "inf"),
    ("lr", True, "True"), ("lr", "0.1", "'0.1'"), ("lr", None, "None"),
    ("n", 2.5, "[1, 5]"), ("n", 0, "[1, 5]"), ("n", False, "False"), ("n", 10**100, "[1, 5]"),
    ("on", 1, "true or false"), ("act", "gelu", "tanh, relu"), ("act", ["tanh"], "tanh, relu"),
    ("hidden", [1, 2, 3, 4], "0 to 3"), ("hidden", [0], "[1, 8]"), ("hidden", [True], "[1, 8]"),
    ("hidden", "1,2", "list"), ("hidden", [2.0], "integers"),
    ("features", [], "at least 1"), ("features", ["x1", "x1"], "distinct"),
    ("features", ["x3"], "x1, x2, x1x2"), ("features", [{"a": 1}], "distinct"),
    ("pattern", [1, -1, 0, 1], "-1 or 1"), ("pattern", [1, -1, 1], "4 values"),
    ("pattern", [1] * 10**5, "..."),
])
def test_bad_values_name_the_parameter_the_rule_and_the_value(name, value, says):
    with pytest.raises(ParamError) as e:
        validate("net", FIELDS, {name: value}, GOOD)
    message = str(e.value)
    assert message.startswith(f"net: {name} must be") and says in message
    assert len(message) < 300  # a huge value is shortened, not echoed whole


@pytest.mark.parametrize("raw", [[1, 2], "lr", 3, None])
def test_parameters_must_be_an_object(raw):
    with pytest.raises(ParamError, match="must be a JSON object"):
        validate("net", FIELDS, raw, {})


def test_unknown_parameters_are_named_with_the_known_ones():
    with pytest.raises(ParamError, match="unknown parameter 'rate'; the parameters are: lr, n,"):
        validate("net", FIELDS, {"rate": 1, "lr": 1}, {})
