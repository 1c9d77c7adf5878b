"""The fused recurrent layers never write into the weights they are given (the forward scales a
copy of W_hh^T in place), whatever the weights' memory order."""

import numpy as np
import pytest

from neuronet.nn.functional.recurrent import LAYERS


@pytest.mark.parametrize("mode", sorted(LAYERS))
@pytest.mark.parametrize("order", ["C", "F"])
def test_forward_leaves_weights_unchanged(mode, order):
    rng = np.random.default_rng(0)
    gates = {"LSTM": 4, "GRU": 3}.get(mode, 1)
    T, N, inp, hid = 3, 2, 5, 4
    w_ih = np.asarray(rng.standard_normal((gates * hid, inp)), order=order)
    w_hh = np.asarray(rng.standard_normal((gates * hid, hid)), order=order)
    b_ih, b_hh = rng.standard_normal(gates * hid), rng.standard_normal(gates * hid)
    before = [a.copy() for a in (w_ih, w_hh, b_ih, b_hh)]
    c0 = np.zeros((N, hid)) if mode == "LSTM" else None
    LAYERS[mode]().forward(rng.standard_normal((T, N, inp)), np.zeros((N, hid)), c0,
                           w_ih, w_hh, b_ih, b_hh)
    for got, want in zip((w_ih, w_hh, b_ih, b_hh), before):
        np.testing.assert_array_equal(got, want)
