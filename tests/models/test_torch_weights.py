"""Weights move between neuronet and torch as files: a model.safetensors that `neuronet train`
writes loads with safetensors.torch.load_file into the equivalent torch model (strict keys)
and gives the same logits, and a file torch writes with safetensors.torch.save_file loads
into neuronet's model and gives torch's logits. ResNet-18 is compared with torch's ResNet
under torchvision's module names (torchvision itself is not installed beside torch 2.13)."""

import numpy as np
from safetensors.torch import load_file, save_file
from test_resnet import torch_resnet

import neuronet
from neuronet.cli import main
from neuronet.cli.run import WEIGHTS
from neuronet.data import load_fashion_mnist
from neuronet.data.registry import get_dataset_spec
from neuronet.io import load_state_dict_file, save_state_dict
from neuronet.models import resnet18
from neuronet.models.registry import build_model
from oracle import needs_torch


def fashion_images(n=8):
    images, _ = load_fashion_mnist("test")
    return (images[:n].astype(np.float32) / 255)[:, None]


def torch_logits(model, x):
    torch = needs_torch()
    with torch.no_grad():
        return model.eval()(torch.from_numpy(x)).numpy()


def our_logits(model, x):
    with neuronet.no_grad():
        return model.eval()(neuronet.tensor(x)).data


def test_a_trained_mlp_run_loads_into_torch(tmp_path):
    torch = needs_torch()
    assert main(["train", "--model", "mlp", "--dataset", "digits", "--epochs", "1",
                 "--no-progress", "--out", str(tmp_path / "run")]) == 0
    theirs = torch.nn.Sequential(
        torch.nn.Flatten(), torch.nn.Linear(64, 256), torch.nn.ReLU(),
        torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10))
    theirs.load_state_dict(load_file(tmp_path / "run" / WEIGHTS), strict=True)
    ours = build_model("mlp", (1, 8, 8), 10)
    ours.load_state_dict(load_state_dict_file(tmp_path / "run" / WEIGHTS))
    x, _ = get_dataset_spec("digits").load("test")
    difference = np.abs(torch_logits(theirs, x) - our_logits(ours, x)).max()
    assert difference <= 1e-5, f"ours vs torch: max |logit difference| {difference:.3g}"


def test_lenet5_both_ways(tmp_path):
    torch = needs_torch()
    nn = torch.nn

    class LeNet5(nn.Module):  # neuronet's LeNet5 with the same attribute names
        def __init__(self):
            super().__init__()
            self.conv1, self.conv2 = nn.Conv2d(1, 6, 5, padding=2), nn.Conv2d(6, 16, 5)
            self.fc1, self.fc2 = nn.Linear(400, 120), nn.Linear(120, 84)
            self.fc3 = nn.Linear(84, 10)

        def forward(self, x):
            x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.max_pool2d(torch.relu(self.conv2(x)), 2).flatten(1)
            return self.fc3(torch.relu(self.fc2(torch.relu(self.fc1(x)))))

    x = fashion_images()
    neuronet.manual_seed(3)
    ours = build_model("lenet5", (1, 28, 28), 10)
    save_state_dict(ours.state_dict(), tmp_path / "ours.safetensors")
    theirs = LeNet5()
    theirs.load_state_dict(load_file(tmp_path / "ours.safetensors"), strict=True)
    assert np.abs(torch_logits(theirs, x) - our_logits(ours, x)).max() <= 1e-5

    torch.manual_seed(4)
    theirs = LeNet5()
    save_file(theirs.state_dict(), str(tmp_path / "theirs.safetensors"))
    ours.load_state_dict(load_state_dict_file(tmp_path / "theirs.safetensors"))
    assert np.abs(torch_logits(theirs, x) - our_logits(ours, x)).max() <= 1e-5


def test_resnet18_both_ways(tmp_path):
    x = fashion_images(4)
    theirs = torch_resnet("basic", [2, 2, 2, 2], 10, 1).float()  # random batch-norm statistics
    save_file(theirs.state_dict(), str(tmp_path / "theirs.safetensors"))
    ours = resnet18(num_classes=10, in_channels=1)
    ours.load_state_dict(load_state_dict_file(tmp_path / "theirs.safetensors"))
    expected = torch_logits(theirs, x)
    difference = np.abs(our_logits(ours, x) - expected).max() / np.abs(expected).max()
    assert difference <= 1e-5, f"torch -> ours: relative logit difference {difference:.3g}"

    for p in ours.parameters():  # new weights on our side, then back to torch
        p.data *= 0.9
    save_state_dict(ours.state_dict(), tmp_path / "ours.safetensors")
    fresh = torch_resnet("basic", [2, 2, 2, 2], 10, 1).float()
    fresh.load_state_dict(load_file(tmp_path / "ours.safetensors"), strict=True)
    expected = our_logits(ours, x)
    difference = np.abs(torch_logits(fresh, x) - expected).max() / np.abs(expected).max()
    assert difference <= 1e-5, f"ours -> torch: relative logit difference {difference:.3g}"
