"""Variable-length batches: a padded batch with lengths gives what each sequence gives alone,
and what torch gives with its PackedSequence; the padding helpers and their errors."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.nn.utils.rnn import (
    PackedSequence,
    pack_padded_sequence,
    pad_packed_sequence,
    pad_sequence,
)
from oracle import assert_close, needs_torch

LENGTHS = [5, 3, 1, 4]  # unsorted on purpose


def flat_states(h):
    return list(h) if isinstance(h, tuple) else [h]


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
@pytest.mark.parametrize("batch_first", [False, True])
def test_padded_batch_equals_each_sequence_alone(name, batch_first, rng):
    model = getattr(nn, name)(3, 4, num_layers=2, bidirectional=True, batch_first=batch_first,
                              dtype="float64")
    seqs = [rng.uniform(-1, 1, (n, 3)) for n in LENGTHS]
    padded = np.zeros((len(seqs), max(LENGTHS), 3))
    for i, s in enumerate(seqs):
        padded[i, : len(s)] = s
    x = nt.tensor(padded if batch_first else padded.transpose(1, 0, 2), dtype=nt.float64,
                  requires_grad=True)
    out, h = model(pack_padded_sequence(x, LENGTHS, batch_first, enforce_sorted=False))
    out, lengths = pad_packed_sequence(out, batch_first=True)
    assert lengths.tolist() == LENGTHS
    ups = [rng.standard_normal((n, 8)) for n in LENGTHS]
    loss = sum((out[i, :n] * nt.tensor(up)).sum() for i, (n, up) in enumerate(zip(LENGTHS, ups)))
    loss = loss + sum((s**2).sum() for s in flat_states(h))
    model.zero_grad()
    loss.backward()
    batch_grads = {k: p.grad.data.copy() for k, p in model.named_parameters()}
    x_grad = x.grad.data if batch_first else x.grad.data.transpose(1, 0, 2)

    alone_grads = {k: 0 for k in batch_grads}
    for i, (s, up) in enumerate(zip(seqs, ups)):
        model.zero_grad()
        xi = nt.tensor(s, dtype=nt.float64, requires_grad=True)  # unbatched (L, 3)
        out_i, h_i = model(xi)
        assert_close(out[i, : len(s)], out_i, what=f"outputs of sequence {i}")
        assert np.all(out.data[i, len(s) :] == 0), "padded steps must output zeros"
        for k, (a, b) in enumerate(zip(flat_states(h), flat_states(h_i))):
            assert_close(a[:, i], b, what=f"final state {k} of sequence {i}")
        ((out_i * nt.tensor(up)).sum() + sum((b**2).sum() for b in flat_states(h_i))).backward()
        assert_close(x_grad[i, : len(s)], xi.grad, what=f"input gradient of sequence {i}")
        assert np.all(x_grad[i, len(s) :] == 0)
        for k, p in model.named_parameters():
            alone_grads[k] = alone_grads[k] + p.grad.data
    for k in batch_grads:
        assert_close(batch_grads[k], alone_grads[k], rtol=1e-10, atol=1e-12,
                     what=f"gradient of {k}: batch vs sum over sequences")


@pytest.mark.parametrize("name", ["RNN", "LSTM", "GRU"])
def test_packed_matches_torch_with_initial_state(name, rng):
    th = needs_torch()
    th.manual_seed(0)
    ref = getattr(th.nn, name)(3, 4, bidirectional=True).double()
    ours = getattr(nn, name)(3, 4, bidirectional=True, dtype="float64")
    ours.load_state_dict({k: v.detach().numpy() for k, v in ref.state_dict().items()})
    x = rng.uniform(-1, 1, (5, 4, 3))
    states = [rng.uniform(-1, 1, (2, 4, 4)) for _ in range(2 if name == "LSTM" else 1)]
    hx = tuple(nt.tensor(s, dtype=nt.float64) for s in states)
    ref_hx = tuple(th.tensor(s) for s in states)
    out, h = ours(pack_padded_sequence(nt.tensor(x, dtype=nt.float64), LENGTHS,
                                       enforce_sorted=False), hx if name == "LSTM" else hx[0])
    ref_packed = th.nn.utils.rnn.pack_padded_sequence(th.tensor(x), th.tensor(LENGTHS),
                                                      enforce_sorted=False)
    ref_out, ref_h = ref(ref_packed, ref_hx if name == "LSTM" else ref_hx[0])
    assert_close(pad_packed_sequence(out, padding_value=-1.0)[0],
                 th.nn.utils.rnn.pad_packed_sequence(ref_out, padding_value=-1.0)[0],
                 what="padded output")
    for k, (a, b) in enumerate(zip(flat_states(h), flat_states(ref_h))):
        assert_close(a, b, what=f"final state {k}")


def test_pad_packed_total_length_and_pad_sequence_as_torch(rng):
    th = needs_torch()
    seqs = [rng.uniform(-1, 1, (n, 2)) for n in (2, 4, 1)]
    ours = [nt.tensor(s, dtype=nt.float64, requires_grad=True) for s in seqs]
    theirs = [th.tensor(s, requires_grad=True) for s in seqs]
    for batch_first in (False, True):
        padded = pad_sequence(ours, batch_first=batch_first, padding_value=7.0)
        ref = th.nn.utils.rnn.pad_sequence(theirs, batch_first=batch_first, padding_value=7.0)
        assert_close(padded, ref, what=f"pad_sequence batch_first={batch_first}")
    (pad_sequence(ours) ** 2).sum().backward()
    (th.nn.utils.rnn.pad_sequence(theirs) ** 2).sum().backward()
    for a, b in zip(ours, theirs):
        assert_close(a.grad, b.grad, what="pad_sequence gradient")
    packed = pack_padded_sequence(pad_sequence(ours), [2, 4, 1], enforce_sorted=False)
    out, lengths = pad_packed_sequence(packed, batch_first=True, total_length=6)
    ref_packed = th.nn.utils.rnn.pack_padded_sequence(
        th.nn.utils.rnn.pad_sequence(theirs), th.tensor([2, 4, 1]), enforce_sorted=False)
    ref_out, ref_lengths = th.nn.utils.rnn.pad_packed_sequence(ref_packed, batch_first=True,
                                                               total_length=6)
    assert_close(out, ref_out, what="pad_packed_sequence with total_length")
    assert lengths.tolist() == ref_lengths.tolist()


def test_padding_helper_errors():
    x = nt.zeros(4, 2, 3)
    with pytest.raises(ValueError, match="not sorted in decreasing order"):
        pack_padded_sequence(x, [2, 3])
    with pytest.raises(ValueError, match=r"every length must be in \[1, 4\]"):
        pack_padded_sequence(x, [5, 3])
    with pytest.raises(ValueError, match=r"every length must be in \[1, 4\]"):
        pack_padded_sequence(x, [2, 0], enforce_sorted=False)
    with pytest.raises(ValueError, match="expected 2 lengths"):
        pack_padded_sequence(x, [2, 2, 1])
    with pytest.raises(TypeError, match="1-D integer array"):
        pack_padded_sequence(x, [2.0, 1.0])
    with pytest.raises(TypeError, match="input must be a Tensor"):
        pack_padded_sequence(np.zeros((4, 2, 3)), [2, 1])
    with pytest.raises(ValueError, match="shorter than the longest"):
        pad_packed_sequence(pack_padded_sequence(x, [4, 1]), total_length=3)
    with pytest.raises(TypeError, match="expected a PackedSequence"):
        pad_packed_sequence(x)
    with pytest.raises(ValueError, match="non-empty list"):
        pad_sequence([])
    assert isinstance(pack_padded_sequence(x, [4, 1]), PackedSequence)
