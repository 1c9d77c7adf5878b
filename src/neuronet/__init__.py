"""neuronet: a deep-learning framework written from scratch on NumPy.

    import neuronet
    x = neuronet.tensor([[1.0, 2.0]], requires_grad=True)
    y = (x * x).sum()
    y.backward()          # x.grad == 2 * x

Subpackages: `autograd` (Tensor, Function, backward), `ops` (the differentiable operations),
`nn` (modules, layers, losses, init, functional), `optim` (optimizers, lr schedulers),
`data` (datasets, DataLoader, transforms), `train` (fit, callbacks, checkpoints), `io` (files
without pickle), `metrics`, `models`, `classic` (perceptron, Hopfield, SOM, ART, RBM, KNN, ...).
"""

from neuronet.dtypes import (
    bool_, float16, float32, float64, get_default_dtype, int32, int64, set_default_dtype, uint8,
)
from neuronet.autograd import (
    Function, Tensor, detect_anomaly, enable_grad, is_grad_enabled, no_grad, set_grad_enabled,
    tensor,
)
from neuronet.random import default_generator, get_rng_state, manual_seed, set_rng_state
from neuronet.parallel import get_num_threads, set_num_threads
from neuronet.creation import (
    arange, eye, from_numpy, full, linspace, ones, ones_like, rand, randint, randn, randperm,
    zeros, zeros_like,
)
from neuronet.ops.elementwise import (
    abs, add, clamp, clip, div, exp, log, maximum, minimum, mul, neg, pow, relu, sigmoid, sqrt,
    sub, tanh, where,
)
from neuronet.ops.linalg import matmul
from neuronet.ops.reduce import (
    amax, amin, argmax, argmin, logsumexp, max, mean, min, std, sum, var,
)
from neuronet.ops.shape import (
    cat, chunk, expand, flatten, pad, permute, reshape, split, squeeze, stack, transpose,
    unsqueeze,
)
from neuronet.ops.indexing import gather, index_select, masked_fill
from neuronet import nn, optim  # subpackages built on everything above
from neuronet import io, train
from neuronet.io import load_state_dict_file, save_state_dict

__version__ = "0.1.0"
