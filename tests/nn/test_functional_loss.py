"""Losses of neuronet.nn.functional: finite differences and the torch oracle for every option
combination that changes the math, numerical stability, and the errors for bad input."""

import itertools

import numpy as np
import pytest

import neuronet as nt
from neuronet.nn import functional as F
from oracle import check_gradients, compare_with_torch, needs_torch, torch

REDUCTIONS = ["mean", "sum", "none"]


def tf():
    return needs_torch().nn.functional


def check_loss(ours, theirs, arrays):
    """Finite differences on ours; the torch oracle (values and gradients) where available."""
    check_gradients(ours, arrays)
    if torch is not None:
        compare_with_torch(ours, theirs, arrays)


def both(array, dtype=np.float64):
    """A constant (class indices, weights) as a neuronet tensor and a torch tensor."""
    ours = nt.tensor(array, dtype=dtype)
    theirs = torch.tensor(array) if torch is not None else None
    return ours, theirs


# ----- elementwise losses ----------------------------------------------------------------------
POINTWISE = {
    "mse": (F.mse_loss, lambda: tf().mse_loss, {}),
    "l1": (F.l1_loss, lambda: tf().l1_loss, {}),
    "huber": (F.huber_loss, lambda: tf().huber_loss, {}),
    "huber_delta": (F.huber_loss, lambda: tf().huber_loss, {"delta": 0.4}),
    "smooth_l1": (F.smooth_l1_loss, lambda: tf().smooth_l1_loss, {}),
    "smooth_l1_beta": (F.smooth_l1_loss, lambda: tf().smooth_l1_loss, {"beta": 0.3}),
    "smooth_l1_beta0": (F.smooth_l1_loss, lambda: tf().smooth_l1_loss, {"beta": 0.0}),
}


@pytest.mark.parametrize("shape", [(3, 4), (1,), (2, 3, 5), (1, 1)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", sorted(POINTWISE))
def test_pointwise_losses(name, reduction, shape, rng):
    ours, theirs, kw = POINTWISE[name]
    arrays = [rng.uniform(-2, 2, shape), rng.uniform(-2, 2, shape)]  # input and target
    check_loss(lambda x, t: ours(x, t, reduction=reduction, **kw),
               lambda x, t: theirs()(x, t, reduction=reduction, **kw), arrays)


@pytest.mark.parametrize("shape", [(3, 4), (1,), (2, 1, 3)])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("name", ["mse", "l1", "huber_delta"])
def test_weighted_pointwise_losses(name, reduction, shape, rng):
    """torch 2.13's per-element weight: differentiable; 'mean' is sum(w l) / sum(w) for mse
    and l1 but mean(w l) for huber."""
    ours, theirs, kw = POINTWISE[name]
    arrays = [rng.uniform(-2, 2, shape), rng.uniform(-2, 2, shape), rng.uniform(0.1, 2, shape)]
    check_loss(lambda x, t, w: ours(x, t, reduction=reduction, weight=w, **kw),
               lambda x, t, w: theirs()(x, t, reduction=reduction, weight=w, **kw), arrays)


def test_pointwise_weight_shape_error():
    with pytest.raises(ValueError, match=(r"mse_loss: weight must have the input's shape \(3,\), "
                                          r"got \(1,\)")):
        F.mse_loss(nt.zeros(3), nt.zeros(3), weight=nt.ones(1))


def test_huber_is_delta_times_smooth_l1(rng):
    x, t = (nt.tensor(rng.uniform(-3, 3, (4, 5)), dtype=nt.float64) for _ in range(2))
    np.testing.assert_allclose(F.huber_loss(x, t, delta=0.7).item(),
                               0.7 * F.smooth_l1_loss(x, t, beta=0.7).item(), rtol=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(3, 4), (1,), (2, 1, 3)])
def test_binary_cross_entropy(shape, reduction, weighted, rng):
    w_ours, w_torch = both(rng.uniform(0.2, 2.0, shape[-1:])) if weighted else (None, None)
    arrays = [rng.uniform(0.05, 0.95, shape), rng.uniform(0, 1, shape)]
    check_loss(
        lambda p, t: F.binary_cross_entropy(p, t, w_ours, reduction=reduction),
        lambda p, t: tf().binary_cross_entropy(p, t, w_torch, reduction=reduction),
        arrays,
    )


def test_binary_cross_entropy_at_zero_and_one_is_clamped_like_torch():
    p = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 0.3])
    ours = nt.tensor(p, dtype=nt.float64, requires_grad=True)
    loss = F.binary_cross_entropy(ours, nt.tensor(t, dtype=nt.float64), reduction="none")
    assert np.all(np.isfinite(loss.data))
    np.testing.assert_allclose(loss.data[:2], [100.0, 100.0])
    if torch is not None:
        compare_with_torch(lambda x, y: F.binary_cross_entropy(x, y, reduction="none"),
                           lambda x, y: tf().binary_cross_entropy(x, y, reduction="none"), [p, t])


@pytest.mark.parametrize("weighted,pos_weighted", list(itertools.product([False, True], repeat=2)))
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(4, 3), (1, 1), (2, 3, 3)])
def test_binary_cross_entropy_with_logits(shape, reduction, weighted, pos_weighted, rng):
    w_ours, w_torch = both(rng.uniform(0.2, 2.0, shape)) if weighted else (None, None)
    pw_ours, pw_torch = both(rng.uniform(0.5, 3.0, shape[-1:])) if pos_weighted else (None, None)
    arrays = [rng.uniform(-3, 3, shape), rng.uniform(0, 1, shape)]
    check_loss(
        lambda x, t: F.binary_cross_entropy_with_logits(
            x, t, w_ours, reduction=reduction, pos_weight=pw_ours),
        lambda x, t: tf().binary_cross_entropy_with_logits(
            x, t, w_torch, reduction=reduction, pos_weight=pw_torch),
        arrays,
    )


@pytest.mark.parametrize("pos_weighted", [False, True])
def test_binary_cross_entropy_with_logits_extreme_logits(pos_weighted):
    x = np.array([-1e4, -1e4, 1e4, 1e4, 0.0])
    t = np.array([0.0, 1.0, 0.0, 1.0, 0.5])
    pw_ours, pw_torch = both(np.array([2.0])) if pos_weighted else (None, None)
    ours = nt.tensor(x, dtype=nt.float64, requires_grad=True)
    loss = F.binary_cross_entropy_with_logits(ours, nt.tensor(t, dtype=nt.float64),
                                              pos_weight=pw_ours)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(ours.grad.data))
    if torch is not None:
        compare_with_torch(
            lambda a, b: F.binary_cross_entropy_with_logits(a, b, reduction="none",
                                                            pos_weight=pw_ours),
            lambda a, b: tf().binary_cross_entropy_with_logits(a, b, reduction="none",
                                                              pos_weight=pw_torch),
            [x, t],
        )


# ----- cross entropy and nll ------------------------------------------------------------
CLASS_SHAPES = [(5, 4), (1, 3), (3, 4, 2), (2, 3, 2, 3), (4,)]


def class_target(shape, rng, ignore_index=None):
    """Random class indices for scores of `shape`; some set to ignore_index when given."""
    target_shape = shape[:1] + shape[2:] if len(shape) > 1 else ()
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    t = rng.integers(0, n_classes, target_shape)
    if ignore_index is not None:
        t.flat[::2] = ignore_index
        t.flat[-1] = 0  # keep one counted target (all ignored is tested on its own)
    return t


@pytest.mark.parametrize("ignore_index", [None, -100, 1])
@pytest.mark.parametrize("smoothing", [0.0, 0.25])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_cross_entropy_class_targets(shape, reduction, weighted, smoothing, ignore_index, rng):
    t_ours, t_torch = both(class_target(shape, rng, ignore_index), np.int64)
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    w_ours, w_torch = both(rng.uniform(0.2, 2.0, n_classes)) if weighted else (None, None)
    kw = {"reduction": reduction, "label_smoothing": smoothing,
              "ignore_index": -100 if ignore_index is None else ignore_index}
    check_loss(lambda x: F.cross_entropy(x, t_ours, w_ours, **kw),
               lambda x: tf().cross_entropy(x, t_torch, w_torch, **kw),
               [rng.uniform(-3, 3, shape)])


@pytest.mark.parametrize("smoothing", [0.0, 0.4])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_cross_entropy_probability_targets(shape, reduction, weighted, smoothing, rng):
    """Both the scores and the target probabilities are differentiable."""
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    w_ours, w_torch = both(rng.uniform(0.2, 2.0, n_classes)) if weighted else (None, None)
    class_axis = 1 if len(shape) > 1 else 0
    q = rng.random(shape)
    q /= q.sum(axis=class_axis, keepdims=True)
    kw = {"reduction": reduction, "label_smoothing": smoothing}
    check_loss(lambda x, p: F.cross_entropy(x, p, w_ours, **kw),
               lambda x, p: tf().cross_entropy(x, p, w_torch, **kw),
               [rng.uniform(-3, 3, shape), q])


@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_extreme_logits_finite_and_equal_to_torch(smoothing):
    x = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4], [0.0, 0.0, 1e4]])
    t = np.array([1, 0, 2, 2])
    t_ours, t_torch = both(t, np.int64)
    ours = nt.tensor(x, dtype=nt.float64, requires_grad=True)
    loss = F.cross_entropy(ours, t_ours, label_smoothing=smoothing)
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(ours.grad.data))
    if torch is not None:
        for reduction in REDUCTIONS:
            compare_with_torch(
                lambda a, r=reduction: F.cross_entropy(a, t_ours, reduction=r,
                                                       label_smoothing=smoothing),
                lambda a, r=reduction: tf().cross_entropy(a, t_torch, reduction=r,
                                                          label_smoothing=smoothing),
                [x],
            )


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_shift_invariance_and_zero_sum_gradient(weighted, smoothing, rng):
    """softmax ignores a constant added to a sample's scores, so the loss does not change and
    each sample's gradient sums to zero over the classes."""
    x = rng.uniform(-3, 3, (6, 5, 2))
    t = nt.tensor(rng.integers(0, 5, (6, 2)))
    w = nt.tensor(rng.uniform(0.5, 2, 5), dtype=nt.float64) if weighted else None
    ours = nt.tensor(x, dtype=nt.float64, requires_grad=True)
    loss = F.cross_entropy(ours, t, w, label_smoothing=smoothing)
    loss.backward()
    shifted = nt.tensor(x + rng.uniform(-50, 50, (6, 1, 2)), dtype=nt.float64)
    np.testing.assert_allclose(F.cross_entropy(shifted, t, w, label_smoothing=smoothing).item(),
                               loss.item(), rtol=1e-12)
    np.testing.assert_allclose(ours.grad.data.sum(axis=1), 0, atol=1e-15)


def test_cross_entropy_all_ignored_gives_nan_mean_and_zero_grad_like_torch():
    x = nt.tensor(np.ones((2, 3)), dtype=nt.float64, requires_grad=True)
    loss = F.cross_entropy(x, nt.tensor([-100, -100]))
    assert np.isnan(loss.item())
    loss.backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((2, 3)))
    if torch is not None:
        ref = tf().cross_entropy(torch.ones(2, 3, requires_grad=True), torch.tensor([-100, -100]))
        assert torch.isnan(ref)
    assert F.cross_entropy(x, nt.tensor([-100, -100]), reduction="sum").item() == 0


def test_cross_entropy_float32_and_uint8_labels(rng):
    x = nt.tensor(rng.standard_normal((6, 4)), requires_grad=True)
    loss = F.cross_entropy(x, nt.tensor(np.array([0, 3, 1, 1, 2, 0], dtype=np.uint8)))
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize("ignore_index", [None, -100, 2])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", CLASS_SHAPES)
def test_nll_loss(shape, reduction, weighted, ignore_index, rng):
    t_ours, t_torch = both(class_target(shape, rng, ignore_index), np.int64)
    n_classes = shape[1] if len(shape) > 1 else shape[0]
    w_ours, w_torch = both(rng.uniform(0.2, 2.0, n_classes)) if weighted else (None, None)
    kw = {"reduction": reduction, "ignore_index": -100 if ignore_index is None else ignore_index}
    check_loss(lambda x: F.nll_loss(x, t_ours, w_ours, **kw),
               lambda x: tf().nll_loss(x, t_torch, w_torch, **kw),
               [rng.uniform(-3, 0, shape)])


def test_cross_entropy_equals_nll_of_log_softmax(rng):
    x = nt.tensor(rng.standard_normal((5, 7)), dtype=nt.float64)
    t = nt.tensor(rng.integers(0, 7, 5))
    np.testing.assert_allclose(F.cross_entropy(x, t).item(),
                               F.nll_loss(F.log_softmax(x, 1), t).item(), rtol=1e-13)


# ----- multi margin ------------------------------------------------------------------------
@pytest.mark.parametrize("p,margin", [(1, 1.0), (2, 1.0), (1, 0.3), (2, 2.5)])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("shape", [(5, 4), (1, 3), (6,)])
def test_multi_margin_loss(shape, reduction, weighted, p, margin, rng):
    t_ours, t_torch = both(class_target(shape, rng), np.int64)
    w_ours, w_torch = both(rng.uniform(0.2, 2.0, shape[-1])) if weighted else (None, None)
    kw = {"p": p, "margin": margin, "reduction": reduction}
    check_loss(lambda x: F.multi_margin_loss(x, t_ours, weight=w_ours, **kw),
               lambda x: tf().multi_margin_loss(x, t_torch, weight=w_torch, **kw),
               [rng.uniform(-1.5, 1.5, shape)])


# ----- bad input -----------------------------------------------------------------------------
def _x(*shape):
    return nt.zeros(*shape)


@pytest.mark.parametrize("loss", [
    lambda r: F.mse_loss(_x(3), _x(3), reduction=r),
    lambda r: F.l1_loss(_x(3), _x(3), reduction=r),
    lambda r: F.huber_loss(_x(3), _x(3), reduction=r),
    lambda r: F.smooth_l1_loss(_x(3), _x(3), reduction=r),
    lambda r: F.binary_cross_entropy(_x(3), _x(3), reduction=r),
    lambda r: F.binary_cross_entropy_with_logits(_x(3), _x(3), reduction=r),
    lambda r: F.cross_entropy(_x(2, 3), nt.tensor([0, 1]), reduction=r),
    lambda r: F.nll_loss(_x(2, 3), nt.tensor([0, 1]), reduction=r),
    lambda r: F.multi_margin_loss(_x(2, 3), nt.tensor([0, 1]), reduction=r),
])
def test_bad_reduction_lists_the_choices(loss):
    with pytest.raises(ValueError, match=("reduction must be one of 'mean', 'sum', 'none', got "
                                          "'avg'")):
        loss("avg")


@pytest.mark.parametrize("fn,name", [
    (F.mse_loss, "mse_loss"), (F.l1_loss, "l1_loss"), (F.huber_loss, "huber_loss"),
    (F.smooth_l1_loss, "smooth_l1_loss"), (F.binary_cross_entropy, "binary_cross_entropy"),
    (F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits"),
])
def test_pointwise_shape_and_dtype_errors(fn, name):
    with pytest.raises(ValueError, match=(rf"{name}: target must have the input's shape \(4, 3\), "
                                          rf"got \(4,\)")):
        fn(_x(4, 3), _x(4))
    with pytest.raises(TypeError, match=(f"{name}: target must have the input's dtype float32, "
                                         f"got int64")):
        fn(_x(3), nt.tensor([0, 1, 1]))
    with pytest.raises(TypeError, match=f"{name}: input must be a floating point tensor"):
        fn(nt.tensor([0, 1]), nt.tensor([0, 1]))


def test_binary_losses_argument_errors():
    with pytest.raises(ValueError, match=(r"binary_cross_entropy: input must hold probabilities "
                                          r"in \[0, 1\]")):
        F.binary_cross_entropy(nt.tensor([0.5, 1.5]), nt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=(r"binary_cross_entropy: weight of shape \(2,\) does not "
                                          r"broadcast")):
        F.binary_cross_entropy(_x(3), _x(3), nt.ones(2))
    with pytest.raises(ValueError, match="pos_weight of shape"):
        F.binary_cross_entropy_with_logits(_x(2, 3), _x(2, 3), pos_weight=nt.ones(2))
    with pytest.raises(TypeError, match="weight must have the input's dtype float32, got float64"):
        F.binary_cross_entropy_with_logits(_x(3), _x(3), nt.ones(3, dtype=nt.float64))
    with pytest.raises(ValueError, match="huber_loss: delta must be positive"):
        F.huber_loss(_x(3), _x(3), delta=0)
    with pytest.raises(ValueError, match="smooth_l1_loss: beta must be non-negative"):
        F.smooth_l1_loss(_x(3), _x(3), beta=-1)


@pytest.mark.parametrize("fn,name", [
    (F.cross_entropy, "cross_entropy"), (F.nll_loss, "nll_loss"),
    (F.multi_margin_loss, "multi_margin_loss"),
])
def test_class_target_errors(fn, name):
    with pytest.raises(ValueError, match=(rf"{name}: input of shape \(4, 3\) needs a target of "
                                          rf"shape \(4,\).*got \(3,\)")):
        fn(_x(4, 3), nt.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match=f"{name}: target 3 is out of range for 3 classes"):
        fn(_x(2, 3), nt.tensor([0, 3]))
    with pytest.raises(ValueError, match=f"{name}: target -1 is out of range"):
        fn(_x(2, 3), nt.tensor([-1, 0]))
    with pytest.raises(TypeError, match=f"{name}: .*integer tensor"):
        fn(_x(2, 3), nt.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match=(rf"{name}: weight must have one entry per class, shape "
                                          rf"\(3,\), got \(2,\)")):
        fn(_x(2, 3), nt.tensor([0, 1]), weight=nt.ones(2))
    with pytest.raises(TypeError, match=f"{name}: input must be a Tensor"):
        fn(np.zeros((2, 3)), nt.tensor([0, 1]))


def test_cross_entropy_specific_errors():
    with pytest.raises(ValueError, match="cross_entropy: label_smoothing must be in"):
        F.cross_entropy(_x(2, 3), nt.tensor([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match="ignore_index is not supported for probability targets"):
        F.cross_entropy(_x(2, 3), _x(2, 3), ignore_index=0)
    with pytest.raises(TypeError, match="probability target must have the input's dtype"):
        F.cross_entropy(_x(2, 3), nt.zeros(2, 3, dtype=nt.float64))
    with pytest.raises(TypeError, match=(r"cross_entropy: a float target holds class "
                                         r"probabilities and must have the input's shape \(2, "
                                         r"3\), got \(3, 2\)")):
        F.cross_entropy(_x(2, 3), _x(3, 2))
    with pytest.raises(TypeError, match=("nll_loss: class-index target must be an integer tensor, "
                                         "got dtype float32")):
        F.nll_loss(_x(2, 3), _x(2))
    with pytest.raises(ValueError, match="cross_entropy: input needs a class axis"):
        F.cross_entropy(nt.tensor(1.0), nt.tensor(0))
    with pytest.raises(ValueError, match="multi_margin_loss: p must be 1 or 2, got 3"):
        F.multi_margin_loss(_x(2, 3), nt.tensor([0, 1]), p=3)
    with pytest.raises(ValueError, match=r"multi_margin_loss: input must be a non-empty \(N, C\)"):
        F.multi_margin_loss(_x(2, 3, 4), nt.tensor([[0, 1, 1, 1]] * 2))
