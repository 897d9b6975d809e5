// Pixel-integrated Sersic rendering (compiled with -ffast-math so that glibc's vector exp/log
// are used; every input was validated finite before it gets here).
//
// Adaptive mode: the profile is sampled once at every pixel centre (plus a 2-pixel border).
// From those samples the pixel mean follows to 6th order by the Euler-Maclaurin-type cell average
//   mean = f + (d2x + d2y) f / 24 - 17/5760 (d4x + d4y) f + d2x d2y f / 576,
// with d2, d4 the central second and fourth differences. The size of the 4th-order terms is the
// error indicator: pixels where it exceeds a fraction of the tolerance, the pixels that hold the
// profile centre (cusp for n > 1) and, for c != 2, the pixels on the symmetry axes (where the
// generalised radius is not smooth) are integrated by adaptive 3x3 Gauss-Legendre cubature.
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/sersic.hpp"

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(GALFORGE_NO_CLONES)
#define GALFORGE_VECTOR_CLONES __attribute__((target_clones("default", "arch=x86-64-v3", "arch=x86-64-v4")))
#else
#define GALFORGE_VECTOR_CLONES
#endif

namespace galforge {

namespace {

enum class Kind { gauss, exponential, quartic_root, general_ellipse, generalized };

// The profile with every per-component constant folded in: I = amp exp(-bn s), s = (R/r_e)^(1/n).
struct Profile {
    double x0, y0, cos_pa, sin_pa, inv_q, amp, bn;
    double inv_re, inv_re2, half_inv_n, inv_n, c, inv_cn, log_re_over_n;
    double value_floor;  // pixel values below this (1e-12 ie) need only absolute accuracy
    Kind kind;

    explicit Profile(const SersicParams& p)
        : x0(p.x0), y0(p.y0), cos_pa(std::cos(p.pa)), sin_pa(std::sin(p.pa)), inv_q(1.0 / p.q),
          amp(0.0), bn(sersic_bn(p)), inv_re(1.0 / p.r_e), inv_re2(1.0 / (p.r_e * p.r_e)),
          half_inv_n(0.5 / p.n), inv_n(1.0 / p.n), c(p.c), inv_cn(1.0 / (p.c * p.n)),
          log_re_over_n(std::log(p.r_e) / p.n), value_floor(1e-12 * p.ie), kind(Kind::generalized) {
        amp = p.ie * std::exp(bn);
        if (p.c == 2.0) {
            if (p.n == 0.5) kind = Kind::gauss;
            else if (p.n == 1.0) kind = Kind::exponential;
            else if (p.n == 4.0) kind = Kind::quartic_root;
            else kind = Kind::general_ellipse;
        }
    }

    // Profile value at offsets (dx, dy) from the centre.
    double at(double dx, double dy) const {
        const double u = -dx * sin_pa + dy * cos_pa;
        const double v = (dx * cos_pa + dy * sin_pa) * inv_q;
        double s;
        if (kind == Kind::generalized) {
            const double rc = std::pow(std::fabs(u), c) + std::pow(std::fabs(v), c);
            s = rc > 0.0 ? std::exp(std::log(rc) * inv_cn - log_re_over_n) : 0.0;
        } else {
            const double r2 = (u * u + v * v) * inv_re2;
            s = r2 > 0.0 ? std::exp(std::log(r2) * half_inv_n) : 0.0;
        }
        return amp * std::exp(-bn * s);
    }
};

// out[k] = profile at (dx0 + k * step, dy) for k < count. One straight loop per kind so that the
// compiler vectorises it (including exp/log); cloned for AVX2 and AVX-512, chosen at load time, so
// that a portable build still uses the widest vectors of the CPU it runs on.
GALFORGE_VECTOR_CLONES
void sample_row(const Profile& P, double dy, double dx0, double step, int count, double* out) {
    const double uy = dy * P.cos_pa, vy = dy * P.sin_pa;
    const double sn = P.sin_pa, cs = P.cos_pa, iq = P.inv_q, amp = P.amp, bn = P.bn;
    switch (P.kind) {
        case Kind::gauss: {
            const double k = P.inv_re2;
            for (int j = 0; j < count; ++j) {  // int: int->double converts in SIMD
                const double dx = dx0 + static_cast<double>(j) * step;
                const double u = -dx * sn + uy, v = (dx * cs + vy) * iq;
                out[j] = amp * std::exp(-bn * (u * u + v * v) * k);
            }
            break;
        }
        case Kind::exponential: {
            const double k = P.inv_re2;
            for (int j = 0; j < count; ++j) {  // int: int->double converts in SIMD
                const double dx = dx0 + static_cast<double>(j) * step;
                const double u = -dx * sn + uy, v = (dx * cs + vy) * iq;
                out[j] = amp * std::exp(-bn * std::sqrt((u * u + v * v) * k));
            }
            break;
        }
        case Kind::quartic_root: {
            const double k = P.inv_re2;
            for (int j = 0; j < count; ++j) {  // int: int->double converts in SIMD
                const double dx = dx0 + static_cast<double>(j) * step;
                const double u = -dx * sn + uy, v = (dx * cs + vy) * iq;
                out[j] = amp * std::exp(-bn * std::sqrt(std::sqrt(std::sqrt((u * u + v * v) * k))));
            }
            break;
        }
        case Kind::general_ellipse: {
            const double k = P.inv_re2, h = P.half_inv_n;
            for (int j = 0; j < count; ++j) {  // int: int->double converts in SIMD
                const double dx = dx0 + static_cast<double>(j) * step;
                const double u = -dx * sn + uy, v = (dx * cs + vy) * iq;
                // r2 + tiny keeps log finite at the exact centre (s there is ~1e-300^(1/2n) ~ 0).
                const double r2 = (u * u + v * v) * k + 1e-300;
                out[j] = amp * std::exp(-bn * std::exp(std::log(r2) * h));
            }
            break;
        }
        case Kind::generalized: {
            const double c = P.c, icn = P.inv_cn, lr = P.log_re_over_n;
            for (int j = 0; j < count; ++j) {  // int: int->double converts in SIMD
                const double dx = dx0 + static_cast<double>(j) * step;
                const double u = -dx * sn + uy, v = (dx * cs + vy) * iq;
                const double au = std::fabs(u) + 1e-300, av = std::fabs(v) + 1e-300;
                const double rc = std::exp(c * std::log(au)) + std::exp(c * std::log(av));
                out[j] = amp * std::exp(-bn * std::exp(std::log(rc) * icn - lr));
            }
            break;
        }
    }
}

// ---- adaptive cubature ---------------------------------------------------------------------

constexpr int kMaxDepth = 30;
const double kGLNode = std::sqrt(0.6);
constexpr double kGLWeightCentre = 8.0 / 9.0;
constexpr double kGLWeightSide = 5.0 / 9.0;

// 3x3 Gauss-Legendre integral of the profile over [ax, bx] x [ay, by] (offsets from the centre).
double gauss_legendre_3x3(const Profile& P, double ax, double bx, double ay, double by) {
    const double mx = 0.5 * (ax + bx), hx = 0.5 * (bx - ax);
    const double my = 0.5 * (ay + by), hy = 0.5 * (by - ay);
    const double xs[3] = {mx - hx * kGLNode, mx, mx + hx * kGLNode};
    const double ys[3] = {my - hy * kGLNode, my, my + hy * kGLNode};
    const double w[3] = {kGLWeightSide, kGLWeightCentre, kGLWeightSide};
    double sum = 0.0;
    for (int a = 0; a < 3; ++a) {
        double row = 0.0;
        for (int b = 0; b < 3; ++b) row += w[b] * P.at(xs[b], ys[a]);
        sum += w[a] * row;
    }
    return sum * hx * hy;
}

double integrate_cell(const Profile& P, double ax, double bx, double ay, double by, double whole,
                      double tol, int depth) {
    const double mx = 0.5 * (ax + bx), my = 0.5 * (ay + by);
    const double q00 = gauss_legendre_3x3(P, ax, mx, ay, my);
    const double q01 = gauss_legendre_3x3(P, mx, bx, ay, my);
    const double q10 = gauss_legendre_3x3(P, ax, mx, my, by);
    const double q11 = gauss_legendre_3x3(P, mx, bx, my, by);
    const double parts = q00 + q01 + q10 + q11;
    if (depth >= kMaxDepth || std::fabs(parts - whole) <= tol) return parts;
    const double t = 0.5 * tol;
    return integrate_cell(P, ax, mx, ay, my, q00, t, depth + 1) + integrate_cell(P, mx, bx, ay, my, q01, t, depth + 1) +
           integrate_cell(P, ax, mx, my, by, q10, t, depth + 1) + integrate_cell(P, mx, bx, my, by, q11, t, depth + 1);
}

// Integral over the box [ax, bx] x [ay, by] (offsets from the centre), split at the profile centre
// when the box holds it so that no cell straddles the cusp; `tol` absolute.
double integrate_box(const Profile& P, double ax, double bx, double ay, double by, double tol) {
    double xcuts[3] = {ax, bx, bx};
    double ycuts[3] = {ay, by, by};
    int nxc = 1, nyc = 1;
    if (ax < 0.0 && bx > 0.0) { xcuts[1] = 0.0; xcuts[2] = bx; nxc = 2; }
    if (ay < 0.0 && by > 0.0) { ycuts[1] = 0.0; ycuts[2] = by; nyc = 2; }
    const double cell_tol = tol / (nxc * nyc);
    double sum = 0.0;
    for (int a = 0; a < nyc; ++a)
        for (int b = 0; b < nxc; ++b) {
            const double x1 = xcuts[b], x2 = xcuts[b + 1], y1 = ycuts[a], y2 = ycuts[a + 1];
            sum += integrate_cell(P, x1, x2, y1, y2, gauss_legendre_3x3(P, x1, x2, y1, y2), cell_tol, 0);
        }
    return sum;
}

// Mean of the profile over the unit pixel centred at offsets (dx, dy), to `rel_tol` relative
// (absolute below the profile's value floor).
double integrate_pixel(const Profile& P, double dx, double dy, double rel_tol) {
    const double ax = dx - 0.5, bx = dx + 0.5, ay = dy - 0.5, by = dy + 0.5;
    const double coarse = std::fabs(gauss_legendre_3x3(P, ax, bx, ay, by));
    double value = integrate_box(P, ax, bx, ay, by, std::fmax(coarse, P.value_floor) * rel_tol);
    // The tolerance came from a coarse estimate; if that was far too high (a narrow cusp), redo.
    if (std::fabs(value) < 0.5 * coarse)
        value = integrate_box(P, ax, bx, ay, by, std::fmax(std::fabs(value), P.value_floor) * rel_tol);
    return value;
}

// ---- drivers ---------------------------------------------------------------------------------

void check_options(const RenderOptions& o) {
    if (o.oversample < 0 || o.oversample > 64)
        throw std::invalid_argument("oversample = " + std::to_string(o.oversample) + " is invalid: expected 0 (adaptive) or 1..64");
    if (!(o.tolerance >= 1e-10 && o.tolerance <= 0.1))
        throw std::invalid_argument("tolerance = " + std::to_string(o.tolerance) + " is invalid: expected 1e-10 <= tolerance <= 0.1");
    if (o.threads < 1) throw std::invalid_argument("threads = " + std::to_string(o.threads) + " is invalid: expected >= 1");
}

// Rows [r0, r1) of the window with uniform k x k sub-pixel sampling (k = 1: pixel centres).
void render_rows_uniform(const Profile& P, const ImageView& img, const Window& w, std::ptrdiff_t r0,
                         std::ptrdiff_t r1, int k, std::vector<double>& buffer) {
    const std::ptrdiff_t width = w.width();
    const double inv_k = 1.0 / k;
    buffer.resize(static_cast<std::size_t>(width * k));
    double* b = buffer.data();
    const double dx0 = img.x_origin + static_cast<double>(w.x_begin) - 0.5 + 0.5 * inv_k - P.x0;
    const double norm = inv_k * inv_k;
    for (std::ptrdiff_t i = r0; i < r1; ++i) {
        double* out = img.row(i) + w.x_begin;
        const double yc = img.y_origin + static_cast<double>(i) - P.y0;
        if (k == 1) {
            sample_row(P, yc, dx0, 1.0, static_cast<int>(width), b);
            for (std::ptrdiff_t j = 0; j < width; ++j) out[j] += b[j];
            continue;
        }
        for (int m = 0; m < k; ++m) {
            sample_row(P, yc - 0.5 + (m + 0.5) * inv_k, dx0, inv_k, static_cast<int>(width * k), b);
            for (std::ptrdiff_t j = 0; j < width; ++j) {
                double s = 0.0;
                for (int t = 0; t < k; ++t) s += b[j * k + t];
                out[j] += s * norm;
            }
        }
    }
}

// Rows [r0, r1) of the window, adaptively integrated (see the file comment).
void render_rows_adaptive(const Profile& P, const ImageView& img, const Window& w, std::ptrdiff_t r0,
                          std::ptrdiff_t r1, double tol, std::vector<double>& buffer) {
    constexpr int kRing = 5;
    const std::ptrdiff_t width = w.width(), stride = width + 4;
    buffer.resize(static_cast<std::size_t>(stride * kRing + 2 * width));
    double* ring = buffer.data();
    double* value = ring + stride * kRing;
    double* indicator = value + width;
    const double dx0 = img.x_origin + static_cast<double>(w.x_begin) - 2.0 - P.x0;
    auto slot = [&](std::ptrdiff_t i) { return ring + ((i % kRing + kRing) % kRing) * stride; };
    auto sample = [&](std::ptrdiff_t i) { sample_row(P, img.y_origin + static_cast<double>(i) - P.y0, dx0, 1.0, static_cast<int>(stride), slot(i)); };
    for (std::ptrdiff_t i = r0 - 2; i < r0 + 2; ++i) sample(i);

    const double flag_level = 0.25 * tol;  // 4th-order term allowed, relative to the pixel value
    const bool axes_are_kinks = P.c != 2.0;
    for (std::ptrdiff_t i = r0; i < r1; ++i) {
        sample(i + 2);
        const double* s2m = slot(i - 2) + 2; const double* s1m = slot(i - 1) + 2; const double* s0 = slot(i) + 2;
        const double* s1p = slot(i + 1) + 2; const double* s2p = slot(i + 2) + 2;
        for (std::ptrdiff_t j = 0; j < width; ++j) {
            const double f = s0[j];
            const double d2x = s0[j - 1] - 2.0 * f + s0[j + 1];
            const double d2y = s1m[j] - 2.0 * f + s1p[j];
            const double d4x = s0[j - 2] - 4.0 * (s0[j - 1] + s0[j + 1]) + 6.0 * f + s0[j + 2];
            const double d4y = s2m[j] - 4.0 * (s1m[j] + s1p[j]) + 6.0 * f + s2p[j];
            const double d2xd2y = (s1m[j - 1] - 2.0 * s1m[j] + s1m[j + 1]) - 2.0 * d2x +
                                  (s1p[j - 1] - 2.0 * s1p[j] + s1p[j + 1]);
            const double second = (d2x + d2y) * (1.0 / 24.0);
            const double fourth = -(17.0 / 5760.0) * (d4x + d4y) + d2xd2y * (1.0 / 576.0);
            const double mean = f + second + fourth;
            value[j] = mean;
            // > 0 means "integrate this pixel properly".
            const double scale = std::fmax(std::fabs(mean), P.value_floor);
            indicator[j] = std::fmax(std::fabs(fourth) - flag_level * scale, std::fabs(second) - 0.05 * scale);
        }
        const double dy = img.y_origin + static_cast<double>(i) - P.y0;
        double* out = img.row(i) + w.x_begin;
        for (std::ptrdiff_t j = 0; j < width; ++j) {
            const double dx = dx0 + 2.0 + static_cast<double>(j);
            bool refine = indicator[j] > 0.0 || !(value[j] >= 0.0);
            if (!refine && std::fabs(dx) <= 0.5 && std::fabs(dy) <= 0.5) refine = true;  // holds the centre
            if (!refine && axes_are_kinks) {
                const double u = -dx * P.sin_pa + dy * P.cos_pa, vq = dx * P.cos_pa + dy * P.sin_pa;
                refine = std::fabs(u) < 0.75 || std::fabs(vq) < 0.75;
            }
            out[j] += refine ? integrate_pixel(P, dx, dy, tol) : value[j];
        }
    }
}

}  // namespace

void render_sersic(const ImageView& image, const Window& window, const SersicParams& p,
                   const RenderOptions& options) {
    validate(p);
    check_window(image, window);
    check_options(options);
    if (window.empty() || p.ie == 0.0) return;
    if (!std::isfinite(image.x_origin) || !std::isfinite(image.y_origin))
        throw std::invalid_argument("image origin must be finite");
    const Profile P(p);
    const std::ptrdiff_t band = 16;
    const std::ptrdiff_t n_bands = (window.height() + band - 1) / band;
    const int threads = static_cast<int>(std::min<std::ptrdiff_t>(options.threads, n_bands));
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        std::vector<double> buffer;
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t b = 0; b < n_bands; ++b) {
            const std::ptrdiff_t r0 = window.y_begin + b * band;
            const std::ptrdiff_t r1 = std::min(r0 + band, window.y_end);
            if (options.oversample == 0)
                render_rows_adaptive(P, image, window, r0, r1, options.tolerance, buffer);
            else
                render_rows_uniform(P, image, window, r0, r1, options.oversample, buffer);
        }
    }
}

}  // namespace galforge
