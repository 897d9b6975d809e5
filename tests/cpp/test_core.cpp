// A few C++ unit tests of the core, run through ctest (and once under ASan/UBSan in CI).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "galforge/convolve.hpp"
#include "galforge/drawings.hpp"
#include "galforge/gamma.hpp"
#include "galforge/lm.hpp"
#include "galforge/model.hpp"
#include "galforge/polygon.hpp"
#include "scratch.hpp"  // (cpp/src)
#include "polygon_isa.hpp"  // (cpp/src: the per-instruction-set builds)
#include "galforge/preprocess.hpp"
#include "galforge/sersic.hpp"

using namespace galforge;

static int failures = 0;
#define CHECK(cond)                                                        \
    do {                                                                   \
        if (!(cond)) {                                                     \
            std::fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            ++failures;                                                    \
        }                                                                  \
    } while (0)

static void test_bn() {
    // P(2n, b_n) = 1/2 by definition; b_1 = 1.678346990... (independent: known constant).
    for (double n : {0.3, 0.5, 1.0, 2.0, 4.0, 8.0}) CHECK(std::fabs(gamma_p(2 * n, sersic_bn_exact(n)) - 0.5) < 1e-13);
    CHECK(std::fabs(sersic_bn_exact(1.0) - 1.6783469900166612) < 1e-12);
    // P(1, x) = 1 - e^-x analytically.
    CHECK(std::fabs(gamma_p(1.0, 3.0) - (1.0 - std::exp(-3.0))) < 1e-15);
}

static void test_flux() {
    // A small round exponential well inside a large frame holds its analytic flux.
    const int N = 201;
    std::vector<double> img(N * N, 0.0);
    ImageView view{img.data(), N, N, 0.0, 0.0};
    SersicParams p{100.0, 100.0, 1.0, 8.0, 1.0, 1.0, 0.0, 2.0, BnMethod::exact};
    render_sersic(view, Window::whole(view), p, RenderOptions{});
    double sum = 0.0;
    for (double v : img) sum += v;
    const double total = sersic_total_flux(p);
    // Light beyond the frame: 1 - P(2, b (100/8)) is ~1e-8.
    CHECK(std::fabs(sum / total - 1.0) < 1e-6);
}

static void test_bad_input() {
    std::vector<double> img(16, 0.0);
    ImageView view{img.data(), 4, 4, 0.0, 0.0};
    bool thrown = false;
    try {
        render_sersic(view, Window::whole(view), SersicParams{0, 0, 1, -1.0, 1, 1, 0, 2, BnMethod::exact}, RenderOptions{});
    } catch (const std::invalid_argument&) { thrown = true; }
    CHECK(thrown);
    thrown = false;
    try {
        render_sersic(view, Window{0, 5, 0, 4}, SersicParams{}, RenderOptions{});
    } catch (const std::invalid_argument&) { thrown = true; }
    CHECK(thrown);
}

static void test_convolve_delta() {
    // A delta function convolved with a PSF reproduces the PSF (normalised), centred at (k-1)/2.
    const std::size_t N = 9, K = 3;
    std::vector<double> psf = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    std::vector<double> img(N * N, 0.0), out(N * N, 0.0);
    img[4 * N + 4] = 1.0;
    Convolver conv(psf.data(), K, K, N, N, true);
    conv.convolve(img.data(), out.data());
    for (std::size_t i = 0; i < K; ++i)
        for (std::size_t j = 0; j < K; ++j) CHECK(std::fabs(out[(3 + i) * N + (3 + j)] - psf[i * K + j] / 45.0) < 1e-14);
}

// Without exact edges, pixels at least k / 2 from every edge equal those of the exact convolution
// (odd and even PSF sizes, image sides that are and are not fast FFT lengths).
static void test_convolve_periodic() {
    for (std::size_t k : {5, 6}) {
        for (std::size_t n : {17, 20}) {
            std::vector<double> psf(k * k), img(n * n), exact(n * n), periodic(n * n);
            for (std::size_t m = 0; m < psf.size(); ++m) psf[m] = 1.0 + std::sin(0.7 * static_cast<double>(m));
            for (std::size_t m = 0; m < img.size(); ++m) img[m] = std::cos(0.3 * static_cast<double>(m * m % 97));
            Convolver(psf.data(), k, k, n, n, false).convolve(img.data(), exact.data());
            Convolver(psf.data(), k, k, n, n, false, false).convolve(img.data(), periodic.data());
            double worst = 0.0;
            for (std::size_t i = k / 2; i < n - k / 2; ++i)
                for (std::size_t j = k / 2; j < n - k / 2; ++j)
                    worst = std::fmax(worst, std::fabs(exact[i * n + j] - periodic[i * n + j]));
            CHECK(worst < 1e-12);
            // Single precision: within ~1e-7 of the largest value.
            const std::vector<float> img_single(img.begin(), img.end());
            std::vector<float> single(n * n);
            Convolver(psf.data(), k, k, n, n, false, false)
                .convolve_window(img_single.data(), single.data(), Window{0, static_cast<std::ptrdiff_t>(n), 0, static_cast<std::ptrdiff_t>(n)});
            double largest = 0.0, error = 0.0;
            for (std::size_t m = 0; m < single.size(); ++m) {
                largest = std::fmax(largest, std::fabs(periodic[m]));
                error = std::fmax(error, std::fabs(single[m] - periodic[m]));
            }
            CHECK(error < 1e-6 * largest && error > 0.0);
            // A crop (double and single) equals the same pixels of the whole result (to rounding: rows go
            // through the transforms in other SIMD groupings).
            const std::ptrdiff_t side = static_cast<std::ptrdiff_t>(n);
            const Window crop{2, side - 3, 1, side - 1};
            const std::size_t crop_size = static_cast<std::size_t>(crop.height() * crop.width());
            std::vector<double> cropped(crop_size);
            std::vector<float> cropped_single(crop_size);
            const Convolver periodic_convolver(psf.data(), k, k, n, n, false, false);
            periodic_convolver.convolve_window(img.data(), cropped.data(), crop);
            periodic_convolver.convolve_window(img_single.data(), cropped_single.data(), crop);
            double diff = 0.0, diff_single = 0.0;
            for (std::ptrdiff_t i = 0; i < crop.height(); ++i)
                for (std::ptrdiff_t j = 0; j < crop.width(); ++j) {
                    const std::ptrdiff_t m = i * crop.width() + j, whole = (i + crop.y_begin) * side + j + crop.x_begin;
                    diff = std::fmax(diff, std::fabs(cropped[m] - periodic[whole]));
                    diff_single = std::fmax(diff_single, std::fabs(double(cropped_single[m]) - single[whole]));
                }
            CHECK(diff <= 1e-14 * largest);
            CHECK(diff_single <= 1e-6 * largest);
            bool refused = false;
            try {
                Convolver(psf.data(), k, k, n, n, false).convolve_window(img.data(), cropped.data(),
                                                                          Window{0, side + 1, 0, side});
            } catch (const std::invalid_argument&) {
                refused = true;
            }
            CHECK(refused);
            // correlate_rows is the adjoint of convolve_rows: <conv(a), b> = <a, corr(b)> for b zero outside
            // the window convolve_rows writes (single precision; rows of the period, odd and even kernels).
            const std::size_t period = periodic_convolver.padded_nx();
            const Window window{1, side - 2, 2, side - 1};
            std::vector<float> a(n * period), b(n * period), conv_a(n * period), corr_b(n * period);
            for (std::size_t m = 0; m < a.size(); ++m) {
                const auto y = static_cast<std::ptrdiff_t>(m / period), x = static_cast<std::ptrdiff_t>(m % period);
                const bool inside = y >= window.y_begin && y < window.y_end && x >= window.x_begin && x < window.x_end;
                a[m] = static_cast<float>(std::sin(0.37 * static_cast<double>(m)));
                b[m] = inside ? static_cast<float>(std::cos(0.11 * static_cast<double>(m * m % 89))) : 0.0f;
            }
            periodic_convolver.convolve_rows(a.data(), conv_a.data() + window.y_begin * period, window, 1, period);
            periodic_convolver.correlate_rows(b.data(), corr_b.data());
            double lhs = 0.0, rhs = 0.0, magnitude = 0.0;
            for (std::size_t m = 0; m < a.size(); ++m) {
                lhs += double(conv_a[m]) * b[m];
                rhs += double(a[m]) * corr_b[m];
                magnitude += std::fabs(double(a[m]) * corr_b[m]);
            }
            CHECK(std::fabs(lhs - rhs) < 1e-6 * magnitude);
        }
    }
}

static void test_polygon_intersection() {
    // Unit squares offset by 0.5 in x: intersection 0.5, IoU 0.5 / 1.5 (either orientation of b).
    const double a[] = {0, 0, 1, 0, 1, 1, 0, 1};
    const double b[] = {0.5, 0, 1.5, 0, 1.5, 1, 0.5, 1};
    const double b_cw[] = {0.5, 0, 0.5, 1, 1.5, 1, 1.5, 0};
    CHECK(std::fabs(polygon_signed_area(a, 4) - 1.0) < 1e-15);
    CHECK(std::fabs(polygon_signed_area(b_cw, 4) + 1.0) < 1e-15);
    CHECK(std::fabs(intersection_area(a, 4, b, 4) - 0.5) < 1e-15);
    CHECK(std::fabs(intersection_area(a, 4, b_cw, 4) - 0.5) < 1e-15);
    CHECK(std::fabs(intersection_area(a, 4, a, 4) - 1.0) < 1e-15);
    CHECK(std::fabs(polygon_iou(a, 4, b, 4) - 1.0 / 3.0) < 1e-15);
    // Matrix: a, b, and a far-away copy of a; groups {0, 1, 0}.
    const double xy[] = {0, 0, 1, 0, 1, 1, 0, 1, 0.5, 0, 1.5, 0, 1.5, 1, 0.5, 1, 5, 5, 6, 5, 6, 6, 5, 6};
    const std::int64_t offsets[] = {0, 4, 8, 12};
    const std::int64_t groups[] = {0, 1, 0};
    double d[9];
    iou_distance_matrix(xy, offsets, 3, groups, d, 2);
    CHECK(d[0] == 0.0 && d[4] == 0.0 && d[8] == 0.0);
    CHECK(std::fabs(d[1] - 2.0 / 3.0) < 1e-15 && d[1] == d[3]);
    CHECK(std::isinf(d[2]) && std::isinf(d[6]));
    CHECK(d[5] == 1.0 && d[7] == 1.0);
    bool thrown = false;
    try {
        intersection_area(a, 2, b, 4);
    } catch (const std::invalid_argument&) { thrown = true; }
    CHECK(thrown);
}

// Exponential decay y = a exp(-b t) + c sampled without noise: LM must recover (a, b, c) exactly
// (the independent reference is the generating truth); with b bounded below the truth it must stop
// on the bound.
class Decay : public LeastSquaresProblem {
public:
    std::vector<double> t, y;
    explicit Decay(double noise = 0.0) {
        for (int i = 0; i < 40; ++i) {
            t.push_back(0.25 * i);
            y.push_back(2.5 * std::exp(-1.3 * t.back()) + 0.4 + noise * std::sin(7.0 * i));
        }
    }
    std::size_t size() const override { return 3; }
    double chi2(const std::vector<double>& x) const {
        double s = 0.0;
        for (std::size_t i = 0; i < t.size(); ++i) {
            const double r = y[i] - (x[0] * std::exp(-x[1] * t[i]) + x[2]);
            s += r * r;
        }
        return s;
    }
    double normal_equations(const std::vector<double>& x, std::vector<double>& H, std::vector<double>& g) override {
        H.assign(9, 0.0);
        g.assign(3, 0.0);
        for (std::size_t i = 0; i < t.size(); ++i) {
            const double e = std::exp(-x[1] * t[i]);
            const double J[3] = {e, -x[0] * t[i] * e, 1.0};
            const double r = y[i] - (x[0] * e + x[2]);
            for (int a = 0; a < 3; ++a) {
                g[a] += J[a] * r;
                for (int b = 0; b < 3; ++b) H[a * 3 + b] += J[a] * J[b];
            }
        }
        return chi2(x);
    }
};

static void test_levenberg_marquardt() {
    Decay problem;
    const double inf = INFINITY;
    LMResult r = levenberg_marquardt(problem, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, LMOptions{});
    CHECK(r.success());
    CHECK(std::fabs(r.x[0] - 2.5) < 1e-8 && std::fabs(r.x[1] - 1.3) < 1e-8 && std::fabs(r.x[2] - 0.4) < 1e-8);
    LMResult bounded = levenberg_marquardt(problem, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, 1.0, inf}, LMOptions{});
    CHECK(bounded.x[1] == 1.0);
    CHECK(bounded.chi2 > 0.0);
    LMOptions one;
    one.max_iter = 1;
    CHECK(levenberg_marquardt(problem, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, one).status ==
          LMStatus::max_iter);
    // On noisy data, a problem that computes chi2 alone has its last step checked by chi2_at (no normal
    // equations there) and ends where the fit through normal_equations alone ends, its Hessian that of
    // the point before that step.
    struct ChiOnly : Decay {
        int calls = 0;
        ChiOnly() : Decay(0.01) {}
        double chi2_at(const std::vector<double>& x) override { return ++calls, chi2(x); }
    } cheap;
    Decay full(0.01);
    const LMResult rc = levenberg_marquardt(cheap, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, LMOptions{});
    const LMResult rf = levenberg_marquardt(full, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, LMOptions{});
    CHECK(rc.status == LMStatus::ftol && rf.status == LMStatus::ftol && cheap.calls == 1);
    for (int k = 0; k < 3; ++k) CHECK(rc.x[k] == rf.x[k] && rc.jacobian_x[k] != rc.x[k]);
    std::vector<double> H, g;
    cheap.normal_equations(rc.jacobian_x, H, g);
    CHECK(H == rc.hessian && g == rc.gradient);
    // A problem with a cheaper gradient alone: the trial points of steps predicted below finish_tol get
    // chi2 and gradient only (here a chain of two), the steps after them use the last J^T W J, and the fit
    // ends where the fit with normal equations everywhere ends (to far below its tolerances), with the
    // Hessian of the point before that chain.
    struct GradientAlone : Decay {
        int full = 0, alone = 0;
        GradientAlone() : Decay(0.01) {}
        double normal_equations(const std::vector<double>& x, std::vector<double>& H, std::vector<double>& g) override {
            ++full;
            return Decay::normal_equations(x, H, g);
        }
        bool has_gradient_at() const override { return true; }
        double gradient_at(const std::vector<double>& x, std::vector<double>& g) override {
            ++alone;
            std::vector<double> H;
            return Decay::normal_equations(x, H, g);
        }
    } finishing;
    LMOptions everywhere;
    everywhere.finish_tol = 0.0;
    GradientAlone reference;
    const LMResult ra = levenberg_marquardt(finishing, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, LMOptions{});
    const LMResult re = levenberg_marquardt(reference, {1.0, 0.5, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, everywhere);
    CHECK(ra.status == LMStatus::ftol && re.status == LMStatus::ftol && ra.n_iter == re.n_iter);
    CHECK(finishing.alone == 2 && finishing.full == reference.full - 2 && reference.alone == 0);
    for (int k = 0; k < 3; ++k) CHECK(std::fabs(ra.x[k] - re.x[k]) <= 1e-9 * std::fabs(re.x[k]));
    CHECK(ra.chi2 <= re.chi2 * (1.0 + 1e-14));
    std::vector<double> Ha, ga;
    reference.normal_equations(ra.jacobian_x, Ha, ga);
    CHECK(Ha == ra.hessian && ga == ra.gradient && ra.jacobian_x != re.jacobian_x);
    // finish_tol = 1: points are evaluated by their gradient alone wherever the steps converge fast
    // (the first one too, as no decrease is known before it), J^T W J renewed after a rejected step
    // (from this far start the steps after that first point are rejected); same optimum.
    LMOptions always;
    always.finish_tol = 1.0;
    GradientAlone chained;
    const LMResult rl = levenberg_marquardt(chained, {5.0, 0.05, 0.0}, {-inf, -inf, -inf}, {inf, inf, inf}, always);
    const auto rejected =
        std::count_if(rl.log.begin(), rl.log.end(), [](const LMIteration& l) { return !l.accepted; });
    CHECK(rl.status == LMStatus::ftol && chained.alone >= 3 && rejected >= 1);
    for (int k = 0; k < 3; ++k) CHECK(std::fabs(rl.x[k] - re.x[k]) <= 1e-6 * std::fabs(re.x[k]));
    // Cholesky of a matrix that is not positive definite reports failure instead of producing NaN.
    std::vector<double> A{1.0, 2.0, 2.0, 1.0}, b{1.0, 1.0};
    CHECK(!cholesky_solve(A, b, 2));
}

// The pool hands back the storage given to it (largest first, emptied), and keeps no more than its cap.
static void test_buffer_pool() {
    using Pool = galforge::detail::BufferPool<float>;
    std::vector<float> small(100, 1.0f), large(5000, 2.0f);
    const float* large_data = large.data();
    Pool::give(std::move(small));
    Pool::give(std::move(large));
    std::vector<float> first = Pool::take(), second = Pool::take(), none = Pool::take();
    CHECK(first.data() == large_data && first.empty() && first.capacity() >= 5000);
    CHECK(second.capacity() >= 100 && none.capacity() == 0);
    Pool::give(std::vector<float>((std::size_t(64) << 20) / sizeof(float) + 1));  // over the cap: freed
    CHECK(Pool::take().capacity() == 0);
}

// A windowed Sersic in an image model equals render_sersic over the same window, and outside it is 0.
static void test_image_model_window() {
    ComponentSpec spec;
    spec.window = Window{4, 20, 6, 25};
    ImageModel model(30, 32, {spec}, nullptr, 0, 0, RenderOptions{});
    const double params[8] = {15.2, 11.7, 1.0, 4.0, 1.5, 0.7, 0.4, 2.0};
    std::vector<double> out(30 * 32, 0.0), ref(30 * 32, 0.0);
    model.render(params, out.data());
    ImageView view{ref.data(), 30, 32};
    render_sersic(view, spec.window, SersicParams{15.2, 11.7, 1.0, 4.0, 1.5, 0.7, 0.4, 2.0, BnMethod::exact},
                  RenderOptions{});
    double worst = 0.0;
    for (std::size_t k = 0; k < out.size(); ++k) worst = std::fmax(worst, std::fabs(out[k] - ref[k]));
    CHECK(worst == 0.0);
    bool thrown = false;
    try {
        spec.window = Window{0, 31, 0, 5};
        ImageModel bad(30, 32, {spec}, nullptr, 0, 0, RenderOptions{});
    } catch (const std::invalid_argument&) { thrown = true; }
    CHECK(thrown);
}

// Rotates the interleaved vertices by `angle` about the origin and reverses their order when `flip`.
static std::vector<double> rotated(std::vector<double> xy, double angle, bool flip) {
    const double c = std::cos(angle), s = std::sin(angle);
    const std::size_t n = xy.size() / 2;
    std::vector<double> out(xy.size());
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t src = flip ? n - 1 - k : k;
        out[2 * k] = c * xy[2 * src] - s * xy[2 * src + 1];
        out[2 * k + 1] = s * xy[2 * src] + c * xy[2 * src + 1];
    }
    return out;
}

static double inter(const std::vector<double>& a, const std::vector<double>& b) {
    return intersection_area(a.data(), a.size() / 2, b.data(), b.size() / 2);
}

static void test_polygon_crossings() {
    // Square [-1, 1]^2 and the same turned by 45 degrees: a regular octagon of apothem 1,
    // area 8 (sqrt 2 - 1); eight proper crossings, in any orientation and overall rotation.
    const std::vector<double> sq = {-1, -1, 1, -1, 1, 1, -1, 1};
    const double octagon = 8.0 * (std::sqrt(2.0) - 1.0);
    for (double turn : {0.0, 0.3, 2.0})
        for (bool flip : {false, true}) {
            const auto a = rotated(sq, turn, false), b = rotated(sq, turn + M_PI / 4, flip);
            CHECK(std::fabs(inter(a, b) - octagon) < 1e-14);
            CHECK(std::fabs(inter(b, a) - octagon) < 1e-14);
        }
    // A comb of three teeth [0,1], [2,3], [4,5] x [0, 2] on a base [-0.5, 5.5] x [-1, 0], and a
    // bar [-1, 6] x [0.5, 1.5]: each long edge of the bar crosses six teeth edges; area 3.
    const std::vector<double> comb = {-0.5, -1, 5.5, -1, 5.5, 0, 5, 0, 5, 2, 4, 2, 4, 0, 3, 0,
                                      3, 2, 2, 2, 2, 0, 1, 0, 1, 2, 0, 2, 0, 0, -0.5, 0};
    const std::vector<double> bar = {-1, 0.5, 6, 0.5, 6, 1.5, -1, 1.5};
    for (double turn : {0.0, 0.7})
        for (bool flip : {false, true}) {
            const auto a = rotated(comb, turn, flip), b = rotated(bar, turn, !flip);
            CHECK(std::fabs(inter(a, b) - 3.0) < 1e-13);
            CHECK(std::fabs(inter(b, a) - 3.0) < 1e-13);
        }
    // One inside the other (no contact) and far apart within overlapping boxes.
    const std::vector<double> big = {0, 0, 4, 0, 4, 4, 0, 4}, small = {1, 1, 2, 1, 2, 2, 1, 2};
    const std::vector<double> l_shape = {0, 0, 4, 0, 4, 1, 1, 1, 1, 4, 0, 4}, corner = {3, 3, 4, 3, 4, 4, 3, 4};
    CHECK(inter(big, small) == 1.0 && inter(small, big) == 1.0);
    CHECK(inter(l_shape, corner) == 0.0 && inter(corner, l_shape) == 0.0);
}

// The builds of polygon.cpp per instruction set (polygon_dispatch.cpp) must agree to the bit.
GALFORGE_DECLARE_POLYGON_ISA(baseline)
#if defined(GALFORGE_POLYGON_MULTIVERSION)
GALFORGE_DECLARE_POLYGON_ISA(x86_64_v3)
GALFORGE_DECLARE_POLYGON_ISA(x86_64_v4)
#endif

static void test_polygon_instruction_sets() {
    // Star-shaped rings of 3 to 200 vertices around a few centres (long ones span several chunk
    // groups), some snapped to a 0.5 grid (shared and collinear edges, touching vertices), some
    // with a repeated vertex (an edge of zero length).
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<double> xy;
    std::vector<std::int64_t> offsets = {0};
    const int npoly = 48;
    for (int k = 0; k < npoly; ++k) {
        const int n = k % 8 == 0 ? 150 + 7 * (k % 3) : 3 + static_cast<int>(60 * unit(rng));
        const double cx = 10.0 * (k % 3) + 4.0 * unit(rng), cy = 10.0 * (k % 2) + 4.0 * unit(rng);
        const bool grid = k % 4 == 1;
        std::vector<double> angles(n);
        for (double& a : angles) a = 2.0 * M_PI * unit(rng);
        std::sort(angles.begin(), angles.end());
        for (int v = 0; v < n; ++v) {
            const double r = 8.0 * (0.6 + 0.8 * unit(rng));
            double x = cx + r * std::cos(angles[v]), y = cy + r * std::sin(angles[v]);
            if (grid) {
                x = std::round(2.0 * x) / 2.0;
                y = std::round(2.0 * y) / 2.0;
            }
            xy.push_back(x);
            xy.push_back(y);
            if (k % 5 == 2 && v == n / 2) {  // repeated vertex
                xy.push_back(x);
                xy.push_back(y);
            }
        }
        offsets.push_back(static_cast<std::int64_t>(xy.size() / 2));
    }
    // Keep the rings the grid left with an area (the matrix rejects zero-area rings).
    std::vector<double> kept_xy;
    std::vector<std::int64_t> kept = {0};
    for (int k = 0; k < npoly; ++k) {
        const double* p = xy.data() + 2 * offsets[k];
        const std::size_t n = static_cast<std::size_t>(offsets[k + 1] - offsets[k]);
        if (std::fabs(polygon_signed_area(p, n)) < 1.0) continue;
        kept_xy.insert(kept_xy.end(), p, p + 2 * n);
        kept.push_back(static_cast<std::int64_t>(kept_xy.size() / 2));
    }
    const std::size_t m = kept.size() - 1;
    CHECK(m > 30);
    std::vector<double> base(m * m), other(m * m);
    polygon_isa::baseline::iou_distance_matrix(kept_xy.data(), kept.data(), m, nullptr, base.data(), 1);
    iou_distance_matrix(kept_xy.data(), kept.data(), m, nullptr, other.data(), 2);  // this CPU's build
    CHECK(std::memcmp(base.data(), other.data(), sizeof(double) * m * m) == 0);
    int overlapping = 0;
    for (double d : base) overlapping += d < 1.0 ? 1 : 0;
    CHECK(overlapping > static_cast<int>(m * m / 4));
#if defined(GALFORGE_POLYGON_MULTIVERSION)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("bmi2")) {
        polygon_isa::x86_64_v3::iou_distance_matrix(kept_xy.data(), kept.data(), m, nullptr, other.data(), 1);
        CHECK(std::memcmp(base.data(), other.data(), sizeof(double) * m * m) == 0);
    }
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw")) {
        polygon_isa::x86_64_v4::iou_distance_matrix(kept_xy.data(), kept.data(), m, nullptr, other.data(), 1);
        CHECK(std::memcmp(base.data(), other.data(), sizeof(double) * m * m) == 0);
    }
#endif
}

static void test_preprocess() {
    // A Gaussian ellipse (q = 0.4) at a known pa: the moments give pa and q back, and the network input
    // has its major axis along x (second moments: mxx > myy, mxy ~ 0). Bad images get messages, not throws.
    const std::size_t S = 48, n_out = 32;
    const double c = (S - 1) / 2.0, q = 0.4, sig = 5.0;
    std::vector<double> img(3 * S * S);
    for (int k = 0; k < 3; ++k)
        for (std::size_t i = 0; i < S; ++i)
            for (std::size_t j = 0; j < S; ++j) {
                const double pa = 0.3 + k, dx = j - c, dy = i - c;
                const double u = -dx * std::sin(pa) + dy * std::cos(pa), v = (-dx * std::cos(pa) - dy * std::sin(pa)) / q;
                img[(k * S + i) * S + j] = k == 2 ? 7.0 : std::exp(-0.5 * (u * u + v * v) / (sig * sig));
            }
    img[S * S + 5 * S + 9] = std::nan("");  // image 1: a NaN at pixel (5, 9)... after the first image
    const std::vector<double> pa_given = {std::nan(""), std::nan(""), std::nan("")}, size_given = pa_given;
    std::vector<float> out(3 * n_out * n_out);
    std::vector<GalaxyShape> shapes(3);
    PreprocessSettings st;
    st.input_size = static_cast<int>(n_out);
    const auto errors = preprocess_batch<double>(img.data(), 3, S, S, 1, pa_given.data(), size_given.data(), st,
                                                 out.data(), shapes.data(), 2);
    CHECK(errors[0].empty());
    CHECK(errors[1] == "has a non-finite value at pixel (5, 9)");
    CHECK(errors[2].find("is constant") == 0);
    CHECK(std::fabs(std::remainder(shapes[0].pa - 0.3, 3.14159265358979323846)) < 1e-6);
    CHECK(std::fabs(shapes[0].q - q) < 0.01);
    double sum = 0, mxx = 0, myy = 0, mxy = 0;
    const double h = (n_out - 1) / 2.0;
    for (std::size_t i = 0; i < n_out; ++i)
        for (std::size_t j = 0; j < n_out; ++j) {
            const double w = out[i * n_out + j];
            sum += w, mxx += w * (j - h) * (j - h), myy += w * (i - h) * (i - h), mxy += w * (j - h) * (i - h);
        }
    CHECK(mxx > 2 * myy && std::fabs(mxy) < 1e-3 * mxx);
    bool thrown = false;
    st.channels = 2;
    try {
        preprocess_batch<double>(img.data(), 1, S, S, 1, pa_given.data(), size_given.data(), st, out.data(), shapes.data(), 1);
    } catch (const std::invalid_argument&) { thrown = true; }
    CHECK(thrown);
}

// Number lists as str() writes them (against strtod on the same digits), and drawing checks.
static void test_drawings() {
    std::vector<double> v;
    std::vector<std::int64_t> o;
    const char* text = "[[155.11, -2, 3e-05, -0, -0.0], [], [123456789012345678901234567890, 0.1]]";
    CHECK(parse_number_lists(text, std::strlen(text), v, o));
    CHECK(o.size() == 4 && o[1] == 5 && o[2] == 5 && o[3] == 7 && v.size() == 7);
    const char* digits[] = {"155.11", "-2", "3e-05", "0", "-0.0", "123456789012345678901234567890", "0.1"};
    for (std::size_t k = 0; k < 7 && k < v.size(); ++k) {
        const double expected = std::strtod(digits[k], nullptr);
        CHECK(std::memcmp(&v[k], &expected, sizeof expected) == 0);  // bits, so -0 is +0 and -0.0 is -0.0
    }
    std::mt19937_64 rng(7);
    std::string many = "[[";
    std::vector<double> truth;
    for (int k = 0; k < 2000; ++k) {  // short decimals (Clinger's exact case) and long ones (from_chars)
        char buffer[64];
        const double x = std::ldexp(static_cast<double>(rng() >> 11), -static_cast<int>(rng() % 60)) - 1e5;
        std::snprintf(buffer, sizeof buffer, k % 2 ? "%.17g" : "%.2f", x);
        if (std::strchr(buffer, 'e') != nullptr || std::strchr(buffer, '.') == nullptr) continue;  // JSON-only grammar
        truth.push_back(std::strtod(buffer, nullptr));
        many += (truth.size() > 1 ? ", " : "") + std::string(buffer);
    }
    many += "]]";
    CHECK(parse_number_lists(many.data(), many.size(), v, o) && v == truth);
    for (const char* bad : {"[[1,2]]", "[[01]]", "[[1.]]", "[[1e400]]", "[[nan]]", "[[1]] ", "[[1]", "", "[[+1]]"})
        CHECK(!parse_number_lists(bad, std::strlen(bad), v, o));
    const double sx[] = {0, 10, 10, 0, 0}, sy[] = {0, 0, 10, 10, 0};
    CHECK(drawing_status(sx, sy, 5, 1e100) == kUsable);
    CHECK(drawing_status(sx, sy, 3, 1e100) == kUsable);                 // a triangle
    CHECK(drawing_status(sx, sy, 2, 1e100) == kTooFewPoints);
    const double cx[] = {0, 0, 0, 0}, cy[] = {0, 1, 2, 0};              // a closed collinear triangle: no area
    CHECK(drawing_status(cx, cy, 4, 1e100) == kAreaUncertain);
    const double nx[] = {0, NAN, 1}, big[] = {0, 1e101, 1};
    CHECK(drawing_status(nx, sy, 3, 1e100) == kNonFinite);
    CHECK(drawing_status(big, sy, 3, 1e100) == kBeyondLimit);
    const double mixed[] = {1e101, NAN, 1}, inf[] = {0, 1, -INFINITY};  // non-finite first, wherever it is
    CHECK(drawing_status(mixed, sy, 3, 1e100) == kNonFinite && drawing_status(sx, inf, 3, 1e300) == kNonFinite);
    const double tx[] = {0, 1e-120, 0}, ty[] = {0, 0, 1e-120};
    CHECK(drawing_status(tx, ty, 3, 1e100) == kAreaUncertain);         // area 5e-241: left to GEOS
}

int main() {
    test_drawings();
    test_bn();
    test_levenberg_marquardt();
    test_buffer_pool();
    test_image_model_window();
    test_flux();
    test_bad_input();
    test_convolve_delta();
    test_convolve_periodic();
    test_polygon_intersection();
    test_polygon_crossings();
    test_polygon_instruction_sets();
    test_preprocess();
    if (failures) std::fprintf(stderr, "%d check(s) failed\n", failures);
    else std::printf("all C++ core tests passed\n");
    return failures ? EXIT_FAILURE : EXIT_SUCCESS;
}
