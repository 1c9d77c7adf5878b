"""scikit-learn compatibility of the classic estimators, with scikit-learn as the judge.

Every check of `sklearn.utils.estimator_checks` runs as its own test on each estimator (small
settings keep them fast); none is expected to fail, so none is listed as such. scikit-learn
itself skips two of them here: `check_classifier_data_not_an_array` needs pandas and
`check_array_api_input` needs SCIPY_ARRAY_API=1. Then the estimators go through Pipeline,
cross_val_score, GridSearchCV and clone on the bundled digits and iris, next to scikit-learn's
own estimators where one does the same job, and a run without scikit-learn shows that
neuronet never needs it.
"""
# ruff: noqa: E402 (the imports below run only once scikit-learn is known to be installed)

import subprocess
import sys
import warnings

import numpy as np
import pytest

sklearn = pytest.importorskip("sklearn")

from sklearn import neighbors, neural_network
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import load_digits, load_iris
from sklearn.exceptions import DataConversionWarning, NotFittedError
from sklearn.metrics import adjusted_rand_score
from sklearn.model_selection import GridSearchCV, cross_val_score, train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks
from sklearn.utils.validation import check_is_fitted

from neuronet.classic import (
    SOM,
    BernoulliRBM,
    KNeighborsClassifier,
    LinearClassifier,
    LinearSVM,
    LogisticRegression,
    Perceptron,
    SoftmaxClassifier,
)

ESTIMATORS = [
    KNeighborsClassifier(3),
    LinearSVM(n_epochs=5, random_state=0),
    SoftmaxClassifier(n_epochs=5, random_state=0),
    LinearClassifier("hinge", n_epochs=5, random_state=0),  # no predict_proba with hinge
    LogisticRegression(n_epochs=5, random_state=0),
    Perceptron(max_iter=10, random_state=0),
    BernoulliRBM(n_components=4, n_iter=2, random_state=0),
    SOM(1, 3, n_iter=200, random_state=0),  # 3 units: a clusterer of 3 clusters
]


with warnings.catch_warnings():
    # sklearn warns that these do not inherit its BaseEstimator: by design, they duck-type
    warnings.filterwarnings("ignore", "Estimator .* does not inherit from `sklearn.base")
    sklearn_checks = parametrize_with_checks(ESTIMATORS)


# the checks feed the RBM data outside [0, 1] and the perceptron data no line separates: each
# warns, as it should (tested below and in test_perceptron.py)
@pytest.mark.filterwarnings("ignore:BernoulliRBM. visible values should lie")
@pytest.mark.filterwarnings("ignore:Perceptron. no epoch without mistakes")
@sklearn_checks
def test_sklearn_estimator_check(estimator, check):
    check(estimator)


@pytest.fixture(scope="module")
def digits():
    return load_digits(return_X_y=True)


def test_knn_in_grid_search_over_a_pipeline_scores_as_sklearn(digits):
    """Same folds, same candidates: each mean CV accuracy equals sklearn's brute-force KNN."""
    X, y = digits
    grid = {"kneighborsclassifier__n_neighbors": [1, 3, 5, 7]}
    ours = GridSearchCV(make_pipeline(StandardScaler(), KNeighborsClassifier()), grid, cv=3)
    theirs = GridSearchCV(make_pipeline(StandardScaler(), neighbors.KNeighborsClassifier(
        algorithm="brute")), grid, cv=3)
    ours.fit(X, y)
    theirs.fit(X, y)
    np.testing.assert_array_equal(ours.cv_results_["mean_test_score"],
                                  theirs.cv_results_["mean_test_score"])
    assert ours.best_params_ == theirs.best_params_
    assert isinstance(ours.best_estimator_[-1], KNeighborsClassifier)
    assert ours.best_score_ > 0.9


@pytest.mark.parametrize("make,binary,floor", [
    (lambda: LinearSVM(n_epochs=10, random_state=0), False, 0.85),
    (lambda: SoftmaxClassifier(n_epochs=10, random_state=0), False, 0.85),
    (lambda: LogisticRegression(n_epochs=10, random_state=0), True, 0.9),
    (lambda: Perceptron(max_iter=10, random_state=0), True, 0.85),
])
def test_linear_models_in_pipeline_and_cross_val_score(digits, make, binary, floor):
    """Digits (3 vs 8 for the two-class models): chance is 0.1 (0.5), floors far above it."""
    X, y = digits
    if binary:
        keep = (y == 3) | (y == 8)
        X, y = X[keep], y[keep]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the perceptron's ConvergenceWarning on 10 epochs
        scores = cross_val_score(make_pipeline(StandardScaler(), make()), X, y, cv=3)
    assert scores.shape == (3,) and scores.min() > floor, scores


def test_grid_search_picks_the_l2_strength(digits):
    """reg=1 over-regularizes (about 0.85 against 0.91 at 1e-4 on these folds)."""
    X, y = digits
    X = StandardScaler().fit_transform(X)
    search = GridSearchCV(SoftmaxClassifier(n_epochs=10, random_state=0),
                          {"reg": [1e-4, 1.0]}, cv=3).fit(X, y)
    assert search.best_params_ == {"reg": 1e-4}
    assert search.cv_results_["mean_test_score"][1] < search.best_score_ - 0.03
    best = search.best_estimator_
    assert isinstance(best, SoftmaxClassifier) and best.reg == 1e-4
    assert search.score(X, y) == best.score(X, y)


def test_rbm_features_match_sklearns_rbm(digits):
    """MinMaxScaler(clip) -> RBM -> SoftmaxClassifier: ours and sklearn's RBM (same settings)
    give test accuracies within 0.05 (0.68 and 0.69 when measured)."""
    X, y = digits
    Xa, Xb, ya, yb = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    settings = {"n_components": 64, "n_iter": 5, "learning_rate": 0.06, "random_state": 0}
    accuracy = {}
    for rbm in (BernoulliRBM(**settings), neural_network.BernoulliRBM(**settings)):
        model = make_pipeline(MinMaxScaler(clip=True), rbm,
                              SoftmaxClassifier(n_epochs=30, random_state=0))
        accuracy[type(rbm).__module__] = model.fit(Xa, ya).score(Xb, yb)
    ours, theirs = accuracy["neuronet.classic.rbm"], accuracy["sklearn.neural_network._rbm"]
    assert ours > 0.6 and abs(ours - theirs) < 0.05, accuracy


def test_rbm_warns_on_values_outside_the_unit_interval():
    """A scaler fitted on training folds maps other folds outside [0, 1]: a warning, so that
    cross-validation runs on, where an error would stop it."""
    rbm = BernoulliRBM(n_components=2, n_iter=1, random_state=0).fit(np.eye(3))
    with pytest.warns(UserWarning, match=r"BernoulliRBM: visible values should lie in \[0, 1\]"):
        rbm.transform([[0.0, 1.5, 0.0]])


def test_som_as_a_transformer_in_cross_val_score(digits):
    """Distances to the 36 units of a 6x6 map are features for a softmax: far above 0.1."""
    X, y = digits
    model = make_pipeline(StandardScaler(), SOM(6, 6, mode="batch", n_iter=10, sigma=2.0,
                                                random_state=0),
                          StandardScaler(), SoftmaxClassifier(n_epochs=20, random_state=0))
    assert cross_val_score(model, X, y, cv=3).min() > 0.7


def test_som_as_a_clusterer_on_iris():
    """A 1x3 map clusters standardized iris about as well as KMeans (ARI 0.62 for both)."""
    X, y = load_iris(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    labels = SOM(1, 3, n_iter=500, sigma=0.5, random_state=0).fit_predict(X)
    kmeans = KMeans(3, n_init=10, random_state=0).fit_predict(X)
    assert labels.shape == (150,) and set(labels) == {0, 1, 2}
    assert adjusted_rand_score(y, labels) > adjusted_rand_score(y, kmeans) - 0.05


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda e: type(e).__name__)
def test_clone_of_a_fitted_estimator_is_unfitted_with_the_same_params(estimator):
    X, y = load_iris(return_X_y=True)
    X = MinMaxScaler().fit_transform(X)
    if isinstance(estimator, (LogisticRegression, Perceptron)):
        X, y = X[y < 2], y[y < 2]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the perceptron may not converge in 10 epochs
        fitted = clone(estimator).fit(X, y)
    check_is_fitted(fitted)
    twin = clone(fitted)
    assert type(twin) is type(estimator) and twin.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        check_is_fitted(twin)
    with pytest.raises(NotFittedError, match=f"{type(estimator).__name__}: call fit"):
        (twin.predict if hasattr(twin, "predict") else twin.transform)(X)
    name = next(iter(twin.get_params()))
    twin.set_params(**{name: None})
    assert getattr(fitted, name) is not None  # the clone's parameters are its own


def test_set_params_names_the_valid_parameters():
    with pytest.raises(ValueError, match=r"LinearSVM: invalid parameter 'loss'; the "
                                         r"parameters are \['reg', 'learning_rate'"):
        LinearSVM().set_params(loss="softmax")


@pytest.mark.parametrize("X,y,error,message", [
    (np.eye(4) + 0j, [0, 1, 0, 1], ValueError, "Complex data not supported"),
    (np.array([[{}], [1], [2], [3]], dtype=object), [0, 1, 0, 1], TypeError,
     "X must be numeric: float.. argument must be"),
    (np.eye(4), [0.5, 1, 0, 1], ValueError, "Unknown label type: continuous"),
    (np.eye(4), None, ValueError, "this classifier requires y to be passed, but the target y"),
    (np.zeros((4, 0)), [0, 1, 0, 1], ValueError, r"X is empty: 0 feature\(s\)"),
    (np.zeros(4), [0, 1, 0, 1], ValueError, r"X must have 2 dims.*Reshape your data"),
])
def test_bad_input_errors_name_the_estimator(X, y, error, message):
    with pytest.raises(error, match=f"SoftmaxClassifier: {message}"):
        SoftmaxClassifier(n_epochs=1).fit(X, y)


def test_sparse_input_is_refused_by_name():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match="KNeighborsClassifier: X is a sparse csr_array; sparse "
                                        r"input is not supported, pass X.toarray\(\)"):
        KNeighborsClassifier(1).fit(sparse.csr_array(np.eye(3)), [0, 1, 2])


def test_a_column_y_is_flattened_with_sklearns_warning():
    with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
        model = KNeighborsClassifier(1).fit(np.eye(3), np.array([[0], [1], [2]]))
    np.testing.assert_array_equal(model.predict(np.eye(3)), [0, 1, 2])


def test_estimators_work_without_sklearn():
    """With sklearn unimportable: fit, predict, get/set_params, neuronet's own NotFittedError
    and DataConversionWarning; nothing tries to import sklearn."""
    code = """
import sys, warnings
sys.modules["sklearn"] = None  # any `import sklearn...` now raises ImportError
import numpy as np
from neuronet.classic import SOM, KNeighborsClassifier, SoftmaxClassifier
from neuronet.classic.base import DataConversionWarning, NotFittedError
X, y = np.eye(4), np.array([0, 1, 0, 1])
model = SoftmaxClassifier(n_epochs=2).set_params(reg=0.0)
assert model.fit(X, y) is model and model.get_params()["reg"] == 0.0
assert model.predict(X).shape == (4,) and model.n_features_in_ == 4
assert SOM(1, 2, n_iter=10).fit(X).labels_.shape == (4,)
try:
    KNeighborsClassifier(1).predict(X)
    raise AssertionError("predict before fit did not raise")
except NotFittedError as err:
    assert type(err) is NotFittedError and isinstance(err, RuntimeError)
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    KNeighborsClassifier(1).fit(X, y[:, None])
assert [w.category for w in caught] == [DataConversionWarning]
print("ok")
"""
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0 and run.stdout.strip() == "ok", run.stderr
