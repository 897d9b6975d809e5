// The regularised incomplete gamma function and the Sersic b_n constant.
#pragma once

namespace galforge {

// Regularised lower incomplete gamma P(a, x) for a > 0, x >= 0 (relative accuracy ~1e-15).
double gamma_p(double a, double x);

// Exact b_n: the root of P(2n, b) = 1/2, to 1e-12 relative (Newton from the Ciotti & Bertin value).
double sersic_bn_exact(double n);

// Ciotti & Bertin (1999) asymptotic series for b_n, as used by imfit, AstroPhot and Galaxy Builder.
double sersic_bn_cb99(double n);

}  // namespace galforge
