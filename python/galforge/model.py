"""A model image: components summed, the extended ones convolved with the PSF."""
import numpy as np

from ._checks import image2d, positive_int, shape2d
from .components import Component
from .convolve import Convolver
from .errors import GalforgeValueError


class Model:
    """Components on an image grid of ``shape`` (ny, nx), optionally convolved with ``psf``.

    oversample: None (adaptive pixel integration to ``tolerance``) or k (uniform k x k).
    extend: render the PSF-convolved components on a grid larger by the PSF half-width on each side,
        so that light from just outside the frame is scattered in (as imfit does).
    """

    def __init__(self, shape, components, psf=None, oversample=None, tolerance=1e-4, extend=True,
                 normalize_psf=True, threads=1):
        self.shape = shape2d("shape", shape)
        self.components = list(components)
        for c in self.components:
            if not isinstance(c, Component):
                raise GalforgeValueError(f"component {c!r} is not a galforge component")
        self.psf = None if psf is None else image2d("psf", psf)
        if self.psf is not None and normalize_psf:
            total = self.psf.sum()
            if total == 0:
                raise GalforgeValueError("psf sum = 0 cannot be normalised to 1")
            self.psf = self.psf / total
        self.oversample = oversample if oversample is None else positive_int("oversample", oversample)
        self.tolerance = tolerance
        self.extend = bool(extend)
        self.threads = positive_int("threads", threads)
        self._convolver = None

    @property
    def margin(self):
        """(my, mx) pixels added on each side of the grid of PSF-convolved components."""
        if self.psf is None or not self.extend:
            return 0, 0
        return self.psf.shape[0] // 2, self.psf.shape[1] // 2

    def _convolve(self, image):
        if self._convolver is None or self._convolver.shape != image.shape:
            self._convolver = Convolver(self.psf, image.shape, normalize=False)
        return self._convolver(image, out=image, threads=self.threads)

    def render(self):
        """The model image, float64 (ny, nx)."""
        ny, nx = self.shape
        my, mx = self.margin
        grid = np.zeros((ny + 2 * my, nx + 2 * mx))
        options = dict(oversample=self.oversample, tolerance=self.tolerance, threads=self.threads, psf=self.psf)
        extended = [c for c in self.components if c.before_psf]
        for c in extended:
            c.render_into(grid, origin=(-float(mx), -float(my)), **options)
        if self.psf is not None and extended:
            self._convolve(grid)
        image = np.ascontiguousarray(grid[my:my + ny, mx:mx + nx])
        for c in self.components:
            if not c.before_psf:
                c.render_into(image, origin=(0.0, 0.0), **options)
        return image

    def to_dict(self):
        return {"shape": list(self.shape), "components": [c.to_dict() for c in self.components],
                "oversample": self.oversample, "tolerance": self.tolerance, "extend": self.extend}


__all__ = ["Model"]
