"""Indexing, gather, index_select, masked_fill: finite differences, torch oracle, errors."""

import numpy as np
import pytest

import neuronet as nt
from oracle import check_op, compare_with_torch, needs_torch, torch


def _as_torch(part):
    """The same index part for torch (NumPy arrays become tensors)."""
    if isinstance(part, np.ndarray):
        return needs_torch().from_numpy(part)
    if isinstance(part, tuple):
        return tuple(_as_torch(p) for p in part)
    return part


KEYS = [
    1,
    -1,
    (1, 2),
    slice(1, None),
    (slice(None, None, 2), slice(-3, -1)),
    (slice(-2, None), Ellipsis, slice(1, -1, 3)),
    (Ellipsis, 0),
    (None, slice(1, 3), None),
    (0, None, Ellipsis, None),
    [0, 2, 2, 0],
    (slice(None), [1, 1, 3]),
    (np.array([0, 2, 2]), np.array([1, 1, 1])),
    (np.array([[0, 1], [1, 1]]), slice(None), np.array([2, 2])),
    np.array([True, False, True]),
    np.array([[True, False, True, True], [False] * 4, [True] * 4]),
    (np.array([True, False, True]), 2),
    (Ellipsis, np.array([True, False, True, False, True])),
]


@pytest.mark.parametrize("key", KEYS, ids=[str(i) for i in range(len(KEYS))])
def test_getitem(key, rng):
    check_op(lambda x: x[key], lambda x: x[_as_torch(key)], [(3, 4, 5)], rng)


def test_getitem_negative_steps(rng):
    # torch refuses negative slice steps; ours allows them (NumPy's rule), checked against flip
    check_op(lambda x: x[::2, ::-1], lambda x: x[::2].flip(1), [(3, 4, 5)], rng)
    check_op(lambda x: x[-1:0:-2, ..., ::-3], lambda x: x.flip(0)[0:2:2].flip(-1)[..., ::3],
             [(3, 4, 6)], rng)


def test_getitem_with_tensor_indices(rng):
    idx = nt.tensor([2, 0, 2])
    mask = nt.tensor([True, False, True, True])
    check_op(lambda x: x[idx], lambda x: x[needs_torch().tensor([2, 0, 2])], [(3, 4)], rng)
    check_op(lambda x: x[:, mask], lambda x: x[:, needs_torch().tensor([True, False, True, True])],
             [(3, 4)], rng)
    check_op(lambda x: x[x > 0], lambda x: x[x > 0], [(3, 4)], rng)


def test_getitem_zero_d_and_size_one(rng):
    check_op(lambda x: x[()], lambda x: x[()], [()], rng)
    check_op(lambda x: x[None], lambda x: x[None], [()], rng)
    check_op(lambda x: x[0], lambda x: x[0], [(1,)], rng)
    check_op(lambda x: x[[0, 0, 0]], lambda x: x[[0, 0, 0]], [(1, 2)], rng)


def test_repeated_indices_accumulate():
    x = nt.tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[[0, 2, 0, 0]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3, 0, 1])


def test_cross_entropy_style_pick(rng):
    th = needs_torch() if torch is not None else None
    target = np.array([2, 0, 1, 2, 2])
    rows = np.arange(5)
    check_op(lambda x: x[rows, target], lambda x: x[th.arange(5), th.tensor(target)],
             [(5, 3)], rng)


def test_basic_index_is_a_view():
    x = nt.randn(4, 5)
    assert np.shares_memory(x[1:, ::2].data, x.data)
    assert np.shares_memory(x[None, ..., 0].data, x.data)


@pytest.mark.parametrize(
    "key,match",
    [
        (5, r"getitem: .*index 5 is out of bounds.*shape \(3, 4\)"),
        ((0, 0, 0), r"getitem: too many indices.*shape \(3, 4\)"),
        (np.array([0.5]), r"getitem: .*float64 array of shape \(1,\)"),
        (np.array([True, False]), r"getitem: .*boolean index"),
        ([0, 7], r"getitem: .*index 7"),
    ],
)
def test_getitem_errors(key, match):
    with pytest.raises(IndexError, match=match):
        nt.randn(3, 4)[key]


def test_normalize_key_converts_tensors_for_setitem():
    x = nt.zeros(3, 4)
    x[nt.tensor([0, 2]), 1:3] = 7.0
    x[nt.tensor([False, True, False])] = nt.ones(4)
    np.testing.assert_array_equal(x.data.sum(axis=1), [14, 4, 14])
    key = nt.ops.indexing.normalize_key((nt.tensor([1]), [0, 1], [], slice(None)))
    assert isinstance(key[0], np.ndarray) and isinstance(key[1], np.ndarray)
    assert key[2].dtype == np.int64 and key[3] == slice(None)


GATHERS = [
    ((3, 4), 1, (3, 2)),
    ((3, 4), 0, (5, 4)),
    ((3, 4), -1, (2, 3)),
    ((2, 3, 4), 1, (2, 6, 1)),
    ((2, 3, 4), 2, (1, 2, 4)),
    ((5,), 0, (8,)),
    ((1, 1), 0, (1, 1)),
    ((), 0, ()),
]


@pytest.mark.parametrize("shape,dim,index_shape", GATHERS)
def test_gather(shape, dim, index_shape, rng):
    size = shape[dim] if shape else 1
    index = rng.integers(0, size, size=index_shape)  # repeats likely: gradient must add up
    th = torch
    check_op(lambda x: x.gather(dim, nt.tensor(index)),
             lambda x: x.gather(dim, th.tensor(index)), [shape], rng)
    check_op(lambda x: nt.gather(x, dim, index), lambda x: th.gather(x, dim, th.tensor(index)),
             [shape], rng)


def test_gather_repeated_index_accumulates():
    x = nt.tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    x.gather(1, nt.tensor([[2, 2, 0, 2]])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1, 0, 3]])


@pytest.mark.parametrize(
    "index,match,error",
    [
        (np.array([[0.0]]), "gather: index must be an integer tensor", TypeError),
        (np.array([0]), "gather: index must have as many dims", ValueError),
        (np.zeros((4, 1), np.int64), "gather: index shape .* no larger than", ValueError),
        (np.array([[4]]), "gather: index 4 is out of bounds for dim 1 with size 4", IndexError),
        (np.array([[-1]]), "gather: index -1 is out of bounds", IndexError),
    ],
)
def test_gather_errors(index, match, error):
    with pytest.raises(error, match=match):
        nt.gather(nt.randn(3, 4), 1, index)


@pytest.mark.parametrize("shape,dim,index", [((4, 3), 0, [3, 0, 3, 3]), ((4, 3), -1, [2]),
                                             ((2, 3, 4), 1, [0, 2, 1, 0]), ((5,), 0, 4),
                                             ((3, 2), 0, [])])
def test_index_select(shape, dim, index, rng):
    th = torch
    idx = np.array(index, dtype=np.int64)
    check_op(lambda x: nt.index_select(x, dim, idx),
             lambda x: th.index_select(x, dim, th.tensor(idx)), [shape], rng)


def test_index_select_errors():
    x = nt.randn(3, 4)
    with pytest.raises(ValueError, match="index_select: index must be 1-d"):
        nt.index_select(x, 0, np.zeros((2, 2), np.int64))
    with pytest.raises(IndexError, match="index_select: index 3 is out of bounds for dim 0"):
        nt.index_select(x, 0, [0, 3])
    with pytest.raises(TypeError, match="index_select: index must be an integer"):
        nt.index_select(x, 0, [0.5])


@pytest.mark.parametrize("shape,mask_shape", [((3, 4), (3, 4)), ((3, 4), (4,)), ((3, 4), (3, 1)),
                                              ((4,), (2, 4))])
def test_masked_fill(shape, mask_shape, rng):
    mask = rng.random(mask_shape) < 0.5
    th = torch
    check_op(lambda x: nt.masked_fill(x, mask, -1.5),
             lambda x: x.masked_fill(th.tensor(mask), -1.5), [shape], rng)


def test_masked_fill_with_tensor_value_gets_gradient():
    th = needs_torch()
    mask = np.array([[True, False], [True, True]])
    compare_with_torch(lambda x, v: nt.masked_fill(x, nt.tensor(mask), v.sum()),
                       lambda x, v: x.masked_fill(th.tensor(mask), v.sum()),
                       [np.ones((2, 2)), np.array([0.5, 2.0])])


def test_masked_fill_keeps_float32_and_handles_infinity():
    x = nt.randn(2, 3)
    y = nt.masked_fill(x, x.data > 0, -np.inf)
    assert y.dtype == np.float32
    assert np.all((y.data == -np.inf) == (x.data > 0))


def test_masked_fill_errors():
    x = nt.randn(3, 4)
    with pytest.raises(TypeError, match="masked_fill: mask must be boolean"):
        nt.masked_fill(x, np.ones((3, 4), np.int64), 0.0)
    with pytest.raises(ValueError, match=r"masked_fill: mask of shape \(2,\) does not broadcast"):
        nt.masked_fill(x, np.ones(2, bool), 0.0)
    with pytest.raises(ValueError, match="masked_fill: value must be a 0-d tensor"):
        nt.masked_fill(x, x.data > 0, nt.ones(2))
