"""One ONNX emitter per layer type (see export_graph.py for what an emitter is).

    Linear -> Gemm (transB=1)              Conv1d/2d, ConvTranspose1d/2d -> Conv, ConvTranspose
    BatchNorm1d/2d -> BatchNormalization   MaxPool, AvgPool -> MaxPool, AveragePool
    AdaptiveAvgPool -> GlobalAveragePool, or AveragePool when the input size is a multiple
    ReLU, Tanh, Sigmoid, LeakyReLU, ELU, SELU, Softmax, LogSoftmax -> the same ops
    Flatten -> Flatten (or Reshape)        Embedding -> Gather      Sequential -> its layers
    Dropout, Dropout2d, Identity -> nothing (the graph is the model in eval mode)
    GELU -> 0.5 x (1 + Erf(x / sqrt 2)), or torch's tanh formula with Pow (no Gelu in opset 17)
    Softplus -> [Mul beta] Softplus [Div beta] [Where beta x > threshold: x]
    LayerNorm -> LayerNormalization        LocalResponseNorm -> LRN (odd sizes)
    Upsample, UpsamplingNearest2d, UpsamplingBilinear2d -> Resize

Each also names the functions that the model-level emitters share for the shape operations
of a forward (flatten, reshape, unsqueeze, transpose).
"""

import math

import numpy as np

from neuronet import nn
from neuronet.onnx.export_graph import emitter


def _tuple(value, n):
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),) * n


def flatten(g, x, name, start_dim=1, end_dim=-1):
    """x.flatten(start_dim, end_dim): Flatten for the usual (1, -1), else a Reshape."""
    data = x.data.flatten(start_dim, end_dim)
    if start_dim == 1 and end_dim in (-1, x.data.ndim - 1):
        return g.op("Flatten", [x.name], name, data, axis=1)
    return reshape(g, x.name, [0 if start_dim > 0 else -1, *data.shape[1:]], name, data)


def reshape(g, value, shape, name, data):
    """ONNX value `value` reshaped to `shape` (0 keeps the input's size on that axis: the
    dynamic batch), as a Value standing for `data`."""
    return g.op("Reshape", [value, g.ints(shape, f"{name}.shape")], name, data)


def unsqueeze(g, x, axis, name):
    return g.op("Unsqueeze", [x.name, g.ints([axis], f"{name}.axes")], name,
                x.data.unsqueeze(axis))


def transpose(g, value, perm, name):
    """The ONNX name of `value` (a name) with its axes permuted."""
    return g.node("Transpose", [value], name, perm=list(perm))


@emitter(nn.Sequential)
def _sequential(g, module, x):
    for layer in module:
        x = g.module(layer, x)
    return x


@emitter(nn.Dropout, nn.Dropout2d, nn.Identity)
def _nothing(g, module, x):
    return x


@emitter(nn.Linear)
def _linear(g, module, x):
    if x.data.ndim != 2:
        raise g.unsupported(module, f"only inputs (N, in_features) are exported, got shape "
                                    f"{tuple(x.data.shape)}")
    inputs = [x.name, g.weight(module, "weight")]
    if module.bias is not None:
        inputs.append(g.weight(module, "bias"))
    return g.layer(module, "Gemm", inputs, x, transB=1)


def _pads(module):
    """ONNX pads (all starts, then all ends) from torch's per-side padding, last axis first."""
    sides = module._reversed_padding_repeated_twice
    return list(sides[0::2][::-1]) + list(sides[1::2][::-1])


@emitter(nn.Conv1d, nn.Conv2d, nn.ConvTranspose1d, nn.ConvTranspose2d)
def _conv(g, module, x):
    if module.padding_mode != "zeros":
        raise g.unsupported(module, f"padding_mode {module.padding_mode!r} is not exported "
                                    "(only 'zeros')")
    inputs = [x.name, g.weight(module, "weight")]
    if module.bias is not None:
        inputs.append(g.weight(module, "bias"))
    attrs = dict(kernel_shape=list(module.kernel_size), strides=list(module.stride),
                 dilations=list(module.dilation), pads=_pads(module), group=module.groups)
    if module.transposed:
        return g.layer(module, "ConvTranspose", inputs, x,
                       output_padding=list(module.output_padding), **attrs)
    return g.layer(module, "Conv", inputs, x, **attrs)


@emitter(nn.BatchNorm1d, nn.BatchNorm2d)
def _batch_norm(g, module, x):
    if module.running_mean is None:
        raise g.unsupported(module, "without running statistics it normalizes each batch by "
                                    "its own even in eval mode, which ONNX inference does not")
    ones = np.ones(module.num_features, module.running_mean.dtype)
    inputs = [x.name,
              g.weight(module, "weight", None if module.weight is not None else ones),
              g.weight(module, "bias", None if module.bias is not None else 0 * ones),
              g.weight(module, "running_mean"), g.weight(module, "running_var")]
    attrs = {"epsilon": float(module.eps)}
    if module.momentum is not None:  # ONNX's momentum weighs the old statistics
        attrs["momentum"] = 1.0 - float(module.momentum)
    return g.layer(module, "BatchNormalization", inputs, x, **attrs)


def _pool(g, module, x, op_type, dilation=1, **attrs):
    """A MaxPool/AveragePool node: kernel_shape, strides, pads and ceil_mode of the layer.

    ceil_mode is written only where it changes the output size (GoogLeNet's stride-1 pools
    have it, to no effect): onnx's reference evaluator sizes such pools wrongly.
    """
    n = x.data.ndim - 2
    kernel, stride = _tuple(module.kernel_size, n), _tuple(module.stride, n)
    pads, dilations = _tuple(module.padding, n), _tuple(dilation, n)
    floor = tuple((size + 2 * p - d * (k - 1) - 1) // s + 1 for size, k, s, p, d in
                  zip(x.data.shape[2:], kernel, stride, pads, dilations))
    data = module(x.data)
    ceil = module.ceil_mode and data.shape[2:] != floor
    return g.op(op_type, [x.name], g.path(module) or op_type, data, kernel_shape=list(kernel),
                strides=list(stride), pads=list(pads) * 2, ceil_mode=int(ceil), **attrs)


@emitter(nn.MaxPool1d, nn.MaxPool2d)
def _max_pool(g, module, x):
    if module.return_indices:
        raise g.unsupported(module, "return_indices=True is not exported")
    dilations = list(_tuple(module.dilation, x.data.ndim - 2))
    return _pool(g, module, x, "MaxPool", module.dilation, dilations=dilations)


@emitter(nn.AvgPool1d, nn.AvgPool2d)
def _avg_pool(g, module, x):
    if getattr(module, "divisor_override", None) is not None:
        raise g.unsupported(module, "divisor_override is not exported")
    return _pool(g, module, x, "AveragePool", count_include_pad=int(module.count_include_pad))


@emitter(nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d)
def _adaptive_avg_pool(g, module, x):
    sizes = x.data.shape[2:]
    wanted = _tuple(module.output_size, len(sizes)) if module.output_size is not None else sizes
    wanted = [s if w is None else w for s, w in zip(sizes, wanted)]
    if all(w == 1 for w in wanted):
        return g.layer(module, "GlobalAveragePool", [x.name], x)
    if any(s % w for s, w in zip(sizes, wanted)):
        raise g.unsupported(module, f"output size {tuple(wanted)} does not divide the input "
                                    f"size {tuple(sizes)}: its windows are not one AveragePool")
    kernel = [s // w for s, w in zip(sizes, wanted)]
    return g.layer(module, "AveragePool", [x.name], x, kernel_shape=kernel, strides=kernel)


def _elementwise(op_type, **attrs_of):
    """The emitter of an activation: node op_type with attributes read off the module
    (attrs_of: ONNX attribute -> fn(module))."""
    def emit(g, module, x):
        return g.layer(module, op_type, [x.name], x,
                       **{name: read(module) for name, read in attrs_of.items()})
    return emit


for _cls, _op in ((nn.ReLU, "Relu"), (nn.Tanh, "Tanh"), (nn.Sigmoid, "Sigmoid"),
                  (nn.SELU, "Selu")):
    emitter(_cls)(_elementwise(_op))
emitter(nn.LeakyReLU)(_elementwise("LeakyRelu", alpha=lambda m: float(m.negative_slope)))
emitter(nn.ELU)(_elementwise("Elu", alpha=lambda m: float(m.alpha)))


@emitter(nn.Softmax, nn.LogSoftmax)
def _softmax(g, module, x):
    if module.dim is None:
        raise g.unsupported(module, "dim=None (an implicit axis) is not exported: give dim")
    op_type = "LogSoftmax" if isinstance(module, nn.LogSoftmax) else "Softmax"
    return g.layer(module, op_type, [x.name], x, axis=int(module.dim))


@emitter(nn.Flatten)
def _flatten(g, module, x):
    return flatten(g, x, g.path(module) or "flatten", module.start_dim, module.end_dim)


@emitter(nn.Embedding)
def _embedding(g, module, indices):
    return g.layer(module, "Gather", [g.weight(module, "weight"), indices.name], indices,
                   axis=0)



def _formula(g, module, x):
    """node(op_type, *operands, step) for the nodes of a layer written as a formula: each
    operand a value's name or a number (a scalar initializer of x's dtype). A step's node is
    named '<layer>.<step>' and node returns its ONNX name; the last node (step=None) is named
    after the layer, and node returns it as a Value standing for module(x)."""
    path = g.path(module) or type(module).__name__.lower()

    def node(op_type, *operands, step=None):
        name = path if step is None else f"{path}.{step}"
        inputs = [v if isinstance(v, str) else g.scalar(v, x, f"{name}.operand")
                  for v in operands]
        if step is None:
            return g.op(op_type, inputs, name, module(x.data))
        return g.node(op_type, inputs, name)
    return node


@emitter(nn.GELU)
def _gelu(g, module, x):
    """0.5 x (1 + erf(x / sqrt 2)), or with tanh(sqrt(2 / pi) (x + 0.044715 x^3)) in place
    of the erf (approximate='tanh'), as torch defines them: opset 17 has no Gelu."""
    node = _formula(g, module, x)
    if module.approximate == "tanh":
        cube = node("Pow", x.name, 3.0, step="cube")
        inner = node("Add", x.name, node("Mul", cube, 0.044715, step="cubic"), step="inner")
        shape = node("Tanh", node("Mul", inner, math.sqrt(2 / math.pi), step="scaled"),
                     step="tanh")
    else:
        shape = node("Erf", node("Div", x.name, math.sqrt(2), step="scaled"), step="erf")
    half = node("Mul", x.name, node("Add", shape, 1.0, step="one_plus"), step="times_x")
    return node("Mul", half, 0.5)


def threshold_below_rounding(threshold, dtype):
    """True when Softplus's linear branch (x itself where beta x > threshold) equals
    log(1 + exp(beta x)) / beta rounded to `dtype`: their gap relative to x,
    log(1 + exp(-beta x)) / (beta x), is largest at the threshold (at the default 20:
    1.0e-10, below float32's half epsilon 6.0e-8 but above float64's 1.1e-16)."""
    half_epsilon = float(np.finfo(dtype).eps) / 2
    return threshold > 0 and math.log1p(math.exp(-threshold)) <= half_epsilon * threshold


@emitter(nn.Softplus)
def _softplus(g, module, x):
    """Softplus(beta x) / beta: ONNX's Softplus has no beta (Mul, Softplus, Div where beta is
    not 1). Then Where(beta x > threshold, x, that), exactly neuronet's (and torch's) linear
    branch, unless it changes nothing at the model's precision (threshold_below_rounding):
    the default Softplus() is one Softplus node."""
    node, beta, threshold = _formula(g, module, x), float(module.beta), float(module.threshold)
    exact = threshold_below_rounding(threshold, x.data.dtype)
    scaled = x.name if beta == 1 else node("Mul", x.name, beta, step="scaled")
    last = exact and beta == 1
    soft = node("Softplus", scaled, step=None if last else "softplus")
    if beta != 1:
        soft = node("Div", soft, beta, step=None if exact else "unscaled")
    if exact:
        return soft
    return node("Where", node("Greater", scaled, threshold, step="linear"), x.name, soft)


@emitter(nn.LayerNorm)
def _layer_norm(g, module, x):
    """LayerNormalization over the last len(normalized_shape) axes; without
    elementwise_affine the Scale it needs is ones (named weight, as BatchNorm's)."""
    ones = np.ones(module.normalized_shape, x.data.dtype)
    inputs = [x.name, g.weight(module, "weight", None if module.weight is not None else ones)]
    if module.bias is not None:
        inputs.append(g.weight(module, "bias"))
    return g.layer(module, "LayerNormalization", inputs, x,
                   axis=-len(module.normalized_shape), epsilon=float(module.eps))


@emitter(nn.LocalResponseNorm)
def _local_response_norm(g, module, x):
    if module.size % 2 == 0:
        raise g.unsupported(module, f"size {module.size} is even: ONNX's LRN puts the extra "
                                    "channel of an even window after the centre where torch "
                                    "(and neuronet) put it before, and onnxruntime runs odd "
                                    "sizes only")
    return g.layer(module, "LRN", [x.name], x, size=int(module.size),
                   alpha=float(module.alpha), beta=float(module.beta), bias=float(module.k))


@emitter(nn.Upsample, nn.UpsamplingNearest2d, nn.UpsamplingBilinear2d)
def _upsample(g, module, x):
    """Resize with torch's source coordinates: nearest is 'asymmetric' with nearest_mode
    'floor' (floor(i / scale)); linear and bilinear are 'align_corners' or else 'half_pixel'
    ((i + 0.5) / scale - 0.5, clamped at 0 like torch's; 'pytorch_half_pixel' would take 0 for
    an output size of 1). Scales where torch computes the coordinates from the scale_factor;
    else sizes: the input's (N, C) then the output's spatial size."""
    path = g.path(module) or "upsample"
    data = module(x.data)
    if module.mode == "nearest":
        attrs = dict(mode="nearest", coordinate_transformation_mode="asymmetric",
                     nearest_mode="floor")
    else:
        attrs = dict(mode="linear", coordinate_transformation_mode=(
            "align_corners" if module.align_corners else "half_pixel"))
    from_scale = (module.scale_factor is not None and not module.recompute_scale_factor
                  and not module.align_corners)
    if from_scale:
        factors = np.broadcast_to(np.asarray(module.scale_factor, np.float32), x.data.ndim - 2)
        scales = g.initializer(np.concatenate([np.ones(2, np.float32), factors]),
                               f"{path}.scales")
        return g.op("Resize", [x.name, "", scales], path, data, **attrs)
    batch_channels = g.node("Shape", [x.name], f"{path}.batch_channels", start=0, end=2)
    sizes = g.node("Concat", [batch_channels, g.ints(data.shape[2:], f"{path}.size")],
                   f"{path}.sizes", axis=0)
    return g.op("Resize", [x.name, "", "", sizes], path, data, **attrs)
