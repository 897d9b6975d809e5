"""Fitting: analytic Jacobians against finite differences, the optimum against scipy, honest errors,
bounds, masks, group models from segmentation maps, and bad input."""
import importlib
import math

import numpy as np
import pytest

import galforge as gf
from galforge import _core

fitting = importlib.import_module("galforge.fit")  # the module; gf.fit is the function

scipy_optimize = pytest.importorskip("scipy.optimize")
ndimage = pytest.importorskip("scipy.ndimage")

NAMES = ("x0", "y0", "ie", "r_e", "n", "q", "pa", "c")
PROFILES = {
    "exponential": (15.3, 14.6, 1.0, 5.0, 1.0, 0.6, 0.4, 2.0),
    "de_vaucouleurs": (15.3, 14.6, 1.0, 3.0, 4.0, 0.5, 0.4, 2.0),
    "boxy": (15.0, 15.2, 1.0, 6.0, 0.7, 0.7, 1.0, 3.0),
    "disky_small": (15.1, 15.4, 2.0, 0.8, 2.5, 0.8, -0.3, 1.7),
}


def render(shape, p, oversample, tol):
    image = np.zeros(shape)
    _core.render_sersic_into(image, *p, "exact", oversample, tol, None, 0.0, 0.0, 1)
    return image


def gradient(shape, p, oversample, tol):
    image, grad = np.zeros(shape), np.zeros((8,) + shape, dtype=np.float32)  # derivatives in single precision
    _core.render_sersic_gradient_into(image, grad, *p, "exact", oversample, tol, None, 0.0, 0.0, 1)
    return image, grad


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("oversample, tol, step", [(3, 1e-4, 1e-6), (0, 1e-10, 1e-5)])
def test_sersic_derivatives_match_finite_differences(profile, oversample, tol, step):
    # Adaptive pixels refine discretely as parameters move, so the finite differences use the
    # tightest tolerance (jumps ~1e-10 of a pixel) and a step that averages over them.
    p, shape = PROFILES[profile], (31, 31)
    value, grad = gradient(shape, p, oversample, tol)
    # The derivative pass computes each sample's value as ie E (E = dI/die): the rendered value to rounding.
    np.testing.assert_allclose(value, render(shape, p, oversample, tol), rtol=1e-13, atol=0)
    for k, name in enumerate(NAMES):
        h = step * max(1.0, abs(p[k]))
        hi, lo = list(p), list(p)
        hi[k] += h
        lo[k] -= h
        fd = (render(shape, hi, oversample, tol) - render(shape, lo, oversample, tol)) / (2 * h)
        scale = np.abs(grad[k]).max()
        assert np.abs(fd - grad[k]).max() <= 1e-5 * scale, name


def sersic_and_sky(window=None, fixed=None):
    return [gf.Sersic(30.4, 28.7, 1.5, 6.0, 1.3, 0.6, 0.5, c=2.4, fixed=fixed if fixed is not None else (),
                      window=window), gf.Sky(0.05, 1e-3, -2e-3, x_ref=30, y_ref=30, fixed=())]


@pytest.mark.parametrize("psf", [None, "moffat"])
@pytest.mark.parametrize("window", [None, (5, 52, 8, 57)])
def test_model_gradient_matches_chi2_finite_differences(psf, window):
    # g = J^T W (d - m) = -1/2 dchi2/dtheta for every free parameter, through the PSF and the window.
    shape = (60, 62)
    kernel = None if psf is None else gf.psf.moffat(size=15, fwhm=3.0, beta=3.0)
    model = gf.Model(shape, sersic_and_sky(window), psf=kernel, oversample=3)
    rng = np.random.default_rng(3)
    data = model.render() + rng.normal(0, 0.02, shape)
    weight = np.full(shape, 1 / 0.02 ** 2)
    specs, free, _, _, _ = fitting._core_components(model.components, shape)
    options = fitting._core_options(model)
    chi2, _, g = _core.model_jacobian(data, weight, specs, free=free, **options)
    params = [v for s in specs for v in s[1]]
    for k in range(len(params)):
        h = 1e-6 * max(1.0, abs(params[k]))
        ups, downs = list(params), list(params)
        ups[k] += h
        downs[k] -= h
        up = _core.model_jacobian(data, weight, fitting._specs_at(specs, ups), free=[False] * len(free), **options)[0]
        down = _core.model_jacobian(data, weight, fitting._specs_at(specs, downs), free=[False] * len(free),
                                    **options)[0]
        fd = -(up - down) / (4 * h)
        assert fd == pytest.approx(g[k], rel=1e-5, abs=1e-6 * max(abs(x) for x in g)), k


@pytest.mark.parametrize("psf", [None, "moffat"])
@pytest.mark.parametrize("window", [None, (5, 52, 8, 57)])
@pytest.mark.parametrize("more", [False, True])
def test_gradient_alone_equals_the_normal_equations_gradient(psf, window, more):
    # gradient_at (derivatives unconvolved, dotted with the weighted residuals correlated with the PSF)
    # against J^T W r of the normal equations (each column convolved); both in single precision, so to
    # ~1e-6 of Cauchy-Schwarz's bound sqrt(H_kk chi2) on |g_k|.
    shape = (60, 62)
    kernel = None if psf is None else gf.psf.moffat(size=15, fwhm=3.0, beta=3.0)
    components = sersic_and_sky(window)
    if more:  # a second profile, amplitudes far from 1, a kind rendered after the PSF (which needs one)
        components += [gf.Sersic(12.2, 40.6, 3e4, 4.0, 2.5, 0.8, -0.4, window=(30, 58, 2, 30))]
        components += [gf.PointSource(x0=45.25, y0=12.5, flux=4e-3)] if psf else []
    model = gf.Model(shape, components, psf=kernel, oversample=3)
    rng = np.random.default_rng(4)
    data = model.render() + rng.normal(0, 0.02, shape)
    weight = np.full(shape, 1 / 0.02 ** 2) * rng.uniform(0.5, 2.0, shape)
    specs, free, _, _, _ = fitting._core_components(model.components, shape)
    options = fitting._core_options(model)
    start = fitting._specs_at(specs, [v * 1.01 if v else 0.01 for s in specs for v in s[1]])  # off the data
    chi2, H, g = _core.model_jacobian(data, weight, start, free=free, **options)
    chi2_alone, g_alone = _core.model_gradient(data, weight, start, free=free, **options)
    assert chi2_alone == pytest.approx(chi2, rel=1e-12)
    n = len(g)
    bound = np.sqrt(np.diag(np.asarray(H).reshape(n, n)) * chi2)
    assert np.all(np.abs(np.asarray(g_alone) - g) <= 1e-6 * bound)
    assert np.abs(g).max() > 1e-3 * bound.max()  # (a gradient away from zero: the comparison means something)


@pytest.mark.parametrize("unit", [1.0, 1e-30, 1e30])
def test_normal_matrix_matches_the_jacobian_in_double(unit):
    # J^T W J (weighted in single precision, summed in double) against numpy's double-precision product of
    # the same Jacobian columns, with weights over six decades, in any units of the weights.
    shape = (40, 70)
    kernel = gf.psf.moffat(size=11, fwhm=2.5, beta=3.0)
    model = gf.Model(shape, sersic_and_sky(), psf=kernel)
    specs, free, _, _, _ = fitting._core_components(model.components, shape)
    options = fitting._core_options(model)
    weight = unit * 10.0 ** np.random.default_rng(5).uniform(-3, 3, shape)
    _, H, _ = _core.model_jacobian(model.render(), weight, specs, free=free, **options)
    columns = [_core.component_jacobian(shape, [spec], options["psf"], options["oversample"], options["tolerance"], 1,
                                        True)[1] for spec in specs]
    J = np.concatenate(columns).reshape(len(free), -1)[np.asarray(free)]
    expected = (J * weight.ravel()) @ J.T
    n = len(expected)
    H = np.asarray(H).reshape(n, n)
    scale = np.sqrt(np.outer(np.diag(expected), np.diag(expected)))
    assert (np.abs(H - expected) / scale).max() < 1e-6


def noisy(model, sigma, seed):
    rng = np.random.default_rng(seed)
    return model.render() + rng.normal(0, sigma, model.shape)


def start_model(shape, psf=None, oversample=None, **kw):
    return gf.Model(shape, [gf.Sersic(31.5, 28.0, 1.0, 5.0, 1.0, 0.8, 0.3, **kw), gf.Sky(0.0)], psf=psf,
                    oversample=oversample)


TRUTH = dict(x0=30.4, y0=28.7, ie=1.5, r_e=6.0, n=1.3, q=0.6, pa=0.5)


def truth_model(shape, psf=None, oversample=None):
    return gf.Model(shape, [gf.Sersic(**TRUTH), gf.Sky(0.05)], psf=psf, oversample=oversample)


def test_optimum_equals_scipy_least_squares():
    shape, sigma = (60, 60), 0.03
    psf = gf.psf.moffat(size=15, fwhm=3.0, beta=3.5)
    data = noisy(truth_model(shape, psf, oversample=3), sigma, 0)
    start = start_model(shape, psf, oversample=3)
    result = gf.fit(start, data, sigma=sigma)
    assert result.success, result.message

    names = ("x0", "y0", "ie", "r_e", "n", "q", "pa")

    def residuals(x):
        sersic = gf.Sersic(**dict(zip(names, x[:7])))
        model = gf.Model(shape, [sersic, gf.Sky(x[7])], psf=psf, oversample=3)
        return ((data - model.render()) / sigma).ravel()

    x0 = [start.components[0].params[n] for n in names] + [0.0]
    lower = [-np.inf, -np.inf, 0, 0.01, 0.2, 0.02, -np.inf, -np.inf]
    upper = [np.inf, np.inf, np.inf, np.inf, 10, 1, np.inf, np.inf]
    reference = scipy_optimize.least_squares(residuals, x0, bounds=(lower, upper), x_scale="jac", xtol=1e-12,
                                             ftol=1e-12, gtol=1e-12)
    chi2_scipy = float(np.sum(reference.fun ** 2))
    assert result.chi2 == pytest.approx(chi2_scipy, rel=1e-6)
    for k, name in enumerate(names[:6]):
        assert result.values["sersic0"][name] == pytest.approx(reference.x[k], rel=1e-4, abs=1e-4)


def test_bounds_are_respected():
    shape = (48, 48)
    data = noisy(truth_model(shape), 0.03, 1)
    result = gf.fit(gf.Model(shape, [gf.Sersic(24, 24, 1.0, 5.0, 1.0, 0.4, 0.3, bounds={"q": (0.1, 0.5)}),
                                     gf.Sky(0.0)]), data, sigma=0.03)
    assert result.values["sersic0"]["q"] == pytest.approx(0.5, abs=1e-12)
    assert 0.1 <= result.values["sersic0"]["q"] <= 0.5


def test_masked_pixels_do_not_matter():
    shape = (48, 48)
    clean = noisy(truth_model(shape), 0.03, 2)
    mask = np.zeros(shape, dtype=bool)
    mask[5:12, 30:44] = True
    dirty = clean.copy()
    dirty[mask] = np.nan
    dirty[7, 35] = 1e30
    a = gf.fit(start_model(shape), clean, sigma=0.03, mask=mask)
    b = gf.fit(start_model(shape), dirty, sigma=0.03, mask=mask)
    assert a.chi2 == pytest.approx(b.chi2, rel=1e-12)
    assert a.ndf == b.ndf == shape[0] * shape[1] - mask.sum() - 8
    assert np.isnan(b.residuals()[mask]).all()


def test_fixed_parameters_stay_put():
    shape = (48, 48)
    data = noisy(truth_model(shape), 0.03, 4)
    result = gf.fit(start_model(shape, fixed={"n", "c"}), data, sigma=0.03)
    assert result.values["sersic0"]["n"] == 1.0
    assert result.errors["sersic0"]["n"] == 0.0
    assert "sersic0.n" not in result.free_parameters
    assert result.covariance.shape == (7, 7)


def test_errors_are_honest():
    # Over independent noise realisations, the truth lies within 1 sigma about 68% of the time.
    shape, sigma, trials = (40, 40), 0.05, 60
    truth = gf.Model(shape, [gf.Sersic(20.3, 19.6, 1.2, 5.0, 1.2, 0.65, 0.8), gf.Sky(0.02)])
    names = ("x0", "y0", "ie", "r_e", "n", "q", "pa")
    hits = []
    for seed in range(trials):
        data = noisy(truth, sigma, 100 + seed)
        result = gf.fit(gf.Model(shape, [gf.Sersic(20, 20, 1.0, 4.0, 1.0, 0.7, 0.7), gf.Sky(0.0)]), data,
                        sigma=sigma)
        assert result.success, result.message
        for name in names:
            err = result.errors["sersic0"][name]
            hits.append(abs(result.values["sersic0"][name] - truth.components[0].params[name]) <= err)
    fraction = np.mean(hits)
    # 420 draws: binomial sd 0.023 around 0.683; allow 3 sd.
    assert 0.683 - 0.07 <= fraction <= 0.683 + 0.07, fraction


def group_field(seed=5, rows=3, cols=4, cell=50, sky=0.1, sigma=0.02):
    """A field of rows x cols Sersic sources on a jittered grid, convolved, with Gaussian noise."""
    rng = np.random.default_rng(seed)
    shape = (rows * cell, cols * cell)
    comps = [gf.Sky(sky)]
    for i in range(rows):
        for j in range(cols):
            comps.append(gf.Sersic(x0=(j + 0.5) * cell + rng.uniform(-5, 5), y0=(i + 0.5) * cell + rng.uniform(-5, 5),
                                   ie=rng.uniform(0.5, 2.0), r_e=rng.uniform(2.0, 5.0), n=rng.uniform(0.8, 2.5),
                                   q=rng.uniform(0.4, 0.95), pa=rng.uniform(0, math.pi)))
    psf = gf.psf.moffat(size=15, fwhm=2.5, beta=3.0)
    model = gf.Model(shape, comps, psf=psf)
    data = model.render() + rng.normal(0, sigma, shape)
    return data, sigma, psf


def group_model(data, sigma, psf, sky=0.1):
    """Segmentation (smoothed image above 3 sigma) -> windows -> initial guesses -> a group model."""
    smooth = ndimage.gaussian_filter(data - sky, 1.5)
    labels, _ = ndimage.label(smooth > 3 * sigma)
    windows = gf.scale_windows(gf.windows_from_segmentation(labels), data.shape, expand_scale=2.0, expand_border=3)
    windows = gf.filter_windows(windows, min_area=30)
    components = [gf.Sky(float(np.median(data)))]
    for key, window in windows.items():
        components.append(gf.initial_guess(data, window=window, sky=sky, name=f"seg{key}"))
    return gf.Model(data.shape, components, psf=psf)


@pytest.mark.parametrize("method", ["lm", "iterative"])
def test_group_model_from_a_segmentation_map_converges(method):
    data, sigma, psf = group_field()
    model = group_model(data, sigma, psf)
    assert len(model.components) >= 11
    result = gf.fit(model, data, sigma=sigma, method=method)
    assert result.success, result.message
    # Each window truncates its source, so chi2/ndf sits slightly above 1; far above means no fit.
    assert 0.95 < result.reduced_chi2 < 1.1, result.reduced_chi2


def test_summary_and_plot():
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    shape = (40, 40)
    result = gf.fit(start_model(shape), noisy(truth_model(shape), 0.03, 7), sigma=0.03)
    text = result.summary()
    assert "sersic0" in text and "r_e" in text and "chi2/ndf" in text
    fig = result.plot()
    assert len(fig.axes) >= 3


def test_verbose_prints_one_line_per_iteration(capsys):
    shape = (40, 40)
    result = gf.fit(start_model(shape), noisy(truth_model(shape), 0.03, 8), sigma=0.03, verbose=True)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == len(result.log) + 1
    assert lines[0].startswith("Chi^2/DoF:") and lines[-1].startswith("Final Chi^2/DoF:")


def test_no_convergence_is_reported_not_raised():
    shape = (40, 40)
    result = gf.fit(start_model(shape), noisy(truth_model(shape), 0.03, 9), sigma=0.03, max_iter=1)
    assert not result.success and result.status == "max_iter"


@pytest.mark.parametrize("case, match", [
    ("shape", "differs from the model shape"),
    ("sigma", "sigma = "),
    ("nan", "non-finite value"),
    ("masked", "every pixel is masked"),
    ("bounds", "outside its bounds"),
])
def test_bad_input_raises_a_clear_error(case, match):
    shape = (30, 30)
    model = start_model(shape)
    data = np.ones(shape)
    kwargs = {}
    if case == "shape":
        data = np.ones((30, 31))
    elif case == "sigma":
        sigma = np.ones(shape)
        sigma[3, 4] = 0.0
        kwargs["sigma"] = sigma
    elif case == "nan":
        data[2, 2] = np.nan
    elif case == "masked":
        kwargs["mask"] = np.ones(shape, dtype=bool)
    elif case == "bounds":
        model = gf.Model(shape, [gf.Sersic(15, 15, 1.0, 3.0, 1.0, 0.9, 0.0, bounds={"q": (0.1, 0.5)})])
    with pytest.raises(ValueError, match=match):
        gf.fit(model, data, **kwargs)


hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies
HOSTILE = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -1.0, 1e300, -1e-300]))


@hypothesis.settings(max_examples=60, deadline=None)
@hypothesis.given(values=st.lists(HOSTILE, min_size=8, max_size=8), oversample=st.integers(-2, 70),
                  tol=st.floats(allow_nan=True, allow_infinity=True))
def test_core_gradient_rejects_hostile_values_cleanly(values, oversample, tol):
    image, grad = np.zeros((9, 11)), np.zeros((8, 9, 11), dtype=np.float32)
    try:
        _core.render_sersic_gradient_into(image, grad, *values, "exact", oversample, tol, None, 0.0, 0.0, 1)
    except ValueError:
        return
    assert np.isfinite(image).all() and np.isfinite(grad).all()


@hypothesis.settings(max_examples=40, deadline=None)
@hypothesis.given(values=st.lists(HOSTILE, min_size=8, max_size=8), sky=HOSTILE,
                  window=st.tuples(st.integers(-3, 20), st.integers(-3, 20), st.integers(-3, 20), st.integers(-3, 20)),
                  bound=HOSTILE)
def test_core_fit_rejects_hostile_values_cleanly(values, sky, window, bound):
    data, weight = np.ones((12, 14)), np.ones((12, 14))
    specs = [("sersic", values, window, "exact", 0.0, 0.0), ("sky", [sky, 0.0, 0.0], (0, 12, 0, 14), "exact", 0.0, 0.0)]
    free = [True] * 11
    lower, upper = [-np.inf] * 11, [np.inf] * 11
    lower[3] = bound
    try:
        out = _core.fit_lm(data, weight, specs, None, 0, 1e-4, 1, True, free, lower, upper, 5, 1e-10, 1e-10, 1e-12, 0.1)
    except ValueError:
        return
    assert np.isfinite(out["chi2"]) and np.isfinite(out["params"]).all()


def test_a_round_start_still_finds_the_ellipse():
    # q = 1 (the default) is where the (q, pa) derivatives vanish; the fit must still leave it.
    shape = (48, 48)
    data = noisy(truth_model(shape), 0.03, 11)
    result = gf.fit(gf.Model(shape, [gf.Sersic(24, 24, 1.0, 5.0, 1.0), gf.Sky(0.0)]), data, sigma=0.03)
    assert result.success, result.message
    assert result.values["sersic0"]["q"] == pytest.approx(TRUTH["q"], abs=5 * result.errors["sersic0"]["q"])
    assert result.values["sersic0"]["pa"] == pytest.approx(TRUTH["pa"], abs=5 * result.errors["sersic0"]["pa"])


def test_a_bounded_pa_is_not_wrapped_out_of_its_bounds():
    shape = (48, 48)
    truth = gf.Model(shape, [gf.Sersic(**{**TRUTH, "pa": TRUTH["pa"] + math.pi}), gf.Sky(0.05)])
    start = gf.Model(shape, [gf.Sersic(24, 24, 1.0, 5.0, 1.0, 0.8, 3.5, bounds={"pa": (3.0, 3.9)}), gf.Sky(0.0)])
    result = gf.fit(start, noisy(truth, 0.03, 12), sigma=0.03)
    assert 3.0 <= result.values["sersic0"]["pa"] <= 3.9
    gf.fit(result.model, noisy(truth, 0.03, 12), sigma=0.03)  # the fitted model is a valid start


def test_unconstrained_parameters_get_infinite_errors():
    # Two flat skies over the same pixels: only their sum is constrained.
    shape = (30, 30)
    data = np.random.default_rng(13).normal(0.3, 0.05, shape)
    result = gf.fit(gf.Model(shape, [gf.Sky(0.1), gf.Sky(0.1)]), data, sigma=0.05)
    assert math.isinf(result.errors["sky0"]["level"]) and math.isinf(result.errors["sky1"]["level"])
    single = gf.fit(gf.Model(shape, [gf.Sky(0.1)]), data, sigma=0.05)
    assert single.errors["sky0"]["level"] == pytest.approx(0.05 / 30, rel=1e-6)


def test_core_rejects_mismatched_weight_and_bad_damping():
    specs = [("sky", [0.0, 0.0, 0.0], (0, 20, 0, 20), "exact", 0.0, 0.0)]
    with pytest.raises(ValueError, match="weight must have the shape of data"):
        _core.model_jacobian(np.ones((20, 20)), np.ones((2, 2)), specs, None, 0, 1e-4, 1, True, [True, False, False])
    with pytest.raises(ValueError, match="lambda0"):
        gf.fit(gf.Model((20, 20), [gf.Sky(0.0)]), np.ones((20, 20)), lambda0=0.0)


# --- Gaussian priors -------------------------------------------------------------------------------

@pytest.mark.parametrize("method", ["lm", "iterative"])
def test_a_prior_on_a_linear_parameter_gives_the_precision_weighted_mean(method):
    """Sky level alone with data d_i, sigma s and a prior (m, t): the posterior mean is
    (sum d_i / s^2 + m / t^2) / (N / s^2 + 1 / t^2), its error the inverse square root of the precision."""
    rng = np.random.default_rng(3)
    data, s, m, t = 0.3 + rng.normal(0.0, 0.1, (20, 25)), 0.1, 0.1, 0.004
    result = gf.fit(gf.Model(data.shape, [gf.Sky(0.0, name="sky")]), data, sigma=s, method=method,
                    priors={("sky", "level"): (m, t)})
    precision = data.size / s ** 2 + 1 / t ** 2
    expected = (data.sum() / s ** 2 + m / t ** 2) / precision
    assert result.values["sky"]["level"] == pytest.approx(expected, rel=1e-5)  # LM's stopping rule
    assert result.errors["sky"]["level"] == pytest.approx(precision ** -0.5, rel=1e-9)
    level = result.values["sky"]["level"]  # chi2 is the data's, the prior term apart
    assert result.chi2 == pytest.approx(np.sum(((data - level) / s) ** 2), rel=1e-12)
    assert result.prior_chi2 == pytest.approx(((level - m) / t) ** 2, rel=1e-12)


def test_strong_prior_holds_and_weak_prior_changes_nothing():
    shape = (48, 48)
    data = noisy(truth_model(shape), 0.03, 13)
    free = gf.fit(start_model(shape), data, sigma=0.03)
    # a prior on q and pa: fitted in (q, pa), not in the ellipticity vector
    strong = gf.fit(start_model(shape), data, sigma=0.03,
                    priors={(0, "r_e"): (6.5, 1e-6), ("sersic0", "q"): (0.55, 1e-7), (0, "pa"): (0.8, 1e-7)})
    assert strong.values["sersic0"]["r_e"] == pytest.approx(6.5, abs=1e-5)
    assert strong.values["sersic0"]["q"] == pytest.approx(0.55, abs=1e-6)
    assert strong.values["sersic0"]["pa"] == pytest.approx(0.8, abs=1e-6)
    assert strong.chi2 > free.chi2 and strong.errors["sersic0"]["r_e"] < 2e-6
    weak = gf.fit(start_model(shape), data, sigma=0.03, priors={(0, "r_e"): (6.5, 1e6), (0, "q"): (0.5, 1e6)})
    for name in ("x0", "y0", "ie", "r_e", "n", "q"):
        assert weak.values["sersic0"][name] == pytest.approx(free.values["sersic0"][name], rel=1e-6, abs=1e-8)
    assert weak.chi2 == pytest.approx(free.chi2, rel=1e-9)


@pytest.mark.parametrize("priors, match", [
    ({("nobody", "q"): (0.5, 0.1)}, "names no component"),
    ({(0, "zz"): (0.5, 0.1)}, "no fittable parameter"),
    ({(0, "c"): (2.0, 0.1)}, "is fixed"),
    ({(0, "q"): (0.5, 0.0)}, "sigma > 0"),
    ({(0, "q"): (0.5,)}, "expected \\(mean, sigma\\)"),
    ({"q": (0.5, 0.1)}, "priors key"),
])
def test_bad_priors_raise(priors, match):
    shape = (32, 32)
    with pytest.raises(gf.GalforgeValueError, match=match):
        gf.fit(start_model(shape), noisy(truth_model(shape), 0.03, 14), sigma=0.03, priors=priors)
