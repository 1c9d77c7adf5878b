"""`Embedding`: a learnable lookup table of vectors, one per token id."""

import numpy as np

from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.nn import functional as F
from neuronet.nn import init
from neuronet.nn.functional.embedding import normalize_padding_idx
from neuronet.nn.modules.module import Module
from neuronet.nn.parameter import Parameter


class Embedding(Module):
    """weight: (num_embeddings, embedding_dim), drawn from N(0, 1) as in PyTorch.

    Input: integer ids (*) -> output (*, embedding_dim). With `padding_idx` that row starts
    at zero and never receives a gradient, so padding stays a zero vector.
    """

    def __init__(self, num_embeddings, embedding_dim, padding_idx=None, dtype=None):
        super().__init__()
        for name, value in (("num_embeddings", num_embeddings), ("embedding_dim", embedding_dim)):
            if not isinstance(value, (int, np.integer)) or isinstance(value, bool) or value < 0:
                raise ValueError(f"Embedding: {name} must be a non-negative integer, got {value!r}")
        self.num_embeddings = int(num_embeddings)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = normalize_padding_idx(padding_idx, self.num_embeddings, "Embedding")
        dtype = get_default_dtype() if dtype is None else as_dtype(dtype)
        self.weight = Parameter(np.empty((self.num_embeddings, self.embedding_dim), dtype))
        self.reset_parameters()

    def reset_parameters(self):
        init.normal_(self.weight)
        if self.padding_idx is not None:
            self.weight.data[self.padding_idx] = 0

    def forward(self, input):
        return F.embedding(input, self.weight, self.padding_idx)

    def extra_repr(self):
        text = f"{self.num_embeddings}, {self.embedding_dim}"
        return text + (f", padding_idx={self.padding_idx}" if self.padding_idx is not None else "")
