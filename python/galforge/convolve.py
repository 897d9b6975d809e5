"""FFT PSF convolution (C++ core, pocketfft) with the PSF transform cached per image shape.

The result equals ``scipy.signal.fftconvolve(image, psf, mode="same")``: the PSF pixel
``[(ky - 1) // 2, (kx - 1) // 2]`` is the centre (the middle pixel for odd sizes, the lower-left of
the central four for even sizes).
"""
import numpy as np

from . import _core
from ._checks import image2d, positive_int, shape2d
from .errors import GalforgeValueError


class Convolver:
    """Convolve any number of images of one shape with one PSF.

    psf: 2-d array; normalize: divide it by its sum (default), so convolution conserves flux.
    """

    def __init__(self, psf, shape, normalize=True):
        psf = image2d("psf", psf)
        self.shape = shape2d("shape", shape)
        if normalize and psf.sum() == 0.0:
            raise GalforgeValueError("psf sum = 0 cannot be normalised to 1 (pass normalize=False to keep it)")
        self.psf = psf
        self.normalize = bool(normalize)
        self._core = _core.Convolver(psf, self.shape[0], self.shape[1], self.normalize)

    @property
    def padded_shape(self):
        """FFT size used: image + PSF - 1 per axis, rounded up to a fast length."""
        return self._core.padded_shape

    def __call__(self, image, out=None, threads=1):
        """Return the convolved image (written into ``out`` when given)."""
        image = image2d("image", image)
        if image.shape != self.shape:
            raise GalforgeValueError(f"image shape {image.shape} differs from the Convolver's shape {self.shape}")
        if out is None:
            out = np.empty(self.shape, dtype=np.float64)
        self._core.convolve(image, out, positive_int("threads", threads))
        return out


def convolve(image, psf, normalize=True):
    """One-off convolution of ``image`` with ``psf`` (see ``Convolver`` for the conventions)."""
    image = image2d("image", image)
    return Convolver(psf, image.shape, normalize=normalize)(image)


__all__ = ["Convolver", "convolve"]
