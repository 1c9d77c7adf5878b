"""`default_collate`: merge a list of samples into one batch, the way torch's does.

    Tensor / ndarray  -> stacked Tensor (N, *shape), dtype kept (data only: no autograd graph)
    int / float / bool -> Tensor (N,) of int64 / float64 / bool (as torch does)
    NumPy scalar      -> Tensor (N,) of its dtype
    str / bytes       -> list, unchanged
    dict              -> dict with each key collated
    tuple / list      -> same type, each position collated (all samples must have equal length)
"""

import collections.abc
import numbers

import numpy as np

from neuronet.autograd.tensor import Tensor


def default_collate(batch):
    """Merge `batch` (a list of samples of the same structure) into a batched structure."""
    if len(batch) == 0:
        raise ValueError("default_collate: got an empty batch")
    first = batch[0]
    if isinstance(first, (Tensor, np.ndarray, np.generic)):
        arrays = [s.data if isinstance(s, Tensor) else np.asarray(s) for s in batch]
        shapes = {a.shape for a in arrays}
        if len(shapes) > 1:
            raise ValueError(
                f"default_collate: samples have different shapes {sorted(shapes)}; they cannot "
                "be stacked (pad them, or pass a collate_fn)"
            )
        return Tensor._make(np.stack(arrays))
    if isinstance(first, (str, bytes)):
        return list(batch)
    if isinstance(first, bool):
        return Tensor._make(np.array(batch, dtype=np.bool_))
    if isinstance(first, numbers.Integral):
        return Tensor._make(np.array(batch, dtype=np.int64))
    if isinstance(first, numbers.Real):
        return Tensor._make(np.array(batch, dtype=np.float64))
    if isinstance(first, collections.abc.Mapping):
        return {key: default_collate([sample[key] for sample in batch]) for key in first}
    if isinstance(first, (tuple, list)):
        lengths = {len(sample) for sample in batch}
        if len(lengths) > 1:
            raise ValueError(f"default_collate: samples have different lengths {sorted(lengths)}")
        columns = [default_collate(list(column)) for column in zip(*batch)]
        if hasattr(first, "_fields"):  # namedtuple: rebuild the same type
            return type(first)(*columns)
        return type(first)(columns)
    raise TypeError(
        "default_collate: samples must be Tensors, arrays, numbers, strings, dicts, tuples or "
        f"lists; got {type(first).__name__} (pass a collate_fn for other types)"
    )
