// Pixel-integrated Sersic rendering (compiled with -ffast-math so that glibc's vector exp/log
// are used; every input was validated finite before it gets here).
//
// Adaptive mode, per pixel: (a) the 2x2 Gauss-Legendre mean (4 samples, exact for cubics) and
// (b) a 4th-order estimate from the centre samples of the 5x5 neighbourhood,
//   mean = f + (d2x + d2y) f / 24 - 17/5760 (d4x + d4y) f + d2x d2y f / 576
// (d2, d4 central differences). Where the two agree to a quarter of the tolerance and the profile
// is gently curved (|d2x| + |d2y| < 0.24 f), (a) is kept. Elsewhere, and at the pixels whose
// stencil reaches the profile centre (the cusp for n > 1) or, for c != 2, a symmetry axis (where
// the generalised radius is not smooth), the pixel is integrated by globally adaptive 3x3
// Gauss-Legendre cubature. The rules and thresholds were validated against quadrature over
// 0.3 <= n <= 8, 0.5 <= r_e <= 15, 0.15 <= q <= 1, c in {1.6, 2, 3.5} (tests/test_sersic.py).
#include <algorithm>
#include <cstdint>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/sersic.hpp"
#include "sersic_pixel.hpp"

namespace galforge {

namespace detail {

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
        case Kind::square_root: {
            const double k = P.inv_re2;
            for (int j = 0; j < count; ++j) {  // int: int->double converts in SIMD
                const double dx = dx0 + static_cast<double>(j) * step;
                const double u = -dx * sn + uy, v = (dx * cs + vy) * iq;
                out[j] = amp * std::exp(-bn * std::sqrt(std::sqrt((u * u + v * v) * k)));
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

// out[k] = profile at (dx[k], dy[k]); a straight loop so that the nodes of a cubature rule are
// evaluated with vector exp/log.
GALFORGE_VECTOR_CLONES
void sample_points(const Profile& P, const double* __restrict dx, const double* __restrict dy, int count,
                   double* __restrict out) {
    const double sn = P.sin_pa, cs = P.cos_pa, iq = P.inv_q, amp = P.amp, bn = P.bn;
    if (P.kind == Kind::generalized) {
        const double c = P.c, icn = P.inv_cn, lr = P.log_re_over_n;
        for (int k = 0; k < count; ++k) {
            const double u = -dx[k] * sn + dy[k] * cs, v = (dx[k] * cs + dy[k] * sn) * iq;
            const double au = std::fabs(u) + 1e-300, av = std::fabs(v) + 1e-300;
            const double rc = std::exp(c * std::log(au)) + std::exp(c * std::log(av));
            out[k] = amp * std::exp(-bn * std::exp(std::log(rc) * icn - lr));
        }
    } else {
        const double k2 = P.inv_re2, h = P.half_inv_n;
        for (int k = 0; k < count; ++k) {
            const double u = -dx[k] * sn + dy[k] * cs, v = (dx[k] * cs + dy[k] * sn) * iq;
            const double r2 = (u * u + v * v) * k2 + 1e-300;
            out[k] = amp * std::exp(-bn * std::exp(std::log(r2) * h));
        }
    }
}

// 3x3 Gauss-Legendre integral of the profile over [ax, bx] x [ay, by] (offsets from the centre).
double gauss_legendre_3x3(const Profile& P, double ax, double bx, double ay, double by) {
    double xs[3], ys[3], px[9], py[9], f[9];
    gl_nodes(ax, bx, xs);
    gl_nodes(ay, by, ys);
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) { px[3 * a + b] = xs[b]; py[3 * a + b] = ys[a]; }
    sample_points(P, px, py, 9, f);
    double sum = 0.0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) sum += kGLWeight[a] * kGLWeight[b] * f[3 * a + b];
    return sum * 0.25 * (bx - ax) * (by - ay);
}

// Fills `cell` (bounds set, `whole` given) by evaluating its children's 6x6 nodes in one batch.
void evaluate_cell(const Profile& P, Cell& cell, double whole) {
    const double mx = 0.5 * (cell.ax + cell.bx), my = 0.5 * (cell.ay + cell.by);
    double xs[6], ys[6], px[36], py[36], f[36];
    gl_nodes(cell.ax, mx, xs);
    gl_nodes(mx, cell.bx, xs + 3);
    gl_nodes(cell.ay, my, ys);
    gl_nodes(my, cell.by, ys + 3);
    for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b) { px[6 * a + b] = xs[b]; py[6 * a + b] = ys[a]; }
    sample_points(P, px, py, 36, f);
    const double area = 0.0625 * (cell.bx - cell.ax) * (cell.by - cell.ay);  // child area / 4
    for (double& v : cell.q) v = 0.0;
    for (int a = 0; a < 6; ++a)
        for (int b = 0; b < 6; ++b) cell.q[2 * (a / 3) + b / 3] += kGLWeight[a % 3] * kGLWeight[b % 3] * f[6 * a + b];
    for (double& v : cell.q) v *= area;
    cell.parts = cell.q[0] + cell.q[1] + cell.q[2] + cell.q[3];
    cell.error = std::fabs(cell.parts - whole);
}

// Mean of the profile over the unit pixel centred at offsets (dx, dy), to `rel_tol` relative
// (absolute below the profile's value floor). Globally adaptive: the cell with the largest error
// estimate is split until the summed estimate meets the tolerance. A pixel holding the centre is
// split there first so that no cell straddles the cusp; each part starts as a grid of cells of side
// ~1 / initial_split pixels. `heap` is caller-owned scratch.
double integrate_pixel(const Profile& P, double dx, double dy, double rel_tol, int initial_split,
                       std::vector<Cell>& heap) {
    const double ax = dx - 0.5, bx = dx + 0.5, ay = dy - 0.5, by = dy + 0.5;
    double xcuts[3] = {ax, bx, bx}, ycuts[3] = {ay, by, by};
    int nxc = 1, nyc = 1;
    if (ax < 0.0 && bx > 0.0) { xcuts[1] = 0.0; nxc = 2; }
    if (ay < 0.0 && by > 0.0) { ycuts[1] = 0.0; nyc = 2; }
    auto by_error = [](const Cell& l, const Cell& r) { return l.error < r.error; };
    heap.clear();
    double total = 0.0, error = 0.0;
    for (int a = 0; a < nyc; ++a)
        for (int b = 0; b < nxc; ++b) {
            // Start from a grid fine enough to see the smallest feature of the profile.
            const double w = xcuts[b + 1] - xcuts[b], h = ycuts[a + 1] - ycuts[a];
            const int kx = std::max(1, static_cast<int>(std::ceil(w * initial_split)));
            const int ky = std::max(1, static_cast<int>(std::ceil(h * initial_split)));
            for (int s = 0; s < ky; ++s)
                for (int t = 0; t < kx; ++t) {
                    Cell cell{xcuts[b] + w * t / kx, xcuts[b] + w * (t + 1) / kx, ycuts[a] + h * s / ky,
                              ycuts[a] + h * (s + 1) / ky, 0.0, 0.0, {0.0, 0.0, 0.0, 0.0}};
                    evaluate_cell(P, cell, gauss_legendre_3x3(P, cell.ax, cell.bx, cell.ay, cell.by));
                    total += cell.parts;
                    error += cell.error;
                    heap.push_back(cell);
                }
        }
    std::make_heap(heap.begin(), heap.end(), by_error);
    while (error > std::fmax(std::fabs(total), P.value_floor) * rel_tol && error > 1e-14 * std::fabs(total) &&
           heap.size() + 3 <= kMaxCells) {
        std::pop_heap(heap.begin(), heap.end(), by_error);
        const Cell parent = heap.back();
        heap.pop_back();
        total -= parent.parts;
        error -= parent.error;
        const double mx = 0.5 * (parent.ax + parent.bx), my = 0.5 * (parent.ay + parent.by);
        const double bounds[4][4] = {{parent.ax, mx, parent.ay, my}, {mx, parent.bx, parent.ay, my},
                                     {parent.ax, mx, my, parent.by}, {mx, parent.bx, my, parent.by}};
        for (int k = 0; k < 4; ++k) {
            Cell child{bounds[k][0], bounds[k][1], bounds[k][2], bounds[k][3], 0.0, 0.0, {0.0, 0.0, 0.0, 0.0}};
            evaluate_cell(P, child, parent.q[k]);
            total += child.parts;
            error += child.error;
            heap.push_back(child);
            std::push_heap(heap.begin(), heap.end(), by_error);
        }
        error = std::fmax(error, 0.0);  // guard the running sum against rounding below zero
    }
    double sum = 0.0;  // summed afresh: the running total carries the rounding of every update
    for (const Cell& cell : heap) sum += cell.parts;
    return sum;
}

// ---- drivers ---------------------------------------------------------------------------------

}  // namespace detail

void validate(const RenderOptions& o) {
    if (o.oversample < 0 || o.oversample > 64)
        throw std::invalid_argument("oversample = " + std::to_string(o.oversample) + " is invalid: expected 0 (adaptive) or 1..64");
    if (!(o.tolerance >= 1e-10 && o.tolerance <= 0.1))
        throw std::invalid_argument("tolerance = " + std::to_string(o.tolerance) + " is invalid: expected 1e-10 <= tolerance <= 0.1");
    if (o.threads < 1) throw std::invalid_argument("threads = " + std::to_string(o.threads) + " is invalid: expected >= 1");
}

namespace detail {

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

// Pass 1 over one row. s2m..s2p: centre samples of rows i-2..i+2 (2 valid columns on each side of
// the window). Computes the 4th-order estimate from the 5x5 neighbourhood,
//   mean = f + (d2x + d2y) f / 24 - 17/5760 (d4x + d4y) f + d2x d2y f / 576,
// and adds it to `out` where the profile is so gently curved that it is exact to far below the
// tolerance (state 0). Otherwise stores it in `stencil` with the curvature measure in `curvature`
// and sets state 1 (check against Gauss-Legendre). state 2 on entry (forced) is kept.
GALFORGE_VECTOR_CLONES
void stencil_pass(const double* __restrict s2m, const double* __restrict s1m, const double* __restrict s0,
                  const double* __restrict s1p, const double* __restrict s2p, double* __restrict state,
                  double* __restrict stencil, double* __restrict curvature, double* __restrict out,
                  std::ptrdiff_t width, double floor) {
    for (std::ptrdiff_t j = 0; j < width; ++j) {
        const StencilTerms t = stencil_terms(s2m, s1m, s0, s1p, s2p, j);
        const double f = s0[j], d2x = t.d2x, d2y = t.d2y, d4x = t.d4x, d4y = t.d4y, d2xd2y = t.d2xd2y;
        const double mean = t.mean(f);
        const double a2 = (std::fabs(d2x) + std::fabs(d2y)) * (1.0 / 24.0);
        const double a4 = (17.0 / 5760.0) * (std::fabs(d4x) + std::fabs(d4y)) + std::fabs(d2xd2y) * (1.0 / 576.0);
        const double scale = std::fmax(std::fabs(mean), floor);
        const double smooth = std::fmax(std::fmax(a2 - 1e-3 * scale, a4 - 1e-6 * scale), std::fmax(state[j] - 0.5, -mean));
        stencil[j] = mean;
        curvature[j] = a2;
        state[j] = smooth > 0.0 ? std::fmax(state[j], 1.0) : 0.0;
        out[j] += smooth > 0.0 ? 0.0 : mean;
    }
}

// Pass 2 over pixels in state 1: g00..g11 are the samples at each pixel's 2x2 Gauss-Legendre nodes.
// Their mean is kept (state 0) where it agrees with the stencil estimate to `accept` relative and
// the curvature is moderate; otherwise the pixel goes to state 2 (integrate adaptively).
GALFORGE_VECTOR_CLONES
void gauss_pass(const double* __restrict g00, const double* __restrict g01, const double* __restrict g10,
                const double* __restrict g11, const double* __restrict stencil, const double* __restrict curvature,
                double* __restrict state, double* __restrict out, std::ptrdiff_t width, double accept, double floor) {
    for (std::ptrdiff_t j = 0; j < width; ++j) {
        const double gauss = 0.25 * (g00[j] + g01[j] + g10[j] + g11[j]);
        const double scale = std::fmax(std::fabs(gauss), floor);
        const double verdict = std::fmax(std::fmax(std::fabs(gauss - stencil[j]) - accept * scale,
                                                   curvature[j] - 0.01 * scale),
                                         -gauss);
        const bool pending = state[j] == 1.0;
        const bool keep = pending && !(verdict > 0.0);
        out[j] += keep ? gauss : 0.0;
        state[j] = keep ? 0.0 : (pending ? 2.0 : state[j]);
    }
}

// Indices j in [0, width) whose pixel centre dx = dx_first + j satisfies |a dx + b| < half_width.
void band_range(double a, double b, double half_width, double dx_first, std::ptrdiff_t width, std::ptrdiff_t& j0,
                std::ptrdiff_t& j1) {
    j0 = 0;
    j1 = 0;
    if (std::fabs(a) < 1e-12) {
        if (std::fabs(b) < half_width) j1 = width;
        return;
    }
    double lo = (-half_width - b) / a, hi = (half_width - b) / a;
    if (lo > hi) std::swap(lo, hi);
    // Clamped in floating point first so that the conversions cannot overflow.
    const double w = static_cast<double>(width);
    j0 = static_cast<std::ptrdiff_t>(std::floor(std::fmin(std::fmax(lo - dx_first, 0.0), w)));
    j1 = static_cast<std::ptrdiff_t>(std::ceil(std::fmin(std::fmax(hi - dx_first + 1.0, 0.0), w)));
}

void forced_states(const Profile& P, double dy, double dx_first, std::ptrdiff_t width, double* state) {
    std::fill(state, state + width, 0.0);
    // Pixels whose 5x5 stencil reaches the pixel holding the centre (the cusp for n > 1 fools the
    // differences) and, for c != 2, pixels whose stencil reaches a symmetry axis (where the
    // generalised radius is not smooth).
    std::ptrdiff_t j0, j1;
    if (std::fabs(dy) < kStencilReach) {
        band_range(1.0, 0.0, kStencilReach, dx_first, width, j0, j1);
        std::fill(state + j0, state + std::max(j0, j1), 2.0);
    }
    if (P.c != 2.0) {  // (only where the profile is above its floor)
        band_range(-P.sin_pa, dy * P.cos_pa, kStencilReach + 0.25, dx_first, width, j0, j1);  // |u| small
        for (std::ptrdiff_t j = j0; j < j1; ++j)
            if (!P.below_floor(dx_first + static_cast<double>(j), dy)) state[j] = 2.0;
        band_range(P.cos_pa, dy * P.sin_pa, kStencilReach + 0.25, dx_first, width, j0, j1);  // |v q| small
        for (std::ptrdiff_t j = j0; j < j1; ++j)
            if (!P.below_floor(dx_first + static_cast<double>(j), dy)) state[j] = 2.0;
    }
}

void render_rows_adaptive(const Profile& P, const ImageView& img, const Window& w, std::ptrdiff_t r0,
                          std::ptrdiff_t r1, double tol, std::vector<double>& buffer, std::vector<Cell>& heap) {
    constexpr int kRing = 5;
    const std::ptrdiff_t width = w.width(), stride = width + 4;
    buffer.resize(static_cast<std::size_t>(stride * kRing + 7 * width));
    double* const ring = buffer.data();
    double* const state = ring + stride * kRing;
    double* const stencil = state + width;
    double* const curvature = stencil + width;
    double* const gl = curvature + width;  // 4 rows: each pixel's 2x2 Gauss-Legendre node samples
    const double dx_ring = img.x_origin + static_cast<double>(w.x_begin) - 2.0 - P.x0;  // ring column 0
    const double dx_first = dx_ring + 2.0;                                              // window column 0
    auto slot = [&](std::ptrdiff_t i) { return ring + ((i % kRing + kRing) % kRing) * stride; };
    auto sample = [&](std::ptrdiff_t i) {
        sample_row(P, img.y_origin + static_cast<double>(i) - P.y0, dx_ring, 1.0, static_cast<int>(stride), slot(i));
    };
    for (std::ptrdiff_t i = r0 - 2; i < r0 + 2; ++i) sample(i);

    for (std::ptrdiff_t i = r0; i < r1; ++i) {
        sample(i + 2);
        const double dy = img.y_origin + static_cast<double>(i) - P.y0;
        double* const out = img.row(i) + w.x_begin;
        forced_states(P, dy, dx_first, width, state);
        stencil_pass(slot(i - 2) + 2, slot(i - 1) + 2, slot(i) + 2, slot(i + 1) + 2, slot(i + 2) + 2, state, stencil,
                     curvature, out, width, P.value_floor);
        // Gauss-Legendre nodes only over the span of pixels that need the check.
        std::ptrdiff_t lo = 0, hi = width;
        while (lo < hi && state[lo] != 1.0) ++lo;
        while (hi > lo && state[hi - 1] != 1.0) --hi;
        if (lo < hi) {
            const std::ptrdiff_t span = hi - lo;
            for (int k = 0; k < 4; ++k)
                sample_row(P, dy + (k < 2 ? -kGL2Node : kGL2Node),
                           dx_first + static_cast<double>(lo) + (k % 2 ? kGL2Node : -kGL2Node), 1.0,
                           static_cast<int>(span), gl + k * width);
            gauss_pass(gl, gl + width, gl + 2 * width, gl + 3 * width, stencil + lo, curvature + lo, state + lo,
                       out + lo, span, 0.25 * tol, P.value_floor);
        }
        for (std::ptrdiff_t j = 0; j < width; ++j) {
            if (state[j] != 2.0) continue;
            const double dx = dx_first + static_cast<double>(j);
            out[j] += integrate_pixel(P, dx, dy, 0.5 * tol, P.initial_split(dx, dy), heap);
        }
    }
}

}  // namespace detail

using namespace detail;

void render_sersic(const ImageView& image, const Window& window, const SersicParams& p,
                   const RenderOptions& options) {
    validate(p);
    check_window(image, window);
    validate(options);
    if (window.empty() || p.ie == 0.0) return;
    if (!std::isfinite(image.x_origin) || !std::isfinite(image.y_origin))
        throw std::invalid_argument("image origin must be finite");
    // Row loops count in int (so that int-to-double conversion vectorises).
    if ((window.width() + 4) * std::max(1, options.oversample) > std::numeric_limits<int>::max())
        throw std::invalid_argument("window width " + std::to_string(window.width()) + " x oversample " +
                                    std::to_string(options.oversample) + " exceeds 2^31 samples per row");
    const Profile P(p);
    const std::ptrdiff_t band = 16;
    const std::ptrdiff_t n_bands = (window.height() + band - 1) / band;
    const int threads = static_cast<int>(std::min<std::ptrdiff_t>(options.threads, n_bands));
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        thread_local std::vector<double> buffer;  // kept between calls: no allocation per call
        thread_local std::vector<Cell> heap;
        heap.reserve(kMaxCells);
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t b = 0; b < n_bands; ++b) {
            const std::ptrdiff_t r0 = window.y_begin + b * band;
            const std::ptrdiff_t r1 = std::min(r0 + band, window.y_end);
            if (options.oversample == 0)
                render_rows_adaptive(P, image, window, r0, r1, options.tolerance, buffer, heap);
            else
                render_rows_uniform(P, image, window, r0, r1, options.oversample, buffer);
        }
    }
}

}  // namespace galforge
