"""`export(model, example_input, path)`: a neuronet model as an .onnx file.

    neuronet.onnx.export(model, np.zeros((2, 1, 28, 28), np.float32), "lenet.onnx")
    session = onnxruntime.InferenceSession("lenet.onnx")      # input "x", output "output"
    scores = session.run(None, {"x": images})[0]              # any batch size

The graph is the model in eval mode (BatchNorm with its running statistics, no Dropout),
built by walking its modules (export_layers.py: one emitter per layer type;
export_models.py, export_recurrent.py: the zoo's models, whose forward is written out: a
residual Add, an Inception Concat, an RNN classifier's last state), checked with
`onnx.checker.check_model(full_check=True)` and written atomically. Inputs are named after
the forward's parameters when there are several (z and labels for a conditional
generator), else "x"; their
first axis dynamic ("batch"), the other axes as in `example_input`. While it builds the
graph, export computes every value with neuronet's layers and compares the result with
model(example_input): a model whose forward composes its layers otherwise than its
emitter is an error, not a wrong file. A layer without an emitter is a ValueError naming it.
"""

import inspect

import numpy as np

from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor
from neuronet.io import write_bytes
from neuronet.onnx import export_layers, export_models, export_recurrent  # noqa: F401 (emitters)
from neuronet.onnx.export_graph import GraphBuilder
from neuronet.optional import import_optional

MIN_OPSET = 17


def _input_names(model, count):
    """'x' for one input; for several, the names of the forward's parameters (z, labels)."""
    if count == 1:
        return ["x"]
    parameters = [p.name for p in inspect.signature(model.forward).parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    names = parameters[:count]
    return names + [f"input_{i}" for i in range(len(names), count)]


def _examples(example_input):
    values = example_input if isinstance(example_input, (tuple, list)) else (example_input,)
    tensors = [v if isinstance(v, Tensor) else Tensor(np.asarray(v)) for v in values]
    for t in tensors:
        if t.ndim < 1 or t.shape[0] < 1:
            raise ValueError(f"onnx.export: an example input needs a batch axis of at least "
                             f"one sample, got shape {tuple(t.shape)}")
    return tensors


def _check_trace(model, traced, expected):
    """ValueError unless the graph's value equals what model.forward computed."""
    got, want = traced.data.data, expected.data
    if got.shape != want.shape or not np.allclose(got, want, rtol=1e-5, atol=1e-6):
        diff = (f"shape {got.shape} instead of {want.shape}" if got.shape != want.shape
                else f"max abs difference {np.max(np.abs(got - want)):.3g}")
        raise ValueError(f"onnx.export: the graph built for {type(model).__name__} does not "
                         f"compute what its forward does ({diff}): its forward composes its "
                         "layers in a way the exporter does not know")


def build_model_proto(model, example_input, opset=MIN_OPSET):
    """The checked onnx.ModelProto of `model` (see the module doc); the model's train/eval
    mode is restored afterwards."""
    onnx = import_optional("onnx", "neuronet.onnx.export", "pip install neuronet[onnx]")
    newest = onnx.defs.onnx_opset_version()
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"onnx.export: opset must be an integer from {MIN_OPSET} to {newest} "
                         f"(the onnx package's newest), got {opset!r}")
    examples = _examples(example_input)
    was_training = model.training
    model.eval()
    try:
        with no_grad():
            g = GraphBuilder(model, opset)
            inputs = [g.add_input(name, t)
                      for name, t in zip(_input_names(model, len(examples)), examples)]
            output = g.module(model, *inputs)
            if not hasattr(output, "name"):
                raise ValueError(f"onnx.export: {type(model).__name__} returns "
                                 f"{type(output).__name__}; only models with one output are "
                                 "exported")
            _check_trace(model, output, model(*examples))
    finally:
        model.train(was_training)
    proto = g.model_proto(output, type(model).__name__)
    onnx.checker.check_model(proto, full_check=True)
    return proto


def export(model, example_input, path, opset=MIN_OPSET):
    """Write `model` as an ONNX file at `path` (atomically); returns the ModelProto written.

    example_input: an array or Tensor (N, ...) the model takes, or a tuple of them for a
    model of several inputs (a conditional generator: (z, labels)); its values do not matter,
    its shape (but the batch size) and dtype become the graph's. opset: 17 or newer.
    """
    proto = build_model_proto(model, example_input, opset)
    write_bytes(path, proto.SerializeToString())
    return proto
