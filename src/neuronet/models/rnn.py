"""A sequence classifier: a recurrent layer read out by a linear layer on its last state."""

from neuronet import nn
from neuronet.ops.shape import cat

# The recurrent layer of each `kind` the models accept.
RECURRENT_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceClassifier(nn.Module):
    """RNN, LSTM or GRU over the sequence, then Linear(hidden, num_classes) on the top layer's
    final hidden state (both directions concatenated when bidirectional).

    Input (N, L, input_size), or (N, L) for one feature per step (e.g. MNIST-1D signals);
    output scores (N, num_classes). Submodules: `rnn` (batch_first) and `fc`.
    """

    def __init__(self, input_size, hidden_size, num_classes, kind="gru", num_layers=1,
                 bidirectional=False, dropout=0.0):
        super().__init__()
        if kind not in RECURRENT_LAYERS:
            raise ValueError(f"SequenceClassifier: unknown kind {kind!r}; choose one of "
                             f"{sorted(RECURRENT_LAYERS)}")
        self.kind = kind
        self.rnn = RECURRENT_LAYERS[kind](input_size, hidden_size, num_layers=num_layers,
                                batch_first=True, dropout=dropout, bidirectional=bidirectional)
        self.fc = nn.Linear(hidden_size * (2 if bidirectional else 1), num_classes)

    def forward(self, x):
        if x.ndim == 2:
            x = x.unsqueeze(2)
        _, h_n = self.rnn(x)
        h_n = h_n[0] if isinstance(h_n, tuple) else h_n  # the LSTM's (h_n, c_n)
        last = cat([h_n[-2], h_n[-1]], dim=1) if self.rnn.bidirectional else h_n[-1]
        return self.fc(last)
