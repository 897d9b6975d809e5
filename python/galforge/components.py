"""Model components. A component renders itself into an image; ``before_psf`` says whether the
model convolves it with the PSF (Sersic) or adds it after convolution (sky, point sources, which
already carry the PSF)."""
import numpy as np

from ._checks import finite
from .errors import GalforgeValueError
from .sersic import BN_METHODS, render_sersic, sersic_total_flux


class Component:
    """Base class: named parameters in ``params`` (floats), serialisable with ``to_dict``."""

    kind = "component"
    before_psf = True
    parameter_names = ()

    def __init__(self, **params):
        unknown = set(params) - set(self.parameter_names)
        if unknown:
            raise GalforgeValueError(f"{type(self).__name__} has no parameter(s) {sorted(unknown)}; "
                                     f"expected {list(self.parameter_names)}")
        self.params = {name: finite(name, value) for name, value in params.items()}

    def __getattr__(self, name):
        params = self.__dict__.get("params", {})
        if name in params:
            return params[name]
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}")

    def to_dict(self):
        return {"kind": self.kind, **self.params}

    def __repr__(self):
        inner = ", ".join(f"{k}={v:.6g}" for k, v in self.params.items())
        return f"{type(self).__name__}({inner})"


class Sersic(Component):
    """Sersic profile: x0, y0 (px), ie (per pixel at r_e), r_e (px, semi-major), n, q, pa (rad), c."""

    kind = "sersic"
    parameter_names = ("x0", "y0", "ie", "r_e", "n", "q", "pa", "c")

    def __init__(self, x0, y0, ie, r_e, n=1.0, q=1.0, pa=0.0, c=2.0, bn="exact"):
        super().__init__(x0=x0, y0=y0, ie=ie, r_e=r_e, n=n, q=q, pa=pa, c=c)
        if bn not in BN_METHODS:
            raise GalforgeValueError(f"bn = {bn!r} is invalid: expected one of {BN_METHODS}")
        self.bn = bn
        self.total_flux()  # validates the parameter ranges now, not at render time

    def total_flux(self):
        p = self.params
        return sersic_total_flux(p["ie"], p["r_e"], p["n"], p["q"], p["c"], self.bn)

    def render_into(self, image, origin=(0.0, 0.0), oversample=None, tolerance=1e-4, window=None, threads=1, **_):
        render_sersic(image.shape, **self.params, oversample=oversample, bn=self.bn, tolerance=tolerance,
                      out=image, window=window, origin=origin, threads=threads)

    def to_dict(self):
        return {**super().to_dict(), "bn": self.bn}


class Sky(Component):
    """Sky background: level + dx * (x - x_ref) + dy * (y - y_ref), per pixel; added after the PSF."""

    kind = "sky"
    before_psf = False
    parameter_names = ("level", "dx", "dy", "x_ref", "y_ref")

    def __init__(self, level=0.0, dx=0.0, dy=0.0, x_ref=0.0, y_ref=0.0):
        super().__init__(level=level, dx=dx, dy=dy, x_ref=x_ref, y_ref=y_ref)

    def render_into(self, image, origin=(0.0, 0.0), **_):
        p = self.params
        ny, nx = image.shape
        x = origin[0] + np.arange(nx) - p["x_ref"]
        y = origin[1] + np.arange(ny) - p["y_ref"]
        image += p["level"] + p["dx"] * x[None, :] + p["dy"] * y[:, None]


class PointSource(Component):
    """A point source of total ``flux`` at (x0, y0): the model's PSF, shifted by Fourier phase.

    The PSF centre pixel is [(ky - 1) // 2, (kx - 1) // 2], as in convolution.
    """

    kind = "point"
    before_psf = False
    parameter_names = ("x0", "y0", "flux")

    def __init__(self, x0, y0, flux):
        super().__init__(x0=x0, y0=y0, flux=flux)

    def render_into(self, image, origin=(0.0, 0.0), psf=None, **_):
        if psf is None:
            raise GalforgeValueError("PointSource needs a model PSF (Model(..., psf=...))")
        p = self.params
        ky, kx = psf.shape
        pad = 2
        kernel = np.pad(psf / psf.sum(), pad)
        # Integer part placed exactly, fractional part by the Fourier shift theorem.
        x_pix, y_pix = p["x0"] - origin[0], p["y0"] - origin[1]
        ix, iy = int(np.floor(x_pix + 0.5)), int(np.floor(y_pix + 0.5))
        fx, fy = x_pix - ix, y_pix - iy
        if fx or fy:
            fy_freq = np.fft.fftfreq(kernel.shape[0])[:, None]
            fx_freq = np.fft.rfftfreq(kernel.shape[1])[None, :]
            phase = np.exp(-2j * np.pi * (fx_freq * fx + fy_freq * fy))
            kernel = np.fft.irfft2(np.fft.rfft2(kernel) * phase, s=kernel.shape)
        top, left = iy - (ky - 1) // 2 - pad, ix - (kx - 1) // 2 - pad
        ny, nx = image.shape
        y0, y1 = max(top, 0), min(top + kernel.shape[0], ny)
        x0, x1 = max(left, 0), min(left + kernel.shape[1], nx)
        if y0 < y1 and x0 < x1:
            image[y0:y1, x0:x1] += p["flux"] * kernel[y0 - top:y1 - top, x0 - left:x1 - left]


COMPONENT_TYPES = {cls.kind: cls for cls in (Sersic, Sky, PointSource)}


def component_from_dict(d):
    """Inverse of ``Component.to_dict``."""
    d = dict(d)
    kind = d.pop("kind", None)
    if kind not in COMPONENT_TYPES:
        raise GalforgeValueError(f"component kind = {kind!r} is invalid: expected one of {sorted(COMPONENT_TYPES)}")
    return COMPONENT_TYPES[kind](**d)


__all__ = ["Component", "Sersic", "Sky", "PointSource", "component_from_dict"]
