"""Synthetic spiral galaxies with known inclination, rendered by galforge (training and test data).

Each galaxy: an exponential disk (Sersic n = 1) whose axis ratio follows the inclination,
``q = sqrt(q0^2 + (1 - q0^2) cos^2 i)`` with intrinsic thickness q0 = 0.2, multiplied by a logarithmic
spiral modulation (m arms) in the disk plane; a Sersic bulge; field stars; a Moffat PSF; a sky level
and Gaussian noise. Label ``reject`` marks a galaxy a person would not measure:

* ``low_inclination``: i < 45 deg (IncliNET's rejected or face-on classes);
* ``faint``: peak signal-to-noise 2-5 (accepted galaxies have 10-300);
* ``star``: a star 1-5 times brighter than the galaxy on top of its disk;
* ``edge``: the galaxy centred 0-0.4 of its size from the cutout's edge (a bad crop).

Angles: ``pa`` in radians counter-clockwise from +y; ``inclination`` in degrees (90 = edge-on).
"""
import numpy as np

from ..convolve import convolve
from ..psf import moffat
from ..sersic import render_sersic

Q0 = 0.2
CATEGORIES = ("accept", "low_inclination", "faint", "star", "edge")


def axis_ratio(inclination_deg, q0=Q0):
    """Observed axis ratio of a disk of intrinsic thickness q0 at inclination i (degrees)."""
    c = np.cos(np.radians(inclination_deg))
    return np.sqrt(q0 * q0 + (1.0 - q0 * q0) * c * c)


def inclination_from_q(q, q0=Q0):
    """Inverse of ``axis_ratio``: cos^2 i = (q^2 - q0^2) / (1 - q0^2), clipped to [0, 90] degrees."""
    cos2 = np.clip((np.asarray(q, dtype=float) ** 2 - q0 * q0) / (1.0 - q0 * q0), 0.0, 1.0)
    return np.degrees(np.arccos(np.sqrt(cos2)))


def _spiral(shape, x0, y0, pa, q, h, rng):
    """Multiplicative m-armed logarithmic spiral pattern in the de-projected disk plane."""
    yy, xx = np.mgrid[0:shape[0], 0:shape[1]].astype(float)
    dx, dy = xx - x0, yy - y0
    u = -dx * np.sin(pa) + dy * np.cos(pa)          # along the major axis
    v = (-dx * np.cos(pa) - dy * np.sin(pa)) / q    # along the minor axis, de-projected
    r = np.hypot(u, v) + 1e-3
    phi = np.arctan2(v, u)
    m = rng.choice([2, 2, 3])
    pitch = np.radians(rng.uniform(10.0, 30.0))
    amp = rng.uniform(0.2, 0.7) * (1.0 - np.exp(-r / h))  # arms fade into the centre
    return 1.0 + amp * np.cos(m * phi - np.log(r / h) / np.tan(pitch) + rng.uniform(0, 2 * np.pi))


def render_galaxy(rng, size=96, category="accept", inclination=None):
    """One (size, size) float64 image and its truth (dict); ``rng`` a numpy Generator."""
    if category not in CATEGORIES:
        raise ValueError(f"category = {category!r} is invalid: expected one of {CATEGORIES}")
    if inclination is None:
        inclination = rng.uniform(0.0, 45.0) if category == "low_inclination" else rng.uniform(45.0, 90.0)
    q = float(axis_ratio(inclination))
    h = rng.uniform(2.5, 6.5) * size / 96.0                 # disk scale length, pixels
    pa = rng.uniform(0.0, np.pi)
    c = (size - 1) / 2.0
    x0, y0 = c + rng.uniform(-2, 2), c + rng.uniform(-2, 2)
    if category == "edge":
        offset = rng.uniform(0.0, 0.4) * 6.9 * h          # from the edge, in units of the size ~ 6.9 h
        angle = rng.uniform(0, 2 * np.pi)
        reach = c / max(abs(np.cos(angle)), abs(np.sin(angle)))
        x0, y0 = c + (reach - offset) * np.cos(angle), c + (reach - offset) * np.sin(angle)
    shape = (size, size)
    disk = render_sersic(shape, x0, y0, ie=1.0, r_e=1.678 * h, n=1.0, q=q, pa=pa)
    if rng.random() < 0.7:
        disk *= _spiral(shape, x0, y0, pa, q, h, rng)
    galaxy = disk
    if rng.random() < 0.7:
        bt = rng.uniform(0.02, 0.4)
        bulge = render_sersic(shape, x0, y0, ie=1.0, r_e=rng.uniform(0.15, 0.4) * 1.678 * h,
                              n=rng.uniform(2.0, 4.0), q=rng.uniform(0.6, 1.0), pa=pa + rng.normal(0, 0.3))
        galaxy = disk + bulge * (bt / (1 - bt)) * disk.sum() / bulge.sum()
    flux = galaxy.sum()
    stars = np.zeros(shape)
    for _ in range(rng.poisson(0.7)):
        stars[rng.integers(0, size), rng.integers(0, size)] += flux * 10 ** rng.uniform(-2.5, -0.5)
    if category == "star":
        r = rng.uniform(0.0, 0.3) * 6.9 * h
        a = rng.uniform(0, 2 * np.pi)
        iy, ix = int(round(y0 + r * np.sin(a))), int(round(x0 + r * np.cos(a)))
        stars[min(max(iy, 0), size - 1), min(max(ix, 0), size - 1)] += flux * rng.uniform(1.0, 5.0)
    fwhm = rng.uniform(1.0, 4.0) * size / 96.0
    psf = moffat(size=int(2 * round(3 * fwhm) + 1), fwhm=fwhm, beta=rng.uniform(2.5, 5.0))
    image = convolve(galaxy + stars, psf)
    peak = convolve(galaxy, psf).max()
    snr = 10 ** rng.uniform(np.log10(2.0), np.log10(5.0)) if category == "faint" else 10 ** rng.uniform(1.0, np.log10(300.0))
    sigma = peak / snr
    image += sigma * (rng.uniform(0.0, 20.0) + rng.standard_normal(shape))
    truth = {"inclination": float(inclination), "q": q, "pa": float(pa), "h": float(h), "x0": float(x0),
             "y0": float(y0), "fwhm": float(fwhm), "snr": float(snr), "category": category,
             "reject": category != "accept"}
    return image, truth


def render_galaxies(n, seed, size=96, reject_fraction=0.0):
    """``n`` galaxies from ``seed``: images (n, size, size) and a list of truth dicts.

    reject_fraction: share of rejected galaxies, split low_inclination 50 %, faint / star / edge
    one sixth each; the rest are accepted galaxies with i uniform in 45-90 deg.
    """
    rng = np.random.default_rng(seed)
    weights = np.array([1.0 - reject_fraction] + [reject_fraction * w for w in (0.5, 1 / 6, 1 / 6, 1 / 6)])
    cats = rng.choice(CATEGORIES, size=n, p=weights / weights.sum())
    images, truths = np.empty((n, size, size)), []
    for k, cat in enumerate(cats):
        images[k], t = render_galaxy(rng, size, str(cat))
        truths.append(t)
    return images, truths


__all__ = ["CATEGORIES", "Q0", "axis_ratio", "inclination_from_q", "render_galaxies", "render_galaxy"]
