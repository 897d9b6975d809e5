"""Point-spread functions as pixel-integrated, normalised images centred at (size - 1) / 2."""
import numpy as np
from math import erf, sqrt

from ._checks import finite, positive_int
from .errors import GalforgeValueError

_GL_NODES, _GL_WEIGHTS = np.polynomial.legendre.leggauss(8)


def _size(size):
    size = positive_int("size", size)
    return size


def _grid(size):
    return np.arange(size, dtype=np.float64) - (size - 1) / 2.0


def gaussian(size=25, fwhm=3.0, normalize=True):
    """Circular Gaussian PSF, exact pixel integrals (erf), on a ``size`` x ``size`` grid.

    fwhm in pixels; the centre is the middle pixel for odd sizes.
    """
    size = _size(size)
    fwhm = finite("fwhm", fwhm)
    if fwhm <= 0:
        raise GalforgeValueError(f"fwhm = {fwhm!r} is invalid: expected > 0")
    sigma = fwhm / (2.0 * sqrt(2.0 * np.log(2.0)))
    edges = np.append(_grid(size) - 0.5, (size - 1) / 2.0 + 0.5) / (sqrt(2.0) * sigma)
    cdf = 0.5 * np.array([erf(e) for e in edges])
    line = np.diff(cdf)
    psf = np.outer(line, line)
    return psf / psf.sum() if normalize else psf


def moffat(size=25, fwhm=3.0, beta=3.5, normalize=True):
    """Circular Moffat PSF (1 + (r/alpha)^2)^-beta, pixel-integrated by 8x8 Gauss-Legendre.

    fwhm in pixels, alpha = fwhm / (2 sqrt(2^(1/beta) - 1)); beta > 1.
    """
    size = _size(size)
    fwhm = finite("fwhm", fwhm)
    beta = finite("beta", beta)
    if fwhm <= 0:
        raise GalforgeValueError(f"fwhm = {fwhm!r} is invalid: expected > 0")
    if beta <= 1:
        raise GalforgeValueError(f"beta = {beta!r} is invalid: expected > 1")
    alpha = fwhm / (2.0 * np.sqrt(2.0 ** (1.0 / beta) - 1.0))
    offsets = 0.5 * _GL_NODES
    weights = 0.5 * _GL_WEIGHTS
    centres = _grid(size)
    xs = (centres[:, None] + offsets[None, :]).ravel()  # (size * 8,)
    w = np.tile(weights, size)
    r2 = xs[:, None] ** 2 + xs[None, :] ** 2
    fine = (1.0 + r2 / alpha**2) ** (-beta) * (w[:, None] * w[None, :])
    psf = fine.reshape(size, 8, size, 8).sum(axis=(1, 3))
    return psf / psf.sum() if normalize else psf


__all__ = ["gaussian", "moffat"]
