"""The optional dependencies of the reducers, checked once per call with a message naming the extra."""
import functools
import importlib.util

NEEDED = ("numpy", "scipy", "shapely", "sklearn")


@functools.cache
def require(*names):
    """Raise ImportError naming the ``zooniverse`` extra if any of ``names`` (default: all) is missing."""
    missing = [n for n in (names or NEEDED) if importlib.util.find_spec(n) is None]
    if missing:
        raise ImportError(f"galforge.zooniverse needs {', '.join(missing)} (scikit-learn for sklearn): "
                          "pip install 'galforge[zooniverse]'")
