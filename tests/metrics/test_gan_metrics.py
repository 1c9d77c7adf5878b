"""Fréchet distance (against scipy.linalg.sqrtm), per-class accuracy and mode coverage."""

import numpy as np
import pytest

from neuronet.metrics.gan_scores import (
    frechet_distance,
    gaussian_fit,
    mode_coverage,
    per_class_accuracy,
    sqrtm_psd,
)


def _scipy_frechet(fit_a, fit_b):
    """The textbook formula with a general matrix square root of C1 C2 (as FID code does)."""
    linalg = pytest.importorskip("scipy.linalg")
    (mu1, c1), (mu2, c2) = fit_a, fit_b
    root = linalg.sqrtm(c1 @ c2)
    return float(np.sum((mu1 - mu2) ** 2) + np.trace(c1) + np.trace(c2)
                 - 2 * np.trace(root.real))


@pytest.mark.parametrize("dim", [1, 3, 16, 84])
def test_frechet_distance_matches_scipy_sqrtm(dim, rng):
    a = rng.standard_normal((400, dim)) @ rng.standard_normal((dim, dim))
    b = 0.5 + rng.standard_normal((300, dim)) @ rng.standard_normal((dim, dim)) * 0.7
    fa, fb = gaussian_fit(a), gaussian_fit(b)
    ours, theirs = frechet_distance(fa, fb), _scipy_frechet(fa, fb)
    assert ours == pytest.approx(theirs, rel=1e-7, abs=1e-9)
    assert frechet_distance(fb, fa) == pytest.approx(ours, rel=1e-9)  # symmetric


def test_rank_deficient_covariances_match_scipy(rng):
    """Fewer samples than dimensions (singular covariances, as a collapsed generator gives)."""
    a, b = rng.standard_normal((6, 20)), rng.standard_normal((8, 20)) + 1
    fa, fb = gaussian_fit(a), gaussian_fit(b)
    assert frechet_distance(fa, fb) == pytest.approx(_scipy_frechet(fa, fb), rel=1e-6)


def test_closed_forms(rng):
    x = rng.standard_normal((500, 5))
    fit = gaussian_fit(x)
    assert frechet_distance(fit, fit) == pytest.approx(0, abs=1e-9)
    shift = np.arange(5.0)
    assert frechet_distance(fit, (fit[0] + shift, fit[1])) == pytest.approx(np.sum(shift ** 2))
    # 1-D: (m1 - m2)^2 + (s1 - s2)^2
    one = frechet_distance((np.array([1.0]), np.array([[4.0]])),
                           (np.array([3.0]), np.array([[9.0]])))
    assert one == pytest.approx(4 + 1)


def test_gaussian_fit_is_numpy_cov(rng):
    x = rng.standard_normal((50, 4)).astype(np.float32)
    mu, cov = gaussian_fit(x)
    assert mu.dtype == np.float64 and cov.shape == (4, 4)
    np.testing.assert_allclose(cov, np.cov(x.astype(np.float64), rowvar=False), rtol=1e-12)
    assert gaussian_fit(x[:, :1])[1].shape == (1, 1)


def test_sqrtm_psd_squares_back(rng):
    m = rng.standard_normal((7, 7))
    psd = m @ m.T
    root = sqrtm_psd(psd)
    np.testing.assert_allclose(root @ root, psd, atol=1e-10)
    np.testing.assert_allclose(root, root.T, atol=1e-12)
    assert np.linalg.eigvalsh(root).min() > -1e-12


def test_per_class_accuracy():
    requested = np.array([0, 0, 1, 1, 1, 2])
    predicted = np.array([0, 1, 1, 1, 0, 0])
    acc = per_class_accuracy(requested, predicted, 4)
    np.testing.assert_allclose(acc[:3], [0.5, 2 / 3, 0.0])
    assert np.isnan(acc[3])  # never requested


def test_mode_coverage():
    even = mode_coverage(np.arange(1000) % 10, 10)
    assert even["entropy"] == pytest.approx(np.log(10)) == pytest.approx(even["max_entropy"])
    assert even["classes_covered"] == 10 and even["histogram"].tolist() == [100] * 10
    collapsed = mode_coverage(np.full(1000, 3), 10)
    assert collapsed["entropy"] == 0 and collapsed["classes_covered"] == 1
    half = mode_coverage(np.array([0] * 500 + [1] * 495 + [2] * 5), 10)
    assert half["classes_covered"] == 2  # class 2 holds 0.5% < 1%
    assert 0 < half["entropy"] < np.log(3)


def test_bad_input(rng):
    with pytest.raises(ValueError, match=r"gaussian_fit: features must be \(N, D\) with N >= 2"):
        gaussian_fit(np.ones(5))
    with pytest.raises(ValueError, match="gaussian_fit: features hold NaN or Inf"):
        gaussian_fit(np.array([[1.0], [np.nan]]))
    fit = gaussian_fit(rng.standard_normal((10, 3)))
    with pytest.raises(ValueError, match="the second fit must be .* D = 3"):
        frechet_distance(fit, gaussian_fit(rng.standard_normal((10, 2))))
    with pytest.raises(ValueError, match="sqrtm_psd: expected a square matrix"):
        sqrtm_psd(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"labels must be in \[0, 10\), got values from 0 to 10"):
        mode_coverage(np.array([0, 10]), 10)
    with pytest.raises(ValueError, match="labels must be a 1-D integer array"):
        mode_coverage(np.array([0.5]), 10)
    with pytest.raises(ValueError, match="mode_coverage: got no labels"):
        mode_coverage(np.array([], dtype=int), 10)
    with pytest.raises(ValueError, match="3 requested labels but 2 predicted"):
        per_class_accuracy(np.array([0, 1, 2]), np.array([0, 1]), 3)
