"""models.CharLM, its masked loss and sampling: torch as the oracle (scores, gradients, also with
truncated BPTT), finite differences, padding ignored, seeded and greedy sampling, bad input."""

import numpy as np
import pytest

import neuronet as nt
from neuronet.autograd.gradcheck import gradcheck
from neuronet.data.vocabulary import Vocabulary
from neuronet.models import CharLM
from neuronet.models.charlm import MaskedCrossEntropyLoss, masked_cross_entropy, sample_words
from oracle import assert_close, needs_torch

V, E, H = 9, 4, 5
VOCAB = Vocabulary("abcdef")  # 3 special tokens + 6 characters = V


def padded_batch(rng, lengths=(6, 3, 1, 4)):
    """(inputs, targets) (N, T) int64: BOS + random characters, PAD after each end."""
    T = max(lengths)
    x = np.zeros((len(lengths), T), np.int64)
    y = np.zeros_like(x)
    for row, n in enumerate(lengths):
        chars = rng.integers(3, V, n - 1)
        x[row, :n] = np.concatenate([[Vocabulary.BOS], chars])
        y[row, :n] = np.concatenate([chars, [Vocabulary.EOS]])
    return x, y


def torch_twin(kind, model, num_layers=1):
    """The same network in torch (float64), with `model`'s weights (same state_dict keys)."""
    th = needs_torch()
    modules = th.nn.ModuleDict({
        "embedding": th.nn.Embedding(V, E, padding_idx=0),
        "rnn": getattr(th.nn, kind.upper())(E, H, num_layers=num_layers, batch_first=True),
        "fc": th.nn.Linear(H, V),
    }).double()
    modules.load_state_dict({k: th.tensor(v.data) for k, v in model.state_dict().items()})
    return modules


def torch_scores(twin, x, bptt=None):
    """Scores of the torch twin, detaching the carried state every `bptt` steps."""
    th = needs_torch()
    emb = twin["embedding"](th.tensor(x))
    step = bptt or x.shape[1]
    outs, state = [], None
    for start in range(0, x.shape[1], step):
        if state is not None:
            state = tuple(s.detach() for s in state) if isinstance(state, tuple) else \
                state.detach()
        out, state = twin["rnn"](emb[:, start:start + step], state)
        outs.append(out)
    return twin["fc"](th.cat(outs, dim=1))


@pytest.mark.parametrize("kind", ["lstm", "gru", "rnn"])
@pytest.mark.parametrize("bptt", [None, 2])
def test_scores_loss_and_gradients_match_torch(kind, bptt, rng):
    th = needs_torch()
    model = CharLM(V, E, H, kind=kind, num_layers=2, bptt=bptt).double()
    twin = torch_twin(kind, model, num_layers=2)
    x, y = padded_batch(rng)
    loss = masked_cross_entropy(model(nt.tensor(x)), y)
    ref = th.nn.functional.cross_entropy(torch_scores(twin, x, bptt).reshape(-1, V),
                                         th.tensor(y).reshape(-1), ignore_index=0)
    assert_close(loss, ref, what="masked loss")
    loss.backward()
    ref.backward()
    theirs = dict(twin.named_parameters())
    for name, p in model.named_parameters():
        assert_close(p.grad, theirs[name].grad, atol=1e-10, what=f"gradient of {name}")


def test_truncation_cuts_the_gradient_and_only_in_training(rng):
    x, y = padded_batch(rng, lengths=(6, 6))
    grads = {}
    for bptt in (None, 2):
        nt.manual_seed(3)
        model = CharLM(V, E, H, bptt=bptt).double()
        masked_cross_entropy(model(nt.tensor(x)), y).backward()
        grads[bptt] = model.rnn.weight_hh_l0.grad.data.copy()
        model.eval()
        with nt.no_grad():
            grads[f"eval {bptt}"] = model(nt.tensor(x)).data
    assert not np.allclose(grads[None], grads[2])  # the truncated gradient is another one
    np.testing.assert_array_equal(grads["eval None"], grads["eval 2"])


def test_finite_differences_through_the_whole_model(rng):
    model = CharLM(V, E, H, kind="lstm").double()
    x, y = padded_batch(rng, lengths=(4, 2))
    params = list(model.parameters())
    gradcheck(lambda *ps: masked_cross_entropy(model(nt.tensor(x)), y), params)


def test_masked_loss_ignores_padding_as_torch_ignore_index(rng):
    th = needs_torch()
    scores = rng.standard_normal((3, 5, V))
    x, y = padded_batch(rng, lengths=(5, 2, 3))
    ours = nt.tensor(scores, dtype=nt.float64, requires_grad=True)
    theirs = th.tensor(scores, requires_grad=True)
    loss = MaskedCrossEntropyLoss()(ours, y)
    ref = th.nn.functional.cross_entropy(theirs.reshape(-1, V), th.tensor(y).reshape(-1),
                                         ignore_index=0)
    assert_close(loss, ref, what="loss")
    loss.backward()
    ref.backward()
    assert_close(ours.grad, theirs.grad, atol=1e-12, what="gradient")
    pad = y == 0
    assert np.all(ours.grad.data[pad] == 0)
    changed = scores.copy()
    changed[pad] = 100 * rng.standard_normal(changed[pad].shape)  # anything on the padding
    again = masked_cross_entropy(nt.tensor(changed, dtype=nt.float64), y)
    assert again.item() == pytest.approx(loss.item(), rel=1e-12)
    assert MaskedCrossEntropyLoss().count(y) == 5 + 2 + 3


def test_masked_loss_bad_shapes():
    with pytest.raises(ValueError, match=r"masked_cross_entropy: expected scores \(N, T, V\) "
                                         r"and targets \(N, T\), got scores \(2, 3, 9\) and "
                                         r"targets \(2, 4\)"):
        masked_cross_entropy(nt.zeros(2, 3, V), np.zeros((2, 4), np.int64))
    with pytest.raises(ValueError, match="masked_cross_entropy"):
        masked_cross_entropy(nt.zeros(6, V), np.zeros(6, np.int64))


def greedy_by_hand(model, prefix, max_length):
    """The greedy word by re-running the whole prefix at every step (no carried state)."""
    ids = [Vocabulary.BOS, *VOCAB.encode(prefix)]
    model.eval()
    while len(ids) - 1 < max_length:
        scores = model(nt.tensor(np.array([ids]))).data[0, -1].copy()
        scores[[Vocabulary.PAD, Vocabulary.BOS]] = -np.inf
        nxt = int(scores.argmax())
        if nxt == Vocabulary.EOS:
            break
        ids.append(nxt)
    return VOCAB.decode(ids)


def test_sampling_is_seeded_and_tends_to_greedy_as_temperature_falls():
    model = CharLM(V, E, H, kind="gru")
    with nt.no_grad():
        model.fc.weight.data *= 6  # peaked enough that different draws differ
    first = sample_words(model, VOCAB, 12, temperature=1.0, max_length=8, generator=5)
    assert sample_words(model, VOCAB, 12, temperature=1.0, max_length=8, generator=5) == first
    assert sample_words(model, VOCAB, 12, temperature=1.0, max_length=8, generator=6) != first
    assert len(set(first)) > 1
    greedy = sample_words(model, VOCAB, 3, temperature=0, prefix="ab", max_length=8)
    assert greedy == [greedy_by_hand(model, "ab", 8)] * 3
    assert sample_words(model, VOCAB, 3, temperature=1e-9, prefix="ab", max_length=8,
                        generator=1) == greedy
    model.train()
    assert all(w.startswith("ab") and len(w) <= 8 for w in
               sample_words(model, VOCAB, 20, prefix="ab", max_length=8, generator=2))
    assert model.training  # sampling restores the model's mode


def test_bad_input():
    with pytest.raises(ValueError, match="CharLM: unknown kind 'transformer'; choose one of gru"):
        CharLM(V, kind="transformer")
    with pytest.raises(ValueError, match="CharLM: bptt must be an integer >= 1 or None, got 0"):
        CharLM(V, bptt=0)
    model = CharLM(V, E, H)
    with pytest.raises(ValueError, match=r"CharLM: expected integer token ids of shape \(N, T\), "
                                         r"got float32 of shape \(2, 3\)"):
        model(nt.zeros(2, 3))
    with pytest.raises(ValueError, match=r"CharLM: expected integer token ids of shape \(N, T\), "
                                         r"got int64 of shape \(3,\)"):
        model(nt.tensor(np.arange(3)))
    with pytest.raises(ValueError, match="at least one step"):
        model(nt.tensor(np.zeros((2, 0), np.int64)))
    for kwargs, message in (({"n": 0}, "n must be an integer >= 1, got 0"),
                            ({"temperature": -1}, "temperature must be a finite number >= 0"),
                            ({"temperature": float("nan")}, "temperature must be a finite"),
                            ({"prefix": "abc", "max_length": 3}, "leaves no room"),
                            ({"prefix": "xyz"}, "character 'x' of 'xyz' is not in the vocab")):
        with pytest.raises(ValueError, match=message):
            sample_words(model, VOCAB, **{"n": 2, **kwargs})
    with pytest.raises(ValueError, match="the vocabulary has 5 tokens, the model scores 9"):
        sample_words(model, Vocabulary("ab"), 2)
