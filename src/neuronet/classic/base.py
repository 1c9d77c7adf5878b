"""What every classic model shares: input checks, option lookup, and save/load without pickle.

A saved model is two files side by side: `<path>.json` (class name and the `__init__`
arguments) and `<path>.npz` (the learned arrays, the attributes ending in `_`), read back with
`allow_pickle=False`. Both are written atomically (temporary file, fsync, `os.replace`).
"""

import json

import numpy as np

from neuronet.io import atomic_write, write_bytes


def lookup(model, option, value, choices):
    """`choices[value]`, or a ValueError naming the model, the option and the valid choices."""
    if value not in choices:
        raise ValueError(
            f"{model}: {option} must be one of {sorted(choices)}, got {value!r}"
        )
    return choices[value]


def check_array(model, X, *, ndim=2, n_features=None, name="X", dtype=None):
    """X as a finite float array of `ndim` dims (float32 unless X is float64 or dtype is given).

    Raises ValueError naming `model` for the wrong number of dims, an empty array, a wrong
    feature count, or NaN/Inf.
    """
    X = np.asarray(X)
    if X.dtype.kind not in "biuf":
        raise TypeError(f"{model}: {name} must be numeric, got dtype {X.dtype}")
    if dtype is None:
        dtype = np.float64 if X.dtype == np.float64 else np.float32
    X = X.astype(dtype, copy=False)
    if X.ndim != ndim:
        raise ValueError(f"{model}: {name} must have {ndim} dims, got shape {X.shape}")
    if X.size == 0:
        raise ValueError(f"{model}: {name} is empty (shape {X.shape})")
    if n_features is not None and X.shape[-1] != n_features:
        raise ValueError(
            f"{model}: {name} has {X.shape[-1]} features but the model was fitted with "
            f"{n_features}"
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
    """(classes_, encoded) from (N,) labels: the sorted distinct labels and each sample's index
    into them. ValueError naming `model` for a shape other than (n_samples,) or NaN/Inf."""
    y = np.asarray(y)
    if y.ndim != 1 or len(y) != n_samples:
        raise ValueError(f"{model}: y must have shape ({n_samples},), got {y.shape}")
    if y.dtype.kind == "f" and not np.all(np.isfinite(y)):
        raise ValueError(f"{model}: y contains NaN or Inf")
    return np.unique(y, return_inverse=True)


def check_fitted(model):
    """Raise a clear error when a method that needs learned attributes runs before fit."""
    if not getattr(model, "_fitted", False):
        raise RuntimeError(f"{type(model).__name__}: call fit() before this method")


class ClassicModel:
    """Base class: `get_params`, `save(path)` and `load(path)` for the scikit-learn style models.

    Subclasses list their `__init__` argument names in `_params` and the learned array names
    (ending in `_`) in `_arrays`; scalar learned values go in `_scalars`.
    """

    _params = ()
    _arrays = ()
    _scalars = ()

    @property
    def _name(self):
        """The class name, which error messages start with (a subclass names itself)."""
        return type(self).__name__

    def get_params(self):
        return {name: getattr(self, name) for name in self._params}

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
    """Mixin of the classifiers: `score` is the accuracy of their `predict`."""

    def score(self, X, y):
        """Fraction of the samples X (N, D) whose predicted label equals y (N,)."""
        return float(np.mean(self.predict(X) == np.asarray(y)))


def _to_json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (list, tuple)):
        return [_to_json(v) for v in value]
    return value
