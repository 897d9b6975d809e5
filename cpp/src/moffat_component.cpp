// The Moffat component kind: parameters x0, y0, flux, fwhm, beta, q, pa.
//
// I(x, y) = flux (beta - 1) / (pi alpha^2 q) (1 + R^2 / alpha^2)^(-beta), R^2 = u^2 + v^2 with u, v as the
// Gaussian's (v divided by q); alpha = fwhm / (2 sqrt(2^(1/beta) - 1)) the core radius, fwhm along the
// major axis (pixels); `flux` is the total (GalSim's Moffat(beta, fwhm, flux) for q = 1, untruncated).
// Derivatives, with D = 1 + R^2 / alpha^2 and g = 2 beta I / (alpha^2 D): dI/du = -g u, dI/dv = -g v;
// dI/dalpha = I (2 beta R^2 / (alpha^3 D) - 2 / alpha), dI/dbeta at fixed alpha = I (1 / (beta - 1) - ln D),
// dalpha/dfwhm = alpha / fwhm, dalpha/dbeta = alpha 2^(1/beta) ln 2 / (2 s beta^2) with s = 2^(1/beta) - 1,
// dI/dq = I (beta 2 v^2 / (q alpha^2 D) - 1 / q); position and pa as the Gaussian.
#include <cmath>

#include "galforge/component.hpp"
#include "kernels.hpp"
#include "pixel_integrator.hpp"

namespace galforge {

namespace {

constexpr double kPi = 3.14159265358979323846;

double core_radius(double fwhm, double beta) { return 0.5 * fwhm / std::sqrt(std::exp2(1.0 / beta) - 1.0); }

struct Moffat : pixel::EllipticalFrame {
    static constexpr int kParams = 7;
    double amplitude, unit, alpha, inv_a2, beta, fwhm, dalpha_dbeta;

    explicit Moffat(const double* p)
        : EllipticalFrame(p[6], p[5]), alpha(core_radius(p[3], p[4])), inv_a2(1.0 / (alpha * alpha)), beta(p[4]),
          fwhm(p[3]) {
        unit = (beta - 1.0) / (kPi * alpha * alpha * q);
        amplitude = p[2] * unit;
        const double t = std::exp2(1.0 / beta);
        dalpha_dbeta = alpha * t * std::log(2.0) / (2.0 * (t - 1.0) * beta * beta);
        floor_r2 = alpha * alpha * (std::pow(1.0 / pixel::kFloor, 1.0 / beta) - 1.0);
    }

    double shape(double dx, double dy) const {
        double u, v;
        uv(dx, dy, u, v);
        return std::pow(1.0 + (u * u + v * v) * inv_a2, -beta);
    }
    void derivatives(double dx, double dy, double w, double* acc) const {
        double u, v;
        uv(dx, dy, u, v);
        const double r2 = u * u + v * v, D = 1.0 + r2 * inv_a2, lnD = std::log(D);
        const double E = w * std::exp(-beta * lnD), I = amplitude * E;
        const double g = 2.0 * beta * I * inv_a2 / D, du = -g * u, dv = -g * v;
        const double dI_dalpha = I * (2.0 * beta * r2 * inv_a2 / (alpha * D) - 2.0 / alpha);
        acc[0] += du * sn - dv * cs * iq;
        acc[1] += -du * cs - dv * sn * iq;
        acc[2] += unit * E;
        acc[3] += dI_dalpha * alpha / fwhm;
        acc[4] += I * (1.0 / (beta - 1.0) - lnD) + dI_dalpha * dalpha_dbeta;
        acc[5] += (g * v * v - I) * iq;
        acc[6] += du * (-q * v) + dv * (u * iq);
    }
    int initial_split(double dx, double dy) const {
        return negligible(dx, dy) ? 1 : static_cast<int>(std::fmin(16.0, std::ceil(2.0 / (q * fwhm))));
    }
};

int count(const ComponentSpec&) { return Moffat::kParams; }

void check(const ComponentSpec&, const double* p) {
    using pixel::require;
    require(std::fabs(p[0]) <= pixel::kMaxPosition, "moffat", "x0", p[0], "|x0| <= 1e9");
    require(std::fabs(p[1]) <= pixel::kMaxPosition, "moffat", "y0", p[1], "|y0| <= 1e9");
    require(std::fabs(p[2]) <= 1e250, "moffat", "flux", p[2], "|flux| <= 1e250");
    require(p[3] >= 1e-3 && p[3] <= 1e8, "moffat", "fwhm", p[3], "1e-3 <= fwhm <= 1e8 (pixels)");
    require(p[4] >= 1.01 && p[4] <= 100.0, "moffat", "beta", p[4], "1.01 <= beta <= 100 (beta > 1: finite flux)");
    require(p[5] >= 1e-3 && p[5] <= 1.0, "moffat", "q", p[5], "1e-3 <= q <= 1");
    require(std::isfinite(p[6]), "moffat", "pa", p[6], "a finite number (radians)");
    require(std::isfinite(Moffat(p).amplitude), "moffat", "flux", p[2], "a value whose peak brightness is finite");
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    check(spec, p);
    pixel::integrate(view, planes, Moffat(p), p[0], p[1], ctx.options);
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    gradient(view, nullptr, spec, p, ctx);
}

}  // namespace

const ComponentKernel kMoffatKernel{"moffat", true, 5, 6, count, check, render, gradient, 2};

}  // namespace galforge
