"""Fitting one Sersic + flat sky through a 25x25 Moffat PSF with noise (128x128 and 256x256):
galforge's C++ LM with analytic Jacobians vs scipy.optimize.least_squares(method="lm") on a numpy
model (finite-difference Jacobian), pyimfit's LM (its default, every core, and on one thread: compare
with galforge's 2-thread and 1-thread entries) and AstroPhot's LM when installed; and a ~30-source
group fit; and galforge alternated with pyimfit (both on one thread), so that their time ratio is
measured pair by pair, robust to this VM's speed drifting between minutes.
Each run records its final chi2 / ndf in extra_info, so the ratio compares fits reaching the same optimum."""
import math
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import scipy.fft
from scipy import optimize, special

import galforge as gf

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from test_fit import group_field, group_model  # noqa: E402  (the test suite's field generator)

PSF = gf.psf.moffat(size=25, fwhm=3.0, beta=3.5)
SIGMA = 0.02
TRUTH = dict(ie=1.0, n=1.5, q=0.6, pa=0.7)
START = dict(ie=0.7, n=1.0, q=0.7, pa=0.5)


def case(size):
    truth = gf.Model((size, size), [gf.Sersic(size / 2 + 0.3, size / 2 - 0.4, r_e=size / 10, **TRUTH), gf.Sky(0.05)],
                     psf=PSF)
    data = truth.render() + np.random.default_rng(size).normal(0, SIGMA, (size, size))
    start = [size / 2 - 1.0, size / 2 + 1.0, START["ie"], size / 12, START["n"], START["q"], START["pa"], 0.0]
    return data, start


CASES = {size: case(size) for size in (128, 256)}


def galforge_fit(size, threads=1):
    data, s = CASES[size]
    model = gf.Model((size, size), [gf.Sersic(*s[:7]), gf.Sky(s[7])], psf=PSF, threads=threads)
    result = gf.fit(model, data, sigma=SIGMA)
    assert result.success
    return result.reduced_chi2


class NumpyModel:
    """A plain numpy Sersic (pixel centres, exact b_n) + sky, convolved with a cached scipy.fft PSF."""

    def __init__(self, size):
        self.y, self.x = np.mgrid[0:size, 0:size].astype(float)
        pad = [scipy.fft.next_fast_len(size + k - 1, real=True) for k in PSF.shape]
        self.pad, self.size = pad, size
        self.psf_hat = scipy.fft.rfft2(PSF / PSF.sum(), pad)
        self.shift = (PSF.shape[0] - 1) // 2

    def __call__(self, p):
        x0, y0, ie, r_e, n, q, pa, sky = p
        dx, dy = self.x - x0, self.y - y0
        u = -dx * math.sin(pa) + dy * math.cos(pa)
        v = (dx * math.cos(pa) + dy * math.sin(pa)) / q
        bn = special.gammaincinv(2 * n, 0.5)
        image = ie * np.exp(-bn * ((np.hypot(u, v) / r_e) ** (1 / n) - 1))
        full = scipy.fft.irfft2(scipy.fft.rfft2(image, self.pad) * self.psf_hat, self.pad)
        s, k = self.shift, self.size
        return full[s:s + k, s:s + k] + sky


def scipy_fit(size):
    data, start = CASES[size]
    model = NumpyModel(size)
    result = optimize.least_squares(lambda p: ((data - model(p)) / SIGMA).ravel(), start, method="lm")
    assert result.success
    return float(np.sum(result.fun ** 2)) / (size * size - 8)


def pyimfit_fit(size, threads=0):
    """pyimfit's LM; threads=0 is its default, every core (OpenMP)."""
    import pyimfit

    data, s = CASES[size]
    # imfit: 1-based pixel centres, PA in degrees from +y, ell = 1 - q.
    desc = pyimfit.SimpleModelDescription()
    desc.x0.setValue(s[0] + 1)
    desc.y0.setValue(s[1] + 1)
    sersic = pyimfit.make_imfit_function("Sersic")
    sersic.PA.setValue(math.degrees(s[6]), [-180, 360])
    sersic.ell.setValue(1 - s[5], [0, 0.98])
    sersic.n.setValue(s[4], [0.3, 8])
    sersic.I_e.setValue(s[2], [0, 100])
    sersic.r_e.setValue(s[3], [0.1, size])
    desc.addFunction(sersic)
    sky = pyimfit.make_imfit_function("FlatSky")
    sky.I_sky.setValue(s[7], [-1, 1])
    desc.addFunction(sky)
    imfit = pyimfit.Imfit(desc, psf=PSF, maxThreads=threads)
    result = imfit.fit(data, error=np.full(data.shape, SIGMA), solver="LM")
    return result.fitStat / (size * size - 8)


def astrophot_fit(size):
    import astrophot as ap

    data, s = CASES[size]
    target = ap.TargetImage(data=data, pixelscale=1.0, variance=np.full(data.shape, SIGMA ** 2),
                            psf=ap.PSFImage(data=PSF / PSF.sum()))
    galaxy = ap.Model(name="galaxy", model_type="sersic galaxy model", target=target, center=[s[0], s[1]], q=s[5],
                      PA=s[6], n=s[4], Re=s[3], Ie=s[2], psf_convolve=True)
    sky = ap.Model(name="sky", model_type="flat sky model", target=target, I0=0.01)
    group = ap.Model(name="group", model_type="group model", models=[galaxy, sky], target=target)
    group.initialize()
    result = ap.fit.LM(group, verbose=0).fit()
    return float(result.chi2_ndf())


RUNS = {"galforge": galforge_fit, "galforge-2threads": lambda size: galforge_fit(size, threads=2),
        "scipy-least_squares-lm": scipy_fit, "pyimfit-lm": pyimfit_fit,
        "pyimfit-lm-1thread": lambda size: pyimfit_fit(size, threads=1),
        "astrophot-lm": astrophot_fit}
ROUNDS = {"galforge": 15, "galforge-2threads": 15, "scipy-least_squares-lm": 5, "astrophot-lm": 1}


@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # torch.jit inside AstroPhot
@pytest.mark.parametrize("size", sorted(CASES))
@pytest.mark.parametrize("code", RUNS)
def test_fit_sersic_sky(benchmark, code, size):
    if code.startswith("pyimfit"):
        pytest.importorskip("pyimfit")
    if code == "astrophot-lm":
        pytest.importorskip("astrophot")  # pip install torch astrophot (0.18: caskade API)
        if size > 128:
            pytest.skip("AstroPhot takes minutes at 256x256 on this machine; measured at 128x128 only")
    benchmark.group = f"fit-sersic-sky-{size}-psf25"
    reduced = benchmark.pedantic(RUNS[code], args=(size,), rounds=ROUNDS.get(code, 3), iterations=1,
                                 warmup_rounds=1 if code.startswith("galforge") else 0)
    benchmark.extra_info["reduced_chi2"] = reduced


@pytest.mark.parametrize("size", sorted(CASES), ids=lambda size: f"galforge-and-pyimfit-1thread-pairs-{size}")
def test_fit_alternated_with_pyimfit(benchmark, size):
    """One pyimfit fit between two runs of three galforge fits, both on one thread; the entry's time is
    that of a whole pair, its figure the median over pairs of pyimfit's time / galforge's mean time."""
    pytest.importorskip("pyimfit")
    ratios = []

    def pair():
        t0 = time.perf_counter()
        for _ in range(3):
            galforge_fit(size)
        t1 = time.perf_counter()
        pyimfit_fit(size, threads=1)
        t2 = time.perf_counter()
        for _ in range(3):
            galforge_fit(size)
        t3 = time.perf_counter()
        ratios.append((t2 - t1) / (((t1 - t0) + (t3 - t2)) / 6))

    benchmark.group = f"fit-sersic-sky-{size}-psf25-alternated"
    benchmark.pedantic(pair, rounds=5, iterations=1, warmup_rounds=1)
    benchmark.extra_info["pyimfit_1thread_over_galforge_1thread"] = round(statistics.median(ratios[1:]), 1)


GROUP = group_field(rows=5, cols=6, cell=85)


@pytest.mark.parametrize("method", ["lm", "iterative"])
def test_fit_group_of_30(benchmark, method):
    data, sigma, psf = GROUP
    model = group_model(data, sigma, psf)

    def run():
        return gf.fit(model, data, sigma=sigma, method=method)

    benchmark.group = "fit-group-30-sources-425x510"
    result = benchmark.pedantic(run, rounds=1, iterations=1)
    assert result.success
    benchmark.extra_info.update(reduced_chi2=result.reduced_chi2, components=len(model.components),
                                free_parameters=len(result.free_parameters), iterations=result.n_iter)
