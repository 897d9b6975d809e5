// Internal to the core (not installed): the pieces of Sersic pixel integration shared by rendering
// (sersic_render.cpp) and its parameter derivatives (sersic_gradient.cpp), so that both integrate a
// pixel with exactly the same rule.
#pragma once
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "galforge/image.hpp"
#include "galforge/sersic.hpp"

#include "vector_clones.hpp"

namespace galforge::detail {

enum class Kind { gauss, exponential, square_root, quartic_root, general_ellipse, generalized };

// The profile with every per-component constant folded in: I = amp exp(-bn s), s = (R/r_e)^(1/n).
struct Profile {
    double x0, y0, cos_pa, sin_pa, inv_q, amp, bn;
    double inv_re2, half_inv_n, inv_n, c, inv_cn, log_re_over_n;
    double value_floor;  // pixel values below this (1e-9 ie) need only absolute accuracy
    double floor_radius;  // generalised radius where the profile falls to value_floor
    double floor_norm;    // min over directions of (generalised radius / elliptical radius)
    double n, r_e, q;
    Kind kind;

    explicit Profile(const SersicParams& p)
        : x0(p.x0), y0(p.y0), cos_pa(std::cos(p.pa)), sin_pa(std::sin(p.pa)), inv_q(1.0 / p.q),
          amp(sersic_central_brightness(p)), bn(sersic_bn(p)), inv_re2(1.0 / (p.r_e * p.r_e)),
          half_inv_n(0.5 / p.n), inv_n(1.0 / p.n), c(p.c), inv_cn(1.0 / (p.c * p.n)),
          log_re_over_n(std::log(p.r_e) / p.n), value_floor(1e-9 * p.ie),
          floor_radius(p.r_e * std::pow(1.0 + std::log(1e9) / bn, p.n)),
          floor_norm(std::fmin(1.0, std::pow(2.0, 1.0 / p.c - 0.5))),
          n(p.n), r_e(p.r_e), q(p.q), kind(Kind::generalized) {
        if (p.c == 2.0) {
            if (p.n == 0.5) kind = Kind::gauss;
            else if (p.n == 1.0) kind = Kind::exponential;
            else if (p.n == 2.0) kind = Kind::square_root;
            else if (p.n == 4.0) kind = Kind::quartic_root;
            else kind = Kind::general_ellipse;
        }
    }

    // Cells per pixel side to start the cubature of the pixel at offsets (dx, dy) from: about one
    // per width of the narrowest feature the pixel can hold. The profile's e-folding length at
    // radius R is L(R) = n r_e / b_n (R / r_e)^(1 - 1/n) along the major axis and q L across it;
    // L is taken at whichever end of the pixel's radius range makes it smallest.
    // Whether the pixel at offsets (dx, dy) lies wholly beyond the radius where the profile falls
    // below its value floor (the generalised radius is at least floor_norm times the elliptical one).
    bool below_floor(double dx, double dy) const {
        const double u = -dx * sin_pa + dy * cos_pa, v = (dx * cos_pa + dy * sin_pa) * inv_q;
        return (std::sqrt(u * u + v * v) - 0.71 * inv_q) * floor_norm > floor_radius;
    }

    int initial_split(double dx, double dy) const {
        // Beyond the floor radius only absolute accuracy is needed: no initial grid.
        if (below_floor(dx, dy)) return 1;
        const double u = -dx * sin_pa + dy * cos_pa, v = (dx * cos_pa + dy * sin_pa) * inv_q;
        const double radius = std::sqrt(u * u + v * v), reach = 0.71 * inv_q;
        // For n > 1 the cusp itself is resolved by splitting at the centre and adaptive refinement;
        // features narrower than L(r_e / 10) are what the initial grid must see. For n < 1 the
        // narrowest feature is at the outer end, but not beyond the floor radius.
        const double r = n >= 1.0 ? std::fmax(radius - reach, 0.1 * r_e)
                                  : std::fmin(radius + reach, floor_radius / floor_norm);
        const double feature = q * n * r_e / bn * std::pow(r / r_e, 1.0 - inv_n);
        return static_cast<int>(std::fmin(kMaxInitialSplit, std::fmax(1.0, std::ceil(1.0 / feature))));
    }
    static constexpr int kMaxInitialSplit = 16;
};

// Three-point Gauss-Legendre rule on [-1, 1].
inline const double kGLNode = std::sqrt(0.6);
inline constexpr double kGLWeight[3] = {5.0 / 9.0, 8.0 / 9.0, 5.0 / 9.0};
// Offset of the 2-point Gauss-Legendre nodes from a pixel centre: 1 / (2 sqrt 3).
inline const double kGL2Node = 0.5 / std::sqrt(3.0);

// The 3 Gauss-Legendre nodes of [a, b] written to out[0..2].
inline void gl_nodes(double a, double b, double* out) {
    const double m = 0.5 * (a + b), h = 0.5 * (b - a);
    out[0] = m - h * kGLNode;
    out[1] = m;
    out[2] = m + h * kGLNode;
}

// A cell of the adaptive cubature: its 3x3 Gauss-Legendre value `whole`, the sum `parts` of its four
// half-size children's values q[], and the error estimate |parts - whole|. A pixel's integral is the
// sum of `parts` over its leaf cells: each child (y-half a, x-half b) is integrated by the 3x3 rule.
struct Cell {
    double ax, bx, ay, by;
    double parts, error;
    double q[4];  // children (y-half, x-half): 00, 01, 10, 11
};

inline constexpr std::size_t kMaxCells = 8192;  // per pixel: bounds the cost of pathological profiles

// How a pixel of the adaptive mode was integrated (recorded by the derivatives' pass).
inline constexpr std::uint8_t kRuleStencil = 0;    // 4th-order estimate from the 5x5 centre samples
inline constexpr std::uint8_t kRuleGauss2x2 = 1;   // 2x2 Gauss-Legendre mean
inline constexpr std::uint8_t kRuleAdaptive = 2;   // globally adaptive cubature (leaves of integrate_pixel)

// The finite differences of the 5x5 centre samples around column j (rows s2m..s2p = i-2..i+2) and
// the 4th-order pixel mean built from them.
struct StencilTerms {
    double d2x, d2y, d4x, d4y, d2xd2y;
    double mean(double f) const {
        return f + (d2x + d2y) * (1.0 / 24.0) - (17.0 / 5760.0) * (d4x + d4y) + d2xd2y * (1.0 / 576.0);
    }
};

inline StencilTerms stencil_terms(const double* s2m, const double* s1m, const double* s0, const double* s1p,
                                  const double* s2p, std::ptrdiff_t j) {
    const double f = s0[j];
    const double d2x = s0[j - 1] - 2.0 * f + s0[j + 1];
    return {d2x, s1m[j] - 2.0 * f + s1p[j], s0[j - 2] - 4.0 * (s0[j - 1] + s0[j + 1]) + 6.0 * f + s0[j + 2],
            s2m[j] - 4.0 * (s1m[j] + s1p[j]) + 6.0 * f + s2p[j],
            (s1m[j - 1] - 2.0 * s1m[j] + s1m[j + 1]) - 2.0 * d2x + (s1p[j - 1] - 2.0 * s1p[j] + s1p[j + 1])};
}

// Mean of the profile over the unit pixel centred at offsets (dx, dy) from the profile centre, to
// `rel_tol`; on return `heap` holds the leaf cells whose `parts` sum to the result.
double integrate_pixel(const Profile& P, double dx, double dy, double rel_tol, int initial_split,
                       std::vector<Cell>& heap);

// Rows [r0, r1) of the window with uniform k x k sub-pixel sampling (k = 1: pixel centres).
void render_rows_uniform(const Profile& P, const ImageView& img, const Window& w, std::ptrdiff_t r0,
                         std::ptrdiff_t r1, int k, std::vector<double>& buffer);

// Rows [r0, r1) of the window, adaptively integrated: per row, forced_states, stencil_pass, then
// gauss_pass over the pixels stencil_pass left pending (state 1), then integrate_pixel for state 2.
void render_rows_adaptive(const Profile& P, const ImageView& img, const Window& w, std::ptrdiff_t r0,
                          std::ptrdiff_t r1, double tol, std::vector<double>& buffer, std::vector<Cell>& heap);

// The passes of that rule over one row of `width` pixels (documented in sersic_render.cpp), shared with
// the derivatives' pass, which computes values and derivatives from the same samples.
// state[j] = 2 (forced to the adaptive cubature) where the 5x5 stencil may be fooled, else 0.
void forced_states(const Profile& P, double dy, double dx_first, std::ptrdiff_t width, double* state);
void stencil_pass(const double* s2m, const double* s1m, const double* s0, const double* s1p, const double* s2p,
                  double* state, double* stencil, double* curvature, double* out, std::ptrdiff_t width, double floor);
void gauss_pass(const double* g00, const double* g01, const double* g10, const double* g11, const double* stencil,
                const double* curvature, double* state, double* out, std::ptrdiff_t width, double accept,
                double floor);

// Distance (pixels) from a pixel centre within which the 5x5 stencil sees a feature.
inline constexpr double kStencilReach = 2.5;

}  // namespace galforge::detail
