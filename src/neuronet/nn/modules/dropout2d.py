"""`Dropout2d`: zero whole channels of feature maps while training (see F.dropout2d)."""

import numbers

from neuronet.nn import functional as F
from neuronet.nn.modules.module import Module


class Dropout2d(Module):
    """In training, zero each channel of (N, C, H, W) input with probability p and scale the
    rest by 1 / (1 - p); the identity in evaluation. Randomness from the global generator."""

    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not isinstance(p, numbers.Real) or not 0 <= p <= 1:
            raise ValueError(f"Dropout2d: probability p has to be between 0 and 1, got {p!r}")
        self.p, self.inplace = p, inplace

    def forward(self, input):
        self._check_input(input)
        return F.dropout2d(input, self.p, self.training, self.inplace)

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"
