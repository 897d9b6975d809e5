#include "galforge/gamma.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace galforge {

namespace {

constexpr double kEps = 1e-16;
constexpr int kMaxTerms = 10000;

// Power series: P(a, x) = x^a e^-x / Gamma(a + 1) * sum_k x^k / ((a + 1) ... (a + k)).
double gamma_p_series(double a, double x) {
    double term = 1.0 / a;
    double sum = term;
    for (int k = 1; k < kMaxTerms; ++k) {
        term *= x / (a + k);
        sum += term;
        if (std::fabs(term) < std::fabs(sum) * kEps) break;
    }
    return sum * std::exp(-x + a * std::log(x) - std::lgamma(a));
}

// Continued fraction for Q(a, x) (modified Lentz), valid for x >= a + 1.
double gamma_q_continued_fraction(double a, double x) {
    constexpr double tiny = 1e-300;
    double b = x + 1.0 - a;
    double c = 1.0 / tiny;
    double d = 1.0 / b;
    double h = d;
    for (int i = 1; i < kMaxTerms; ++i) {
        const double an = -i * (i - a);
        b += 2.0;
        d = an * d + b;
        if (std::fabs(d) < tiny) d = tiny;
        c = b + an / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1.0 / d;
        const double delta = d * c;
        h *= delta;
        if (std::fabs(delta - 1.0) < kEps) break;
    }
    return std::exp(-x + a * std::log(x) - std::lgamma(a)) * h;
}

}  // namespace

double gamma_p(double a, double x) {
    if (!(a > 0.0) || !std::isfinite(a)) throw std::invalid_argument("gamma_p: a must be finite and > 0");
    if (!(x >= 0.0)) throw std::invalid_argument("gamma_p: x must be >= 0");
    if (x == 0.0) return 0.0;
    if (std::isinf(x)) return 1.0;
    if (x < a + 1.0) return gamma_p_series(a, x);
    return 1.0 - gamma_q_continued_fraction(a, x);
}

double sersic_bn_cb99(double n) {
    return 2.0 * n - 1.0 / 3.0 + 4.0 / (405.0 * n) + 46.0 / (25515.0 * n * n) +
           131.0 / (1148175.0 * n * n * n) - 2194697.0 / (30690717750.0 * n * n * n * n);
}

double sersic_bn_exact(double n) {
    if (!(n > 0.0) || !std::isfinite(n)) throw std::invalid_argument("sersic_bn_exact: n must be finite and > 0");
    const double a = 2.0 * n;
    // Start from the series where it is good, from the median approximation a - 1/3 otherwise.
    double b = n >= 0.36 ? sersic_bn_cb99(n) : std::fmax(a - 1.0 / 3.0, 0.5 * a);
    const double log_gamma_a = std::lgamma(a);
    for (int iter = 0; iter < 100; ++iter) {
        const double f = gamma_p(a, b) - 0.5;
        const double dfdb = std::exp((a - 1.0) * std::log(b) - b - log_gamma_a);
        double step = f / dfdb;
        if (step > 0.5 * b) step = 0.5 * b;  // keep b positive
        b -= step;
        if (std::fabs(step) <= 1e-15 * b) break;
    }
    return b;
}

}  // namespace galforge
