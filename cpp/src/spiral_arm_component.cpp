// The spiral-arm component kind (Galaxy Builder, reference/rendering.md §1.4 and §5.1):
//
//   I(x, y) = amp exp(-d^2 / (2 spread^2)) h(x, y),   h = exp(-b_n ((R falloff / r_h)^(1/n_h) - 1))
//
// d the distance from (x, y) to the arm's polyline (constant points), h the host disk's profile
// (constant geometry x_h, y_h, r_h, n_h, q_h, pa_h; elliptical radius R as in sersic.hpp) normalised to 1
// at R = r_h / falloff. With falloff = 1, amp = I_arm ie_disk reproduces Galaxy Builder's final renderer
// (arm Gaussian times the disk image); falloff is the standalone `spiral_arm` form (disk with r_e / falloff).
//
// Parameters: amp, spread (px), falloff. Constants: [k, x_h, y_h, r_h, n_h, q_h, pa_h, x_0, y_0, x_1, y_1, ...]
// with k the k x k Gauss-Legendre rule per pixel (k = 1 samples the pixel centre, as the original).
// Each segment touches only the pixels of its bounding box grown by 7 spread (exp(-d^2/2s^2) < 3e-11
// beyond), rows shared over threads in bands; a sample's d^2 is the minimum over the nearby segments.
#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/component.hpp"
#include "kernels.hpp"

namespace galforge {

namespace {

constexpr int kHeader = 7;  // constants before the polyline points
constexpr int kMaxRule = 8;
constexpr double kCutoff = 7.0;  // spreads

// Gauss-Legendre nodes on [-1/2, 1/2] and weights summing to 1 (Newton on P_k).
struct Rule {
    std::vector<double> node, weight;
};

const Rule& rule(int k) {
    static const std::vector<Rule> rules = [] {
        std::vector<Rule> out(kMaxRule + 1);
        for (int m = 1; m <= kMaxRule; ++m) {
            Rule& r = out[m];
            for (int i = 0; i < m; ++i) {
                double x = std::cos(M_PI * (i + 0.75) / (m + 0.5)), dp = 1.0;
                for (int it = 0; it < 100; ++it) {
                    double p0 = 1.0, p1 = x;
                    for (int j = 2; j <= m; ++j) {
                        const double p2 = ((2.0 * j - 1.0) * x * p1 - (j - 1.0) * p0) / j;
                        p0 = p1;
                        p1 = p2;
                    }
                    dp = m * (x * p1 - p0) / (x * x - 1.0);
                    const double dx = p1 / dp;
                    x -= dx;
                    if (std::fabs(dx) < 1e-16) break;
                }
                r.node.push_back(0.5 * x);
                r.weight.push_back(1.0 / ((1.0 - x * x) * dp * dp));  // 2 / ((1-x^2) P'^2), halved
            }
        }
        out[1] = Rule{{0.0}, {1.0}};
        return out;
    }();
    return rules.at(static_cast<std::size_t>(k));
}

struct Arm {
    int k;
    double hx, hy, hr, hn, hq, ca, sa, b;
    const double* pts;
    std::size_t n_pts;
};

Arm arm_from(const ComponentSpec& spec) {
    const auto& c = spec.constants;
    SersicParams host{c[1], c[2], 1.0, c[3], c[4], c[5], c[6], 2.0, spec.bn};
    return {static_cast<int>(c[0]), c[1], c[2], c[3], c[4], c[5], std::cos(c[6]), std::sin(c[6]), sersic_bn(host),
            c.data() + kHeader, (c.size() - kHeader) / 2};
}

int count(const ComponentSpec&) { return 3; }

void check(const ComponentSpec& spec, const double* p) {
    const auto& c = spec.constants;
    if (c.size() < kHeader + 4 || (c.size() - kHeader) % 2 != 0)
        throw std::invalid_argument("spiral arm needs constants [k, x_h, y_h, r_h, n_h, q_h, pa_h] and >= 2 points");
    for (double v : c)
        if (!std::isfinite(v)) throw std::invalid_argument("spiral arm constants must be finite");
    if (c[0] != std::floor(c[0]) || c[0] < 1 || c[0] > kMaxRule)
        throw std::invalid_argument("spiral arm samples per axis must be an integer in [1, 8], got " +
                                    std::to_string(c[0]));
    if (!(c[3] > 0.0)) throw std::invalid_argument("spiral arm host r_e must be > 0");
    if (!(c[4] >= kSersicMinN && c[4] <= kSersicMaxN)) throw std::invalid_argument("spiral arm host n out of range");
    if (!(c[5] > 0.0 && c[5] <= 1.0)) throw std::invalid_argument("spiral arm host q must be in (0, 1]");
    if (!std::isfinite(p[0])) throw std::invalid_argument("spiral arm amp must be finite");
    if (!(p[1] > 0.0) || !std::isfinite(p[1])) throw std::invalid_argument("spiral arm spread must be > 0");
    if (!(p[2] > 0.0) || !std::isfinite(p[2])) throw std::invalid_argument("spiral arm falloff must be > 0");
}

// Squared distance from (px, py) to segment s of the polyline.
inline double segment_d2(const Arm& a, std::size_t s, double px, double py) {
    const double ax = a.pts[2 * s], ay = a.pts[2 * s + 1];
    const double ex = a.pts[2 * s + 2] - ax, ey = a.pts[2 * s + 3] - ay, len2 = ex * ex + ey * ey;
    px -= ax;
    py -= ay;
    const double t = len2 > 0.0 ? std::clamp((px * ex + py * ey) / len2, 0.0, 1.0) : 0.0;
    const double qx = px - t * ex, qy = py - t * ey;
    return qx * qx + qy * qy;
}

// Minimum squared distance to the polyline of every sample of rows [i0, i1) (k x k samples per pixel,
// row-major per pixel), +inf where no segment is within the cutoff. Two passes over the segments, each
// on its bounding box grown by the cutoff: the pixel centres' distance d_c first; then a segment is
// evaluated at a pixel's samples only if its distance to the centre is within d_c + sqrt(2) (a sample
// is within sqrt(2)/2 of the centre, so no other segment can be its nearest).
void distances(const ImageView& view, const Arm& a, double dmax, std::ptrdiff_t i0, std::ptrdiff_t i1,
               std::vector<double>& centre, std::vector<double>& d2) {
    const Rule& r = rule(a.k);
    const int kk = a.k * a.k;
    const std::ptrdiff_t nx = view.nx;
    constexpr double kInf = std::numeric_limits<double>::infinity();
    const double reach = dmax + 0.7072;  // a sample within dmax of a segment has its centre within this
    centre.assign(static_cast<std::size_t>((i1 - i0) * nx), kInf);
    d2.assign(static_cast<std::size_t>((i1 - i0) * nx * kk), kInf);
    const auto lo = [](double v) { return static_cast<std::ptrdiff_t>(std::floor(v)); };
    const auto hi = [](double v) { return static_cast<std::ptrdiff_t>(std::ceil(v)) + 1; };
    for (int pass = 0; pass < 2; ++pass) {
        for (std::size_t s = 0; s + 1 < a.n_pts; ++s) {
            const double ax = a.pts[2 * s], ay = a.pts[2 * s + 1], bx = a.pts[2 * s + 2], by = a.pts[2 * s + 3];
            const std::ptrdiff_t jb = std::max<std::ptrdiff_t>(0, lo(std::min(ax, bx) - reach - view.x_origin));
            const std::ptrdiff_t je = std::min<std::ptrdiff_t>(nx, hi(std::max(ax, bx) + reach - view.x_origin));
            const std::ptrdiff_t ib = std::max<std::ptrdiff_t>(i0, lo(std::min(ay, by) - reach - view.y_origin));
            const std::ptrdiff_t ie = std::min<std::ptrdiff_t>(i1, hi(std::max(ay, by) + reach - view.y_origin));
            for (std::ptrdiff_t i = ib; i < ie; ++i) {
                const double y = view.y_origin + static_cast<double>(i);
                for (std::ptrdiff_t j = jb; j < je; ++j) {
                    const double x = view.x_origin + static_cast<double>(j);
                    double& dc = centre[(i - i0) * nx + j];
                    const double ds = segment_d2(a, s, x, y);
                    if (pass == 0) {
                        dc = std::fmin(dc, ds);
                        continue;
                    }
                    const double root = std::sqrt(ds);
                    if (root > reach || root > std::sqrt(dc) + 1.4143) continue;
                    double* out = d2.data() + ((i - i0) * nx + j) * kk;
                    for (int u = 0; u < a.k; ++u)
                        for (int v = 0; v < a.k; ++v) {
                            double& best = out[u * a.k + v];
                            best = std::fmin(best, segment_d2(a, s, x + r.node[v], y + r.node[u]));
                        }
                }
            }
        }
    }
}

void gradient(const ImageView& view, float* const* planes, const ComponentSpec& spec, const double* p,
              const KernelContext& ctx) {
    const Arm a = arm_from(spec);
    const Rule& r = rule(a.k);
    const int kk = a.k * a.k;
    const double amp = p[0], spread = p[1], falloff = p[2];
    const double dmax = kCutoff * spread, d2max = dmax * dmax, inv2s2 = 0.5 / (spread * spread);
    const double inv_n = 1.0 / a.hn, scale = falloff / a.hr;
    constexpr std::ptrdiff_t kBand = 8;
    const std::ptrdiff_t bands = (view.ny + kBand - 1) / kBand;
    const int threads = ctx.options.threads;
#pragma omp parallel for num_threads(threads) schedule(dynamic, 1) if (threads > 1)
    for (std::ptrdiff_t band = 0; band < bands; ++band) {
        thread_local std::vector<double> centre, d2;
        const std::ptrdiff_t i0 = band * kBand, i1 = std::min(view.ny, i0 + kBand);
        distances(view, a, dmax, i0, i1, centre, d2);
        for (std::ptrdiff_t i = i0; i < i1; ++i) {
            for (std::ptrdiff_t j = 0; j < view.nx; ++j) {
                const double* ds = d2.data() + ((i - i0) * view.nx + j) * kk;
                double value = 0.0, d_spread = 0.0, d_falloff = 0.0;
                for (int u = 0; u < a.k; ++u) {
                    const double dy = view.y_origin + static_cast<double>(i) + r.node[u] - a.hy;
                    for (int v = 0; v < a.k; ++v) {
                        const double dd = ds[u * a.k + v];
                        if (!(dd < d2max)) continue;
                        const double dx = view.x_origin + static_cast<double>(j) + r.node[v] - a.hx;
                        const double mu = -dx * a.sa + dy * a.ca, nu = (dx * a.ca + dy * a.sa) / a.hq;
                        const double rho = std::sqrt(mu * mu + nu * nu) * scale;
                        const double s = a.hn == 1.0 ? rho : std::pow(rho, inv_n);
                        const double f = r.weight[u] * r.weight[v] * std::exp(-dd * inv2s2 - a.b * (s - 1.0));
                        value += f;
                        d_spread += f * dd;
                        d_falloff += f * s;
                    }
                }
                if (value == 0.0) continue;
                const std::ptrdiff_t m = i * view.nx + j;
                view.data[m] += amp * value;
                if (planes[0]) planes[0][m] += static_cast<float>(value);
                if (planes[1]) planes[1][m] += static_cast<float>(amp * d_spread / (spread * spread * spread));
                if (planes[2]) planes[2][m] -= static_cast<float>(amp * a.b * inv_n * d_falloff / falloff);
            }
        }
    }
}

void render(const ImageView& view, const ComponentSpec& spec, const double* p, const KernelContext& ctx) {
    float* none[3] = {nullptr, nullptr, nullptr};
    gradient(view, none, spec, p, ctx);
}

}  // namespace

const ComponentKernel kSpiralArmKernel{"spiral_arm", true, -1, -1, count, check, render, gradient, 0};

}  // namespace galforge
