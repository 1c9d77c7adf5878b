"""Shape ops: finite differences and the torch oracle, views where NumPy allows, errors."""

import numpy as np
import pytest

import neuronet as nt
from oracle import check_op, compare_with_torch, needs_torch, torch


def F():
    return needs_torch().nn.functional


@pytest.mark.parametrize(
    "shape,new",
    [((2, 3, 4), (6, 4)), ((2, 3, 4), (-1,)), ((2, 3, 4), (4, -1, 2)), ((5,), (1, 5, 1)),
     ((), (1,)), ((1,), ()), ((3, 1), (3,))],
)
def test_reshape_and_view(shape, new, rng):
    if new:  # torch's reshape() with no sizes at all is an error
        check_op(lambda x: x.reshape(*new), lambda x: x.reshape(*new), [shape], rng)
    check_op(lambda x: x.view(new), lambda x: x.view(new), [shape], rng)
    check_op(lambda x: nt.reshape(x, new), lambda x: needs_torch().reshape(x, new), [shape], rng)


@pytest.mark.parametrize(
    "shape,start,end",
    [((2, 3, 4, 5), 0, -1), ((2, 3, 4, 5), 1, 2), ((2, 3, 4, 5), -3, -2), ((2, 3), 1, 1),
     ((), 0, -1), ((4,), 0, 0)],
)
def test_flatten(shape, start, end, rng):
    f = lambda x: x.flatten(start, end)
    check_op(f, f, [shape], rng)


@pytest.mark.parametrize(
    "shape,dim",
    [((1, 3, 1, 2), None), ((1, 3, 1, 2), 0), ((1, 3, 1, 2), -2), ((1, 3, 1, 2), 1),
     ((1, 3, 1, 2), (0, 2)), ((1, 3, 1, 2), (0, 1)), ((), None), ((1,), 0)],
)
def test_squeeze(shape, dim, rng):
    f = (lambda x: x.squeeze()) if dim is None else (lambda x: x.squeeze(dim))
    check_op(f, f, [shape], rng)


@pytest.mark.parametrize("shape,dim", [((2, 3), 0), ((2, 3), 2), ((2, 3), -1), ((2, 3), -3),
                                       ((), 0), ((), -1)])
def test_unsqueeze(shape, dim, rng):
    check_op(lambda x: x.unsqueeze(dim), lambda x: x.unsqueeze(dim), [shape], rng)


@pytest.mark.parametrize(
    "shape,dims",
    [((2, 3, 4), (2, 0, 1)), ((2, 3, 4), (-1, -3, -2)), ((2, 3), (1, 0)), ((5,), (0,)),
     ((2, 1, 3, 2), (3, 1, 0, 2))],
)
def test_permute(shape, dims, rng):
    check_op(lambda x: x.permute(*dims), lambda x: x.permute(*dims), [shape], rng)
    check_op(lambda x: x.permute(dims), lambda x: x.permute(dims), [shape], rng)


@pytest.mark.parametrize("shape,d0,d1", [((2, 3, 4), 0, 2), ((2, 3, 4), -1, 1), ((3, 4), 0, 0),
                                         ((), 0, -1)])
def test_transpose_and_T(shape, d0, d1, rng):
    check_op(lambda x: x.transpose(d0, d1), lambda x: x.transpose(d0, d1), [shape], rng)
    if len(shape) == 2:
        check_op(lambda x: x.T, lambda x: x.T, [shape], rng)


@pytest.mark.parametrize(
    "shape,sizes",
    [((3, 1), (3, 4)), ((1,), (5,)), ((3,), (2, -1)), ((2, 1, 3), (4, 2, 5, -1)), ((), (2, 3)),
     ((1, 1), (1, 1))],
)
def test_expand(shape, sizes, rng):
    check_op(lambda x: x.expand(*sizes), lambda x: x.expand(*sizes), [shape], rng)


@pytest.mark.parametrize(
    "shapes,dim",
    [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 5)], 1), ([(2, 3, 4), (2, 3, 1)], -1),
     ([(1,)], 0), ([(0, 3), (2, 3)], 0)],
)
def test_cat(shapes, dim, rng):
    th = torch
    check_op(lambda *ts: nt.cat(ts, dim), lambda *ts: th.cat(ts, dim), shapes, rng)


@pytest.mark.parametrize("shapes,dim", [([(2, 3)] * 3, 0), ([(2, 3)] * 2, 2), ([(2, 3)] * 2, -1),
                                        ([(4,)], 1), ([()] * 3, 0)])
def test_stack(shapes, dim, rng):
    th = torch
    check_op(lambda *ts: nt.stack(ts, dim), lambda *ts: th.stack(ts, dim), shapes, rng)


@pytest.mark.parametrize(
    "shape,sections,dim",
    [((7, 3), 2, 0), ((7, 3), 3, -1), ((7, 3), [1, 4, 2], 0), ((2, 5), [5], 1),
     ((4, 6), [0, 6], 1), ((1,), 1, 0)],
)
def test_split(shape, sections, dim, rng):
    f = lambda x: x.split(sections, dim)
    check_op(f, f, [shape], rng)


def test_split_gradient_with_unused_pieces():
    # only the middle piece reaches the loss: the others' gradients are zero
    x = nt.tensor(np.arange(10.0), requires_grad=True)
    _, b, _ = nt.split(x, [3, 4, 3])
    (b * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 0, 0, 2, 2, 2, 2, 0, 0, 0])


@pytest.mark.parametrize("shape,chunks,dim", [((7, 3), 3, 0), ((6,), 4, 0), ((2, 9), 2, -1),
                                              ((5,), 5, 0), ((3,), 8, 0)])
def test_chunk(shape, chunks, dim, rng):
    f = lambda x: x.chunk(chunks, dim)
    check_op(f, f, [shape], rng)


def test_chunk_of_empty_gives_empty_pieces_like_torch():
    pieces = nt.zeros(0).chunk(3)
    assert len(pieces) == 3 and all(p.shape == (0,) for p in pieces)
    assert len(nt.zeros(0).split(2)) == 1


PADS = [
    ((2, 3, 5), (1, 2)),
    ((2, 3, 5), (2, 0, 1, 1)),
    ((2, 3, 4, 5), (1, 1, 2, 0)),
    ((1, 3, 4), (0, 3)),
    ((2, 4, 5), (-1, 2)),
    ((2, 4, 5), (2, -2, -1, 1)),
]


@pytest.mark.parametrize("shape,widths", PADS)
@pytest.mark.parametrize("mode", ["constant", "reflect", "replicate", "circular"])
def test_pad(mode, shape, widths, rng):
    f = lambda x: nt.pad(x, widths, mode=mode)
    check_op(f, lambda x: F().pad(x, widths, mode=mode), [shape], rng)


def test_pad_constant_value_and_crop_only(rng):
    check_op(lambda x: nt.pad(x, (1, 2, 0, 1), value=-3.5),
             lambda x: F().pad(x, (1, 2, 0, 1), value=-3.5), [(3, 4)], rng)
    check_op(lambda x: nt.pad(x, (-1, -2)), lambda x: F().pad(x, (-1, -2)), [(3, 4)], rng)
    check_op(lambda x: nt.pad(x, (1, 1, 1, 1, 1, 1)), lambda x: F().pad(x, (1, 1, 1, 1, 1, 1)),
             [(2, 3, 2)], rng)


def test_pad_works_on_any_rank_for_every_mode():
    # PyTorch limits the non-constant modes to certain ranks; ours does not
    x = nt.tensor([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(nt.pad(x, (2, 1), mode="reflect").data, [3, 2, 1, 2, 3, 2])
    np.testing.assert_array_equal(nt.pad(x, (1, 2), mode="replicate").data, [1, 1, 2, 3, 3, 3])
    np.testing.assert_array_equal(nt.pad(x, (1, 3), mode="circular").data, [3, 1, 2, 3, 1, 2, 3])


def test_views_share_memory():
    x = nt.randn(4, 6)
    for y in [x.reshape(3, 8), x.T, x.transpose(0, 1), x.unsqueeze(1), x.flatten(),
              x[:, :1].expand(4, 5), *x.split(2, dim=1), *x.chunk(2)]:
        assert np.shares_memory(y.data, x.data)


def test_dtype_is_kept():
    x = nt.randn(2, 3, requires_grad=True)
    outs = [x.reshape(6), x.permute(1, 0), nt.cat([x, x]), nt.stack([x, x]), nt.pad(x, (1, 1)),
            nt.pad(x, (1, 1), mode="reflect"), x.expand(2, 2, 3), *x.split(1)]
    total = sum(o.sum() for o in outs)
    assert all(o.dtype == np.float32 for o in outs)
    total.backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "call,error,match",
    [
        (lambda x: x.reshape(4, -1), ValueError, r"reshape: shape \(4, -1\) is invalid"),
        (lambda x: x.reshape(-1, -1), ValueError, "reshape: invalid shape"),
        (lambda x: x.reshape(2.0, 3), TypeError, "reshape: sizes must be ints"),
        (lambda x: x[:0].reshape(-1, 0), ValueError, "reshape: cannot infer -1"),
        (lambda x: x.flatten(1, 0), ValueError, "flatten: start_dim 1 comes after"),
        (lambda x: x.permute(0, 0), ValueError, "permute: dims .* repeat"),
        (lambda x: x.permute(1, 0, 2), ValueError, "permute: got 3 dims"),
        (lambda x: x.transpose(0, 2), IndexError, "transpose: dim 2 is out of range"),
        (lambda x: x.unsqueeze(3), IndexError, "unsqueeze: dim 3"),
        (lambda x: x.squeeze(2), IndexError, "squeeze: dim 2"),
        (lambda x: x.expand(2, 4), ValueError, r"expand: cannot expand shape \(2, 3\)"),
        (lambda x: x.expand(3), ValueError, "expand: 1 sizes"),
        (lambda x: x.expand(-1, 2, 3), ValueError, "expand: -1 is not allowed"),
        (lambda x: nt.cat([x, x.T]), ValueError, "cat: sizes must match except in dim 0"),
        (lambda x: nt.cat([x, x[0]]), ValueError, "cat: tensors must have the same number"),
        (lambda x: nt.cat([]), TypeError, "cat: expected a non-empty list"),
        (lambda x: nt.cat(x), TypeError, "cat: expected a non-empty list"),
        (lambda x: nt.cat([x[0, 0]]), ValueError, "cat: zero-dimensional"),
        (lambda x: nt.stack([x, x[:1]]), ValueError, "stack: all tensors must have the same"),
        (lambda x: nt.stack([x], 3), IndexError, "stack: dim 3"),
        (lambda x: x.split(0), ValueError, "split: split_size must be positive"),
        (lambda x: x.split([1, 2]), ValueError, "split: sizes .* add up to 2"),
        (lambda x: x[0, 0].split(1), ValueError, "split: cannot split a 0-d"),
        (lambda x: x.chunk(0), ValueError, "chunk: chunks must be positive"),
        (lambda x: nt.pad(x, (1,)), ValueError, "pad: the pad tuple needs an even length"),
        (lambda x: nt.pad(x, (1,) * 6), ValueError, "pad: the pad tuple"),
        (lambda x: nt.pad(x, (1, 1), mode="wrap"), ValueError, "pad: unknown mode 'wrap'"),
        (lambda x: nt.pad(x, (3, 0), mode="reflect"), ValueError, "pad: padding .* too large"),
        (lambda x: nt.pad(x, (4, 0), mode="circular"), ValueError, "pad: padding .* too large"),
        (lambda x: nt.pad(x, (1, 1), mode="reflect", value=2), ValueError, "does not take a"),
        (lambda x: nt.pad(x, (-2, -2)), ValueError, "pad: cropping"),
    ],
)
def test_errors_name_the_op(call, error, match):
    with pytest.raises(error, match=match):
        call(nt.randn(2, 3))


def test_cat_promotes_dtypes_like_torch():
    th = needs_torch()
    a, b = np.ones((2, 2), np.float32), np.ones((1, 2))
    assert nt.cat([nt.tensor(a), nt.tensor(b, dtype=nt.float64)]).dtype == np.float64
    assert th.cat([th.tensor(a), th.tensor(b)]).dtype == th.float64


def test_cat_with_constant_inputs():
    x = nt.tensor([[1.0, 2.0]], requires_grad=True)
    y = nt.cat([x, nt.zeros(1, 2), x * 3])
    compare = np.array([[1, 2], [0, 0], [3, 6]])
    np.testing.assert_array_equal(y.data, compare)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[4, 4]])


def test_stack_and_cat_mixed_dims_oracle():
    th = needs_torch()
    arrays = [np.arange(6.0).reshape(2, 3), np.arange(6.0, 12.0).reshape(2, 3)]
    compare_with_torch(lambda a, b: nt.stack([a, b], 1).reshape(2, 6).sum(0),
                       lambda a, b: th.stack([a, b], 1).reshape(2, 6).sum(0), arrays)
