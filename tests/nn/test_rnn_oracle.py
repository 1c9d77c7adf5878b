"""RNN, LSTM, GRU and their cells against PyTorch (float64, rtol 1e-10): outputs, final states
and the gradients of input, initial states and every parameter, across the options."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from oracle import assert_close, needs_torch

LAYERS = [("RNN", {}), ("RNN", {"nonlinearity": "relu"}), ("LSTM", {}), ("GRU", {})]

# (input_size, hidden, seq len, batch, options)
OPTIONS = [
    (3, 5, 4, 2, {}),
    (3, 5, 4, 2, {"num_layers": 2}),
    (3, 4, 5, 3, {"bidirectional": True}),
    (2, 3, 3, 2, {"num_layers": 2, "bidirectional": True, "batch_first": True}),
    (3, 4, 1, 1, {"bias": False}),  # one step, batch 1
    (1, 2, 6, 1, {"batch_first": True, "num_layers": 2, "bias": False}),
]


def make_pair(th, name, *args, **kwargs):
    """Our layer and torch's, float64, holding torch's (random) weights."""
    th.manual_seed(0)
    ref = getattr(th.nn, name)(*args, **kwargs).double()
    ours = getattr(nn, name)(*args, dtype="float64", **kwargs)
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    return ours, ref


def both(th, array):
    return (nt.tensor(array, dtype=nt.float64, requires_grad=True),
            th.tensor(array, dtype=th.float64, requires_grad=True))


def flat(out):
    """(output, h_n) or (output, (h_n, c_n)) or a cell's h / (h, c) -> a list of tensors."""
    items = []
    for o in out if isinstance(out, tuple) else (out,):
        items.extend(o if isinstance(o, tuple) else (o,))
    return items


def check_same(th, ours, ref, our_inputs, ref_inputs, call, rng):
    """call(model, inputs) on both; compare every output, then every gradient for one
    random upstream gradient per output."""
    outs, refs = flat(call(ours, our_inputs)), flat(call(ref, ref_inputs))
    assert len(outs) == len(refs)
    loss, ref_loss = 0, 0
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert_close(o, r, what=f"output {k}")
        up = rng.standard_normal(r.shape)
        loss = loss + (o * nt.tensor(up, dtype=nt.float64)).sum()
        ref_loss = ref_loss + (r * th.tensor(up, dtype=th.float64)).sum()
    loss.backward()
    ref_loss.backward()
    for k, (a, b) in enumerate(zip(our_inputs, ref_inputs)):
        assert_close(a.grad, b.grad, atol=1e-10, what=f"gradient of input {k}")
    params = dict(ours.named_parameters())
    for name, p in ref.named_parameters():
        assert_close(params[name].grad, p.grad, atol=1e-10, what=f"gradient of {name}")


def check_with_states(th, ours, ref, x, tx, state_shape, rng):
    """check_same for model(x) or, given a state shape, model(x, h) / model(x, (h, c)) with
    random initial states (two for an LSTM or LSTMCell)."""
    lstm = "LSTM" in type(ours).__name__
    our_inputs, ref_inputs = [x], [tx]
    if state_shape is not None:
        for _ in range(2 if lstm else 1):
            s, ts = both(th, rng.uniform(-1, 1, state_shape))
            our_inputs.append(s)
            ref_inputs.append(ts)

    def call(model, inputs):
        if len(inputs) == 1:
            return model(inputs[0])
        return model(inputs[0], tuple(inputs[1:]) if lstm else inputs[1])

    check_same(th, ours, ref, our_inputs, ref_inputs, call, rng)


@pytest.mark.parametrize("name,kind", LAYERS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("size_in,hidden,T,N,options", OPTIONS)
@pytest.mark.parametrize("with_state", [False, True], ids=["no_h0", "h0"])
def test_sequence_layer_matches_torch(name, kind, size_in, hidden, T, N, options, with_state,
                                      rng):
    th = needs_torch()
    ours, ref = make_pair(th, name, size_in, hidden, **kind, **options)
    shape = (N, T, size_in) if options.get("batch_first") else (T, N, size_in)
    x, tx = both(th, rng.uniform(-2, 2, shape))
    D = 2 if options.get("bidirectional") else 1
    state_shape = (D * options.get("num_layers", 1), N, hidden) if with_state else None
    check_with_states(th, ours, ref, x, tx, state_shape, rng)


@pytest.mark.parametrize("name,kind", LAYERS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("with_state", [False, True], ids=["no_h0", "h0"])
def test_unbatched_sequence_matches_torch(name, kind, with_state, rng):
    th = needs_torch()
    ours, ref = make_pair(th, name, 3, 4, num_layers=2, bidirectional=True, **kind)
    x, tx = both(th, rng.uniform(-2, 2, (5, 3)))
    check_with_states(th, ours, ref, x, tx, (4, 4) if with_state else None, rng)


CELLS = [("RNNCell", {}), ("RNNCell", {"nonlinearity": "relu"}), ("LSTMCell", {}),
         ("GRUCell", {})]


@pytest.mark.parametrize("name,kind", CELLS, ids=["rnn_tanh", "rnn_relu", "lstm", "gru"])
@pytest.mark.parametrize("batch", [None, 1, 3], ids=["unbatched", "batch1", "batch3"])
@pytest.mark.parametrize("with_state", [False, True], ids=["no_h", "h"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_cell_matches_torch(name, kind, batch, with_state, bias, rng):
    th = needs_torch()
    ours, ref = make_pair(th, name, 3, 5, bias=bias, **kind)
    lead = () if batch is None else (batch,)
    x, tx = both(th, rng.uniform(-2, 2, lead + (3,)))
    check_with_states(th, ours, ref, x, tx, lead + (5,) if with_state else None, rng)


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_parameter_names_shapes_and_init_as_torch(name):
    th = needs_torch()
    seq = not name.endswith("Cell")
    kwargs = {"num_layers": 2, "bidirectional": True} if seq else {}
    ours = getattr(nn, name)(3, 16, **kwargs)
    ref = getattr(th.nn, name)(3, 16, **kwargs)
    ref_shapes = {k: tuple(v.shape) for k, v in ref.state_dict().items()}
    assert {k: tuple(v.shape) for k, v in ours.state_dict().items()} == ref_shapes
    assert list(ours.state_dict()) == list(ref.state_dict())
    for p in ours.parameters():
        assert p.dtype == np.float32
        assert np.abs(p.data).max() <= 0.25  # 1 / sqrt(16)
        assert np.abs(p.data).max() > 0.2  # spread over the whole interval
    no_bias = getattr(nn, name)(3, 16, bias=False, **kwargs)
    assert all("bias" not in k for k in no_bias.state_dict())


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_dropout_between_layers_only_in_training(name, rng):
    th = needs_torch()
    ours, ref = make_pair(th, name, 3, 4, num_layers=3, dropout=0.5)
    x = rng.uniform(-2, 2, (5, 2, 3))
    ref.eval()
    ours.eval()
    out = ours(nt.tensor(x, dtype=nt.float64))[0]
    assert_close(out, ref(th.tensor(x))[0], what="eval output with dropout=0.5")
    ours.train()
    train_out = ours(nt.tensor(x, dtype=nt.float64))[0]
    assert not np.allclose(train_out.data, out.data)


def test_one_layer_dropout_warns_and_is_ignored(rng):
    th = needs_torch()
    with pytest.warns(UserWarning, match="num_layers greater than 1"):
        ours, ref = make_pair(th, "GRU", 3, 4, dropout=0.5)
    x = rng.uniform(-2, 2, (5, 2, 3))
    assert_close(ours(nt.tensor(x, dtype=nt.float64))[0], ref(th.tensor(x))[0],
                 what="1-layer GRU in training with dropout")
