"""Layers on their own: construction, default initialization like torch's, shapes, modes
and the errors that name the layer. (Numbers against torch: test_modules_oracle.py.)"""

import math

import numpy as np
import pytest

import neuronet
from neuronet import nn
from oracle import needs_torch


# ----- Linear -----------------------------------------------------------------------------
def test_linear_parameters_shapes_and_dtypes():
    layer = nn.Linear(5, 3)
    assert layer.weight.shape == (3, 5) and layer.bias.shape == (3,)
    assert layer.weight.dtype == np.float32 and layer.weight.requires_grad
    assert nn.Linear(5, 3, dtype="float64").bias.dtype == np.float64
    no_bias = nn.Linear(5, 3, bias=False)
    assert no_bias.bias is None and list(no_bias.state_dict()) == ["weight"]
    assert repr(no_bias) == "Linear(in_features=5, out_features=3, bias=False)"
    assert layer(neuronet.ones(2, 4, 5)).shape == (2, 4, 3)
    assert layer(neuronet.ones(5)).shape == (3,)


def test_linear_default_init_has_torchs_bounds_and_spread():
    torch = needs_torch()
    n_in, n_out = 400, 300
    ours = nn.Linear(n_in, n_out)
    theirs = torch.nn.Linear(n_in, n_out)
    bound = 1 / math.sqrt(n_in)  # kaiming_uniform_(a=sqrt(5)) reduces to this bound
    for name in ("weight", "bias"):
        ours_values = getattr(ours, name).data.astype(np.float64)
        theirs_values = getattr(theirs, name).detach().numpy().astype(np.float64)
        assert np.abs(ours_values).max() <= bound * (1 + 1e-6)
        assert np.abs(theirs_values).max() <= bound * (1 + 1e-6)
    weight = ours.weight.data.astype(np.float64)
    assert weight.min() < -0.999 * bound and weight.max() > 0.999 * bound
    assert weight.std() == pytest.approx(bound / math.sqrt(3), rel=0.01)
    assert weight.std() == pytest.approx(float(theirs.weight.detach().std()), rel=0.02)


def test_linear_init_is_reproducible_with_manual_seed():
    neuronet.manual_seed(5)
    a = nn.Linear(4, 3)
    neuronet.manual_seed(5)
    b = nn.Linear(4, 3)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    np.testing.assert_array_equal(a.bias.data, b.bias.data)
    b.reset_parameters()
    assert not np.array_equal(a.weight.data, b.weight.data)


def test_linear_shape_error_names_the_layer():
    layer = nn.Linear(784, 256)
    with pytest.raises(ValueError) as info:
        layer(neuronet.zeros(32, 100))
    assert str(info.value) == (
        "Linear(in_features=784, out_features=256, bias=True): expected "
        "input with last dimension 784, got shape (32, 100)"
    )
    with pytest.raises(ValueError, match="at least 1 dimension"):
        layer(neuronet.tensor(1.0))
    with pytest.raises(
        TypeError, match="Linear\\(in_features=784.*expected a Tensor input, got ndarray"
    ):
        layer(np.zeros((1, 784)))
    with pytest.raises(ValueError, match="in_features must be a non-negative integer, got 2.5"):
        nn.Linear(2.5, 3)


def test_identity_returns_its_input():
    x = neuronet.ones(2)
    assert nn.Identity(54, unused="x")(x) is x


# ----- Flatten ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "shape,start,end",
    [
        ((2, 3, 4), 1, -1),
        ((2, 3, 4, 5), 1, 2),
        ((2, 3, 4), 0, -1),
        ((2, 3), 1, -1),
        ((2, 3, 4, 5), -3, -2),
        ((6,), 0, 0),
    ],
)
def test_flatten_shapes_match_torch(shape, start, end):
    torch = needs_torch()
    ours = nn.Flatten(start, end)(neuronet.zeros(*shape))
    assert ours.shape == tuple(torch.nn.Flatten(start, end)(torch.zeros(shape)).shape)


def test_flatten_errors_name_the_layer():
    with pytest.raises(
        ValueError,
        match="Flatten\\(start_dim=1, end_dim=-1\\): dimension 1 is out of range for input "
        "of shape \\(2,\\)",
    ):
        nn.Flatten()(neuronet.zeros(2))
    with pytest.raises(ValueError, match="start_dim comes after end_dim"):
        nn.Flatten(2, 1)(neuronet.zeros(2, 3, 4))


# ----- Dropout ----------------------------------------------------------------------------
def test_dropout_is_identity_in_eval_and_scales_in_training():
    layer = nn.Dropout(0.25)
    x = neuronet.ones(200, 500)
    out = layer(x).data
    kept = out != 0
    assert kept.mean() == pytest.approx(0.75, abs=0.01)
    np.testing.assert_allclose(out[kept], 1 / 0.75, rtol=1e-6)
    np.testing.assert_array_equal(layer.eval()(x).data, x.data)
    assert repr(layer) == "Dropout(p=0.25, inplace=False)"


@pytest.mark.parametrize("p", [-0.1, 1.5, "half"])
def test_dropout_rejects_bad_probability(p):
    with pytest.raises(ValueError, match="Dropout: probability p has to be between 0 and 1"):
        nn.Dropout(p)


# ----- normalization ----------------------------------------------------------------------
def test_batch_norm_state_and_counter():
    bn = nn.BatchNorm1d(3)
    assert [(k, v.shape, str(v.dtype)) for k, v in bn.state_dict().items()] == [
        ("weight", (3,), "float32"),
        ("bias", (3,), "float32"),
        ("running_mean", (3,), "float32"),
        ("running_var", (3,), "float32"),
        ("num_batches_tracked", (), "int64"),
    ]
    x = neuronet.randn(8, 3)
    bn(x)
    bn(x)
    assert bn.num_batches_tracked.item() == 2
    bn.eval()(x)
    assert bn.num_batches_tracked.item() == 2
    bn.reset_parameters()
    assert bn.num_batches_tracked.item() == 0 and np.all(bn.running_var.data == 1)


def test_batch_norm_options_register_none():
    bn = nn.BatchNorm1d(4, affine=False, track_running_stats=False)
    assert bn.weight is None and bn.running_mean is None and list(bn.state_dict()) == []
    assert bn.eval()(neuronet.randn(5, 4)).shape == (5, 4)  # batch statistics even in eval
    assert nn.BatchNorm1d(4, bias=False).bias is None


@pytest.mark.parametrize("shape", [(4,), (4, 5), (4, 3, 2, 2), (4, 2, 7)])
def test_batch_norm_input_errors_name_the_layer(shape):
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ValueError,
        match="BatchNorm1d\\(3, eps=1e-05.*\\): expected input of shape "
        "\\(N, 3\\) or \\(N, 3, L\\), got shape",
    ):
        bn(neuronet.zeros(*shape))


def test_batch_norm_needs_more_than_one_value_per_channel_in_training():
    bn = nn.BatchNorm1d(3)
    with pytest.raises(
        ValueError,
        match="BatchNorm1d\\(3, .*\\): expected more than 1 value per "
        "channel when training, got input of shape \\(1, 3\\)",
    ):
        bn(neuronet.zeros(1, 3))
    assert bn.num_batches_tracked.item() == 0
    assert bn.eval()(neuronet.zeros(1, 3)).shape == (1, 3)
    assert bn.train()(neuronet.randn(1, 3, 2)).shape == (1, 3, 2)


def test_softmax_modules_need_a_dim():
    with pytest.raises(TypeError, match="dim is required"):
        nn.Softmax()(neuronet.zeros(2, 3))
    with pytest.raises(TypeError, match="dim is required"):
        nn.LogSoftmax()(neuronet.zeros(2, 3))


def test_layer_norm_state_and_errors():
    ln = nn.LayerNorm((2, 3))
    assert ln.weight.shape == (2, 3) and np.all(ln.weight.data == 1) and np.all(ln.bias.data == 0)
    assert ln(neuronet.randn(4, 2, 3)).shape == (4, 2, 3)
    with pytest.raises(
        ValueError,
        match="LayerNorm\\(\\(2, 3\\), eps=1e-05, elementwise_affine=True, "
        "bias=True\\): expected input whose last dimensions are "
        "\\(2, 3\\), got shape \\(4, 3, 2\\)",
    ):
        ln(neuronet.zeros(4, 3, 2))
    with pytest.raises(ValueError, match="got shape \\(3,\\)"):
        ln(neuronet.zeros(3))
    assert list(nn.LayerNorm(4, elementwise_affine=False).state_dict()) == []
    assert list(nn.LayerNorm(4, bias=False).state_dict()) == ["weight"]


# ----- activations and losses -------------------------------------------------------------
def test_activation_argument_errors():
    with pytest.raises(ValueError, match="GELU: approximate must be 'none' or 'tanh', got 'fast'"):
        nn.GELU("fast")


def test_loss_argument_errors():
    with pytest.raises(
        ValueError, match="MSELoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'"
    ):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match="CrossEntropyLoss: reduction must be"):
        nn.CrossEntropyLoss(reduction=None)
    with pytest.raises(ValueError, match="MultiMarginLoss: only p = 1 and p = 2"):
        nn.MultiMarginLoss(p=3)
    with pytest.raises(TypeError, match="buffer 'weight'"):
        nn.NLLLoss(weight=[1.0, 2.0])


def test_losses_have_no_parameters_and_follow_dtype():
    loss = nn.CrossEntropyLoss(weight=neuronet.ones(3))
    assert list(loss.parameters()) == [] and list(loss.state_dict()) == ["weight"]
    assert loss.double().weight.dtype == np.float64
