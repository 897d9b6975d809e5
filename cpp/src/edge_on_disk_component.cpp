// The EdgeOnDisk component kind (van der Kruit & Searle 1981): parameters x0, y0, i0, h, z0, pa.
//
// I(x, y) = i0 (|r| / h) K1(|r| / h) sech^2(z / z0), the surface brightness of a transparent exponential disk
// (scale length h, sech^2 scale height z0, pixels) seen exactly edge-on; r = -dx sin(pa) + dy cos(pa) along
// the disk plane (pa: the major axis, counter-clockwise from +y), z = dx cos(pa) + dy sin(pa) across it.
// i0 is the central surface brightness per pixel (imfit's EdgeOnDisk with n = 1: i0 = 2 h L_0 and imfit's
// z_0 = z0 / 2, its profile being sech^2(z / (2 z_0))). Total flux 2 pi i0 h z0.
// Derivatives, with x = |r| / h, t = z / z0, g(x) = x K1(x), g'(x) = -x K0(x), S = sech^2 t:
// dI/dr = i0 g'(x) sign(r) / h S, dI/dz = -2 i0 g(x) S tanh(t) / z0, dI/dh = i0 x^2 K0(x) S / h,
// dI/dz0 = 2 i0 g(x) S tanh(t) t / z0; dr/dx0 = sin, dz/dx0 = -cos, dr/dy0 = -cos, dz/dy0 = -sin,
// dr/dpa = -z, dz/dpa = r.
#include <algorithm>
#include <cmath>

#include "galforge/component.hpp"
#include "kernels.hpp"
#include "pixel_integrator.hpp"

namespace galforge {

namespace {

// x K1(x) and x K0(x) by the polynomial approximations of Abramowitz & Stegun 9.8.1-9.8.8 (relative error
// < 2e-7 against scipy.special over 1e-8 <= x <= 40, tested), ~20x faster than std::cyl_bessel_k.
double horner(const double* c, double y) {
    double r = 0.0;
    for (int k = 6; k >= 0; --k) r = r * y + c[k];
    return r;
}
constexpr double kI0[7] = {1.0, 3.5156229, 3.0899424, 1.2067492, 0.2659732, 0.0360768, 0.0045813};
constexpr double kI1[7] = {0.5, 0.87890594, 0.51498869, 0.15084934, 0.02658733, 0.00301532, 0.00032411};
constexpr double kK0Small[7] = {-0.57721566, 0.42278420, 0.23069756, 0.03488590, 0.00262698, 0.00010750, 0.0000074};
constexpr double kK0Large[7] = {1.25331414, -0.07832358, 0.02189568, -0.01062446, 0.00587872, -0.00251540, 0.00053208};
constexpr double kK1Small[7] = {1.0, 0.15443144, -0.67278579, -0.18156897, -0.01919402, -0.00110404, -0.00004686};
constexpr double kK1Large[7] = {1.25331414, 0.23498619, -0.03655620, 0.01504268, -0.00780353, 0.00325614, -0.00068245};

// x K1(x) (1 at x = 0) and x K0(x) (0 at x = 0).
void bessel_xk(double x, double& xk1, double& xk0) {
    if (x < 1e-300) {
        xk1 = 1.0;
        xk0 = 0.0;
    } else if (x <= 2.0) {
        const double t = x * x / 14.0625, y = 0.25 * x * x, l = std::log(0.5 * x);
        xk1 = x * x * l * horner(kI1, t) + horner(kK1Small, y);
        xk0 = x * (-l * horner(kI0, t) + horner(kK0Small, y));
    } else if (x > 700.0) {
        xk1 = xk0 = 0.0;
    } else {
        const double e = std::sqrt(x) * std::exp(-x), y = 2.0 / x;
        xk1 = e * horner(kK1Large, y);
        xk0 = e * horner(kK0Large, y);
    }
}
// sech^2 t and tanh t without overflow.
void sech2_tanh(double t, double& s, double& th) {
    const double e = std::exp(-2.0 * std::fabs(t)), d = 1.0 + e;
    s = 4.0 * e / (d * d);
    th = std::copysign((1.0 - e) / d, t);
}

struct EdgeOnDisk {
    static constexpr int kParams = 6;
    double amplitude, sn, cs, h, inv_h, z0, inv_z0;

    explicit EdgeOnDisk(const double* p)
        : amplitude(p[2]), sn(std::sin(p[5])), cs(std::cos(p[5])), h(p[3]), inv_h(1.0 / p[3]), z0(p[4]),
          inv_z0(1.0 / p[4]) {}

    double shape(double dx, double dy) const {
        const double r = -dx * sn + dy * cs, z = dx * cs + dy * sn;
        double s, th;
        sech2_tanh(z * inv_z0, s, th);
        if (s == 0.0) return 0.0;
        double g, k0;
        bessel_xk(std::fabs(r) * inv_h, g, k0);
        return g * s;
    }
    void derivatives(double dx, double dy, double w, double* acc) const {
        const double r = -dx * sn + dy * cs, z = dx * cs + dy * sn, x = std::fabs(r) * inv_h, t = z * inv_z0;
        double s, th;
        sech2_tanh(t, s, th);
        double g, k0;
        bessel_xk(x, g, k0);
        const double S = w * s;
        const double dr = -amplitude * k0 * std::copysign(1.0, r) * inv_h * S;
        const double dz = -2.0 * amplitude * g * S * th * inv_z0;
        acc[0] += dr * sn - dz * cs;
        acc[1] += -dr * cs - dz * sn;
        acc[2] += g * S;
        acc[3] += amplitude * x * k0 * S * inv_h;
        acc[4] += 2.0 * amplitude * g * S * th * t * inv_z0;
        acc[5] += dr * (-z) + dz * r;
    }
    // Below 1e-9 of the peak: x K1(x) < 1e-9 for x > 22.4, sech^2 t < 1e-9 for |t| > 11.1.
    bool negligible(double dx, double dy) const {
        const double r = -dx * sn + dy * cs, z = dx * cs + dy * sn;
        return (std::fabs(r) - 0.71) * inv_h > 22.4 || (std::fabs(z) - 0.71) * inv_z0 > 11.1;
    }
    // The centre, and the line r = 0 where x K1(x) ~ 1 + x^2 ln(x) / 2 is not smooth.
    bool forced(double dx, double dy) const {
        const double r = -dx * sn + dy * cs;
        return std::fabs(r) < pixel::kStencilReach + 0.25 && !negligible(dx, dy);
    }
    // A pixel crossed by the line r = 0 starts on cells of 1/8 px, so that the error estimates see the kink.
    int initial_split(double dx, double dy) const {
        if (negligible(dx, dy)) return 1;
        const int split = static_cast<int>(std::fmin(16.0, std::ceil(1.0 / std::fmin(h, z0))));
        return std::fabs(-dx * sn + dy * cs) < 0.71 ? std::max(split, 8) : split;
    }
};

int count(const ComponentSpec&) { return EdgeOnDisk::kParams; }

void check(const ComponentSpec&, const double* p) {
    using pixel::require;
    require(std::fabs(p[0]) <= pixel::kMaxPosition, "edgeondisk", "x0", p[0], "|x0| <= 1e9");
    require(std::fabs(p[1]) <= pixel::kMaxPosition, "edgeondisk", "y0", p[1], "|y0| <= 1e9");
    require(std::fabs(p[2]) <= 1e250, "edgeondisk", "i0", p[2], "|i0| <= 1e250");
    require(p[3] >= 1e-3 && p[3] <= 1e8, "edgeondisk", "h", p[3], "1e-3 <= h <= 1e8 (pixels)");
    require(p[4] >= 1e-3 && p[4] <= 1e8, "edgeondisk", "z0", p[4], "1e-3 <= z0 <= 1e8 (pixels)");
    require(std::isfinite(p[5]), "edgeondisk", "pa", p[5], "a finite number (radians)");
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    check(spec, p);
    pixel::integrate(view, planes, EdgeOnDisk(p), p[0], p[1], ctx.options);
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    gradient(view, nullptr, spec, p, ctx);
}

}  // namespace

const ComponentKernel kEdgeOnDiskKernel{"edgeondisk", true, -1, 5, count, check, render, gradient, 2};

}  // namespace galforge
