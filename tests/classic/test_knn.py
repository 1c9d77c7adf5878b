"""k-NN against scikit-learn's brute-force KNeighborsClassifier (the oracle), plus bad input."""

import numpy as np
import pytest

from neuronet.classic.knn import KNeighborsClassifier, NearestNeighbor, cross_validate_k

sklearn_neighbors = pytest.importorskip("sklearn.neighbors")

SETTINGS = [(k, p, w) for k in (1, 5) for p in (1, 2) for w in ("uniform", "distance")]


def _sklearn(k, p, w, X, y):
    return sklearn_neighbors.KNeighborsClassifier(k, weights=w, p=p, algorithm="brute").fit(X, y)


def _assert_same_as_sklearn(ours, theirs, Q):
    d_ours, i_ours = ours.kneighbors(Q)
    d_sk, i_sk = theirs.kneighbors(Q)
    np.testing.assert_allclose(d_ours, d_sk, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(ours.predict(Q), theirs.predict(Q))
    np.testing.assert_allclose(ours.predict_proba(Q), theirs.predict_proba(Q), atol=1e-12)
    return i_ours, i_sk


@pytest.mark.parametrize("k,p,w", SETTINGS)
def test_random_data_equals_sklearn(k, p, w, rng):
    X = rng.normal(size=(200, 7))
    y = rng.choice(np.array([3, 7, 11]), 200)  # labels that are not 0..C-1
    Q = rng.normal(size=(37, 7))
    ours = KNeighborsClassifier(k, p=p, weights=w, chunk_size=10).fit(X, y)
    i_ours, i_sk = _assert_same_as_sklearn(ours, _sklearn(k, p, w, X, y), Q)
    np.testing.assert_array_equal(i_ours, i_sk)  # continuous data: no ties


@pytest.fixture(scope="module")
def fashion_subset():
    from neuronet.data.datasets.mnist import load_fashion_mnist
    try:
        X, y = load_fashion_mnist("train")
        Q, _ = load_fashion_mnist("test")
    except (OSError, RuntimeError, ValueError) as err:
        pytest.skip(f"Fashion-MNIST not available: {err}")
    return X[:3000].reshape(-1, 784), y[:3000], Q[:300].reshape(-1, 784)


@pytest.mark.parametrize("k,p,w", SETTINGS)
def test_fashion_mnist_subset_equals_sklearn(k, p, w, fashion_subset):
    X, y, Q = fashion_subset
    ours = KNeighborsClassifier(k, p=p, weights=w).fit(X, y)
    i_ours, i_sk = _assert_same_as_sklearn(ours, _sklearn(k, p, w, X, y), Q)
    # integer pixels give exact distance ties; only tied neighbours may be ordered differently
    d, _ = ours.kneighbors(Q)
    differ = i_ours != i_sk
    tied = np.zeros_like(differ)
    tied[:, 1:] |= d[:, 1:] == d[:, :-1]
    tied[:, :-1] |= d[:, 1:] == d[:, :-1]
    assert not (differ & ~tied).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_float_l1_and_cosine_equal_sklearn(dtype, rng):
    X = rng.normal(size=(150, 5)).astype(dtype)
    y = rng.integers(0, 4, 150)
    Q = rng.normal(size=(20, 5)).astype(dtype)
    for metric in ("manhattan", "cosine"):
        ours = KNeighborsClassifier(3, metric=metric).fit(X, y)
        theirs = sklearn_neighbors.KNeighborsClassifier(3, metric=metric, algorithm="brute")
        _assert_same_as_sklearn(ours, theirs.fit(X.astype(np.float64), y), Q.astype(np.float64))


def test_uint8_l1_path_is_exact_for_long_rows(rng):
    # more than 1024 features: the lane-summing path must split them without overflow
    X = rng.integers(0, 256, size=(40, 2051)).astype(np.uint8)
    Q = rng.integers(0, 256, size=(6, 2051)).astype(np.uint8)
    d, i = KNeighborsClassifier(40, p=1).fit(X, np.zeros(40)).kneighbors(Q)
    brute = np.abs(Q[:, None, :].astype(np.int64) - X[None].astype(np.int64)).sum(axis=2)
    np.testing.assert_array_equal(d, np.take_along_axis(brute, i, axis=1))
    np.testing.assert_array_equal(np.sort(brute, axis=1), d)


@pytest.mark.parametrize("p", [1, 2])
def test_kneighbors_of_the_training_set_leaves_each_point_out(p, rng):
    X = rng.integers(0, 3, size=(60, 2)).astype(np.float64)  # many duplicate points
    y = rng.integers(0, 2, 60)
    ours = KNeighborsClassifier(4, p=p).fit(X, y)
    d_ours, i_ours = ours.kneighbors()
    d_sk, i_sk = _sklearn(4, p, "uniform", X, y).kneighbors()
    np.testing.assert_allclose(d_ours, d_sk, atol=1e-12)
    assert not (i_ours == np.arange(60)[:, None]).any()
    true = np.linalg.norm(X[i_ours] - X[:, None], ord=p, axis=2)
    np.testing.assert_allclose(d_ours, true, atol=1e-12)  # the indices match the distances


def test_tie_break_lower_index_and_smaller_label():
    X = np.array([[1.0], [-1.0], [1.0], [-1.0]])
    y = np.array([5, 2, 5, 2])
    model = KNeighborsClassifier(4).fit(X, y)
    _, ind = model.kneighbors([[0.0]])
    np.testing.assert_array_equal(ind, [[0, 1, 2, 3]])  # all at distance 1: index order
    assert model.predict([[0.0]])[0] == 2  # 2 votes each: the smaller label wins


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
def test_ties_beyond_the_candidates_keep_the_lower_indices(metric, rng):
    # 200 copies of one row, far more than the 2k + 8 candidates argpartition keeps (and it
    # keeps an arbitrary few of equal ones): the k neighbours must still be the copies with
    # the lowest training indices
    far = rng.normal(size=(400, 3)) + 50.0
    X = np.concatenate([np.tile([[1.0, 2.0, 3.0]], (200, 1)), far])
    order = rng.permutation(len(X))
    X = X[order]
    copies = np.flatnonzero(order < 200)  # where the copies went, in index order
    model = KNeighborsClassifier(3, metric=metric).fit(X, np.arange(len(X)) % 2)
    _, ind = model.kneighbors([[1.1, 2.1, 3.1], [1.0, 2.0, 3.0]])
    np.testing.assert_array_equal(ind, [copies[:3], copies[:3]])


def test_distance_weights_exact_match_takes_only_the_match():
    X = np.array([[0.0], [1.0], [1.1]])
    model = KNeighborsClassifier(3, weights="distance").fit(X, [0, 1, 1])
    np.testing.assert_array_equal(model.predict_proba([[0.0]]), [[1.0, 0.0]])


def test_nearest_neighbor_is_one_nn_l1(rng):
    X = rng.normal(size=(60, 4))
    y = rng.integers(0, 3, 60)
    Q = rng.normal(size=(15, 4))
    expected = y[np.abs(Q[:, None] - X[None]).sum(axis=2).argmin(axis=1)]
    np.testing.assert_array_equal(NearestNeighbor().fit(X, y).predict(Q), expected)
    assert NearestNeighbor().fit(X, y).score(X, y) == 1.0


def test_cross_validate_k_matches_a_manual_loop(rng):
    from neuronet.data.splits import kfold_indices
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + 0.5 * rng.normal(size=120) > 0).astype(int)
    best, mean = cross_validate_k(X, y, (1, 3, 7), n_folds=4, generator=5)
    folds = kfold_indices(120, 4, shuffle=True, generator=5, stratify=y)
    for k in (1, 3, 7):
        manual = np.mean([KNeighborsClassifier(k).fit(X[t], y[t]).score(X[v], y[v])
                          for t, v in folds])
        assert mean[k] == pytest.approx(manual)
    assert mean[best] == max(mean.values())


def test_save_and_load_round_trip(tmp_path, rng):
    X, y = rng.normal(size=(30, 3)), rng.integers(0, 2, 30)
    model = KNeighborsClassifier(3, p=1).fit(X, y)
    model.save(str(tmp_path / "knn"))
    loaded = KNeighborsClassifier.load(str(tmp_path / "knn"))
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


@pytest.mark.parametrize("kwargs,fit_args,message", [
    ({"metric": "chebyshev"}, None, "metric must be one of"),
    ({"p": 3}, None, "p .with metric='minkowski'. must be one of"),
    ({"weights": "gaussian"}, None, "weights must be one of"),
    ({"n_neighbors": 11}, None, "n_neighbors=11 is larger than the 10 training samples"),
    ({"n_neighbors": 0}, None, "n_neighbors must be a positive integer"),
    ({}, (np.full((10, 2), np.nan), np.zeros(10)), "X contains NaN"),
    ({}, (np.zeros(10), np.zeros(10)), "X must have 2 dims"),
    ({}, (np.zeros((10, 2)), np.zeros(9)), r"y must have shape \(10,\)"),
])
def test_bad_input_names_the_estimator(kwargs, fit_args, message):
    X, y = fit_args or (np.zeros((10, 2)), np.arange(10) % 2)
    with pytest.raises(ValueError, match=f"KNeighborsClassifier: {message}"):
        KNeighborsClassifier(**{"n_neighbors": 3, **kwargs}).fit(X, y)


def test_bad_queries():
    model = KNeighborsClassifier(3).fit(np.zeros((10, 2)), np.arange(10) % 2)
    with pytest.raises(ValueError, match="KNeighborsClassifier: X has 3 features"):
        model.predict(np.zeros((1, 3)))
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        KNeighborsClassifier(3, chunk_size=0).fit(np.zeros((10, 2)), np.arange(10) % 2).predict(
            np.zeros((1, 2)))
    with pytest.raises(RuntimeError, match="call fit"):
        KNeighborsClassifier().predict(np.zeros((1, 2)))


def _brute_l1(X, Q, k):
    """The definition: all float64 L1 distances, sorted by (distance, training index)."""
    D = np.abs(Q[:, None, :].astype(np.float64) - X[None].astype(np.float64)).sum(axis=2)
    order = np.lexsort((np.broadcast_to(np.arange(len(X)), D.shape), D), axis=1)[:, :k]
    return np.take_along_axis(D, order, axis=1), order


L1_DATA = {
    # few values: many exact ties, broken by training index
    "uint8 ties": lambda r: r.integers(0, 3, (2500, 24)).astype(np.uint8),
    "uint8 images": lambda r: (r.random((2500, 49)) < 0.3) * r.integers(0, 256, (2500, 49)),
    "float64 ties": lambda r: r.integers(0, 3, (2500, 24)).astype(np.float64),
    "float32": lambda r: r.normal(size=(2500, 37)).astype(np.float32),
    # a large offset: the float32 group sums round, the margin must keep the true neighbours
    "float32 offset": lambda r: (3e6 + r.normal(size=(2500, 37))).astype(np.float32),
}
# queries near training rows: a shift of every feature the same way makes the bounds tight
SHIFTS = {"uint8 ties": 1, "float64 ties": 1, "float32 offset": 1.0}


@pytest.mark.parametrize("k", [1, 5])
@pytest.mark.parametrize("data", list(L1_DATA))
def test_pruned_l1_is_brute_force_l1(data, k, rng, monkeypatch):
    import neuronet.classic.knn as knn
    X = L1_DATA[data](rng)
    X = X.astype(np.uint8) if data.startswith("uint8") else X
    shift = SHIFTS.get(data, 0)
    Q = X[:40] + (rng.integers(0, 2, X[:40].shape) * shift if data.endswith("ties") else shift)
    Q = np.concatenate([Q.astype(X.dtype), L1_DATA[data](rng)[:40].astype(X.dtype)])
    y = rng.integers(0, 3, len(X))
    pruned = KNeighborsClassifier(k, p=1).fit(X, y)
    assert pruned._prepared.pruned is not None
    d, i = pruned.kneighbors(Q)
    d_brute, i_brute = _brute_l1(X, Q, k)
    np.testing.assert_array_equal(i, i_brute)
    np.testing.assert_array_equal(d, d_brute)  # the same float64 sums, bit for bit
    monkeypatch.setattr(knn, "_PRUNE_MIN_ROWS", len(X) + 1)
    reference = KNeighborsClassifier(k, p=1).fit(X, y)
    assert reference._prepared.pruned is None
    np.testing.assert_array_equal(pruned.predict(Q), reference.predict(Q))
    if not data.endswith("ties"):  # the reference keeps 2k + 8 candidates: few ties only
        np.testing.assert_array_equal(reference.kneighbors(Q)[1], i)


def test_pruned_l1_leaves_each_training_point_out(rng):
    X = rng.integers(0, 3, (2100, 6)).astype(np.uint8)  # many duplicates
    d, i = KNeighborsClassifier(3, p=1).fit(X, np.zeros(2100)).kneighbors()
    assert not (i == np.arange(2100)[:, None]).any()
    true = np.abs(X[i].astype(np.int64) - X[:, None].astype(np.int64)).sum(axis=2)
    np.testing.assert_array_equal(d, true)
    np.testing.assert_array_equal(d, _brute_l1(X, X, 4)[0][:, 1:])  # self at distance 0
