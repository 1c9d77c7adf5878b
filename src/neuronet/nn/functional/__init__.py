"""Operations as plain functions, with torch.nn.functional's names and arguments.

    from neuronet.nn import functional as F
    loss = F.cross_entropy(F.linear(F.relu(F.linear(x, w1, b1)), w2, b2), y)

linear.py (fused affine map), activation.py, dropout.py, norm.py (batch_norm, layer_norm),
encoding.py (one_hot), loss.py (elementwise losses), classification.py (cross_entropy,
nll_loss, multi_margin_loss).
"""

from neuronet.nn.functional.activation import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    selu,
    sigmoid,
    softmax,
    softplus,
    tanh,
)
from neuronet.nn.functional.classification import cross_entropy, multi_margin_loss, nll_loss
from neuronet.nn.functional.conv import conv1d, conv2d, conv_transpose1d, conv_transpose2d
from neuronet.nn.functional.dropout import dropout
from neuronet.nn.functional.dropout2d import dropout2d
from neuronet.nn.functional.embedding import embedding
from neuronet.nn.functional.encoding import one_hot
from neuronet.nn.functional.linear import linear
from neuronet.nn.functional.loss import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    huber_loss,
    l1_loss,
    mse_loss,
    smooth_l1_loss,
)
from neuronet.nn.functional.lrn import local_response_norm
from neuronet.nn.functional.norm import batch_norm, layer_norm
from neuronet.nn.functional.pooling import avg_pool1d, avg_pool2d, max_pool1d, max_pool2d
from neuronet.nn.functional.resample import adaptive_avg_pool1d, adaptive_avg_pool2d, interpolate

__all__ = [
    "batch_norm", "binary_cross_entropy", "binary_cross_entropy_with_logits", "cross_entropy",
    "dropout", "elu", "embedding", "gelu", "huber_loss", "l1_loss", "layer_norm", "leaky_relu",
    "linear", "log_softmax", "mse_loss", "multi_margin_loss", "nll_loss", "one_hot", "relu", "selu",
    "sigmoid", "smooth_l1_loss", "softmax", "softplus", "tanh",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "avg_pool1d", "avg_pool2d", "conv1d",
    "conv2d", "conv_transpose1d", "conv_transpose2d", "dropout2d", "interpolate",
    "local_response_norm", "max_pool1d", "max_pool2d",
]
