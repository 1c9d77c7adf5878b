"""Module machinery: registration, iteration, state_dict keys vs torch, load_state_dict,
modes, gradients, dtypes, hooks, containers and reprs."""

import collections
import copy

import numpy as np
import pytest

import neuronet
from neuronet import nn
from oracle import needs_torch


class Block(nn.Module):
    """Parameters, a buffer, a non-persistent buffer and children, declared out of order."""

    def __init__(self):
        super().__init__()
        self.scale = nn.Parameter(neuronet.ones(3))
        self.fc = nn.Linear(3, 4)
        self.register_buffer("steps", neuronet.zeros(()))
        self.register_buffer("cache", neuronet.zeros(2), persistent=False)
        self.norm = nn.BatchNorm1d(4)
        self.offset = nn.Parameter(neuronet.zeros(4))

    def forward(self, x):
        return self.norm(self.fc(x * self.scale)) + self.offset


def torch_block(torch):
    class TorchBlock(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.scale = torch.nn.Parameter(torch.ones(3))
            self.fc = torch.nn.Linear(3, 4)
            self.register_buffer("steps", torch.zeros(()))
            self.register_buffer("cache", torch.zeros(2), persistent=False)
            self.norm = torch.nn.BatchNorm1d(4)
            self.offset = torch.nn.Parameter(torch.zeros(4))

    return TorchBlock()


def shapes(state):
    return [(k, tuple(v.shape)) for k, v in state.items()]


# ----- Parameter --------------------------------------------------------------------------
def test_parameter_is_a_leaf_tensor_that_requires_grad_and_shares_data():
    t = neuronet.ones(2, 3)
    p = nn.Parameter(t)
    assert isinstance(p, neuronet.Tensor) and p.requires_grad and p.is_leaf
    assert p.data is t.data
    assert repr(p).startswith("Parameter containing:\ntensor(")
    assert type(p * 2) is neuronet.Tensor
    assert nn.Parameter(t, requires_grad=False).requires_grad is False
    assert nn.Parameter().shape == (0,)
    array = np.zeros(3, dtype=np.float64)
    from_array = nn.Parameter(array)
    assert from_array.data is array and from_array.dtype == np.float64
    assert nn.Parameter([1.0, 2.0]).dtype == np.float32


def test_parameter_refuses_integer_data_with_grad():
    with pytest.raises(TypeError, match="floating point"):
        nn.Parameter(neuronet.tensor([1, 2]))


# ----- registration and iteration ---------------------------------------------------------
def test_registration_order_and_state_dict_keys_match_torch():
    torch = needs_torch()
    ours, theirs = Block(), torch_block(torch)
    assert shapes(ours.state_dict()) == shapes(theirs.state_dict())
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == ["fc", "norm"]
    assert "cache" not in ours.state_dict()


@pytest.mark.parametrize(
    "build",
    [
        lambda nn: nn.Sequential(
            nn.Flatten(),
            nn.Linear(6, 5),
            nn.ReLU(),
            nn.BatchNorm1d(5),
            nn.Dropout(0.2),
            nn.Linear(5, 2, bias=False),
        ),
        lambda nn: nn.Sequential(
            collections.OrderedDict(
                [("hidden", nn.Linear(3, 4)), ("norm", nn.LayerNorm(4)), ("act", nn.Tanh())]
            )
        ),
        lambda nn: nn.ModuleDict(
            {
                "a": nn.ModuleList([nn.Linear(2, 2), nn.BatchNorm1d(2, affine=False)]),
                "b": nn.LayerNorm((2, 3), elementwise_affine=False),
            }
        ),
        lambda nn: nn.BatchNorm1d(3, track_running_stats=False),
        lambda nn: nn.Linear(3, 2, bias=False),
    ],
)
def test_container_state_dict_keys_and_shapes_match_torch(build):
    torch = needs_torch()
    assert shapes(build(nn).state_dict()) == shapes(build(torch.nn).state_dict())


def test_weighted_loss_registers_weight_as_buffer_like_torch():
    torch = needs_torch()
    ours = nn.BCEWithLogitsLoss(weight=neuronet.ones(3), pos_weight=neuronet.ones(3))
    theirs = torch.nn.BCEWithLogitsLoss(weight=torch.ones(3), pos_weight=torch.ones(3))
    assert shapes(ours.state_dict()) == shapes(theirs.state_dict())


def test_shared_parameter_is_listed_once_but_saved_under_both_names():
    torch = needs_torch()
    for lib in (nn, torch.nn):
        first = lib.Linear(3, 3)
        model = lib.Sequential(first, lib.ReLU(), first)
        assert len(list(model.parameters())) == 2
        assert list(model.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]
        assert len(list(model.modules())) == 3


def test_iteration_options_match_torch():
    torch = needs_torch()
    ours, theirs = Block(), torch_block(torch)
    for kw in ({"recurse": False}, {"prefix": "block"}, {"remove_duplicate": False}):
        assert [n for n, _ in ours.named_parameters(**kw)] == [
            n for n, _ in theirs.named_parameters(**kw)
        ]
        assert [n for n, _ in ours.named_buffers(**kw)] == [
            n for n, _ in theirs.named_buffers(**kw)
        ]
    assert len(list(ours.parameters(recurse=False))) == 2
    assert [b.shape for b in ours.buffers(recurse=False)] == [(), (2,)]


def test_reassignment_moves_an_attribute_between_kinds():
    m = nn.Module()
    m.x = 5
    m.x = nn.Parameter(neuronet.zeros(2))
    assert "x" in m._parameters and "x" not in m.__dict__
    m.x = nn.Linear(1, 1)
    assert "x" in m._modules and "x" not in m._parameters
    del m.x
    assert not hasattr(m, "x")
    m.register_buffer("b", neuronet.zeros(1))
    m.b = neuronet.ones(1)  # plain tensors may replace buffers
    assert m.b.data[0] == 1 and "b" in m._buffers


def test_registration_errors_are_clear():
    m = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="as parameter 'weight'"):
        m.weight = neuronet.ones(2, 2)
    with pytest.raises(KeyError, match="must not be empty"):
        m.register_buffer("a.b", neuronet.zeros(1))
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("forward", neuronet.zeros(1))
    with pytest.raises(TypeError, match="buffer 'b'"):
        m.register_buffer("b", np.zeros(1))
    with pytest.raises(TypeError, match="is not a Module"):
        nn.Sequential(nn.ReLU()).insert(0, "relu")
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        _ = m.nope

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(neuronet.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()


def test_forward_missing_is_reported():
    with pytest.raises(
        NotImplementedError, match='Module \\[Module\\] is missing the required "forward"'
    ):
        nn.Module()(1)


def test_get_submodule():
    model = nn.Sequential(nn.Sequential(nn.Linear(1, 2)), nn.ReLU())
    assert model.get_submodule("0.0") is model[0][0]
    with pytest.raises(AttributeError, match="no submodule '5'"):
        model.get_submodule("0.5")


# ----- load_state_dict --------------------------------------------------------------------
def test_load_state_dict_from_numpy_copies_in_place():
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    weight = m[0].weight
    values = {
        k: np.full(v.shape, i, dtype=np.float64) for i, (k, v) in enumerate(m.state_dict().items())
    }
    result = m.load_state_dict(values)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert m[0].weight is weight and weight.dtype == np.float32
    assert np.all(weight.data == 0) and np.all(m[1].running_var.data == 5)
    assert m[1].num_batches_tracked.dtype == np.int64 and m[1].num_batches_tracked.item() == 6


def test_load_state_dict_lists_every_problem_and_changes_nothing():
    m = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    before = {k: v.data.copy() for k, v in m.state_dict().items()}
    bad = {
        "0.weight": np.zeros((2, 3)),
        "0.bias": np.zeros(3),
        "1.weight": np.zeros((2, 1)),
        "extra": np.zeros(1),
        "2.bias": np.zeros(1),
    }
    with pytest.raises(nn.StateDictError) as info:
        m.load_state_dict(bad)
    text = str(info.value)
    assert "Sequential" in text and "nothing was loaded" in text
    assert "missing keys: 1.bias" in text
    assert "unexpected keys: extra, 2.bias" in text
    assert "0.bias: expected shape (2,), got (3,)" in text
    assert "1.weight: expected shape (1, 2), got (2, 1)" in text
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
    for k, v in m.state_dict().items():
        np.testing.assert_array_equal(v.data, before[k])


def test_load_state_dict_non_strict_returns_the_key_lists_but_still_checks_shapes():
    m = nn.Linear(3, 2)
    result = m.load_state_dict({"weight": np.ones((2, 3)), "other": np.ones(1)}, strict=False)
    assert result == (["bias"], ["other"])
    assert result.missing_keys == ["bias"] and np.all(m.weight.data == 1)
    with pytest.raises(nn.StateDictError, match="weight: expected shape"):
        m.load_state_dict({"weight": np.ones((3, 3))}, strict=False)


def test_load_state_dict_rejects_non_numeric_values():
    with pytest.raises(TypeError, match="key 'weight'"):
        nn.Linear(1, 1).load_state_dict({"weight": "abc", "bias": np.zeros(1)})
    with pytest.raises(TypeError, match="dict-like"):
        nn.Linear(1, 1).load_state_dict([1, 2])


def test_load_state_dict_accepts_torch_tensors_directly():
    torch = needs_torch()
    theirs = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3))
    ours = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    ours.load_state_dict(theirs.state_dict(keep_vars=True))
    for (k, a), b in zip(ours.state_dict().items(), theirs.state_dict().values()):
        np.testing.assert_array_equal(a.data, b.numpy(), err_msg=k)


def test_state_dict_shares_memory_and_is_detached():
    m = nn.Linear(2, 2)
    state = m.state_dict()
    assert state["weight"].data is m.weight.data and not state["weight"].requires_grad
    assert m.state_dict(keep_vars=True)["weight"] is m.weight
    assert isinstance(state, collections.OrderedDict)


# ----- modes, gradients, dtype ------------------------------------------------------------
def test_train_and_eval_reach_every_submodule():
    model = nn.Sequential(nn.Linear(2, 2), nn.Sequential(nn.Dropout(), nn.BatchNorm1d(2)))
    assert all(m.training for m in model.modules())
    assert model.eval() is model
    assert not any(m.training for m in model.modules())
    model[1].train()
    assert [m.training for m in model.modules()] == [False, False, True, True, True]
    with pytest.raises(ValueError, match="mode must be a bool"):
        model.train("no")


def test_zero_grad_to_none_or_to_zeros():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1))
    model(neuronet.ones(4, 3)).sum().backward()
    grad = model[0].weight.grad
    assert grad is not None and np.any(grad.data != 0)
    model.zero_grad(set_to_none=False)
    assert model[0].weight.grad is grad and np.all(grad.data == 0)
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_requires_grad_switches_all_parameters():
    model = nn.Sequential(nn.Linear(3, 2), nn.Linear(2, 1)).requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_to_float64_casts_in_place_keeping_the_same_parameters():
    model = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    params = list(model.parameters())
    model(neuronet.ones(4, 3)).sum().backward()
    before = model[0].weight.data.copy()
    assert model.to(neuronet.float64) is model
    assert list(model.parameters()) == params and all(
        a is b for a, b in zip(model.parameters(), params)
    )
    assert all(p.dtype == np.float64 and p.grad.dtype == np.float64 for p in params)
    assert model[1].running_mean.dtype == np.float64
    assert model[1].num_batches_tracked.dtype == np.int64  # integer buffers are kept
    np.testing.assert_array_equal(model[0].weight.data, before)
    assert model(neuronet.ones(4, 3, dtype="float64")).dtype == np.float64
    assert model.float()[0].weight.dtype == np.float32
    assert model.double()[0].bias.dtype == np.float64
    assert model.to("cpu") is model
    with pytest.raises(TypeError, match="floating point"):
        model.to(neuronet.int64)


def test_apply_visits_children_before_parent():
    model = nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU()))
    seen = []
    assert model.apply(lambda m: seen.append(type(m).__name__)) is model
    assert seen == ["Linear", "ReLU", "Sequential", "Sequential"]


def test_deepcopy_gives_independent_parameters():
    model = nn.Sequential(nn.Linear(2, 2))
    clone = copy.deepcopy(model)
    assert clone[0].weight is not model[0].weight
    np.testing.assert_array_equal(clone[0].weight.data, model[0].weight.data)
    clone[0].weight.data += 1
    assert not np.array_equal(clone[0].weight.data, model[0].weight.data)


# ----- hooks ------------------------------------------------------------------------------
def test_forward_hooks_see_and_may_replace_args_and_outputs():
    layer = nn.Identity()
    calls = []
    pre = layer.register_forward_pre_hook(lambda m, args: (args[0] * 2,))
    post = layer.register_forward_hook(
        lambda m, args, out: calls.append((args[0].item(), out.item()))
    )
    assert layer(neuronet.tensor(3.0)).item() == 6
    assert calls == [(6.0, 6.0)]
    replace = layer.register_forward_hook(lambda m, args, out: out + 1)
    assert layer(neuronet.tensor(1.0)).item() == 3
    for handle in (pre, post, replace):
        handle.remove()
    assert layer(neuronet.tensor(1.0)).item() == 1 and len(calls) == 2


# ----- containers -------------------------------------------------------------------------
def test_sequential_indexing_slicing_and_mutation():
    a, b, c = nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1)
    seq = nn.Sequential(a, b)
    assert seq.append(c) is seq and len(seq) == 3 and list(seq) == [a, b, c]
    assert seq[-1] is c and seq[0] is a
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail._modules) == ["1", "2"]
    with pytest.raises(IndexError, match="index 3 is out of range for length 3"):
        seq[3]
    seq[1] = nn.Tanh()
    assert isinstance(seq[1], nn.Tanh)
    del seq[0]
    assert list(seq._modules) == ["0", "1"] and seq[1] is c
    x = neuronet.ones(5, 2)
    np.testing.assert_allclose(seq(x).data, c(seq[0](x)).data)


def test_sequential_from_ordered_dict_keeps_names():
    seq = nn.Sequential(collections.OrderedDict([("fc", nn.Linear(1, 1)), ("act", nn.ReLU())]))
    assert list(seq.state_dict()) == ["fc.weight", "fc.bias"]
    assert isinstance(seq.act, nn.ReLU) and isinstance(seq[1], nn.ReLU)


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(1, 1) for _ in range(3)])
    layers += [nn.ReLU()]
    layers.insert(0, nn.Tanh())
    assert len(layers) == 5 and isinstance(layers[0], nn.Tanh) and isinstance(layers[-1], nn.ReLU)
    assert list(layers._modules) == [str(i) for i in range(5)]
    assert isinstance(layers[1:3], nn.ModuleList) and len(layers[1:3]) == 2
    assert len(list(layers.parameters())) == 6
    heads = nn.ModuleDict({"a": nn.Linear(1, 2)})
    heads["b"] = nn.Linear(2, 1)
    assert list(heads) == ["a", "b"] and "b" in heads and len(heads) == 2
    assert list(heads.state_dict()) == ["a.weight", "a.bias", "b.weight", "b.bias"]
    assert isinstance(heads.pop("a"), nn.Linear) and list(heads.keys()) == ["b"]


# ----- repr -------------------------------------------------------------------------------
def test_repr_matches_torch_for_nested_models():
    torch = needs_torch()

    def build(lib):
        return lib.Sequential(
            lib.Flatten(),
            lib.Linear(784, 256),
            lib.ReLU(),
            lib.LeakyReLU(0.2),
            lib.ELU(),
            lib.SELU(),
            lib.GELU(approximate="tanh"),
            lib.Softplus(),
            lib.Sigmoid(),
            lib.Tanh(),
            lib.BatchNorm1d(256, momentum=None),
            lib.LayerNorm(256, elementwise_affine=False),
            lib.Dropout(0.25),
            lib.Identity(),
            lib.Linear(256, 10, bias=False),
            lib.Softmax(dim=1),
            lib.LogSoftmax(1),
            lib.ModuleList([lib.ReLU(inplace=False)]),
            lib.ModuleDict({"loss": lib.MSELoss()}),
            lib.Sequential(),
        )

    assert repr(build(nn)) == repr(build(torch.nn))


def test_repr_of_leaf_layer():
    assert repr(nn.Linear(784, 256)) == "Linear(in_features=784, out_features=256, bias=True)"
