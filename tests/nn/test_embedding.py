"""Embedding and F.embedding against torch: lookups, gradients summed over repeated ids,
no gradient for padding_idx, initialization and bad input."""

import numpy as np
import pytest

import neuronet as nt
from neuronet import nn
from neuronet.autograd.gradcheck import gradcheck
from neuronet.nn import functional as F
from oracle import assert_close, needs_torch


@pytest.mark.parametrize("padding_idx", [None, 0, 3, -1])
@pytest.mark.parametrize("shape", [(7,), (2, 5), (1, 1), (3, 2, 4)])
def test_embedding_matches_torch(padding_idx, shape, rng):
    th = needs_torch()
    weight = rng.standard_normal((6, 3))
    ids = rng.integers(0, 6, shape)
    ids.flat[0] = ids.flat[-1] = 5  # a repeated id, and the last row (padding_idx=-1)
    w = nt.tensor(weight, dtype=nt.float64, requires_grad=True)
    tw = th.tensor(weight, requires_grad=True)
    out = F.embedding(nt.tensor(ids), w, padding_idx=padding_idx)
    ref = th.nn.functional.embedding(th.tensor(ids), tw, padding_idx=padding_idx)
    assert_close(out, ref, what="embedding output")
    up = rng.standard_normal(ref.shape)
    (out * nt.tensor(up, dtype=nt.float64)).sum().backward()
    (ref * th.tensor(up)).sum().backward()
    assert_close(w.grad, tw.grad, what="embedding weight gradient")
    if padding_idx is None:  # the padding row's zero gradient is by design, not the derivative
        gradcheck(lambda w: F.embedding(ids, w), [w])


def test_padding_row_starts_at_zero_and_never_learns(rng):
    emb = nn.Embedding(5, 4, padding_idx=2)
    assert np.all(emb.weight.data[2] == 0)
    assert emb.weight.dtype == np.float32
    ids = nt.tensor(np.array([[2, 1, 2], [0, 2, 4]]))
    (emb(ids) ** 2).sum().backward()
    assert np.all(emb.weight.grad.data[2] == 0)
    assert np.all(emb.weight.grad.data[1] != 0)
    assert emb.padding_idx == 2
    assert nn.Embedding(5, 4, padding_idx=-2).padding_idx == 3
    assert repr(nn.Embedding(5, 4, padding_idx=2)) == "Embedding(5, 4, padding_idx=2)"


def test_init_is_standard_normal_and_state_dict_as_torch():
    th = needs_torch()
    emb = nn.Embedding(1000, 20)
    assert abs(emb.weight.data.mean()) < 0.02 and abs(emb.weight.data.std() - 1) < 0.02
    ref = th.nn.Embedding(1000, 20)
    assert list(emb.state_dict()) == list(ref.state_dict())
    emb.load_state_dict({k: v.numpy() for k, v in ref.state_dict().items()})
    ids = np.array([[3, 999], [0, 3]])
    assert_close(emb(nt.tensor(ids)), ref(th.tensor(ids)), rtol=0, atol=0, what="lookup")


def test_embedding_errors():
    emb = nn.Embedding(5, 4)
    with pytest.raises(IndexError, match="embedding: index 5 is out of range for 5 embeddings"):
        emb(nt.tensor(np.array([1, 5])))
    with pytest.raises(IndexError, match="index -1 is out of range"):
        emb(nt.tensor(np.array([-1, 2])))
    with pytest.raises(TypeError, match="embedding: expects integer indices, got dtype float32"):
        emb(nt.tensor([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"Embedding: padding_idx must be an int .*, got 5"):
        nn.Embedding(5, 4, padding_idx=5)
    with pytest.raises(ValueError, match="Embedding: embedding_dim must be a non-negative integer"):
        nn.Embedding(5, -1)
    with pytest.raises(ValueError, match=r"embedding: weight must be 2-D"):
        F.embedding(nt.tensor(np.array([0])), nt.zeros(5))
    with pytest.raises(TypeError, match="embedding: weight must be a Tensor"):
        F.embedding(nt.tensor(np.array([0])), np.zeros((5, 2)))
