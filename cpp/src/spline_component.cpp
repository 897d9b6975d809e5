// The spline component kind: an elliptical galaxy whose radial profile is free (AstroPhot's "spline
// galaxy model"). Parameters x0, y0, q, pa, then y_0..y_{N-1} = log10 of the surface brightness (per
// pixel) at the node radii r_k; constants (interpolation, r_0, ..., r_{N-1}), interpolation 0 =
// monotone cubic in log10 I (spline_profile.hpp), 1 = log-linear. R is the semi-major elliptical
// radius sqrt(u^2 + (v / q)^2), u along the major axis (-sin pa, cos pa).
//
// Pixel integration (adaptive mode, relative tolerance `tol` per pixel): each pixel's mean by the 3x3
// Gauss-Legendre rule, kept where the 2x2 rule agrees with it to tol / 4 (the difference estimates the
// 2x2 rule's error, far larger than the 3x3 rule's on smooth profiles). The others, and every pixel
// that may hold the centre (the cusp), the outer edge R = r_last (a step) or, for log-linear, a node
// (a kink), go to a globally adaptive cubature: cells started on a grid as fine as the narrowest
// feature (node spacing, e-folding length, times q), split at the centre; the cell with the largest
// |4 children - whole| is split until the sum meets tol / 2, or kMaxCells. Pixels fainter than 1e-9 of
// the brightest node need only that absolute accuracy. Derivatives are integrated over each pixel by
// the rule of its value (the same 3x3 nodes, or the same leaf cells), so they are those of the image.
// Pixels crossed by the outer edge lack the edge's moving-boundary term in d/d(x0, y0, q, pa).
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/component.hpp"
#include "kernels.hpp"
#include "spline_profile.hpp"

namespace galforge {

namespace {

using detail::SplineProfile;

constexpr int kGeometry = 4;  // x0, y0, q, pa
constexpr std::size_t kMaxCells = 2048;
const double kLn10 = std::log(10.0);
const double kG3Node = std::sqrt(0.6);
constexpr double kG3Weight[3] = {5.0 / 18.0, 8.0 / 18.0, 5.0 / 18.0};  // on [-1/2, 1/2] scaled to sum 1
const double kG2Node = 0.5 / std::sqrt(3.0);

std::size_t node_count(const ComponentSpec& spec) {
    return spec.constants.empty() ? 0 : spec.constants.size() - 1;
}

int count(const ComponentSpec& spec) { return kGeometry + static_cast<int>(node_count(spec)); }

void check(const ComponentSpec& spec, const double* p) {
    const std::size_t n = node_count(spec);
    if (n < 2) throw std::invalid_argument("spline needs at least 2 nodes, got " + std::to_string(n));
    const double mode = spec.constants[0];
    if (mode != 0.0 && mode != 1.0)
        throw std::invalid_argument("spline interpolation flag = " + std::to_string(mode) +
                                    " is invalid: expected 0 (cubic) or 1 (linear)");
    const double* r = spec.constants.data() + 1;
    for (std::size_t k = 0; k < n; ++k) {
        if (!std::isfinite(r[k]) || r[k] < 0.0)
            throw std::invalid_argument("spline node radius r[" + std::to_string(k) + "] = " + std::to_string(r[k]) +
                                        " is invalid: expected finite and >= 0");
        if (k > 0 && !(r[k] > r[k - 1]))
            throw std::invalid_argument("spline node radii must increase strictly: r[" + std::to_string(k) +
                                        "] = " + std::to_string(r[k]) + " <= r[" + std::to_string(k - 1) +
                                        "] = " + std::to_string(r[k - 1]));
    }
    const char* names[] = {"x0", "y0", "q", "pa"};
    for (int k = 0; k < kGeometry; ++k)
        if (!std::isfinite(p[k]))
            throw std::invalid_argument(std::string("spline ") + names[k] + " = " + std::to_string(p[k]) +
                                        " must be finite");
    if (!(p[2] > 0.0 && p[2] <= 1.0))
        throw std::invalid_argument("spline q = " + std::to_string(p[2]) + " is invalid: expected 0 < q <= 1");
    for (std::size_t k = 0; k < n; ++k)
        if (!std::isfinite(p[kGeometry + k]) || std::fabs(p[kGeometry + k]) > 300.0)
            throw std::invalid_argument("spline node value (log10 I) [" + std::to_string(k) + "] = " +
                                        std::to_string(p[kGeometry + k]) + " is invalid: expected |value| <= 300");
}

// The profile on the image plane with its derivatives.
struct Spline2D {
    double x0, y0, c, s, q, inv_q2;
    SplineProfile profile;
    double floor;  // pixel values below this need only absolute accuracy floor * tol
    bool linear;

    Spline2D(const ComponentSpec& spec, const double* p)
        : x0(p[0]), y0(p[1]), c(std::cos(p[3])), s(std::sin(p[3])), q(p[2]), inv_q2(1.0 / (p[2] * p[2])),
          profile(spec.constants.data() + 1, p + kGeometry, node_count(spec), spec.constants[0] == 1.0),
          floor(1e-9 * std::pow(10.0, profile.y_max())), linear(spec.constants[0] == 1.0) {}

    double radius(double x, double y) const {
        const double dx = x - x0, dy = y - y0;
        const double u = -dx * s + dy * c, a = dx * c + dy * s;
        return std::sqrt(u * u + a * a * inv_q2);
    }

    double value(double x, double y) const {
        const double R = radius(x, y);
        if (R > profile.r_last()) return 0.0;
        double S, dS;
        profile.eval(R, profile.segment(R), S, dS);
        return std::exp(kLn10 * S);
    }

    // Adds weight * (value, d/d params) to acc[0] and acc[1 + k].
    void value_and_gradient(double x, double y, double weight, double* acc) const {
        const double dx = x - x0, dy = y - y0;
        const double u = -dx * s + dy * c, a = dx * c + dy * s;
        const double R = std::sqrt(u * u + a * a * inv_q2);
        if (R > profile.r_last()) return;
        const std::ptrdiff_t k = profile.segment(R);
        double S, dS;
        profile.eval(R, k, S, dS);
        const double I = std::exp(kLn10 * S), wI = weight * I;
        acc[0] += wI;
        const double g = wI * kLn10;
        if (R > 0.0 && dS != 0.0) {
            const double f = g * dS / R;  // dI/dR / R
            acc[1] += -f * (-u * s + a * c * inv_q2);  // d/dx0 = -dR/ddx
            acc[2] += -f * (u * c + a * s * inv_q2);
            acc[3] += -f * a * a * inv_q2 / q;
            acc[4] += f * u * a * (inv_q2 - 1.0);
        }
        profile.value_gradient(R, k, g, acc + 1 + kGeometry);
    }

    // Whether the pixel centred at (x, y) may hold the centre, the outer edge or (log-linear) a node.
    bool needs_adaptive(double x, double y) const {
        if (std::fabs(x - x0) <= 1.0 && std::fabs(y - y0) <= 1.0) return true;
        const double R = radius(x, y), reach = 0.7072 / q;
        const double lo = R - reach, hi = R + reach;
        if (lo <= profile.r_last() && profile.r_last() <= hi) return true;
        if (!linear) return false;
        const auto& r = profile.radii();
        const auto it = std::lower_bound(r.begin(), r.end(), lo);
        return it != r.end() && *it <= hi;
    }

    bool beyond_edge(double x, double y) const { return radius(x, y) - 0.7072 / q > profile.r_last(); }

    // Cells per pixel side to start the cubature with: about one per narrowest radial feature (a node
    // spacing or an e-folding length, |slope| <= 3 |secant|) of the segments the pixel's radii reach,
    // divided by 1 / q (the pixel spans up to 1.41 / q in R).
    int initial_split(double x, double y) const {
        const double R = radius(x, y), reach = 0.7072 / q;
        const auto& h = profile.widths();
        const auto& d = profile.secants();
        const std::ptrdiff_t first = std::max<std::ptrdiff_t>(profile.segment(R - reach), 0);
        const std::ptrdiff_t last = std::min<std::ptrdiff_t>(profile.segment(R + reach), static_cast<std::ptrdiff_t>(h.size()) - 1);
        double feature = 1e300;
        for (std::ptrdiff_t k = first; k <= last && k < static_cast<std::ptrdiff_t>(h.size()); ++k)
            feature = std::fmin(feature, std::fmin(h[k], 1.0 / (3.0 * kLn10 * std::fabs(d[k]) + 1e-300)));
        return static_cast<int>(std::fmin(16.0, std::fmax(1.0, std::ceil(1.0 / (q * feature)))));
    }
};

struct Cell {
    double ax, bx, ay, by;
    double whole, parts, error;
    double child[4];
};

double gl3(const Spline2D& P, double ax, double bx, double ay, double by) {
    const double mx = 0.5 * (ax + bx), hx = 0.5 * (bx - ax), my = 0.5 * (ay + by), hy = 0.5 * (by - ay);
    double sum = 0.0;
    for (int i = 0; i < 3; ++i) {
        const double y = my + (i - 1) * kG3Node * hy;
        for (int j = 0; j < 3; ++j) sum += kG3Weight[i] * kG3Weight[j] * P.value(mx + (j - 1) * kG3Node * hx, y);
    }
    return sum * (bx - ax) * (by - ay);
}

void fill(const Spline2D& P, Cell& cell) {
    const double mx = 0.5 * (cell.ax + cell.bx), my = 0.5 * (cell.ay + cell.by);
    cell.child[0] = gl3(P, cell.ax, mx, cell.ay, my);
    cell.child[1] = gl3(P, mx, cell.bx, cell.ay, my);
    cell.child[2] = gl3(P, cell.ax, mx, my, cell.by);
    cell.child[3] = gl3(P, mx, cell.bx, my, cell.by);
    cell.parts = cell.child[0] + cell.child[1] + cell.child[2] + cell.child[3];
    cell.error = std::fabs(cell.parts - cell.whole);
}

// Integral over the unit pixel centred at (x, y) by adaptive cubature; the leaf cells stay in `cells`
// (each integrated as the sum of its 4 children by the 3x3 rule).
double adaptive_pixel(const Spline2D& P, double x, double y, double tol, std::vector<Cell>& cells) {
    cells.clear();
    double xs[3] = {x - 0.5, x + 0.5, 0.0}, ys[3] = {y - 0.5, y + 0.5, 0.0};
    int nxs = 2, nys = 2;
    if (P.x0 > xs[0] && P.x0 < xs[1]) xs[nxs++] = P.x0;
    if (P.y0 > ys[0] && P.y0 < ys[1]) ys[nys++] = P.y0;
    std::sort(xs, xs + nxs);
    std::sort(ys, ys + nys);
    const int split = P.initial_split(x, y);
    for (int a = 0; a + 1 < nys; ++a)
        for (int b = 0; b + 1 < nxs; ++b)
            for (int i = 0; i < split; ++i)
                for (int j = 0; j < split; ++j) {
                    Cell cell{};
                    const double wy = (ys[a + 1] - ys[a]) / split, wx = (xs[b + 1] - xs[b]) / split;
                    cell.ay = ys[a] + i * wy;
                    cell.by = cell.ay + wy;
                    cell.ax = xs[b] + j * wx;
                    cell.bx = cell.ax + wx;
                    cell.whole = gl3(P, cell.ax, cell.bx, cell.ay, cell.by);
                    fill(P, cell);
                    cells.push_back(cell);
                }
    while (true) {
        double total = 0.0, error = 0.0;
        std::size_t worst = 0;
        for (std::size_t k = 0; k < cells.size(); ++k) {
            total += cells[k].parts;
            error += cells[k].error;
            if (cells[k].error > cells[worst].error) worst = k;
        }
        if (error <= 0.5 * tol * std::fmax(std::fabs(total), P.floor) || cells.size() + 3 > kMaxCells) return total;
        const Cell parent = cells[worst];
        const double mx = 0.5 * (parent.ax + parent.bx), my = 0.5 * (parent.ay + parent.by);
        const double box[4][4] = {{parent.ax, mx, parent.ay, my}, {mx, parent.bx, parent.ay, my},
                                  {parent.ax, mx, my, parent.by}, {mx, parent.bx, my, parent.by}};
        for (int k = 0; k < 4; ++k) {
            Cell child{box[k][0], box[k][1], box[k][2], box[k][3], parent.child[k], 0.0, 0.0, {}};
            fill(P, child);
            if (k == 0) cells[worst] = child;
            else cells.push_back(child);
        }
    }
}

// Adds the 3x3 Gauss-Legendre nodes of the box, weighted by `scale`, to acc (value and gradient).
void gl3_gradient(const Spline2D& P, double ax, double bx, double ay, double by, double* acc) {
    const double mx = 0.5 * (ax + bx), hx = 0.5 * (bx - ax), my = 0.5 * (ay + by), hy = 0.5 * (by - ay);
    const double area = (bx - ax) * (by - ay);
    for (int i = 0; i < 3; ++i) {
        const double y = my + (i - 1) * kG3Node * hy;
        for (int j = 0; j < 3; ++j)
            P.value_and_gradient(mx + (j - 1) * kG3Node * hx, y, area * kG3Weight[i] * kG3Weight[j], acc);
    }
}

// One pixel: its value, and with `acc` non-null, the value and derivatives added to acc[0..np].
double pixel(const Spline2D& P, double x, double y, const RenderOptions& options, std::vector<Cell>& cells,
             double* acc) {
    if (P.beyond_edge(x, y)) return 0.0;
    if (options.oversample > 0) {
        const int k = options.oversample;
        double sum = 0.0;
        for (int i = 0; i < k; ++i)
            for (int j = 0; j < k; ++j) {
                const double xs = x - 0.5 + (j + 0.5) / k, ys = y - 0.5 + (i + 0.5) / k;
                if (acc) P.value_and_gradient(xs, ys, 1.0 / (k * k), acc);
                else sum += P.value(xs, ys);
            }
        return acc ? acc[0] : sum / (k * k);
    }
    const double tol = options.tolerance;
    if (!P.needs_adaptive(x, y)) {
        const double g3 = gl3(P, x - 0.5, x + 0.5, y - 0.5, y + 0.5);
        double g2 = 0.0;
        for (int i = -1; i <= 1; i += 2)
            for (int j = -1; j <= 1; j += 2) g2 += 0.25 * P.value(x + j * kG2Node, y + i * kG2Node);
        if (std::fabs(g3 - g2) <= 0.25 * tol * std::fmax(std::fabs(g3), P.floor)) {
            if (acc) gl3_gradient(P, x - 0.5, x + 0.5, y - 0.5, y + 0.5, acc);
            return g3;
        }
    }
    const double value = adaptive_pixel(P, x, y, tol, cells);
    if (acc) {
        for (const Cell& cell : cells) {
            const double mx = 0.5 * (cell.ax + cell.bx), my = 0.5 * (cell.ay + cell.by);
            gl3_gradient(P, cell.ax, mx, cell.ay, my, acc);
            gl3_gradient(P, mx, cell.bx, cell.ay, my, acc);
            gl3_gradient(P, cell.ax, mx, my, cell.by, acc);
            gl3_gradient(P, mx, cell.bx, my, cell.by, acc);
        }
    }
    return value;
}

// The 4th-order pixel mean from the 5x5 centre samples around a pixel (sersic_pixel.hpp's stencil):
// f + (d2x + d2y) / 24 - 17 / 5760 (d4x + d4y) + d2x d2y / 576, as weights on the 5x5 samples.
struct Stencil {
    double w[5][5] = {};
    Stencil() {
        const double d2[5] = {0.0, 1.0, -2.0, 1.0, 0.0}, d4[5] = {1.0, -4.0, 6.0, -4.0, 1.0};
        w[2][2] = 1.0;
        for (int k = 0; k < 5; ++k) {
            w[2][k] += d2[k] / 24.0 - 17.0 / 5760.0 * d4[k];
            w[k][2] += d2[k] / 24.0 - 17.0 / 5760.0 * d4[k];
            for (int l = 0; l < 5; ++l) w[k][l] += d2[k] * d2[l] / 576.0;
        }
    }
};

// Whether the stencil mean is within tolerance: curvature terms small against the centre value (the
// Sersic kernel's test, scaled by tol / 1e-4). A kink or step of the profile within the 5x5 samples
// (a node of log-linear interpolation, the curvature jump at a cubic node, the outer edge) shows in
// the 4th differences and sends the pixel to the Gauss rules.
bool stencil_ok(const double* s, std::ptrdiff_t stride, double tol) {
    const double f = s[0];
    if (!(f > 0.0)) return false;
    const double d2x = s[-1] - 2.0 * f + s[1], d2y = s[-stride] - 2.0 * f + s[stride];
    const double d4x = s[-2] - 4.0 * (s[-1] + s[1]) + 6.0 * f + s[2];
    const double d4y = s[-2 * stride] - 4.0 * (s[-stride] + s[stride]) + 6.0 * f + s[2 * stride];
    const double d2xd2y = (s[-stride - 1] - 2.0 * s[-stride] + s[-stride + 1]) - 2.0 * d2x +
                          (s[stride - 1] - 2.0 * s[stride] + s[stride + 1]);
    const double scale = tol / 1e-4;
    return (std::fabs(d2x) + std::fabs(d2y)) / 24.0 < 1e-3 * scale * f &&
           17.0 / 5760.0 * (std::fabs(d4x) + std::fabs(d4y)) + std::fabs(d2xd2y) / 576.0 < 1e-6 * scale * f;
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    static const Stencil stencil;
    const Spline2D P(spec, p);
    const int np = count(spec);
    const std::size_t width = static_cast<std::size_t>(np) + 1;
    bool want_any = false;
    for (int k = 0; k < np; ++k) want_any = want_any || planes[k];
    const std::size_t stride_w = want_any ? width : 1;  // per sample: the value (and its derivatives)
    const int threads = ctx.options.threads;
    const bool adaptive = ctx.options.oversample == 0;
    // Adaptive mode: centre samples (and their derivatives) on the view grown by 2 pixels each side.
    const std::ptrdiff_t sny = view.ny + 4, snx = view.nx + 4;
    thread_local std::vector<double> scratch;  // reused between calls
    std::vector<double>& samples = scratch;  // shared by the threads below
    if (adaptive) samples.assign(static_cast<std::size_t>(sny * snx) * stride_w, 0.0);
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
        if (adaptive) {
#pragma omp for schedule(static)
            for (std::ptrdiff_t i = 0; i < sny; ++i) {
                const double y = view.y_origin + static_cast<double>(i - 2);
                for (std::ptrdiff_t j = 0; j < snx; ++j) {
                    const double x = view.x_origin + static_cast<double>(j - 2);
                    double* out = samples.data() + static_cast<std::size_t>(i * snx + j) * stride_w;
                    if (want_any) P.value_and_gradient(x, y, 1.0, out);
                    else out[0] = P.value(x, y);
                }
            }
        }
        std::vector<Cell> cells;
        std::vector<double> acc(width), vals(static_cast<std::size_t>(sny > 0 ? 25 : 0));
        cells.reserve(64);
#pragma omp for schedule(dynamic, 4)
        for (std::ptrdiff_t i = 0; i < view.ny; ++i) {
            const double y = view.y_origin + static_cast<double>(i);
            for (std::ptrdiff_t j = 0; j < view.nx; ++j) {
                const double x = view.x_origin + static_cast<double>(j);
                const std::ptrdiff_t m = i * view.nx + j;
                std::fill(acc.begin(), acc.end(), 0.0);
                bool done = false;
                if (adaptive && !(std::fabs(x - P.x0) <= 2.5 && std::fabs(y - P.y0) <= 2.5) && !P.needs_adaptive(x, y)) {
                    // Values of the 5x5 samples, strided by the sample record.
                    const std::size_t centre = static_cast<std::size_t>((i + 2) * snx + j + 2);
                    for (int a = 0; a < 5; ++a)
                        for (int b = 0; b < 5; ++b)
                            vals[static_cast<std::size_t>(a * 5 + b)] =
                                samples[(centre + static_cast<std::size_t>((a - 2) * snx + (b - 2))) * stride_w];
                    if (stencil_ok(vals.data() + 12, 5, ctx.options.tolerance)) {
                        for (int a = 0; a < 5; ++a)
                            for (int b = 0; b < 5; ++b) {
                                const double w = stencil.w[a][b];
                                if (w == 0.0) continue;
                                const double* rec =
                                    samples.data() + (centre + static_cast<std::size_t>((a - 2) * snx + (b - 2))) * stride_w;
                                for (std::size_t k = 0; k < stride_w; ++k) acc[k] += w * rec[k];
                            }
                        done = true;
                    }
                }
                const double v = done ? acc[0] : pixel(P, x, y, ctx.options, cells, want_any ? acc.data() : nullptr);
                view.data[m] += v;
                if (want_any)
                    for (int k = 0; k < np; ++k)
                        if (planes[k]) planes[k][m] += static_cast<float>(acc[1 + k]);
            }
        }
    }
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    std::vector<float*> none(static_cast<std::size_t>(count(spec)), nullptr);
    gradient(view, none.data(), spec, p, ctx);
}

}  // namespace

const ComponentKernel kSplineKernel{"spline", true, 2, 3, count, check, render, gradient};

}  // namespace galforge
