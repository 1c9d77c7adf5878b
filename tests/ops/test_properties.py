"""Property tests (hypothesis) for broadcasting and shape algebra: laws that must hold for
every shape, not only the ones we thought of."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuronet as nt

# per test, not a global profile: other modules keep their own hypothesis settings
property_test = settings(max_examples=60, deadline=None)

shapes = hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=4)


def leaf(shape, seed=0):
    data = np.random.default_rng(seed).standard_normal(shape)
    return nt.tensor(data, dtype=nt.float64, requires_grad=True)


@property_test
@given(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=4, max_side=4))
def test_broadcast_gradient_has_input_shapes_and_counts_copies(bs):
    (sa, sb), out_shape = bs.input_shapes, bs.result_shape
    a, b = leaf(sa, 1), leaf(sb, 2)
    y = a + b * 2
    assert y.shape == out_shape
    y.sum().backward()
    assert a.grad.shape == sa and b.grad.shape == sb
    # each input element was copied size(out) / size(input) times
    np.testing.assert_allclose(a.grad.data, np.prod(out_shape) / max(np.prod(sa), 1))
    np.testing.assert_allclose(b.grad.data, 2 * np.prod(out_shape) / max(np.prod(sb), 1))


@property_test
@given(shapes, st.data())
def test_reshape_round_trip_and_gradient(shape, data):
    x = leaf(shape)
    n = int(np.prod(shape))
    middle = data.draw(st.sampled_from([(n,), (1, n, 1), (-1,), (n, 1)]))
    y = x.reshape(*middle).reshape(shape)
    np.testing.assert_array_equal(y.data, x.data)
    w = np.random.default_rng(3).standard_normal(shape)
    (y * nt.tensor(w, dtype=nt.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, w)


@property_test
@given(shapes, st.data())
def test_permute_then_inverse_is_identity(shape, data):
    dims = data.draw(st.permutations(range(len(shape))))
    x = leaf(shape)
    y = x.permute(*dims) if dims else x.permute(())
    assert y.shape == tuple(shape[d] for d in dims)
    back = y.permute(*np.argsort(dims).tolist()) if dims else y
    np.testing.assert_array_equal(back.data, x.data)
    w = np.random.default_rng(4).standard_normal(y.shape)
    (y * nt.tensor(w, dtype=nt.float64)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.transpose(w, np.argsort(dims)))


@property_test
@given(st.lists(st.integers(0, 4), min_size=1, max_size=4), hnp.array_shapes(min_dims=1,
       max_dims=3, max_side=3), st.data())
def test_cat_then_split_recovers_inputs_and_gradients(sizes, base, data):
    dim = data.draw(st.integers(-len(base), len(base) - 1))
    axis = dim % len(base)
    parts = []
    for i, n in enumerate(sizes):
        shape = list(base)
        shape[axis] = n
        parts.append(leaf(tuple(shape), i))
    pieces = nt.cat(parts, dim).split(sizes, dim)
    assert len(pieces) == len(parts)
    total = 0
    for i, (p, q) in enumerate(zip(parts, pieces)):
        np.testing.assert_array_equal(p.data, q.data)
        total = total + (q * (i + 1)).sum()
    total.backward()
    for i, p in enumerate(parts):
        np.testing.assert_array_equal(p.grad.data, np.full(p.shape, i + 1.0))


@property_test
@given(shapes, st.integers(1, 4), st.data())
def test_stack_then_index_recovers_inputs(shape, count, data):
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    xs = [leaf(shape, i) for i in range(count)]
    y = nt.stack(xs, dim)
    axis = dim % (len(shape) + 1)
    assert y.shape == shape[:axis] + (count,) + shape[axis:]
    for i, x in enumerate(xs):
        np.testing.assert_array_equal(np.take(y.data, i, axis), x.data)


@property_test
@given(shapes, st.data())
def test_squeeze_unsqueeze_round_trip(shape, data):
    x = leaf(shape)
    dim = data.draw(st.integers(-len(shape) - 1, len(shape)))
    y = x.unsqueeze(dim)
    assert y.ndim == x.ndim + 1 and y.shape[dim] == 1
    assert y.squeeze(dim).shape == x.shape
    assert x.squeeze().shape == tuple(n for n in shape if n != 1)


@property_test
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), st.data())
def test_pad_then_negative_pad_crops_back(shape, data):
    widths = data.draw(st.lists(st.integers(0, 3), min_size=2 * len(shape),
                                max_size=2 * len(shape)))
    mode = data.draw(st.sampled_from(["constant", "replicate"]))
    x = leaf(shape)
    y = nt.pad(nt.pad(x, widths, mode=mode), [-w for w in widths])
    np.testing.assert_array_equal(y.data, x.data)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones(shape))


@property_test
@given(shapes)
def test_padding_gradient_conserves_mass(shape):
    # every output element copies exactly one input element, so the gradient sums match
    x = leaf(shape)
    if x.ndim == 0:
        return
    widths = [min(2, n - 1) for n in reversed(shape) for _ in range(2)]  # last dim first
    for mode in ["reflect", "replicate", "circular"]:
        x.grad = None
        y = nt.pad(x, widths, mode=mode)
        y.sum().backward()
        assert np.isclose(x.grad.data.sum(), y.data.size)


@property_test
@given(shapes, st.data())
def test_reductions_agree_with_numpy_and_keepdim_shapes(shape, data):
    x = leaf(shape)
    dims = data.draw(st.sets(st.integers(0, max(len(shape) - 1, 0)), max_size=len(shape)))
    dim = tuple(sorted(dims)) if dims else None
    axis = dim if dim is not None else None
    for name, ref in [("sum", np.sum), ("mean", np.mean), ("amax", np.max), ("amin", np.min)]:
        out = getattr(x, name)(dim, keepdim=True)
        np.testing.assert_allclose(out.data, ref(x.data, axis=axis, keepdims=True))
        assert getattr(x, name)(dim).shape == ref(x.data, axis=axis).shape


@property_test
@given(shapes)
def test_max_gradient_sums_to_one(shape):
    x = leaf(shape)
    x.max().backward()
    assert np.isclose(x.grad.data.sum(), 1.0) and x.grad.data.max() == 1.0


@property_test
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), st.data())
def test_getitem_gradient_counts_how_often_each_element_is_picked(shape, data):
    x = leaf(shape)
    idx = data.draw(st.lists(st.integers(-shape[0], shape[0] - 1), max_size=6))
    y = x[np.array(idx, dtype=np.int64)] if idx else x[[]]
    y.sum().backward()
    counts = np.bincount(np.array(idx, dtype=np.int64) % shape[0], minlength=shape[0])
    expected = np.broadcast_to(counts.reshape((-1,) + (1,) * (len(shape) - 1)), shape)
    np.testing.assert_array_equal(x.grad.data, expected)


@property_test
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=5), st.integers(1, 6), st.data())
def test_chunk_pieces_cover_the_dim(shape, chunks, data):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = leaf(shape)
    pieces = x.chunk(chunks, dim)
    assert len(pieces) <= chunks
    assert sum(p.shape[dim] for p in pieces) == shape[dim]
    np.testing.assert_array_equal(nt.cat(pieces, dim).data, x.data)
