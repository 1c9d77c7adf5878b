"""ONNX interop: export a neuronet model to an .onnx file, import an .onnx graph as a module.

    neuronet.onnx.export(model, example_input, "model.onnx")   # export.py
    model = neuronet.onnx.load("model.onnx")                   # load.py: a trainable Module

Both need the optional `onnx` package (pip install neuronet[onnx]), imported when called.
"""

from neuronet.onnx.export import export
from neuronet.onnx.load import load

__all__ = ["export", "load"]
