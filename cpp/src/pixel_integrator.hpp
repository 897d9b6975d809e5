// Internal to the core (not installed): pixel integration of any smooth 2-D profile and of its
// parameter derivatives by one rule per pixel, shared by the Gaussian, Moffat and EdgeOnDisk kinds (and
// usable by any profile kind). The Sersic keeps its own tuned kernel (sersic_render.cpp).
//
// A profile F is a function object of offsets (dx, dy) = (x - x0, y - y0) from its centre providing
//   static constexpr int kParams;                    // number of parameters
//   double amplitude;                                 // the profile is amplitude * shape(dx, dy)
//   double shape(double dx, double dy) const;         // unit-amplitude profile (>= 0, 1 at the peak)
//   void derivatives(double dx, double dy, double w, double* acc) const;  // acc[k] += w dI/dtheta_k
//   bool negligible(double dx, double dy) const;     // the whole pixel is below 1e-9 of the peak
//   bool forced(double dx, double dy) const;          // a 5x5 stencil there may be fooled (centre, kinks)
//   int initial_split(double dx, double dy) const;    // cells per pixel side to start the cubature with
//
// Adaptive mode (options.oversample == 0), per pixel, deciding on the shape (so the rule does not depend on
// the amplitude, and a zero amplitude still gets accurate derivatives):
//   1. the 4th-order estimate from the 5x5 neighbourhood of centre samples (as the Sersic kernel) where the
//      curvature terms are tiny (|d2| / 24 < 1e-3 f, 4th-order terms < 1e-6 f, f floored at 1e-9);
//   2. else the 2x2 Gauss-Legendre mean, kept where it agrees with (1) to tol / 4 and |d2| / 24 < 0.01 f;
//   3. else the 3x3 Gauss-Legendre mean (exact to degree 5), kept where it agrees with the 2x2 mean (exact to
//      degree 3) to tol, where the profile has no feature narrower than a pixel (initial_split = 1): their
//      difference estimates the 2x2 rule's error, and the 3x3 one's is then < 1/50 of it (the ratio of their
//      leading error terms, (w / 1 px)^2 / 466 for a feature of width w);
//   4. else (and always where `forced`) globally adaptive 3x3 Gauss-Legendre cubature: the cell with the
//      largest error estimate |4 children - parent| is split until the summed estimate meets tol / 2 (at
//      most kMaxCells cells, so no input can make it hang); the pixel is split at the profile centre first.
// The derivatives of each pixel are integrated by exactly the rule of its value (same samples, same
// weights; for rule 3, every node of the value's leaf cells), so they are the derivatives of the rendered
// image. Rules 1-3 assume the profile smooth over the pixel's neighbourhood: `forced` must cover its kinks
// and the pixels whose stencil reaches its centre. Uniform mode (oversample = k): the k x k sub-pixel mean of
// value and derivatives.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/image.hpp"
#include "galforge/sersic.hpp"  // RenderOptions

namespace galforge::pixel {

// Throws std::invalid_argument "<kind> parameter <name> = <value> is invalid: expected <expected>" unless ok.
inline void require(bool ok, const char* kind, const char* name, double value, const char* expected) {
    if (ok) return;
    std::ostringstream msg;
    msg.precision(17);
    msg << kind << " parameter " << name << " = " << value << " is invalid: expected " << expected;
    throw std::invalid_argument(msg.str());
}

// Positions are limited so that offsets and their squares stay finite and exact enough.
inline constexpr double kMaxPosition = 1e9;
// Relative value below which a pixel needs only absolute accuracy (as the Sersic's value floor).
inline constexpr double kFloor = 1e-9;

inline constexpr double kStencilReach = 2.5;  // pixels: how far a 5x5 stencil sees
inline constexpr std::size_t kMaxCells = 8192;
inline const double kGLNode = std::sqrt(0.6);
inline constexpr double kGLWeight[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
inline const double kGL2Node = 0.5 / std::sqrt(3.0);

struct Cell {
    double ax, bx, ay, by;
    double parts, error;
    double q[4];  // the four half-size children's 3x3 integrals (y-half, x-half): 00, 01, 10, 11
};

inline void gl_nodes(double a, double b, double* out) {
    const double m = 0.5 * (a + b), h = 0.5 * (b - a);
    out[0] = m - h * kGLNode;
    out[1] = m;
    out[2] = m + h * kGLNode;
}

// Visits the 3x3 Gauss-Legendre nodes of [ax, bx] x [ay, by] with their weights (integral, not mean).
template <class Visit>
void for_gl_nodes(double ax, double bx, double ay, double by, Visit&& visit) {
    double xs[3], ys[3];
    gl_nodes(ax, bx, xs);
    gl_nodes(ay, by, ys);
    const double area = 0.25 * (bx - ax) * (by - ay);
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) visit(xs[b], ys[a], area * kGLWeight[a] * kGLWeight[b]);
}

template <class F>
double gl3(const F& f, double ax, double bx, double ay, double by) {
    double sum = 0.0;
    for_gl_nodes(ax, bx, ay, by, [&](double x, double y, double w) { sum += w * f.shape(x, y); });
    return sum;
}

template <class F>
void evaluate_cell(const F& f, Cell& cell, double whole) {
    const double mx = 0.5 * (cell.ax + cell.bx), my = 0.5 * (cell.ay + cell.by);
    cell.q[0] = gl3(f, cell.ax, mx, cell.ay, my);
    cell.q[1] = gl3(f, mx, cell.bx, cell.ay, my);
    cell.q[2] = gl3(f, cell.ax, mx, my, cell.by);
    cell.q[3] = gl3(f, mx, cell.bx, my, cell.by);
    cell.parts = cell.q[0] + cell.q[1] + cell.q[2] + cell.q[3];
    cell.error = std::fabs(cell.parts - whole);
}

// Integral of the shape over the unit pixel centred at (dx, dy), to rel_tol (absolute below kFloor); on
// return `heap` holds the leaf cells whose children sum to it.
template <class F>
double integrate_pixel(const F& f, double dx, double dy, double rel_tol, std::vector<Cell>& heap) {
    const double ax = dx - 0.5, bx = dx + 0.5, ay = dy - 0.5, by = dy + 0.5;
    double xcuts[3] = {ax, bx, bx}, ycuts[3] = {ay, by, by};
    int nxc = 1, nyc = 1;
    if (ax < 0.0 && bx > 0.0) { xcuts[1] = 0.0; nxc = 2; }
    if (ay < 0.0 && by > 0.0) { ycuts[1] = 0.0; nyc = 2; }
    const int split = std::max(1, std::min(16, f.initial_split(dx, dy)));
    auto by_error = [](const Cell& l, const Cell& r) { return l.error < r.error; };
    heap.clear();
    double total = 0.0, error = 0.0;
    for (int a = 0; a < nyc; ++a)
        for (int b = 0; b < nxc; ++b) {
            const double w = xcuts[b + 1] - xcuts[b], h = ycuts[a + 1] - ycuts[a];
            const int kx = std::max(1, static_cast<int>(std::ceil(w * split)));
            const int ky = std::max(1, static_cast<int>(std::ceil(h * split)));
            for (int s = 0; s < ky; ++s)
                for (int t = 0; t < kx; ++t) {
                    Cell cell{xcuts[b] + w * t / kx, xcuts[b] + w * (t + 1) / kx, ycuts[a] + h * s / ky,
                              ycuts[a] + h * (s + 1) / ky, 0.0, 0.0, {0.0, 0.0, 0.0, 0.0}};
                    evaluate_cell(f, cell, gl3(f, cell.ax, cell.bx, cell.ay, cell.by));
                    total += cell.parts;
                    error += cell.error;
                    heap.push_back(cell);
                }
        }
    std::make_heap(heap.begin(), heap.end(), by_error);
    while (error > std::fmax(std::fabs(total), kFloor) * rel_tol && error > 1e-14 * std::fabs(total) &&
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
            evaluate_cell(f, child, parent.q[k]);
            total += child.parts;
            error += child.error;
            heap.push_back(child);
            std::push_heap(heap.begin(), heap.end(), by_error);
        }
        error = std::fmax(error, 0.0);
    }
    double sum = 0.0;
    for (const Cell& cell : heap) sum += cell.parts;
    return sum;
}

// The elliptical frame of a profile centred at the origin: u along the major axis (pa counter-clockwise
// from +y), v along the minor axis divided by q, and where its unit shape is negligible (beyond the
// elliptical radius^2 floor_r2, set by the profile) or must be integrated adaptively near the centre.
struct EllipticalFrame {
    double sn, cs, q, iq, floor_r2 = 0.0;

    EllipticalFrame(double pa, double axis_ratio)
        : sn(std::sin(pa)), cs(std::cos(pa)), q(axis_ratio), iq(1.0 / axis_ratio) {}
    void uv(double dx, double dy, double& u, double& v) const {
        u = -dx * sn + dy * cs;
        v = (dx * cs + dy * sn) * iq;
    }
    // The elliptical radius of the pixel's nearest point is at least R - 0.71 / q.
    bool negligible(double dx, double dy) const {
        double u, v;
        uv(dx, dy, u, v);
        const double r = std::sqrt(u * u + v * v) - 0.71 * iq;
        return r > 0.0 && r * r > floor_r2;
    }
    bool forced(double dx, double dy) const {
        return std::fabs(dx) < kStencilReach && std::fabs(dy) < kStencilReach && !negligible(dx, dy);
    }
};

// The 4th-order pixel-mean estimate from centre samples s[(t + a) * stride + j + b], a, b in -2..2, and
// its curvature measures (|d2| / 24 and the 4th-order terms).
struct Stencil {
    double mean, a2, a4;
};
inline Stencil stencil_at(const double* s, std::ptrdiff_t stride) {
    auto at = [&](int a, int b) { return s[a * stride + b]; };
    const double f = at(0, 0);
    const double d2x = at(0, -1) - 2.0 * f + at(0, 1), d2y = at(-1, 0) - 2.0 * f + at(1, 0);
    const double d4x = at(0, -2) - 4.0 * (at(0, -1) + at(0, 1)) + 6.0 * f + at(0, 2);
    const double d4y = at(-2, 0) - 4.0 * (at(-1, 0) + at(1, 0)) + 6.0 * f + at(2, 0);
    const double d2xd2y =
        (at(-1, -1) - 2.0 * at(-1, 0) + at(-1, 1)) - 2.0 * d2x + (at(1, -1) - 2.0 * at(1, 0) + at(1, 1));
    return {f + (d2x + d2y) / 24.0 - (17.0 / 5760.0) * (d4x + d4y) + d2xd2y / 576.0,
            (std::fabs(d2x) + std::fabs(d2y)) / 24.0,
            (17.0 / 5760.0) * (std::fabs(d4x) + std::fabs(d4y)) + std::fabs(d2xd2y) / 576.0};
}

enum Rule : unsigned char { kStencil, kGauss2x2, kGauss3x3, kAdaptive };

// Adds the profile's pixel values to `view` and, for each k with gradient[k] non-null (gradient may be
// null), d(pixel)/d(theta_k) to gradient[k] (images of the shape of `view`). (x0, y0): the profile centre.
template <class F>
void integrate(const ImageView& view, float* const* gradient, const F& f, double x0, double y0,
               const RenderOptions& options) {
    constexpr int np = F::kParams;
    bool any_gradient = false;
    for (int k = 0; gradient && k < np; ++k) any_gradient = any_gradient || gradient[k] != nullptr;
    const std::ptrdiff_t ny = view.ny, nx = view.nx;
    if (ny <= 0 || nx <= 0) return;
    const double dx_first = view.x_origin - x0, dy_first = view.y_origin - y0;
    const int threads = options.threads;
    auto add_derivs = [&](std::ptrdiff_t m, const double* acc) {
        for (int k = 0; k < np; ++k)
            if (gradient[k]) gradient[k][m] += static_cast<float>(acc[k]);
    };
    if (options.oversample > 0) {
        const int s = options.oversample;
        const double step = 1.0 / s, weight = step * step;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 4) if (threads > 1)
        for (std::ptrdiff_t i = 0; i < ny; ++i)
            for (std::ptrdiff_t j = 0; j < nx; ++j) {
                const double dx = dx_first + static_cast<double>(j), dy = dy_first + static_cast<double>(i);
                double value = 0.0, acc[np > 0 ? np : 1] = {};
                for (int a = 0; a < s; ++a)
                    for (int b = 0; b < s; ++b) {
                        const double px = dx - 0.5 + (b + 0.5) * step, py = dy - 0.5 + (a + 0.5) * step;
                        value += weight * f.shape(px, py);
                        if (any_gradient) f.derivatives(px, py, weight, acc);
                    }
                view.data[i * nx + j] += f.amplitude * value;
                if (any_gradient) add_derivs(i * nx + j, acc);
            }
        return;
    }
    // Centre samples of the shape on the window grown by 2 pixels on each side (and their derivatives).
    const std::ptrdiff_t stride = nx + 4, rows = ny + 4;
    std::vector<double> samples(static_cast<std::size_t>(stride * rows));
    std::vector<double> dsamples(any_gradient ? samples.size() * np : 0);
#pragma omp parallel for num_threads(threads) schedule(static) if (threads > 1)
    for (std::ptrdiff_t t = 0; t < rows; ++t)
        for (std::ptrdiff_t j = 0; j < stride; ++j) {
            const double dx = dx_first + static_cast<double>(j - 2), dy = dy_first + static_cast<double>(t - 2);
            const std::size_t m = static_cast<std::size_t>(t * stride + j);
            samples[m] = f.shape(dx, dy);
            if (any_gradient) f.derivatives(dx, dy, 1.0, dsamples.data() + m * np);
        }
    const double tol = options.tolerance;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 2) if (threads > 1)
    for (std::ptrdiff_t i = 0; i < ny; ++i) {
        thread_local std::vector<Cell> heap;
        const double dy = dy_first + static_cast<double>(i);
        for (std::ptrdiff_t j = 0; j < nx; ++j) {
            const double dx = dx_first + static_cast<double>(j);
            const std::ptrdiff_t centre = (i + 2) * stride + j + 2;
            double value = 0.0, acc[np > 0 ? np : 1] = {};
            Rule rule = kAdaptive;
            if (!f.forced(dx, dy)) {
                const Stencil st = stencil_at(samples.data() + centre, stride);
                const double scale = std::fmax(std::fabs(st.mean), kFloor);
                if (st.a2 <= 1e-3 * scale && st.a4 <= 1e-6 * scale && st.mean >= 0.0) {
                    rule = kStencil;
                    value = st.mean;
                } else {
                    const double g = 0.25 * (f.shape(dx - kGL2Node, dy - kGL2Node) +
                                             f.shape(dx + kGL2Node, dy - kGL2Node) +
                                             f.shape(dx - kGL2Node, dy + kGL2Node) + f.shape(dx + kGL2Node, dy + kGL2Node));
                    const double gscale = std::fmax(std::fabs(g), kFloor);
                    if (std::fabs(g - st.mean) <= 0.25 * tol * gscale && st.a2 <= 0.01 * gscale) {
                        rule = kGauss2x2;
                        value = g;
                    } else if (f.initial_split(dx, dy) == 1) {  // no feature narrower than a pixel
                        const double g3 = gl3(f, dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5);
                        if (std::fabs(g3 - g) <= tol * std::fmax(std::fabs(g3), kFloor)) {
                            rule = kGauss3x3;
                            value = g3;
                        }
                    }
                }
            }
            if (rule == kAdaptive) value = integrate_pixel(f, dx, dy, 0.5 * tol, heap);
            const std::ptrdiff_t m = i * nx + j;
            view.data[m] += f.amplitude * value;
            if (!any_gradient) continue;
            if (rule == kStencil) {
                // The same linear combination of the centre samples' derivatives.
                double column[25];
                for (int k = 0; k < np; ++k) {
                    for (int a = -2; a <= 2; ++a)
                        for (int b = -2; b <= 2; ++b)
                            column[(a + 2) * 5 + b + 2] =
                                dsamples[static_cast<std::size_t>(centre + a * stride + b) * np + k];
                    acc[k] = stencil_at(column + 12, 5).mean;
                }
            } else if (rule == kGauss2x2) {
                for (int a = -1; a <= 1; a += 2)
                    for (int b = -1; b <= 1; b += 2) f.derivatives(dx + b * kGL2Node, dy + a * kGL2Node, 0.25, acc);
            } else if (rule == kGauss3x3) {
                for_gl_nodes(dx - 0.5, dx + 0.5, dy - 0.5, dy + 0.5,
                             [&](double x, double y, double w) { f.derivatives(x, y, w, acc); });
            } else {
                for (const Cell& cell : heap) {
                    const double mx = 0.5 * (cell.ax + cell.bx), my = 0.5 * (cell.ay + cell.by);
                    const double xs[3] = {cell.ax, mx, cell.bx}, ys[3] = {cell.ay, my, cell.by};
                    for (int a = 0; a < 2; ++a)
                        for (int b = 0; b < 2; ++b)
                            for_gl_nodes(xs[b], xs[b + 1], ys[a], ys[a + 1],
                                         [&](double x, double y, double w) { f.derivatives(x, y, w, acc); });
                }
            }
            add_derivs(m, acc);
        }
    }
}

}  // namespace galforge::pixel
