"""neuronet.parallel: parts spread over threads in a fixed order, BLAS at one thread inside a
region and restored after it (also after an error), nested regions serial, bad counts refused."""

import threading

import numpy as np
import pytest

import neuronet as nt
from neuronet import parallel

blas = parallel._blas()
needs_blas = pytest.mark.skipif(not blas, reason="BLAS threads cannot be controlled here")


@pytest.fixture
def three_threads():
    before = parallel.get_num_threads()
    parallel.set_num_threads(3)
    yield
    parallel.set_num_threads(before)


@needs_blas
def test_parts_go_round_robin_and_results_keep_their_order(three_threads):
    names = {}

    def work(thread, part):
        names.setdefault(thread, set()).add(threading.current_thread().name)
        return thread, part * part, blas.get()

    results = parallel.parallel_map(work, list(range(8)))
    assert [r[:2] for r in results] == [(i % 3, i * i) for i in range(8)]
    assert {r[2] for r in results} == {1}  # BLAS on one thread inside the region
    assert blas.get() == 3  # and back afterwards
    assert len(set().union(*names.values())) == 3  # three different threads did the work
    assert threading.current_thread().name in names[0]  # the caller is thread 0


@needs_blas
@pytest.mark.parametrize("failing", [3, 4])  # on the caller's thread, on a worker
def test_an_error_in_a_part_reaches_the_caller_and_blas_is_restored(three_threads, failing):
    def work(thread, part):
        if part == failing:
            raise ValueError(f"part {part} failed")
        return part

    with pytest.raises(ValueError, match=f"part {failing} failed"):
        parallel.parallel_map(work, list(range(6)))
    assert blas.get() == 3
    assert parallel.parallel_map(lambda thread, part: part, [1, 2, 3]) == [1, 2, 3]


@needs_blas
def test_a_nested_region_runs_serially_as_thread_zero(three_threads):
    def outer(thread, part):
        return parallel.parallel_map(lambda t, p: (t, p), [part, part + 10])

    assert parallel.parallel_map(outer, [0, 1]) == [[(0, 0), (0, 10)], [(0, 1), (0, 11)]]


def test_one_thread_runs_everything_in_the_caller():
    before = parallel.get_num_threads()
    parallel.set_num_threads(1)
    try:
        caller = threading.current_thread().name
        assert parallel.parallel_map(
            lambda thread, part: (thread, threading.current_thread().name), [0, 1, 2]
        ) == [(0, caller)] * 3
        assert parallel.get_num_threads() == 1
    finally:
        parallel.set_num_threads(before)


@pytest.mark.parametrize("bad", [0, -2, 1.5, True, "2", None])
def test_set_num_threads_refuses_what_is_not_a_positive_int(bad):
    with pytest.raises(ValueError, match="set_num_threads: expected a positive int"):
        parallel.set_num_threads(bad)


@needs_blas
def test_elementwise_on_threads_equals_one_pass(three_threads, monkeypatch):
    monkeypatch.setattr(parallel, "_ELEMENTWISE_BYTES", 0)
    x = np.random.default_rng(0).standard_normal((7, 5, 3)).astype(np.float32)
    x[0, 0, :3] = [np.nan, 0.0, -0.0]
    g = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    pieces = []

    def subtract(a, b, out):
        pieces.append(len(a))
        return np.subtract(a, b, out=out)

    assert np.array_equal(parallel.elementwise(subtract, x, g), x - g, equal_nan=True)
    assert pieces == [35, 35, 35]  # 105 values, one contiguous piece per thread
    t = nt.tensor(x, requires_grad=True)
    y = nt.relu(t)
    y.backward(nt.tensor(g))
    expected = np.maximum(x, 0)
    assert np.array_equal(y.data, expected, equal_nan=True)
    assert np.array_equal(t.grad.data, g * (expected != 0))
    # other shapes or strided arrays: one pass in the caller
    calls = []
    strided = x[:, :, ::2]
    parallel.elementwise(lambda a, out: calls.append(a.shape) or np.negative(a, out=out), strided)
    assert calls == [strided.shape]
