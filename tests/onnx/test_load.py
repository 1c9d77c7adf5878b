"""neuronet.onnx.load on graphs that torch.onnx.export writes (its TorchScript exporter,
dynamo=False, keeping or folding BatchNorm, and its default dynamo exporter where onnxscript is
installed): a ResNet-18 with torchvision's layout, an
LSTM classifier and a small CNN with batch norm and pooling give torch's and onnxruntime's
outputs, torch's parameter gradients, and fine-tune on the digits; a graph with the other
operators (ConvTranspose, GRU, Concat, Transpose, ...) matches too, and one of GELU,
LayerNorm, Softplus and Upsample, with torch's gradients; an operator we lack is a clear
error. The malformed and hostile files are in test_load_security.py."""

import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import neuronet
from neuronet import nn, optim
from neuronet.onnx.load import load

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "models"))
from test_resnet import torch_resnet  # the torch ResNet with torchvision's names

from oracle import needs_torch

pytestmark = pytest.mark.torch
onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOLERANCE = 1e-5  # float32, max abs difference


EXPORTERS = ["torchscript", "torchscript-folded", "dynamo"]


def export(model, x, path, exporter="torchscript", opset=None):
    """torch.onnx.export with a dynamic batch axis. "torchscript" (dynamo=False) keeps each
    BatchNorm as a node (training=PRESERVE on the eval model); "torchscript-folded" lets it
    fold BatchNorm into the Conv before it (its eval default); "dynamo" is torch's default
    exporter (needs onnxscript), which folds them too. opset: the TorchScript exporter's
    opset_version (its default when None)."""
    torch = needs_torch()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if exporter == "dynamo":
            pytest.importorskip("onnxscript")
            torch.onnx.export(model.eval(), (torch.from_numpy(x),), str(path), dynamo=True,
                              input_names=["x"], output_names=["y"], verbose=False,
                              dynamic_shapes=({0: torch.export.Dim("N")},))
            return path
        mode = (torch.onnx.TrainingMode.PRESERVE if exporter == "torchscript"
                else torch.onnx.TrainingMode.EVAL)
        torch.onnx.export(model.eval(), (torch.from_numpy(x),), str(path), dynamo=False,
                          training=mode, input_names=["x"], output_names=["y"],
                          dynamic_axes={"x": {0: "N"}, "y": {0: "N"}},
                          **({} if opset is None else {"opset_version": opset}))
    return path


def onnxruntime_output(path, x):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, {"x": x})[0]


def torch_output(model, x):
    torch = needs_torch()
    with torch.no_grad():
        return model.eval()(torch.from_numpy(x)).numpy()


def assert_matches(path, model, x):
    """Ours (eval) against torch and onnxruntime; returns the two max abs differences."""
    ours = load(path).eval()(x).data
    differences = []
    for name, theirs in (("torch", torch_output(model, x)),
                         ("onnxruntime", onnxruntime_output(path, x))):
        assert ours.shape == theirs.shape, f"ours {ours.shape} vs {name} {theirs.shape}"
        differences.append(float(np.abs(ours - theirs).max()))
        assert differences[-1] <= TOLERANCE, (
            f"ours vs {name}: max abs difference {differences[-1]:.3g} (outputs up to "
            f"{np.abs(theirs).max():.3g})")
    return differences


def digits(n, image=True):
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    x = (x[:n] / 16.0).astype(np.float32)
    return (x.reshape(n, 1, 8, 8) if image else x.reshape(n, 8, 8)), y[:n]


def randomize_batch_norm(model):
    """Non-trivial affine parameters and running statistics, as in a trained model."""
    torch = needs_torch()
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                for t in (m.weight, m.bias, m.running_mean):
                    t.uniform_(-0.5, 0.5)
                m.running_var.uniform_(0.5, 1.5)
    return model


def small_cnn():
    torch = needs_torch()
    nn_ = torch.nn
    torch.manual_seed(0)
    return randomize_batch_norm(nn_.Sequential(
        nn_.Conv2d(1, 8, 3, padding=1), nn_.BatchNorm2d(8), nn_.ReLU(), nn_.MaxPool2d(2),
        nn_.Conv2d(8, 16, 3, padding=1), nn_.BatchNorm2d(16), nn_.ReLU(),
        nn_.AvgPool2d(2), nn_.Dropout(0.25), nn_.Flatten(), nn_.Linear(16 * 2 * 2, 10)))


def lstm_classifier():
    torch = needs_torch()

    class LSTMClassifier(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.lstm = torch.nn.LSTM(8, 32, num_layers=2, batch_first=True)
            self.fc = torch.nn.Linear(32, 10)

        def forward(self, x):  # x: (N, L, 8); the last step's hidden state -> logits
            out, _ = self.lstm(x)
            return self.fc(out[:, -1])

    torch.manual_seed(0)
    return LSTMClassifier()


def resnet18():
    return torch_resnet("basic", (2, 2, 2, 2), 10, 1).float()


def grad_by_key(model, x, upstream):
    """Ours: the parameter gradients of sum(model(x) * upstream), by state_dict key."""
    out = model(x)
    (out * neuronet.tensor(upstream)).sum().backward()
    return {name: p.grad.data for name, p in model.named_parameters()}


def torch_grad_by_key(model, x, upstream):
    torch = needs_torch()
    model.eval().zero_grad()
    (model(torch.from_numpy(x)) * torch.from_numpy(upstream)).sum().backward()
    return {name: p.grad.numpy() for name, p in model.named_parameters()}


def assert_gradients_match(ours, theirs, names):
    """names: our parameter name -> torch's; every gradient non-zero and equal to torch's."""
    assert set(names) == set(ours), f"parameters ours {sorted(ours)} vs mapped {sorted(names)}"
    for our_name, torch_name in names.items():
        g, t = ours[our_name], theirs[torch_name]
        assert np.abs(g).max() > 0, f"{our_name}: no gradient reached it"
        scale = max(1.0, float(np.abs(t).max()))
        assert np.abs(g - t).max() <= 1e-4 * scale, (
            f"gradient of {our_name} (torch {torch_name}): max abs difference "
            f"{np.abs(g - t).max():.3g}")


def fine_tune(model, x, y, steps, lr):
    """Cross-entropy on (x, y) before and after `steps` Adam steps in train mode."""
    loss_fn = nn.CrossEntropyLoss()
    optimizer = optim.Adam(model.parameters(), lr=lr)
    model.train()
    losses = []
    for _ in range(steps + 1):
        loss = loss_fn(model(x), neuronet.tensor(y))
        losses.append(float(loss.data))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return losses[0], losses[-1]


@pytest.mark.parametrize("exporter", EXPORTERS)
def test_small_cnn_matches_torch_and_onnxruntime(tmp_path, exporter):
    model, (x, _) = small_cnn(), digits(16)
    path = export(model, x, tmp_path / "cnn.onnx", exporter)
    assert_matches(path, model, x)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert ("BatchNormalization" in ops) == (exporter == "torchscript")
    assert {"Conv", "MaxPool", "AveragePool", "Gemm", "Relu"} <= ops


def test_small_cnn_keeps_torch_names_gradients_and_fine_tunes(tmp_path):
    model, (x, y) = small_cnn(), digits(64)
    ours = load(export(model, x, tmp_path / "cnn.onnx"))
    assert list(ours.state_dict()) == list(model.state_dict())
    for key, value in model.state_dict().items():
        assert np.array_equal(ours.state_dict()[key].data, value.numpy()), key
    assert isinstance(ours.get_submodule("1"), nn.BatchNorm2d)
    assert isinstance(ours.get_submodule("10"), nn.Linear)
    upstream = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
    theirs = torch_grad_by_key(model, x, upstream)
    assert_gradients_match(grad_by_key(ours.eval(), x, upstream), theirs,
                           {k: k for k in theirs})
    before, after = fine_tune(ours, x, y, steps=20, lr=1e-2)
    assert after < 0.5 * before, f"loss {before:.3f} -> {after:.3f} after 20 Adam steps"


@pytest.mark.parametrize("exporter", ["torchscript", "dynamo"])
def test_lstm_classifier_matches_torch_and_onnxruntime_and_fine_tunes(tmp_path, exporter):
    model, (x, y) = lstm_classifier(), digits(64, image=False)  # 8 rows of 8 pixels
    path = export(model, x, tmp_path / "lstm.onnx", exporter)
    assert_matches(path, model, x)
    ours = load(path)
    lstms = [m for m in ours.modules() if isinstance(m, nn.LSTM)]
    assert [(m.input_size, m.hidden_size) for m in lstms] == [(8, 32), (32, 32)]
    upstream = np.random.default_rng(0).normal(size=(64, 10)).astype(np.float32)
    theirs = torch_grad_by_key(model, x, upstream)
    names = {"fc.weight": "fc.weight", "fc.bias": "fc.bias"}
    for k, name in enumerate(n for n, m in ours.named_modules() if isinstance(m, nn.LSTM)):
        for part in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            names[f"{name}.{part}_l0"] = f"lstm.{part}_l{k}"
    assert_gradients_match(grad_by_key(ours.eval(), x, upstream), theirs, names)
    before, after = fine_tune(ours, x, y, steps=20, lr=1e-2)
    assert after < 0.5 * before, f"loss {before:.3f} -> {after:.3f} after 20 Adam steps"


@pytest.mark.parametrize("exporter", EXPORTERS)
def test_resnet18_matches_torch_and_onnxruntime(tmp_path, exporter):
    model = resnet18()
    x = np.random.default_rng(0).normal(size=(2, 1, 32, 32)).astype(np.float32)
    path = export(model, x, tmp_path / "resnet18.onnx", exporter)
    assert_matches(path, model, x)
    if exporter == "torchscript":
        ours = load(path)  # the graph's order, not torch's order of registration
        assert sorted(ours.state_dict()) == sorted(model.state_dict())
        assert isinstance(ours.get_submodule("layer2.0.downsample.1"), nn.BatchNorm2d)


def test_resnet18_at_torchvision_size_matches_torch_and_onnxruntime(tmp_path):
    """torchvision's resnet18 shape: 3 x 224 x 224 images, 1000 classes (measured 3.6e-7
    against torch, 1.5e-7 against onnxruntime)."""
    model = torch_resnet("basic", (2, 2, 2, 2), 1000, 3).float()
    x = np.random.default_rng(0).normal(size=(2, 3, 224, 224)).astype(np.float32)
    assert_matches(export(model, x, tmp_path / "resnet18.onnx"), model, x)


def test_resnet18_gradients_match_torch_and_it_fine_tunes(tmp_path):
    model, (x, y) = resnet18(), digits(32)
    ours = load(export(model, x, tmp_path / "resnet18.onnx"))
    upstream = np.random.default_rng(0).normal(size=(32, 10)).astype(np.float32)
    theirs = torch_grad_by_key(model, x, upstream)
    assert_gradients_match(grad_by_key(ours.eval(), x, upstream), theirs,
                           {k: k for k in theirs})
    before, after = fine_tune(ours, x, y, steps=5, lr=1e-3)
    assert after < 0.7 * before, f"loss {before:.3f} -> {after:.3f} after 5 Adam steps"


def test_resnet18_in_train_mode_matches_torch(tmp_path):
    """Batch statistics, and the running statistics updated with torch's momentum."""
    torch = needs_torch()
    model, (x, _) = resnet18(), digits(16)
    ours = load(export(model, x, tmp_path / "resnet18.onnx")).train()
    assert ours.get_submodule("bn1").momentum == 0.1 and ours.get_submodule("bn1").eps == 1e-5
    out = ours(x).data
    with torch.no_grad():
        theirs = model.train()(torch.from_numpy(x)).numpy()
    assert np.abs(out - theirs).max() <= TOLERANCE * max(1.0, np.abs(theirs).max())
    ours_state = ours.state_dict()
    for key, value in model.state_dict().items():
        if "running" in key:
            assert np.abs(ours_state[key].data - value.numpy()).max() <= 1e-5, key


def mixed_ops_model():
    """The other operators: ConvTranspose, LeakyRelu, Sigmoid, Tanh, Concat, Transpose,
    Reshape, Sub, Div, Mul, MatMul, Squeeze/Unsqueeze, a bidirectional GRU, Softmax and
    LogSoftmax, Gather/Slice/Shape."""
    torch = needs_torch()

    class Mixed(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.up = torch.nn.ConvTranspose2d(1, 3, 3, stride=2, padding=1, output_padding=1)
            self.gru = torch.nn.GRU(48, 6, batch_first=True, bidirectional=True)
            self.proj = torch.nn.Parameter(torch.randn(12, 5))

        def forward(self, x):  # (N, 1, 8, 8)
            y = torch.nn.functional.leaky_relu(self.up(x), 0.2)              # (N, 3, 16, 16)
            y = torch.cat([torch.sigmoid(y), torch.tanh(y)], dim=1)          # (N, 6, 16, 16)
            y = y.permute(0, 2, 1, 3).reshape(x.shape[0], 16, 96)[:, :, ::2]  # (N, 16, 48)
            y = (y - 0.5) / 2.0 * y
            out, _ = self.gru(y)                                             # (N, 16, 12)
            z = (out[:, -1].unsqueeze(1) @ self.proj).squeeze(1)             # (N, 5)
            return torch.log_softmax(z, 1) + torch.softmax(z, 1)

    torch.manual_seed(0)
    return Mixed()


@pytest.mark.parametrize("exporter", ["torchscript", "dynamo"])
def test_the_other_operators_match_torch_and_onnxruntime(tmp_path, exporter):
    model, (x, _) = mixed_ops_model(), digits(4)
    path = export(model, x, tmp_path / "mixed.onnx", exporter)
    assert_matches(path, model, x)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert {"ConvTranspose", "LeakyRelu", "Sigmoid", "Tanh", "Concat", "Transpose", "Reshape",
            "Sub", "Div", "Mul", "MatMul", "Unsqueeze", "Squeeze", "GRU", "Softmax",
            "LogSoftmax", "Gather", "Slice"} <= ops, sorted(ops)
    ours = load(path)
    assert any(isinstance(m, nn.GRU) and m.bidirectional for m in ours.modules())
    assert any(isinstance(m, nn.ConvTranspose2d) for m in ours.modules())
    upstream = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    grads = grad_by_key(ours.eval(), x, upstream)
    assert grads["proj"].shape == (12, 5) and np.abs(grads["proj"]).max() > 0


@pytest.mark.parametrize("build, opset", [(lstm_classifier, 9), (lstm_classifier, 11),
                                          (mixed_ops_model, 11)])
def test_older_opsets_match_torch_and_onnxruntime(tmp_path, build, opset):
    """Slice's attributes (opset 9), Squeeze/Unsqueeze/ReduceMean axes as attributes and
    Softmax over a flattened 2-D view (before opset 13)."""
    model = build()
    x = digits(4, image=build is mixed_ops_model)[0]
    path = export(model, x, tmp_path / "old.onnx", opset=opset)
    assert onnx.load(str(path)).opset_import[0].version == opset
    assert_matches(path, model, x)


def test_an_unsupported_operator_names_its_type_and_node(tmp_path):
    helper = onnx.helper
    graph = helper.make_graph(
        [helper.make_node("Relu", ["x"], ["r"], name="first"),
         helper.make_node("Hardmax", ["r"], ["y"], name="the_hardmax")], "g",
        [helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, [2])],
        [helper.make_tensor_value_info("y", onnx.TensorProto.FLOAT, [2])])
    path = tmp_path / "hardmax.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    with pytest.raises(ValueError,
                       match=r"node 'the_hardmax'.*operator type 'Hardmax' is not supported"):
        load(path)


def layers_model():
    """GELU (both), LayerNorm, Softplus and Upsample, as torch exports
    them (LayerNormalization, Resize with half_pixel and asymmetric nearest, Mul/Softplus/Div;
    GELU as Gelu at its default opset 20, as its Erf and tanh formulas at 17)."""
    torch = needs_torch()
    nn_ = torch.nn
    torch.manual_seed(0)
    model = nn_.Sequential(
        nn_.Conv2d(1, 4, 3, padding=1), nn_.GELU(), nn_.Upsample(scale_factor=2, mode="bilinear"),
        nn_.GELU(approximate="tanh"),
        nn_.Upsample(size=(10, 12)), nn_.LayerNorm((10, 12)), nn_.Softplus(beta=2),
        nn_.Flatten(), nn_.Linear(4 * 10 * 12, 5))
    with torch.no_grad():
        model[5].weight.uniform_(0.5, 1.5)
        model[5].bias.uniform_(-0.5, 0.5)
    return model


@pytest.mark.parametrize("opset, gelu", [(17, {"Erf", "Tanh"}), (None, {"Gelu"})])
def test_torch_s_export_of_the_other_layers_matches_and_trains(tmp_path, opset, gelu):
    model, (x, _) = layers_model(), digits(4)
    path = export(model, x, tmp_path / "layers.onnx", opset=opset)
    assert_matches(path, model, x)
    ops = {node.op_type for node in onnx.load(str(path)).graph.node}
    assert gelu | {"Resize", "LayerNormalization", "Softplus"} <= ops, ops
    ours = load(path)
    assert isinstance(ours.get_submodule("5"), nn.LayerNorm)
    upstream = np.random.default_rng(0).normal(size=(4, 5)).astype(np.float32)
    theirs = torch_grad_by_key(model, x, upstream)
    assert_gradients_match(grad_by_key(ours.eval(), x, upstream), theirs,
                           {k: k for k in theirs})
