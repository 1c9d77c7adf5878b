"""Seeding: manual_seed, explicit generators, and thread-local generator scopes."""

import threading

import numpy as np

import neuronet
from neuronet.nn import functional as F
from neuronet.random import generator_scope, get_generator


def test_scope_replaces_the_global_generator_for_every_random_op():
    x = neuronet.ones(1000)
    with generator_scope(np.random.default_rng(5)):
        a = F.dropout(x, 0.5).data.copy()
        noise_a = neuronet.randn(3).data.copy()
    with generator_scope(np.random.default_rng(5)):
        b = F.dropout(x, 0.5).data.copy()
        noise_b = neuronet.randn(3).data.copy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(noise_a, noise_b)
    assert get_generator() is neuronet.default_generator()


def test_scope_is_per_thread():
    seen = {}
    gen = np.random.default_rng(1)

    def other_thread():
        seen["other"] = get_generator()

    with generator_scope(gen):
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        assert get_generator() is gen
    assert seen["other"] is neuronet.default_generator()


def test_scopes_nest_and_restore():
    g1, g2 = np.random.default_rng(1), np.random.default_rng(2)
    with generator_scope(g1):
        with generator_scope(g2):
            assert get_generator() is g2
        assert get_generator() is g1


def test_explicit_generator_wins_over_scope_and_int_seeds_work():
    g1, g2 = np.random.default_rng(1), np.random.default_rng(2)
    with generator_scope(g1):
        assert get_generator(g2) is g2
    a = get_generator(3).random()
    assert a == np.random.default_rng(3).random()


def test_rng_state_round_trip():
    neuronet.manual_seed(4)
    state = neuronet.get_rng_state()
    first = neuronet.rand(5).data.copy()
    neuronet.set_rng_state(state)
    np.testing.assert_array_equal(first, neuronet.rand(5).data)
