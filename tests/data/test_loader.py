"""DataLoader: order, shuffling reproducibility, drop_last, len, collate, worker threads."""

import gc
import threading
import time

import numpy as np
import pytest

import neuronet
from neuronet.data import (
    DataLoader,
    Dataset,
    Subset,
    TensorDataset,
    default_collate,
)


class Squares(Dataset):
    """Item i is (i as float array (2,), i*i); no get_batch, so samples are collated."""

    def __init__(self, n, fail_at=None, delay=0.0):
        self.n, self.fail_at, self.delay = n, fail_at, delay

    def __getitem__(self, i):
        if i == self.fail_at:
            raise KeyError(f"sample {i} is broken")
        if self.delay:
            time.sleep(self.delay)
        return np.array([i, -i], np.float32), i * i

    def __len__(self):
        return self.n


def _first_column(loader):
    return [x.data[:, 0].astype(int).tolist() for x, _ in loader]


def _epoch_order(loader):
    return [i for batch in _first_column(loader) for i in batch]


def _workers_alive():
    return [t for t in threading.enumerate() if t.name.startswith("neuronet-DataLoader")]


def test_sequential_order_len_and_drop_last():
    loader = DataLoader(Squares(10), batch_size=4)
    assert len(loader) == 3
    assert _first_column(loader) == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    loader = DataLoader(Squares(10), batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert _first_column(loader) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    assert len(DataLoader(Squares(8), batch_size=4, drop_last=True)) == 2
    assert len(DataLoader(Squares(3), batch_size=4, drop_last=True)) == 0


def test_default_batch_size_is_one_and_collate_types():
    x, y = next(iter(DataLoader(Squares(3))))
    assert x.shape == (1, 2) and x.dtype == np.float32
    assert y.shape == (1,) and y.dtype == np.int64


def test_shuffle_is_a_permutation_reproducible_and_new_each_epoch():
    a = DataLoader(Squares(50), batch_size=8, shuffle=True, generator=7)
    b = DataLoader(Squares(50), batch_size=8, shuffle=True, generator=7)
    epochs_a = [_epoch_order(a) for _ in range(3)]
    epochs_b = [_epoch_order(b) for _ in range(3)]
    assert epochs_a == epochs_b  # same seed, same sequence of epochs
    assert epochs_a[0] != epochs_a[1] != epochs_a[2]  # each epoch draws a new order
    for epoch in epochs_a:
        assert sorted(epoch) == list(range(50))
    other = DataLoader(Squares(50), batch_size=8, shuffle=True, generator=8)
    assert _epoch_order(other) != epochs_a[0]


def test_shuffle_without_generator_follows_manual_seed():
    loader = DataLoader(Squares(30), batch_size=30, shuffle=True)
    neuronet.manual_seed(3)
    first = _first_column(loader)
    neuronet.manual_seed(3)
    assert _first_column(loader) == first
    assert first != [list(range(30))]


def test_fast_path_equals_per_sample_collate():
    x = np.random.default_rng(0).normal(size=(23, 3, 2)).astype(np.float32)
    y = np.arange(23)
    dataset = TensorDataset(x, y)
    fast = list(DataLoader(dataset, batch_size=5, shuffle=True, generator=1))
    slow = list(DataLoader(dataset, batch_size=5, shuffle=True, generator=1,
                           collate_fn=default_collate))
    assert len(fast) == len(slow) == 5
    for (fx, fy), (sx, sy) in zip(fast, slow):
        assert fx.dtype == sx.dtype == np.float32 and fy.dtype == sy.dtype == np.int64
        np.testing.assert_array_equal(fx.data, sx.data)
        np.testing.assert_array_equal(fy.data, sy.data)
        np.testing.assert_array_equal(fx.data, x[fy.data])


def test_fast_path_makes_one_call_per_batch():
    calls = []

    class Counting(TensorDataset):
        def get_batch(self, indices):
            calls.append(len(indices))
            return super().get_batch(indices)

        def __getitem__(self, i):
            raise AssertionError("the fast path must not fetch samples one by one")

    list(DataLoader(Counting(np.zeros((10, 2))), batch_size=4))
    assert calls == [4, 4, 2]


def test_subset_keeps_the_fast_path_and_its_order():
    dataset = TensorDataset(np.arange(10) * 10)
    (batch,) = next(iter(DataLoader(Subset(dataset, [7, 2, 5]), batch_size=3)))
    assert batch.data.tolist() == [70, 20, 50]


def test_custom_collate_fn():
    loader = DataLoader(Squares(5), batch_size=2, collate_fn=lambda samples: len(samples))
    assert list(loader) == [2, 2, 1]


def test_collate_dicts_tuples_namedtuples_strings():
    from collections import namedtuple

    Pair = namedtuple("Pair", "image label")
    batch = default_collate([
        {"x": np.ones(3, np.float32), "meta": (1, "a"), "p": Pair(np.zeros(2), 2.5)},
        {"x": np.zeros(3, np.float32), "meta": (2, "b"), "p": Pair(np.ones(2), 0.5)},
    ])
    assert batch["x"].shape == (2, 3) and batch["x"].dtype == np.float32
    count, names = batch["meta"]
    assert isinstance(batch["meta"], tuple) and count.data.tolist() == [1, 2]
    assert names == ["a", "b"]
    assert isinstance(batch["p"], Pair) and batch["p"].label.dtype == np.float64  # as torch
    assert batch["p"].image.data.tolist() == [[0, 0], [1, 1]]
    lists = default_collate([[1, True], [2, False]])
    assert isinstance(lists, list) and lists[1].dtype == np.bool_


def test_collate_errors():
    with pytest.raises(ValueError, match="different shapes"):
        default_collate([np.zeros(2), np.zeros(3)])
    with pytest.raises(ValueError, match="different lengths"):
        default_collate([(1, 2), (1,)])
    with pytest.raises(TypeError, match="got object"):
        default_collate([object()])
    with pytest.raises(ValueError, match="empty batch"):
        default_collate([])


@pytest.mark.parametrize("kwargs, message", [
    ({"batch_size": 0}, "batch_size must be an integer >= 1"),
    ({"batch_size": 2.0}, "batch_size must be an integer >= 1"),
    ({"num_workers": -1}, "num_workers must be an integer >= 0"),
    ({"prefetch_factor": 0}, "prefetch_factor must be an integer >= 1"),
])
def test_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        DataLoader(Squares(3), **kwargs)
    with pytest.raises(TypeError, match="collate_fn must be callable"):
        DataLoader(Squares(3), collate_fn=3)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_workers_give_the_same_batches_in_order(workers):
    # Random per-sample delays make the workers finish out of order.
    class Jittery(Squares):
        def __getitem__(self, i):
            time.sleep(((i * 7919) % 5) * 1e-3)
            return super().__getitem__(i)

    serial = _first_column(DataLoader(Jittery(40), batch_size=3, shuffle=True, generator=4))
    threaded = _first_column(DataLoader(Jittery(40), batch_size=3, shuffle=True, generator=4,
                                        num_workers=workers))
    assert threaded == serial
    assert _workers_alive() == []


def test_workers_overlap_with_the_consumer():
    dataset = Squares(16, delay=0.02)
    start = time.perf_counter()
    list(DataLoader(dataset, batch_size=4, num_workers=4))
    threaded = time.perf_counter() - start
    assert threaded < 16 * 0.02 * 0.75  # four workers sleeping at once beat one


@pytest.mark.parametrize("how", ["break", "close", "del"])
def test_workers_are_joined_when_iteration_stops_early(how):
    loader = DataLoader(Squares(200, delay=1e-3), batch_size=2, num_workers=2)
    iterator = iter(loader)
    next(iterator)
    assert len(_workers_alive()) == 2
    if how == "break":
        for _ in iterator:
            break
        del iterator
    elif how == "close":
        iterator.close()
    else:
        del iterator
        gc.collect()
    assert _workers_alive() == []


def test_for_loop_break_stops_workers():
    for _ in DataLoader(Squares(100, delay=1e-3), batch_size=2, num_workers=2):
        break
    assert _workers_alive() == []


def test_worker_exception_reaches_the_consumer_in_order_with_its_batch():
    loader = DataLoader(Squares(20, fail_at=9), batch_size=4, num_workers=2)
    seen = []
    with pytest.raises(KeyError, match="sample 9 is broken") as info:
        for x, _ in loader:
            seen.append(x.data[0, 0])
    assert seen == [0, 4]  # the batches before the broken one were delivered
    assert "batch 2" in "".join(info.value.__notes__)
    assert _workers_alive() == []


def test_serial_exception_propagates():
    with pytest.raises(KeyError, match="sample 1 is broken"):
        list(DataLoader(Squares(4, fail_at=1), batch_size=2))


def test_len_and_empty_dataset():
    assert len(DataLoader(Squares(0), batch_size=3)) == 0
    assert list(DataLoader(Squares(0), batch_size=3, num_workers=2)) == []
    assert _workers_alive() == []


class NoisySamples(Dataset):
    """Item i is i plus noise drawn from get_generator(): a random augmentation."""

    def __getitem__(self, i):
        time.sleep(((i * 31) % 3) * 1e-3)  # workers finish out of order
        return np.float64(i) + neuronet.random.get_generator().normal()

    def __len__(self):
        return 30


def test_random_augmentation_is_reproducible_with_any_number_of_workers():
    def epochs(workers, seed):
        loader = DataLoader(NoisySamples(), batch_size=4, shuffle=True, generator=seed,
                            num_workers=workers)
        return [np.concatenate([b.data for b in loader]) for _ in range(2)]

    serial = epochs(0, seed=5)
    for workers in (1, 3):
        threaded = epochs(workers, seed=5)
        for a, b in zip(serial, threaded):
            np.testing.assert_array_equal(a, b)  # bit for bit
    assert not np.allclose(serial[0], serial[1])  # each epoch draws new noise
    assert not np.allclose(np.sort(serial[0]), np.sort(epochs(0, seed=6)[0]))


def test_generator_outside_a_loader_is_the_global_one():
    neuronet.manual_seed(11)
    assert neuronet.random.get_generator() is neuronet.default_generator()
