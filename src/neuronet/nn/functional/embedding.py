"""`embedding`: look up rows of a weight matrix by integer index."""

import numpy as np

from neuronet.autograd.function import Function, as_array
from neuronet.autograd.tensor import Tensor


class Embedding(Function):
    """weight[indices]; the gradient of each row sums over the positions that picked it,
    except the `padding_idx` row, which gets none."""

    def forward(self, weight, indices, padding_idx=None):
        self.shape, self.indices, self.padding_idx = weight.shape, indices, padding_idx
        return weight[indices]

    def backward(self, g):
        out = np.zeros(self.shape, dtype=g.dtype)
        # an index may appear many times: np.add.at adds every pick (see ops/indexing.py)
        np.add.at(out, self.indices.reshape(-1), g.reshape(-1, self.shape[1]))
        if self.padding_idx is not None:
            out[self.padding_idx] = 0
        return out, None


def normalize_padding_idx(padding_idx, num_embeddings, op):
    """padding_idx in [-num_embeddings, num_embeddings) as a non-negative int, or None."""
    if padding_idx is None:
        return None
    if not isinstance(padding_idx, (int, np.integer)) or isinstance(padding_idx, bool) or not (
        -num_embeddings <= padding_idx < num_embeddings
    ):
        raise ValueError(
            f"{op}: padding_idx must be an int within num_embeddings ({num_embeddings}), "
            f"i.e. in [{-num_embeddings}, {num_embeddings}), got {padding_idx!r}"
        )
    return int(padding_idx) % num_embeddings


def embedding(input, weight, padding_idx=None):
    """Rows of `weight` picked by `input`.

    input: integer indices, any shape (*); weight: (num_embeddings, embedding_dim).
    Returns (*, embedding_dim). The row `padding_idx` (negative counts from the end) receives
    no gradient, as in PyTorch.
    """
    op = "embedding"
    if not isinstance(weight, Tensor):
        raise TypeError(f"{op}: weight must be a Tensor, got {type(weight).__name__}")
    if weight.ndim != 2:
        raise ValueError(
            f"{op}: weight must be 2-D (num_embeddings, embedding_dim), got shape {weight.shape}"
        )
    indices = as_array(input)
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{op}: expects integer indices, got dtype {indices.dtype}")
    n = weight.shape[0]
    if indices.size and (indices.min() < 0 or indices.max() >= n):
        bad = int(indices.min()) if indices.min() < 0 else int(indices.max())
        raise IndexError(f"{op}: index {bad} is out of range for {n} embeddings")
    padding_idx = normalize_padding_idx(padding_idx, n, op)
    return Embedding.apply(weight, indices, padding_idx=padding_idx)
