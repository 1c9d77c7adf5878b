"""DCGAN training step: neuronet vs PyTorch CPU, same weights, same batch, same run.

One step = generator forward on a batch of noise, a discriminator update (real batch + the
detached fake batch, BCE with logits, Adam) and a generator update through the frozen
discriminator (non-saturating loss, Adam): neuronet's side is GANTrainer.train_step itself,
torch's side is the same procedure written with torch.nn. Batch 64 of 1x28x28 images,
neuronet's default DCGAN (see neuronet.models.gan.GAN_MODELS; --width to change it).

float32, 2 threads on both sides; the two frameworks alternate and each time is the best of
--repeats rounds (the machine is shared: best-of is the least noisy estimate).

    python benchmarks/gan.py [--repeats 5] [--steps 3] [--width 32] [--profile]
"""

import argparse
import os

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "2")

import numpy as np
import torch
from timing import best_of, profile

import neuronet
from neuronet.models.gan import build_gan
from neuronet.train.gan import GANTrainer


class TorchDCGANGenerator(torch.nn.Module):
    """neuronet.models.gan.DCGANGenerator in torch: the same layers under the same names."""

    def __init__(self, latent_dim, image_shape, width, num_classes=None, embed_dim=10):
        super().__init__()
        channels, height, wide = image_shape
        self.start = (2 * width, height // 4, wide // 4)
        n_in = latent_dim
        if num_classes is not None:
            self.embed = torch.nn.Embedding(num_classes, embed_dim)
            n_in += embed_dim
        self.project = torch.nn.Linear(n_in, int(np.prod(self.start)), bias=False)
        self.project_norm = torch.nn.BatchNorm1d(int(np.prod(self.start)))
        self.up = torch.nn.Sequential(
            torch.nn.ReLU(),
            torch.nn.ConvTranspose2d(2 * width, width, 4, stride=2, padding=1, bias=False),
            torch.nn.BatchNorm2d(width),
            torch.nn.ReLU(),
            torch.nn.ConvTranspose2d(width, channels, 4, stride=2, padding=1),
            torch.nn.Tanh(),
        )

    def forward(self, z, labels=None):
        if labels is not None:
            z = torch.cat([z, self.embed(labels)], dim=1)
        return self.up(self.project_norm(self.project(z)).reshape(len(z), *self.start))


class TorchDCGANDiscriminator(torch.nn.Module):
    """neuronet.models.gan.DCGANDiscriminator in torch: the same layers under the same names."""

    def __init__(self, image_shape, width, num_classes=None):
        super().__init__()
        channels, height, wide = image_shape
        self.image_shape = image_shape
        if num_classes is not None:
            self.embed = torch.nn.Embedding(num_classes, height * wide)
            channels += 1
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(channels, width, 4, stride=2, padding=1),
            torch.nn.LeakyReLU(0.2),
            torch.nn.Conv2d(width, 2 * width, 4, stride=2, padding=1, bias=False),
            torch.nn.BatchNorm2d(2 * width),
            torch.nn.LeakyReLU(0.2),
            torch.nn.Flatten(),
        )
        self.classify = torch.nn.Linear(2 * width * (height // 4) * (wide // 4), 1)

    def forward(self, x, labels=None):
        if labels is not None:
            label_map = self.embed(labels).reshape(len(x), 1, *self.image_shape[1:])
            x = torch.cat([x, label_map], dim=1)
        return self.classify(self.features(x)).reshape(len(x))


def torch_twin(gan):
    """(generator, discriminator) in torch with `gan`'s structure and weights."""
    conditional = gan.num_classes if gan.conditional else None
    extra = {"embed_dim": gan.config["embed_dim"]} if gan.conditional else {}
    g = TorchDCGANGenerator(gan.latent_dim, gan.image_shape, gan.config["width"], conditional,
                            **extra)
    d = TorchDCGANDiscriminator(gan.image_shape, gan.config["width"], conditional)
    dtype = torch.float64 if gan.generator.project.weight.dtype == np.float64 else torch.float32
    for ours, theirs in ((gan.generator, g), (gan.discriminator, d)):
        theirs.to(dtype).load_state_dict({k: torch.from_numpy(np.array(v.data))
                                          for k, v in ours.state_dict().items()})
    return g, d


def torch_train_step(g, d, g_opt, d_opt, real, z):
    """The step GANTrainer.train_step takes, in torch (unconditional)."""
    bce = torch.nn.functional.binary_cross_entropy_with_logits
    fake = g(z)
    real_logits, fake_logits = d(real), d(fake.detach())
    d_loss = (bce(real_logits, torch.ones_like(real_logits))
              + bce(fake_logits, torch.zeros_like(fake_logits)))
    d_opt.zero_grad()
    d_loss.backward()
    d_opt.step()
    d.requires_grad_(False)
    fake_logits = d(fake)
    g_loss = bce(fake_logits, torch.ones_like(fake_logits))
    g_opt.zero_grad()
    g_loss.backward()
    g_opt.step()
    d.requires_grad_(True)
    return d_loss.item(), g_loss.item()


def dcgan_steps(steps, width, batch=64):
    """Closures running `steps` DCGAN training steps in each framework."""
    neuronet.manual_seed(0)
    gan = build_gan("dcgan", (1, 28, 28), width=width)
    g, d = torch_twin(gan)
    trainer = GANTrainer(gan, progress=False)
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    rng = np.random.default_rng(0)
    real = rng.uniform(-1, 1, (steps, batch, 1, 28, 28)).astype(np.float32)
    z = rng.standard_normal((steps, batch, gan.latent_dim)).astype(np.float32)

    def run_ours():
        for xb in real:
            trainer.train_step(neuronet.from_numpy(xb), None)

    def run_theirs():
        for xb, zb in zip(real, z):
            torch_train_step(g, d, g_opt, d_opt, torch.from_numpy(xb), torch.from_numpy(zb))

    return run_ours, run_theirs


def main():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--repeats", type=int, default=5, help="timed rounds per framework")
    parser.add_argument("--steps", type=int, default=3, help="training steps per round")
    parser.add_argument("--width", type=int, default=build_gan("dcgan").config["width"],
                        help="DCGAN width (channels of G's last / D's first hidden layer)")
    parser.add_argument("--profile", action="store_true", help="profile neuronet's side")
    args = parser.parse_args()
    torch.set_num_threads(2)
    run_ours, run_theirs = dcgan_steps(args.steps, args.width)
    run_ours(), run_theirs()  # warm-up: allocations, BLAS threads, torch's kernels
    ours, theirs = best_of([run_ours, run_theirs], args.repeats)
    print(f"DCGAN (width {args.width}) training step, batch 64, D + G updates "
          f"(x{args.steps}):\n  neuronet {ours * 1e3:8.1f} ms   torch {theirs * 1e3:8.1f} ms   "
          f"ratio {ours / theirs:.2f}x")
    if args.profile:
        profile(run_ours)


if __name__ == "__main__":
    main()
