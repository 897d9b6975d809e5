"""Sersic profile rendering (C++ core) and its analytic properties.

Conventions: pixel ``[i, j]`` is centred at ``x = j``, ``y = i``; ``pa`` in radians, major axis
counter-clockwise from +y; ``r_e`` the semi-major half-light radius in pixels; ``ie`` the surface
brightness at ``r_e`` per pixel; generalised-ellipse radius ``R = (|u|^c + |v/q|^c)^(1/c)``.
"""
import numpy as np

from . import _core
from ._checks import finite, positive_int, shape2d
from .errors import GalforgeValueError

BN_METHODS = ("exact", "cb99")


def _bn_method(bn):
    if bn not in BN_METHODS:
        raise GalforgeValueError(f"bn = {bn!r} is invalid: expected one of {BN_METHODS}")
    return bn


def sersic_bn(n, bn="exact"):
    """b_n such that r_e encloses half the light: exact root of P(2n, b) = 1/2, or the CB99 series."""
    return _core.sersic_bn(finite("n", n), _bn_method(bn))


def sersic_total_flux(ie, r_e, n, q=1.0, c=2.0, bn="exact"):
    """Analytic total flux of a Sersic profile (boxiness included), in ie x pixel^2 units."""
    return _core.sersic_total_flux(finite("ie", ie), finite("r_e", r_e), finite("n", n), finite("q", q),
                                   finite("c", c), _bn_method(bn))


def render_sersic(shape, x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0, oversample=None, bn="exact",
                  tolerance=1e-4, out=None, window=None, origin=(0.0, 0.0), threads=1):
    """Render a Sersic profile's pixel values (pixel integrals) into a new or given image.

    oversample: None integrates each pixel adaptively to ``tolerance`` (relative, per pixel);
        an int k averages a uniform k x k sub-pixel grid (k = 1 samples pixel centres).
    out: an existing float64 C-contiguous array of ``shape`` to add into (returned).
    window: (y_begin, y_end, x_begin, x_end) pixel box to render into; the rest is untouched.
    origin: (x, y) coordinate of the centre of pixel [0, 0].
    """
    ny, nx = shape2d("shape", shape)
    if out is None:
        out = np.zeros((ny, nx), dtype=np.float64)
    elif not (isinstance(out, np.ndarray) and out.shape == (ny, nx)):
        raise GalforgeValueError(f"out must be a numpy array of shape {(ny, nx)}")
    k = 0 if oversample is None else positive_int("oversample", oversample)
    threads = positive_int("threads", threads)
    ox, oy = (finite("origin[0]", origin[0]), finite("origin[1]", origin[1]))
    if window is not None:
        try:
            window = tuple(int(w) for w in window)
        except (TypeError, ValueError):
            raise GalforgeValueError(f"window = {window!r} is invalid: expected (y_begin, y_end, x_begin, x_end)") from None
    _core.render_sersic_into(out, finite("x0", x0), finite("y0", y0), finite("ie", ie), finite("r_e", r_e),
                             finite("n", n), finite("q", q), finite("pa", pa), finite("c", c), _bn_method(bn),
                             k, finite("tolerance", tolerance), window, ox, oy, threads)
    return out


__all__ = ["render_sersic", "sersic_bn", "sersic_total_flux"]
