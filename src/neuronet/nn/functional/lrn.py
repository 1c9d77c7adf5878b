"""`local_response_norm`: the "brightness normalization" across channels of AlexNet
(Krizhevsky et al., 2012):

    y[n, c] = x[n, c] / (k + alpha / size * sum of x[n, c']^2 over the `size` channels c'
                         around c, zero beyond the edges) ** beta

Composed from differentiable ops (square, pad, avg_pool2d along the channel axis, pow),
exactly as PyTorch computes it, so its gradient comes from theirs.
"""

import numbers

from neuronet.nn.functional.conv import check_float_tensor
from neuronet.nn.functional.pooling import avg_pool2d
from neuronet.ops.shape import pad


def local_response_norm(input, size, alpha=1e-4, beta=0.75, k=1.0):
    """input: (N, C, *) with at least 3 dims; size: the number of neighbouring channels."""
    op = "local_response_norm"
    check_float_tensor(input, op, "input")
    if input.ndim < 3:
        raise ValueError(f"{op}: expected input of 3 or more dimensions (N, C, *), got shape "
                         f"{tuple(input.shape)}")
    if not isinstance(size, numbers.Integral) or size < 1:
        raise ValueError(f"{op}: size must be a positive int, got {size!r}")
    shape = tuple(input.shape)
    if input.data.size == 0:
        return input * 1
    squares = (input * input).reshape(shape[0], 1, shape[1], -1)  # (N, 1, C, positions)
    squares = pad(squares, (0, 0, size // 2, (size - 1) // 2))
    mean = avg_pool2d(squares, (size, 1), stride=1).reshape(shape)
    return input / (mean * alpha + k) ** beta
