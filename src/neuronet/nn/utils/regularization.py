"""Weight penalties to add to a loss: L1 (sparsity) and L2 (small weights).

    loss = cross_entropy(model(x), y) + l2_penalty(model.parameters(), weight=5e-5)

Both return a differentiable 0-d Tensor, so `loss.backward()` adds the penalty's gradient to
every parameter's `.grad`.

l2_penalty is weight * sum(w ** 2), WITHOUT a factor 1/2: its gradient is 2 * weight * w.
So `l2_penalty(params, weight=lam / 2)` gives exactly the gradient that the optimizers'
`weight_decay=lam` adds (lam * w); prefer `weight_decay` when the penalty is all you need,
it costs no graph.
"""

from neuronet.autograd.tensor import Tensor
from neuronet.nn.utils.clip_grad import tensor_list
from neuronet.optim.optimizer import check_number


def _penalty(parameters, weight, what, term):
    check_number(what, "weight", weight, low=0.0)
    total = None
    for p in tensor_list(parameters, what):
        value = term(p).sum()
        total = value if total is None else total + value
    if total is None:
        return Tensor(0.0)
    return total * weight


def l1_penalty(parameters, weight=1.0):
    """weight * sum of |w| over all entries of all parameters, as a 0-d Tensor.

    parameters: a Tensor or an iterable of them (e.g. model.parameters()); weight >= 0.
    The gradient at w = 0 is 0 (the subgradient PyTorch's abs uses).
    """
    return _penalty(parameters, weight, "l1_penalty", lambda p: p.abs())


def l2_penalty(parameters, weight=1.0):
    """weight * sum of w ** 2 over all entries of all parameters (no 1/2), as a 0-d Tensor.

    parameters: a Tensor or an iterable of them; weight >= 0. See the module docstring for
    how it relates to weight_decay.
    """
    return _penalty(parameters, weight, "l2_penalty", lambda p: p * p)
