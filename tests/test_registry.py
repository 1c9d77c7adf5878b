"""neuronet.registry.lookup: the value of a known name, an error listing the names otherwise."""

import pytest

from neuronet.registry import lookup


def test_a_known_name_gives_its_value():
    assert lookup("colour", "red", {"red": 1, "blue": 2}) == 1


def test_an_unknown_name_lists_the_names_in_the_table_order():
    with pytest.raises(ValueError) as info:
        lookup("colour", "green", {"red": 1, "blue": 2})
    assert str(info.value) == "unknown colour 'green'; the colours are: red, blue"


def test_the_names_may_come_in_another_order():
    with pytest.raises(ValueError, match=r"^unknown colour 'green'; the colours are: blue, red$"):
        lookup("colour", "green", {"red": 1, "blue": 2}, names=["blue", "red"])
