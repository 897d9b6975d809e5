"""The profile components beyond the Sersic (Gaussian, Moffat, EdgeOnDisk, Exponential, DeVaucouleurs) and the
fitted PointSource: closed-form fluxes, pixel integrals against scipy quadrature, GalSim, Jacobians against
finite differences, invariants (flux, centroid, 180-degree symmetry, dict round trip), fits that recover the
truth, and hostile input."""
import math

import numpy as np
import pytest

import galforge as gf
from galforge import _core

integrate = pytest.importorskip("scipy.integrate")
special = pytest.importorskip("scipy.special")


# ---- independent references: the profiles written from their defining formulas ---------------------------

def _uv(p, x, y, q=1.0):
    dx, dy = x - p["x0"], y - p["y0"]
    sn, cs = math.sin(p["pa"]), math.cos(p["pa"])
    return -dx * sn + dy * cs, (dx * cs + dy * sn) / q


def reference(component):
    """The surface brightness f(x, y) of a component (scalars or arrays), from its formula (not the core)."""
    p = component.params
    if component.kind == "gaussian":
        def f(x, y):
            u, v = _uv(p, x, y, p["q"])
            norm = p["flux"] / (2 * math.pi * p["sigma"] ** 2 * p["q"])
            return norm * np.exp(-(u * u + v * v) / (2 * p["sigma"] ** 2))
    elif component.kind == "moffat":
        alpha = p["fwhm"] / (2 * math.sqrt(2 ** (1 / p["beta"]) - 1))

        def f(x, y):
            u, v = _uv(p, x, y, p["q"])
            return (p["flux"] * (p["beta"] - 1) / (math.pi * alpha ** 2 * p["q"]) *
                    (1 + (u * u + v * v) / alpha ** 2) ** -p["beta"])
    elif component.kind == "edgeondisk":
        def f(x, y):
            r, z = _uv(p, x, y)
            s = np.maximum(np.abs(r) / p["h"], 1e-300)  # s K1(s) -> 1 at s = 0
            return p["i0"] * s * special.k1(s) / np.cosh(np.minimum(np.abs(z) / p["z0"], 350)) ** 2
    else:
        raise AssertionError(component.kind)
    return f


def pixel_integral(f, i, j):
    return integrate.dblquad(lambda y, x: f(x, y), j - 0.5, j + 0.5, i - 0.5, i + 0.5, epsabs=0, epsrel=1e-10)[0]


def render(component, shape, psf=None, tolerance=1e-4, oversample=None):
    return gf.Model(shape, [component], psf=psf, tolerance=tolerance, oversample=oversample).render()


SMALL = {  # the narrowest profiles the components are meant for, off-centre and inclined
    "gaussian": gf.Gaussian(10.3, 9.8, 2.0, 0.5, 0.7, 0.4),
    "moffat": gf.Moffat(10.3, 9.8, 2.0, 1.0, 2.5, 0.6, 1.1),
    "edgeondisk": gf.EdgeOnDisk(10.3, 9.8, 2.0, 0.7, 0.3, 0.5),
}
MEDIUM = {
    "gaussian": gf.Gaussian(10.6, 10.2, 5.0, 2.5, 0.5, -0.7),
    "moffat": gf.Moffat(10.6, 10.2, 5.0, 3.0, 4.5, 0.8, 2.0),
    "edgeondisk": gf.EdgeOnDisk(10.6, 10.2, 1.0, 4.0, 1.2, 1.2),
}


@pytest.mark.parametrize("case", ["small", "medium"])
@pytest.mark.parametrize("kind", ["gaussian", "moffat", "edgeondisk"])
def test_pixels_match_scipy_quadrature(kind, case):
    component = (SMALL if case == "small" else MEDIUM)[kind]
    image = render(component, (21, 21))
    f = reference(component)
    peak = image.max()
    for i in range(6, 15, 2) if case == "medium" else range(7, 14):
        for j in range(6, 15, 2) if case == "medium" else range(7, 14):
            exact = pixel_integral(f, i, j)
            # The default tolerance 1e-4 per pixel; pixels below 1e-9 of the peak need only absolute accuracy.
            assert abs(image[i, j] - exact) <= 1e-4 * abs(exact) + 1e-13 * peak, (i, j, image[i, j], exact)


def test_small_profiles_at_a_pixel_centre_match_quadrature():
    for component in [gf.Gaussian(10.0, 10.0, 1.0, 0.3), gf.Moffat(10.0, 10.0, 1.0, 0.6, 1.5, 0.5, 0.2),
                      gf.EdgeOnDisk(10.0, 10.0, 1.0, 0.4, 0.2, 0.0)]:
        image, f = render(component, (21, 21)), reference(component)
        for i, j in [(10, 10), (10, 11), (11, 11), (9, 10)]:
            exact = pixel_integral(f, i, j)
            assert image[i, j] == pytest.approx(exact, rel=1e-4), (component, i, j)


def reference_image(component, shape, order=24, split=4):
    """Every pixel integrated by an (order x order) Gauss-Legendre rule on each of split x split sub-cells."""
    nodes, weights = np.polynomial.legendre.leggauss(order)
    offsets = ((np.arange(split)[:, None] + 0.5 * (nodes[None, :] + 1)) / split - 0.5).ravel()
    w = np.tile(weights / (2 * split), split)
    f = reference(component)
    image = np.zeros(shape)
    for i in range(shape[0]):
        ys = (i + offsets)[:, None, None]
        xs = (np.arange(shape[1])[:, None] + offsets[None, :])[None, :, :]  # (1, nx, nodes)
        values = f(xs, ys)  # (nodes_y, nx, nodes_x)
        image[i] = np.einsum("a,ajb,b->j", w, values, w)
    return image


@pytest.mark.parametrize("component", [
    gf.Gaussian(8.3, 7.6, 1.0, 1.2, 0.5, 0.5), gf.Gaussian(7.8, 8.4, 1.0, 0.7, 1.0, 0.0),
    gf.Moffat(8.3, 7.6, 1.0, 1.8, 1.5, 0.5, 2.5), gf.Moffat(7.8, 8.4, 1.0, 3.0, 6.0, 0.9, 0.2),
    gf.EdgeOnDisk(8.3, 7.6, 1.0, 2.0, 0.6, 0.3), gf.EdgeOnDisk(7.8, 8.4, 1.0, 1.0, 1.5, 1.7)], ids=str)
def test_every_pixel_matches_a_gauss_legendre_reference(component):
    # 96 x 96 nodes per pixel: exact to ~1e-9 for these smooth profiles (kinks excepted, where the adaptive
    # rule is forced and the quadrature tests above apply).
    shape = (16, 16)
    image, ref = render(component, shape), reference_image(component, shape)
    np.testing.assert_allclose(image, ref, rtol=1e-4, atol=1e-9 * ref.max())


@pytest.mark.parametrize("component, size", [
    (gf.Gaussian(60.2, 59.7, 3.0, 4.0, 0.6, 0.3), 121),
    (gf.Moffat(60.2, 59.7, 3.0, 3.0, 4.5, 0.7, 1.0), 201),  # (1 + R^2 / alpha^2)^(1 - beta) < 1e-9 beyond
    (gf.EdgeOnDisk(60.2, 59.7, 1.5, 3.0, 1.0, 0.8), 161),
])
def test_rendered_flux_is_the_closed_form_total(component, size):
    shifted = component.copy(x0=component.x0 + (size - 121) / 2, y0=component.y0 + (size - 121) / 2)
    total = render(shifted, (size, size)).sum()
    expected = {"gaussian": 3.0, "moffat": 3.0, "edgeondisk": 2 * math.pi * 1.5 * 3.0 * 1.0}[component.kind]
    assert shifted.total_flux() == pytest.approx(expected, rel=1e-14)
    assert total == pytest.approx(expected, rel=2e-6)


def test_edge_on_disk_integrates_to_the_quadrature_of_its_formula():
    # 2 pi i0 h z0 from the formula itself: int x K1(x) dx = pi / 2 per side, int sech^2 = 2.
    radial = integrate.quad(lambda x: x * special.k1(x), 0, np.inf)[0]
    vertical = integrate.quad(lambda t: 1 / math.cosh(t) ** 2, -50, 50)[0]
    assert 2 * radial * vertical == pytest.approx(2 * math.pi, rel=1e-9)


galsim = pytest.importorskip("galsim")


@pytest.mark.parametrize("component", [gf.Gaussian(30.3, 33.6, 10.0, 2.0, 0.6, 0.4),
                                       gf.Gaussian(30.3, 33.6, 10.0, 0.6, 0.6, 0.4),
                                       gf.Moffat(30.3, 33.6, 10.0, 3.0, 3.5, 0.6, 0.4),
                                       gf.Moffat(30.3, 33.6, 10.0, 2.0, 2.0, 0.8, -1.0)], ids=str)
def test_gaussian_and_moffat_match_galsim(component):
    # GalSim's shear keeps the area: its size parameter is the geometric mean, ours the major axis.
    p = component.params
    root_q = math.sqrt(p["q"])
    if component.kind == "gaussian":
        profile = galsim.Gaussian(flux=p["flux"], sigma=p["sigma"] * root_q)
    else:
        profile = galsim.Moffat(beta=p["beta"], fwhm=p["fwhm"] * root_q, flux=p["flux"])
    profile = profile.shear(q=p["q"], beta=(p["pa"] + math.pi / 2) * galsim.radians).withGSParams(
        galsim.GSParams(kvalue_accuracy=1e-8, folding_threshold=1e-4, maxk_threshold=1e-5))
    ny, nx = 64, 64
    theirs = profile.drawImage(nx=nx, ny=ny, scale=1.0, offset=(p["x0"] - (nx - 1) / 2, p["y0"] - (ny - 1) / 2)).array
    ours = render(component, (ny, nx), tolerance=1e-6)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=2e-6 * theirs.max())


# ---- Jacobians ---------------------------------------------------------------------------------------------

JACOBIAN_CASES = {
    "gaussian": gf.Gaussian(11.3, 10.6, 3.0, 1.7, 0.6, 0.4),
    "gaussian_small": gf.Gaussian(11.3, 10.6, 3.0, 0.6, 0.8, -0.4),
    "moffat": gf.Moffat(11.3, 10.6, 3.0, 2.5, 2.8, 0.7, 1.0),
    "edgeondisk": gf.EdgeOnDisk(11.3, 10.6, 1.0, 3.0, 1.1, 0.7),
    "exponential": gf.Exponential(11.3, 10.6, 1.0, 4.0, 0.6, 0.3),
    "point": gf.PointSource(11.3, 10.6, 4.0),
}


def jacobian(component, shape, psf, tolerance, oversample=0):
    from galforge.fit import _core_components
    specs = _core_components([component], shape, check_bounds=False)[0]
    return _core.component_jacobian(shape, specs, psf, oversample, tolerance, 1, True)


@pytest.mark.parametrize("oversample", [0, 3])
@pytest.mark.parametrize("case, with_psf", [(case, with_psf) for case in JACOBIAN_CASES for with_psf in (False, True)
                                            if with_psf or case != "point"])  # a point source needs a PSF
def test_jacobian_matches_finite_differences(case, with_psf, oversample):
    component = JACOBIAN_CASES[case]
    shape = (23, 23)
    psf = gf.psf.moffat(size=11, fwhm=2.5, beta=3.0) if with_psf else None
    # The adaptive rule refines discretely as parameters move: a tight tolerance keeps the jumps (~1e-8 of a
    # pixel) far below the finite-difference signal of a 1e-4 step.
    # (The Sersic kernel behind the Exponential, with c != 2 off the ellipse, needs test_fit's 1e-10 and 1e-5.)
    tolerance, step = (1e-10, 1e-5) if case == "exponential" else (1e-8, 1e-4)
    value, jac = jacobian(component, shape, psf, tolerance, oversample)
    rendered = render(component, shape, psf, tolerance, oversample or None)
    np.testing.assert_allclose(value, rendered, rtol=0, atol=1e-13 * rendered.max())  # (FFT rounding)
    names = component.fit_parameter_names
    for k, name in enumerate(names):
        if name in component.fixed and name == "n":  # Exponential: n is not a parameter of its own
            continue
        h = step * max(1.0, abs(component.params[name]))
        up = render(component.copy(**{name: component.params[name] + h}), shape, psf, tolerance, oversample or None)
        down = render(component.copy(**{name: component.params[name] - h}), shape, psf, tolerance, oversample or None)
        fd = (up - down) / (2 * h)
        scale = np.abs(jac[k]).max()
        assert scale > 0, name
        assert np.abs(fd - jac[k]).max() <= 2e-5 * scale, (name, np.abs(fd - jac[k]).max() / scale)


# ---- invariants (GalSim's check_basic, for every profile) -------------------------------------------------

def check_invariants(component, shape, flux=None, centroid=1e-6):
    """Finite, non-negative pixels; centroid at (x0, y0) (to `centroid` px; None: not checked); 180-degree
    symmetry about a pixel centre; flux; round trip through a dict."""
    image = render(component, shape)
    assert np.isfinite(image).all() and (image >= 0).all()
    yy, xx = np.mgrid[:shape[0], :shape[1]]
    total = image.sum()
    if centroid is not None:
        assert (image * xx).sum() / total == pytest.approx(component.x0, abs=centroid)
        assert (image * yy).sum() / total == pytest.approx(component.y0, abs=centroid)
    if flux is not None:
        assert total == pytest.approx(flux, rel=1e-5)
    centred = component.copy(x0=(shape[1] - 1) / 2, y0=(shape[0] - 1) / 2)
    symmetric = render(centred, shape)
    np.testing.assert_allclose(symmetric, symmetric[::-1, ::-1], rtol=1e-4, atol=1e-12 * symmetric.max())
    again = gf.components.component_from_dict(component.to_dict())
    assert type(again) is type(component) and again.to_dict() == component.to_dict()
    np.testing.assert_array_equal(render(again, shape), image)


# The centroid of a pixelised profile equals (x0, y0) only up to aliasing (the profile's Fourier transform at
# integer frequencies) and the light beyond the frame: exact for smooth resolved profiles (Gaussian, Moffat),
# ~1e-5 px for the exponential cusp of a disk, not checked for the de Vaucouleurs tail (~1% beyond 10 r_e).
@pytest.mark.parametrize("component, centroid", [
    (gf.Gaussian(40.3, 39.6, 2.0, 3.0, 0.5, 0.3), 1e-6),
    (gf.Moffat(40.3, 39.6, 2.0, 5.0, 8.0, 0.6, 0.3), 1e-6),
    (gf.EdgeOnDisk(40.3, 39.6, 0.5, 3.0, 2.0, 0.3), 1e-4),
    (gf.Exponential(40.3, 39.6, 0.5, 4.0, 0.6, 1.0), 3e-4),
    (gf.DeVaucouleurs(40.3, 39.6, 0.5, 2.0, 0.7, 1.0), None)], ids=str)
def test_invariants(component, centroid):
    flux = component.total_flux() if component.kind in ("gaussian", "moffat", "edgeondisk") else None
    check_invariants(component, (81, 81), flux, centroid)


def test_exponential_and_de_vaucouleurs_are_sersics_with_n_fixed():
    for cls, n in [(gf.Exponential, 1.0), (gf.DeVaucouleurs, 4.0)]:
        c = cls(20.2, 19.7, 1.5, 4.0, q=0.6, pa=0.3, fixed=())
        assert c.n == n and "n" in c.fixed and c.kind != "sersic"
        sersic = gf.Sersic(20.2, 19.7, 1.5, 4.0, n, 0.6, 0.3)
        np.testing.assert_array_equal(render(c, (40, 40)), render(sersic, (40, 40)))
        assert c.total_flux() == sersic.total_flux()
        with pytest.raises(ValueError, match="n fixed"):
            c.copy(n=2.0)
    assert gf.Exponential(0, 0, 1.0, 3.0).scale_length() == pytest.approx(3.0 / gf.sersic_bn(1.0))


# ---- the point source -------------------------------------------------------------------------------------

def fourier_shifted(psf, x0, y0, shape, pad=3):
    """The PSF at (x0, y0) by numpy's FFT on the PSF padded by `pad` (odd sizes): the exact band-limited shift."""
    ky, kx = psf.shape
    box = np.pad(psf, ((pad, pad + (ky + 2 * pad + 1) % 2), (pad, pad + (kx + 2 * pad + 1) % 2)))
    ix, iy = math.floor(x0 + 0.5), math.floor(y0 + 0.5)  # (C's round: halves away from zero, here x0 > 0)
    fx, fy = x0 - ix, y0 - iy
    ny, nx = box.shape
    phase = np.exp(-2j * np.pi * (np.fft.fftfreq(nx)[None, :] * fx + np.fft.fftfreq(ny)[:, None] * fy))
    shifted = np.fft.ifft2(np.fft.fft2(box) * phase).real
    out = np.zeros((shape[0] + 2 * ny, shape[1] + 2 * nx))
    top, left = iy - (ky - 1) // 2 - pad + ny, ix - (kx - 1) // 2 - pad + nx
    out[top:top + ny, left:left + nx] = shifted
    return out[ny:ny + shape[0], nx:nx + shape[1]]


@pytest.mark.parametrize("x0, y0", [(20.0, 15.0), (20.3, 15.8), (20.5, 14.49), (1.2, 38.9), (-3.4, 15.0)])
def test_point_source_is_the_fourier_shifted_psf(x0, y0):
    psf = gf.psf.moffat(size=21, fwhm=3.0, beta=3.0)
    psf[3, 4] += 0.01  # asymmetric, so a flipped or transposed shift would show
    psf /= psf.sum()
    image = gf.Model((40, 44), [gf.PointSource(x0, y0, 7.0)], psf=psf).render()
    np.testing.assert_allclose(image, 7.0 * fourier_shifted(psf, x0, y0, (40, 44)), rtol=0, atol=1e-12)
    if 3 < x0 < 40:
        assert image.sum() == pytest.approx(7.0, rel=1e-12)
    if x0 == 20.0:
        np.testing.assert_allclose(image[5:26, 10:31], 7.0 * psf, atol=1e-14)


def test_point_source_of_a_well_sampled_psf_matches_the_analytic_profile():
    # The Fourier shift of a sampled Gaussian PSF (FWHM 3 px) against the pixel-integrated Gaussian drawn at
    # the shifted position: the accuracy of the shift itself.
    sigma = 3.0 / (2 * math.sqrt(2 * math.log(2)))
    psf = render(gf.Gaussian(12.0, 12.0, 1.0, sigma), (25, 25), tolerance=1e-8)
    model = gf.Model((40, 40), [gf.PointSource(20.3, 18.6, 1.0)], psf=psf).render()
    truth = render(gf.Gaussian(20.3, 18.6, 1.0, sigma), (40, 40), tolerance=1e-8)
    assert np.abs(model - truth).max() <= 1e-4 * truth.max()


def test_point_source_needs_a_psf():
    with pytest.raises(ValueError, match="PointSource.*psf"):
        gf.Model((10, 10), [gf.PointSource(1, 1, 1)]).render()
    with pytest.raises(ValueError, match="PointSource.*psf"):
        gf.fit(gf.Model((10, 10), [gf.PointSource(1, 1, 1)]), np.zeros((10, 10)))
    with pytest.raises(ValueError, match="point source needs the model's PSF"):
        _core.render_model(np.zeros((5, 5)), [("point", [1.0, 1.0, 1.0], (0, 5, 0, 5), "exact", [])], None, 0, 1e-4,
                           1, True)


# ---- fits recover known parameters ------------------------------------------------------------------------

def recovered(truth, start, shape, psf=None, sigma=0.01, seed=1, sky=0.0, method="lm"):
    components = list(truth)
    model = gf.Model(shape, components, psf=psf)
    rng = np.random.default_rng(seed)
    data = model.render() + sky + rng.normal(0, sigma, shape)
    result = gf.fit(gf.Model(shape, list(start) + ([gf.Sky(0.0)] if sky else []), psf=psf), data, sigma=sigma,
                    method=method)
    assert result.success, result.message
    assert result.reduced_chi2 == pytest.approx(1.0, abs=0.15)
    for label, component in zip(result.values, truth):
        for name in component.fit_parameter_names:
            if name in component.fixed:
                continue
            value, error = result.values[label][name], result.errors[label][name]
            assert 0 < error < math.inf, (label, name)
            truth_value = component.params[name]
            assert abs(value - truth_value) <= 3.5 * error, (label, name, value, truth_value, error)
    return result


def moffat_psf():
    return gf.psf.moffat(size=13, fwhm=2.5, beta=3.0)


@pytest.mark.parametrize("truth, start", [
    (gf.Gaussian(20.3, 19.6, 5.0, 2.2, 0.6, 0.5), gf.Gaussian(21.0, 19.0, 3.0, 3.0, 0.8, 0.3)),
    (gf.Moffat(20.3, 19.6, 5.0, 3.0, 3.0, 0.7, 0.5), gf.Moffat(21.0, 19.0, 3.0, 4.0, 4.0, 0.9, 0.3)),
    (gf.EdgeOnDisk(20.3, 19.6, 0.5, 4.0, 1.2, 0.5), gf.EdgeOnDisk(21.0, 19.0, 0.3, 3.0, 1.5, 0.45)),
    (gf.Exponential(20.3, 19.6, 0.5, 5.0, 0.6, 0.5), gf.Exponential(21.0, 19.0, 0.3, 4.0, 0.8, 0.3)),
    (gf.DeVaucouleurs(20.3, 19.6, 0.5, 3.0, 0.7, 0.5), gf.DeVaucouleurs(21.0, 19.0, 0.3, 4.0, 0.8, 0.3)),
], ids=lambda c: type(c).__name__)
def test_fit_recovers_each_component(truth, start):
    recovered([truth], [start], (40, 40), psf=moffat_psf(), sigma=0.01)


@pytest.mark.parametrize("method", ["lm", "iterative"])
def test_point_sources_and_a_galaxy_in_a_crowded_field(method):
    # Stars in their own windows (cutouts keep the image's coordinates in the iterative fit).
    psf = moffat_psf()
    stars = [(24.6, 33.2, 40.0), (36.3, 25.8, 25.0), (12.4, 45.1, 60.0)]

    def window(x, y):
        return (round(y) - 10, round(y) + 11, round(x) - 10, round(x) + 11)

    truth = [gf.Sersic(30.2, 29.5, 0.4, 6.0, 1.5, 0.6, 0.7, name="galaxy")] + [
        gf.PointSource(x, y, f, name=f"star{k}", window=window(x, y)) for k, (x, y, f) in enumerate(stars)]
    start = [gf.Sersic(30.0, 30.0, 0.3, 5.0, 1.0, 0.8, 0.5, name="galaxy")] + [
        gf.PointSource(x + 0.4, y - 0.3, 0.8 * f, name=f"star{k}", window=window(x, y))
        for k, (x, y, f) in enumerate(stars)]
    result = recovered(truth, start, (60, 60), psf=psf, sigma=0.02, sky=0.1, method=method)
    assert result.values["star1"]["flux"] == pytest.approx(25.0, rel=0.02)


# ---- hostile input --------------------------------------------------------------------------------------

@pytest.mark.parametrize("make, match", [
    (lambda: gf.Gaussian(1, 1, 1.0, -1.0), "sigma = -1"),
    (lambda: gf.Gaussian(1, 1, 1.0, 1.0, q=1.5), "q = 1.5"),
    (lambda: gf.Gaussian(1, 1, np.inf, 1.0), "flux"),
    (lambda: gf.Moffat(1, 1, 1.0, 2.0, beta=1.0), "beta = 1"),
    (lambda: gf.Moffat(1, 1, 1.0, 0.0), "fwhm = 0"),
    (lambda: gf.EdgeOnDisk(1, 1, 1.0, 2.0, -0.5), "z0 = -0.5"),
    (lambda: gf.EdgeOnDisk(1, 1, 1.0, np.nan, 0.5), "h"),
    (lambda: gf.PointSource(1e300, 1, 1.0), r"x0 = 1\.0*1?e\+300 is invalid"),
    (lambda: gf.Gaussian(1, 1, 1e306, 1e-3, 1e-3), "flux"),
])
def test_bad_parameters_raise_value_errors_naming_them(make, match):
    with pytest.raises(ValueError, match=match):
        make()


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
HOSTILE = st.one_of(st.floats(allow_nan=True, allow_infinity=True, width=64),
                    st.sampled_from([0.0, -1.0, 1e300, 1e250, -1e-300, 1e-300, 1e-3, 1.01, 0.5, 1.0, 3.0, 1e9, 1e8]))


@hypothesis.settings(max_examples=150, deadline=None)
@hypothesis.given(kind=st.sampled_from(["gaussian", "moffat", "edgeondisk", "point"]),
                  values=st.lists(HOSTILE, min_size=7, max_size=7), oversample=st.sampled_from([0, 1, 2]))
def test_core_renders_hostile_values_finite_or_raises_value_error(kind, values, oversample):
    count = {"gaussian": 6, "moffat": 7, "edgeondisk": 6, "point": 3}[kind]
    params = values[:count]
    image = np.zeros((9, 11))
    spec = [(kind, params, (0, 9, 0, 11), "exact", [])]
    psf = np.full((3, 3), 1 / 9)
    try:
        _core.render_model(image, spec, psf, oversample, 1e-4, 1, True)
        value, jac = _core.component_jacobian((9, 11), spec, psf, oversample, 1e-4, 1, True)
    except ValueError as exc:
        assert str(exc)
        return
    assert np.isfinite(image).all() and np.isfinite(value).all() and np.isfinite(jac).all()


@pytest.mark.parametrize("units", [1e-42, 1e39])
def test_jacobian_keeps_its_precision_in_any_units(units):
    # The model is linear in its amplitude: in units where values are far outside single precision
    # (1e-42 is below float's normal range, 1e39 above its largest value) the value and every derivative
    # but the amplitude's scale by exactly `units` (the derivatives are stored as float).
    from galforge.fit import _core_components
    shape, psf = (21, 23), gf.psf.moffat(size=7, fwhm=2.0, beta=3.0)
    for make in [lambda a: gf.Sersic(11.3, 10.6, a, 3.0, 1.5, 0.6, 0.4), lambda a: gf.Gaussian(11.3, 10.6, a, 2.0, 0.6, 0.4),
                 lambda a: gf.PointSource(11.3, 10.6, a)]:
        (v1, j1), (v2, j2) = [_core.component_jacobian(shape, _core_components([make(a)], shape, check_bounds=False)[0],
                                                       psf, 0, 1e-4, 1, True) for a in (2.0, 2.0 * units)]
        # (pixels fainter than ~1e-9 of the peak are integrated to an absolute accuracy: compare to the peak)
        np.testing.assert_allclose(v2, v1 * units, rtol=1e-12, atol=1e-12 * np.abs(v1).max() * units)
        scale = np.full(len(j1), units)
        scale[2] = 1.0  # d/d amplitude = value / amplitude
        for k in range(len(j1)):
            np.testing.assert_allclose(j2[k], j1[k] * scale[k], rtol=1e-6, atol=1e-6 * np.abs(j1[k]).max() * scale[k])


def test_threads_give_identical_images_and_jacobians():
    from galforge.fit import _core_components
    shape = (70, 50)
    for component in [gf.Gaussian(25.3, 30.6, 3.0, 2.0, 0.6, 0.4), gf.Moffat(25.3, 30.6, 3.0, 3.0, 2.5, 0.7, 1.0),
                      gf.EdgeOnDisk(25.3, 30.6, 1.0, 6.0, 1.5, 0.3)]:
        one = gf.Model(shape, [component], threads=1).render()
        two = gf.Model(shape, [component], threads=2).render()
        np.testing.assert_array_equal(one, two)
        specs = _core_components([component], shape, check_bounds=False)[0]
        v1, j1 = _core.component_jacobian(shape, specs, None, 0, 1e-4, 1, True)
        v2, j2 = _core.component_jacobian(shape, specs, None, 0, 1e-4, 2, True)
        np.testing.assert_array_equal(v1, v2)
        np.testing.assert_array_equal(j1, j2)
        np.testing.assert_allclose(v1, one, rtol=1e-15, atol=0)
