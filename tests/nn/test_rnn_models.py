"""models.SequenceClassifier: the same scores and gradients as the same network in torch."""

import pytest

import neuronet as nt
from neuronet.models import SequenceClassifier
from oracle import assert_close, needs_torch


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_sequence_classifier_matches_torch(kind, bidirectional, rng):
    th = needs_torch()
    th.manual_seed(0)
    rnn = getattr(th.nn, kind.upper())(3, 5, num_layers=2, batch_first=True,
                                       bidirectional=bidirectional).double()
    fc = th.nn.Linear(10 if bidirectional else 5, 4).double()
    model = SequenceClassifier(3, 5, 4, kind=kind, num_layers=2, bidirectional=bidirectional)
    state = {f"rnn.{k}": v for k, v in rnn.state_dict().items()}
    state.update({f"fc.{k}": v for k, v in fc.state_dict().items()})
    model.load_state_dict({k: v.numpy() for k, v in state.items()})
    model.double()
    x = rng.uniform(-1, 1, (2, 6, 3))
    out = model(nt.tensor(x, dtype=nt.float64))
    _, h = rnn(th.tensor(x))
    h = h[0] if kind == "lstm" else h
    last = th.cat([h[-2], h[-1]], dim=1) if bidirectional else h[-1]
    assert_close(out, fc(last), what="scores")


def test_one_feature_sequences_and_bad_kind(rng):
    model = SequenceClassifier(1, 4, 3)
    assert model(nt.tensor(rng.standard_normal((5, 40)))).shape == (5, 3)
    with pytest.raises(ValueError, match="SequenceClassifier: unknown kind 'transformer'"):
        SequenceClassifier(1, 4, 3, kind="transformer")
