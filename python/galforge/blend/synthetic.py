"""Stamps rendered by galforge: Sersic bulge + disk galaxies through a PSF, with neighbours and noise.

The embedded default input of ``galforge blend produce`` (no download). Each stamp holds a central
galaxy (an exponential disk and an n = 4 bulge sharing its centre, pixel ``[ny // 2, nx // 2]``) and
a Poisson number of single-Sersic neighbours, all convolved with a Moffat PSF, plus Gaussian sky
noise and Poisson-like source noise (variance = image / gain). The segmentation map labels each
pixel where the noiseless model exceeds ``threshold`` x sky sigma with the source brightest there
(labels are shuffled, as SExtractor's are arbitrary). Catalogue: ``mag = zeropoint - 2.5 log10(flux)``
of the central galaxy, ``radius`` its circular half-light radius in pixels (PSF included, measured
on the noiseless image), ``galtype`` from the bulge-to-total ratio (disk < 0.3 <= sphd < 0.7 <= sph),
``z`` unknown (NaN).
"""
import numpy as np

from .._checks import finite, positive_int
from ..convolve import Convolver
from ..errors import GalforgeValueError
from ..psf import moffat
from ..sersic import render_sersic, sersic_total_flux
from .stamps import StampSet

MIN_SIZE = 32


def _sersic(grid, origin, x0, y0, flux, r_e, n, q, pa):
    ie = flux / sersic_total_flux(1.0, r_e, n, q)
    render_sersic(grid.shape, x0, y0, ie, r_e, n, q, pa, out=grid, origin=origin)


def _half_light_radius(image, ring, radii):
    """Radius where the flux in circles around the centre reaches half the frame's (interpolated)."""
    cum = np.cumsum(np.bincount(ring, weights=image.ravel()))
    return max(float(np.interp(0.5 * cum[-1], cum, radii)), 0.5)


def synthetic_stamps(n=1000, size=128, seed=0, zeropoint=25.96, mag_range=(20.0, 25.0), psf_fwhm=2.5,
                     sky_sigma=0.005, gain=2000.0, neighbours=1.0, threshold=1.5, progress=None):
    """Render ``n`` stamps of ``size`` x ``size`` pixels (see the module docstring); returns a StampSet.

    seed: int or numpy Generator (all draws, noise included); zeropoint: magnitude of flux 1;
    mag_range: (bright, faint) magnitudes of the central galaxies; psf_fwhm in pixels;
    sky_sigma: Gaussian sky noise per pixel (flux units); gain: source noise variance = image / gain;
    neighbours: mean number of neighbours per stamp (Poisson); threshold: segmentation threshold in
    units of ``sky_sigma``; progress: a callable ``(iterable, total, desc) -> iterable``.
    """
    n = positive_int("n", n)
    size = positive_int("size", size, minimum=MIN_SIZE)
    rng = np.random.default_rng(seed)
    zeropoint, psf_fwhm = finite("zeropoint", zeropoint), finite("psf_fwhm", psf_fwhm)
    sky_sigma, gain = finite("sky_sigma", sky_sigma), finite("gain", gain)
    neighbours, threshold = finite("neighbours", neighbours), finite("threshold", threshold)
    bright, faint = (finite("mag_range[0]", mag_range[0]), finite("mag_range[1]", mag_range[1]))
    if not bright < faint:
        raise GalforgeValueError(f"mag_range = {tuple(mag_range)!r} is invalid: expected (bright, faint), bright < faint")
    for name, value in (("psf_fwhm", psf_fwhm), ("sky_sigma", sky_sigma), ("gain", gain), ("threshold", threshold)):
        if value <= 0:
            raise GalforgeValueError(f"{name} = {value!r} is invalid: expected > 0")
    if neighbours < 0:
        raise GalforgeValueError(f"neighbours = {neighbours!r} is invalid: expected >= 0")

    psf = moffat(size=min(25, size // 2 * 2 - 1), fwhm=psf_fwhm, beta=3.5)
    m = psf.shape[0] // 2
    origin = (-float(m), -float(m))
    conv = Convolver(psf, (size + 2 * m, size + 2 * m))
    c = size // 2
    yy, xx = np.mgrid[:size, :size]
    radii, ring = np.unique(np.hypot(yy - c, xx - c).ravel(), return_inverse=True)
    scale = size / 128.0  # sizes as for 128-px HST/WFC3 stamps at 0.06"/px

    images = np.empty((n, size, size), np.float32)
    segmaps = np.empty((n, size, size), np.int32)
    mag, radius = np.empty(n), np.empty(n)
    galtype = np.empty(n, dtype="<U4")
    for i in (progress or (lambda it, total, desc: it))(range(n), n, "rendering stamps"):
        mag[i] = rng.uniform(bright, faint)
        kind = rng.choice(3, p=[0.5, 0.3, 0.2])
        bt = rng.uniform(*[(0.0, 0.3), (0.3, 0.7), (0.7, 1.0)][kind])
        galtype[i] = ("disk", "sphd", "sph")[kind]
        flux = 10.0 ** (-0.4 * (mag[i] - zeropoint))
        r_disk = scale * float(np.clip(rng.lognormal(np.log(6.0) - 0.15 * (mag[i] - 22.5), 0.35), 1.5, 25.0))
        pa = rng.uniform(0.0, np.pi)
        sources = [np.zeros((size + 2 * m,) * 2)]
        _sersic(sources[0], origin, c, c, (1 - bt) * flux, r_disk, 1.0, rng.uniform(0.2, 1.0), pa)
        _sersic(sources[0], origin, c, c, bt * flux, max(0.5, r_disk * rng.uniform(0.15, 0.4)), 4.0,
                rng.uniform(0.6, 1.0), pa + rng.normal(0.0, 0.2))
        for _ in range(rng.poisson(neighbours)):
            r, phi = rng.uniform(0.3, 0.5) * size, rng.uniform(0.0, 2 * np.pi)
            grid = np.zeros_like(sources[0])
            _sersic(grid, origin, c + r * np.cos(phi), c + r * np.sin(phi),
                    10.0 ** (-0.4 * (rng.uniform(bright, faint + 1.0) - zeropoint)),
                    scale * rng.uniform(1.5, 8.0), rng.uniform(0.5, 4.0), rng.uniform(0.3, 1.0), rng.uniform(0, np.pi))
            sources.append(grid)
        models = np.stack([conv(g)[m:m + size, m:m + size] for g in sources])
        models = models[models[:, c, c] <= models[0, c, c]]  # the central galaxy dominates its centre
        total = models.sum(axis=0)
        radius[i] = _half_light_radius(models[0], ring, radii)
        sigma = np.sqrt(sky_sigma**2 + np.clip(total, 0.0, None) / gain)
        images[i] = total + sigma * rng.standard_normal(total.shape)
        labels = rng.permutation(np.arange(1, len(models) + 1))
        owner = models.argmax(axis=0)
        seg = np.where(total > threshold * sky_sigma, labels[owner], 0)
        core = models[0] > min(threshold * sky_sigma, 0.5 * models[0, c, c])
        seg[core & ((owner == 0) | (seg == 0))] = labels[0]
        segmaps[i] = seg
    return StampSet(images, segmaps, np.arange(1, n + 1), mag, radius, galtype)


__all__ = ["synthetic_stamps"]
