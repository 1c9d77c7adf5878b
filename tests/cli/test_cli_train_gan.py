"""`neuronet train-gan` and `neuronet sample` end to end on the small digits set."""

import csv
import json

import numpy as np
import pytest

from neuronet.cli import main

pytest.importorskip("sklearn")
Image = pytest.importorskip("PIL.Image")

GAN = ("train-gan", "--dataset", "digits", "--batch-size", "64", "--score-samples", "300",
       "--width", "8", "--latent-dim", "16", "--no-progress")


@pytest.fixture(scope="module")
def classifier(tmp_path_factory):
    """A quickly trained MLP classifier run on digits, the scorer of the GAN runs."""
    folder = tmp_path_factory.mktemp("classifier") / "mlp"
    assert main(["train", "--dataset", "digits", "--epochs", "8", "--out", str(folder),
                 "--no-progress"]) == 0
    return folder


@pytest.fixture(scope="module")
def cdcgan_run(tmp_path_factory, classifier):
    folder = tmp_path_factory.mktemp("gan") / "cdcgan"
    assert main([*GAN, "--model", "cdcgan", "--epochs", "2", "--classifier", str(classifier),
                 "--out", str(folder)]) == 0
    return folder


def test_run_folder(cdcgan_run):
    folder = cdcgan_run
    assert {p.name for p in folder.iterdir()} == {
        "config.json", "metrics.json", "history.csv", "model.safetensors", "checkpoint",
        "samples", "curves.png"}
    assert sorted(p.name for p in (folder / "samples").iterdir()) == ["epoch-001.png",
                                                                       "epoch-002.png"]
    with Image.open(folder / "samples" / "epoch-002.png") as grid:
        # 100 fixed samples, one column per class: 10 x 10 tiles of 8 px + 2 px gaps, x2
        assert grid.size == (2 * (10 * 10 + 2), 2 * (10 * 10 + 2))
    config = json.loads((folder / "config.json").read_text())
    assert config["model"] == "cdcgan" and config["beta1"] == 0.5
    assert config["model_config"] == {"latent_dim": 16, "width": 8, "embed_dim": 10}
    with open(folder / "history.csv") as f:
        rows = list(csv.DictReader(f))
    assert [r["epoch"] for r in rows] == ["1", "2"]
    assert {"d_loss", "g_loss", "d_real", "d_fake", "fcd", "class_accuracy"} <= set(rows[0])
    metrics = json.loads((folder / "metrics.json").read_text())
    assert sum(metrics["mode_histogram"]) == 10_000 and len(metrics["per_class_accuracy"]) == 10
    assert 0 <= metrics["mode_entropy"] <= metrics["mode_max_entropy"] == pytest.approx(np.log(10))
    assert 0 <= metrics["fcd_floor"] < metrics["last_epoch"]["fcd"]
    assert {"best", "last"} == {p.name for p in (folder / "checkpoint").iterdir()}


def test_sample(cdcgan_run, tmp_path, run_cli):
    out = tmp_path / "threes.png"
    status, text, err = run_cli("sample", cdcgan_run, out, "--label", "3", "--n", "16")
    assert status == 0, err
    assert "wrote 16 images of class 3 (3)" in text
    with Image.open(out) as grid:
        assert grid.size == (2 * (8 * 10 + 2), 2 * (2 * 10 + 2))  # 8 per row, 2 rows
    again = tmp_path / "again.png"
    assert run_cli("sample", cdcgan_run, again, "--label", "3", "--n", "16")[0] == 0
    assert again.read_bytes() == out.read_bytes()  # same seed, same images
    other = tmp_path / "other.png"
    assert run_cli("sample", cdcgan_run, other, "--label", "3", "--n", "16", "--seed", "1")[0] == 0
    assert other.read_bytes() != out.read_bytes()
    assert run_cli("sample", cdcgan_run, tmp_path / "all.png", "--n", "20")[0] == 0


def test_resume_continues_the_run(cdcgan_run, tmp_path, run_cli, classifier):
    import shutil

    folder = tmp_path / "resumed"
    shutil.copytree(cdcgan_run, folder)
    status, _, err = run_cli("train-gan", "--resume", folder, "--epochs", "3", "--no-progress")
    assert status == 0, err
    with open(folder / "history.csv") as f:
        assert [r["epoch"] for r in csv.DictReader(f)] == ["1", "2", "3"]
    assert (folder / "samples" / "epoch-003.png").is_file()


def test_unconditional_run_trains_its_classifier(tmp_path, run_cli):
    folder, clf = tmp_path / "dcgan", tmp_path / "clf"
    status, out, err = run_cli(*GAN, "--model", "dcgan", "--epochs", "1", "--classifier", clf,
                               "--classifier-epochs", "1", "--out", folder)
    assert status == 0, err
    assert f"training the scoring classifier into {clf}" in out
    assert json.loads((clf / "config.json").read_text())["model"] == "lenet5"
    metrics = json.loads((folder / "metrics.json").read_text())
    assert "per_class_accuracy" not in metrics and sum(metrics["mode_histogram"]) == 10_000
    status, _, err = run_cli("sample", folder, tmp_path / "x.png", "--label", "1")
    assert status == 2 and "--label needs a conditional GAN" in err


def test_bad_input(cdcgan_run, classifier, tmp_path, run_cli, usage_error):
    usage_error(run_cli("train-gan", "--model", "vae"), "unknown GAN 'vae'",
                "cdcgan, dcgan, gan")
    usage_error(run_cli("train-gan", "--dataset", "mnist1d", "--out", tmp_path / "a"),
                "train-gan needs an image dataset; 'mnist1d'")
    usage_error(run_cli("train-gan", "--resume", cdcgan_run, "--lr", "0.1"),
                "only --epochs and --workers may be given with it, not --lr")
    usage_error(run_cli("train-gan", "--resume", cdcgan_run, "--epochs", "2"),
                "has already trained 2 epochs")
    usage_error(run_cli("train-gan", "--out", cdcgan_run), "already holds a run")
    usage_error(run_cli("sample", cdcgan_run, tmp_path / "x.png", "--label", "shoe"),
                "unknown --label 'shoe'; give 0 to 9 or one of: 0, 1")
    usage_error(run_cli("sample", tmp_path / "nothing", tmp_path / "x.png"), "no run folder")
    usage_error(run_cli("sample", classifier, tmp_path / "x.png"),
                "the run holds a 'mlp' model, not a GAN")
    usage_error(run_cli("sample", cdcgan_run, tmp_path / "x.png", "--n", "0"),
                "must be an integer >= 1")
    assert not (tmp_path / "x.png").exists()
