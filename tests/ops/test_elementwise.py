"""Elementwise ops: finite differences and the torch oracle, with broadcasting."""

import numpy as np
import pytest

import neuronet as nt
from oracle import check_op, compare_with_torch, needs_torch, ours_and_torch, torch

BINARY_SHAPES = [
    [(3, 4), (3, 4)],
    [(3, 4), (4,)],
    [(2, 1, 5), (3, 1)],
    [(1,), (2, 3)],
    [(1, 1), (1, 1)],
    [(), (2, 3)],
]


@pytest.mark.parametrize("shapes", BINARY_SHAPES)
@pytest.mark.parametrize(
    "op",
    [
        lambda a, b: a + b,
        lambda a, b: a - b,
        lambda a, b: a * b,
        lambda a, b: a / b,
        lambda a, b: b - a * a,
    ],
    ids=["add", "sub", "mul", "div", "mixed"],
)
def test_binary_arithmetic(op, shapes, rng):
    check_op(op, op, shapes, rng, positive=True)


@pytest.mark.parametrize("shapes", BINARY_SHAPES[:4])
def test_pow_tensor_exponent(shapes, rng):
    check_op(lambda a, b: a**b, lambda a, b: a**b, shapes, rng, positive=True)


@pytest.mark.parametrize("exponent", [2, 3, 0.5, -1.5, 0])
def test_pow_scalar_exponent(exponent, rng):
    check_op(lambda a: a**exponent, lambda a: a**exponent, [(4, 3)], rng, positive=True)


def test_rpow_and_scalars(rng):
    f = lambda a: 2.0**a + 3 * a - 1 / (a + 4) + (1 - a)
    check_op(f, f, [(5,)], rng)


@pytest.mark.parametrize(
    "name,positive",
    [("exp", False), ("log", True), ("sqrt", True), ("abs", False), ("tanh", False),
     ("sigmoid", False), ("relu", False), ("neg", False)],
)
@pytest.mark.parametrize("shape", [(7,), (2, 3, 4), (1, 1)])
def test_unary(name, positive, shape, rng):
    ours = getattr(nt, name)
    theirs = (lambda t: getattr(needs_torch(), name)(t)) if torch is not None else None
    check_op(ours, theirs, [shape], rng, positive=positive)


def test_clamp(rng):
    check_op(lambda x: x.clamp(-0.5, 0.7), lambda x: x.clamp(-0.5, 0.7), [(4, 5)], rng)
    check_op(lambda x: nt.clamp(x, min=0.1), lambda x: x.clamp(min=0.1), [(9,)], rng)
    check_op(lambda x: nt.clip(x, max=0.1), lambda x: x.clamp(max=0.1), [(9,)], rng)
    with pytest.raises(ValueError, match="clamp"):
        nt.clamp(nt.zeros(3), None, None)


@pytest.mark.parametrize("shapes", BINARY_SHAPES[:4])
def test_maximum_minimum(shapes, rng):
    check_op(nt.maximum, lambda a, b: needs_torch().maximum(a, b), shapes, rng)
    check_op(nt.minimum, lambda a, b: needs_torch().minimum(a, b), shapes, rng)


def test_maximum_ties_split_gradient_like_torch():
    th = needs_torch()
    a = np.array([1.0, 2.0, 3.0])
    b = np.array([1.0, 5.0, 3.0])
    compare_with_torch(nt.maximum, lambda x, y: th.maximum(x, y), [a, b])
    compare_with_torch(nt.minimum, lambda x, y: th.minimum(x, y), [a, b])


def test_where(rng):
    cond = rng.random((3, 4)) > 0.5
    check_op(
        lambda a, b: nt.where(cond, a, b),
        lambda a, b: needs_torch().where(needs_torch().tensor(cond), a, b),
        [(3, 4), (4,)],
        rng,
    )
    with pytest.raises(TypeError, match="where: condition must be boolean"):
        nt.where(nt.ones(3), nt.ones(3), nt.zeros(3))


def test_python_scalars_keep_float32():
    x = nt.ones(3, requires_grad=True)
    y = 2.5 * x + 1e-3 - x / 3.0 + x**2.0
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_sigmoid_tanh_extreme_logits_are_finite():
    x = nt.tensor([-1e4, -50.0, 0.0, 50.0, 1e4], dtype=nt.float64, requires_grad=True)
    y = nt.sigmoid(x)
    assert np.all(np.isfinite(y.data))
    np.testing.assert_allclose(y.data[[0, 2, 4]], [0.0, 0.5, 1.0])
    y.sum().backward()
    assert np.all(np.isfinite(x.grad.data))


def test_ndarray_on_the_left_dispatches_to_tensor():
    x = nt.ones(2, 3, requires_grad=True)
    y = np.full((2, 3), 2.0, dtype=np.float32) * x
    assert isinstance(y, nt.Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 3), 2.0))


def test_comparisons_give_bool_and_no_grad():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    m = x > 1.5
    assert m.dtype == np.bool_ and not m.requires_grad
    np.testing.assert_array_equal(m.data, [False, True, True])
    np.testing.assert_array_equal((x == 2.0).data, [False, True, False])


def test_cast_to_float64_and_back(rng):
    th = needs_torch()
    compare_with_torch(lambda a: (a.float() * 3).double(), lambda a: (a.float() * 3).double(),
                       [rng.standard_normal((3,))], rtol=1e-6)
    ours, _ = ours_and_torch([rng.standard_normal(2)])
    assert ours[0].long().dtype == np.int64 and th is not None


def test_relu_nan_and_zero_match_torch():
    # NaN stays NaN and passes its gradient through (torch masks by output <= 0); the gradient
    # at exactly 0 is 0
    th = needs_torch()
    x = np.array([np.nan, 0.0, -0.0, -1.5, 2.0, np.inf, -np.inf])
    g = np.arange(1.0, 8.0)
    ours = nt.tensor(x, requires_grad=True)
    y = nt.relu(ours)
    y.backward(nt.tensor(g))
    ref = th.tensor(x, requires_grad=True)
    y_ref = th.relu(ref)
    y_ref.backward(th.tensor(g))
    np.testing.assert_array_equal(y.data, y_ref.detach().numpy())
    np.testing.assert_array_equal(ours.grad.data, ref.grad.numpy())
