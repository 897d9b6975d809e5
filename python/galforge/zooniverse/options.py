"""Keyword handling shared by the reducers: the reference's defaults and casts (``eps: 5`` -> 5.0)."""
from ..errors import GalforgeValueError


def options(name, kwargs, defaults, ignored=()):
    """``{key: cast value or default}`` for every key of ``defaults`` (``{key: (default, type)}``).

    A value that does not cast falls back to the default, as in the reference; a keyword that is
    neither in ``defaults`` nor in ``ignored`` raises :class:`GalforgeValueError` naming it.
    """
    unknown = sorted(set(kwargs) - set(defaults) - set(ignored))
    if unknown:
        raise GalforgeValueError(f"{name}: unknown keyword(s) {unknown}; expected some of {sorted(defaults)}")
    out = {}
    for key, (default, cast) in defaults.items():
        value = kwargs.get(key, default)
        if key in kwargs and value is not None:
            try:
                value = cast(value)
            except (TypeError, ValueError):
                value = default
        out[key] = value
    return out
