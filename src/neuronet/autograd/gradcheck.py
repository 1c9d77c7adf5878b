"""Finite-difference gradient checking: compare backward with central differences.

    gradcheck(lambda x, w: (x @ w).tanh(), [x, w])

Inputs should be float64 tensors with requires_grad=True. The output is projected onto a fixed
random direction r (so one scalar, `sum(f(x) * r)`, covers the whole Jacobian); its analytic
gradient from backward is compared with (L(x + eps) - L(x - eps)) / 2 eps element by element.
"""

import numpy as np

from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor


def gradcheck(fn, inputs, eps=1e-6, rtol=1e-6, seed=0, raise_exception=True):
    """Check fn's gradients w.r.t. every input that requires grad; return the worst rel. error.

    fn: callable taking `inputs` (tensors) and returning a tensor or a tuple of tensors.
    Raises AssertionError naming the input and the worst element when the relative error
    max|analytic - numeric| / max(max|numeric|, 1e-8) exceeds `rtol`.
    """
    rng = np.random.default_rng(seed)
    checked = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    for t in checked:
        if t.dtype != np.float64:
            raise TypeError(
                f"gradcheck: inputs must be float64 for a meaningful check, got {t.dtype}"
            )
        t.grad = None

    with no_grad():
        first = fn(*inputs)
    first = first if isinstance(first, (tuple, list)) else (first,)
    directions = [rng.standard_normal(o.shape) for o in first if isinstance(o, Tensor)]

    def loss_value():
        with no_grad():
            outs = fn(*inputs)
        outs = outs if isinstance(outs, (tuple, list)) else (outs,)
        outs = [o for o in outs if isinstance(o, Tensor)]
        return sum(float(np.sum(o.data * r)) for o, r in zip(outs, directions))

    outs = fn(*inputs)
    outs = outs if isinstance(outs, (tuple, list)) else (outs,)
    outs = [o for o in outs if isinstance(o, Tensor)]
    total = None
    for o, r in zip(outs, directions):
        if not o.requires_grad:
            continue
        term = (o * Tensor(r, dtype=o.dtype)).sum()
        total = term if total is None else total + term
    if total is not None:
        total.backward()

    worst = 0.0
    for k, t in enumerate(checked):
        analytic = np.zeros_like(t.data) if t.grad is None else t.grad.data
        numeric = np.zeros_like(t.data)
        flat = t.data.reshape(-1)  # a view: perturbing it perturbs t
        num_flat = numeric.reshape(-1)
        for i in range(flat.size):
            orig = flat[i]
            flat[i] = orig + eps
            up = loss_value()
            flat[i] = orig - eps
            down = loss_value()
            flat[i] = orig
            num_flat[i] = (up - down) / (2 * eps)
        scale = max(float(np.max(np.abs(numeric), initial=0.0)), 1e-8)
        err = float(np.max(np.abs(analytic - numeric), initial=0.0)) / scale
        worst = max(worst, err)
        if err > rtol and raise_exception:
            idx = np.unravel_index(int(np.argmax(np.abs(analytic - numeric))), t.shape)
            raise AssertionError(
                f"gradcheck: input {k} (shape {t.shape}): relative error {err:.3g} > {rtol:g}; "
                f"worst at {idx}: analytic {analytic[idx]!r} vs numeric {numeric[idx]!r}"
            )
    return worst
