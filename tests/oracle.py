"""Helpers for proving ops right: finite differences and PyTorch as the oracle.

    check_op(lambda x, y: x * y, lambda x, y: x * y, [(3, 1), (4,)])

runs both sides in float64 on the same random inputs, compares the outputs and the gradients
for the same random upstream gradient, and also runs the finite-difference check on ours.
"""

import numpy as np
import pytest

import neuronet
from neuronet import nn
from neuronet.autograd.gradcheck import gradcheck

try:
    import torch

    torch.set_num_threads(1)
except ImportError:  # the oracle part is skipped where torch is missing
    torch = None

RTOL = 1e-10


def needs_torch():
    if torch is None:
        pytest.skip("PyTorch is not installed: oracle comparison skipped")
    return torch


def assert_close(ours, theirs, rtol=RTOL, atol=1e-12, what="value"):
    """Compare arrays with a readable 'ours vs torch' message."""
    ours = np.asarray(ours.detach().data if isinstance(ours, neuronet.Tensor) else ours)
    if torch is not None and isinstance(theirs, torch.Tensor):
        theirs = theirs.detach().numpy()
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape, f"{what}: shape ours {ours.shape} vs torch {theirs.shape}"
    if ours.size == 0:
        return
    err = np.abs(ours.astype(np.float64) - theirs.astype(np.float64))
    bound = atol + rtol * np.abs(theirs.astype(np.float64))
    if not np.all(err <= bound):
        i = np.unravel_index(int(np.argmax(err - bound)), ours.shape) if ours.ndim else ()
        raise AssertionError(
            f"{what}: ours {ours[i]!r} vs torch {theirs[i]!r} at {i} "
            f"(max abs err {err.max():.3g}, rtol {rtol:g})"
        )


def random_inputs(shapes, rng, positive=False, low=-2.0, high=2.0):
    arrays = []
    for s in shapes:
        a = rng.uniform(low, high, size=s)
        if positive:
            a = np.abs(a) + 0.1
        arrays.append(a)
    return arrays


def ours_and_torch(arrays, requires_grad=True):
    """float64 tensors of both frameworks holding the same values."""
    ours = [neuronet.tensor(a, dtype=neuronet.float64, requires_grad=requires_grad) for a in arrays]
    theirs = None
    if torch is not None:
        theirs = [torch.tensor(a, dtype=torch.float64, requires_grad=requires_grad) for a in arrays]
    return ours, theirs


def compare_with_torch(our_fn, torch_fn, arrays, rtol=RTOL, seed=0):
    """Same inputs through both; compare outputs, then gradients for one upstream gradient."""
    th = needs_torch()
    ours, theirs = ours_and_torch(arrays)
    out, ref = our_fn(*ours), torch_fn(*theirs)
    outs = out if isinstance(out, (tuple, list)) else (out,)
    refs = ref if isinstance(ref, (tuple, list)) else (ref,)
    assert len(outs) == len(refs)
    rng = np.random.default_rng(seed)
    total, ref_total = None, None
    for k, (o, r) in enumerate(zip(outs, refs)):
        assert_close(o, r, rtol, what=f"output {k}")
        if not r.requires_grad:
            continue
        up = rng.standard_normal(r.shape)
        term = (o * neuronet.tensor(up, dtype=neuronet.float64)).sum()
        ref_term = (r * th.tensor(up, dtype=th.float64)).sum()
        total = term if total is None else total + term
        ref_total = ref_term if ref_total is None else ref_total + ref_term
    if total is None:
        return
    total.backward()
    ref_total.backward()
    for k, (a, b) in enumerate(zip(ours, theirs)):
        if b.grad is None:
            assert a.grad is None or np.all(a.grad.data == 0), f"input {k}: torch has no grad"
            continue
        assert a.grad is not None, f"input {k}: ours has no gradient, torch has one"
        assert_close(a.grad, b.grad, rtol, atol=1e-10, what=f"gradient of input {k}")


def check_gradients(our_fn, arrays, rtol=1e-6):
    """Finite-difference check of our op on float64 copies of `arrays`."""
    ours, _ = ours_and_torch(arrays)
    return gradcheck(our_fn, ours, rtol=rtol)


def check_op(our_fn, torch_fn, shapes, rng=None, positive=False, rtol=RTOL):
    """Finite differences always; the torch oracle where torch is installed."""
    rng = rng or np.random.default_rng(0)
    arrays = random_inputs(shapes, rng, positive=positive)
    check_gradients(our_fn, arrays)
    if torch is not None:
        compare_with_torch(our_fn, torch_fn, arrays, rtol=rtol)


def twins(build):
    """The same structure in both frameworks, float64, torch's weights loaded into ours."""
    torch = needs_torch()
    theirs = build(torch.nn).double()
    ours = build(nn).double()
    ours.load_state_dict({k: v.numpy() for k, v in theirs.state_dict().items()})
    return ours, theirs


def step_both(ours, theirs, x, seed=0, what=""):
    """One forward and backward (random upstream gradient) through both; compare everything."""
    torch = needs_torch()
    ours.zero_grad()
    theirs.zero_grad()
    xo = neuronet.tensor(x, dtype="float64", requires_grad=True)
    xt = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    out, ref = ours(xo), theirs(xt)
    assert_close(out, ref, RTOL, what=f"{what} output")
    up = np.random.default_rng(seed).standard_normal(ref.shape)
    (out * neuronet.tensor(up, dtype="float64")).sum().backward()
    (ref * torch.tensor(up)).sum().backward()
    assert_close(xo.grad, xt.grad, RTOL, atol=1e-10, what=f"{what} input gradient")
    their_params = dict(theirs.named_parameters())
    assert [n for n, _ in ours.named_parameters()] == list(their_params)
    for name, param in ours.named_parameters():
        assert_close(
            param.grad, their_params[name].grad, RTOL, atol=1e-10, what=f"{what} gradient of {name}"
        )
    for (name, buf), ref_buf in zip(ours.state_dict().items(), theirs.state_dict().values()):
        assert_close(buf, ref_buf, RTOL, what=f"{what} {name} after the step")


def check_finite_differences(model, x):
    """Finite-difference check of `model` (float64) with respect to its input x and its
    parameters."""
    xo = neuronet.tensor(x, dtype="float64", requires_grad=True)
    params = list(model.parameters())
    gradcheck(lambda inp, *ps: model(inp), [xo, *params])
