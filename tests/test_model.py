"""Models: components composed, convolved on an extended grid; checked against scipy and direct sums."""
import numpy as np
import pytest
from scipy import signal

import galforge as gf
from galforge.errors import GalforgeValueError

BULGE = dict(x0=30.3, y0=28.7, ie=5.0, r_e=3.0, n=4.0, q=0.8, pa=0.3)
DISK = dict(x0=30.3, y0=28.7, ie=1.0, r_e=10.0, n=1.0, q=0.5, pa=0.3)


def test_model_without_psf_is_the_sum_of_its_components():
    model = gf.Model((60, 62), [gf.Sersic(**BULGE), gf.Sersic(**DISK), gf.Sky(level=0.5, dx=0.01, dy=-0.02)])
    x = np.arange(62)[None, :]
    y = np.arange(60)[:, None]
    expected = gf.render_sersic((60, 62), **BULGE) + gf.render_sersic((60, 62), **DISK) + 0.5 + 0.01 * x - 0.02 * y
    np.testing.assert_allclose(model.render(), expected, rtol=1e-13)


def test_model_with_psf_convolves_an_extended_grid():
    psf = gf.psf.moffat(size=13, fwhm=3.0, beta=3.0)
    model = gf.Model((60, 62), [gf.Sersic(**BULGE), gf.Sersic(**DISK)], psf=psf)
    big = gf.render_sersic((72, 74), **BULGE, origin=(-6, -6)) + gf.render_sersic((72, 74), **DISK, origin=(-6, -6))
    expected = signal.fftconvolve(big, psf, mode="same")[6:66, 6:68]
    np.testing.assert_allclose(model.render(), expected, rtol=0, atol=1e-12 * expected.max())
    not_extended = gf.Model((60, 62), [gf.Sersic(**BULGE)], psf=psf, extend=False).render()
    np.testing.assert_allclose(not_extended, signal.fftconvolve(gf.render_sersic((60, 62), **BULGE), psf, mode="same"),
                               rtol=0, atol=1e-12 * not_extended.max())


def test_extended_grid_scatters_light_from_outside_the_frame():
    """A source just outside the frame: the model equals the crop of a model on a larger frame."""
    psf = gf.psf.gaussian(size=15, fwhm=4.0)
    source = dict(x0=-2.0, y0=20.0, ie=3.0, r_e=1.5, n=1.0)
    inside = gf.Model((40, 40), [gf.Sersic(**source)], psf=psf).render()
    shifted = dict(source, x0=source["x0"] + 20)
    larger = gf.Model((40, 80), [gf.Sersic(**shifted)], psf=psf, extend=False).render()[:, 20:60]
    np.testing.assert_allclose(inside, larger, rtol=0, atol=1e-9 * larger.max())
    assert inside.sum() > 0.1 * gf.sersic_total_flux(3.0, 1.5, 1.0)


def test_point_source_is_the_shifted_psf_with_its_flux_and_centroid():
    psf = gf.psf.gaussian(size=21, fwhm=3.0)
    for x0, y0 in [(20.0, 15.0), (20.3, 15.8)]:
        image = gf.Model((40, 44), [gf.PointSource(x0=x0, y0=y0, flux=7.0)], psf=psf).render()
        assert image.sum() == pytest.approx(7.0, rel=1e-9)
        yy, xx = np.mgrid[:40, :44]
        # Fourier interpolation of a PSF with ~3e-4 of its power at Nyquist: centroid to ~1e-4 px.
        assert (image * xx).sum() / image.sum() == pytest.approx(x0, abs=5e-4)
        assert (image * yy).sum() / image.sum() == pytest.approx(y0, abs=5e-4)
    image = gf.Model((40, 44), [gf.PointSource(x0=20, y0=15, flux=2.0)], psf=psf).render()
    np.testing.assert_allclose(image[5:26, 10:31], 2.0 * psf, atol=1e-15)


def test_bad_models_raise():
    with pytest.raises(GalforgeValueError, match="component"):
        gf.Model((10, 10), ["disk"])
    with pytest.raises(GalforgeValueError, match="psf"):
        gf.Model((10, 10), [], psf=np.zeros((3, 3)))
    with pytest.raises(GalforgeValueError, match="PSF"):
        gf.Model((10, 10), [gf.PointSource(1, 1, 1)]).render()
    with pytest.raises(GalforgeValueError, match="level"):
        gf.Sky(level=np.nan)
    with pytest.raises(GalforgeValueError, match="no parameter"):
        gf.components.Component.__init__(gf.Sky(), bogus=1)


def test_components_round_trip_through_dicts():
    for c in [gf.Sersic(**BULGE, c=2.5, bn="cb99"), gf.Sky(level=1, dx=2), gf.PointSource(1, 2, 3)]:
        again = gf.components.component_from_dict(c.to_dict())
        assert again.to_dict() == c.to_dict()
