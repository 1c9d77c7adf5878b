"""Scores of generated samples, on features and labels a classifier gave them (NumPy only).

    mu, cov = gaussian_fit(features)                  # features (N, D)
    frechet_distance(gaussian_fit(a), gaussian_fit(b)) # >= 0; 0 for identical fits
    per_class_accuracy(requested, predicted, 10)       # (10,) fraction classified as requested
    mode_coverage(predicted, 10)                       # {"histogram", "entropy", ...}

Fréchet distance between Gaussians N(m1, C1), N(m2, C2):
    ||m1 - m2||^2 + tr(C1) + tr(C2) - 2 tr((C1 C2)^(1/2)).
C1 C2 is not symmetric, but with S = C1^(1/2) it is similar to S C2 S (S^-1 (S C2 S) S = C1 C2),
which is symmetric positive semi-definite: tr((C1 C2)^(1/2)) = sum of the square roots of the
eigenvalues of S C2 S. Both square roots come from `numpy.linalg.eigh` of symmetric matrices,
which is stable where a general matrix square root of C1 C2 can turn complex from rounding.
Computed on a classifier's penultimate-layer features this is a "Fréchet classifier distance"
(FCD); the Inception network's features would make it the FID, which this is not.
"""

import numpy as np


def gaussian_fit(features):
    """(mean (D,), covariance (D, D)) of `features` (N, D), N >= 2, in float64 (the unbiased
    covariance, as numpy.cov)."""
    x = np.asarray(features, dtype=np.float64)
    if x.ndim != 2 or len(x) < 2:
        raise ValueError(f"gaussian_fit: features must be (N, D) with N >= 2 samples, got shape "
                         f"{x.shape}")
    if not np.isfinite(x).all():
        raise ValueError("gaussian_fit: features hold NaN or Inf")
    return x.mean(axis=0), np.cov(x, rowvar=False).reshape(x.shape[1], x.shape[1])


def sqrtm_psd(matrix):
    """The symmetric positive semi-definite square root of a symmetric PSD matrix (D, D), via
    eigh; eigenvalues below zero from rounding are taken as zero."""
    a = np.asarray(matrix, dtype=np.float64)
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"sqrtm_psd: expected a square matrix, got shape {a.shape}")
    values, vectors = np.linalg.eigh((a + a.T) / 2)
    return (vectors * np.sqrt(np.clip(values, 0.0, None))) @ vectors.T


def frechet_distance(fit_a, fit_b):
    """Fréchet distance between two Gaussian fits (mean, covariance) (see the module doc)."""
    (mu1, cov1), (mu2, cov2) = [(np.asarray(m, np.float64), np.asarray(c, np.float64))
                                for m, c in (fit_a, fit_b)]
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    for name, (mu, cov) in (("first", (mu1, cov1)), ("second", (mu2, cov2))):
        if mu.shape != (d,) or cov.shape != (d, d):
            raise ValueError(f"frechet_distance: the {name} fit must be (mean (D,), covariance "
                             f"(D, D)) with D = {d}, got shapes {mu.shape} and {cov.shape}")
    root = sqrtm_psd(cov1)
    middle = root @ cov2 @ root
    eigenvalues = np.linalg.eigvalsh((middle + middle.T) / 2)
    trace_root = np.sqrt(np.clip(eigenvalues, 0.0, None)).sum()
    distance = np.sum((mu1 - mu2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * trace_root
    return float(max(distance, 0.0))  # rounding can leave -1e-12 for equal fits


def _labels(name, labels, num_classes):
    array = np.asarray(labels)
    if array.ndim != 1 or array.dtype.kind not in "iu":
        raise ValueError(f"{name}: labels must be a 1-D integer array, got dtype {array.dtype} "
                         f"and shape {array.shape}")
    if array.size and (array.min() < 0 or array.max() >= num_classes):
        raise ValueError(f"{name}: labels must be in [0, {num_classes}), got values from "
                         f"{array.min()} to {array.max()}")
    return array


def per_class_accuracy(requested, predicted, num_classes):
    """(num_classes,) the fraction of samples requested as class k that the classifier put in
    class k (NaN for a class never requested)."""
    requested = _labels("per_class_accuracy", requested, num_classes)
    predicted = _labels("per_class_accuracy", predicted, num_classes)
    if requested.shape != predicted.shape:
        raise ValueError(f"per_class_accuracy: {len(requested)} requested labels but "
                         f"{len(predicted)} predicted ones")
    asked = np.bincount(requested, minlength=num_classes)
    hits = np.bincount(requested[requested == predicted], minlength=num_classes)
    with np.errstate(invalid="ignore", divide="ignore"):
        return hits / asked


def mode_coverage(predicted, num_classes):
    """How evenly samples spread over the classes a classifier sees in them.

    Returns {"histogram": counts (num_classes,), "entropy": entropy of the label frequencies
    in nats (log(num_classes) when perfectly even, 0 when one class only), "max_entropy":
    log(num_classes), "classes_covered": classes holding at least 1% of the samples}.
    """
    predicted = _labels("mode_coverage", predicted, num_classes)
    if predicted.size == 0:
        raise ValueError("mode_coverage: got no labels")
    counts = np.bincount(predicted, minlength=num_classes)
    p = counts[counts > 0] / predicted.size
    entropy = -(p * np.log(p)).sum() + 0.0  # + 0.0: no "-0.0" for a single class
    return {"histogram": counts, "entropy": float(entropy),
            "max_entropy": float(np.log(num_classes)),
            "classes_covered": int((counts >= 0.01 * predicted.size).sum())}
