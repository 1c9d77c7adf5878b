"""neuronet.onnx.load on malformed and hostile files, each written here: truncated and garbage
bytes, wrong shapes, an initializer declaring a huge size (refused without allocating it),
raw_data of the wrong length, external data outside the model's folder (absolute, '..', a
symbolic link out) refused without opening it, and external data inside the folder loaded.
Each is a ValueError naming the file, tensor, node or input."""

import builtins
import os
import tracemalloc

import numpy as np
import pytest

import neuronet
from neuronet.onnx.load import load

onnx = pytest.importorskip("onnx")
helper, numpy_helper, TensorProto = onnx.helper, onnx.numpy_helper, onnx.TensorProto


def linear_model(weight=None, bias=None, extra_nodes=(), output="y"):
    """y = x @ W.T + b as one Gemm node 'fc' (x: (N, 3), W: (2, 3))."""
    rng = np.random.default_rng(0)
    weight = rng.normal(size=(2, 3)).astype(np.float32) if weight is None else weight
    bias = rng.normal(size=2).astype(np.float32) if bias is None else bias
    initializers = [w if isinstance(w, TensorProto) else numpy_helper.from_array(w, name)
                    for w, name in ((weight, "fc.weight"), (bias, "fc.bias"))]
    nodes = [helper.make_node("Gemm", ["x", "fc.weight", "fc.bias"], ["h"], name="fc",
                              transB=1), *extra_nodes]
    if not extra_nodes:
        nodes.append(helper.make_node("Identity", ["h"], [output], name="out"))
    graph = helper.make_graph(
        nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 3])],
        [helper.make_tensor_value_info(output, TensorProto.FLOAT, None)], initializers)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def save(model, path):
    path.write_bytes(model.SerializeToString())
    return path


def external(name, dims, location, offset=0, length=None):
    """A FLOAT initializer whose data lives in the file `location` (nothing inline)."""
    tensor = TensorProto(name=name, data_type=TensorProto.FLOAT, dims=dims)
    tensor.data_location = TensorProto.EXTERNAL
    entries = {"location": location, "offset": str(offset)}
    if length is not None:
        entries["length"] = str(length)
    for key, value in entries.items():
        tensor.external_data.add(key=key, value=value)
    return tensor


@pytest.fixture
def opened(monkeypatch):
    """The paths every builtins.open call receives while the test runs."""
    paths, real_open = [], builtins.open

    def recording_open(file, *args, **kwargs):
        paths.append(os.path.realpath(file) if isinstance(file, (str, os.PathLike)) else file)
        return real_open(file, *args, **kwargs)
    monkeypatch.setattr(builtins, "open", recording_open)
    return paths


def test_a_valid_file_loads(tmp_path):
    x = np.ones((4, 3), np.float32)
    model = linear_model()
    weight, bias = (numpy_helper.to_array(t) for t in model.graph.initializer)
    np.testing.assert_allclose(load(save(model, tmp_path / "m.onnx"))(x).data,
                               x @ weight.T + bias, rtol=1e-6)


def test_garbage_and_empty_bytes_are_not_onnx(tmp_path):
    for i, data in enumerate([b"", b"\x00" * 64, np.random.default_rng(0).bytes(4096),
                              b"not an onnx file at all"]):
        path = tmp_path / f"bad{i}.onnx"
        path.write_bytes(data)
        with pytest.raises(ValueError, match=rf"bad{i}\.onnx.*not a valid ONNX file"):
            load(path)


def test_every_truncation_of_a_file_is_a_clear_error(tmp_path):
    data = linear_model().SerializeToString()
    path = tmp_path / "cut.onnx"
    for end in range(0, len(data) - 1, 7):
        path.write_bytes(data[:end])
        with pytest.raises(ValueError, match="onnx|ONNX|initializer|node"):
            load(path)


def test_a_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothere.onnx"):
        load(tmp_path / "nothere.onnx")


def test_raw_data_of_the_wrong_length_names_the_tensor(tmp_path):
    short = numpy_helper.from_array(np.zeros((2, 3), np.float32), "fc.weight")
    short.raw_data = short.raw_data[:-4]
    with pytest.raises(ValueError, match=r"'fc.weight'.*raw_data holds 20 bytes.*need 24"):
        load(save(linear_model(weight=short), tmp_path / "m.onnx"))


def test_typed_values_of_the_wrong_count_name_the_tensor(tmp_path):
    tensor = TensorProto(name="fc.bias", data_type=TensorProto.FLOAT, dims=[2],
                         float_data=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"'fc.bias'.*holds 3 values.*need 2"):
        load(save(linear_model(bias=tensor), tmp_path / "m.onnx"))


@pytest.mark.parametrize("data", ["raw", "none", "external"])
def test_a_huge_declared_initializer_is_refused_without_allocating_it(tmp_path, data):
    dims = [1 << 20, 1 << 20]  # 4 TiB of float32
    if data == "external":
        (tmp_path / "w.bin").write_bytes(b"\0" * 64)
        huge = external("fc.weight", dims, "w.bin")
    else:
        huge = TensorProto(name="fc.weight", data_type=TensorProto.FLOAT, dims=dims)
        if data == "raw":
            huge.raw_data = b"\0" * 16
    path = save(linear_model(weight=huge), tmp_path / "m.onnx")
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"'fc.weight'.*(need|needs) "):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20, f"loading allocated {peak / 2**20:.0f} MiB"


def test_a_huge_constant_of_shape_is_refused(tmp_path):
    nodes = [helper.make_node("Constant", [], ["s"], name="shape",
                              value=numpy_helper.from_array(np.array([1 << 20, 1 << 20],
                                                                     np.int64))),
             helper.make_node("ConstantOfShape", ["s"], ["z"], name="zeros"),
             helper.make_node("Add", ["h", "z"], ["y"], name="add")]
    model = load(save(linear_model(extra_nodes=nodes), tmp_path / "m.onnx"))
    with pytest.raises(ValueError, match=r"node 'zeros' \(ConstantOfShape\).*refused"):
        model(np.ones((1, 3), np.float32))


def test_wrong_weight_shapes_name_the_node(tmp_path):
    conv = helper.make_node("Conv", ["x", "w"], ["y"], name="conv5d")
    graph = helper.make_graph(
        [conv], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(np.zeros((1, 1, 1, 1, 1, 1), np.float32), "w")])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(ValueError, match=r"node 'conv5d' \(Conv\).*W must have 3 or 4"):
        load(save(model, tmp_path / "conv.onnx"))
    bn = helper.make_node("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], name="bn")
    arrays = {"s": np.ones(4), "b": np.zeros(4), "m": np.zeros(3), "v": np.ones(4)}
    graph = helper.make_graph(
        [bn], "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
        [numpy_helper.from_array(a.astype(np.float32), n) for n, a in arrays.items()])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    with pytest.raises(ValueError, match=r"node 'bn' \(BatchNormalization\).*input_mean"):
        load(save(model, tmp_path / "bn.onnx"))


def test_wrong_shapes_at_run_time_name_the_input_or_node(tmp_path):
    model = load(save(linear_model(), tmp_path / "m.onnx"))
    with pytest.raises(ValueError, match=r"input 'x' must have shape \('\?', 3\), got \(2, 4\)"):
        model(np.ones((2, 4), np.float32))
    reshape = [helper.make_node("Constant", [], ["s"], name="shape",
                                value=numpy_helper.from_array(np.array([5, -1], np.int64))),
               helper.make_node("Reshape", ["h", "s"], ["y"], name="to_fives")]
    model = load(save(linear_model(extra_nodes=reshape), tmp_path / "r.onnx"))
    with pytest.raises(ValueError, match=r"node 'to_fives' \(Reshape\): cannot reshape"):
        model(neuronet.ones(3, 3))


def test_a_graph_reading_an_undefined_value_names_the_node(tmp_path):
    nodes = [helper.make_node("Relu", ["nowhere"], ["y"], name="reader")]
    with pytest.raises(ValueError, match=r"node 'reader' \(Relu\) reads 'nowhere'"):
        load(save(linear_model(extra_nodes=nodes), tmp_path / "m.onnx"))


@pytest.mark.parametrize("where", ["absolute", "parent", "deep_parent", "symlink"])
def test_external_data_outside_the_folder_is_refused_unread(tmp_path, opened, where):
    folder = tmp_path / "model"
    folder.mkdir()
    secret = tmp_path / "secret.bin"
    secret.write_bytes(np.arange(6, dtype=np.float32).tobytes())
    location = {"absolute": str(secret), "parent": "../secret.bin",
                "deep_parent": "sub/../../secret.bin", "symlink": "link.bin"}[where]
    if where == "symlink":
        os.symlink(secret, folder / "link.bin")
    path = save(linear_model(weight=external("fc.weight", [2, 3], location)),
                folder / "m.onnx")
    with pytest.raises(ValueError, match=r"'fc.weight'.*external data location.*refused"):
        load(path)
    assert os.path.realpath(secret) not in opened, "the file outside the folder was opened"


def test_external_data_inside_the_folder_loads(tmp_path):
    weight = np.arange(6, dtype=np.float32).reshape(2, 3)
    bias = np.array([0.5, -1.0], np.float32)
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "weights.bin").write_bytes(b"pad!" + weight.tobytes() + bias.tobytes())
    model = linear_model(weight=external("fc.weight", [2, 3], "data/weights.bin", offset=4),
                         bias=external("fc.bias", [2], "data/weights.bin", offset=28, length=8))
    x = np.ones((1, 3), np.float32)
    np.testing.assert_array_equal(load(save(model, tmp_path / "m.onnx"))(x).data,
                                  x @ weight.T + bias)


def test_onnx_save_with_external_data_round_trips(tmp_path):
    model = linear_model()
    expected = load(save(model, tmp_path / "inline.onnx"))(np.ones((2, 3), np.float32)).data
    onnx.save_model(model, str(tmp_path / "ext.onnx"), save_as_external_data=True,
                    all_tensors_to_one_file=True, location="ext.data", size_threshold=0)
    assert (tmp_path / "ext.data").exists()
    np.testing.assert_array_equal(load(tmp_path / "ext.onnx")(np.ones((2, 3), np.float32)).data,
                                  expected)


@pytest.mark.parametrize("fields, message", [
    ({"offset": 100}, r"needs bytes 100\.\.124 of 'w.bin', which has 24"),
    ({"length": 12}, r"external data length 12 bytes.*need 24"),
    ({"offset": "x"}, r"offset 'x' is not an integer"),
])
def test_bad_external_offsets_and_lengths_name_the_tensor(tmp_path, fields, message):
    (tmp_path / "w.bin").write_bytes(np.zeros(6, np.float32).tobytes())
    tensor = external("fc.weight", [2, 3], "w.bin")
    for entry in tensor.external_data:
        if entry.key in fields:
            entry.value = str(fields.pop(entry.key))
    for key, value in fields.items():
        tensor.external_data.add(key=key, value=str(value))
    with pytest.raises(ValueError, match=rf"'fc.weight'.*{message}"):
        load(save(linear_model(weight=tensor), tmp_path / "m.onnx"))


def test_external_data_that_is_not_a_regular_file_is_refused(tmp_path):
    (tmp_path / "dir.bin").mkdir()
    path = save(linear_model(weight=external("fc.weight", [2, 3], "dir.bin")),
                tmp_path / "m.onnx")
    with pytest.raises(ValueError, match=r"'fc.weight'.*not a regular file"):
        load(path)
