"""Shared test set-up: float64 gradient checks, a fresh seed per test, the torch oracle."""

import numpy as np
import pytest

import neuronet


@pytest.fixture(autouse=True)
def _seeded():
    neuronet.manual_seed(0)
    yield


@pytest.fixture
def rng():
    return np.random.default_rng(1234)
