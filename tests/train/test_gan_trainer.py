"""GANTrainer: the losses (against torch), which net gets which gradient, checkpoints and resume,
the fixed evaluation noise, divergence, bad input."""

import json

import numpy as np
import pytest

import neuronet
from neuronet.data import DataLoader, TensorDataset
from neuronet.models.gan import build_gan
from neuronet.train import (
    CSVLogger,
    ModelCheckpoint,
    TrainingDivergedError,
    load_checkpoint,
)
from neuronet.train.gan import (
    GANCurves,
    GANTrainer,
    OptimizerPair,
    SampleGrids,
    discriminator_loss,
    generator_loss,
)
from oracle import assert_close, needs_torch


def _data(n=48, conditional=True, seed=0):
    rng = np.random.default_rng(seed)
    x = np.tanh(rng.standard_normal((n, 1, 8, 8))).astype(np.float32)
    return x, rng.integers(0, 10, n)


def _loader(x, y, batch=16, seed=0):
    return DataLoader(TensorDataset(x, y), batch, shuffle=True, generator=seed)


def _small(name="cdcgan"):
    return build_gan(name, (1, 8, 8), 10, width=4, latent_dim=8)


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_losses_match_torch(smoothing, rng):
    torch = needs_torch()
    real, fake = rng.standard_normal(7) * 3, rng.standard_normal(7) * 3
    ro, fo = (neuronet.tensor(a, dtype="float64", requires_grad=True) for a in (real, fake))
    rt, ft = (torch.tensor(a, requires_grad=True) for a in (real, fake))
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    ours = discriminator_loss(ro, fo, 1 - smoothing)
    theirs = bce(rt, torch.full_like(rt, 1 - smoothing)) + bce(ft, torch.zeros_like(ft))
    assert_close(ours, theirs, what="discriminator loss")
    ours.backward(), theirs.backward()
    assert_close(ro.grad, rt.grad, what="d loss gradient (real)")
    assert_close(fo.grad, ft.grad, what="d loss gradient (fake)")
    fo.grad = None
    g = generator_loss(fo)
    # non-saturating: mean(-log sigmoid(D(G(z)))) = mean(log(1 + exp(-l)))
    assert g.item() == pytest.approx(np.mean(np.log1p(np.exp(-fake))), rel=1e-12)
    g.backward()
    assert_close(fo.grad, -1 / (1 + np.exp(fake)) / len(fake), what="g loss gradient")


def test_discriminator_step_gives_the_generator_no_gradient():
    gan = _small()
    trainer = GANTrainer(gan, progress=False)
    x, y = _data(8)
    fake, fake_labels = trainer.fake_batch(8)
    loss, d_real, d_fake = trainer.discriminator_step(neuronet.from_numpy(x), y, fake,
                                                      fake_labels)
    assert all(p.grad is None for p in gan.generator.parameters())
    assert all(p.grad is not None and np.abs(p.grad.data).sum() > 0
               for p in gan.discriminator.parameters())
    assert 0 < d_real < 1 and 0 < d_fake < 1 and loss.item() > 0


def test_generator_step_gives_the_discriminator_no_gradient():
    gan = _small()
    trainer = GANTrainer(gan, progress=False)
    fake, fake_labels = trainer.fake_batch(8)
    trainer.generator_step(fake, fake_labels)
    assert all(p.grad is None for p in gan.discriminator.parameters())
    assert all(p.requires_grad for p in gan.discriminator.parameters())  # unfrozen again
    named = dict(gan.generator.named_parameters())
    assert all(p.grad is not None for p in named.values())
    assert np.abs(named["project.weight"].grad.data).sum() > 0


def test_train_step_moves_each_net_by_its_own_optimizer():
    gan = _small("dcgan")
    trainer = GANTrainer(gan, lr=1e-3, progress=False)
    before = {k: v.data.copy() for k, v in gan.state_dict().items()}
    x, y = _data(16)
    logs = trainer.train_step(neuronet.from_numpy(x), y)
    assert set(logs) == {"d_loss", "g_loss", "d_real", "d_fake"}
    changed = {k.split(".")[0] for k, v in gan.state_dict().items()
               if not np.array_equal(v.data, before[k])}
    assert changed == {"generator", "discriminator"}
    assert trainer.g_optimizer.param_groups[0]["betas"] == (0.5, 0.999)
    assert {id(p) for p in trainer.g_optimizer.param_groups[0]["params"]} == {
        id(p) for p in gan.generator.parameters()}


def test_optimizer_pair_state_round_trip():
    gan = _small()
    trainer = GANTrainer(gan, progress=False)
    x, y = _data(16)
    trainer.train_step(neuronet.from_numpy(x), y)
    saved = json.loads(json.dumps(trainer.optimizer.state_dict(), default=lambda a: a.tolist()))
    other = GANTrainer(build_gan("cdcgan", (1, 8, 8), 10, width=4, latent_dim=8),
                       progress=False)
    other.optimizer.load_state_dict(saved)
    for ours, theirs in ((trainer.g_optimizer, other.g_optimizer),
                         (trainer.d_optimizer, other.d_optimizer)):
        a, b = ours.state_dict(), theirs.state_dict()
        assert a["param_groups"] == b["param_groups"]
        for index, entries in a["state"].items():
            for name, value in entries.items():
                np.testing.assert_array_equal(value, b["state"][index][name])
    with pytest.raises(ValueError, match="the saved state has 1 parameter groups, the "
                                         "generator and discriminator have 2"):
        other.optimizer.load_state_dict({"state": {}, "param_groups": saved["param_groups"][:1]})
    assert isinstance(trainer.optimizer, OptimizerPair)


def test_resume_from_checkpoint_is_bit_identical(tmp_path):
    """Two epochs in one go == one epoch, a checkpoint, a fresh process-like reload, one more."""
    x, y = _data(48)

    def run(epochs, folder, start=None):
        neuronet.manual_seed(5)
        gan = _small()
        loader = _loader(x, y)
        trainer = GANTrainer(gan, label_smoothing=0.1, progress=False,
                             callbacks=[ModelCheckpoint(folder, save_best=False)])
        history = None
        first = 0
        if start is not None:
            state = load_checkpoint(start, gan, trainer.optimizer, loader=loader)
            first, history = state["epoch"], state["history"]
        trainer.fit(loader, epochs, first, history)
        return gan, trainer.history

    straight, h1 = run(2, tmp_path / "a")
    run(1, tmp_path / "b")
    resumed, h2 = run(2, tmp_path / "c", start=tmp_path / "b" / "last")
    for (name, a), b in zip(straight.state_dict().items(), resumed.state_dict().values()):
        np.testing.assert_array_equal(a.data, b.data, err_msg=name)
    assert h1 == h2 and h1.epoch == [1, 2]


def test_fixed_eval_noise_grids_curves_and_csv(tmp_path):
    x, y = _data(32)
    gan = _small()
    trainer = GANTrainer(gan, eval_samples=20, progress=False, scorer=lambda g: {"fcd": 1.5},
                         callbacks=[SampleGrids(tmp_path / "samples"),
                                    GANCurves(tmp_path / "curves.png"),
                                    CSVLogger(tmp_path / "history.csv")])
    first = trainer.eval_images()
    assert np.array_equal(first, trainer.eval_images())  # same noise, eval mode: same images
    assert trainer.eval_labels.tolist() == [i % 10 for i in range(20)]
    history = trainer.fit(_loader(x, y), 2)
    assert not np.array_equal(first, trainer.eval_images())  # the generator learned
    assert sorted(p.name for p in (tmp_path / "samples").iterdir()) == [
        "epoch-001.png", "epoch-002.png"]
    assert (tmp_path / "curves.png").stat().st_size > 1000
    assert history.history["fcd"] == [1.5, 1.5]
    assert set(history.history) == {"d_loss", "g_loss", "d_real", "d_fake", "fcd", "lr"}
    header = (tmp_path / "history.csv").read_text().splitlines()[0]
    assert "d_loss" in header and "fcd" in header


@pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning")  # the NaN image, on purpose
def test_divergence_stops_before_the_update(tmp_path):
    x, y = _data(32)
    x[20] = np.nan  # in the second batch (no shuffling below)
    gan = _small()
    trainer = GANTrainer(gan, progress=False,
                         callbacks=[ModelCheckpoint(tmp_path, save_best=False)])
    loader = DataLoader(TensorDataset(x, y), 16)
    with pytest.raises(TrainingDivergedError, match="epoch 1, step 2: the discriminator loss "
                                                    "is nan") as info:
        trainer.fit(loader, 1)
    assert info.value.checkpoint == tmp_path / "last_good"
    assert all(np.isfinite(v.data).all() for v in gan.state_dict().values())


def test_bad_input():
    gan = _small()
    with pytest.raises(TypeError, match="GANTrainer: expected a neuronet.models.gan.GAN"):
        GANTrainer(gan.generator)
    with pytest.raises(ValueError, match=r"label_smoothing must be in \[0, 1\), got 1.0"):
        GANTrainer(gan, label_smoothing=1.0)
    with pytest.raises(TypeError, match="scorer must be callable"):
        GANTrainer(gan, scorer=3)
    with pytest.raises(ValueError, match="GANTrainer.fit: train_data gave no batches"):
        GANTrainer(gan, progress=False).fit([], 1)
    with pytest.raises(TypeError, match="GANTrainer.fit: each batch must be a pair"):
        GANTrainer(gan, progress=False).fit([np.zeros((2, 1, 8, 8), np.float32)], 1)
