"""neuronet.onnx.export on every model of the zoo (small inputs): onnxruntime and ONNX's
reference evaluator give neuronet's eval-mode outputs, the file loads back with
neuronet.onnx.load to the same outputs, the batch axis is dynamic (exported with 2 samples,
run with 3); the other layer types, and the gradients of those the loader
writes as formulas or ops of their own; an unsupported layer, a forward the exporter does not
know, a bad opset are clear errors that leave no file behind.

Run with -s to see the max abs difference of each model."""

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.models.gan import DCGANGenerator
from neuronet.models.registry import build_model, model_names
from neuronet.models.rnn import SequenceClassifier
from neuronet.onnx import export, load

onnx = pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")
from onnx.reference import ReferenceEvaluator  # noqa: E402

TOLERANCE = 1e-5  # float32, max abs difference, for onnxruntime, the reference and the loader


def zoo(name, shape, **config):
    return lambda: build_model(name, shape, 10, **config), shape


# id -> (build() -> model, input shape without the batch axis); small sizes keep this fast
CASES = {
    "mlp": zoo("mlp", (1, 8, 8)),
    "lenet5": zoo("lenet5", (1, 28, 28)),
    "simplecnn": zoo("simplecnn", (1, 12, 12), channels=[8, 16], hidden=32),
    "cnn1d": zoo("cnn1d", (40,), channels=[8, 16, 32]),
    "alexnet": zoo("alexnet", (3, 63, 63), hidden=64),
    "vgg11_bn": zoo("vgg11_bn", (3, 32, 32), hidden=64),
    "vgg16_bn": zoo("vgg16_bn", (3, 32, 32), hidden=64),
    "resnet18": zoo("resnet18", (3, 16, 16)),
    "resnet34": zoo("resnet34", (3, 16, 16)),
    "resnet50": zoo("resnet50", (3, 16, 16)),
    "googlenet": zoo("googlenet", (3, 16, 16)),
    "gru": (lambda: SequenceClassifier(1, 12, 10, "gru"), (20,)),
    "lstm-2-layers-bidirectional": (
        lambda: SequenceClassifier(3, 12, 10, "lstm", num_layers=2, bidirectional=True),
        (15, 3)),
    "rnn-relu-bidirectional": (
        lambda: SequenceClassifier(3, 12, 10, "rnn", bidirectional=True), (15, 3)),
    "dcgan-generator": (lambda: DCGANGenerator(16, (1, 8, 8), width=8), (16,)),
}

def randomized(model, seed=0):
    """The model with torch's default weights for its convolutions and linear layers (VGG's
    and GoogLeNet's N(0, 0.01) make outputs too small to compare), random batch-norm
    statistics and affine parameters, random layer-norm affine parameters (so that they
    count), in eval mode."""
    rng = np.random.default_rng(seed)
    for module in model.modules():
        if isinstance(module, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            module.reset_parameters()
        if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
            c = module.num_features
            module.running_mean.data[...] = rng.normal(0, 0.2, c)
            module.running_var.data[...] = rng.uniform(0.5, 2.0, c)
            if module.affine:
                module.weight.data[...] = rng.uniform(0.5, 1.5, c)
                module.bias.data[...] = rng.normal(0, 0.2, c)
        if isinstance(module, nn.LayerNorm) and module.weight is not None:
            module.weight.data[...] = rng.uniform(0.5, 1.5, module.weight.shape)
            if module.bias is not None:
                module.bias.data[...] = rng.normal(0, 0.2, module.bias.shape)
    return model.eval()


def inputs(shape, batch, seed):
    return np.random.default_rng(seed).standard_normal((batch, *shape)).astype(np.float32)


def onnxruntime_run(path, feeds):
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def max_difference(ours, theirs, who):
    assert ours.shape == theirs.shape, f"ours {ours.shape} vs {who} {theirs.shape}"
    return float(np.abs(ours - theirs).max())


def check_file(path, model, feeds, case):
    """onnxruntime, the reference evaluator and our loader against the model on `feeds`
    (input name -> array); returns the model's output."""
    ours = model(*(neuronet.from_numpy(v) for v in feeds.values())).data
    figures = {"onnxruntime": max_difference(ours, onnxruntime_run(path, feeds), "onnxruntime"),
               "reference": max_difference(
                   ours, ReferenceEvaluator(str(path)).run(None, feeds)[0], "reference"),
               "round trip": max_difference(ours, load(path).eval()(*feeds.values()).data,
                                            "neuronet.onnx.load")}
    print(f"\n{case}: output std {ours.std():.3g}, max abs difference "
          + ", ".join(f"{who} {d:.2e}" for who, d in figures.items()))
    for who, difference in figures.items():
        assert difference <= TOLERANCE, f"{case}: {who} differs by {difference:.3g}"
    return ours


def test_every_zoo_model_is_exported_here():
    assert set(model_names()) <= set(CASES), set(model_names()) - set(CASES)


@pytest.mark.parametrize("case", CASES)
def test_zoo_model_matches_onnxruntime_reference_and_loader(case, tmp_path):
    build, shape = CASES[case]
    neuronet.manual_seed(0)
    model = randomized(build())
    path = tmp_path / "model.onnx"
    export(model, inputs(shape, 2, seed=0), path)
    proto = onnx.load(str(path))
    assert proto.opset_import[0].version == 17
    (graph_input,) = proto.graph.input
    assert graph_input.type.tensor_type.shape.dim[0].dim_param == "batch"
    assert graph_input.name == "x"
    ours = check_file(path, model, {"x": inputs(shape, 3, seed=1)}, case)  # not 2: dynamic
    # outputs that tell models apart (VGG's 13-16 layers at init give scores of order 1e-4,
    # 6 orders of magnitude above the differences measured)
    assert ours.shape[0] == 3 and ours.std() > 1e-4


def test_conditional_generator_takes_its_labels(tmp_path):
    neuronet.manual_seed(1)
    model = randomized(DCGANGenerator(16, (1, 8, 8), width=8, num_classes=10, embed_dim=4))
    path = tmp_path / "cdcgan.onnx"
    export(model, (inputs((16,), 2, seed=0), np.array([1, 2], np.int64)), path)
    assert [i.name for i in onnx.load(str(path)).graph.input] == ["z", "labels"]
    feeds = {"z": inputs((16,), 3, seed=1), "labels": np.array([0, 7, 9], np.int64)}
    ours = check_file(path, model, feeds, "cdcgan-generator")
    other = dict(feeds, labels=np.array([1, 7, 9], np.int64))
    assert not np.allclose(onnxruntime_run(path, other)[0], ours[0])  # the label counts
    # the loaded Gather of the labels is an Embedding lookup: its weight learns, row by row
    loaded = load(path).eval()
    loaded(*feeds.values()).sum().backward()
    model(*(neuronet.from_numpy(v) for v in feeds.values())).sum().backward()
    grad, want = dict(loaded.named_parameters())["embed.weight"].grad.data, model.embed.weight.grad
    assert np.abs(grad[[0, 7, 9]]).min(axis=1).all() and not grad[[1, 2, 3]].any()
    assert np.abs(grad - want.data).max() <= 1e-5 * np.abs(want.data).max()


def transposed():
    """(N, C, L) -> transposed and dilated 1-D convolutions, 1-D pools."""
    return nn.Sequential(
        nn.ConvTranspose1d(2, 4, 3, stride=2, padding=1, output_padding=1), nn.ELU(0.5),
        nn.MaxPool1d(3, stride=2, padding=1, dilation=2), nn.AvgPool1d(2),
        nn.Conv1d(4, 3, 3, padding="same", dilation=2), nn.Tanh())


OTHER_LAYERS = {
    "2-d": (lambda: nn.Sequential(
        nn.Conv2d(3, 6, 3, padding="same", groups=3), nn.BatchNorm2d(6, affine=False),
        nn.SELU(), nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False),
        nn.Conv2d(6, 4, (3, 1), stride=(1, 2), padding=(1, 0), bias=False), nn.Sigmoid(),
        nn.AdaptiveAvgPool2d(2), nn.Dropout(0.3), nn.Flatten(2), nn.Softmax(dim=2),
        nn.Flatten(), nn.Identity(), nn.LeakyReLU(0.1), nn.LogSoftmax(dim=1)), (3, 8, 8)),
    "1-d": (transposed, (2, 9)),
    # beta x > 1 for a good share of the inputs: a Softplus without its threshold would be off
    "gelu-softplus-layer-norm": (lambda: nn.Sequential(
        nn.Linear(6, 8), nn.GELU(), nn.LayerNorm(8), nn.GELU("tanh"), nn.Softplus(),
        nn.Softplus(beta=2, threshold=1), nn.Linear(8, 4), nn.Softplus(beta=0.5),
        nn.LayerNorm(4, elementwise_affine=False)), (6,)),
    # 3 channels: onnx's reference LRN loops over the batch axis (3 here) for the channels
    "lrn-upsample-2-d": (lambda: nn.Sequential(
        nn.Conv2d(3, 3, 3, padding=1), nn.LocalResponseNorm(3, alpha=0.5, k=1.5),
        nn.Upsample(scale_factor=2), nn.UpsamplingBilinear2d(size=(7, 9)),
        nn.Upsample(scale_factor=(1.5, 0.7), mode="bilinear"), nn.LocalResponseNorm(1),
        nn.UpsamplingNearest2d(size=(5, 6)), nn.LayerNorm((5, 6), bias=False),
        nn.Upsample(scale_factor=1.3, mode="bilinear", recompute_scale_factor=True)),
        (3, 6, 6)),
    "upsample-1-d": (lambda: nn.Sequential(
        nn.Conv1d(2, 3, 3), nn.Upsample(scale_factor=2.5, mode="linear"),
        nn.Upsample(size=4, mode="linear", align_corners=True), nn.Upsample(scale_factor=3),
        nn.Upsample(size=5, mode="linear"), nn.Upsample(size=1, mode="linear")), (2, 9)),
}
NEW_LAYERS = ["gelu-softplus-layer-norm", "lrn-upsample-2-d", "upsample-1-d"]


@pytest.mark.parametrize("case", OTHER_LAYERS)
def test_other_layers(case, tmp_path):
    build, shape = OTHER_LAYERS[case]
    neuronet.manual_seed(2)
    model = randomized(build())
    export(model, inputs(shape, 2, seed=0), tmp_path / "m.onnx")
    check_file(tmp_path / "m.onnx", model, {"x": inputs(shape, 3, seed=1)}, case)


def parameter_gradients(model, x, upstream):
    out = model(x)
    (out * neuronet.tensor(upstream)).sum().backward()
    return {name: p.grad.data for name, p in model.named_parameters()}


@pytest.mark.parametrize("case", NEW_LAYERS)
def test_the_loaded_layers_give_our_gradients(case, tmp_path):
    """The loaded Erf, Pow, Softplus, Where, LayerNorm, LRN and Resize pass gradients back
    as ours do: every parameter's equals the model's (those of the model by its names, the
    Scale of ones of a LayerNorm without affine parameters a new one, also reached)."""
    build, shape = OTHER_LAYERS[case]
    neuronet.manual_seed(3)
    model = randomized(build())
    export(model, inputs(shape, 2, seed=0), tmp_path / "m.onnx")
    loaded = load(tmp_path / "m.onnx").eval()
    x = inputs(shape, 3, seed=1)
    upstream = np.random.default_rng(4).standard_normal(model(neuronet.from_numpy(x)).shape)
    ours = parameter_gradients(model, neuronet.from_numpy(x), upstream.astype(np.float32))
    theirs = parameter_gradients(loaded, x, upstream.astype(np.float32))
    assert set(ours) <= set(theirs), set(ours) - set(theirs)
    for name, grad in theirs.items():
        assert np.abs(grad).max() > 0, f"{case}: no gradient reached {name}"
    for name, grad in ours.items():
        difference = np.abs(theirs[name] - grad).max()
        assert difference <= 1e-5 * max(1.0, np.abs(grad).max()), (name, difference)
    layer_norms = [m for m in model.modules() if isinstance(m, nn.LayerNorm)]
    assert len([m for m in loaded.modules() if isinstance(m, nn.LayerNorm)]) == len(layer_norms)


def test_softplus_writes_its_threshold_only_where_it_changes_the_output(tmp_path):
    path = tmp_path / "m.onnx"
    for module, dtype, op_types in (
            (nn.Softplus(), np.float32, ["Softplus"]),
            (nn.Softplus(beta=2), np.float32, ["Mul", "Softplus", "Div"]),
            (nn.Softplus(threshold=1), np.float32, ["Softplus", "Greater", "Where"]),
            (nn.Softplus(beta=2, threshold=1), np.float32,
             ["Mul", "Softplus", "Div", "Greater", "Where"]),
            (nn.Softplus(), np.float64, ["Softplus", "Greater", "Where"])):
        export(module, neuronet.from_numpy(inputs((4,), 2, seed=0).astype(dtype)), path)
        assert [n.op_type for n in onnx.load(str(path)).graph.node] == op_types, module
    # past the default threshold 20, log(1 + exp(x)) rounds to x in float32
    export(nn.Softplus(), inputs((6,), 1, seed=0), path)
    x = np.array([[19.0, 20.0, 20.5, 24.0, 37.0, 60.0]], np.float32)
    ours = nn.Softplus()(neuronet.from_numpy(x)).data
    assert np.array_equal(ours[0, 2:], x[0, 2:])  # neuronet's linear branch
    assert max_difference(ours, onnxruntime_run(path, {"x": x}), "onnxruntime") <= 2e-6


def test_gradients_flow_after_the_round_trip_and_mode_is_restored(tmp_path):
    model = build_model("lenet5", (1, 28, 28), 10)
    model.train()
    export(model, inputs((1, 28, 28), 2, 0), tmp_path / "m.onnx")
    assert model.training
    loaded = load(tmp_path / "m.onnx")
    assert sorted(loaded.state_dict()) == sorted(model.state_dict())  # torch's names
    loaded(inputs((1, 28, 28), 2, 0)).sum().backward()
    assert np.abs(loaded.get_submodule("conv1").weight.grad).sum() > 0


def assert_refused(tmp_path, model, example, *fragments, **options):
    with pytest.raises(ValueError) as error:
        export(model, example, tmp_path / "m.onnx", **options)
    for fragment in fragments:
        assert fragment in str(error.value), (fragment, str(error.value))
    assert list(tmp_path.iterdir()) == []  # no file, no temporary left


class Reversed(nn.Sequential):
    """A Sequential whose forward runs its layers backwards: not what the exporter writes."""

    def forward(self, x):
        for layer in reversed(list(self)):
            x = layer(x)
        return x


def test_errors(tmp_path):
    x = inputs((4,), 2, 0)
    assert_refused(tmp_path, nn.Sequential(nn.Linear(4, 3), nn.Sequential(
        nn.ReLU(), nn.RNNCell(3, 3))), x, "layer '1.1' (RNNCell)", "no ONNX exporter",
        "Linear", "LayerNorm", "Upsample")
    assert_refused(tmp_path, nn.MSELoss(), x, "the model (MSELoss)", "no ONNX exporter")
    assert_refused(tmp_path, nn.LocalResponseNorm(2), inputs((3, 4, 4), 2, 0),
                   "the model (LocalResponseNorm)", "size 2 is even")
    assert_refused(tmp_path, Reversed(nn.Linear(4, 4), nn.ReLU()), x, "Reversed",
                   "does not compute what its forward does")
    assert_refused(tmp_path, nn.Linear(4, 3), x, "opset must be an integer from 17", opset=13)
    assert_refused(tmp_path, nn.Linear(4, 3), x[:0], "at least one sample")
    assert_refused(tmp_path, nn.AdaptiveAvgPool2d(3), inputs((2, 4, 4), 2, 0),
                   "output size (3, 3) does not divide the input size (4, 4)")


def test_newer_opset(tmp_path):
    model = randomized(build_model("simplecnn", (1, 8, 8), 10, channels=[4, 8], hidden=8))
    export(model, inputs((1, 8, 8), 2, 0), tmp_path / "m.onnx", opset=18)
    assert onnx.load(str(tmp_path / "m.onnx")).opset_import[0].version == 18
    check_file(tmp_path / "m.onnx", model, {"x": inputs((1, 8, 8), 1, 1)}, "simplecnn-opset-18")


def one_node_file(tmp_path, op_type, shape, extra_inputs=(), **attrs):
    """An .onnx file of one node op_type(x, *extra_inputs) on x of `shape`; extra_inputs:
    (name, array) pairs, stored as initializers."""
    from onnx import TensorProto, helper, numpy_helper

    names = ["x", *(name for name, _ in extra_inputs)]
    node = helper.make_node(op_type, names, ["output"], name="the_node", **attrs)
    value = helper.make_tensor_value_info
    graph = helper.make_graph([node], "g", [value("x", TensorProto.FLOAT, list(shape))],
                              [value("output", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(a, n) for n, a in extra_inputs if n])
    path = tmp_path / "m.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), str(path))
    return path


@pytest.mark.parametrize("op_type, attrs", [("Selu", {"alpha": 1.5, "gamma": 2.0}),
                                            ("Elu", {"alpha": 0.3}), ("Selu", {})])
def test_the_loader_reads_elu_and_selu_with_their_attributes(op_type, attrs, tmp_path):
    path = one_node_file(tmp_path, op_type, (2, 5), **attrs)
    x = inputs((5,), 2, seed=3) * 3
    assert max_difference(load(path)(x).data, onnxruntime_run(path, {"x": x}), op_type) < 1e-6


SCALES = ("roi", np.zeros(0, np.float32)), ("scales", np.array([1, 1, 2, 3], np.float32))


def test_the_loader_reads_torch_s_pytorch_half_pixel_resize(tmp_path):
    """pytorch_half_pixel, the variant of half_pixel named after torch, which other
    exporters write for bilinear resizing (ours and torch 2.13's write half_pixel)."""
    path = one_node_file(tmp_path, "Resize", (2, 3, 4, 5), SCALES, mode="linear",
                         coordinate_transformation_mode="pytorch_half_pixel")
    x = inputs((3, 4, 5), 2, seed=3)
    ours = load(path)(x).data
    assert ours.shape == (2, 3, 8, 15)
    assert max_difference(ours, onnxruntime_run(path, {"x": x}), "onnxruntime") <= TOLERANCE


@pytest.mark.parametrize("op_type, shape, extra_inputs, attrs, message", [
    ("Resize", (1, 2, 4, 4), SCALES, {"mode": "cubic"}, "mode 'cubic' with"),
    ("Resize", (1, 2, 4, 4), SCALES, {"mode": "nearest", "coordinate_transformation_mode":
                                       "asymmetric"}, "nearest_mode 'round_prefer_floor'"),
    ("Resize", (1, 2, 4, 4), SCALES[:1] + (("scales", np.array([1, 2, 2, 2], np.float32)),),
     {"mode": "nearest", "nearest_mode": "floor",
      "coordinate_transformation_mode": "asymmetric"}, "only the spatial axes"),
    ("Resize", (1, 2, 4, 4), (SCALES[0], ("", None), ("sizes", np.array([1, 2, 1, 3]))),
     {"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"},
     "output size of 1"),
    ("LRN", (1, 4, 3, 3), (), {"size": 2}, "size must be a positive odd integer, got 2"),
])
def test_the_loader_refuses_what_it_cannot_compute(op_type, shape, extra_inputs, attrs,
                                                   message, tmp_path):
    path = one_node_file(tmp_path, op_type, shape, extra_inputs, **attrs)
    with pytest.raises(ValueError, match=f"ONNX node 'the_node' \\({op_type}\\): .*{message}"):
        load(path)(np.zeros(shape, np.float32))
