"""`neuronet export RUN --format onnx`: a 1-epoch MLP run on the digits (trained with
--normalize, so the file takes raw inputs as evaluate does) and a DCGAN generator run give
onnxruntime the outputs of the run's own model; bad input is one line and exit status 2."""

import numpy as np
import pytest

from neuronet.cli.run import load_trained_model
from neuronet.cli.sample import load_gan
from neuronet.creation import from_numpy
from neuronet.data.registry import get_dataset_spec
from neuronet.io import save_state_dict, write_json
from neuronet.models.gan import build_gan, gan_config

pytest.importorskip("sklearn")
pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")

TOLERANCE = 1e-5  # float32, max abs difference


@pytest.fixture(scope="module")
def mlp_run(tmp_path_factory):
    from neuronet.cli import main

    folder = tmp_path_factory.mktemp("export") / "mlp"
    assert main(["train", "--dataset", "digits", "--epochs", "1", "--batch-size", "64",
                 "--normalize", "--no-progress", "--out", str(folder)]) == 0
    return folder


def onnxruntime_run(path, feeds):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, feeds)[0]


def test_export_of_a_trained_run(run_cli, mlp_run):
    status, out, err = run_cli("export", mlp_run, "--format", "onnx")
    assert status == 0, err
    path = mlp_run / "model.onnx"
    assert f"wrote {path}" in out
    x = get_dataset_spec("digits").load("test")[0][:37]  # raw pixels, any batch size
    _, model = load_trained_model(mlp_run)
    ours = model.eval()(from_numpy(x)).data
    difference = np.abs(onnxruntime_run(path, {"x": x}) - ours).max()
    print(f"\nneuronet export (digits MLP, --normalize): onnxruntime max abs diff {difference:.2e}")
    assert difference <= TOLERANCE
    assert (ours.argmax(1) == onnxruntime_run(path, {"x": x}).argmax(1)).all()


def test_export_of_a_generator_to_another_path(run_cli, tmp_path):
    folder = tmp_path / "dcgan"
    folder.mkdir()
    config = gan_config("dcgan", width=8, latent_dim=16)
    write_json(folder / "config.json", {
        "model": "dcgan", "model_config": config, "dataset": "digits",
        "input_shape": [1, 8, 8], "classes": [str(i) for i in range(10)]})
    save_state_dict(build_gan("dcgan", (1, 8, 8), 10, **config).state_dict(),
                    folder / "model.safetensors")
    status, _, err = run_cli("export", folder, "--out", tmp_path / "g.onnx")
    assert status == 0, err
    _, gan = load_gan(folder)
    z = np.random.default_rng(0).standard_normal((5, 16)).astype(np.float32)
    images = onnxruntime_run(tmp_path / "g.onnx", {"x": z})
    assert images.shape == (5, 1, 8, 8)
    assert np.abs(images - gan.generate(from_numpy(z))).max() <= TOLERANCE


def test_bad_input(run_cli, usage_error, mlp_run, tmp_path):
    usage_error(run_cli("export", tmp_path / "none"), "no run folder at")
    usage_error(run_cli("export", mlp_run, "--format", "tflite"), "unknown format 'tflite'",
                "onnx")
    usage_error(run_cli("export", mlp_run, "--out", tmp_path / "no" / "m.onnx"), "no folder")
    empty = tmp_path / "untrained"
    empty.mkdir()
    (empty / "config.json").write_text((mlp_run / "config.json").read_text())
    usage_error(run_cli("export", empty), "has no model.safetensors")
    status, out, _ = run_cli("export", "--help")
    assert status == 0 and "ONNX" in out and "--out" in out
