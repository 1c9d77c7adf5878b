"""`Dropout`: randomly zero activations while training (inverted dropout)."""

import numbers

from neuronet.nn import functional as F
from neuronet.nn.modules.module import Module


class Dropout(Module):
    """In training, zero each element with probability p and scale the rest by 1 / (1 - p),
    so that evaluation (where it is the identity) needs no rescaling. Any input shape.
    Randomness comes from the global generator (`neuronet.manual_seed`).
    """

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"Dropout: probability p has to be between 0 and 1, got {p!r}")
        self.p = p
        self.inplace = inplace

    def forward(self, input):
        self._check_input(input)
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
