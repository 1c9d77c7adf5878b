"""`neuronet hopfield recall|capacity`: reported rates that the classic model reproduces, the
rules' known behaviour on digits and random patterns, clear errors."""

import json
import sys

import numpy as np
import pytest

from neuronet.classic import Hopfield, capacity_curve, to_bipolar
from neuronet.cli.arrays import flat_split

pytest.importorskip("sklearn")


def _run(run_cli, *args):
    status, out, err = run_cli("hopfield", *args)
    assert status == 0, err
    return out


def test_recall_rates_match_the_model_and_storkey_beats_hebbian(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    out = _run(run_cli, "recall", "--probes", "5", "--seed", "1", "--out", tmp_path)
    report = json.loads((tmp_path / "recall.json").read_text())
    assert (tmp_path / "recall.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rules = report["rules"]
    # correlated class means: Hebbian keeps none of them as fixed points, Storkey all four
    assert rules["hebbian"]["stored_fixed_points"] == 0
    assert rules["storkey"]["stored_fixed_points"] == 4
    assert rules["storkey"]["recall_rate"] >= 0.75 > rules["hebbian"]["recall_rate"]
    assert report["settings"]["classes"] == [0, 2, 4, 5] and report["settings"]["noise"] == 0.15
    # the stored patterns are what the description says: bipolar class means
    x, y, _ = flat_split("digits", "train")
    patterns = to_bipolar(np.stack([x[y == c].mean(0) for c in (0, 2, 4, 5)]))
    net = Hopfield("storkey", random_state=1).fit(patterns)
    assert (net.predict(patterns) == patterns).all()
    assert f"{rules['storkey']['recall_rate']:.4f}" in out


def test_recall_of_clean_probes_is_perfect_for_storkey(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out = _run(run_cli, "recall", "--noise", "0", "--probes", "1", "--rules", "storkey",
               "--update", "sync", "--out", tmp_path)
    report = json.loads((tmp_path / "recall.json").read_text())
    assert report["rules"]["storkey"]["recall_rate"] == 1.0
    assert report["rules"]["storkey"]["end_states"] == {"fixed_point": 4}
    assert set(report["rules"]) == {"storkey"} and "plots skipped" in out


def test_occlusion_hides_the_last_pixels(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    _run(run_cli, "recall", "--noise", "0", "--occlude", "0.99", "--probes", "1", "--rules",
         "storkey", "--out", tmp_path)
    # 63 of 64 pixels set to -1: the probes are nearly alike and recall at most one pattern
    report = json.loads((tmp_path / "recall.json").read_text())
    assert report["rules"]["storkey"]["recall_rate"] <= 0.25


def test_capacity_equals_capacity_curve(run_cli, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)
    out = _run(run_cli, "capacity", "--neurons", "40", "--loads", "0.1,0.5", "--trials", "2",
               "--seed", "4", "--out", tmp_path)
    result = json.loads((tmp_path / "capacity.json").read_text())
    assert result["patterns"] == [4, 20] and result["loads"] == [0.1, 0.5]
    for rule in ("hebbian", "storkey"):
        expected = capacity_curve(40, [4, 20], rule, trials=2, random_state=4)
        assert result["recall_rate"][rule] == pytest.approx(expected.tolist())
    hebbian, storkey = result["recall_rate"]["hebbian"], result["recall_rate"]["storkey"]
    assert hebbian[0] == 1.0 and hebbian[1] < 0.5 < storkey[1]  # 0.5 N: past Hebbian capacity
    assert "P/N" in out


def test_capacity_plot(run_cli, tmp_path):
    pytest.importorskip("matplotlib")
    _run(run_cli, "capacity", "--neurons", "20", "--loads", "0.1,0.2", "--trials", "1",
         "--out", tmp_path)
    assert (tmp_path / "capacity.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args, fragments", [
    ((), ("choose an action: recall or capacity",)),
    (("recall", "--classes", "0,x"), ("--classes", "comma-separated list of numbers")),
    (("recall", "--classes", "0,12"), ("digits has classes 0-9, not [12]",)),
    (("recall", "--classes", "1,1"), ("lists a class twice",)),
    (("recall", "--noise", "1.5"), ("--noise", "must be a number in [0, 1)")),
    (("recall", "--rules", "oja"), ("unknown rule 'oja'", "hebbian, storkey")),
    (("capacity", "--loads", "0.1,2"), ("--loads", "every value must be in [0, 1]")),
    (("capacity", "--neurons", "1"), ("--neurons", "must be an integer >= 2")),
    (("capacity", "--update", "random"), ("unknown update 'random'", "async, sync")),
])
def test_bad_options_one_line_errors(run_cli, usage_error, tmp_path, args, fragments):
    usage_error(run_cli("hopfield", *args, *(("--out", tmp_path) if args else ())), *fragments)


@pytest.mark.parametrize("action, words", [
    ("recall", ("bipolar", "--min-overlap", "(default: 0,2,4,5)", "Storkey")),
    ("capacity", ("0.14 N", "(default: 100)", "capacity.png")),
])
def test_help(run_cli, action, words):
    status, out, _ = run_cli("hopfield", action, "--help")
    assert status == 0
    text = " ".join(out.split())
    for word in words:
        assert word in text
