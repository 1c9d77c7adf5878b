"""Run one of our optimizers and torch's on the same problem and compare the trajectories.

The problem: parameters of a few shapes (including 0-d) and, at step t, for parameter k the
gradient A_k w_k + b_k + noise[t][k] of a fixed convex quadratic plus a fixed noise sequence,
computed with NumPy from each side's own current values, so a difference in one step shows
up in every later gradient. Some parameters get no gradient at some steps (grad None), which
optimizers must skip.
"""

import numpy as np

import neuronet as nt
from oracle import assert_close, needs_torch

SHAPES = [(3, 4), (5,), ()]
STEPS = 30


class Problem:
    def __init__(self, seed=0, steps=STEPS, shapes=SHAPES):
        rng = np.random.default_rng(seed)
        self.shapes = shapes
        self.init = [rng.uniform(-2.0, 2.0, size=s) for s in shapes]
        self.A, self.b = [], []
        for s in shapes:
            n = int(np.prod(s))
            q, _ = np.linalg.qr(rng.standard_normal((n, n)))
            self.A.append(q @ np.diag(rng.uniform(0.5, 2.0, size=n)) @ q.T)
            self.b.append(rng.standard_normal(n))
        self.noise = [[rng.standard_normal(s) for s in shapes] for _ in range(steps)]

    def grad(self, k, w, t):
        """Gradient for parameter k with values w (any dtype) at step t, or None (skipped)."""
        if k == 1 and t % 4 == 3:
            return None
        g = self.A[k] @ w.astype(np.float64).reshape(-1) + self.b[k]
        return g.reshape(self.shapes[k]) + self.noise[t][k]


def make_groups(params, groups):
    """groups None: the plain list; else [(param indices, extra options), ...]."""
    if groups is None:
        return list(params)
    return [{"params": [params[i] for i in idx], **extra} for idx, extra in groups]


def run_ours(cls, kwargs, problem, steps=STEPS, dtype=np.float64, groups=None, start=0,
             params=None, opt=None):
    """Our trajectory: a list (one per step) of lists of parameter arrays (copies)."""
    if params is None:
        params = [nt.tensor(a, dtype=dtype, requires_grad=True) for a in problem.init]
    if opt is None:
        opt = cls(make_groups(params, groups), **kwargs)
    trajectory = []
    for t in range(start, start + steps):
        for k, p in enumerate(params):
            g = problem.grad(k, p.data, t)
            p.grad = None if g is None else nt.tensor(g, dtype=p.dtype)
        opt.step()
        trajectory.append([p.data.copy() for p in params])
    return trajectory, params, opt


def run_torch(name, kwargs, problem, steps=STEPS, dtype=np.float64, groups=None, start=0,
              params=None, opt=None):
    torch = needs_torch()
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    if params is None:
        params = [torch.tensor(a, dtype=tdtype, requires_grad=True) for a in problem.init]
    if opt is None:
        opt = getattr(torch.optim, name)(make_groups(params, groups), **kwargs)
    trajectory = []
    for t in range(start, start + steps):
        for k, p in enumerate(params):
            g = problem.grad(k, p.detach().numpy(), t)
            p.grad = None if g is None else torch.tensor(g, dtype=tdtype)
        opt.step()
        trajectory.append([p.detach().numpy().copy() for p in params])
    return trajectory, params, opt


def assert_same_trajectory(ours, theirs, rtol=1e-10, atol=1e-12):
    assert len(ours) == len(theirs)
    for t, (a, b) in enumerate(zip(ours, theirs)):
        for k, (x, y) in enumerate(zip(a, b)):
            assert x.dtype == y.dtype, f"step {t}, param {k}: dtype ours {x.dtype} vs {y.dtype}"
            assert_close(x, y, rtol=rtol, atol=atol, what=f"step {t}, param {k}")


def compare(cls, kwargs, groups=None, dtype=np.float64, rtol=1e-10, atol=1e-12, seed=0):
    """Our optimizer `cls` vs torch's class of the same name: the whole trajectory."""
    problem = Problem(seed)
    ours, _, _ = run_ours(cls, kwargs, problem, dtype=dtype, groups=groups)
    theirs, _, _ = run_torch(cls.__name__, kwargs, problem, dtype=dtype, groups=groups)
    assert_same_trajectory(ours, theirs, rtol, atol)
    # a check that can fail: the parameters really moved
    assert not np.allclose(ours[-1][0], problem.init[0])
