"""Sersic rendering against independent references: scipy special functions and quadrature."""
import concurrent.futures

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import integrate, special

import galforge as gf
from galforge.errors import GalforgeValueError

import sersic_reference as ref


@pytest.mark.parametrize("n", [0.2, 0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.7, 4.0, 6.0, 8.0, 10.0])
def test_bn_exact_matches_scipy_inverse_incomplete_gamma(n):
    b = gf.sersic_bn(n)
    assert b == pytest.approx(special.gammaincinv(2 * n, 0.5), rel=1e-12)
    assert special.gammainc(2 * n, b) == pytest.approx(0.5, abs=1e-13)


@pytest.mark.parametrize("n, rel_error", [(0.5, 3.6e-4), (1.0, 2.5e-5), (2.0, 1.3e-6)])
def test_bn_cb99_is_the_series_with_its_known_error(n, rel_error):
    """rendering.md section 0 quotes the CB99 relative error against the exact b_n."""
    assert gf.sersic_bn(n, bn="cb99") / special.gammaincinv(2 * n, 0.5) - 1 == pytest.approx(rel_error, rel=0.05)


@pytest.mark.parametrize("n", [0.5, 1.0, 2.0, 4.0, 6.0])
@pytest.mark.parametrize("q", [1.0, 0.5, 0.2])
@pytest.mark.parametrize("c", [1.5, 2.0, 3.0])
def test_total_flux_matches_quadrature_of_the_profile(n, q, c):
    """Total flux = q * area factor(c) * 2 pi int_0^inf I(R) R dR, the radial integral by quad."""
    ie, r_e = 1.7, 3.0
    radial, _ = integrate.quad(lambda r: ref.profile(0.0, r, 0.0, 0.0, ie, r_e, n) * r, 0, np.inf,
                               epsrel=1e-12, limit=500)
    area_factor = 4 * special.gamma(1 + 1 / c) ** 2 / special.gamma(1 + 2 / c) / np.pi
    expected = 2 * np.pi * q * area_factor * radial
    assert gf.sersic_total_flux(ie, r_e, n, q, c) == pytest.approx(expected, rel=1e-9)
    assert gf.Sersic(0, 0, ie, r_e, n, q, 0.3, c).total_flux() == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("n", [0.5, 1.0, 2.0, 4.0, 6.0])
@pytest.mark.parametrize("q", [1.0, 0.5, 0.2])
@pytest.mark.parametrize("c", [1.5, 2.0, 3.0])
def test_rendered_flux_matches_analytic_flux_inside_the_frame(n, q, c):
    shape = (100, 101)
    params = dict(x0=50.3, y0=47.8, ie=1.0, r_e=5.0, n=n, q=q, pa=0.7, c=c)
    image = gf.render_sersic(shape, **params)
    assert image.sum() == pytest.approx(ref.flux_in_frame(shape, **params), rel=2e-5)


def case_id(case):
    return "n{n}-re{r_e}-q{q}-c{c}".format(**case)


NEAR_CENTRE_CASES = [
    dict(n=0.3, r_e=0.5, q=1.0, c=2.0, pa=0.0),
    dict(n=1.0, r_e=0.5, q=0.4, c=2.0, pa=0.4),
    dict(n=2.5, r_e=1.5, q=0.7, c=2.0, pa=1.2),
    dict(n=4.0, r_e=0.5, q=1.0, c=2.0, pa=0.0),
    dict(n=4.0, r_e=6.0, q=0.3, c=2.0, pa=2.5),
    dict(n=8.0, r_e=0.5, q=0.6, c=2.0, pa=0.9),
    dict(n=8.0, r_e=3.0, q=1.0, c=2.0, pa=0.0),
    dict(n=1.0, r_e=2.0, q=0.5, c=3.0, pa=0.3),
    dict(n=2.0, r_e=1.0, q=0.8, c=1.6, pa=1.0),
]


@pytest.mark.parametrize("case", NEAR_CENTRE_CASES, ids=case_id)
def test_pixels_near_the_centre_match_scipy_quadrature(case):
    params = dict(x0=10.3, y0=9.6, ie=1.0, **case)
    image = gf.render_sersic((20, 21), **params)
    for i in range(8, 12):
        for j in range(8, 13):
            exact = ref.pixel_integral(i, j, params)
            assert abs(image[i, j] - exact) <= 1e-4 * max(exact, 1e-9 * params["ie"]), (i, j, image[i, j], exact)


WHOLE_IMAGE_CASES = [
    dict(n=0.5, r_e=6.0, q=0.4, c=2.0, pa=1.3),
    dict(n=1.0, r_e=1.5, q=0.4, c=2.0, pa=0.4),
    dict(n=2.5, r_e=15.0, q=0.15, c=2.0, pa=1.3),
    dict(n=4.0, r_e=1.5, q=0.4, c=2.0, pa=1.3),
    dict(n=8.0, r_e=6.0, q=0.8, c=2.0, pa=0.2),
    dict(n=1.0, r_e=4.0, q=0.5, c=3.5, pa=0.6),
    dict(n=1.0, r_e=4.0, q=0.5, c=1.6, pa=0.6),
]


@pytest.mark.parametrize("case", WHOLE_IMAGE_CASES, ids=case_id)
def test_every_pixel_matches_gauss_legendre_reference(case):
    """Pixels away from the centre against a 48x48-node Gauss-Legendre reference per pixel."""
    shape = (40, 41)
    params = dict(x0=20.3, y0=19.6, ie=1.0, **case)
    image = gf.render_sersic(shape, **params)
    exact = ref.pixel_integrals_gl(shape, params)
    yy, xx = np.mgrid[: shape[0], : shape[1]]
    away = (np.abs(xx - params["x0"]) > 3) | (np.abs(yy - params["y0"]) > 3)
    error = np.abs(image - exact) / np.maximum(exact, 1e-9 * params["ie"])
    assert error[away].max() <= 1e-4


@pytest.mark.parametrize("k", [1, 2, 5])
@pytest.mark.parametrize("n, c", [(0.5, 2.0), (1.0, 2.0), (2.0, 2.0), (4.0, 2.0), (3.3, 2.0), (0.7, 2.8)])
def test_uniform_oversampling_is_the_mean_of_subpixel_samples(k, n, c):
    params = dict(x0=12.4, y0=10.9, ie=2.0, r_e=4.0, n=n, q=0.6, pa=0.8, c=c)
    image = gf.render_sersic((22, 25), **params, oversample=k)
    sub = (np.arange(k) + 0.5) / k - 0.5
    ys = (np.arange(22)[:, None] + sub[None, :]).ravel()
    xs = (np.arange(25)[:, None] + sub[None, :]).ravel()
    fine = ref.profile(xs[None, :], ys[:, None], **params)
    expected = fine.reshape(22, k, 25, k).mean(axis=(1, 3))
    np.testing.assert_allclose(image, expected, rtol=1e-10)


def test_cb99_profile_uses_the_series():
    params = dict(x0=5.0, y0=5.0, ie=1.0, r_e=2.0, n=1.0, q=1.0, pa=0.0)
    image = gf.render_sersic((11, 11), **params, oversample=1, bn="cb99")
    b = gf.sersic_bn(1.0, "cb99")
    r = np.hypot(np.arange(11)[None, :] - 5.0, np.arange(11)[:, None] - 5.0)
    np.testing.assert_allclose(image, np.exp(-b * (r / 2.0 - 1.0)), rtol=1e-12)


def test_window_origin_and_out_compose():
    params = dict(x0=30.2, y0=20.7, ie=1.0, r_e=6.0, n=2.0, q=0.7, pa=0.4)
    full = gf.render_sersic((40, 60), **params)
    out = np.full((40, 60), 3.0)
    gf.render_sersic((40, 60), **params, out=out, window=(10, 30, 20, 45))
    np.testing.assert_allclose(out[10:30, 20:45] - 3.0, full[10:30, 20:45], rtol=1e-12, atol=1e-15)
    assert (out[:10] == 3.0).all() and (out[:, :20] == 3.0).all()
    # origin: the same profile on a grid shifted by (5, 4) pixels.
    shifted = gf.render_sersic((30, 50), **params, origin=(5.0, 4.0))
    np.testing.assert_allclose(shifted, full[4:34, 5:55], rtol=1e-12)


def test_threads_and_concurrent_calls_give_identical_images():
    params = dict(x0=100.3, y0=90.6, ie=1.0, r_e=12.0, n=3.0, q=0.6, pa=0.5)
    serial = gf.render_sersic((200, 210), **params)
    np.testing.assert_array_equal(gf.render_sersic((200, 210), **params, threads=2), serial)
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: gf.render_sersic((200, 210), **params), range(16)))
    for image in results:
        np.testing.assert_array_equal(image, serial)


BAD_PARAMETERS = [
    ("r_e", 0.0), ("r_e", -1.0), ("r_e", np.nan), ("q", 0.0), ("q", 1.5), ("q", -0.2), ("n", 0.1),
    ("n", 11.0), ("n", np.inf), ("c", 0.0), ("c", -2.0), ("ie", -1.0), ("ie", np.nan), ("x0", np.inf),
    ("pa", np.nan), ("y0", "3"), ("ie", 1e308),
]


@pytest.mark.parametrize("name, value", BAD_PARAMETERS)
def test_bad_parameters_raise_value_error_naming_them(name, value):
    params = dict(x0=5.0, y0=5.0, ie=1.0, r_e=2.0, n=1.0, q=0.5, pa=0.0, c=2.0)
    params[name] = value
    with pytest.raises(GalforgeValueError, match=name):
        gf.render_sersic((10, 10), **params)
    with pytest.raises(ValueError, match=name):
        gf.Sersic(**params)


@pytest.mark.parametrize("kwargs, name", [
    (dict(shape=(0, 5)), "shape"), (dict(shape=(5,)), "shape"), (dict(shape=(5.5, 3)), "shape"),
    (dict(oversample=0), "oversample"), (dict(oversample=-3), "oversample"), (dict(oversample=1000), "oversample"),
    (dict(tolerance=0.0), "tolerance"), (dict(tolerance=np.nan), "tolerance"), (dict(threads=0), "threads"),
    (dict(window=(0, 11, 0, 5)), "window"), (dict(window=(3, 2, 0, 5)), "window"), (dict(bn="exactly"), "bn"),
    (dict(out=np.zeros((10, 10), dtype=np.float32)), "float64"), (dict(out=np.zeros((20, 20))[::2, ::2]), "contiguous"),
])
def test_bad_options_raise_value_error(kwargs, name):
    args = dict(shape=(10, 10), x0=5.0, y0=5.0, ie=1.0, r_e=2.0, n=1.0)
    args.update(kwargs)
    with pytest.raises(ValueError, match=name):
        gf.render_sersic(**args)


finite = dict(allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x0=st.floats(-1e6, 1e6, **finite), y0=st.floats(-1e6, 1e6, **finite), ie=st.floats(0, 1e30, **finite),
       r_e=st.floats(1e-3, 1e6, **finite), n=st.floats(0.2, 10), q=st.floats(1e-3, 1.0, exclude_min=True),
       pa=st.floats(-1e3, 1e3, **finite), c=st.floats(0.5, 10), oversample=st.sampled_from([None, 1, 3]))
def test_any_valid_parameters_give_finite_non_negative_pixels(x0, y0, ie, r_e, n, q, pa, c, oversample):
    image = gf.render_sersic((9, 8), x0, y0, ie, r_e, n, q, pa, c, oversample=oversample)
    assert np.isfinite(image).all() and (image >= 0).all()


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(["x0", "y0", "ie", "r_e", "n", "q", "pa", "c"]),
       value=st.one_of(st.just(np.nan), st.just(np.inf), st.just(-np.inf), st.floats(-1e300, -1e-300),
                       st.floats(1e3, 1e300)))
def test_hostile_values_raise_or_render_finite(name, value):
    params = dict(x0=4.0, y0=4.0, ie=1.0, r_e=2.0, n=1.0, q=0.5, pa=0.0, c=2.0)
    params[name] = value
    try:
        image = gf.render_sersic((9, 9), **params)
    except GalforgeValueError as error:
        assert name in str(error)
    else:
        assert np.isfinite(image).all()
