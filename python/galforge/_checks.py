"""Argument checks shared by the Python layer: every failure names the argument and its value."""
import math
import numbers

import numpy as np

from .errors import GalforgeValueError


def finite(name, value):
    """Return ``value`` as a float, or raise if it is not a finite real number."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Real, np.floating, np.integer)):
        raise GalforgeValueError(f"{name} = {value!r} is invalid: expected a finite real number")
    value = float(value)
    if not math.isfinite(value):
        raise GalforgeValueError(f"{name} = {value!r} is invalid: expected a finite real number")
    return value


def shape2d(name, shape):
    """Return ``shape`` as a tuple of two positive ints."""
    try:
        ny, nx = (int(s) for s in shape)
        ok = all(int(s) == s for s in shape)
    except (TypeError, ValueError):
        ok = False
    if not ok or ny <= 0 or nx <= 0:
        raise GalforgeValueError(f"{name} = {shape!r} is invalid: expected (ny, nx) with positive integers")
    return ny, nx


def image2d(name, array, allow_nonfinite=False):
    """Return ``array`` as a C-contiguous float64 2-d array (converted once, here)."""
    arr = np.asarray(array)
    if arr.ndim != 2:
        raise GalforgeValueError(f"{name} must be a 2-d array, got ndim = {arr.ndim} (shape {arr.shape})")
    if arr.size == 0:
        raise GalforgeValueError(f"{name} must be non-empty, got shape {arr.shape}")
    if not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise GalforgeValueError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = np.ascontiguousarray(arr, dtype=np.float64)
    if not allow_nonfinite and not np.isfinite(arr).all():
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(arr))[0])
        raise GalforgeValueError(f"{name} has a non-finite value {arr[bad]!r} at index {bad}")
    return arr


def positive_int(name, value, minimum=1):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (numbers.Integral, np.integer)) or value < minimum:
        raise GalforgeValueError(f"{name} = {value!r} is invalid: expected an integer >= {minimum}")
    return int(value)
