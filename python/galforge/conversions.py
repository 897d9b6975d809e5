"""Sersic parameters converted between galforge and its peers, both ways, as plain dicts.

galforge (DESIGN.md §3): ``x0, y0`` in pixels, pixel ``[i, j]`` centred at ``x = j, y = i``
(0-based); ``ie`` the surface brightness at ``r_e`` per pixel; ``r_e`` the semi-major half-light
radius in pixels; ``n``; ``q = b/a`` in (0, 1]; ``pa`` in radians, the major axis counter-clockwise
from +y, i.e. along ``(-sin pa, cos pa)``; ``c`` the generalised-ellipse exponent (2 = ellipse).

``to_<peer>(...)`` takes galforge parameters and returns the peer's; ``from_<peer>(...)`` takes
the peer's (same names) and returns galforge keyword arguments with ``c`` and ``bn``, the b_n the
peer uses ("exact": root of P(2n, b) = 1/2, GalSim and astropy; "cb99": the Ciotti & Bertin 1999
series, imfit, AstroPhot, Galaxy Builder), so ``galforge.Sersic(**from_imfit(...))`` reproduces
the peer's profile. The numbers map one to one whatever ``bn``: a profile rendered with another
b_n than the peer's differs by that difference (CB99 vs exact: +3.6e-4 relative at n = 0.5,
+2.5e-5 at n = 1, 7e-8 at n = 4). Angles are returned wrapped to [0, pi) (imfit: [0, 180) deg).
Bad values raise ``GalforgeValueError`` (a ``ValueError``) naming the argument and its value.
"""
import math

from ._checks import finite
from .errors import GalforgeValueError
from .sersic import BN_METHODS, sersic_total_flux

# The renderer's domain (cpp/include/galforge/sersic.hpp): what a conversion returns can be rendered.
_N_MIN, _N_MAX = 0.2, 10.0
_C_MIN, _C_MAX = 0.5, 10.0
_HALF_PI = 0.5 * math.pi


def _bad(name, value, expected):
    raise GalforgeValueError(f"{name} = {value!r} is invalid: expected {expected}")


def _in_range(name, value, lo, hi, expected):
    v = finite(name, value)
    if not lo(v) or not hi(v):
        _bad(name, value, expected)
    return v


def _positive(name, value):
    return _in_range(name, value, lambda v: v > 0.0, lambda v: True, "a finite number > 0")


def _non_negative(name, value):
    return _in_range(name, value, lambda v: v >= 0.0, lambda v: True, "a finite number >= 0")


def _q(name, value):
    return _in_range(name, value, lambda v: v > 0.0, lambda v: v <= 1.0, "0 < q <= 1")


def _ellipticity(name, value):
    return _in_range(name, value, lambda v: v >= 0.0, lambda v: v < 1.0, "0 <= ellipticity = 1 - q < 1")


def _n(name, value):
    return _in_range(name, value, lambda v: v >= _N_MIN, lambda v: v <= _N_MAX, f"{_N_MIN} <= n <= {_N_MAX}")


def _c(name, value, offset=0.0):
    """Check c (offset 0) or c - 2 (offset 2: imfit c0, AstroPhot C0, astropy c); return c."""
    lo, hi = _C_MIN - offset, _C_MAX - offset
    return _in_range(name, value, lambda v: v >= lo, lambda v: v <= hi, f"{lo:g} <= {name} <= {hi:g}") + offset


def _ellipse_only(c):
    c = _c("c", c)
    if c != 2.0:
        _bad("c", c, "2 (this peer has no generalised ellipses)")
    return c


def _bn(bn):
    if bn is not None and bn not in BN_METHODS:
        _bad("bn", bn, f"None or one of {BN_METHODS}")


def _wrap(angle, period=math.pi):
    """angle modulo period, in [0, period) (a tiny negative angle % period rounds to period)."""
    w = angle % period
    return w - period if w >= period else w


def _galforge(x0, y0, ie, r_e, n, q, pa, c):
    return {"x0": finite("x0", x0), "y0": finite("y0", y0), "ie": _non_negative("ie", ie),
            "r_e": _positive("r_e", r_e), "n": _n("n", n), "q": _q("q", q), "pa": finite("pa", pa),
            "c": _c("c", c)}


def _result(x0, y0, ie, r_e, n, q, pa, c, bn):
    return {"x0": x0, "y0": y0, "ie": ie, "r_e": r_e, "n": n, "q": q, "pa": _wrap(pa), "c": c, "bn": bn}


# --- GalSim ----------------------------------------------------------------------------------

def to_galsim(x0, y0, ie, r_e, n, q=1.0, pa=0.0, pixel_scale=1.0, *, c=2.0, bn=None):
    """galforge -> GalSim: dict(n, half_light_radius, flux, q, beta, x, y).

    ``galsim.Sersic(n, half_light_radius=hlr, flux=flux).shear(q=q, beta=beta * galsim.radians)``,
    drawn with ``drawImage(image, center=(x, y))`` on ``galsim.ImageD(nx, ny, scale=pixel_scale)``
    (default bounds xmin = ymin = 1: ``image.array[i, j]`` is image position (j + 1, i + 1)), so
    x = x0 + 1, y = y0 + 1 in pixels (``center`` replaces GalSim's default, image.true_center).
    ``half_light_radius`` (arcsec) is the circular one before the area-preserving shear (semi-axes
    r/sqrt(q), r sqrt(q); galsim/shear.py getMatrix): r_e * sqrt(q) * pixel_scale. ``beta``
    (radians) is the major axis counter-clockwise from +x (g1 + i g2 = g exp(2 i beta)): pa + pi/2.
    ``flux`` (counts) is the analytic total with the exact b_n, which GalSim solves by Brent
    (src/SBSersic.cpp CalculateB; Solve.h x tolerance 1e-7), so that GalSim's surface brightness at
    r_e is ie / pixel_scale**2 per arcsec^2 (``method="sb"``; ``"no_pixel"`` gives ie per pixel).
    No boxiness (c must be 2); GalSim accepts 0.3 <= n <= 6.2 only.
    """
    p = _galforge(x0, y0, ie, r_e, n, q, pa, _ellipse_only(c))
    s = _positive("pixel_scale", pixel_scale)
    _bn(bn)
    flux = sersic_total_flux(p["ie"], p["r_e"], p["n"], p["q"], 2.0, "exact")
    return {"n": p["n"], "half_light_radius": p["r_e"] * math.sqrt(p["q"]) * s, "flux": flux,
            "q": p["q"], "beta": _wrap(p["pa"] + _HALF_PI), "x": p["x0"] + 1.0, "y": p["y0"] + 1.0}


def from_galsim(n, half_light_radius, flux, q=1.0, beta=0.0, x=1.0, y=1.0, pixel_scale=1.0):
    """GalSim -> galforge (inverse of ``to_galsim``; beta in radians, x, y 1-based image pixels).

    r_e = hlr / (pixel_scale sqrt(q)); ie = flux / (total flux of ie = 1, exact b_n); c = 2.
    """
    n = _n("n", n)
    hlr = _positive("half_light_radius", half_light_radius)
    flux = _non_negative("flux", flux)
    q = _q("q", q)
    beta = finite("beta", beta)
    s = _positive("pixel_scale", pixel_scale)
    r_e = hlr / (s * math.sqrt(q))
    ie = flux / sersic_total_flux(1.0, r_e, n, q, 2.0, "exact")
    return _result(finite("x", x) - 1.0, finite("y", y) - 1.0, ie, r_e, n, q, beta - _HALF_PI, 2.0, "exact")


# --- astropy ---------------------------------------------------------------------------------

def to_astropy(x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0, *, bn=None):
    """galforge -> astropy ``Sersic2D``: dict(amplitude, r_eff, n, x_0, y_0, ellip, theta).

    Verified in astropy 8.0.2 (astropy/modeling/functional_models.py): ``theta`` is in radians,
    "counterclockwise from the positive x axis" (docstring l. 3383-3386) and is the direction of
    the major axis, x_maj = dx cos(theta) + dy sin(theta) scaled by r_eff, the minor one by
    (1 - ellip) r_eff (``evaluate`` l. 3485-3491): theta = pa + pi/2. b_n is exact,
    ``gammaincinv(2n, 0.5)`` (l. 3482). The model is evaluated at the coordinates given, so with
    x, y = pixel indices (x_0 = x0, y_0 = y0) ``amplitude`` is per pixel and the values are centre
    samples. For c != 2 the dict has ``c = c - 2``, for ``GeneralSersic2D`` (same radius, exponent
    c + 2, l. 3489).
    """
    p = _galforge(x0, y0, ie, r_e, n, q, pa, c)
    _bn(bn)
    out = {"amplitude": p["ie"], "r_eff": p["r_e"], "n": p["n"], "x_0": p["x0"], "y_0": p["y0"],
           "ellip": 1.0 - p["q"], "theta": _wrap(p["pa"] + _HALF_PI)}
    if p["c"] != 2.0:
        out["c"] = p["c"] - 2.0
    return out


def from_astropy(amplitude, r_eff, n, x_0, y_0, ellip=0.0, theta=0.0, c=0.0):
    """astropy ``Sersic2D`` / ``GeneralSersic2D`` -> galforge (theta in radians or an angle Quantity)."""
    if hasattr(theta, "unit"):
        from astropy import units as u
        theta = theta.to_value(u.rad)
    q = 1.0 - _ellipticity("ellip", ellip)
    return _result(finite("x_0", x_0), finite("y_0", y_0), _non_negative("amplitude", amplitude),
                   _positive("r_eff", r_eff), _n("n", n), q, finite("theta", theta) - _HALF_PI,
                   _c("c", c, 2.0), "exact")


# --- imfit -----------------------------------------------------------------------------------

def to_imfit(x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0, *, bn=None):
    """galforge -> imfit ``Sersic`` / ``Sersic_GenEllipse``: dict(X0, Y0, PA, ell, n, I_e, r_e, c0).

    imfit (perwin/imfit @ 9cd7166): pixel centres are 1-based, IRAF style (core/model_object.cpp
    l. 1158-1160: x = j - nPSFColumns + 1): X0 = x0 + 1, Y0 = y0 + 1. ``PA`` in degrees "CCW from
    +y axis" (function_objects/func_sersic.cpp l. 62); the code turns it into PA + 90 deg and
    takes xp = dx cos + dy sin as the major axis, yp / q as the minor one (l. 122, 158-160), i.e.
    the major axis along (-sin PA, cos PA), galforge's pa. ell = 1 - q, I_e counts/pixel at r_e,
    r_e pixels (semi-major). c0 = c - 2 (func_gen-sersic.cpp l. 125: exponent c0 + 2); drop it
    for the plain ``Sersic`` function (c = 2). b_n: CB99 for n > 0.36 (helper_funcs.cpp
    Calculate_bn l. 19-23), the MacArthur et al. 2003 polynomial below, which galforge's "cb99"
    does not reproduce.
    """
    p = _galforge(x0, y0, ie, r_e, n, q, pa, c)
    _bn(bn)
    return {"X0": p["x0"] + 1.0, "Y0": p["y0"] + 1.0, "PA": _wrap(math.degrees(p["pa"]), 180.0),
            "ell": 1.0 - p["q"], "n": p["n"], "I_e": p["ie"], "r_e": p["r_e"], "c0": p["c"] - 2.0}


def from_imfit(X0, Y0, PA, ell, n, I_e, r_e, c0=0.0):
    """imfit -> galforge (inverse of ``to_imfit``; PA in degrees, X0, Y0 1-based); bn = "cb99"."""
    q = 1.0 - _ellipticity("ell", ell)
    return _result(finite("X0", X0) - 1.0, finite("Y0", Y0) - 1.0, _non_negative("I_e", I_e),
                   _positive("r_e", r_e), _n("n", n), q, math.radians(finite("PA", PA)),
                   _c("c0", c0, 2.0), "cb99")


# --- AstroPhot v0.16 -------------------------------------------------------------------------

def to_astrophot(x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0, *, pixelscale=1.0, bn=None):
    """galforge -> AstroPhot v0.16 Sersic: dict(center, q, PA, n, Re, Ie, C0).

    For a target with a scalar ``pixelscale`` s (arcsec/pixel), no rotation or flip, default
    ``reference_imageij = (-0.5, -0.5)``, ``reference_imagexy = (0, 0)`` (astrophot/image/wcs.py
    l. 460-461, ``pixel_to_plane`` l. 579-583): pixel centre (i, j) is at plane ((i + 1/2) s,
    (j + 1/2) s), so center = ((x0 + 0.5) s, (y0 + 0.5) s) arcsec. ``PA`` radians: the model
    rotates by -(PA - north), north = pi/2 (models/_shared_methods.py l. 303,
    image/image_header.py l. 36), then divides Y by q: major axis along (-sin PA, cos PA), as
    galforge's pa. Re = r_e s (arcsec). Ie = log10(ie / s**2), log10 of flux/arcsec^2: the model
    uses pixel_area * 10**Ie (_shared_methods.py l. 333-339), so ie must be > 0. C0 = c - 2
    ("superellipse" models, models/superellipse_model.py l. 38-42). b_n: CB99
    (utils/conversions/functions.py sersic_n_to_b l. 7-22). AstroPhot limits q to (0, 1).
    """
    p = _galforge(x0, y0, ie, r_e, n, q, pa, c)
    s = _positive("pixelscale", pixelscale)
    _bn(bn)
    if p["ie"] == 0.0:
        _bad("ie", ie, "a finite number > 0 (AstroPhot stores log10(ie))")
    return {"center": ((p["x0"] + 0.5) * s, (p["y0"] + 0.5) * s), "q": p["q"], "PA": _wrap(p["pa"]),
            "n": p["n"], "Re": p["r_e"] * s, "Ie": math.log10(p["ie"] / (s * s)), "C0": p["c"] - 2.0}


def from_astrophot(center, q, PA, n, Re, Ie, C0=0.0, *, pixelscale=1.0):
    """AstroPhot v0.16 -> galforge (inverse of ``to_astrophot``; center, Re in arcsec); bn = "cb99"."""
    try:
        cx, cy = center
    except (TypeError, ValueError):
        _bad("center", center, "a pair (x, y) of finite numbers (arcsec)")
    s = _positive("pixelscale", pixelscale)
    try:
        ie = 10.0 ** finite("Ie", Ie) * s * s
    except OverflowError:
        ie = math.inf
    if not (math.isfinite(ie) and ie > 0.0):
        _bad("Ie", Ie, "log10(flux/arcsec^2) with 0 < 10**Ie * pixelscale**2 < inf")
    return _result(finite("center[0]", cx) / s - 0.5, finite("center[1]", cy) / s - 0.5, ie,
                   _positive("Re", Re) / s, _n("n", n), _q("q", q), finite("PA", PA), _c("C0", C0, 2.0), "cb99")


# --- Galaxy Builder (final, JAX gzbuilder_analysis) ------------------------------------------

def to_galaxy_builder(x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0, *, bn=None):
    """galforge -> Galaxy Builder final (JAX) Sersic: dict(mux, muy, roll, q, Re, I, n, c).

    gzbuilder_analysis @ 11b798d, rendering/sersic.py: the grid is ``arange`` (pixel centres at
    0-based integers), R = (|(cos r dx + sin r dy) / q|^c + |-sin r dx + cos r dy|^c)^(1/c)
    (l. 28-46), so the major axis is along (-sin roll, cos roll): roll = pa, mux = x0, muy = y0,
    Re = r_e (px), I = ie (per pixel at Re), faithfully (the half-pixel offset of its annotation
    parser is not applied here). b_n: CB99 (``_b`` l. 21-25). Its fits keep q <= 1 and roll in
    [0, pi) after ``sanitize_model``/``correct_axratio``.
    """
    p = _galforge(x0, y0, ie, r_e, n, q, pa, c)
    _bn(bn)
    return {"mux": p["x0"], "muy": p["y0"], "roll": _wrap(p["pa"]), "q": p["q"], "Re": p["r_e"],
            "I": p["ie"], "n": p["n"], "c": p["c"]}


def from_galaxy_builder(mux, muy, roll, q, Re, I, n=1.0, c=2.0):  # noqa: E741 (Galaxy Builder's name)
    """Galaxy Builder final (JAX) -> galforge (inverse of ``to_galaxy_builder``); bn = "cb99".

    q > 1 is refused: flip it first as gzbuilder does (Re * q, 1 / q, roll + pi/2).
    """
    if finite("q", q) > 1.0:
        _bad("q", q, "0 < q <= 1 (flip q > 1 first: Re * q, 1 / q, roll + pi/2)")
    return _result(finite("mux", mux), finite("muy", muy), _non_negative("I", I), _positive("Re", Re),
                   _n("n", n), _q("q", q), finite("roll", roll), _c("c", c), "cb99")


__all__ = ["from_astrophot", "from_astropy", "from_galaxy_builder", "from_galsim", "from_imfit",
           "to_astrophot", "to_astropy", "to_galaxy_builder", "to_galsim", "to_imfit"]
