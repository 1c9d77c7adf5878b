"""Bad input to the recurrent layers: clear errors naming the layer, what was expected and
what came."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_sequence_layer_input_errors(name):
    model = getattr(nn, name)(3, 4, num_layers=2)
    with pytest.raises(ValueError, match=rf"{name}\(3, 4, num_layers=2\).*=3.*\(5, 2, 7\)"):
        model(nt.zeros(5, 2, 7))
    with pytest.raises(ValueError, match=rf"{name}\(3, 4.*3 dimensions .*or 2.*\(1, 5, 2, 3\)"):
        model(nt.zeros(1, 5, 2, 3))
    with pytest.raises(TypeError, match=rf"{name}.*expected a Tensor input, got ndarray"):
        model(np.zeros((5, 2, 3), np.float32))
    with pytest.raises(TypeError, match=rf"{name}.*input has dtype float64, the weights have"):
        model(nt.zeros(5, 2, 3, dtype=nt.float64))


def test_initial_state_errors():
    gru = nn.GRU(3, 4, num_layers=2, bidirectional=True)
    x = nt.zeros(5, 2, 3)
    with pytest.raises(ValueError, match=r"GRU\(3, 4.*expected h0 of shape \(4, 2, 4\), got"):
        gru(x, nt.zeros(2, 2, 4))
    with pytest.raises(ValueError, match=r"expected h0 of shape \(4, 4\), got \(4, 2, 4\)"):
        gru(nt.zeros(5, 3), nt.zeros(4, 2, 4))  # unbatched input, batched state
    with pytest.raises(TypeError, match="h0 has dtype float64, the input has float32"):
        gru(x, nt.zeros(4, 2, 4, dtype=nt.float64))
    lstm = nn.LSTM(3, 4)
    with pytest.raises(TypeError, match=r"LSTM\(3, 4\): hx must be a tuple \(h0, c0\)"):
        lstm(x, nt.zeros(1, 2, 4))
    with pytest.raises(ValueError, match=r"expected c0 of shape \(1, 2, 4\), got \(1, 3, 4\)"):
        lstm(x, (nt.zeros(1, 2, 4), nt.zeros(1, 3, 4)))
    with pytest.raises(TypeError, match="h0 must be a Tensor, got ndarray"):
        lstm(x, (np.zeros((1, 2, 4)), nt.zeros(1, 2, 4)))


@pytest.mark.parametrize("name", ["RNNCell", "LSTMCell", "GRUCell"])
def test_cell_errors(name):
    cell = getattr(nn, name)(3, 4)
    with pytest.raises(ValueError, match=rf"{name}\(3, 4\).*input_size=3.*\(2, 5\)"):
        cell(nt.zeros(2, 5))
    with pytest.raises(ValueError, match=rf"{name}\(3, 4\).*\(N, input_size\).*\(1, 2, 3\)"):
        cell(nt.zeros(1, 2, 3))
    state = nt.zeros(3, 4)
    hx = (state, state) if name == "LSTMCell" else state
    with pytest.raises(ValueError, match=r"of shape \(2, 4\), got \(3, 4\)"):
        cell(nt.zeros(2, 3), hx)


def test_constructor_errors():
    with pytest.raises(ValueError, match="RNN: unknown nonlinearity 'sigmoid'; choose 'tanh'"):
        nn.RNN(3, 4, nonlinearity="sigmoid")
    with pytest.raises(ValueError, match="RNNCell: unknown nonlinearity"):
        nn.RNNCell(3, 4, nonlinearity="gelu")
    with pytest.raises(ValueError, match=r"LSTM: dropout must be a number in \[0, 1\], got 1.5"):
        nn.LSTM(3, 4, num_layers=2, dropout=1.5)
    with pytest.raises(ValueError, match="GRU: hidden_size must be an integer >= 1, got 0"):
        nn.GRU(3, 0)
    with pytest.raises(ValueError, match="GRU: num_layers must be an integer >= 1, got 0"):
        nn.GRU(3, 4, num_layers=0)
    with pytest.raises(ValueError, match="LSTMCell: input_size must be an integer >= 0, got 2.5"):
        nn.LSTMCell(2.5, 4)


def test_repr_names_the_options():
    assert repr(nn.LSTM(3, 4, num_layers=2, batch_first=True)) == (
        "LSTM(3, 4, num_layers=2, batch_first=True)")
    assert repr(nn.RNN(3, 4, nonlinearity="relu")) == "RNN(3, 4, nonlinearity='relu')"
    assert repr(nn.GRUCell(3, 4, bias=False)) == "GRUCell(3, 4, bias=False)"
