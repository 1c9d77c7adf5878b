"""neuronet.nn.utils against torch.nn.utils: gradient clipping (returned norms and clipped
gradients), L1/L2 penalties (values, gradients, relation to weight_decay), parameters as a
vector; and their errors."""

import math

import numpy as np
import pytest

import neuronet as nt
from neuronet import optim
from neuronet.nn import utils
from oracle import assert_close, check_gradients, compare_with_torch, needs_torch, torch

SHAPES = [(3, 4), (5,), (), (2, 1, 3)]


def params_with_grads(rng, dtype=np.float64, scale=1.0, skip=(1,)):
    """Our parameters and torch's, equal, with equal gradients (none for indices in skip)."""
    values = [rng.uniform(-1, 1, size=s) for s in SHAPES]
    grads = [scale * rng.standard_normal(s) for s in SHAPES]
    ours = [nt.tensor(v, dtype=dtype, requires_grad=True) for v in values]
    theirs = None
    if torch is not None:
        tdtype = torch.float64 if dtype == np.float64 else torch.float32
        theirs = [torch.tensor(v, dtype=tdtype, requires_grad=True) for v in values]
    for k, g in enumerate(grads):
        if k not in skip:
            ours[k].grad = nt.tensor(g, dtype=dtype)
            if theirs is not None:
                theirs[k].grad = torch.tensor(g, dtype=theirs[k].dtype)
    return ours, theirs


def assert_same_grads(ours, theirs, **tol):
    for k, (p, q) in enumerate(zip(ours, theirs)):
        assert (p.grad is None) == (q.grad is None)
        if p.grad is not None:
            assert p.grad.dtype == p.dtype
            assert_close(p.grad, q.grad, what=f"gradient {k}", **tol)


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, math.inf, -math.inf, 0, "inf"])
@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, rng):
    th = needs_torch()
    ours, theirs = params_with_grads(rng)
    before = [None if p.grad is None else p.grad.data.copy() for p in ours]
    norm_type = float(norm_type)
    total = utils.clip_grad_norm_(ours, max_norm, norm_type=norm_type)
    ref = th.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert isinstance(total, nt.Tensor) and total.shape == () and total.dtype == np.float64
    assert_close(total, ref, what="total norm")
    assert_same_grads(ours, theirs)
    changed = any(b is not None and not np.array_equal(b, p.grad.data)
                  for b, p in zip(before, ours))
    assert changed == (total.item() > max_norm)


def test_clip_grad_norm_float32_and_single_tensor(rng):
    th = needs_torch()
    ours, theirs = params_with_grads(rng, dtype=np.float32, scale=10.0)
    total = utils.clip_grad_norm_(ours, 1.0)
    ref = th.nn.utils.clip_grad_norm_(theirs, 1.0)
    assert total.dtype == np.float32
    assert_close(total, ref, rtol=1e-6)
    assert_same_grads(ours, theirs, rtol=1e-6, atol=1e-7)
    p = nt.tensor([3.0, 4.0], requires_grad=True)
    p.grad = nt.tensor([3.0, 4.0])
    assert utils.clip_grad_norm_(p, 1.0).item() == pytest.approx(5.0)
    np.testing.assert_allclose(p.grad.data, [3 / (5 + 1e-6), 4 / (5 + 1e-6)], rtol=1e-6)


def test_clip_grad_norm_without_gradients_returns_zero():
    p = nt.ones(3, requires_grad=True)
    total = utils.clip_grad_norm_([p], 1.0)
    assert total.item() == 0.0 and total.dtype == np.float32 and p.grad is None
    assert utils.clip_grad_norm_([], 1.0).item() == 0.0


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_norm_raises_or_propagates_like_torch(bad, rng):
    th = needs_torch()
    ours, theirs = params_with_grads(rng)
    ours[0].grad.data[1, 2] = bad
    theirs[0].grad[1, 2] = bad

    def assert_grads_equal():  # NaN and inf included
        for p, q in zip(ours, theirs):
            if p.grad is not None:
                np.testing.assert_array_equal(p.grad.data, q.grad.numpy())

    with pytest.raises(RuntimeError, match="total norm of order 2.0 .* is (nan|inf)"):
        utils.clip_grad_norm_(ours, 1.0, error_if_nonfinite=True)
    assert_grads_equal()  # nothing was changed by the failed call
    total = utils.clip_grad_norm_(ours, 1.0)
    ref = th.nn.utils.clip_grad_norm_(theirs, 1.0)
    np.testing.assert_array_equal(total.data, ref.numpy())
    assert_grads_equal()


def test_get_total_norm_and_clip_grads_with_norm_match_torch(rng):
    th = needs_torch()
    ours, theirs = params_with_grads(rng, skip=())
    total = utils.get_total_norm([p.grad for p in ours], 3.0)
    ref = th.nn.utils.get_total_norm([p.grad for p in theirs], 3.0)
    assert_close(total, ref)
    utils.clip_grads_with_norm_(ours, 0.7, total)
    th.nn.utils.clip_grads_with_norm_(theirs, 0.7, ref)
    assert_same_grads(ours, theirs)


@pytest.mark.parametrize("clip_value", [0.0, 0.3, 1.0, 10.0])
def test_clip_grad_value_matches_torch(clip_value, rng):
    th = needs_torch()
    ours, theirs = params_with_grads(rng)
    utils.clip_grad_value_(ours, clip_value)
    th.nn.utils.clip_grad_value_(theirs, clip_value)
    assert_same_grads(ours, theirs)
    assert max(np.abs(p.grad.data).max() for p in ours if p.grad is not None) <= clip_value


def test_clip_grad_value_single_tensor_float32():
    p = nt.zeros(4, requires_grad=True)
    p.grad = nt.tensor([-3.0, -0.1, 0.2, 7.0])
    utils.clip_grad_value_(p, 0.5)
    assert p.grad.dtype == np.float32
    np.testing.assert_array_equal(p.grad.data, np.float32([-0.5, -0.1, 0.2, 0.5]))


@pytest.mark.parametrize("call,error,match", [
    (lambda p: utils.clip_grad_norm_(p, -1.0), ValueError,
     r"clip_grads_with_norm_: max_norm must be in \[0, inf\), got -1.0"),
    (lambda p: utils.clip_grad_norm_(p, 1.0, norm_type="two"), TypeError,
     "norm_type must be a real number"),
    (lambda p: utils.clip_grad_norm_([p, 3.0], 1.0), TypeError,
     "clip_grad_norm_: expected Tensors, got float"),
    (lambda p: utils.clip_grad_value_(p, -0.5), ValueError,
     r"clip_grad_value_: clip_value must be in \[0, inf\), got -0.5"),
    (lambda p: utils.l2_penalty(p, weight=-1.0), ValueError, "l2_penalty: weight must be in"),
    (lambda p: utils.l1_penalty([p, "w"]), TypeError, "l1_penalty: expected Tensors, got str"),
    (lambda p: utils.vector_to_parameters(nt.zeros(5), [p]), ValueError,
     "vec has 5 entries but the parameters have 3 together"),
    (lambda p: utils.vector_to_parameters(nt.zeros((1, 3)), [p]), ValueError, "must be 1-D"),
    (lambda p: utils.vector_to_parameters(np.zeros(3), [p]), TypeError, "vec must be a Tensor"),
    (lambda p: utils.parameters_to_vector([]), ValueError, "got no parameters"),
])
def test_invalid_arguments(call, error, match):
    p = nt.ones(3, requires_grad=True)
    p.grad = nt.ones(3)
    with pytest.raises(error, match=match):
        call(p)


# ----- penalties -------------------------------------------------------------------------
def _torch_penalty(kind, weight):
    return lambda *ps: weight * sum((p.abs() if kind == "l1" else p * p).sum() for p in ps)


@pytest.mark.parametrize("kind", ["l1", "l2"])
@pytest.mark.parametrize("weight", [1.0, 0.03])
def test_penalties_value_and_gradient(kind, weight, rng):
    fn = utils.l1_penalty if kind == "l1" else utils.l2_penalty
    arrays = [rng.uniform(-2, 2, size=s) for s in SHAPES]
    ours = lambda *ps: fn(ps, weight=weight)
    check_gradients(ours, arrays)
    if torch is not None:
        compare_with_torch(ours, _torch_penalty(kind, weight), arrays)


def test_penalties_by_hand():
    w = nt.tensor([[1.0, -2.0], [0.0, 3.0]], requires_grad=True)
    b = nt.tensor([-0.5], requires_grad=True)
    assert utils.l1_penalty([w, b], weight=0.1).item() == pytest.approx(0.65)
    loss = utils.l2_penalty([w, b], weight=0.5)
    assert loss.shape == () and loss.item() == pytest.approx(0.5 * 14.25)
    loss.backward()
    np.testing.assert_allclose(w.grad.data, w.data)  # d(0.5 * w^2)/dw = w: no hidden 1/2
    assert utils.l2_penalty([]).item() == 0.0


def test_l2_penalty_at_half_lambda_equals_weight_decay():
    """SGD on loss + l2_penalty(weight=lam/2) follows torch's SGD(weight_decay=lam)."""
    th = needs_torch()
    rng = np.random.default_rng(7)
    x0 = rng.uniform(-1, 1, size=(4, 3))
    target = rng.uniform(-1, 1, size=(4, 3))
    ours = nt.tensor(x0, dtype=nt.float64, requires_grad=True)
    theirs = th.tensor(x0, requires_grad=True)
    opt = optim.SGD([ours], lr=0.1, momentum=0.9)
    topt = th.optim.SGD([theirs], lr=0.1, momentum=0.9, weight_decay=0.2)
    t_ours, t_theirs = nt.tensor(target, dtype=nt.float64), th.tensor(target)
    for _ in range(25):
        opt.zero_grad()
        topt.zero_grad()
        diff = ours - t_ours
        ((diff * diff).sum() + utils.l2_penalty([ours], weight=0.1)).backward()
        tdiff = theirs - t_theirs
        (tdiff * tdiff).sum().backward()
        opt.step()
        topt.step()
    assert_close(ours, theirs)


# ----- parameters as a vector ------------------------------------------------------------
def test_parameters_to_vector_matches_torch_with_gradients(rng):
    th = needs_torch()
    arrays = [rng.uniform(-1, 1, size=s) for s in SHAPES]
    check_gradients(lambda *ps: utils.parameters_to_vector(ps), arrays)
    compare_with_torch(lambda *ps: utils.parameters_to_vector(ps),
                       lambda *ps: th.nn.utils.parameters_to_vector(ps), arrays)


def test_vector_to_parameters_writes_values_like_torch(rng):
    th = needs_torch()
    ours, theirs = params_with_grads(rng, dtype=np.float32)
    vec = rng.standard_normal(sum(int(np.prod(s)) for s in SHAPES))
    utils.vector_to_parameters(nt.tensor(vec), ours)
    with th.no_grad():
        th.nn.utils.vector_to_parameters(th.tensor(vec, dtype=th.float32), theirs)
    for p, q in zip(ours, theirs):
        assert p.dtype == np.float32
        np.testing.assert_array_equal(p.data, q.detach().numpy())
    np.testing.assert_array_equal(utils.parameters_to_vector(ours).data, np.float32(vec))
