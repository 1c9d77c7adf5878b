"""Reductions: finite differences and the torch oracle over dims, keepdim, ties and edge cases."""

import numpy as np
import pytest

import neuronet as nt
from oracle import check_op, compare_with_torch, needs_torch, torch

# (shape, dim) pairs: all axes, one axis (negative too), several axes, 0-d and size-1 tensors
DIMS = [
    ((3, 4, 5), None),
    ((3, 4, 5), 1),
    ((3, 4, 5), -1),
    ((3, 4, 5), (0, 2)),
    ((2, 3), (-2, -1)),
    ((7,), 0),
    ((1, 1), 0),
    ((1,), None),
    ((), None),
    ((), 0),
]


def method(name, *args, **kwargs):
    """The same Tensor method call for both frameworks (they share names and arguments).
    `dim=None` reaches ours as is; torch, where some reductions refuse keepdim without a dim,
    gets the tuple of all dims instead (the same reduction)."""

    def call(x):
        kw = dict(kwargs)
        if "dim" in kw and kw["dim"] is None and not isinstance(x, nt.Tensor):
            kw["dim"] = tuple(range(x.ndim))
        return getattr(x, name)(*args, **kw)

    return call


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", DIMS)
@pytest.mark.parametrize("name", ["sum", "mean", "amax", "amin", "logsumexp"])
def test_reductions_over_dims(name, shape, dim, keepdim, rng):
    if name == "logsumexp" and dim is None:
        dim = tuple(range(len(shape))) or 0  # logsumexp needs a dim
    f = method(name, dim=dim, keepdim=keepdim)
    check_op(f, f, [shape], rng)


@pytest.mark.parametrize("correction", [0, 1, 2])
@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", [s for s in DIMS if s[0] not in [(), (1,), (1, 1)]])
@pytest.mark.parametrize("name", ["var", "std"])
def test_var_std(name, shape, dim, keepdim, correction, rng):
    f = method(name, dim=dim, keepdim=keepdim, correction=correction)
    check_op(f, f, [shape], rng)


def test_var_unbiased_spelling_and_zero_std_gradient():
    th = needs_torch()
    x = np.array([[1.0, 2.0, 4.0], [3.0, 3.0, 3.0]])  # second row: std 0, gradient 0
    compare_with_torch(
        lambda t: nt.var(t, 1, unbiased=False), lambda t: th.var(t, 1, unbiased=False), [x]
    )
    compare_with_torch(lambda t: t.std(1), lambda t: t.std(1), [x])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", [((3, 4, 5), 1), ((3, 4, 5), -1), ((6,), 0), ((), 0),
                                       ((1, 3), 0), ((2, 1), -1)])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_along_dim_values_and_indices(name, shape, dim, keepdim, rng):
    f = method(name, dim, keepdim=keepdim)
    check_op(f, f, [shape], rng)
    out = f(nt.randn(*shape))
    assert out.values is out[0] and out.indices.dtype == np.int64


@pytest.mark.parametrize("shape", [(3, 4, 5), (7,), (), (1, 1)])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_min_of_all(name, shape, rng):
    check_op(method(name), method(name), [shape], rng)


TIES = np.array([[1.0, 3.0, 3.0, -2.0], [2.0, 2.0, 0.0, 2.0], [-1.0, -1.0, -1.0, -1.0]])


@pytest.mark.parametrize(
    "f",
    [
        lambda t: t.max(),
        lambda t: t.min(),
        lambda t: t.max(1),
        lambda t: t.min(0, keepdim=True),
        lambda t: t.amax(1),
        lambda t: t.amin((0, 1)),
        lambda t: t.amax(),
    ],
    ids=["max-all", "min-all", "max-dim", "min-dim", "amax-dim", "amin-all", "amax-default"],
)
def test_ties_share_gradient_like_torch(f):
    # torch: max/min of all and amax/amin split evenly among ties, max/min(dim) go to the index
    compare_with_torch(f, f, [TIES])


def test_max_with_tensor_is_elementwise(rng):
    check_op(lambda a, b: a.max(b), lambda a, b: a.max(b), [(3, 4), (4,)], rng)
    check_op(lambda a, b: nt.min(a, b), lambda a, b: needs_torch().min(a, b), [(3, 1), (2,)], rng)


@pytest.mark.parametrize("dim", [0, 1, (0, 1)])
@pytest.mark.parametrize("value", [1e4, -1e4])
def test_logsumexp_is_stable_for_large_inputs(value, dim):
    x = np.array([[value, value - 1.0, 0.0], [-value, value, 2.0]])
    f = method("logsumexp", dim)
    compare_with_torch(f, f, [x])
    out = nt.tensor(x).logsumexp(1)
    assert out.dtype == np.float32 and np.all(np.isfinite(out.data))


def test_logsumexp_of_minus_infinity_is_minus_infinity():
    x = nt.tensor([[-np.inf, -np.inf], [0.0, -np.inf]])
    np.testing.assert_array_equal(x.logsumexp(1).data, [-np.inf, 0.0])


@pytest.mark.parametrize("keepdim", [False, True])
@pytest.mark.parametrize("shape,dim", [((3, 4, 5), None), ((3, 4, 5), 1), ((3, 4, 5), -1),
                                       ((6,), 0), ((), None), ((), 0), ((2, 1), 1)])
@pytest.mark.parametrize("name", ["argmax", "argmin"])
def test_argmax_argmin(name, shape, dim, keepdim, rng):
    th = needs_torch()
    x = rng.standard_normal(shape)
    x.reshape(-1)[:2] = x.max() + 1  # a tie: both frameworks pick the first
    ours = getattr(nt.tensor(x, requires_grad=True), name)(dim, keepdim=keepdim)
    theirs = getattr(th.tensor(x), name)(dim, keepdim=keepdim)
    assert ours.dtype == np.int64 and not ours.requires_grad
    np.testing.assert_array_equal(ours.data, theirs.numpy())
    assert ours.shape == tuple(theirs.shape)


@pytest.mark.parametrize("name", ["sum", "mean", "amax", "var", "std", "logsumexp"])
def test_float32_stays_float32(name):
    x = nt.randn(3, 4, requires_grad=True)
    y = getattr(x, name)(1)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_max_over_dim_sends_gradient_only_to_index():
    x = nt.tensor([[1.0, 5.0, 5.0], [7.0, 0.0, 7.0]], requires_grad=True)
    values, indices = x.max(dim=1)
    values.sum().backward()
    np.testing.assert_array_equal(indices.data, [1, 0])
    np.testing.assert_array_equal(x.grad.data, [[0, 1, 0], [1, 0, 0]])


def test_empty_inputs():
    assert nt.zeros(0, 3).sum(0).shape == (3,)
    assert nt.zeros(3, 0).amax(0).shape == (0,)
    np.testing.assert_array_equal(nt.zeros(2, 0).logsumexp(1).data, [-np.inf, -np.inf])


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda x: x.sum(3), IndexError, "sum: dim 3 is out of range"),
        (lambda x: x.mean(-4), IndexError, "mean: dim -4"),
        (lambda x: x.amax((1, -1)), ValueError, "amax: .* same axis twice"),
        (lambda x: x.max(1.5), TypeError, "max: dim must be an int"),
        (lambda x: x.argmax(5), IndexError, "argmax: dim 5"),
        (lambda x: x.long().mean(), TypeError, "mean: needs a floating point"),
        (lambda x: x.long().var(), TypeError, "var: needs a floating point"),
        (lambda x: x.long().logsumexp(0), TypeError, "logsumexp"),
        (lambda x: x[:, :0].max(1), IndexError, "max: reduction dim 1 has size 0"),
        (lambda x: x[:, :0].amin(1), IndexError, "amin: reduction dim 1 has size 0"),
        (lambda x: x[:0].max(), RuntimeError, "max: the tensor is empty"),
        (lambda x: x[:0].argmin(), RuntimeError, "argmin: the tensor is empty"),
    ],
)
def test_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call(nt.randn(2, 3))


@pytest.mark.skipif(torch is None, reason="needs torch")
def test_int_tensors_reduce_without_gradient():
    x = np.array([[3, 1, 4], [1, 5, 9]])
    ours, theirs = nt.tensor(x), needs_torch().tensor(x)
    for f in [method("sum", dim=1), method("amax", dim=0), lambda t: t.max(1).values]:
        np.testing.assert_array_equal(f(ours).data, f(theirs).numpy())
