"""The fused recurrent Functions: equal to the same recurrences composed from basic autograd
ops, finite differences through the layers, float32 kept, truncated BPTT."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn, parallel
from neuronet.autograd.gradcheck import gradcheck
from neuronet.nn.functional import recurrent
from neuronet.nn.functional.recurrent import LAYERS, batch_parts
from neuronet.nn.utils.rnn import pack_padded_sequence
from oracle import assert_close, needs_torch

GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def composed_step(mode, x_t, h, c, w_ih, w_hh, b_ih, b_hh):
    """One step written with ordinary differentiable ops (no fused backward)."""
    a_x = x_t @ w_ih.T + (b_ih if b_ih is not None else 0)
    a_h = h @ w_hh.T + (b_hh if b_hh is not None else 0)
    if mode in ("RNN_TANH", "RNN_RELU"):
        a = a_x + a_h
        return (a.tanh() if mode == "RNN_TANH" else a.relu()), None
    H = h.shape[1]
    if mode == "LSTM":
        a = a_x + a_h
        i, f = a[:, :H].sigmoid(), a[:, H : 2 * H].sigmoid()
        g, o = a[:, 2 * H : 3 * H].tanh(), a[:, 3 * H :].sigmoid()
        c = f * c + i * g
        return o * c.tanh(), c
    r = (a_x[:, :H] + a_h[:, :H]).sigmoid()
    z = (a_x[:, H : 2 * H] + a_h[:, H : 2 * H]).sigmoid()
    n = (a_x[:, 2 * H :] + r * a_h[:, 2 * H :]).tanh()
    return (1 - z) * n + z * h, None


def composed_layer(mode, x, h, c, w_ih, w_hh, b_ih, b_hh, mask=None, reverse=False):
    """The whole sequence, step by step; padded steps keep the state and output zeros."""
    T = x.shape[0]
    ys = [None] * T
    for t in (range(T - 1, -1, -1) if reverse else range(T)):
        h_new, c_new = composed_step(mode, x[t], h, c, w_ih, w_hh, b_ih, b_hh)
        if mask is None:
            h, c, ys[t] = h_new, c_new, h_new
        else:
            m = nt.tensor(mask[t])
            ys[t] = h_new * m
            h = h_new * m + h * (1 - m)
            c = c_new * m + c * (1 - m) if c is not None else None
    return (nt.stack(ys, dim=0), h) + ((c,) if mode == "LSTM" else ())


@pytest.fixture(params=[1, 3], ids=["one_part", "three_parts"])
def parts(request, monkeypatch):
    """Run with the batch in one part, or cut into one part per row on three threads."""
    if request.param > 1:
        monkeypatch.setattr(recurrent, "MIN_PART_ROWS", 1)
        saved = parallel.get_num_threads()
        parallel.set_num_threads(request.param)
        request.addfinalizer(lambda: parallel.set_num_threads(saved))
    return request.param


def test_batch_parts():
    assert batch_parts(128, threads=2) == [slice(0, 64), slice(64, 128)]
    assert batch_parts(100, threads=3) == [slice(0, 33), slice(33, 66), slice(66, 100)]
    assert batch_parts(40, threads=2) == [slice(0, 40)]  # a part needs MIN_PART_ROWS rows
    assert batch_parts(1, threads=1) == [slice(0, 1)]


@pytest.mark.parametrize("mode", list(GATES))
@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("masked", [False, True], ids=["full", "masked"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no_bias"])
def test_fused_equals_composed(mode, reverse, masked, bias, parts, rng):
    T, N, I, H = 5, 3, 4, 3
    G = GATES[mode]
    shapes = [(T, N, I), (N, H), (N, H), (G * H, I), (G * H, H), (G * H,), (G * H,)]
    arrays = [rng.uniform(-1, 1, s) for s in shapes]
    if mode != "LSTM":
        arrays[2] = None
    if not bias:
        arrays[5] = arrays[6] = None
    mask = None
    if masked:
        lengths = np.array([5, 2, 1])
        mask = (np.arange(T)[:, None] < lengths)[..., None].astype(np.float64)

    def fresh():
        return [None if a is None else nt.tensor(a, dtype=nt.float64, requires_grad=True)
                for a in arrays]

    fused_in, composed_in = fresh(), fresh()
    fused = LAYERS[mode].apply(*fused_in, mask=mask, reverse=reverse)
    assert len(fused[0]._ctx.parts) == parts
    composed = composed_layer(mode, *composed_in, mask=mask, reverse=reverse)
    loss, ref_loss = 0, 0
    for k, (a, b) in enumerate(zip(fused, composed)):
        assert_close(a, b, rtol=1e-12, what=f"output {k}")
        up = nt.tensor(rng.standard_normal(a.shape), dtype=nt.float64)
        loss, ref_loss = loss + (a * up).sum(), ref_loss + (b * up).sum()
    loss.backward()
    ref_loss.backward()
    for k, (a, b) in enumerate(zip(fused_in, composed_in)):
        if a is not None:
            assert_close(a.grad, b.grad, rtol=1e-10, atol=1e-12, what=f"gradient of input {k}")


@pytest.mark.parametrize("name,kind", [("RNN", {}), ("RNN", {"nonlinearity": "relu"}),
                                       ("LSTM", {}), ("GRU", {})])
@pytest.mark.parametrize("options", [{}, {"num_layers": 2, "bidirectional": True},
                                     {"batch_first": True, "bias": False}])
def test_finite_differences_through_layers(name, kind, options, rng):
    model = getattr(nn, name)(2, 3, dtype="float64", **kind, **options)
    D = 2 if options.get("bidirectional") else 1
    x = nt.tensor(rng.uniform(-1, 1, (3, 3, 2)), dtype=nt.float64, requires_grad=True)
    states = [nt.tensor(rng.uniform(-1, 1, (D * options.get("num_layers", 1), 3, 3)),
                        dtype=nt.float64, requires_grad=True)
              for _ in range(2 if name == "LSTM" else 1)]

    def run(x, *rest):
        hx = tuple(rest[:2]) if name == "LSTM" else rest[0]
        out, h = model(x, hx)
        return (out,) + (h if isinstance(h, tuple) else (h,))

    gradcheck(run, [x, *states, *model.parameters()])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_finite_differences_with_lengths(name, rng):
    model = getattr(nn, name)(2, 3, bidirectional=True, dtype="float64")
    x = nt.tensor(rng.uniform(-1, 1, (4, 3, 2)), dtype=nt.float64, requires_grad=True)

    def run(x, *params):
        out, h = model(pack_padded_sequence(x, [4, 2, 1]))
        return (out.padded,) + (h if isinstance(h, tuple) else (h,))

    gradcheck(run, [x, *model.parameters()])


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell"])
def test_float32_in_float32_out(name, rng):
    model = getattr(nn, name)(3, 4)
    shape = (2, 3) if name.endswith("Cell") else (5, 2, 3)
    x = nt.tensor(rng.standard_normal(shape).astype(np.float32), requires_grad=True)
    outs = model(x)
    flat = []
    for o in outs if isinstance(outs, tuple) else (outs,):
        flat.extend(o if isinstance(o, tuple) else (o,))
    sum(o.sum() for o in flat).backward()
    assert all(o.dtype == np.float32 for o in flat)
    assert x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


@pytest.mark.parametrize("name", ["LSTM", "GRU"])
def test_truncated_bptt_matches_torch(name, rng):
    """Chunks of k steps, carried state detached in between: the forward equals one long run,
    and the gradients (accumulated over chunks) equal torch's doing the same."""
    th = needs_torch()
    th.manual_seed(0)
    ref = getattr(th.nn, name)(3, 4, batch_first=True).double()
    ours = getattr(nn, name)(3, 4, batch_first=True, dtype="float64")
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = rng.uniform(-1, 1, (2, 9, 3))
    full_out, _ = ours(nt.tensor(x, dtype=nt.float64))

    def detach(state):
        return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()

    state, ref_state = None, None
    chunks = []
    for start in range(0, 9, 3):
        out, state = ours(nt.tensor(x[:, start : start + 3], dtype=nt.float64), state)
        ref_out, ref_state = ref(th.tensor(x[:, start : start + 3]), ref_state)
        (out**2).sum().backward()
        (ref_out**2).sum().backward()
        state, ref_state = detach(state), detach(ref_state)
        chunks.append(out.data)
        # after detaching, the carried state has no history: a later backward stops here
        for s in state if isinstance(state, tuple) else (state,):
            assert s.grad_fn is None and not s.requires_grad
    assert_close(np.concatenate(chunks, axis=1), full_out, what="chunked vs one long run")
    params = dict(ours.named_parameters())
    for k, p in ref.named_parameters():
        assert_close(params[k].grad, p.grad, atol=1e-10, what=f"truncated-BPTT gradient of {k}")
