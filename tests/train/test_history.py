"""History: per-epoch lists, JSON and CSV round trips."""

import csv
import io
import math

import pytest

from neuronet.train import History


def test_append_keeps_lists_rectangular_when_names_come_and_go():
    h = History()
    h.append(1, {"loss": 1.0})
    h.append(2, {"loss": 0.5, "val_loss": 0.7})
    h.append(3, {"val_loss": 0.6})
    assert h.epoch == [1, 2, 3]
    assert h.history == {"loss": [1.0, 0.5, None], "val_loss": [None, 0.7, 0.6]}
    assert h.last("val_loss") == 0.6 and h.last("missing", 9) == 9 and len(h) == 3


def test_append_rejects_non_numbers():
    with pytest.raises(TypeError, match="'loss' must be a number"):
        History().append(1, {"loss": "low"})


def test_json_round_trip_via_text_and_file(tmp_path):
    h = History({"loss": [0.1 + 0.2, 1e-300], "acc": [0.5, float("inf")]}, [1, 2])
    assert History.from_json(h.to_json()) == h
    h.to_json(tmp_path / "h.json")
    again = History.from_json(tmp_path / "h.json")
    assert again == h and again.history["loss"][0] == 0.1 + 0.2  # floats exact


def test_csv_has_an_epoch_column_and_exact_values(tmp_path):
    h = History()
    h.append(1, {"loss": 1 / 3})
    h.append(2, {"loss": 0.25, "val_loss": math.nan})
    text = h.to_csv(tmp_path / "h.csv")
    assert (tmp_path / "h.csv").read_text() == text
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["epoch", "loss", "val_loss"]
    assert rows[1] == ["1", repr(1 / 3), ""] and float(rows[1][1]) == 1 / 3
    assert rows[2][0] == "2" and math.isnan(float(rows[2][2]))


def test_bad_inputs_are_explained():
    with pytest.raises(ValueError, match="one entry per epoch"):
        History({"loss": [1.0, 2.0]}, [1])
    with pytest.raises(ValueError, match="keys 'epoch' and 'history'"):
        History.from_dict({"loss": [1.0]})
