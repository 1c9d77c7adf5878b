"""Variable-length batches for the recurrent layers, with PyTorch's function names.

    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, h_n = lstm(packed)                     # h_n: each sequence's state after its last step
    out, lengths = pad_packed_sequence(out, batch_first=True)

Design: unlike PyTorch, our `PackedSequence` does not squeeze the padding out. It keeps the
padded tensor, time-major (T, N, *), and the lengths; the recurrent layers turn the lengths
into a mask and, on a padded step, carry the state through unchanged and output zeros. The
results are the same as running each sequence alone (tests/nn/test_rnn_lengths.py), the batch
keeps its original order (no sorting needed), and the code that calls these functions is the
same as with PyTorch. The price is that the padded steps are still computed.
"""

from dataclasses import dataclass

import numpy as np

from neuronet.autograd.function import as_array
from neuronet.autograd.tensor import Tensor
from neuronet.ops.shape import pad, stack


@dataclass(frozen=True)
class PackedSequence:
    """padded: Tensor (T, N, *) time-major; lengths: int64 array (N,), each in [1, T]."""

    padded: Tensor
    lengths: np.ndarray

    def mask(self):
        """(T, N, 1) in the data's dtype: 1 on real steps, 0 on padding."""
        T = self.padded.shape[0]
        return (np.arange(T)[:, None] < self.lengths[None, :])[..., None].astype(
            self.padded.dtype
        )


def pack_padded_sequence(input, lengths, batch_first=False, enforce_sorted=True):
    """A padded batch and its lengths as a `PackedSequence` the recurrent layers accept.

    input: (T, N, *) or (N, T, *) with batch_first; lengths: N ints in [1, T]. With
    enforce_sorted, lengths must be in decreasing order (as PyTorch demands).
    """
    op = "pack_padded_sequence"
    if not isinstance(input, Tensor):
        raise TypeError(f"{op}: input must be a Tensor, got {type(input).__name__}")
    if input.ndim < 2:
        raise ValueError(
            f"{op}: input needs at least 2 dimensions (time, batch), got {input.shape}"
        )
    lengths = np.asarray(as_array(lengths))
    if lengths.dtype.kind not in "iu" or lengths.ndim != 1:
        raise TypeError(f"{op}: lengths must be a 1-D integer array, got {lengths.dtype} "
                        f"of shape {lengths.shape}")
    data = input.transpose(0, 1) if batch_first else input
    T, N = data.shape[0], data.shape[1]
    if len(lengths) != N:
        raise ValueError(f"{op}: expected {N} lengths (the batch size), got {len(lengths)}")
    if N and (lengths.min() < 1 or lengths.max() > T):
        raise ValueError(f"{op}: every length must be in [1, {T}] (the padded length), got "
                         f"{lengths.tolist()}")
    if enforce_sorted and np.any(np.diff(lengths) > 0):
        raise ValueError(f"{op}: lengths {lengths.tolist()} are not sorted in decreasing order; "
                         "sort the batch or pass enforce_sorted=False")
    return PackedSequence(data, lengths.astype(np.int64))


def pad_packed_sequence(sequence, batch_first=False, padding_value=0.0, total_length=None):
    """(padded, lengths) back from a `PackedSequence`: padded (T, N, *) or (N, T, *)."""
    op = "pad_packed_sequence"
    if not isinstance(sequence, PackedSequence):
        raise TypeError(f"{op}: expected a PackedSequence, got {type(sequence).__name__}")
    data = sequence.padded
    T = int(sequence.lengths.max()) if len(sequence.lengths) else data.shape[0]
    if total_length is not None:
        if total_length < T:
            raise ValueError(f"{op}: total_length {total_length} is shorter than the longest "
                             f"sequence ({T})")
        T = total_length
    if T < data.shape[0]:
        data = data[:T]
    elif T > data.shape[0]:
        data = pad(data, (0, 0) * (data.ndim - 1) + (0, T - data.shape[0]))
    if padding_value != 0:
        keep = (np.arange(T)[:, None] < sequence.lengths[None, :]).reshape(
            (T, -1) + (1,) * (data.ndim - 2)
        )
        data = data.masked_fill(~keep, padding_value)
    return (data.transpose(0, 1) if batch_first else data), Tensor(sequence.lengths)


def pad_sequence(sequences, batch_first=False, padding_value=0.0):
    """Tensors (L_i, *) of different lengths -> one padded tensor (T, N, *) (or (N, T, *))."""
    if not sequences:
        raise ValueError("pad_sequence: expected a non-empty list of tensors")
    T = max(s.shape[0] for s in sequences)
    padded = [
        pad(s, (0, 0) * (s.ndim - 1) + (0, T - s.shape[0]), value=padding_value)
        for s in sequences
    ]
    return stack(padded, dim=0 if batch_first else 1)
