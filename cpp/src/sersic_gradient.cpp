// Derivatives of Sersic pixel values with respect to the parameters (x0, y0, ie, r_e, n, q, pa, c),
// each pixel integrated by the rule that render_sersic used for its value (the rendering pass records
// it), so that the derivatives are those of the rendered image (adaptively integrated pixels: to
// within the value's error estimate). Compiled with -ffast-math like the
// renderer; every input was validated finite before it gets here.
//
// With u = -dx sin(pa) + dy cos(pa), v = (dx cos(pa) + dy sin(pa)) / q, S = |u|^c + |v|^c, R = S^(1/c),
// s = (R / r_e)^(1/n) and I = ie exp(b_n (1 - s)):
//   dI/dR = -I b_n s / (n R),  dR/du = sign(u) R |u|^(c-1) / S  (likewise v),
//   dR/dc = R (-ln S / c^2 + (|u|^c ln|u| + |v|^c ln|v|) / (c S)),
//   dI/dr_e = I b_n s / (n r_e),  dI/dn = I (b_n'(n) (1 - s) + b_n s ln(R / r_e) / n^2),
// and du/dx0 = sin, dv/dx0 = -cos / q, du/dy0 = -cos, dv/dy0 = -sin / q, du/dpa = -q v, dv/dpa = u / q,
// dv/dq = -v / q.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/sersic.hpp"
#include "scratch.hpp"
#include "sersic_pixel.hpp"

namespace galforge {

namespace {

using detail::Cell;
using detail::Profile;

struct GradientProfile {
    double cos_pa, sin_pa, q, inv_q, ie, bn, dbn_dn, log_re, inv_n, inv_re, c, inv_c;

    explicit GradientProfile(const SersicParams& p)
        : cos_pa(std::cos(p.pa)), sin_pa(std::sin(p.pa)), q(p.q), inv_q(1.0 / p.q), ie(p.ie), bn(sersic_bn(p)),
          dbn_dn(sersic_bn_derivative(p)), log_re(std::log(p.r_e)), inv_n(1.0 / p.n), inv_re(1.0 / p.r_e), c(p.c),
          inv_c(1.0 / p.c) {}
};

// ox0[m] = weight[m] * dI/dx0 at offsets (dx[m], dy[m]) from the centre, likewise for the other
// parameters, for m < count. The outputs are separate restrict arguments so that the loop vectorises.
template <class D>
GALFORGE_VECTOR_CLONES
void add_gradient_kernel(const GradientProfile& G, const double* __restrict dx, const double* __restrict dy,
                         const double* __restrict weight, int count, D* __restrict ox0, D* __restrict oy0,
                         double* __restrict oie, D* __restrict ore, D* __restrict on, D* __restrict oq,
                         D* __restrict opa, D* __restrict oc) {
    const double sn = G.sin_pa, cs = G.cos_pa, q = G.q, iq = G.inv_q, c = G.c, ic = G.inv_c, in = G.inv_n;
    const double bn = G.bn, ie = G.ie, dbn_dn = G.dbn_dn, log_re = G.log_re, inv_re = G.inv_re;
    for (int m = 0; m < count; ++m) {
        const double u = -dx[m] * sn + dy[m] * cs, v = (dx[m] * cs + dy[m] * sn) * iq;
        const double au = std::fabs(u) + 1e-300, av = std::fabs(v) + 1e-300;
        const double lu = std::log(au), lv = std::log(av);
        const double pu = std::exp(c * lu), pv = std::exp(c * lv);
        const double S = pu + pv + 1e-300, lS = std::log(S);
        const double log_ratio = lS * ic - log_re;  // ln(R / r_e)
        const double s = std::exp(log_ratio * in);
        const double E = std::exp(bn * (1.0 - s)), I = ie * E, w = weight[m];
        // a = R dI/dR; ru, rv = (dR/du) / R, (dR/dv) / R.
        const double a = -I * bn * s * in;
        // |u|^(c-1) / S in logs (finite at u = 0 for any c; capped where c < 1 makes it infinite).
        const double ru = (u < 0.0 ? -1.0 : 1.0) * std::exp(std::fmin((c - 1.0) * lu - lS, 700.0));
        const double rv = (v < 0.0 ? -1.0 : 1.0) * std::exp(std::fmin((c - 1.0) * lv - lS, 700.0));
        ox0[m] = static_cast<D>(w * a * (ru * sn - rv * cs * iq));
        oy0[m] = static_cast<D>(w * a * (-ru * cs - rv * sn * iq));
        oie[m] = w * E;
        ore[m] = static_cast<D>(w * (-a * inv_re));
        on[m] = static_cast<D>(w * I * (dbn_dn * (1.0 - s) + bn * s * log_ratio * in * in));
        oq[m] = static_cast<D>(w * a * rv * (-v * iq));
        opa[m] = static_cast<D>(w * a * (ru * (-q * v) + rv * (u * iq)));
        oc[m] = static_cast<D>(w * a * (-lS * ic * ic + (pu * lu + pv * lv) * ic / S));
    }
}

// The same for an ellipse (c = 2) when dI/dc is not wanted: R^2 = u^2 + v^2, three transcendentals
// per point instead of nine.
template <class D>
GALFORGE_VECTOR_CLONES
void add_gradient_ellipse(const GradientProfile& G, const double* __restrict dx, const double* __restrict dy,
                          const double* __restrict weight, int count, D* __restrict ox0, D* __restrict oy0,
                          double* __restrict oie, D* __restrict ore, D* __restrict on, D* __restrict oq,
                          D* __restrict opa) {
    const double sn = G.sin_pa, cs = G.cos_pa, q = G.q, iq = G.inv_q, in = G.inv_n;
    const double bn = G.bn, ie = G.ie, dbn_dn = G.dbn_dn, log_re = G.log_re, inv_re = G.inv_re;
    for (int m = 0; m < count; ++m) {
        const double u = -dx[m] * sn + dy[m] * cs, v = (dx[m] * cs + dy[m] * sn) * iq;
        const double S = u * u + v * v + 1e-300, lS = std::log(S);
        const double log_ratio = 0.5 * lS - log_re;  // ln(R / r_e)
        const double s = std::exp(log_ratio * in);
        const double E = std::exp(bn * (1.0 - s)), I = ie * E, w = weight[m];
        const double a = -I * bn * s * in;
        const double ru = u / S, rv = v / S;
        ox0[m] = static_cast<D>(w * a * (ru * sn - rv * cs * iq));
        oy0[m] = static_cast<D>(w * a * (-ru * cs - rv * sn * iq));
        oie[m] = w * E;
        ore[m] = static_cast<D>(w * (-a * inv_re));
        on[m] = static_cast<D>(w * I * (dbn_dn * (1.0 - s) + bn * s * log_ratio * in * in));
        oq[m] = static_cast<D>(w * a * rv * (-v * iq));
        opa[m] = static_cast<D>(w * a * (ru * (-q * v) + rv * (u * iq)));
    }
}

// out[k][m] = weight[m] * dI/dtheta_k (order x0, y0, ie, r_e, n, q, pa, c), but dI/die (= E) in
// e[m] (in double: the value is ie E); out[2] is not used, out[7] may be null (dI/dc not wanted) when
// c = 2. D = float: derivatives stored in single precision (the centre samples of stencil pixels).
template <class D>
void add_gradient(const GradientProfile& G, const double* dx, const double* dy, const double* weight, int count,
                  D* const* out, double* e) {
    if (G.c == 2.0 && out[7] == nullptr)
        add_gradient_ellipse(G, dx, dy, weight, count, out[0], out[1], e, out[3], out[4], out[5], out[6]);
    else
        add_gradient_kernel(G, dx, dy, weight, count, out[0], out[1], e, out[3], out[4], out[5], out[6], out[7]);
}

// out[j] += the 4th-order stencil mean of the centre samples (rows s2m..s2p) where rule[j] says stencil:
// detail::StencilTerms::mean written out as its 13 tap weights (the same linear combination). In single
// precision, as the planes it adds to (twice the lanes): the weights are positive but for b ~ 3e-3,
// so the mean is good to ~1e-7 of the samples.
GALFORGE_VECTOR_CLONES
void add_stencil_means(const float* __restrict s2m, const float* __restrict s1m, const float* __restrict s0,
                       const float* __restrict s1p, const float* __restrict s2p, const std::uint8_t* __restrict rule,
                       float* __restrict out, std::ptrdiff_t width) {
    constexpr double a = 1.0 / 24.0, b = 17.0 / 5760.0, c = 1.0 / 576.0;
    constexpr auto centre = static_cast<float>(1.0 - 4.0 * a - 12.0 * b + 4.0 * c);
    constexpr auto near = static_cast<float>(a + 4.0 * b - 2.0 * c), far = static_cast<float>(b);
    constexpr auto corner = static_cast<float>(c);
#pragma omp simd
    for (std::ptrdiff_t j = 0; j < width; ++j) {  // branch-free so that it vectorises
        const float mean = centre * s0[j] + near * (s0[j - 1] + s0[j + 1] + s1m[j] + s1p[j]) -
                           far * (s0[j - 2] + s0[j + 2] + s2m[j] + s2p[j]) +
                           corner * (s1m[j - 1] + s1m[j + 1] + s1p[j - 1] + s1p[j + 1]);
        out[j] += rule[j] == detail::kRuleStencil ? mean : 0.0f;
    }
}

// Whether dI/dc must be evaluated: wanted, or needed by the general kernel (c != 2).
bool with_c(const GradientProfile& G, float* const gradient[kSersicParams]) {
    return gradient[kSersicParams - 1] != nullptr || G.c != 2.0;
}

// Scratch for one thread: sample points, weights and per-parameter sums.
struct Scratch {
    std::vector<double> dx, dy, weight, sums;
    std::vector<double> nodes, px, py, pw, pg;  // per-row node lists: 2x2 Gauss (grown only), adaptive
    std::vector<std::ptrdiff_t> owner;
    std::vector<Cell> heap;
    std::vector<double> values, row;  // centre-sample values; one row's states, estimates and node values
    std::vector<double> leaf_sums;    // one row's derivative of the adaptive pixels, summed over their leaves
    std::vector<std::uint8_t> rules;
    std::vector<float> centre;
    double* sum_ptr[kSersicParams];
    float* centre_ptr[kSersicParams];

    void reset_points(std::size_t count) {  // (every point is then set by the caller)
        dx.resize(count);
        dy.resize(count);
        weight.resize(count);
    }
    // Per-parameter outputs of length `count` (written by add_gradient); the one of c only if `with_c`.
    double* const* sums_of(std::size_t count, bool with_c) { return per_parameter(sums, sum_ptr, count, with_c); }
    // The same in single precision (centre samples; add_gradient writes dI/die in double apart, slot 2
    // holds its copy where wanted).
    float* const* centre_of(std::size_t count, bool with_c) {
        return per_parameter(centre, centre_ptr, count, with_c);
    }
    template <class T>
    static T* const* per_parameter(std::vector<T>& storage, T** ptr, std::size_t count, bool with_c) {
        storage.resize(count * kSersicParams);
        for (int k = 0; k < kSersicParams; ++k) ptr[k] = storage.data() + k * count;
        if (!with_c) ptr[kSersicParams - 1] = nullptr;
        return ptr;
    }
};

// Uniform k x k sub-pixel mean of the values (added to img) and derivatives, rows [r0, r1), from the
// same samples (the value of a sample is ie E, E = dI/die).
GALFORGE_VECTOR_CLONES
void gradient_rows_uniform(const GradientProfile& G, const ImageView& img, float* const gradient[kSersicParams],
                           const Window& w, std::ptrdiff_t r0, std::ptrdiff_t r1, int k, double x0, double y0,
                           Scratch& sc) {
    const std::ptrdiff_t width = w.width();
    const std::size_t count = static_cast<std::size_t>(width) * k * k;
    const double inv_k = 1.0 / k;
    for (std::ptrdiff_t i = r0; i < r1; ++i) {
        sc.reset_points(count);
        std::size_t m = 0;
        for (std::ptrdiff_t j = 0; j < width; ++j) {
            const double xc = img.x_origin + static_cast<double>(w.x_begin + j) - x0;
            const double yc = img.y_origin + static_cast<double>(i) - y0;
            for (int a = 0; a < k; ++a)
                for (int b = 0; b < k; ++b, ++m) {
                    sc.dx[m] = xc - 0.5 + (b + 0.5) * inv_k;
                    sc.dy[m] = yc - 0.5 + (a + 0.5) * inv_k;
                    sc.weight[m] = inv_k * inv_k;
                }
        }
        double* const* sums = sc.sums_of(count, with_c(G, gradient));
        add_gradient(G, sc.dx.data(), sc.dy.data(), sc.weight.data(), static_cast<int>(count), sums, sums[2]);
        const std::ptrdiff_t row = i * img.nx + w.x_begin;
        const int kk = k * k;
        for (int p = 0; p < kSersicParams; ++p) {
            const bool value = p == 2;  // the mean of E = dI/die, times ie, is the pixel value
            if (gradient[p] == nullptr && !value) continue;
            const double* src = sums[p];
            float* const out = gradient[p] == nullptr ? nullptr : gradient[p] + row;
            double* const pixel = img.row(i) + w.x_begin;
            for (std::ptrdiff_t j = 0; j < width; ++j) {
                double sum = 0.0;
                for (int t = 0; t < kk; ++t) sum += src[j * kk + t];
                if (value) pixel[j] += G.ie * sum;
                if (out != nullptr) out[j] += static_cast<float>(sum);
            }
        }
    }
}

// Adaptive rows [r0, r1): values (added to img) and derivatives from the same samples. The value of a
// sample is ie E, a by-product of its derivatives, so the rule of render_rows_adaptive (stencil, else
// 2x2 Gauss-Legendre, else the adaptive cubature) is run on them, and each pixel's derivatives are
// integrated by the rule that integrated its value. (Cloned per instruction set for its row loops.)
GALFORGE_VECTOR_CLONES
void gradient_rows_adaptive(const Profile& P, const GradientProfile& G, const ImageView& img,
                            float* const gradient[kSersicParams], const Window& w, std::ptrdiff_t r0,
                            std::ptrdiff_t r1, double tol, Scratch& sc) {
    const std::ptrdiff_t width = w.width(), stride = width + 4;
    const double dx_ring = img.x_origin + static_cast<double>(w.x_begin) - 2.0 - P.x0;  // ring column 0
    const double dx_first = dx_ring + 2.0;
    // Centre samples of rows r0-2 .. r1+1: (r1 - r0 + 4) rows x stride, per parameter, and their values.
    const std::ptrdiff_t rows = r1 - r0 + 4;
    // (Evaluated row by row from one row of offsets: the sample arrays stay in L1.)
    const std::size_t count = static_cast<std::size_t>(rows * stride);
    sc.reset_points(static_cast<std::size_t>(stride));
    for (std::ptrdiff_t j = 0; j < stride; ++j) {
        sc.dx[static_cast<std::size_t>(j)] = dx_ring + static_cast<double>(j);
        sc.weight[static_cast<std::size_t>(j)] = 1.0;
    }
    float* const* centre = sc.centre_of(count, with_c(G, gradient));
    double* const e = detail::grown(sc.sums, count);  // dI/die = E
    for (std::ptrdiff_t t = 0; t < rows; ++t) {
        std::fill(sc.dy.begin(), sc.dy.end(), img.y_origin + static_cast<double>(r0 - 2 + t) - P.y0);
        float* row_out[kSersicParams];
        for (int p = 0; p < kSersicParams; ++p) row_out[p] = centre[p] ? centre[p] + t * stride : nullptr;
        add_gradient(G, sc.dx.data(), sc.dy.data(), sc.weight.data(), static_cast<int>(stride), row_out,
                     e + t * stride);
    }
    sc.values.resize(count);
    for (std::size_t m = 0; m < count; ++m) sc.values[m] = G.ie * e[m];
    if (gradient[2] != nullptr) std::copy(e, e + count, centre[2]);
    sc.row.resize(static_cast<std::size_t>(7 * width));
    double* const state = sc.row.data();
    double* const stencil = state + width;
    double* const curvature = stencil + width;
    double* const gl = curvature + width;  // 4 rows: the values at each pixel's 2x2 Gauss-Legendre nodes
    sc.rules.resize(static_cast<std::size_t>((r1 - r0) * width));
    std::vector<double>& px = sc.px;
    std::vector<double>& py = sc.py;
    std::vector<double>& pw = sc.pw;
    std::vector<std::ptrdiff_t>& owner = sc.owner;
    double* per_point[kSersicParams];
    auto evaluate = [&](const double* x, const double* y, const double* weight, std::size_t npts) {
        double* out = detail::grown(sc.pg, npts * kSersicParams);
        for (int p = 0; p < kSersicParams; ++p) per_point[p] = out + p * npts;
        if (!with_c(G, gradient)) per_point[kSersicParams - 1] = nullptr;
        add_gradient(G, x, y, weight, static_cast<int>(npts), per_point, per_point[2]);
    };
    for (std::ptrdiff_t i = r0; i < r1; ++i) {
        const std::ptrdiff_t t = i - r0 + 2, row = i * img.nx + w.x_begin;
        const double dy = img.y_origin + static_cast<double>(i) - P.y0;
        double* const out = img.row(i) + w.x_begin;
        const double* v = sc.values.data() + 2;
        detail::forced_states(P, dy, dx_first, width, state);
        detail::stencil_pass(v + (t - 2) * stride, v + (t - 1) * stride, v + t * stride, v + (t + 1) * stride,
                             v + (t + 2) * stride, state, stencil, curvature, out, width, P.value_floor);
        std::uint8_t* const rule = sc.rules.data() + (i - r0) * width;
        for (std::ptrdiff_t j = 0; j < width; ++j) rule[j] = static_cast<std::uint8_t>(state[j]);
        // Pixels pending the 2x2 Gauss-Legendre check: derivatives at their 4 nodes over the span of the
        // row that holds them (weight 0 for the other pixels of the span), in one vectorised batch; the
        // values there decide the check, and the derivatives count where it passes.
        std::ptrdiff_t lo = 0, hi = width;
        while (lo < hi && rule[lo] != detail::kRuleGauss2x2) ++lo;
        while (hi > lo && rule[hi - 1] != detail::kRuleGauss2x2) --hi;
        if (lo < hi) {
            const std::ptrdiff_t span = hi - lo;
            const std::size_t npts = static_cast<std::size_t>(4 * span);
            double* const nodes = detail::grown(sc.nodes, 3 * npts);  // x, y, weight
            for (int k = 0; k < 4; ++k) {
                const double x = dx_first + static_cast<double>(lo) + (k % 2 ? detail::kGL2Node : -detail::kGL2Node);
                const double y = dy + (k < 2 ? -detail::kGL2Node : detail::kGL2Node);
                double* __restrict X = nodes + k * span;
                double* __restrict Y = nodes + npts + k * span;
                double* __restrict W = nodes + 2 * npts + k * span;
                const std::uint8_t* r = rule + lo;
                for (std::ptrdiff_t j = 0; j < span; ++j) {
                    X[j] = x + static_cast<double>(j);
                    Y[j] = y;
                    W[j] = r[j] == detail::kRuleGauss2x2 ? 0.25 : 0.0;
                }
            }
            evaluate(nodes, nodes + npts, nodes + 2 * npts, npts);
            for (int k = 0; k < 4; ++k)
                for (std::ptrdiff_t j = 0; j < span; ++j) gl[k * width + j] = 4.0 * G.ie * per_point[2][k * span + j];
            detail::gauss_pass(gl, gl + width, gl + 2 * width, gl + 3 * width, stencil + lo, curvature + lo,
                               state + lo, out + lo, span, 0.25 * tol, P.value_floor);
            for (int p = 0; p < kSersicParams; ++p) {
                if (gradient[p] == nullptr) continue;
                float* __restrict o = gradient[p] + row + lo;
                const double* g = per_point[p];
                for (std::ptrdiff_t j = 0; j < span; ++j)
                    o[j] += state[lo + j] == 0.0
                                ? static_cast<float>(g[j] + g[span + j] + g[2 * span + j] + g[3 * span + j]) : 0.0f;
            }
            for (std::ptrdiff_t j = lo; j < hi; ++j)
                if (rule[j] == detail::kRuleGauss2x2 && state[j] == 2.0) rule[j] = detail::kRuleAdaptive;
        }
        // Adaptive pixels: the value is the sum over the leaves of the cubature, the derivatives those
        // of each leaf by its own 3x3 rule: within the value's error estimate of the value's rule (the
        // leaf's four children), at a quarter of the cost.
        px.clear();
        py.clear();
        pw.clear();
        owner.clear();
        for (std::ptrdiff_t j = 0; j < width; ++j) {
            if (rule[j] != detail::kRuleAdaptive) continue;
            const double dx = dx_first + static_cast<double>(j);
            out[j] += detail::integrate_pixel(P, dx, dy, 0.5 * tol, P.initial_split(dx, dy), sc.heap);
            for (const Cell& cell : sc.heap) {
                double xs[3], ys[3];
                detail::gl_nodes(cell.ax, cell.bx, xs);
                detail::gl_nodes(cell.ay, cell.by, ys);
                const double area = 0.25 * (cell.bx - cell.ax) * (cell.by - cell.ay);
                for (int a = 0; a < 3; ++a)
                    for (int b = 0; b < 3; ++b) {
                        px.push_back(xs[b]);
                        py.push_back(ys[a]);
                        pw.push_back(area * detail::kGLWeight[a] * detail::kGLWeight[b]);
                        owner.push_back(j);
                    }
            }
        }
        if (px.empty()) continue;
        evaluate(px.data(), py.data(), pw.data(), px.size());
        double* const leaf_sum = detail::grown(sc.leaf_sums, static_cast<std::size_t>(width));  // in double: many leaves
        for (int p = 0; p < kSersicParams; ++p) {
            if (gradient[p] == nullptr) continue;
            std::fill(leaf_sum, leaf_sum + width, 0.0);
            for (std::size_t m = 0; m < px.size(); ++m) leaf_sum[owner[m]] += per_point[p][m];
            for (std::ptrdiff_t j = 0; j < width; ++j)
                if (rule[j] == detail::kRuleAdaptive) gradient[p][row + j] += static_cast<float>(leaf_sum[j]);
        }
    }
    // Stencil pixels: the same linear combination of centre samples as the value, over the span of
    // each row that holds them.
    for (std::ptrdiff_t i = r0; i < r1; ++i) {
        const std::uint8_t* rule = sc.rules.data() + (i - r0) * width;
        std::ptrdiff_t lo = 0, hi = width;
        while (lo < hi && rule[lo] != detail::kRuleStencil) ++lo;
        while (hi > lo && rule[hi - 1] != detail::kRuleStencil) --hi;
        const std::ptrdiff_t t = i - r0 + 2, row = i * img.nx + w.x_begin;
        for (int p = 0; p < kSersicParams && lo < hi; ++p) {
            if (gradient[p] == nullptr) continue;
            const float* base = centre[p] + 2 + lo;
            add_stencil_means(base + (t - 2) * stride, base + (t - 1) * stride, base + t * stride,
                              base + (t + 1) * stride, base + (t + 2) * stride, rule + lo, gradient[p] + row + lo,
                              hi - lo);
        }
    }
}

}  // namespace

double sersic_bn_derivative(const SersicParams& p) {
    // Central difference of the (smooth, ~1e-15 accurate) b_n(n); step error ~1e-10 relative.
    const double h = 1e-4 * std::fmax(p.n, 1.0);
    SersicParams lo = p, hi = p;
    lo.n = std::fmax(p.n - h, 0.5 * p.n);
    hi.n = p.n + h;
    return (sersic_bn(hi) - sersic_bn(lo)) / (hi.n - lo.n);
}

void render_sersic_gradient(const ImageView& image, float* const gradient[kSersicParams], const Window& window,
                            const SersicParams& p, const RenderOptions& options) {
    validate(p);
    check_window(image, window);
    validate(options);
    if (window.empty()) return;
    if (!std::isfinite(image.x_origin) || !std::isfinite(image.y_origin))
        throw std::invalid_argument("image origin must be finite");
    // Point counts per batch are ints (so that int-to-double conversion vectorises): at most
    // (band + 4) rows of width + 4 centre samples, or width x oversample^2 sub-pixel samples per row.
    const std::ptrdiff_t k = std::max(1, options.oversample);
    if ((window.width() + 4) * std::max<std::ptrdiff_t>(k * k, 40) > std::numeric_limits<int>::max())
        throw std::invalid_argument("window width " + std::to_string(window.width()) + " x oversample^2 exceeds 2^31 "
                                    "samples per row");
    const Profile P(p);
    const GradientProfile G(p);
    // Tasks of about 32 rows (each also samples the 4 rows around it), as many per thread.
    const std::ptrdiff_t per_thread = (window.height() + 32 * options.threads - 1) / (32 * options.threads);
    const std::ptrdiff_t n_bands = std::min<std::ptrdiff_t>(per_thread * options.threads, window.height());
    const std::ptrdiff_t band = (window.height() + n_bands - 1) / n_bands;
    const int threads = static_cast<int>(std::min<std::ptrdiff_t>(options.threads, n_bands));
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        thread_local Scratch sc;  // kept between calls: no allocation (and page faults) per call
        sc.heap.reserve(detail::kMaxCells);
#pragma omp for schedule(dynamic, 1)
        for (std::ptrdiff_t b = 0; b < n_bands; ++b) {
            const std::ptrdiff_t r0 = window.y_begin + b * band;
            const std::ptrdiff_t r1 = std::min(r0 + band, window.y_end);
            if (r0 >= r1) continue;
            if (options.oversample == 0) {
                gradient_rows_adaptive(P, G, image, gradient, window, r0, r1, options.tolerance, sc);
            } else {
                gradient_rows_uniform(G, image, gradient, window, r0, r1, options.oversample, p.x0, p.y0, sc);
            }
        }
    }
}

}  // namespace galforge
