"""Language-model training with fit: epoch means per token (a loss with count()), perplexity
and bits per character in the logs, the history and its CSV."""

import math

import numpy as np
import pytest

import neuronet as nt
from neuronet import optim
from neuronet.data.vocabulary import Vocabulary
from neuronet.models import CharLM
from neuronet.models.charlm import MaskedCrossEntropyLoss
from neuronet.nn import functional as F
from neuronet.train import CSVLogger, History, evaluate, fit
from neuronet.train.language import LanguageModelMetrics, language_metrics

V = 8


def batch(rng, lengths):
    x = np.zeros((len(lengths), max(lengths)), np.int64)
    y = np.zeros_like(x)
    for row, n in enumerate(lengths):
        x[row, :n] = np.concatenate([[Vocabulary.BOS], rng.integers(3, V, n - 1)])
        y[row, :n] = np.concatenate([x[row, 1:n], [Vocabulary.EOS]])
    return x, y


def test_perplexity_and_bits_per_character():
    assert language_metrics(math.log(4)) == pytest.approx({"perplexity": 4.0, "bpc": 2.0})
    assert language_metrics(0.0) == {"perplexity": 1.0, "bpc": 0.0}


def test_epoch_loss_is_the_mean_over_tokens_not_over_sequences(rng):
    model = CharLM(V, 3, 4).double()
    short, long_ = batch(rng, [2, 2, 2]), batch(rng, [9])  # 6 tokens in 3 words, 9 in 1
    both = [short, long_]
    measured = evaluate(model, both, MaskedCrossEntropyLoss(), metrics=())["loss"]
    T = 9
    x = np.concatenate([np.pad(b[0], ((0, 0), (0, T - b[0].shape[1]))) for b in both])
    y = np.concatenate([np.pad(b[1], ((0, 0), (0, T - b[1].shape[1]))) for b in both])
    model.eval()
    scores = model(nt.tensor(x)).reshape(-1, V)
    per_token = F.cross_entropy(scores, y.reshape(-1), ignore_index=0).item()
    assert measured == pytest.approx(per_token, rel=1e-12)
    per_batch = [F.cross_entropy(model(nt.tensor(b[0])).reshape(-1, V),
                                 b[1].reshape(-1), ignore_index=0).item() for b in both]
    per_word = (3 * per_batch[0] + 1 * per_batch[1]) / 4  # what weighting by samples gives
    assert abs(measured - per_word) > 1e-3


def test_fit_logs_perplexity_and_bpc_per_epoch(rng, tmp_path, capsys):
    model = CharLM(V, 3, 8)
    train = [batch(rng, [5, 3, 4]) for _ in range(4)]
    val = [batch(rng, [6, 2])]
    history = fit(model, train, MaskedCrossEntropyLoss(), optim.Adam(model.parameters(), 0.05),
                  epochs=2, val_data=val, metrics=(),
                  callbacks=[LanguageModelMetrics(), CSVLogger(tmp_path / "h.csv")])
    h = history.history
    for prefix in ("", "val_"):
        for loss, ppl, bpc in zip(h[f"{prefix}loss"], h[f"{prefix}perplexity"],
                                  h[f"{prefix}bpc"]):
            assert ppl == pytest.approx(math.exp(loss)) and bpc == pytest.approx(loss / math.log(2))
    header = (tmp_path / "h.csv").read_text().splitlines()[0].split(",")
    assert {"val_perplexity", "val_bpc", "perplexity", "bpc"} <= set(header)
    out = capsys.readouterr()
    assert "epoch 2/2  validation: loss" in out.out + out.err and "bits/char" in out.out + out.err


def test_history_extend_last():
    history = History()
    with pytest.raises(ValueError, match="no epoch has been recorded yet"):
        history.extend_last({"bpc": 1.0})
    history.append(1, {"loss": 2.0})
    history.append(2, {"loss": 1.0})
    history.extend_last({"bpc": 1.5})
    assert history.history == {"loss": [2.0, 1.0], "bpc": [None, 1.5]}
    with pytest.raises(TypeError, match="'bpc' must be a number, got 'x'"):
        history.extend_last({"bpc": "x"})
    assert history.history["bpc"] == [None, 1.5]
