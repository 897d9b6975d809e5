// The Gaussian component kind: parameters x0, y0, flux, sigma, q, pa.
//
// I(x, y) = flux / (2 pi sigma^2 q) exp(-R^2 / (2 sigma^2)), R^2 = u^2 + v^2 with
// u = -dx sin(pa) + dy cos(pa), v = (dx cos(pa) + dy sin(pa)) / q: sigma along the major axis (pixels),
// q sigma along the minor one; `flux` is the total (GalSim's Gaussian(flux, sigma) for q = 1).
// Derivatives: with g = I / sigma^2, dI/du = -g u, dI/dv = -g v; du/dx0 = sin, dv/dx0 = -cos / q,
// du/dy0 = -cos, dv/dy0 = -sin / q, du/dpa = -q v, dv/dpa = u / q; dI/dsigma = I (R^2 / sigma^3 - 2 / sigma),
// dI/dq = I (v^2 / (q sigma^2) - 1 / q), dI/dflux = I / flux.
#include <cmath>

#include "galforge/component.hpp"
#include "kernels.hpp"
#include "pixel_integrator.hpp"

namespace galforge {

namespace {

constexpr double kPi = 3.14159265358979323846;

struct Gaussian : pixel::EllipticalFrame {
    static constexpr int kParams = 6;
    double amplitude, unit, inv_s2, sigma;

    explicit Gaussian(const double* p)
        : EllipticalFrame(p[5], p[4]), amplitude(p[2] / (2.0 * kPi * p[3] * p[3] * p[4])),
          unit(1.0 / (2.0 * kPi * p[3] * p[3] * p[4])), inv_s2(1.0 / (p[3] * p[3])), sigma(p[3]) {
        floor_r2 = 2.0 * std::log(1.0 / pixel::kFloor) * p[3] * p[3];
    }

    double shape(double dx, double dy) const {
        double u, v;
        uv(dx, dy, u, v);
        const double a = 0.5 * (u * u + v * v) * inv_s2;
        return a < 745.0 ? std::exp(-a) : 0.0;  // (no slow underflow path in the far tails)
    }
    void derivatives(double dx, double dy, double w, double* acc) const {
        double u, v;
        uv(dx, dy, u, v);
        const double r2 = (u * u + v * v) * inv_s2, E = w * std::exp(-0.5 * r2), I = amplitude * E;
        const double g = I * inv_s2, du = -g * u, dv = -g * v;
        acc[0] += du * sn - dv * cs * iq;
        acc[1] += -du * cs - dv * sn * iq;
        acc[2] += unit * E;
        acc[3] += I * (r2 - 2.0) / sigma;
        acc[4] += I * (v * v * inv_s2 - 1.0) * iq;
        acc[5] += du * (-q * v) + dv * (u * iq);
    }
    int initial_split(double dx, double dy) const {
        return negligible(dx, dy) ? 1 : static_cast<int>(std::fmin(16.0, std::ceil(1.0 / (q * sigma))));
    }
};

int count(const ComponentSpec&) { return Gaussian::kParams; }

void check(const ComponentSpec&, const double* p) {
    using pixel::require;
    require(std::fabs(p[0]) <= pixel::kMaxPosition, "gaussian", "x0", p[0], "|x0| <= 1e9");
    require(std::fabs(p[1]) <= pixel::kMaxPosition, "gaussian", "y0", p[1], "|y0| <= 1e9");
    require(std::fabs(p[2]) <= 1e250, "gaussian", "flux", p[2], "|flux| <= 1e250");
    require(p[3] >= 1e-3 && p[3] <= 1e8, "gaussian", "sigma", p[3], "1e-3 <= sigma <= 1e8 (pixels)");
    require(p[4] >= 1e-3 && p[4] <= 1.0, "gaussian", "q", p[4], "1e-3 <= q <= 1");
    require(std::isfinite(p[5]), "gaussian", "pa", p[5], "a finite number (radians)");
    require(std::isfinite(p[2] / (2.0 * kPi * p[3] * p[3] * p[4])), "gaussian", "flux", p[2],
            "a value whose peak flux / (2 pi sigma^2 q) is finite");
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    check(spec, p);
    pixel::integrate(view, planes, Gaussian(p), p[0], p[1], ctx.options);
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    gradient(view, nullptr, spec, p, ctx);
}

}  // namespace

const ComponentKernel kGaussianKernel{"gaussian", true, 4, 5, count, check, render, gradient, 2};

}  // namespace galforge
