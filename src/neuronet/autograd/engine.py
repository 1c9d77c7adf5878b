"""Reverse-mode differentiation: walk the graph from the output back to the leaves.

The walk is iterative (a chain of any length works), visits every op once in reverse
topological order, and adds up the gradients of a tensor used several times before passing
them on.
"""

import numpy as np

from neuronet.autograd.anomaly import check_finite, is_anomaly_enabled
from neuronet.autograd.function import unbroadcast
from neuronet.autograd.grad_mode import no_grad
from neuronet.autograd.tensor import Tensor


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


def store_grad(t, g, kept):
    """Add gradient `g` into `t.grad`, copying only when sharing could hurt.

    An op may hand the same gradient array to several inputs, so an array that ends up in a
    `.grad` may still be travelling through the graph. `kept` holds the ids of the arrays this
    backward pass stored without a copy: such an array is never changed in place while the pass
    runs (adding to it makes a new array), and is copied before a second tensor keeps it.
    Arrays that do not own their memory (views, broadcasts) are always copied.
    """
    if t.grad is None:
        if g.flags.owndata and g.flags.writeable and id(g) not in kept:
            kept.add(id(g))
            t.grad = Tensor._make(g)
        else:
            t.grad = Tensor._make(np.array(g, copy=True))
    elif id(t.grad.data) in kept:
        t.grad.data = t.grad.data + g
    else:
        np.add(t.grad.data, g, out=t.grad.data)


def run_backward(root, grad, retain_graph=False):
    """Propagate `grad` (an array shaped like `root`) back to every leaf that requires grad."""
    anomaly = is_anomaly_enabled()
    kept = set()
    pending = {(root._ctx, root._index): grad}
    with no_grad():
        for fn in _topological_order(root._ctx):
            grads_out = [pending.pop((fn, i), None) for i in range(fn.n_outputs)]
            retained = fn.__dict__.get("retained")
            if retained:
                for i, ref in retained.items():
                    t = ref()
                    if t is not None and grads_out[i] is not None:
                        store_grad(t, grads_out[i], kept)
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
                    store_grad(t, g, kept)
                else:
                    _accumulate(pending, (t._ctx, t._index), g)
            if not retain_graph:
                fn.release()
