"""matmul: all operand ranks, batch broadcasting, and its errors."""

import numpy as np
import pytest

import neuronet as nt
from oracle import check_op

SHAPES = [
    [(3, 4), (4, 5)],
    [(4,), (4, 5)],
    [(3, 4), (4,)],
    [(4,), (4,)],
    [(2, 3, 4), (4, 5)],
    [(2, 3, 4), (2, 4, 5)],
    [(2, 1, 3, 4), (5, 4, 2)],
    [(4,), (2, 4, 3)],
    [(2, 3, 4), (4,)],
    [(1, 1), (1, 1)],
]


@pytest.mark.parametrize("shapes", SHAPES)
def test_matmul(shapes, rng):
    check_op(lambda a, b: a @ b, lambda a, b: a @ b, shapes, rng)


def test_matmul_shape_mismatch_names_both_shapes():
    a, b = nt.ones(3, 4), nt.ones(5, 2)
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) do not fit"):
        a @ b


def test_matmul_dtype_mismatch():
    with pytest.raises(TypeError, match="same dtype"):
        nt.ones(2, 2) @ nt.ones(2, 2, dtype=nt.float64)


def test_matmul_skips_gradient_for_constant_input(rng):
    w = nt.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    x = nt.tensor(rng.standard_normal((5, 4)))
    (x @ w).sum().backward()
    np.testing.assert_allclose(w.grad.data, x.data.sum(0)[:, None] * np.ones((1, 3)), rtol=1e-5)
    assert x.grad is None
