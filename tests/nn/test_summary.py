"""nn.summary: rows, output shapes and parameter counts of a real forward pass; totals equal
sum(p.numel()) (and torch's count); the model is left untouched."""

import numpy as np
import pytest

from neuronet import nn
from neuronet.models import MLP
from oracle import needs_torch


def test_mlp_summary_rows_and_totals(capsys):
    model = MLP([784, 256, 128, 10])
    info = nn.summary(model, (2, 1, 28, 28))
    expected_total = sum(p.numel() for p in model.parameters())
    assert info.total_params == expected_total == 784 * 256 + 256 + 256 * 128 + 128 + 128 * 10 + 10
    assert info.trainable_params == expected_total
    assert [(r.name, r.type, r.depth, r.output_shape, r.num_params) for r in info.layers] == [
        ("", "MLP", 0, (2, 10), None),
        ("0", "Flatten", 1, (2, 784), 0),
        ("1", "Linear", 1, (2, 256), 784 * 256 + 256),
        ("2", "ReLU", 1, (2, 256), 0),
        ("3", "Linear", 1, (2, 128), 256 * 128 + 128),
        ("4", "ReLU", 1, (2, 128), 0),
        ("5", "Linear", 1, (2, 10), 128 * 10 + 10),
    ]
    printed = capsys.readouterr().out
    assert printed.strip() == str(info)
    assert "Total params: 235,146" in printed and "Trainable params: 235,146" in printed
    assert "  1 (Linear)" in printed and "(2, 256)" in printed and "200,960" in printed


def test_totals_equal_torch_parameter_count():
    torch = needs_torch()

    def build(lib):
        return lib.Sequential(
            lib.Linear(20, 30),
            lib.BatchNorm1d(30),
            lib.Tanh(),
            lib.LayerNorm(30),
            lib.Linear(30, 5, bias=False),
        )

    info = nn.summary(build(nn), (4, 20), print_summary=False)
    assert info.total_params == sum(p.numel() for p in build(torch.nn).parameters())


def test_nested_modules_shared_layers_and_frozen_parameters():
    shared = nn.Linear(4, 4)
    model = nn.Sequential(nn.Sequential(shared, nn.ReLU()), shared)
    model[0][1].requires_grad_(False)
    shared.bias.requires_grad_(False)
    info = nn.summary(model, (3, 4), print_summary=False)
    rows = [(r.name, r.depth, r.num_params) for r in info.layers]
    # the shared layer is counted once: its second call shows no parameter count
    assert rows == [("", 0, None), ("0", 1, None), ("0.0", 2, 20), ("0.1", 2, 0), ("0.0", 1, None)]
    assert info.total_params == 20 and info.trainable_params == 16
    assert "Non-trainable params: 4" in str(info)


def test_summary_leaves_the_model_as_it_was():
    model = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Dropout(0.5))
    model[2].eval()
    before = {k: v.data.copy() for k, v in model.state_dict().items()}
    nn.summary(model, (1, 3), print_summary=False)  # batch of 1: only works in eval mode
    assert [m.training for m in model.modules()] == [True, True, True, False]
    for key, value in model.state_dict().items():
        np.testing.assert_array_equal(value.data, before[key], err_msg=key)
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_summary_input_dtype_follows_the_model_or_the_argument():
    seen = []

    def record(module, args, out):
        seen.append(args[0].dtype)

    model = nn.Sequential(nn.Linear(2, 2)).double()
    model[0].register_forward_hook(record)
    nn.summary(model, (1, 2), print_summary=False)
    no_params = nn.Identity()
    no_params.register_forward_hook(record)
    nn.summary(no_params, (1, 2), print_summary=False)
    nn.summary(no_params, (1, 2), dtype="float64", print_summary=False)
    assert seen == [np.float64, np.float32, np.float64]


def test_summary_errors():
    with pytest.raises(ValueError, match="input_shape must be positive integers, got \\(0, 3\\)"):
        nn.summary(nn.Linear(3, 1), (0, 3))
    with pytest.raises(TypeError, match="expected a neuronet.nn.Module, got function"):
        nn.summary(lambda x: x, (1, 3))
    model = nn.Sequential(nn.Linear(3, 1))
    with pytest.raises(
        ValueError, match="expected input with last dimension 3, got shape \\(1, 4\\)"
    ):
        nn.summary(model, (1, 4))
    assert not model[0]._forward_hooks and model.training


def _torch_macs(torch_layer, shape):
    from torch.utils.flop_counter import FlopCounterMode

    torch = needs_torch()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        torch_layer(torch.zeros(shape))
    return counter.get_total_flops() // 2  # torch counts a multiply-accumulate as 2 FLOPs


@pytest.mark.parametrize("make, shape", [
    (lambda lib: lib.Linear(7, 5), (3, 4, 7)),
    (lambda lib: lib.Conv1d(6, 4, 3, stride=2, padding=1, groups=2), (2, 6, 11)),
    (lambda lib: lib.Conv2d(4, 6, (3, 2), stride=(2, 1), padding=2, dilation=(1, 2), groups=2),
     (2, 4, 9, 8)),
    (lambda lib: lib.Conv2d(3, 5, 3, padding="same", bias=False), (1, 3, 6, 7)),
    (lambda lib: lib.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     (2, 4, 5)),
    (lambda lib: lib.ConvTranspose2d(3, 4, (2, 3), stride=2, padding=(0, 1), dilation=2),
     (2, 3, 5, 6)),
])
def test_macs_equal_torch_flop_counter(make, shape):
    torch = needs_torch()
    info = nn.summary(make(nn), shape, print_summary=False)
    assert info.layers[0].macs == info.total_macs == _torch_macs(make(torch.nn), shape) > 0


def test_macs_by_hand_and_in_the_table():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.ConvTranspose2d(8, 2, 2, stride=2), nn.Flatten(),
                          nn.Linear(2 * 6 * 6, 10))
    info = nn.summary(model, (2, 3, 6, 6), print_summary=False)
    conv = 2 * 8 * 6 * 6 * (3 * 3 * 3)  # every output value: a 3x3x3 dot product
    transposed = 2 * 8 * 3 * 3 * (2 * 2 * 2)  # every input value times a 2x2 tap per output
    linear = 2 * 10 * 72
    assert [r.macs for r in info.layers] == [None, conv, None, None, transposed, None, linear]
    assert info.total_macs == conv + transposed + linear == 18_144
    table = str(info)
    assert "Total MACs: 18,144" in table
    assert table.splitlines()[0].split() == ["Layer", "(type)", "Output", "Shape", "Param", "#",
                                             "MACs"]
    assert table.splitlines()[2].split()[-2:] == ["--", "--"]  # the container: nothing counted
    assert "15,552" in table.splitlines()[3]  # the conv row


def test_a_layer_called_twice_costs_twice():
    shared = nn.Linear(4, 4)
    info = nn.summary(nn.Sequential(shared, nn.Tanh(), shared), (5, 4), print_summary=False)
    assert [r.macs for r in info.layers] == [None, 80, None, 80]
    assert info.total_macs == 160
