"""Fixtures of the experiment tests: a registry copy that test-only experiments can join."""

import pytest

from neuronet.experiments import registry


@pytest.fixture
def scratch_registry(monkeypatch):
    """The experiment registry, restored after the test (test experiments vanish)."""
    monkeypatch.setattr(registry, "_EXPERIMENTS", dict(registry._EXPERIMENTS))
    return registry
