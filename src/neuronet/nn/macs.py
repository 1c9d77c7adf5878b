"""Multiply-accumulate (MAC) counts of one layer call, as `nn.summary` reports them.

One MAC is one product of an input value with a weight, added to a sum. Counted exactly, per
call, for the whole batch:

- `Linear`: out.numel() * in_features  (each output is a dot product of length in_features);
- `Conv1d`/`Conv2d`: out.numel() * (in_channels / groups) * prod(kernel_size)  (every kernel
  tap at every output position, taps that fall on zero padding included, as a direct
  convolution computes them);
- `ConvTranspose1d`/`ConvTranspose2d`: input.numel() * (out_channels / groups) *
  prod(kernel_size)  (every input value times every tap of its group: the MACs of the
  convolution whose gradient it is, products that land in the cropped border included).

Not counted: bias additions, activations, pooling, normalization, dropout, embedding lookups
and recurrent layers (their rows show "--"). These are the conventions of
torch.utils.flop_counter, which reports 2 FLOPs per MAC.

    Conv2d(192, 32, 5, padding="same") on (1, 192, 28, 28): 28*28*32 * 192*5*5 = 120,422,400
"""

import math

from neuronet.nn.modules.conv import _Conv, _ConvTranspose
from neuronet.nn.modules.linear import Linear


def layer_macs(module, input, output):
    """MACs of `module(input) -> output` (Tensors), or None for a layer that is not counted."""
    if isinstance(module, Linear):
        return output.numel() * module.in_features
    if isinstance(module, _Conv):
        taps = module.in_channels // module.groups * math.prod(module.kernel_size)
        return output.numel() * taps
    if isinstance(module, _ConvTranspose):
        taps = module.out_channels // module.groups * math.prod(module.kernel_size)
        return input.numel() * taps
    return None
