"""`summary(model, input_shape)`: a table of each layer's output shape, parameter count and
multiply-accumulates (MACs).

    >>> summary(MLP([784, 256, 10]), (1, 784))
    Layer (type)     Output Shape    Param #    MACs
    ===================================================
    MLP              (1, 10)         --         --
      0 (Flatten)    (1, 784)        0          --
      1 (Linear)     (1, 256)        200,960    200,704
      2 (ReLU)       (1, 256)        0          --
      3 (Linear)     (1, 10)         2,570      2,560
    ===================================================
    Input shape: (1, 784)
    Total params: 203,530
    ...
    Total MACs: 203,264

It runs one forward pass on zeros (in eval mode, without recording a graph) with hooks on
every module, so it shows what the model really computes, like Keras' `model.summary()` or
torchinfo. `input_shape` includes the batch dimension, and MACs are those of that whole batch;
neuronet.nn.macs says exactly which layers are counted and how ("--": not counted).
"""

import dataclasses

import numpy as np

from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor
from neuronet.creation import zeros
from neuronet.dtypes import as_dtype, get_default_dtype
from neuronet.nn.macs import layer_macs
from neuronet.nn.modules.module import Module


@dataclasses.dataclass
class LayerSummary:
    """One call of one module during the forward pass (depth: how deeply the call is nested).

    num_params: the module's own parameters (not its children's); None when the module has
    none of its own but has children, or when it already appeared in an earlier row.
    macs: multiply-accumulates of this call (see neuronet.nn.macs), None when not counted.
    """

    name: str
    type: str
    depth: int
    output_shape: object = None
    num_params: int | None = None
    macs: int | None = None


@dataclasses.dataclass
class ModelSummary:
    """What `summary` found; `str()` of it is the printed table."""

    layers: list
    input_shape: tuple
    total_params: int
    trainable_params: int
    params_bytes: int
    total_macs: int

    def __str__(self):
        rows = [("Layer (type)", "Output Shape", "Param #", "MACs")]
        for layer in self.layers:
            label = layer.type if layer.depth == 0 else f"{layer.name} ({layer.type})"
            shape = "--" if layer.output_shape is None else str(layer.output_shape)
            rows.append(("  " * layer.depth + label, shape, _count(layer.num_params),
                         _count(layer.macs)))
        widths = [max(len(row[i]) for row in rows) + 4 for i in range(3)]
        lines = ["".join(f"{cell:<{width}}" for cell, width in zip(row, widths)) + row[-1]
                 for row in rows]
        rule = "=" * max(len(line) for line in lines)
        lines.insert(1, rule)
        lines += [
            rule,
            f"Input shape: {self.input_shape}",
            f"Total params: {self.total_params:,}",
            f"Trainable params: {self.trainable_params:,}",
            f"Non-trainable params: {self.total_params - self.trainable_params:,}",
            f"Params size (MB): {self.params_bytes / 1e6:.2f}",
            f"Total MACs: {self.total_macs:,}",
        ]
        return "\n".join(lines)

    __repr__ = __str__


def _count(n):
    return "--" if n is None else f"{n:,}"


def _shape_of(output):
    if isinstance(output, Tensor):
        return tuple(output.shape)
    if isinstance(output, (tuple, list)):
        return [_shape_of(o) for o in output]
    return None


def _input_dtype(model, dtype):
    if dtype is not None:
        return as_dtype(dtype)
    for param in model.parameters():
        if param.dtype.kind == "f":
            return param.dtype
    return get_default_dtype()


def summary(model, input_shape, dtype=None, print_summary=True):
    """Run `model` on zeros of `input_shape` (batch included) and describe every layer.

    dtype: of the zeros (default: that of the model's parameters). Prints the table unless
    `print_summary=False`; returns a `ModelSummary` (rows, total and trainable counts).
    The model is left as it was: same training/eval flags, no running statistics updated.
    """
    if not isinstance(model, Module):
        raise TypeError(f"summary: expected a neuronet.nn.Module, got {type(model).__name__}")
    shape = tuple(input_shape) if isinstance(input_shape, (tuple, list)) else (input_shape,)
    if not all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n > 0
               for n in shape):
        raise ValueError(f"summary: input_shape must be positive integers, got {input_shape!r}")
    layers, open_rows, seen = [], [], set()

    def before(module, args, name):
        num_params = None
        if id(module) not in seen and (module._parameters or not module._modules):
            num_params = sum(p.numel() for p in module.parameters(recurse=False))
        seen.add(id(module))
        # depth = how many calls are open around this one, so rows nest as the calls do
        layers.append(LayerSummary(name, module._get_name(), len(open_rows), num_params=num_params))
        open_rows.append(len(layers) - 1)

    def after(module, args, output):
        row = layers[open_rows.pop()]
        row.output_shape = _shape_of(output)
        row.macs = layer_macs(module, args[0], output)

    modes = [(module, module.training) for module in model.modules()]
    handles = []
    try:
        for name, module in model.named_modules():
            handles.append(module.register_forward_pre_hook(
                lambda m, args, name=name: before(m, args, name)))
            handles.append(module.register_forward_hook(after))
        model.eval()
        with no_grad():
            model(zeros(*shape, dtype=_input_dtype(model, dtype)))
    finally:
        for handle in handles:
            handle.remove()
        for module, training in modes:
            module.training = training
    params = list(model.parameters())
    result = ModelSummary(
        layers=layers,
        input_shape=shape,
        total_params=sum(p.numel() for p in params),
        trainable_params=sum(p.numel() for p in params if p.requires_grad),
        params_bytes=sum(p.data.nbytes for p in params),
        total_macs=sum(layer.macs or 0 for layer in layers),
    )
    if print_summary:
        print(result)
    return result
