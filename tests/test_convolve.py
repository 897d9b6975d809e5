"""FFT convolution against scipy.signal.fftconvolve; PSF images against analytic integrals."""
import concurrent.futures

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import integrate, signal, special

import galforge as gf
from galforge.errors import GalforgeValueError


@pytest.mark.parametrize("image_shape", [(64, 64), (37, 50), (1, 9), (128, 96)])
@pytest.mark.parametrize("psf_shape", [(1, 1), (5, 5), (6, 4), (25, 25), (11, 8)])
def test_matches_scipy_fftconvolve_same(image_shape, psf_shape):
    rng = np.random.default_rng(1)
    image = rng.normal(size=image_shape) + 3.0
    psf = rng.random(psf_shape) + 0.1
    expected = signal.fftconvolve(image, psf / psf.sum(), mode="same")
    result = gf.convolve(image, psf)
    assert np.abs(result - expected).max() <= 1e-10 * np.abs(expected).max()


def test_normalize_false_keeps_the_psf_scale():
    rng = np.random.default_rng(2)
    image, psf = rng.random((40, 30)), rng.random((7, 7))
    expected = signal.fftconvolve(image, psf, mode="same")
    np.testing.assert_allclose(gf.convolve(image, psf, normalize=False), expected, rtol=0, atol=1e-12 * expected.max())


def test_convolver_is_reusable_threadsafe_and_thread_count_invariant():
    rng = np.random.default_rng(3)
    psf = gf.psf.moffat(size=25, fwhm=3.0, beta=3.5)
    conv = gf.Convolver(psf, (128, 128))
    images = [rng.random((128, 128)) for _ in range(6)]
    expected = [signal.fftconvolve(im, psf, mode="same") for im in images]
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(conv, images))
    for r, e in zip(results, expected):
        np.testing.assert_allclose(r, e, rtol=0, atol=1e-12)
    np.testing.assert_allclose(conv(images[0], threads=2), conv(images[0]), rtol=1e-14, atol=1e-15)
    out = np.empty((128, 128))
    assert conv(images[1], out=out) is out


def test_point_source_maps_to_the_psf_centre():
    """A delta function returns the PSF, its pixel [(k - 1) // 2] on the delta (odd and even)."""
    for k in (5, 6):
        psf = np.arange(1.0, k * k + 1).reshape(k, k)
        image = np.zeros((15, 15))
        image[7, 7] = 1.0
        result = gf.convolve(image, psf)
        c = (k - 1) // 2
        np.testing.assert_allclose(result[7 - c:7 - c + k, 7 - c:7 - c + k], psf / psf.sum(), atol=1e-14)


def test_flux_is_conserved_away_from_edges():
    image = np.zeros((64, 64))
    image[30:34, 28:31] = 2.5
    assert gf.convolve(image, gf.psf.gaussian(size=15, fwhm=2.5)).sum() == pytest.approx(image.sum(), rel=1e-12)


@pytest.mark.parametrize("psf, message", [
    (np.full((3, 3), np.nan), "non-finite"), (np.zeros((3, 3)), "sum"), (np.ones(5), "2-d"),
    (np.ones((0, 3)), "non-empty"), (np.array([[1, -1], [1, -1]], float), "sum"),
])
def test_bad_psf_raises(psf, message):
    with pytest.raises(GalforgeValueError, match=message):
        gf.Convolver(psf, (10, 10))


def test_bad_image_raises():
    conv = gf.Convolver(np.ones((3, 3)), (10, 10))
    with pytest.raises(ValueError, match="shape"):
        conv(np.zeros((10, 11)))
    with pytest.raises(ValueError, match="non-finite"):
        conv(np.full((10, 10), np.inf))
    with pytest.raises(ValueError, match="shape"):
        gf.Convolver(np.ones((3, 3)), (0, 10))


@settings(max_examples=60, deadline=None)
@given(ny=st.integers(1, 40), nx=st.integers(1, 40), ky=st.integers(1, 12), kx=st.integers(1, 12),
       seed=st.integers(0, 2**32 - 1))
def test_random_shapes_match_scipy(ny, nx, ky, kx, seed):
    rng = np.random.default_rng(seed)
    image, psf = rng.normal(size=(ny, nx)), rng.random((ky, kx)) + 0.01
    expected = signal.fftconvolve(image, psf / psf.sum(), mode="same")
    result = gf.convolve(image, psf)
    assert np.abs(result - expected).max() <= 1e-10 * max(np.abs(expected).max(), 1e-300)


def test_gaussian_psf_pixels_are_exact_integrals():
    size, fwhm = 9, 2.2
    sigma = fwhm / (2 * np.sqrt(2 * np.log(2)))
    edges = np.arange(size + 1) - size / 2
    line = np.diff(special.ndtr(edges / sigma))
    psf = gf.psf.gaussian(size=size, fwhm=fwhm)
    np.testing.assert_allclose(psf, np.outer(line, line) / np.outer(line, line).sum(), rtol=1e-10)


def test_moffat_psf_pixels_match_quadrature():
    size, fwhm, beta = 11, 3.0, 2.5
    alpha = fwhm / (2 * np.sqrt(2 ** (1 / beta) - 1))
    psf = gf.psf.moffat(size=size, fwhm=fwhm, beta=beta, normalize=False)
    c = (size - 1) / 2
    for i, j in [(5, 5), (5, 6), (3, 8), (0, 0)]:
        val, _ = integrate.dblquad(lambda y, x: (1 + (x * x + y * y) / alpha**2) ** -beta,
                                   j - c - 0.5, j - c + 0.5, i - c - 0.5, i - c + 0.5, epsrel=1e-12)
        assert psf[i, j] == pytest.approx(val, rel=1e-7)
    # FWHM: the profile is half its peak at r = fwhm / 2.
    assert (1 + (fwhm / 2 / alpha) ** 2) ** -beta == pytest.approx(0.5)


@pytest.mark.parametrize("kwargs", [dict(fwhm=0.0), dict(fwhm=-1.0), dict(size=0), dict(fwhm=np.nan)])
def test_bad_psf_parameters(kwargs):
    with pytest.raises(ValueError):
        gf.psf.gaussian(**kwargs)
    with pytest.raises(ValueError):
        gf.psf.moffat(**kwargs)
    with pytest.raises(ValueError, match="beta"):
        gf.psf.moffat(beta=1.0)
