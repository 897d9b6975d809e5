"""Independent reference values for Sersic tests: the profile written out with numpy, b_n from
scipy.special.gammaincinv, pixel integrals from scipy.integrate quadrature, and the flux inside a
rectangle from the analytic radial integral (regularised incomplete gamma) and quadrature in angle."""
import numpy as np
from scipy import integrate, special


def bn_exact(n):
    return special.gammaincinv(2.0 * n, 0.5)


def profile(x, y, x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0):
    """Surface brightness at (x, y) (galforge conventions, DESIGN.md section 3)."""
    dx, dy = np.asarray(x) - x0, np.asarray(y) - y0
    u = -dx * np.sin(pa) + dy * np.cos(pa)
    v = (dx * np.cos(pa) + dy * np.sin(pa)) / q
    r = (np.abs(u) ** c + np.abs(v) ** c) ** (1.0 / c)
    b = bn_exact(n)
    return ie * np.exp(-b * ((r / r_e) ** (1.0 / n) - 1.0))


def pixel_integral(i, j, params, epsrel=1e-10):
    """Integral of the profile over pixel [i, j] (centre x = j, y = i), split at the profile centre."""
    x0, y0 = params["x0"], params["y0"]

    def cuts(lo, hi, c):
        return [lo, c, hi] if lo < c < hi else [lo, hi]

    xs, ys = cuts(j - 0.5, j + 0.5, x0), cuts(i - 0.5, i + 0.5, y0)
    total = 0.0
    for ya, yb in zip(ys[:-1], ys[1:]):
        for xa, xb in zip(xs[:-1], xs[1:]):
            val, _ = integrate.dblquad(lambda y, x: profile(x, y, **params), xa, xb, ya, yb,
                                       epsabs=0.0, epsrel=epsrel)
            total += val
    return total


def total_flux(ie, r_e, n, q=1.0, c=2.0):
    """Analytic total flux: 2 pi q r_e^2 ie n e^b b^-2n Gamma(2n) x (generalised-ellipse area / pi)."""
    b = bn_exact(n)
    area = 4.0 * special.gamma(1.0 + 1.0 / c) ** 2 / special.gamma(1.0 + 2.0 / c)
    return 2.0 * np.pi * q * r_e**2 * ie * n * np.exp(b) * b ** (-2.0 * n) * special.gamma(2.0 * n) * area / np.pi


def flux_in_frame(shape, x0, y0, ie, r_e, n, q=1.0, pa=0.0, c=2.0):
    """Flux of the profile inside the image frame [-0.5, nx - 0.5] x [-0.5, ny - 0.5].

    In the (u, v) frame a ray at angle phi reaches generalised radius r = t N(phi) at Euclidean
    distance t, N = (|cos|^c + |sin|^c)^(1/c), with area element q r dr dphi / N^2; the radial
    integral is analytic: int_0^rho I r dr = ie e^b n r_e^2 b^-2n Gamma(2n) P(2n, b (rho/r_e)^(1/n)).
    """
    ny, nx = shape
    b = bn_exact(n)
    radial_total = ie * np.exp(b) * n * r_e**2 * b ** (-2.0 * n) * special.gamma(2.0 * n)
    sp, cp = np.sin(pa), np.cos(pa)

    def integrand(phi):
        cu, sv = np.cos(phi), np.sin(phi)
        norm = (abs(cu) ** c + abs(sv) ** c) ** (1.0 / c)
        # Direction of the ray in (x, y): (dx, dy) = t (-cu sp + sv q cp, cu cp + sv q sp).
        ddx, ddy = -cu * sp + sv * q * cp, cu * cp + sv * q * sp
        t = np.inf
        for d, lo, hi, p0 in ((ddx, -0.5, nx - 0.5, x0), (ddy, -0.5, ny - 0.5, y0)):
            if d > 0:
                t = min(t, (hi - p0) / d)
            elif d < 0:
                t = min(t, (lo - p0) / d)
        rho = t * norm
        return q * radial_total * special.gammainc(2.0 * n, b * (rho / r_e) ** (1.0 / n)) / norm**2

    breaks = np.linspace(0.0, 2.0 * np.pi, 17)
    return sum(integrate.quad(integrand, a, z, epsabs=0.0, epsrel=1e-12, limit=400)[0]
               for a, z in zip(breaks[:-1], breaks[1:]))


def pixel_integrals_gl(shape, params, order=12, sub=4):
    """Pixel integrals of a whole image by tensor Gauss-Legendre (``sub`` x ``sub`` cells per pixel,
    ``order`` nodes per cell side): accurate for pixels that do not hold the profile centre."""
    nodes, weights = np.polynomial.legendre.leggauss(order)
    offsets = ((np.arange(sub)[:, None] + 0.5 * (nodes[None, :] + 1.0)) / sub - 0.5).ravel()
    w = (np.tile(weights, sub) / (2.0 * sub))
    ny, nx = shape
    out = np.empty(shape)
    xs = (np.arange(nx)[:, None] + offsets[None, :]).ravel()
    for i in range(ny):
        ys = i + offsets
        vals = profile(xs[None, :], ys[:, None], **params).reshape(len(ys), nx, len(offsets))
        out[i] = np.einsum("a,akb,b->k", w, vals, w)
    return out
