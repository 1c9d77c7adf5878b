"""SOM: the winner is the nearest unit, errors and U-matrix checked against MiniSom and by hand."""

import numpy as np
import pytest

from neuronet.classic import SOM
from neuronet.classic.som import NEIGHBORHOODS, grid_positions


@pytest.fixture(scope="module")
def digits():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    return sklearn_datasets.load_digits().data / 16.0, sklearn_datasets.load_digits().target


def _brute_distance(x, w, metric):
    if metric == "euclidean":
        return np.sqrt(np.sum((x - w) ** 2))
    if metric == "manhattan":
        return np.sum(np.abs(x - w))
    return 1 - x @ w / (np.linalg.norm(x) * np.linalg.norm(w))


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "cosine"])
@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_winner_is_nearest_unit(rng, metric, topology):
    X = rng.normal(size=(60, 5))
    som = SOM(4, 5, distance=metric, topology=topology, n_iter=200, random_state=0).fit(X)
    W = som.weights_.reshape(20, 5)
    for x, (r, c) in zip(X, som.winner(X), strict=True):
        d = [_brute_distance(x, w, metric) for w in W]
        assert d[r * 5 + c] <= min(d) + 1e-9
        np.testing.assert_allclose(som.transform(x[None])[0], d, rtol=1e-9, atol=1e-12)
    assert som.winner(X[0]) == tuple(som.winner(X[:1])[0])


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
@pytest.mark.parametrize("mode", ["online", "batch"])
def test_quantization_error_no_worse_than_minisom(digits, topology, mode):
    minisom = pytest.importorskip("minisom")
    X, _ = digits
    ours, theirs = [], []
    for seed in range(2):
        n_iter = 3000 if mode == "online" else 20
        som = SOM(10, 10, sigma=1.5, learning_rate=0.5, topology=topology, mode=mode,
                  n_iter=n_iter, random_state=seed).fit(X)
        ms = minisom.MiniSom(10, 10, 64, sigma=1.5, learning_rate=0.5, topology=topology,
                             random_seed=seed)
        ms.random_weights_init(X)
        if mode == "online":
            ms.train_random(X, n_iter)
        else:
            ms.train_batch(X, 3000)  # MiniSom's train_batch: one sample per step, in order
        ours.append(som.quantization_error(X))
        theirs.append(ms.quantization_error(X))
    assert np.mean(ours) <= 1.05 * np.mean(theirs), f"ours {ours} vs MiniSom {theirs}"


def test_errors_and_umatrix_match_minisom_on_same_weights(digits):
    minisom = pytest.importorskip("minisom")
    X, _ = digits
    som = SOM(6, 7, sigma=1.5, n_iter=500, random_state=0).fit(X)
    ms = minisom.MiniSom(6, 7, 64)
    ms._weights = som.weights_.copy()  # MiniSom keeps its weights as (rows, cols, D) too
    np.testing.assert_allclose(som.quantization_error(X), ms.quantization_error(X), rtol=1e-10)
    assert som.topographic_error(X) == ms.topographic_error(X)
    np.testing.assert_allclose(som.distance_map(), ms.distance_map(scaling="mean"), atol=1e-12)
    assert som.labels_map(X[:50], np.arange(50) % 3) == ms.labels_map(X[:50], np.arange(50) % 3)


@pytest.mark.parametrize("topology", ["rectangular", "hexagonal"])
def test_topographic_error_by_hand(rng, topology):
    X = rng.normal(size=(80, 3))
    som = SOM(5, 4, topology=topology, n_iter=300, random_state=1).fit(X)
    pos = grid_positions(5, 4, topology)
    W = som.weights_.reshape(20, 3)
    reach = 1.0 if topology == "hexagonal" else np.sqrt(2)
    bad = 0
    for x in X:
        first, second = np.argsort(np.linalg.norm(W - x, axis=1))[:2]
        bad += np.linalg.norm(pos[first] - pos[second]) > reach + 1e-9
    assert som.topographic_error(X) == pytest.approx(bad / len(X))


def test_hexagonal_grid_has_six_neighbours():
    pos = grid_positions(5, 5, "hexagonal")
    d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    inner = 2 * 5 + 2
    assert np.sum(np.isclose(d[inner], 1.0)) == 6
    assert np.sum(np.isclose(grid_positions(5, 5, "rectangular")[inner]
                             - grid_positions(5, 5, "rectangular"), 0).all(1)) == 1


def test_neighborhood_shapes():
    d = np.array([0.0, 1.0, 2.0, 3.0])
    np.testing.assert_allclose(NEIGHBORHOODS["gaussian"](d, 2.0), np.exp(-d**2 / 8))
    np.testing.assert_array_equal(NEIGHBORHOODS["bubble"](d, 2.0), [1, 1, 0, 0])
    hat = NEIGHBORHOODS["mexican_hat"](d, 2.0)
    assert hat[0] == 1 and hat[2] == 0 and hat[3] < 0  # excitatory centre, inhibitory ring


@pytest.mark.parametrize("neighborhood", ["gaussian", "bubble"])
@pytest.mark.parametrize("decay", ["asymptotic", "linear", "exponential"])
def test_training_organizes_the_map(digits, neighborhood, decay):
    X, _ = digits
    X = X[:400]
    init = SOM(6, 6, n_iter=1, learning_rate=1e-9, random_state=0).fit(X)
    sigma = 2.0 if neighborhood == "gaussian" else 3.0  # the bubble needs a wider start
    som = SOM(6, 6, sigma=sigma, neighborhood=neighborhood, decay=decay, n_iter=2000,
              random_state=0).fit(X)
    assert som.quantization_error(X) < 0.95 * init.quantization_error(X)
    ordered = som.topographic_error(X)
    flat = som.weights_.reshape(36, -1)
    som.weights_ = flat[np.random.default_rng(0).permutation(36)].reshape(som.weights_.shape)
    assert ordered < 0.5 * som.topographic_error(X)  # the order is in the layout, not by luck


def test_mexican_hat_trains_like_minisom(digits):
    """The online mexican hat pushes the inhibitory ring away; MiniSom shows the same drift."""
    minisom = pytest.importorskip("minisom")
    X, _ = digits
    X = X[:400]
    ms = minisom.MiniSom(6, 6, 64, sigma=1.0, learning_rate=0.1,
                         neighborhood_function="mexican_hat", random_seed=0)
    ms.random_weights_init(X)
    ms.train_random(X, 2000)
    som = SOM(6, 6, sigma=1.0, learning_rate=0.1, neighborhood="mexican_hat", n_iter=2000,
              random_state=0).fit(X)
    assert som.quantization_error(X) <= 1.1 * ms.quantization_error(X)


def test_batch_mode_and_pca_init(digits):
    X, _ = digits
    som = SOM(8, 8, sigma=2.0, mode="batch", init="pca", n_iter=15, random_state=0).fit(X)
    assert som.quantization_error(X) < 1.4 and som.topographic_error(X) < 0.3
    # PCA init is deterministic: the same map with any seed
    other = SOM(8, 8, sigma=2.0, mode="batch", init="pca", n_iter=15, random_state=5).fit(X)
    np.testing.assert_allclose(som.weights_, other.weights_)


def test_labels_map_and_activation_response(digits):
    X, y = digits
    som = SOM(5, 5, n_iter=500, random_state=0).fit(X)
    labels = som.labels_map(X, y)
    assert sum(sum(c.values()) for c in labels.values()) == len(X)
    r, c = som.winner(X[7])
    assert labels[(r, c)][y[7]] >= 1
    hits = som.activation_response(X)
    assert hits.sum() == len(X)
    assert {k: sum(v.values()) for k, v in labels.items()} == {
        (i, j): hits[i, j] for i in range(5) for j in range(5) if hits[i, j]}
    # class purity: a trained map separates digits far better than chance
    purity = sum(cnt.most_common(1)[0][1] for cnt in labels.values()) / len(X)
    assert purity > 0.6


def test_seed_reproducible_and_save_load(tmp_path, rng):
    X = rng.normal(size=(50, 4))
    a = SOM(3, 3, topology="hexagonal", random_state=3, n_iter=100).fit(X)
    b = SOM(3, 3, topology="hexagonal", random_state=3, n_iter=100).fit(X)
    np.testing.assert_array_equal(a.weights_, b.weights_)
    a.save(str(tmp_path / "som"))
    c = SOM.load(str(tmp_path / "som"))
    assert c.topology == "hexagonal"
    np.testing.assert_array_equal(c.predict(X), a.predict(X))


def test_float32_stays_float32(rng):
    X = rng.normal(size=(30, 3)).astype(np.float32)
    som = SOM(3, 3, n_iter=50, random_state=0).fit(X)
    assert som.weights_.dtype == np.float32
    assert som.transform(X).dtype == np.float32


def test_bad_input(rng):
    X = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="SOM: the grid must have at least one row"):
        SOM(0, 5).fit(X)
    with pytest.raises(ValueError, match=r"neighborhood must be one of \['bubble', 'gaussian'"):
        SOM(neighborhood="triangle").fit(X)
    with pytest.raises(ValueError, match=r"distance must be one of \['cosine', 'euclidean'"):
        SOM(distance="chebyshev").fit(X)
    with pytest.raises(ValueError, match=r"topology must be one of"):
        SOM(topology="torus").fit(X)
    with pytest.raises(ValueError, match="batch mode needs a non-negative"):
        SOM(mode="batch", neighborhood="mexican_hat").fit(X)
    with pytest.raises(ValueError, match="SOM: X contains NaN"):
        SOM().fit(np.full((3, 2), np.nan))
    with pytest.raises(ValueError, match="SOM: X must have 2 dims"):
        SOM().fit(np.zeros((3, 2, 2)))
    with pytest.raises(ValueError, match="need sigma > 0"):
        SOM(sigma=0).fit(X)
    som = SOM(2, 2, n_iter=10, random_state=0).fit(X)
    with pytest.raises(ValueError, match="SOM: X has 2 features, but SOM is expecting 3 features"):
        som.winner(np.zeros(2))
    with pytest.raises(ValueError, match="one label per sample"):
        som.labels_map(X, [1, 2])
    with pytest.raises(ValueError, match="at least two units"):
        SOM(1, 1, n_iter=5).fit(X).topographic_error(X)
    with pytest.raises(RuntimeError, match="SOM: call fit"):
        SOM().quantization_error(X)


def test_initialize_then_step_replays_fit_online(rng):
    """initialize + step, fed fit's own sample order, lands on fit's weights exactly."""
    X = rng.normal(size=(30, 3))
    fitted = SOM(3, 4, n_iter=70, random_state=5).fit(X)
    som = SOM(3, 4, n_iter=70, random_state=5).initialize(X)
    gen = np.random.default_rng(5)
    gen.integers(0, len(X), size=12)  # fit's draw of the initial weights
    order = np.concatenate([gen.permutation(len(X)) for _ in range(3)])
    bmus = [som.step(X[order[t]], t) for t in range(70)]
    np.testing.assert_array_equal(som.weights_, fitted.weights_)
    assert som.n_iter_ == 70 and bmus[-1] == fitted.predict(X[order[69]][None])[0]
