"""End to end on real Fashion-MNIST: `neuronet train` for 1 epoch of the MLP, then evaluate,
predict and resume on its run folder, and the installed `neuronet` script in a subprocess."""

import contextlib
import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from neuronet.cli import main
from neuronet.cli.run import load_trained_model
from neuronet.data.datasets import FashionMNIST
from neuronet.train import predict

pytestmark = pytest.mark.slow
Image = pytest.importorskip("PIL.Image")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _fashion_mnist_available():
    try:
        FashionMNIST(train=False, download=False)
    except FileNotFoundError:
        return False
    return True


if not _fashion_mnist_available():
    pytest.skip("Fashion-MNIST is not on this machine (neuronet data fetch fashion-mnist)",
                allow_module_level=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(folder, printed output) of `neuronet train` with the demo's settings but 1 epoch."""
    folder = tmp_path_factory.mktemp("fashion") / "run"
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        status = main(["train", "--model", "mlp", "--dataset", "fashion-mnist", "--epochs", "1",
                       "--batch-size", "128", "--optimizer", "adam", "--lr", "1e-3",
                       "--seed", "0", "--out", str(folder), "--no-progress"])
    assert status == 0
    return folder, out.getvalue()


def _test_accuracy(folder):
    return json.loads((folder / "metrics.json").read_text())["test"]["accuracy"]


def test_one_epoch_reaches_the_accuracy_floor(run):
    folder, out = run
    accuracy = _test_accuracy(folder)
    assert accuracy >= 0.82
    assert f"test accuracy         {accuracy:.4f}" in out


def test_run_folder(run):
    folder, _ = run
    for name in ("config.json", "metrics.json", "history.csv", "model.safetensors"):
        assert (folder / name).is_file(), name
    assert (folder / "checkpoint" / "last" / "checkpoint.json").is_file()
    metrics = json.loads((folder / "metrics.json").read_text())
    cm = np.array(metrics["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 10_000
    assert np.trace(cm) / 10_000 == pytest.approx(metrics["test"]["accuracy"])
    assert 0.75 < metrics["test"]["f1_macro"] <= metrics["test"]["accuracy"] + 0.02
    with open(folder / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1 and rows[0]["epoch"] == "1"
    assert float(rows[0]["val_accuracy"]) > 0.8
    for name in ("curves.png", "confusion.png"):
        assert (folder / name).read_bytes()[:8] == PNG_SIGNATURE
        with Image.open(folder / name) as image:
            image.verify()


def test_evaluate_gives_the_same_accuracy(run, capsys):
    folder, _ = run
    assert main(["evaluate", str(folder)]) == 0
    out = capsys.readouterr().out
    assert f"test accuracy         {_test_accuracy(folder):.4f}" in out
    assert "(10,000 samples)" in out


def test_predict_an_image_file(run, tmp_path, capsys):
    folder, _ = run
    test = FashionMNIST(train=False, download=False)
    _, model = load_trained_model(folder)
    x = test.data[:200].astype(np.float32)[:, None] / np.float32(255)
    scores = predict(model, [x])
    probabilities = np.exp(scores - scores.max(1, keepdims=True))
    probabilities /= probabilities.sum(1, keepdims=True)
    # the test image the model is surest of among those it gets right
    right = np.flatnonzero(scores.argmax(1) == test.targets[:200])
    index = right[probabilities[right].max(1).argmax()]
    label = int(test.targets[index])
    path = tmp_path / "image.png"
    Image.fromarray(test.data[index]).save(path)  # PNG is lossless: the same pixels come back
    assert main(["predict", str(folder), str(path), "--top", "2"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["class", "name", "probability"]
    assert len(lines) == 4  # header, rule, 2 classes
    assert lines[2].split() == [str(label), *test.classes[label].split(),
                                f"{probabilities[index, label]:.2%}"]
    second = np.argsort(-probabilities[index])[1]
    assert lines[3].split()[0] == str(second)


def test_predict_rejects_a_file_that_is_no_image(run, tmp_path, capsys):
    path = tmp_path / "notes.png"
    path.write_text("not an image")
    assert main(["predict", str(run[0]), str(path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (f"neuronet: error: neuronet predict: {str(path)!r} is not an image "
                           "file Pillow can read")


def test_resume_continues_the_run(run, tmp_path, capsys):
    folder = tmp_path / "run"
    shutil.copytree(run[0], folder)  # the other tests keep the 1-epoch run
    assert main(["train", "--resume", str(folder), "--epochs", "2", "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "epochs 2-2" in out
    with open(folder / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert float(rows[1]["loss"]) < float(rows[0]["loss"])
    assert json.loads((folder / "config.json").read_text())["epochs"] == 2
    assert _test_accuracy(folder) >= 0.83


def test_installed_script(run):
    """The console script in the environment's bin folder, as a user runs it."""
    script = Path(sys.executable).parent / "neuronet"
    if not script.exists():
        pytest.skip(f"no installed neuronet script next to {sys.executable}")
    done = subprocess.run([script, "evaluate", run[0]], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert "test accuracy" in done.stdout
    done = subprocess.run([script, "evaluate", run[0] / "missing"], capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr == f"neuronet: error: no run folder at {run[0] / 'missing'} (neuronet " \
                          "train --out makes one)\n"
