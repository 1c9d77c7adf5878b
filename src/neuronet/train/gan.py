"""Training a GAN: alternating discriminator and generator steps, in the `Trainer` framework.

    gan = build_gan("cdcgan", (1, 28, 28), 10)
    trainer = GANTrainer(gan, lr=2e-4, label_smoothing=0.1,
                         callbacks=[ModelCheckpoint("runs/g/checkpoint", save_best=False),
                                    SampleGrids("runs/g/samples"), GANCurves("runs/g/curves.png")])
    history = trainer.fit(loader, epochs=10)   # loader of (images in [-1, 1], labels) batches

One step on a batch of real images x (and labels y for a conditional GAN):
  1. fake = G(z, y') with z ~ N(0, 1) and, conditional, y' uniform over the classes;
  2. discriminator step: loss BCE(D(x), 1 - label_smoothing) + BCE(D(fake.detach()), 0); the
     generator is cut off by the detach, so its parameters get no gradient;
  3. generator step on the same fake batch, with the discriminator frozen (its parameters get
     no gradient and their gradients are not even computed): the non-saturating loss
     BCE(D(fake), 1) = -log sigmoid(D(fake)), which keeps a strong gradient while D wins
     (minimizing log(1 - D(G(z))) saturates there; Goodfellow et al. 2014, section 3).
Each network has its own Adam (beta1 = 0.5 by default, as DCGAN). The epoch's logs: "d_loss",
"g_loss", "d_real" and "d_fake" (mean sigmoid(D) on the real and the fake batches, taken in
the discriminator step), "lr", and whatever the optional scorer returns (e.g. "fcd").

GANTrainer is a `Trainer` whose model is the GAN and whose optimizer is both optimizers seen
as one (`OptimizerPair`), so the callbacks of neuronet.train work as they are:
ModelCheckpoint saves and `load_checkpoint` restores the pair and both optimizers' states,
CSVLogger writes history.csv, a NaN/Inf loss raises TrainingDivergedError before any update.
"""

from pathlib import Path

import numpy as np

from neuronet import optim
from neuronet.nn import functional as F
from neuronet.random import get_generator
from neuronet.train.callbacks import Callback
from neuronet.train.loop import Trainer, _split_batch
from neuronet.viz.gan import plot_gan_history, save_sample_grid


def discriminator_loss(real_logits, fake_logits, real_target=1.0):
    """BCE(D(x), real_target) + BCE(D(G(z)), 0), each averaged over its batch.

    real_target < 1 is one-sided label smoothing (Salimans et al. 2016): a discriminator that
    is never pushed to full certainty keeps giving the generator useful gradients.
    """
    real = F.binary_cross_entropy_with_logits(
        real_logits, np.full(real_logits.shape, real_target, real_logits.dtype))
    fake = F.binary_cross_entropy_with_logits(
        fake_logits, np.zeros(fake_logits.shape, fake_logits.dtype))
    return real + fake


def generator_loss(fake_logits):
    """The non-saturating generator loss BCE(D(G(z)), 1) = mean(-log sigmoid(D(G(z))))."""
    return F.binary_cross_entropy_with_logits(
        fake_logits, np.ones(fake_logits.shape, fake_logits.dtype))


def _mean_sigmoid(logits):
    return float(np.mean(1.0 / (1.0 + np.exp(-logits.data.astype(np.float64)))))


class OptimizerPair:
    """The generator's and the discriminator's optimizers seen as one, for checkpoints.

    state_dict() lists the generator's parameter groups, then the discriminator's, with the
    parameter indices counted through both (PyTorch's layout for one optimizer), so
    save_checkpoint/load_checkpoint store and restore both. step()/zero_grad() act on both.
    """

    def __init__(self, generator, discriminator):
        self.generator, self.discriminator = generator, discriminator

    @property
    def param_groups(self):
        return self.generator.param_groups + self.discriminator.param_groups

    def zero_grad(self, set_to_none=True):
        self.generator.zero_grad(set_to_none)
        self.discriminator.zero_grad(set_to_none)

    def step(self):
        self.generator.step()
        self.discriminator.step()

    def _parts(self):
        offset = 0
        for opt in (self.generator, self.discriminator):
            count = sum(len(group["params"]) for group in opt.param_groups)
            yield opt, offset, count
            offset += count

    def state_dict(self):
        state, groups = {}, []
        for opt, offset, _ in self._parts():
            saved = opt.state_dict()
            state.update({offset + int(i): s for i, s in saved["state"].items()})
            groups += [{**g, "params": [offset + i for i in g["params"]]}
                       for g in saved["param_groups"]]
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        groups = list(state_dict["param_groups"])
        expected = len(self.generator.param_groups) + len(self.discriminator.param_groups)
        if len(groups) != expected:
            raise ValueError(f"OptimizerPair.load_state_dict: the saved state has {len(groups)} "
                             f"parameter groups, the generator and discriminator have {expected}")
        for opt, offset, count in self._parts():
            mine, groups = groups[:len(opt.param_groups)], groups[len(opt.param_groups):]
            opt.load_state_dict({
                "state": {int(i) - offset: s for i, s in state_dict["state"].items()
                          if offset <= int(i) < offset + count},
                "param_groups": [{**g, "params": [int(i) - offset for i in g["params"]]}
                                 for g in mine],
            })


class GANTrainer(Trainer):
    """Trains `gan` (neuronet.models.gan.GAN); `fit(loader, epochs)` does the work.

    lr, betas: of both Adam optimizers (d_lr: the discriminator's lr, default lr).
    label_smoothing: the real images' target is 1 - label_smoothing (0 = none).
    scorer: optional callable gan -> {name: number}, called after every epoch, its numbers
    logged with the epoch's. eval_samples, eval_seed: the fixed noise (and, conditional, the
    labels: each class in turn) that `eval_images()` draws from, the same at every epoch.
    callbacks, progress: as Trainer. Data: batches (images (N, C, H, W) in [-1, 1], labels)
    (labels are ignored by an unconditional GAN).
    """

    def __init__(self, gan, lr=2e-4, betas=(0.5, 0.999), d_lr=None, label_smoothing=0.0,
                 scorer=None, eval_samples=64, eval_seed=0, callbacks=(), progress=True):
        if not all(hasattr(gan, name) for name in ("generator", "discriminator", "noise")):
            raise TypeError(f"GANTrainer: expected a neuronet.models.gan.GAN (build_gan(...)), "
                            f"got {type(gan).__name__}")
        if not 0 <= label_smoothing < 1:
            raise ValueError(f"GANTrainer: label_smoothing must be in [0, 1), got "
                             f"{label_smoothing!r}")
        if scorer is not None and not callable(scorer):
            raise TypeError(f"GANTrainer: scorer must be callable gan -> {{name: number}}, got "
                            f"{type(scorer).__name__}")
        self.g_optimizer = optim.Adam(gan.generator.parameters(), lr=lr, betas=betas)
        self.d_optimizer = optim.Adam(gan.discriminator.parameters(),
                                      lr=lr if d_lr is None else d_lr, betas=betas)
        # loss_fn is the Trainer's slot for validation losses, which a GAN run has none of
        super().__init__(gan, generator_loss, OptimizerPair(self.g_optimizer, self.d_optimizer),
                         metrics=(), callbacks=callbacks, progress=progress)
        self.label_smoothing = float(label_smoothing)
        self.scorer = scorer
        rng = np.random.default_rng(eval_seed)
        self.eval_noise = gan.noise(eval_samples, rng)
        self.eval_labels = (None if not gan.conditional else
                            np.arange(eval_samples) % gan.num_classes)

    @property
    def gan(self):
        return self.model

    def eval_images(self):
        """The generator's images (eval mode) for the fixed evaluation noise: (eval_samples,
        C, H, W) in (-1, 1)."""
        return self.gan.generate(self.eval_noise, self.eval_labels)

    def fit(self, train_data, epochs, start_epoch=0, history=None):
        """Train epochs start_epoch .. epochs-1; returns the History (see Trainer.fit)."""
        return super().fit(train_data, epochs, None, start_epoch, history)

    # ----- one step -----------------------------------------------------------------------
    def fake_batch(self, n):
        """(G(z, labels) with the graph kept, labels (n,) or None) for a batch of n."""
        labels = None
        if self.gan.conditional:
            labels = get_generator().integers(0, self.gan.num_classes, n)
        return self.gan.generator(self.gan.noise(n), labels), labels

    def discriminator_step(self, real, real_labels, fake, fake_labels):
        """D's loss on real and (detached) fake images, back-propagated into D's parameters
        (train_step applies the update after checking it is finite); returns (loss, mean
        D(x), mean D(G(z))). The generator gets no gradient."""
        d = self.gan.discriminator
        real_logits = d(real, real_labels if self.gan.conditional else None)
        fake_logits = d(fake.detach(), fake_labels)
        loss = discriminator_loss(real_logits, fake_logits, 1.0 - self.label_smoothing)
        self.d_optimizer.zero_grad()
        loss.backward()
        return loss, _mean_sigmoid(real_logits), _mean_sigmoid(fake_logits)

    def generator_step(self, fake, fake_labels):
        """The generator's loss on `fake`, back-propagated through the frozen discriminator
        (which gets no gradient)."""
        d = self.gan.discriminator
        d.requires_grad_(False)
        try:
            loss = generator_loss(d(fake, fake_labels))
            self.g_optimizer.zero_grad()
            loss.backward()
        finally:
            d.requires_grad_(True)
        return loss

    def train_step(self, real, labels, epoch=0, step=1):
        """D step then G step on one batch; returns {"d_loss", "g_loss", "d_real", "d_fake"}.

        A non-finite loss raises TrainingDivergedError before the update it would make.
        """
        buffers = [(b, b.data.copy()) for b in self.gan.buffers()]
        fake, fake_labels = self.fake_batch(len(real))
        d_loss, d_real, d_fake = self.discriminator_step(real, labels, fake, fake_labels)
        self._check_finite("discriminator", d_loss, epoch, step, buffers)
        self.d_optimizer.step()
        g_loss = self.generator_step(fake, fake_labels)
        self._check_finite("generator", g_loss, epoch, step, buffers)
        self.g_optimizer.step()
        return {"d_loss": d_loss.item(), "g_loss": g_loss.item(), "d_real": d_real,
                "d_fake": d_fake}

    def _check_finite(self, who, loss, epoch, step, buffers):
        if not np.isfinite(loss.item()):
            self._diverge(epoch, step, f"the {who} loss is {loss.item()}", buffers)
        for name, p in self.gan.named_parameters():
            if p.grad is not None and not np.isfinite(p.grad.data).all():
                self._diverge(epoch, step, f"the gradient of {name!r} holds NaN or Inf", buffers)

    # ----- one epoch ----------------------------------------------------------------------
    def train_epoch(self, epoch):
        """One pass over train_data: the mean of each step's numbers, then the scorer's."""
        self.gan.train()
        self._epoch_lr = float(self.g_optimizer.param_groups[0]["lr"])
        sums, samples = {}, 0

        def means():
            return {_SHORT[k]: v / samples for k, v in sums.items()}

        with self._epoch_progress(epoch) as (batches, show):
            for step, batch in enumerate(batches, 1):
                real, labels = _split_batch(batch, "GANTrainer.fit")
                logs = self.train_step(real, labels, epoch, step)
                samples += len(real)
                for name, value in logs.items():
                    sums[name] = sums.get(name, 0.0) + value * len(real)
                self._call("on_batch_end", step - 1, {**logs, "size": len(real)})
                show(means)
        if samples == 0:
            raise ValueError("GANTrainer.fit: train_data gave no batches")
        logs = {name: value / samples for name, value in sums.items()}
        if self.scorer is not None:
            logs.update(self.scorer(self.gan))
        return logs


_SHORT = {"d_loss": "D", "g_loss": "G", "d_real": "D(x)", "d_fake": "D(G(z))"}


class SampleGrids(Callback):
    """After every epoch, the trainer's images for its fixed evaluation noise as one PNG:
    folder/epoch-001.png, ... (`nrow` images per row; default: the class count of a
    conditional GAN, so each column is one class, else 8)."""

    def __init__(self, folder, nrow=None):
        self.folder, self.nrow = folder, nrow

    def on_epoch_end(self, epoch, logs=None):
        gan = self.trainer.gan
        nrow = self.nrow or (gan.num_classes if gan.conditional else 8)
        folder = Path(self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_sample_grid(self.trainer.eval_images(), folder / f"epoch-{epoch + 1:03d}.png",
                         nrow=nrow)


class GANCurves(Callback):
    """After every epoch, the run's curves so far (plot_gan_history) to `path`."""

    def __init__(self, path):
        self.path = path

    def on_epoch_end(self, epoch, logs=None):
        plot_gan_history(self.trainer.history, self.path)

