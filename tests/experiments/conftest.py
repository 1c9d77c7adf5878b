"""Fixtures of the experiment tests: a registry copy that test-only experiments can join, and
a quick run of a registered experiment."""

import json

import pytest

from neuronet.experiments import registry, run_experiment

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def scratch_registry(monkeypatch):
    """The experiment registry, restored after the test (test experiments vanish)."""
    monkeypatch.setattr(registry, "_EXPERIMENTS", dict(registry._EXPERIMENTS))
    return registry


@pytest.fixture(scope="session")
def run_quick(tmp_path_factory):
    """run_quick(name, figures) -> results of `run_experiment(name, quick=True, seed=0)` in a
    fresh folder, after checking that results.json holds them and that each of `figures`
    (file names) is a PNG written there."""
    def run(name, figures):
        out = tmp_path_factory.mktemp(name)
        results = run_experiment(name, out, quick=True, seed=0)
        assert json.loads((out / registry.RESULTS_FILE).read_text())["results"] == results
        for figure in figures:
            assert (out / figure).read_bytes()[:8] == PNG_SIGNATURE, figure
        return results
    return run
