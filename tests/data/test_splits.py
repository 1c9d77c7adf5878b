"""Datasets and splits: TensorDataset, Subset, random_split, stratified_split, kfold_indices."""

import numpy as np
import pytest

import neuronet
from neuronet.data import (
    ArrayDataset,
    Subset,
    TensorDataset,
    kfold_indices,
    random_split,
    stratified_split,
)


def test_tensor_dataset_items_and_errors():
    x = neuronet.tensor(np.arange(12, dtype=np.float32).reshape(4, 3))
    ds = TensorDataset(x, np.array([5, 6, 7, 8]))
    assert len(ds) == 4
    xi, yi = ds[2]
    assert xi.data.tolist() == [6, 7, 8] and yi.item() == 7 and yi.shape == ()
    assert ds.tensors[0].data is x.data  # no copy
    with pytest.raises(ValueError, match=r"same first dimension, got sizes \[4, 3\]"):
        TensorDataset(x, np.zeros(3))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="needs a first"):
        TensorDataset(np.float32(1.0))


def test_array_dataset_count_mismatch():
    with pytest.raises(ValueError, match="ArrayDataset: 3 samples but 2 targets"):
        ArrayDataset(np.zeros((3, 2)), np.zeros(2))


def test_random_split_lengths_and_fractions():
    ds = TensorDataset(np.arange(10))
    parts = random_split(ds, [3, 7], generator=0)
    assert [len(p) for p in parts] == [3, 7]
    got = sorted(int(p[i][0].item()) for p in parts for i in range(len(p)))
    assert got == list(range(10))
    # fractions: floors 3, 3, 3; the remaining 1 goes to the first part (as torch)
    assert [len(p) for p in random_split(ds, [0.34, 0.33, 0.33], generator=0)] == [4, 3, 3]
    same = random_split(ds, [3, 7], generator=0)
    assert same[0].indices.tolist() == parts[0].indices.tolist()
    assert random_split(ds, [3, 7], generator=1)[0].indices.tolist() != parts[0].indices.tolist()


def test_random_split_errors():
    ds = TensorDataset(np.arange(10))
    with pytest.raises(ValueError, match=r"sum to 9, the dataset has 10"):
        random_split(ds, [4, 5])
    with pytest.raises(ValueError, match="non-negative"):
        random_split(ds, [-1, 11])
    with pytest.raises(ValueError, match="integers or fractions"):
        random_split(ds, [2.5, 7.5])


def test_subset_indexing():
    ds = TensorDataset(np.arange(10) * 2)
    sub = Subset(ds, [4, 1])
    assert len(sub) == 2 and sub[0][0].item() == 8 and sub[1][0].item() == 2
    with pytest.raises(ValueError, match="indices must be 1-D"):
        Subset(ds, [[1]])


def test_stratified_split_keeps_proportions():
    labels = np.repeat([0, 1, 2], [500, 300, 200])
    np.random.default_rng(0).shuffle(labels)
    train, val = stratified_split(labels, val_fraction=0.2, generator=0)
    assert len(np.intersect1d(train, val)) == 0
    assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(1000))
    assert np.bincount(labels[val]).tolist() == [100, 60, 40]
    assert np.bincount(labels[train]).tolist() == [400, 240, 160]
    again, _ = stratified_split(labels, 0.2, generator=0)
    assert np.array_equal(again, train)
    assert not np.array_equal(stratified_split(labels, 0.2, generator=1)[1], val)


def test_stratified_split_from_datasets():
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 1])
    ds = ArrayDataset(np.zeros((10, 2)), labels)
    _, val = stratified_split(ds, 0.5, generator=0)
    assert np.bincount(labels[val]).tolist() == [2, 3]
    plain = TensorDataset(np.zeros((10, 2)), labels)  # no .targets: read item[1]
    _, val = stratified_split(plain, 0.5, generator=0)
    assert np.bincount(labels[val]).tolist() == [2, 3]
    sub = Subset(ds, np.arange(4, 10))  # a Subset's labels are its dataset's, re-indexed
    _, val = stratified_split(sub, 0.5, generator=0)
    assert len(val) == 3 and val.max() < 6
    with pytest.raises(ValueError, match=r"val_fraction must be in \(0, 1\)"):
        stratified_split(labels, 1.0)


@pytest.mark.parametrize("n, k", [(10, 3), (7, 7), (100, 5), (11, 2)])
@pytest.mark.parametrize("shuffle", [False, True])
def test_kfold_covers_every_index_once(n, k, shuffle):
    folds = kfold_indices(n, k, shuffle=shuffle, generator=0)
    assert len(folds) == k
    all_val = np.concatenate([val for _, val in folds])
    assert np.array_equal(np.sort(all_val), np.arange(n))
    sizes = sorted(len(val) for _, val in folds)
    assert sizes[-1] - sizes[0] <= 1
    for train, val in folds:
        assert np.array_equal(np.sort(np.concatenate([train, val])), np.arange(n))
    if not shuffle:  # as scikit-learn's KFold: consecutive blocks, larger ones first
        assert folds[0][1].tolist() == list(range(len(folds[0][1])))
        assert len(folds[0][1]) == -(-n // k)


def test_kfold_stratified_keeps_proportions():
    labels = np.repeat([0, 1], [80, 20])
    folds = kfold_indices(100, 5, shuffle=True, generator=3, stratify=labels)
    all_val = np.concatenate([val for _, val in folds])
    assert np.array_equal(np.sort(all_val), np.arange(100))
    for _, val in folds:
        assert np.bincount(labels[val]).tolist() == [16, 4]


def test_kfold_errors():
    with pytest.raises(ValueError, match="need 2 <= k <= n"):
        kfold_indices(3, 4)
    with pytest.raises(TypeError, match="must be integers"):
        kfold_indices(10.0, 2)
    with pytest.raises(ValueError, match="stratify has 3 labels, n is 4"):
        kfold_indices(4, 2, stratify=[0, 1, 0])
