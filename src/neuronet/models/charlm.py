"""A character-level language model, its masked loss, and sampling words from it.

    model = CharLM(vocab_size=len(vocab), hidden_size=128, kind="lstm", bptt=8)
    scores = model(inputs)                                  # (N, T, V): next-character scores
    loss = MaskedCrossEntropyLoss()(scores, targets)        # mean over the non-padding targets
    sample_words(model, vocab, 5, temperature=0.8, generator=0)   # ['slather', ...]

Training is teacher forcing: the input at step t is the true character t - 1 (BOS first), the
target is character t (EOS last), so one forward pass scores every position of the batch.
"""

import numpy as np

from neuronet import nn
from neuronet.autograd.function import as_array
from neuronet.autograd.grad_mode import no_grad
from neuronet.creation import from_numpy
from neuronet.data.vocabulary import Vocabulary
from neuronet.models.rnn import RECURRENT_LAYERS
from neuronet.nn import functional as F
from neuronet.ops.shape import cat
from neuronet.random import get_generator


def _detach(state):
    """The recurrent state (h or the LSTM's (h, c)) cut off from the graph."""
    return tuple(s.detach() for s in state) if isinstance(state, tuple) else state.detach()


class CharLM(nn.Module):
    """Embedding -> RNN/LSTM/GRU -> Linear, the scores of the next token at every step.

    Input: token ids (N, T), right-padded with `pad_index` (its embedding stays zero); output:
    scores (N, T, vocab_size). Steps after a sequence's end compute values that the masked loss
    ignores: a recurrent layer only looks back, so they never change the real steps.
    bptt: truncated backpropagation through time while training: the state carried into each
    block of `bptt` steps is detached, so gradients flow back at most `bptt` steps (None = all
    the way). Evaluation always runs the whole sequence. Submodules `embedding`, `rnn`
    (batch_first) and `fc` have the keys of the same model built from torch.nn.
    """

    def __init__(self, vocab_size, embedding_dim=32, hidden_size=128, kind="lstm", num_layers=1,
                 dropout=0.0, bptt=None, pad_index=Vocabulary.PAD):
        super().__init__()
        if kind not in RECURRENT_LAYERS:
            raise ValueError(f"CharLM: unknown kind {kind!r}; choose one of "
                             f"{', '.join(sorted(RECURRENT_LAYERS))}")
        if bptt is not None and (isinstance(bptt, bool) or not isinstance(bptt, int)
                                 or bptt < 1):
            raise ValueError(f"CharLM: bptt must be an integer >= 1 or None, got {bptt!r}")
        self.kind, self.bptt, self.vocab_size = kind, bptt, vocab_size
        self.embedding = nn.Embedding(vocab_size, embedding_dim, padding_idx=pad_index)
        self.rnn = RECURRENT_LAYERS[kind](embedding_dim, hidden_size, num_layers=num_layers,
                                          batch_first=True, dropout=dropout)
        self.fc = nn.Linear(hidden_size, vocab_size)

    def forward(self, x):
        return self.run(x)[0]

    def run(self, x, state=None):
        """(scores (N, T, V), state after the last step) continuing from `state` (None =
        zeros). A state is h (num_layers, N, H), or (h, c) for the LSTM."""
        ids = as_array(x)
        if ids.ndim != 2 or ids.dtype.kind not in "iu":
            raise ValueError(f"CharLM: expected integer token ids of shape (N, T), got "
                             f"{ids.dtype} of shape {ids.shape}")
        if ids.shape[1] == 0:
            raise ValueError("CharLM: expected at least one step, got token ids of shape "
                             f"{ids.shape}")
        embedded = self.embedding(x)
        T = ids.shape[1]
        block = self.bptt if self.training and self.bptt else T
        outputs = []
        for start in range(0, T, block):
            if start:
                state = _detach(state)
            out, state = self.rnn(embedded[:, start:start + block], state)
            outputs.append(out)
        out = outputs[0] if len(outputs) == 1 else cat(outputs, dim=1)
        return self.fc(out), state


def masked_cross_entropy(scores, targets, pad_index=Vocabulary.PAD):
    """Mean cross-entropy over the positions whose target is not `pad_index`.

    scores: (N, T, V) raw scores; targets: (N, T) int ids. The same as torch's
    cross_entropy(scores.reshape(-1, V), targets.reshape(-1), ignore_index=pad_index).
    """
    t = as_array(targets)
    if scores.ndim != 3 or t.shape != tuple(scores.shape[:2]):
        raise ValueError(f"masked_cross_entropy: expected scores (N, T, V) and targets (N, T), "
                         f"got scores {tuple(scores.shape)} and targets {t.shape}")
    V = scores.shape[2]
    return F.cross_entropy(scores.reshape(-1, V), t.reshape(-1), ignore_index=pad_index)


class MaskedCrossEntropyLoss(nn.Module):
    """`masked_cross_entropy` as a loss module. `count(targets)` is the number of positions
    it averages over, so that `fit` weights each batch by its real tokens and its epoch losses
    are exact means per token (per character)."""

    def __init__(self, pad_index=Vocabulary.PAD):
        super().__init__()
        self.pad_index = pad_index

    def forward(self, scores, targets):
        return masked_cross_entropy(scores, targets, self.pad_index)

    def count(self, targets):
        return int((as_array(targets) != self.pad_index).sum())


def _next_ids(scores, temperature, rng):
    """One token id per row of scores (n, V): the argmax for temperature 0, else a draw from
    softmax(scores / temperature) (in float64, so tiny temperatures stay exact)."""
    if temperature == 0:
        return scores.argmax(axis=1)
    z = scores.astype(np.float64) / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    cumulative = np.cumsum(p, axis=1)
    u = rng.random(len(p)) * cumulative[:, -1]
    return (cumulative <= u[:, None]).sum(axis=1)  # the first id whose cumulative mass exceeds u


def sample_words(model, vocabulary, n, temperature=1.0, prefix="", max_length=40,
                 generator=None):
    """`n` new words from a CharLM, one character at a time, each starting with `prefix`.

    temperature: divides the scores before the softmax (below 1: safer, above: more varied);
    0 is greedy (always the most likely character). generator: a Generator or int seed (None:
    the global one); the same seed gives the same words. A word ends at the end token, or
    after max_length characters.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"sample_words: n must be an integer >= 1, got {n!r}")
    if isinstance(temperature, bool) or not np.isfinite(temperature) or temperature < 0:
        raise ValueError(f"sample_words: temperature must be a finite number >= 0, got "
                         f"{temperature!r}")
    if len(prefix) >= max_length:
        raise ValueError(f"sample_words: the prefix {prefix!r} leaves no room within "
                         f"max_length={max_length}")
    if len(vocabulary) != model.vocab_size:
        raise ValueError(f"sample_words: the vocabulary has {len(vocabulary)} tokens, the model "
                         f"scores {model.vocab_size}")
    rng = get_generator(generator)
    start = np.concatenate([[Vocabulary.BOS], vocabulary.encode(prefix)])
    inputs = np.tile(start, (n, 1))
    chosen = np.full((n, max_length - len(prefix)), Vocabulary.EOS)
    ended = np.zeros(n, dtype=bool)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            scores, state = model.run(from_numpy(inputs))
            for k in range(chosen.shape[1]):
                last = scores.data[:, -1].copy()
                last[:, [Vocabulary.PAD, Vocabulary.BOS]] = -np.inf  # never inside a word
                ids = _next_ids(last, temperature, rng)
                chosen[:, k] = np.where(ended, Vocabulary.EOS, ids)
                ended |= ids == Vocabulary.EOS
                if ended.all():
                    break
                scores, state = model.run(from_numpy(ids[:, None]), state)
    finally:
        model.train(was_training)
    words = []
    for row in chosen:
        end = np.flatnonzero(row == Vocabulary.EOS)
        words.append(prefix + vocabulary.decode(row[:end[0]] if len(end) else row))
    return words
