"""What every classic model shares: input checks, option lookup, save/load without pickle, and
scikit-learn's estimator API.

A saved model is two files side by side: `<path>.json` (class name and the `__init__`
arguments) and `<path>.npz` (the learned arrays, the attributes ending in `_`), read back with
`allow_pickle=False`. Both are written atomically (temporary file, fsync, `os.replace`).

scikit-learn compatibility is duck-typed, so that neuronet never needs scikit-learn:
`get_params`/`set_params` read the `__init__` signature, fitted models answer
`__sklearn_is_fitted__`, and `__sklearn_tags__` (which scikit-learn >= 1.6 calls on any
estimator, BaseEstimator or not) imports scikit-learn's tag classes only when called, which
only scikit-learn does.
"""

import functools
import inspect
import json
import sys
import warnings

import numpy as np

from neuronet.io import atomic_write, write_bytes


def lookup(model, option, value, choices):
    """`choices[value]`, or a ValueError naming the model, the option and the valid choices."""
    if value not in choices:
        raise ValueError(
            f"{model}: {option} must be one of {sorted(choices)}, got {value!r}"
        )
    return choices[value]


class NotFittedError(RuntimeError, ValueError, AttributeError):
    """A method that needs learned attributes ran before fit (an AttributeError and a
    ValueError, as scikit-learn's NotFittedError)."""


class DataConversionWarning(UserWarning):
    """Input was converted on the way in (as scikit-learn's warning of the same name)."""


@functools.cache
def _twin(ours, theirs):
    return type(ours.__name__, (ours, theirs), {"__module__": ours.__module__})


def _sklearn_kind(cls):
    """`cls`, or, once scikit-learn is loaded, a subclass of both `cls` and scikit-learn's
    class of the same name, so that its `except`/warning filters (meta-estimators, estimator
    checks) see ours. scikit-learn is never imported here."""
    exceptions = sys.modules.get("sklearn.exceptions")
    theirs = getattr(exceptions, cls.__name__, None)
    return cls if theirs is None else _twin(cls, theirs)


def check_array(model, X, *, ndim=2, n_features=None, name="X", dtype=None):
    """X as a finite float array of `ndim` dims (float32 unless X is float64 or dtype is given).

    Raises TypeError for sparse or non-numeric input, ValueError naming `model` for complex
    numbers, the wrong number of dims, an empty array, a wrong feature count, or NaN/Inf.
    """
    if hasattr(X, "tocsr"):  # a scipy.sparse matrix or array, without importing scipy
        raise TypeError(f"{model}: {name} is a sparse {type(X).__name__}; sparse input is not "
                        f"supported, pass {name}.toarray()")
    X = np.asarray(X)
    if X.dtype.kind == "c":
        raise ValueError(f"{model}: Complex data not supported ({name} has dtype {X.dtype})")
    if X.dtype.kind == "O":  # e.g. a list of lists that mixes types: numbers or an error
        try:
            X = X.astype(np.float64)
        except (TypeError, ValueError) as err:
            raise type(err)(f"{model}: {name} must be numeric: {err}") from err
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{model}: {name} must be numeric, got dtype {X.dtype}")
    if dtype is None:
        dtype = np.float64 if X.dtype == np.float64 else np.float32
    X = X.astype(dtype, copy=False)
    if X.ndim != ndim:
        hint = (f"; Reshape your data: {name}.reshape(-1, 1) for one feature or "
                f"{name}.reshape(1, -1) for one sample") if (X.ndim, ndim) == (1, 2) else ""
        raise ValueError(f"{model}: {name} must have {ndim} dims, got shape {X.shape}{hint}")
    if X.size == 0:
        what = "feature" if X.shape[0] else "sample"
        raise ValueError(f"{model}: {name} is empty: 0 {what}(s) (shape={X.shape}) while a "
                         "minimum of 1 is required.")
    if n_features is not None and X.shape[-1] != n_features:
        raise ValueError(
            f"{model}: {name} has {X.shape[-1]} features, but {model} is expecting "
            f"{n_features} features as input (the number it was fitted with)"
        )
    if not np.all(np.isfinite(X)):
        raise ValueError(f"{model}: {name} contains NaN or Inf")
    return X


def check_binary(model, X, values=(0, 1), name="X"):
    """Raise ValueError unless every entry of X is one of `values`."""
    bad = ~np.isin(X, values)
    if bad.any():
        raise ValueError(
            f"{model}: {name} must contain only {values}, found {X[bad].flat[0]!r}"
        )


def check_targets(model, y, n_samples):
    """(classes_, encoded) from (N,) class labels: the sorted distinct labels and each
    sample's index into them. A column (N, 1) is flattened with a DataConversionWarning.

    ValueError naming `model` for a missing y, a shape other than (n_samples,), NaN/Inf, or
    float labels that are not whole numbers (a regression target, not classes).
    """
    if y is None:
        raise ValueError(f"{model}: this classifier requires y to be passed, but the target y "
                         "is None")
    y = np.asarray(y)
    if y.shape == (n_samples, 1):
        # the message starts as scikit-learn's, which its estimator checks look for
        warnings.warn(f"A column-vector y was passed when a 1d array was expected; {model} "
                      f"flattens it to shape ({n_samples},)", _sklearn_kind(DataConversionWarning),
                      stacklevel=3)
        y = y[:, 0]
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(f"{model}: y must have shape ({n_samples},), got {y.shape}")
    if y.dtype.kind == "f":
        if not np.all(np.isfinite(y)):
            raise ValueError(f"{model}: y contains NaN or Inf")
        if np.any(y != np.round(y)):
            raise ValueError(f"{model}: Unknown label type: continuous (y holds floats that "
                             "are not whole numbers; a classifier needs class labels)")
    return np.unique(y, return_inverse=True)


def check_fitted(model):
    """Raise NotFittedError when a method that needs learned attributes runs before fit."""
    if not getattr(model, "_fitted", False):
        raise _sklearn_kind(NotFittedError)(
            f"{type(model).__name__}: call fit() before this method")


class ClassicModel:
    """Base class: scikit-learn's estimator API, `save(path)` and `load(path)`.

    The parameters are the `__init__` arguments, each stored under its own name (scikit-learn's
    rule). Subclasses list the learned array names (ending in `_`) in `_arrays`; scalar learned
    values go in `_scalars`.
    """

    _arrays = ()
    _scalars = ()

    @property
    def _name(self):
        """The class name, which error messages start with (a subclass names itself)."""
        return type(self).__name__

    @classmethod
    def _param_names(cls):
        """The `__init__` argument names, in signature order."""
        args = list(inspect.signature(cls.__init__).parameters.values())[1:]
        return [a.name for a in args if a.kind not in (a.VAR_POSITIONAL, a.VAR_KEYWORD)]

    def get_params(self, deep=True):
        """{name: value} of the `__init__` arguments. `deep` is scikit-learn's flag for nested
        estimators; no parameter here is one, so both values give the same dict."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params):
        """Set parameters by name (no checks until fit, as scikit-learn); returns self."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{self._name}: invalid parameter {name!r}; the parameters "
                                 f"are {valid}")
            setattr(self, name, value)
        return self

    def __sklearn_is_fitted__(self):
        return getattr(self, "_fitted", False)

    def __sklearn_tags__(self):
        """scikit-learn's tags: dense, finite, 2-D numeric input; no target needed. Only
        scikit-learn calls this, so importing it here never needs it elsewhere."""
        from sklearn.utils import Tags, TargetTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False))

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{self._name}({args})"

    def save(self, path):
        """Write `<path>.json` (class, parameters, learned scalars) and `<path>.npz` (arrays)."""
        check_fitted(self)
        params = self.get_params()
        if not isinstance(params.get("random_state"), (int, type(None))):
            params["random_state"] = None  # a Generator object cannot go into JSON
        meta = {
            "class": type(self).__name__,
            "params": params,
            "scalars": {k: _to_json(getattr(self, k)) for k in self._scalars},
        }
        text = json.dumps(meta, indent=2).encode()
        write_bytes(path + ".json", text)
        with atomic_write(path + ".npz") as f:
            np.savez(f, **self._state_arrays())

    @classmethod
    def load(cls, path):
        """Rebuild a model saved by `save(path)`; errors name the file and what is wrong."""
        try:
            with open(path + ".json") as f:
                meta = json.load(f)
        except (OSError, json.JSONDecodeError) as err:
            raise ValueError(f"{cls.__name__}.load: cannot read {path}.json: {err}") from err
        if meta.get("class") != cls.__name__:
            raise ValueError(
                f"{cls.__name__}.load: {path}.json holds a {meta.get('class')!r}, "
                f"not a {cls.__name__}"
            )
        model = cls(**meta["params"])
        try:
            with np.load(path + ".npz", allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files}
        except (OSError, EOFError, ValueError) as err:
            raise ValueError(f"{cls.__name__}.load: cannot read {path}.npz: {err}") from err
        for k, v in meta["scalars"].items():
            setattr(model, k, v)
        model._load_state_arrays(arrays, f"{cls.__name__}.load: {path}.npz")
        model._fitted = True
        return model

    def _state_arrays(self):
        """The learned arrays to save, by name."""
        return {k: getattr(self, k) for k in self._arrays}

    def _load_state_arrays(self, arrays, where):
        """Set the learned arrays from `arrays` (what `_state_arrays` saved)."""
        missing = [k for k in self._arrays if k not in arrays]
        if missing:
            raise ValueError(f"{where} lacks arrays {missing}")
        for k in self._arrays:
            setattr(self, k, arrays[k])


class Classifier:
    """Mixin of the classifiers: `score` is the accuracy of their `predict`.

    `_binary_only` marks the two-class models for scikit-learn's tags.
    """

    _binary_only = False

    def score(self, X, y):
        """Fraction of the samples X (N, D) whose predicted label equals y (N,)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))

    def __sklearn_tags__(self):
        from sklearn.utils import ClassifierTags

        tags = super().__sklearn_tags__()
        tags.estimator_type = "classifier"
        tags.target_tags.required = True
        tags.classifier_tags = ClassifierTags(multi_class=not self._binary_only)
        return tags


class Transformer:
    """Mixin of the models whose `transform` gives new features: `fit_transform`."""

    def fit_transform(self, X, y=None):
        """`fit(X, y).transform(X)`: X (N, D) -> (N, features)."""
        return self.fit(X, y).transform(X)

    def __sklearn_tags__(self):
        from sklearn.utils import TransformerTags

        tags = super().__sklearn_tags__()
        tags.transformer_tags = TransformerTags(preserves_dtype=["float64", "float32"])
        return tags


def _to_json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value
