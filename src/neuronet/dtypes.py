"""The dtypes neuronet uses (NumPy's), and the default floating point dtype (float32)."""

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
uint8 = np.dtype(np.uint8)
bool_ = np.dtype(np.bool_)

_default = {"dtype": float32}

_NAMES = {
    "float32": float32, "float": float32, "float64": float64, "double": float64,
    "float16": float16, "half": float16, "int64": int64, "long": int64, "int32": int32,
    "int": int32, "uint8": uint8, "bool": bool_,
}


def as_dtype(dtype):
    """A NumPy dtype from a dtype, a NumPy type or a name such as 'float64'."""
    if isinstance(dtype, str):
        if dtype not in _NAMES:
            raise TypeError(f"unknown dtype {dtype!r}; valid names: {sorted(_NAMES)}")
        return _NAMES[dtype]
    return np.dtype(dtype)


def get_default_dtype():
    """The dtype that floating point data gets when none is given (float32 unless changed)."""
    return _default["dtype"]


def set_default_dtype(dtype):
    """Change the default floating point dtype (float32 or float64)."""
    dtype = as_dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"set_default_dtype: expected float32 or float64, got {dtype}")
    _default["dtype"] = dtype
