"""neuronet.io: safetensors state dicts readable by torch, npz without pickle, atomic writes,
clear errors for damaged files."""

import os

import numpy as np
import pytest
import safetensors.numpy
from train_helpers import make_mlp, weights

from neuronet import io as nio
from oracle import needs_torch


def test_state_dict_round_trip_keeps_keys_dtypes_and_values(tmp_path):
    model = make_mlp()
    state = {**weights(model), "steps": np.array(7, dtype=np.int64)}
    path = tmp_path / "model.safetensors"
    nio.save_state_dict(state, path, metadata={"format": "np"})
    loaded = nio.load_state_dict_file(path)
    assert set(loaded) == set(state)
    for key, value in state.items():
        assert loaded[key].dtype == value.dtype and np.array_equal(loaded[key], value), key
    # the file is plain safetensors: the reference reader sees the same arrays
    assert np.array_equal(safetensors.numpy.load_file(path)["1.weight"], state["1.weight"])


def test_state_dict_file_loads_into_the_torch_twin_of_an_mlp(tmp_path):
    torch = needs_torch()
    from safetensors.torch import load_file

    model = make_mlp((64, 32, 16, 10))
    path = tmp_path / "model.safetensors"
    nio.save_state_dict(model.state_dict(), path)
    twin = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 16),
        torch.nn.ReLU(), torch.nn.Linear(16, 10),
    )
    twin.load_state_dict(load_file(path))  # strict: same keys, same shapes
    x = np.random.default_rng(0).random((5, 64), dtype=np.float32)
    import neuronet

    with torch.no_grad():
        theirs = twin(torch.from_numpy(x)).numpy()
    ours = model(neuronet.from_numpy(x)).data
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_npz_refuses_object_arrays_and_loads_without_pickle(tmp_path):
    path = tmp_path / "a.npz"
    nio.write_npz(path, {"a": np.arange(3.0), "b": np.ones((2, 2), np.float32)})
    with np.load(path, allow_pickle=False) as data:
        assert sorted(data.files) == ["a", "b"]
    assert np.array_equal(nio.read_npz(path)["a"], np.arange(3.0))
    with pytest.raises(TypeError, match="dtype object"):
        nio.write_npz(tmp_path / "b.npz", {"o": np.array([{}, None], dtype=object)})
    assert not (tmp_path / "b.npz").exists()


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "data.json"
    nio.write_json(path, {"version": 1})
    with pytest.raises(RuntimeError, match="crash"):
        with nio.atomic_write(path) as f:
            f.write(b'{"version": 2, "half')
            raise RuntimeError("simulated crash")
    assert nio.read_json(path) == {"version": 1}
    assert os.listdir(tmp_path) == ["data.json"]


def test_written_files_get_ordinary_permissions(tmp_path):
    nio.write_json(tmp_path / "a.json", [1])
    assert (tmp_path / "a.json").stat().st_mode & 0o777 == nio.FILE_MODE


@pytest.mark.parametrize("damage", ["truncate", "garbage", "empty"])
def test_damaged_safetensors_file_names_the_file(tmp_path, damage):
    path = tmp_path / "model.safetensors"
    nio.save_state_dict(weights(make_mlp()), path)
    data = path.read_bytes()
    path.write_bytes({"truncate": data[: len(data) // 2], "garbage": b"\x00" * 20 + data,
                      "empty": b""}[damage])
    with pytest.raises(nio.CorruptFileError, match="model.safetensors.*truncated or damaged"):
        nio.load_state_dict_file(path)


def test_damaged_json_and_npz_name_the_file(tmp_path):
    (tmp_path / "x.json").write_text('{"a": 1')
    with pytest.raises(nio.CorruptFileError, match=r"x\.json: not valid JSON"):
        nio.read_json(tmp_path / "x.json")
    nio.write_npz(tmp_path / "x.npz", {"a": np.arange(100.0)})
    data = (tmp_path / "x.npz").read_bytes()
    (tmp_path / "x.npz").write_bytes(data[:-40])
    with pytest.raises(nio.CorruptFileError, match=r"x\.npz: not a readable \.npz"):
        nio.read_npz(tmp_path / "x.npz")


def test_save_state_dict_rejects_non_numeric_entries(tmp_path):
    with pytest.raises(TypeError, match="'name' is not numeric"):
        nio.save_state_dict({"name": object()}, tmp_path / "m.safetensors")
