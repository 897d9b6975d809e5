"""512x512 Sersic images: galforge vs GalSim, astropy and plain numpy, single-threaded.

Groups (the ratio is computed against the galforge entry of each group by report.py):
  centre      - surface brightness at pixel centres (no integration)
  integrated  - pixel integrals: galforge adaptive (1e-4) vs 5x5 oversampling in the peers
  oversample5 - uniform 5x5 sub-pixel mean in everyone
Each entry also records its maximum relative pixel error against a reference integral.
"""
import functools

import numpy as np
import pytest

import galforge as gf

galsim = pytest.importorskip("galsim")
from astropy.convolution import discretize_model  # noqa: E402
from astropy.modeling.models import Sersic2D  # noqa: E402
from scipy import special  # noqa: E402

N = 512
PROFILES = {
    "n1": dict(x0=256.3, y0=250.7, ie=1.0, r_e=20.0, n=1.0, q=0.6, pa=0.5),
    "n2.5": dict(x0=256.3, y0=250.7, ie=1.0, r_e=20.0, n=2.5, q=0.6, pa=0.5),
    "n4": dict(x0=256.3, y0=250.7, ie=1.0, r_e=8.0, n=4.0, q=0.7, pa=1.1),
}


def galsim_profile(p):
    return galsim.Sersic(n=p["n"], half_light_radius=p["r_e"] * np.sqrt(p["q"]), flux=1.0).shear(
        q=p["q"], beta=(p["pa"] + np.pi / 2) * galsim.radians)


def galsim_centre(p, oversample=1):
    """GalSim surface brightness at (sub-)pixel centres, scaled to galforge's ie, binned."""
    prof = galsim_profile(p)
    k = oversample
    image = galsim.ImageD(N * k, N * k, scale=1.0 / k)
    # Centre of the galforge profile in the fine image's pixel units: offset from the true centre.
    offset = ((p["x0"] + 0.5) * k - N * k / 2, (p["y0"] + 0.5) * k - N * k / 2)
    prof.drawImage(image=image, method="sb", offset=offset)
    arr = image.array if k == 1 else image.array.reshape(N, k, N, k).mean(axis=(1, 3))
    return arr * (p["ie"] / galsim_ie_per_flux(p))


@functools.lru_cache(maxsize=None)
def _ie_per_flux(n, r_e, q):
    return 1.0 / gf.sersic_total_flux(1.0, r_e, n, q)


def galsim_ie_per_flux(p):
    return _ie_per_flux(p["n"], p["r_e"], p["q"])


def astropy_model(p):
    return Sersic2D(amplitude=p["ie"], r_eff=p["r_e"], n=p["n"], x_0=p["x0"], y_0=p["y0"], ellip=1 - p["q"],
                    theta=p["pa"] + np.pi / 2)


YY, XX = np.mgrid[0:N, 0:N].astype(float)


def numpy_centre(p):
    dx, dy = XX - p["x0"], YY - p["y0"]
    u = -dx * np.sin(p["pa"]) + dy * np.cos(p["pa"])
    v = (dx * np.cos(p["pa"]) + dy * np.sin(p["pa"])) / p["q"]
    b = special.gammaincinv(2 * p["n"], 0.5)
    return p["ie"] * np.exp(-b * ((np.hypot(u, v) / p["r_e"]) ** (1 / p["n"]) - 1))


@functools.lru_cache(maxsize=None)
def reference(name):
    """Pixel integrals to 1e-9 (galforge's adaptive integrator, itself tested against scipy)."""
    return gf.render_sersic((N, N), **PROFILES[name], tolerance=1e-9)


def record_error(benchmark, name, image):
    ref = reference(name)
    core = ref > 1e-6 * ref.max()
    benchmark.extra_info["max_rel_error"] = float((np.abs(image - ref) / ref)[core].max())


@pytest.mark.parametrize("name", PROFILES)
@pytest.mark.parametrize("code", ["galforge", "galsim", "astropy", "numpy"])
def test_centre(benchmark, code, name):
    p = PROFILES[name]
    benchmark.group = f"centre-{name}"
    run = {
        "galforge": lambda: gf.render_sersic((N, N), **p, oversample=1),
        "galsim": lambda: galsim_centre(p),
        "astropy": lambda: astropy_model(p)(XX, YY),
        "numpy": lambda: numpy_centre(p),
    }[code]
    image = benchmark(run)
    record_error(benchmark, name, image)


@pytest.mark.parametrize("name", PROFILES)
@pytest.mark.parametrize("code", ["galforge", "galsim-5x5", "astropy-5x5"])
def test_integrated(benchmark, code, name):
    p = PROFILES[name]
    benchmark.group = f"integrated-{name}"
    run = {
        "galforge": lambda: gf.render_sersic((N, N), **p),
        "galsim-5x5": lambda: galsim_centre(p, oversample=5),
        "astropy-5x5": lambda: discretize_model(astropy_model(p), (0, N), (0, N), mode="oversample", factor=5),
    }[code]
    image = benchmark.pedantic(run, rounds=5 if code != "galforge" else 30, iterations=1, warmup_rounds=1)
    record_error(benchmark, name, image)


@pytest.mark.parametrize("name", PROFILES)
@pytest.mark.parametrize("code", ["galforge", "galsim"])
def test_oversample5(benchmark, code, name):
    p = PROFILES[name]
    benchmark.group = f"oversample5-{name}"
    run = {"galforge": lambda: gf.render_sersic((N, N), **p, oversample=5),
           "galsim": lambda: galsim_centre(p, oversample=5)}[code]
    image = benchmark.pedantic(run, rounds=5 if code != "galforge" else 20, iterations=1, warmup_rounds=1)
    record_error(benchmark, name, image)
