// Sersic parameters: validation, b_n and analytic total flux.
#include "galforge/sersic.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>

#include "galforge/gamma.hpp"

namespace galforge {

namespace {

[[noreturn]] void bad(const char* name, double value, const char* expected) {
    std::ostringstream msg;
    msg.precision(17);
    msg << "Sersic parameter " << name << " = " << value << " is invalid: expected " << expected;
    throw std::invalid_argument(msg.str());
}

}  // namespace

void validate(const SersicParams& p) {
    if (!std::isfinite(p.x0)) bad("x0", p.x0, "a finite number");
    if (!std::isfinite(p.y0)) bad("y0", p.y0, "a finite number");
    if (!std::isfinite(p.ie) || p.ie < 0.0) bad("ie", p.ie, "a finite number >= 0");
    if (!std::isfinite(p.r_e) || !(p.r_e > 0.0)) bad("r_e", p.r_e, "a finite number > 0");
    if (!std::isfinite(p.n) || p.n < kSersicMinN || p.n > kSersicMaxN) bad("n", p.n, "0.2 <= n <= 10");
    if (!std::isfinite(p.q) || !(p.q > 0.0) || p.q > 1.0) bad("q", p.q, "0 < q <= 1");
    if (!std::isfinite(p.pa)) bad("pa", p.pa, "a finite number (radians)");
    if (!std::isfinite(p.c) || p.c < kSersicMinC || p.c > kSersicMaxC) bad("c", p.c, "0.5 <= c <= 10");
}

double sersic_bn(const SersicParams& p) {
    return p.bn == BnMethod::exact ? sersic_bn_exact(p.n) : sersic_bn_cb99(p.n);
}

double sersic_central_brightness(const SersicParams& p) {
    const double amp = p.ie * std::exp(sersic_bn(p));
    if (!std::isfinite(amp)) bad("ie", p.ie, "a value whose central surface brightness ie exp(b_n) is finite");
    return amp;
}

double generalized_ellipse_area_factor(double c) {
    // Area of |u|^c + |v|^c <= 1 is 4 Gamma(1 + 1/c)^2 / Gamma(1 + 2/c).
    const double log_area = std::log(4.0) + 2.0 * std::lgamma(1.0 + 1.0 / c) - std::lgamma(1.0 + 2.0 / c);
    return std::exp(log_area) / M_PI;
}

double sersic_total_flux(const SersicParams& p) {
    validate(p);
    const double bn = sersic_bn(p);
    const double two_n = 2.0 * p.n;
    // F = 2 pi q r_e^2 ie n e^bn bn^-2n Gamma(2n) * (area factor of the generalised ellipse).
    const double log_core = bn - two_n * std::log(bn) + std::lgamma(two_n);
    const double flux = 2.0 * M_PI * p.q * p.r_e * p.r_e * p.ie * p.n * std::exp(log_core) *
                        generalized_ellipse_area_factor(p.c);
    if (!std::isfinite(flux)) bad("ie", p.ie, "a value whose total flux is finite (ie and r_e too large together)");
    return flux;
}

}  // namespace galforge
