"""Reverse-mode differentiation: walk the graph from the output back to the leaves.

The walk is iterative (a chain of any length works), visits every op once in reverse
topological order, and adds up the gradients of a tensor used several times before passing
them on.
"""

import numpy as np

from neuronet.autograd.anomaly import check_finite, is_anomaly_enabled
from neuronet.autograd.function import unbroadcast
from neuronet.autograd.grad_mode import no_grad


def _topological_order(root_fn):
    """The ops reachable from `root_fn`, each after every op that consumes its outputs."""
    order, visited, stack = [], set(), [(root_fn, False)]
    while stack:
        fn, children_done = stack.pop()
        if children_done:
            order.append(fn)
            continue
        if fn in visited:
            continue
        visited.add(fn)
        stack.append((fn, True))
        if fn.released:
            raise RuntimeError(
                f"backward: trying to backward through the graph a second time ({fn.name} "
                "already freed its saved values); pass retain_graph=True to the first backward()"
            )
        for t in fn.inputs:
            ctx = getattr(t, "_ctx", None)
            if ctx is not None and ctx not in visited:
                stack.append((ctx, False))
    order.reverse()
    return order


def _accumulate(pending, key, grad):
    prev = pending.get(key)
    pending[key] = grad if prev is None else prev + grad


def run_backward(root, grad, retain_graph=False):
    """Propagate `grad` (an array shaped like `root`) back to every leaf that requires grad."""
    anomaly = is_anomaly_enabled()
    pending = {(root._ctx, root._index): grad}
    with no_grad():
        for fn in _topological_order(root._ctx):
            grads_out = [pending.pop((fn, i), None) for i in range(fn.n_outputs)]
            retained = fn.__dict__.get("retained")
            if retained:
                for i, ref in retained.items():
                    t = ref()
                    if t is not None and grads_out[i] is not None:
                        t._store_grad(grads_out[i])
            if all(g is None for g in grads_out):
                continue
            if any(g is None for g in grads_out):  # only ops with several outputs get here
                grads_out = [
                    np.zeros(shape, dtype) if g is None else g
                    for g, (shape, dtype) in zip(grads_out, fn.output_meta)
                ]
            grads_in = fn.backward(*grads_out)
            if not isinstance(grads_in, tuple):
                grads_in = (grads_in,)
            if anomaly:
                check_finite(grads_in, fn.name, "backward")
            for t, needs, g in zip(fn.inputs, fn.needs_input_grad, grads_in):
                if not needs or g is None:
                    continue
                g = unbroadcast(np.asarray(g), t.shape)
                if g.dtype != t.data.dtype:
                    g = g.astype(t.data.dtype)
                if t._ctx is None:
                    t._store_grad(g)
                else:
                    _accumulate(pending, (t._ctx, t._index), g)
            if not retain_graph:
                fn.release()
